import currencyCodes from 'currency-codes';
import { z } from 'zod';
import { RATE_DECIMALS } from '../../domain/fx/rates';
import { Dec } from '../../domain/money/money';
import { isIsoDate } from '../../domain/time/instant';

/**
 * Zod over the payload AFTER {@link parseJsonNumbersAsText} (mapper.ts): every JSON number arrives
 * here as its source text, so a rate is always a string, whether the API sent `1.2654` or `"1.2654"`.
 */

/** A JSON number or decimal string: digits, optional fraction, optional exponent. */
const DECIMAL_TEXT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
/** fx_rates.rate is NUMERIC(24,10): 14 integer digits. */
const MAX_INTEGER_DIGITS = 24 - RATE_DECIMALS;
const SMALLEST_RATE = new Dec(1).dividedBy(new Dec(10).pow(RATE_DECIMALS));

/** Every code of ISO 4217 (the `currency-codes` data, no list of our own): USD, XAU yes; BTC, usd, EURO no. */
export function isIso4217(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && currencyCodes.code(code) !== undefined;
}

const CurrencyCode = z.string().refine(isIso4217, 'must be an ISO 4217 currency code (three upper-case letters)');

/** Problems with one rate value, or none; `currency` names it in each message. */
export function rateProblems(currency: string, value: unknown): string[] {
  if (typeof value !== 'string') return [`rate for ${currency} must be a number or a decimal string (got ${value === null ? 'null' : typeof value})`];
  if (!DECIMAL_TEXT.test(value)) return [`rate for ${currency} must be a decimal number (got "${value.slice(0, 40)}")`];
  const rate = new Dec(value);
  if (!rate.greaterThan(0)) return [`rate for ${currency} must be greater than zero (got ${value})`];
  if (rate.truncated().toFixed().length > MAX_INTEGER_DIGITS) return [`rate for ${currency} has more than ${MAX_INTEGER_DIGITS} integer digits (got ${value})`];
  if (rate.lessThan(SMALLEST_RATE.dividedBy(2))) return [`rate for ${currency} is below ${SMALLEST_RATE.toFixed()}, the smallest rate stored (got ${value})`];
  return [];
}

/** `{ base, date, timestamp?, rates: { USD: "1.2654", ... } }`; the currency list is whatever the API sends. */
export const WireRates = z
  .object({
    base: CurrencyCode,
    date: z.string().refine(isIsoDate, 'must be a calendar date written YYYY-MM-DD'),
    timestamp: z.string().regex(/^\d+$/, 'must be whole seconds since 1970').optional(),
    rates: z.record(z.string(), z.unknown()),
  })
  .superRefine((wire, ctx) => {
    const entries = Object.entries(wire.rates);
    if (entries.length === 0) ctx.addIssue({ code: 'custom', path: ['rates'], message: 'no rates in the publication' });
    for (const [currency, value] of entries) {
      if (!isIso4217(currency)) {
        ctx.addIssue({ code: 'custom', path: ['rates', currency], message: `"${currency}" is not an ISO 4217 currency code (three upper-case letters)` });
        continue;
      }
      for (const message of rateProblems(currency, value)) ctx.addIssue({ code: 'custom', path: ['rates', currency], message });
      if (currency === wire.base && typeof value === 'string' && DECIMAL_TEXT.test(value) && !new Dec(value).equals(1)) {
        ctx.addIssue({ code: 'custom', path: ['rates', currency], message: `rate for the base currency ${currency} must be 1 (got ${value})` });
      }
    }
  });
export type WireRates = z.infer<typeof WireRates>;
