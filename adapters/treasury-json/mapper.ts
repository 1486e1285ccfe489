import Decimal from 'decimal.js';
import { RATE_DECIMALS, type RateQuote } from '../../domain/fx/rates';
import { Dec } from '../../domain/money/money';
import { TreasuryRatesNotPublishedError } from './client';
import { WireRates } from './wire.schema';

export const TREASURY_DEFAULT_SOURCE = 'TREASURY';

/** The payload is not the documented rates format; `problems` names each deviation (and the currency). */
export class TreasuryFeedMalformedError extends Error {
  constructor(readonly problems: string[]) {
    super(`Treasury rates payload is malformed: ${problems.join('; ')}`);
    this.name = 'TreasuryFeedMalformedError';
  }
}

/** A JSON number token, exactly as RFC 8259 §6 writes it (sticky: matched where the scan stands). */
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * `JSON.parse` that never turns a number into a float: every number token outside a string is
 * quoted before parsing, so `1.2654` comes back as the string "1.2654" and
 * `98765432.1234567891` keeps all its digits (a float would make it 98765432.12345679).
 *
 * Why not a reviver: the reviver's `context.source` (TC39 "JSON.parse source text access") is
 * only in Node 21+, and a plain reviver receives the value after it was already a float. The scan
 * is lossless and linear: it skips string literals (honouring backslash escapes) and wraps each
 * maximal number token; it cannot make invalid JSON valid (a stray token stays stray), and when
 * parsing fails the message comes from parsing the original text, so positions are right.
 */
export function parseJsonNumbersAsText(text: string): unknown {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
      i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      JSON_NUMBER.lastIndex = i;
      const m = JSON_NUMBER.exec(text);
      if (!m) {
        i++;
        continue;
      }
      out += `${text.slice(copied, i)}"${m[0]}"`;
      i += m[0].length;
      copied = i;
    } else {
      i++;
    }
  }
  try {
    return JSON.parse(out + text.slice(copied));
  } catch {
    return JSON.parse(text); // throws with the original positions
  }
}

/**
 * A published rate as stored: the text as published when it is a plain decimal with at most
 * {@link RATE_DECIMALS} places; exponent forms written out (`1.2E-4` -> `0.00012`); more places
 * rounded to {@link RATE_DECIMALS} with ROUND_HALF_EVEN, the scale of fx_rates.rate (the database
 * would otherwise round on insert, and a re-import would then look like a changed rate).
 */
export function storableRate(text: string): string {
  const rate = new Dec(text);
  if (/^\d+(\.\d+)?$/.test(text) && rate.decimalPlaces() <= RATE_DECIMALS) return text;
  return rate.toDecimalPlaces(RATE_DECIMALS, Decimal.ROUND_HALF_EVEN).toFixed();
}

export interface TreasuryMapOptions {
  /** Stored as the quotes' source ("TREASURY" unless configured). */
  source: string;
  /** The base asked for: an answer in another base is refused, never re-based silently. */
  base: string;
  /** The publication date asked for, if any. */
  date?: string;
}

/**
 * Treasury rates JSON -> quotes `1 base = rate quote` for the answered date, one per currency the
 * API lists (the base's own 1.0 is left out). An answer for an earlier date than asked means the
 * API fell back to its latest publication: {@link TreasuryRatesNotPublishedError}.
 */
export function parseTreasuryRates(json: string, opts: TreasuryMapOptions): RateQuote[] {
  let raw: unknown;
  try {
    raw = parseJsonNumbersAsText(json);
  } catch (err) {
    throw new TreasuryFeedMalformedError([`not valid JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  const parsed = WireRates.safeParse(raw);
  if (!parsed.success) {
    throw new TreasuryFeedMalformedError(parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`));
  }
  const wire = parsed.data;
  if (wire.base !== opts.base) throw new TreasuryFeedMalformedError([`base: asked for ${opts.base}, the API answered ${wire.base}`]);
  if (opts.date && wire.date > opts.date) throw new TreasuryFeedMalformedError([`date: asked for ${opts.date}, the API answered the later ${wire.date}`]);
  if (opts.date && wire.date < opts.date) {
    throw new TreasuryRatesNotPublishedError(`The treasury API has no ${opts.base} rates for ${opts.date} yet (its latest publication is ${wire.date})`, opts.date);
  }
  return Object.entries(wire.rates)
    .filter(([currency]) => currency !== wire.base)
    .map(([currency, rate]) => ({ source: opts.source, base: wire.base, quote: currency, rate: storableRate(rate as string), rateDate: wire.date }));
}
