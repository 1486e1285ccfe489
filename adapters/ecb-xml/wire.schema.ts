import { z } from 'zod';
import { isPositiveDecimal } from '../../domain/money/money';

/** One `<Cube currency='USD' rate='1.0512'/>`: rates stay strings (exact decimals). */
export const WireRate = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/, 'currency must be three upper-case letters'),
  rate: z.string().regex(/^\d+(\.\d+)?$/, 'rate must be a positive decimal').refine(isPositiveDecimal, 'rate must be greater than zero'),
});

/** One `<Cube time='2026-11-27'>` with its rates. The set of currencies changes over time. */
export const WireDay = z.object({
  time: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'time must be YYYY-MM-DD'),
  Cube: z.array(WireRate).min(1, 'a publication day must carry at least one rate'),
});

/** The parsed `gesmes:Envelope` (namespace prefixes removed). */
export const WireEnvelope = z.object({
  Envelope: z.object({
    Cube: z.array(z.object({ Cube: z.array(WireDay).min(1, 'no publication day in the feed') })).length(1),
  }),
});
export type WireEnvelope = z.infer<typeof WireEnvelope>;
