import { z } from 'zod';
import { currencyCodesList, isCurrencyCode } from '../money/currency';
import { checkAmount } from '../money/money';
import { isIsoDate } from '../time/instant';

/** ISO 4217 code of a currency a booking can be priced in. */
export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be three upper-case letters (ISO 4217), e.g. "EUR"')
  .refine(isCurrencyCode, { message: 'is not an ISO 4217 currency code' })
  .meta({ description: 'ISO 4217 currency code', examples: ['EUR', 'GBP', 'JPY', 'KWD'], enum: currencyCodesList() });

/** A non-negative amount as a decimal string with at most the currency's decimal places. */
export const Money = z
  .strictObject({
    amount: z
      .string()
      .superRefine((amount, ctx) => {
        // Format, sign and size need no currency; checked even when the currency is wrong too.
        for (const problem of checkAmount(amount, '')) ctx.addIssue({ code: 'custom', message: problem.message });
      })
      .meta({ description: 'Decimal string, never a JSON number', examples: ['1499.90'] }),
    currency: CurrencyCode,
  })
  .superRefine((value, ctx) => {
    // Runs once both fields are valid: the currency's exponent bounds the decimal places.
    for (const problem of checkAmount(value.amount, value.currency)) {
      if (problem.code === 'too-many-decimals') ctx.addIssue({ code: 'custom', path: ['amount'], message: problem.message });
    }
  });
export type Money = z.infer<typeof Money>;

/** A calendar date, YYYY-MM-DD. */
export const IsoDate = z
  .string()
  .refine(isIsoDate, { message: 'must be a calendar date written YYYY-MM-DD' })
  .meta({ examples: ['2027-05-14'] });

/** Opaque identifiers from other systems (CRM ids, product codes). */
export const ExternalId = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'may contain only letters, digits and . _ : - (starting with a letter or digit)');
