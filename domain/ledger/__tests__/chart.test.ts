import { ACCOUNT_CODE_PATTERN } from '../entry';
import { PRODUCT_TYPES, SALES_CHANNELS, travelChartOfAccounts } from '../chart';

describe('travel chart of accounts', () => {
  const chart = travelChartOfAccounts();
  const codes = chart.map((a) => a.code);

  it('has unique, valid codes', () => {
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(ACCOUNT_CODE_PATTERN);
  });

  it('splits revenue by product type and sales channel, with deferred revenue and cost of sales per product', () => {
    for (const p of PRODUCT_TYPES) {
      for (const ch of SALES_CHANNELS) expect(codes).toContain(`revenue:${p}:${ch}`);
      expect(codes).toContain(`liability:deferred-revenue:${p}`);
      expect(codes).toContain(`expense:cost-of-sales:${p}`);
    }
  });

  it('keeps commission income apart, and has deposits, payables, FX and ATOL accounts', () => {
    for (const code of [
      'revenue:commission-income',
      'liability:customer-deposits',
      'asset:receivable:customers',
      'liability:payable:suppliers',
      'liability:payable:sub-agent-commissions',
      'liability:payable:atol-contributions',
      'revenue:fx:realised-gain',
      'expense:fx:realised-loss',
      'revenue:fx:unrealised-gain',
      'expense:fx:unrealised-loss',
      'equity:fx-translation-reserve',
    ]) {
      expect(codes).toContain(code);
    }
    expect(chart.find((a) => a.code === 'liability:customer-deposits')?.type).toBe('LIABILITY');
  });

  it('has one bank account per banking currency and a clearing account per payment method', () => {
    const custom = travelChartOfAccounts({ bankCurrencies: ['GBP', 'JPY', 'KWD'], paymentMethods: ['card', 'paypal'] });
    expect(custom.filter((a) => a.code.startsWith('asset:bank:')).map((a) => [a.code, a.currency])).toEqual([
      ['asset:bank:GBP', 'GBP'],
      ['asset:bank:JPY', 'JPY'],
      ['asset:bank:KWD', 'KWD'],
    ]);
    expect(custom.map((a) => a.code)).toEqual(expect.arrayContaining(['asset:clearing:card', 'asset:clearing:paypal']));
  });

  it('refuses options it cannot build', () => {
    expect(() => travelChartOfAccounts({ bankCurrencies: ['GBP', 'XYZ'], paymentMethods: ['Card Payments'] })).toThrow(
      'Invalid chart options: bank currency "XYZ" is not an ISO 4217 code; payment method "Card Payments" must be lower-case letters, digits and -',
    );
  });
});

describe('booking lifecycle accounts', () => {
  it('has a goodwill expense and a customer credit voucher liability', () => {
    const chart = travelChartOfAccounts();
    expect(chart.find((a) => a.code === 'expense:goodwill')).toEqual({ code: 'expense:goodwill', name: 'Goodwill and compensation', type: 'EXPENSE' });
    expect(chart.find((a) => a.code === 'liability:customer-credits')).toEqual({ code: 'liability:customer-credits', name: 'Customer credit vouchers', type: 'LIABILITY' });
  });
});
