import { PRODUCT_TYPES, SALES_CHANNELS } from '../ledger/chart';
import { TRANSACTION_TYPES } from '../ledger/translation';

/** One reason the finance set-up is not ready for the first booking. */
export interface ReadinessFailure {
  /** A stable code: `settings-missing`, `rate-missing`, `account-missing`, ... */
  check: string;
  /** What is wrong, in words finance staff act on. */
  detail: string;
}

export interface ReadinessReport {
  ready: boolean;
  checkedAt: string;
  baseCurrency: string | null;
  failures: ReadinessFailure[];
  /** The checks that ran, so "ready" says what was verified. */
  checks: string[];
}

export interface ProductAccounts {
  productType: string;
  revenuePrefix: string;
  deferredAccount: string;
  costAccount: string;
}

/** The accounts a product type posts to when finance has not mapped it otherwise. */
export function conventionalProductAccounts(productType: string): ProductAccounts {
  return {
    productType,
    revenuePrefix: `revenue:${productType}`,
    deferredAccount: `liability:deferred-revenue:${productType}`,
    costAccount: `expense:cost-of-sales:${productType}`,
  };
}

/** Accounts month-end revaluation and realised FX differences post to. */
export const FX_ACCOUNTS = ['revenue:fx:unrealised-gain', 'expense:fx:unrealised-loss', 'revenue:fx:realised-gain', 'expense:fx:realised-loss'] as const;

/** Accounts every booking's money moves through. */
export const CORE_ACCOUNTS = ['asset:receivable:customers', 'liability:customer-deposits', 'liability:payable:suppliers'] as const;

/** What the configuration looks like, gathered from the database. */
export interface ConfigSnapshot {
  settings: { baseCurrency: string; rateSource: string; activeCurrencies: string[] } | null;
  /** Active accounts by code. */
  activeAccounts: ReadonlySet<string>;
  productAccounts: ReadonlyMap<string, ProductAccounts>;
  translationRules: ReadonlyMap<string, string>;
  /** Per active foreign currency: a problem text when no usable rate to base exists today. */
  rateProblems: ReadonlyMap<string, string>;
}

/**
 * Every failure of the configuration, all at once (not just the first): settings present, every
 * active currency with a rate into base, every product type mapped to existing revenue (per sales
 * channel), deferred-revenue and cost accounts, the FX accounts revaluation needs, a translation
 * rule for every transaction type, a bank account in the base currency.
 */
export function evaluateReadiness(s: ConfigSnapshot): ReadinessFailure[] {
  const failures: ReadinessFailure[] = [];
  const account = (code: string, why: string) => {
    if (!s.activeAccounts.has(code)) failures.push({ check: 'account-missing', detail: `account ${code} (${why}) does not exist or is inactive` });
  };
  if (!s.settings) {
    failures.push({ check: 'settings-missing', detail: 'no finance settings: set the base reporting currency, the rate source and the active currencies (PUT /finance/settings)' });
  } else {
    const { baseCurrency, activeCurrencies } = s.settings;
    if (!activeCurrencies.includes(baseCurrency)) failures.push({ check: 'base-not-active', detail: `the base currency ${baseCurrency} is not among the active currencies` });
    for (const [currency, problem] of s.rateProblems) failures.push({ check: 'rate-missing', detail: `${currency}: ${problem}` });
    account(`asset:bank:${baseCurrency}`, 'bank account in the base currency');
  }
  for (const product of PRODUCT_TYPES) {
    const mapped = s.productAccounts.get(product) ?? conventionalProductAccounts(product);
    for (const channel of SALES_CHANNELS) account(`${mapped.revenuePrefix}:${channel}`, `${product} revenue, ${channel} sales`);
    account(mapped.deferredAccount, `${product} deferred revenue`);
    account(mapped.costAccount, `${product} cost of sales`);
  }
  for (const code of FX_ACCOUNTS) account(code, 'FX revaluation and realised differences');
  for (const code of CORE_ACCOUNTS) account(code, 'booking money');
  for (const type of TRANSACTION_TYPES) {
    if (!s.translationRules.has(type)) {
      failures.push({ check: 'translation-rule-missing', detail: `no translation rule for "${type}" transactions: choose BOOKING_DATE, PAYMENT_DATE or PERIOD_AVERAGE` });
    }
  }
  return failures;
}

export const READINESS_CHECKS = [
  'finance settings (base currency, rate source, active currencies)',
  'a rate into the base currency for every active currency, today',
  'revenue (per sales channel), deferred-revenue and cost-of-sales accounts for every product type',
  'FX gain/loss accounts for revaluation',
  'receivable, deposit and supplier payable accounts',
  'a translation rule for every transaction type',
  'sample transactions in every active currency post, translate and balance (rolled back)',
];
