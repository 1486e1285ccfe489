import { z } from 'zod';

/**
 * The pieces answers are described with (OpenAPI response schemas; the strict ones are also
 * parsed against real answers in the tests): instants, calendar days, decimal strings, money.
 */

/** An instant as ISO 8601 text. */
export const Instant = z.string().meta({ format: 'date-time' });
/** A calendar day, YYYY-MM-DD. */
export const CalendarDay = z.string().meta({ format: 'date' });
/** An instant as epoch milliseconds (workflow views). */
export const EpochMs = z.number().int().meta({ description: 'Epoch milliseconds' });
/** A decimal as text: money and rates never travel as JSON numbers. */
export const DecimalText = z.string().regex(/^-?\d+(\.\d+)?$/).meta({ description: 'Decimal string, never a JSON number' });
/** Money as answered: the amount at the currency's exponent (the request-side `Money` lists every currency code). */
export const MoneyView = z.strictObject({ amount: DecimalText, currency: z.string().meta({ description: 'ISO 4217 code' }) });
/** A keyset page as answered: `{items, nextCursor}`, nothing else (`nextCursor` null on the last page). */
export const PageView = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), nextCursor: z.string().nullable().meta({ description: 'null on the last page; pass it back as `cursor`' }) });
/** Every item, no paging: `{items}`, nothing else. */
export const ListView = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item) });
