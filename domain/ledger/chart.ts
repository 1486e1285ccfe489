import { isCurrencyCode } from '../money/currency';
import { ACCOUNT_CODE_PATTERN } from './entry';

export type AccountType = 'ASSET' | 'LIABILITY' | 'EQUITY' | 'REVENUE' | 'EXPENSE';

export interface ChartAccount {
  code: string;
  name: string;
  type: AccountType;
  /** Set for accounts that hold one currency only (bank accounts). */
  currency?: string;
}

export const PRODUCT_TYPES = ['packages', 'flights', 'hotels', 'cruises', 'tours', 'transfers', 'insurance'] as const;
export const SALES_CHANNELS = ['direct', 'agent', 'online', 'corporate'] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];
export type SalesChannel = (typeof SALES_CHANNELS)[number];

export interface ChartOptions {
  /** Currencies the company banks in: one bank account each. */
  bankCurrencies: string[];
  /** Payment methods customers pay by: one clearing account each (cards settle later). */
  paymentMethods: string[];
}

export const DEFAULT_CHART_OPTIONS: ChartOptions = {
  bankCurrencies: ['GBP', 'EUR', 'USD'],
  paymentMethods: ['card', 'bank-transfer', 'cash'],
};

const title = (s: string) => s.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());

/**
 * The travel chart of accounts. Revenue is split by product type and sales channel; customer
 * money is a liability (deposits, deferred revenue per product) until travel; commission income is
 * kept apart from package revenue; cost of sales per product (suppliers get sub-accounts as they
 * are added); FX gains and losses realised and unrealised; the ATOL contribution payable.
 */
export function travelChartOfAccounts(options: ChartOptions = DEFAULT_CHART_OPTIONS): ChartAccount[] {
  const problems = [
    ...options.bankCurrencies.filter((c) => !isCurrencyCode(c)).map((c) => `bank currency "${c}" is not an ISO 4217 code`),
    ...options.paymentMethods.filter((m) => !/^[a-z0-9][a-z0-9-]*$/.test(m)).map((m) => `payment method "${m}" must be lower-case letters, digits and -`),
  ];
  if (problems.length) throw new RangeError(`Invalid chart options: ${problems.join('; ')}`);

  const accounts: ChartAccount[] = [
    ...options.bankCurrencies.map((c): ChartAccount => ({ code: `asset:bank:${c}`, name: `Bank account ${c}`, type: 'ASSET', currency: c })),
    ...options.paymentMethods.map((m): ChartAccount => ({ code: `asset:clearing:${m}`, name: `Payments in clearing: ${title(m)}`, type: 'ASSET' })),
    { code: 'asset:receivable:customers', name: 'Customer receivables', type: 'ASSET' },
    { code: 'asset:receivable:commissions', name: 'Supplier commission receivable', type: 'ASSET' },
    { code: 'asset:prepaid:suppliers', name: 'Supplier prepayments', type: 'ASSET' },
    { code: 'liability:customer-deposits', name: 'Customer deposits', type: 'LIABILITY' },
    ...PRODUCT_TYPES.map((p): ChartAccount => ({ code: `liability:deferred-revenue:${p}`, name: `Deferred revenue: ${title(p)}`, type: 'LIABILITY' })),
    { code: 'liability:payable:suppliers', name: 'Supplier payables', type: 'LIABILITY' },
    { code: 'liability:payable:sub-agent-commissions', name: 'Sub-agent commission payable', type: 'LIABILITY' },
    { code: 'liability:payable:atol-contributions', name: 'ATOL Protection Contribution payable', type: 'LIABILITY' },
    { code: 'liability:payable:taxes', name: 'Taxes payable', type: 'LIABILITY' },
    { code: 'liability:customer-credits', name: 'Customer credit vouchers', type: 'LIABILITY' },
    ...PRODUCT_TYPES.flatMap((p) =>
      SALES_CHANNELS.map((ch): ChartAccount => ({ code: `revenue:${p}:${ch}`, name: `Revenue: ${title(p)}, ${ch} sales`, type: 'REVENUE' })),
    ),
    { code: 'revenue:commission-income', name: 'Commission income', type: 'REVENUE' },
    { code: 'revenue:fx:realised-gain', name: 'Realised FX gain', type: 'REVENUE' },
    { code: 'revenue:fx:unrealised-gain', name: 'Unrealised FX gain', type: 'REVENUE' },
    ...PRODUCT_TYPES.map((p): ChartAccount => ({ code: `expense:cost-of-sales:${p}`, name: `Cost of sales: ${title(p)}`, type: 'EXPENSE' })),
    { code: 'expense:sub-agent-commissions', name: 'Sub-agent commissions', type: 'EXPENSE' },
    { code: 'expense:atol-contributions', name: 'ATOL Protection Contributions', type: 'EXPENSE' },
    { code: 'expense:goodwill', name: 'Goodwill and compensation', type: 'EXPENSE' },
    { code: 'expense:fx:realised-loss', name: 'Realised FX loss', type: 'EXPENSE' },
    { code: 'expense:fx:unrealised-loss', name: 'Unrealised FX loss', type: 'EXPENSE' },
    { code: 'equity:fx-translation-reserve', name: 'FX translation reserve', type: 'EQUITY' },
    { code: 'equity:retained-earnings', name: 'Retained earnings', type: 'EQUITY' },
    { code: 'equity:opening-balances', name: 'Opening balances (migrated from legacy systems)', type: 'EQUITY' },
  ];
  for (const a of accounts) if (!ACCOUNT_CODE_PATTERN.test(a.code)) throw new Error(`Chart bug: invalid code ${a.code}`);
  return accounts;
}
