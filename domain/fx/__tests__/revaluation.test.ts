import { reversingLines, validateEntry, netByAccount } from '../../ledger/entry';
import {
  isMonetaryAccount,
  isMonthEnd,
  nextDay,
  previousMonthEnd,
  revaluationEntry,
  revalueBalance,
  UNREALISED_GAIN_ACCOUNT,
  UNREALISED_LOSS_ACCOUNT,
  type RevaluedBalance,
} from '../revaluation';

const RECEIVABLE = 'asset:receivable:customers';

describe('month-end FX revaluation (domain)', () => {
  it('hand-computed case: USD 10,000.00 booked at 0.7900, closing 0.8100 -> gain GBP 200.00, reversed to zero the next day', () => {
    const line = revalueBalance({ account: RECEIVABLE, currency: 'USD', foreignBalance: '10000.00', carryingBase: '7900.00' }, { rate: '0.8100', rateDate: '2026-11-30' }, 'GBP');
    expect(line).toMatchObject({ revaluedBase: '8100.00', difference: '200.00', closingRate: '0.8100', closingRateDate: '2026-11-30' });

    const { draft, totals } = revaluationEntry('2026-11-30', 1, [line], 'GBP');
    expect(totals).toEqual({ gain: '200.00', loss: '0.00' });
    expect(draft).toEqual({
      idempotencyKey: 'fx-revaluation:2026-11-30:1',
      description: 'FX revaluation at 2026-11-30 (part 1)',
      accountingDate: '2026-11-30',
      kind: 'fx-revaluation',
      lines: [
        { account: RECEIVABLE, side: 'DEBIT', amount: { amount: '200.00', currency: 'GBP' }, revalues: 'USD' },
        { account: UNREALISED_GAIN_ACCOUNT, side: 'CREDIT', amount: { amount: '200.00', currency: 'GBP' } },
      ],
    });
    expect(validateEntry(draft!)).toEqual([]);
    const net = netByAccount([...draft!.lines, ...reversingLines(draft!.lines)]);
    expect(net.get(UNREALISED_GAIN_ACCOUNT)!.get('GBP')!.isZero()).toBe(true);
    expect(reversingLines(draft!.lines)[0]).toMatchObject({ side: 'CREDIT', revalues: 'USD' });
  });

  it('books a loss on a liability when the foreign currency strengthens against what we owe', () => {
    // We owe a supplier EUR 5,000.00 (credit balance), carried at GBP 4,300.00; closing 0.8700.
    const line = revalueBalance({ account: 'liability:payable:suppliers', currency: 'EUR', foreignBalance: '-5000.00', carryingBase: '-4300.00' }, { rate: '0.8700', rateDate: '2026-11-27' }, 'GBP');
    expect(line).toMatchObject({ revaluedBase: '-4350.00', difference: '-50.00' });
    const { draft, totals } = revaluationEntry('2026-11-30', 3, [line], 'GBP');
    expect(totals).toEqual({ gain: '0.00', loss: '50.00' });
    expect(draft!.lines).toEqual([
      { account: 'liability:payable:suppliers', side: 'CREDIT', amount: { amount: '50.00', currency: 'GBP' }, revalues: 'EUR' },
      { account: UNREALISED_LOSS_ACCOUNT, side: 'DEBIT', amount: { amount: '50.00', currency: 'GBP' } },
    ]);
  });

  it('writes balances summed at the database scale with their currencies\' decimals', () => {
    const usd = revalueBalance({ account: RECEIVABLE, currency: 'USD', foreignBalance: '10000.0000', carryingBase: '7900.0000' }, { rate: '0.8100', rateDate: '2026-11-30' }, 'GBP');
    expect(usd).toMatchObject({ foreignBalance: '10000.00', carryingBase: '7900.00', revaluedBase: '8100.00', difference: '200.00' });
    const jpy = revalueBalance({ account: RECEIVABLE, currency: 'JPY', foreignBalance: '-150000.0000', carryingBase: '-800.5000' }, { rate: '0.0052', rateDate: '2026-11-30' }, 'GBP');
    expect(jpy).toMatchObject({ foreignBalance: '-150000', carryingBase: '-800.50', revaluedBase: '-780.00', difference: '20.50' });
  });

  it('rounds half-even to the base currency minor units (GBP 2, JPY 0, KWD 3)', () => {
    const at = (foreignBalance: string, rate: string, base: string) =>
      revalueBalance({ account: RECEIVABLE, currency: 'USD', foreignBalance, carryingBase: '0' }, { rate, rateDate: '2026-11-30' }, base).revaluedBase;
    expect(at('0.05', '0.5', 'GBP')).toBe('0.02'); // 0.025 -> even
    expect(at('0.07', '0.5', 'GBP')).toBe('0.04'); // 0.035 -> even
    expect(at('-0.05', '0.5', 'GBP')).toBe('-0.02');
    expect(at('1.00', '150.5', 'JPY')).toBe('150'); // 150.5 -> even
    expect(at('1.00', '151.5', 'JPY')).toBe('152');
    expect(at('1.00', '0.3075005', 'KWD')).toBe('0.308');
  });

  it('builds one balanced entry per chunk with one gain and one loss line; zero differences post nothing', () => {
    const lines: RevaluedBalance[] = [
      revalueBalance({ account: 'asset:bank:USD', currency: 'USD', foreignBalance: '1000.00', carryingBase: '790.00' }, { rate: '0.81', rateDate: '2026-11-30' }, 'GBP'),
      revalueBalance({ account: RECEIVABLE, currency: 'EUR', foreignBalance: '1000.00', carryingBase: '880.00' }, { rate: '0.87', rateDate: '2026-11-30' }, 'GBP'),
      revalueBalance({ account: RECEIVABLE, currency: 'USD', foreignBalance: '500.00', carryingBase: '395.00' }, { rate: '0.81', rateDate: '2026-11-30' }, 'GBP'),
      revalueBalance({ account: 'liability:customer-deposits', currency: 'USD', foreignBalance: '-100.00', carryingBase: '-81.00' }, { rate: '0.81', rateDate: '2026-11-30' }, 'GBP'),
    ];
    expect(lines.map((l) => l.difference)).toEqual(['20.00', '-10.00', '10.00', '0.00']);
    const { draft, totals } = revaluationEntry('2026-11-30', 2, lines, 'GBP');
    expect(totals).toEqual({ gain: '30.00', loss: '10.00' });
    expect(draft!.lines).toHaveLength(5);
    expect(validateEntry(draft!)).toEqual([]);
    expect(draft!.idempotencyKey).toBe('fx-revaluation:2026-11-30:2');

    expect(revaluationEntry('2026-11-30', 4, [lines[3]!], 'GBP')).toEqual({ draft: null, totals: { gain: '0.00', loss: '0.00' } });
  });

  it('revalues monetary accounts only: deferred revenue and P&L accounts are non-monetary', () => {
    for (const code of ['asset:bank:USD', 'asset:clearing:card', 'asset:receivable:customers', 'asset:prepaid:suppliers', 'liability:customer-deposits', 'liability:payable:suppliers']) {
      expect(isMonetaryAccount(code)).toBe(true);
    }
    for (const code of ['liability:deferred-revenue:tours', 'revenue:tours:direct', 'liability:customer-deposits-old', 'equity:retained-earnings']) {
      expect(isMonetaryAccount(code)).toBe(false);
    }
    expect(isMonetaryAccount('liability:customer-deposits:b2b')).toBe(true);
    expect(isMonetaryAccount('asset:bank:USD', ['asset:receivable:'])).toBe(false);
  });

  it('finds the month that ended before the start time in the operator zone, across a year end', () => {
    expect(previousMonthEnd(Date.parse('2027-01-01T00:30:00Z'), 'Europe/London')).toBe('2026-12-31');
    expect(previousMonthEnd(Date.parse('2027-03-01T00:30:00Z'), 'Europe/London')).toBe('2027-02-28');
    // 23:30 UTC on 31 January is already 1 February in Berlin, not yet in London.
    expect(previousMonthEnd(Date.parse('2027-01-31T23:30:00Z'), 'Europe/Berlin')).toBe('2027-01-31');
    expect(previousMonthEnd(Date.parse('2027-01-31T23:30:00Z'), 'Europe/London')).toBe('2026-12-31');
    // British Summer Time: 00:30 local on 1 July is 23:30 UTC on 30 June.
    expect(previousMonthEnd(Date.parse('2027-06-30T23:30:00Z'), 'Europe/London')).toBe('2027-06-30');
    expect(previousMonthEnd(Date.parse('2028-03-01T00:30:00Z'), 'UTC')).toBe('2028-02-29');
  });

  it('knows month ends and next days', () => {
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(isMonthEnd('2026-11-30')).toBe(true);
    expect(isMonthEnd('2026-11-29')).toBe(false);
    expect(isMonthEnd('2026-02-30')).toBe(false);
  });
});
