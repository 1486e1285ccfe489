import { z } from 'zod';
import { isPositiveDecimal } from '../../domain/money/money';
import { isCurrencyCode } from '../../domain/money/currency';
import { IsoDate } from '../../domain/schemas/common.schema';
import { TRANSACTION_TYPES } from '../../domain/ledger/translation';
import { CalendarDay, DecimalText, EpochMs, Instant, MoneyView, PageView } from './answer.schema';

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

// ---------------------------------------------------------------------------------------------
// Answers (OpenAPI response schemas; finance.api.test.ts and no-worker.api.test.ts parse the real
// answers with them). Each mirrors the handler in api/routes/finance.routes.ts and the port it reads.


/** `GET /finance/rates` (`ResolvedRate`): the rate in force on a date, and how it was found. */
export const ResolvedRateResponse = z
  .strictObject({
    from: z.string(),
    to: z.string(),
    rate: DecimalText.meta({ description: '1 `from` = `rate` `to`, at most 10 decimals' }),
    source: z.string(),
    requestedDate: CalendarDay,
    rateDate: CalendarDay.meta({ description: 'The publication date used (earlier on weekends and holidays)' }),
    path: z.string().meta({ description: '`direct`, `inverse`, or `cross via EUR`' }),
  })
  .meta({ id: 'ResolvedRate' });

/** `POST /finance/rates/import`: what the feed published and what was stored. */
export const RateFeedImportResponse = z
  .strictObject({
    source: z.string(),
    dates: z.array(CalendarDay),
    currencies: z.array(z.string()),
    inserted: z.number().int().min(0),
    unchanged: z.number().int().min(0),
    conflicts: z
      .array(z.strictObject({ source: z.string(), base: z.string(), quote: z.string(), rate: DecimalText, rateDate: CalendarDay, stored: DecimalText.meta({ description: 'The rate kept' }) }))
      .meta({ description: 'Rates already stored with another value: the stored one is kept' }),
  })
  .meta({ id: 'RateFeedImport' });

/** `AccountBalance`: one account in one currency. */
export const AccountBalanceView = z.strictObject({
  account: z.string(),
  currency: z.string(),
  debits: DecimalText,
  credits: DecimalText,
  net: DecimalText.meta({ description: 'debits − credits' }),
});

/** `GET /finance/trial-balance`: per account and currency (default), or translated into the base currency (`view=base`). */
export const TrialBalanceResponse = z
  .union([
    z.strictObject({
      asOf: CalendarDay.nullable(),
      accounts: z.array(AccountBalanceView),
      totals: z.array(z.strictObject({ currency: z.string(), debits: DecimalText, credits: DecimalText, balanced: z.boolean() })),
    }),
    z.strictObject({
      baseCurrency: z.string().nullable().meta({ description: 'null until finance settings name a base currency' }),
      asOf: CalendarDay.nullable(),
      accounts: z.array(z.strictObject({ account: z.string(), type: z.string(), debits: DecimalText, credits: DecimalText, net: DecimalText })),
      totals: z.strictObject({ debits: DecimalText, credits: DecimalText }),
      balanced: z.boolean(),
      untranslatedPostings: z.number().int().min(0).meta({ description: 'Postings made before a base currency was configured: not in the figures' }),
    }),
  ])
  .meta({ id: 'TrialBalance', description: 'By currency; with `view=base`, translated into the base currency' });

/** `GET /finance/accounts/{code}/statement` (`AccountStatement`). */
export const AccountStatementResponse = z
  .strictObject({
    account: z.string(),
    name: z.string(),
    from: CalendarDay,
    to: CalendarDay,
    opening: z.array(z.strictObject({ currency: z.string(), balance: DecimalText })).meta({ description: 'Per currency, before `from` (or before the cursor’s line)' }),
    lines: z.array(
      z.strictObject({
        postingId: z.string(),
        entryId: z.string(),
        accountingDate: CalendarDay,
        description: z.string(),
        kind: z.string(),
        bookingRef: z.string().nullable(),
        side: z.enum(['DEBIT', 'CREDIT']),
        amount: MoneyView,
        balance: DecimalText.meta({ description: 'Debits − credits in the line’s currency after this line' }),
        revalues: z.string().nullable(),
        translation: z.strictObject({ base: MoneyView, rate: DecimalText, source: z.string(), rateDate: CalendarDay, rule: z.string() }).nullable(),
      }),
    ),
    closing: z.array(z.strictObject({ currency: z.string(), balance: DecimalText })),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'AccountStatement' });

/** `GET /finance/readiness` (`ReadinessReport`). */
export const ReadinessResponse = z
  .strictObject({
    ready: z.boolean(),
    checkedAt: Instant,
    baseCurrency: z.string().nullable(),
    failures: z.array(z.strictObject({ check: z.string().meta({ description: 'settings-missing, rate-missing, account-missing...' }), detail: z.string() })),
    checks: z.array(z.string()).meta({ description: 'The checks that ran' }),
  })
  .meta({ id: 'FinanceReadiness' });

/** `FinanceSettingsView`. */
export const FinanceSettingsView = z
  .strictObject({
    baseCurrency: z.string(),
    rateSource: z.string(),
    activeCurrencies: z.array(z.string()),
    recognitionPolicy: z.enum(['PRO_RATA_DAILY', 'AT_DEPARTURE']),
    noShowPolicy: z.enum(['SCHEDULED_DATE', 'SUPPLIER_CONFIRMATION']),
    updatedAt: EpochMs,
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'FinanceSettings' });

/** `{rules, required}`: the translation rule of each transaction type, and the types that need one. */
export const TranslationRulesResponse = z
  .strictObject({
    rules: z.array(z.strictObject({ transactionType: z.string(), rule: z.enum(['BOOKING_DATE', 'PAYMENT_DATE', 'PERIOD_AVERAGE']) })),
    required: z.array(z.enum(TRANSACTION_TYPES)),
  })
  .meta({ id: 'TranslationRules' });

/** `ProductAccounts`: the accounts one product type posts to. */
export const ProductAccountsView = z.strictObject({ productType: z.string(), revenuePrefix: z.string(), deferredAccount: z.string(), costAccount: z.string() });
/** `GET /finance/product-accounts`: every product type, `mapped` false for the chart's convention. */
export const ProductAccountsPageResponse = PageView(ProductAccountsView.extend({ mapped: z.boolean().meta({ description: 'false: not mapped by finance, the chart’s conventional accounts' }) }));

/** `AccountingPeriodView`. */
export const AccountingPeriodResponse = z.strictObject({
  name: z.string(),
  startsOn: CalendarDay,
  endsOn: CalendarDay,
  status: z.enum(['OPEN', 'CLOSED']),
  closedAt: EpochMs.nullable(),
  closedBy: z.string().nullable(),
});
