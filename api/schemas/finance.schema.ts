import { z } from 'zod';
import { isPositiveDecimal } from '../../domain/money/money';
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

export const ClosePeriodRequest = z.strictObject({
  closedBy: z.string().min(1, 'must name who closes the period').max(64),
});
