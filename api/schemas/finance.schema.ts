import { z } from 'zod';
import { isPositiveDecimal } from '../../domain/money/money';
import { isCurrencyCode } from '../../domain/money/currency';
import { IsoDate } from '../../domain/schemas/common.schema';

/** Currency codes as feeds publish them: the set changes, so any three upper-case letters. */
const FeedCurrency = z.string().regex(/^[A-Z]{3}$/, 'must be three upper-case letters, e.g. "USD"');

export const RateLookupQuery = z.strictObject({
  from: FeedCurrency,
  to: FeedCurrency,
  date: IsoDate,
  source: z.string().regex(/^[A-Z][A-Z0-9-]{0,31}$/, 'must be a source name such as "ECB" or "MANUAL"').default('ECB'),
});

export const ManualRateRequest = z
  .strictObject({
    base: FeedCurrency,
    quote: FeedCurrency,
    rate: z
      .string()
      .regex(/^\d+(\.\d{1,10})?$/, 'must be a positive decimal string with at most 10 decimals, e.g. "1.2634"')
      .refine(isPositiveDecimal, 'must be greater than zero'),
    rateDate: IsoDate,
    source: z.string().regex(/^[A-Z][A-Z0-9-]{0,31}$/, 'must be a source name such as "MANUAL"').default('MANUAL'),
  })
  .refine((r) => r.base !== r.quote, { path: ['quote'], message: 'must differ from base' });

export const AsOfQuery = z.strictObject({ asOf: IsoDate.optional() });
export const BalanceQuery = z.strictObject({ currency: FeedCurrency, asOf: IsoDate.optional() });

export const DefinePeriodRequest = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'must be 1-32 letters, digits, . _ - (e.g. "2027-01")'),
  startsOn: IsoDate,
  endsOn: IsoDate,
});

/** GET /finance/periods/:name: a period by its name (the same format it was defined with). */
export const PeriodPath = z.strictObject({ name: DefinePeriodRequest.shape.name });

/** GET /finance/rates/:source/:base/:quote/:rateDate: one stored rate, by what identifies it (no fallback, no cross rate). */
export const StoredRatePath = z.strictObject({
  source: z.string().regex(/^[A-Z][A-Z0-9-]{0,31}$/, 'must be a source name such as "ECB" or "MANUAL"'),
  base: FeedCurrency,
  quote: FeedCurrency,
  rateDate: IsoDate,
});

export const ClosePeriodRequest = z.strictObject({
  closedBy: z.string().min(1, 'must name who closes the period').max(64),
});

export const TrialBalanceQuery = z.strictObject({
  asOf: IsoDate.optional(),
  /** `base`: every account translated into the base currency, from the rates stored on postings. */
  view: z.enum(['currency', 'base']).default('currency'),
});

export const StatementQuery = z.strictObject({
  from: IsoDate,
  to: IsoDate,
  currency: FeedCurrency.optional(),
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(5000, 'must be at most 5000').default(500),
  cursor: z.string().max(40).optional(),
});

const Currency = z.string().refine(isCurrencyCode, 'must be an ISO 4217 currency code, e.g. "GBP"');

export const FinanceSettingsRequest = z
  .strictObject({
    baseCurrency: Currency,
    rateSource: z.string().regex(/^[A-Z][A-Z0-9-]{0,31}$/, 'must be a source name such as "ECB", "MANUAL" or "TREASURY"'),
    activeCurrencies: z.array(Currency).min(1, 'must list at least the base currency').max(200),
    recognitionPolicy: z.enum(['PRO_RATA_DAILY', 'AT_DEPARTURE']).default('PRO_RATA_DAILY'),
    noShowPolicy: z.enum(['SCHEDULED_DATE', 'SUPPLIER_CONFIRMATION']).default('SCHEDULED_DATE'),
    updatedBy: z.string().min(1, 'must name who changes the settings').max(64),
  })
  .refine((s) => s.activeCurrencies.includes(s.baseCurrency), { path: ['activeCurrencies'], message: 'must include the base currency' });

export const TranslationRulesRequest = z.strictObject({
  rules: z
    .array(
      z.strictObject({
        transactionType: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be 1-40 lower-case letters, digits and -, e.g. "customer-payment"'),
        rule: z.enum(['BOOKING_DATE', 'PAYMENT_DATE', 'PERIOD_AVERAGE']),
      }),
    )
    .min(1, 'must set at least one rule'),
});

const AccountCode = z.string().regex(/^[a-z0-9][a-z0-9-]*(:[A-Za-z0-9][A-Za-z0-9._-]*)*$/, 'must be an account code such as "revenue:packages"');
export const ProductAccountsRequest = z.strictObject({ revenuePrefix: AccountCode, deferredAccount: AccountCode, costAccount: AccountCode });
export const ProductTypeParam = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a product type such as "packages"');

export const ImportFeedQuery = z.strictObject({
  feed: z.string().regex(/^[A-Z][A-Z0-9-]{0,31}$/, 'must be a configured feed name such as "ECB" or "TREASURY"').default('ECB'),
});
