import Decimal from 'decimal.js';
import { minorUnits } from '../money/currency';
import { Dec, Money } from '../money/money';
import { DAY_MS, isIsoDate, startOfDateUtc } from '../time/instant';

/** One published rate: 1 `base` = `rate` `quote`, as published by `source` for `rateDate`. */
export interface RateQuote {
  source: string;
  base: string;
  quote: string;
  /** Decimal string exactly as published. */
  rate: string;
  rateDate: string;
}

/** A rate ready to use, with everything needed to trace a translated figure back to it. */
export interface ResolvedRate {
  from: string;
  to: string;
  /** 1 `from` = `rate` `to`; at most {@link RATE_DECIMALS} decimals, ROUND_HALF_EVEN. */
  rate: string;
  source: string;
  /** The date the rate was asked for. */
  requestedDate: string;
  /** The publication date actually used (earlier on weekends and holidays). */
  rateDate: string;
  /** How it was derived: `direct`, `inverse`, or `cross via EUR`. */
  path: string;
}

export const RATE_DECIMALS = 10;
/** How far back a publication may be reused: a long weekend plus holidays, not a stale feed. */
export const DEFAULT_MAX_RATE_AGE_DAYS = 7;

export class RateMissingError extends Error {
  constructor(
    readonly from: string,
    readonly to: string,
    readonly date: string,
    reason: string,
  ) {
    super(`No ${from}/${to} rate for ${date}: ${reason}`);
    this.name = 'RateMissingError';
  }
}

function daysBetween(earlier: string, later: string): number {
  return Math.round((startOfDateUtc(later) - startOfDateUtc(earlier)) / DAY_MS);
}

/**
 * The rate to convert `from` into `to` on `date`, from one source's publications. On a day with
 * no publication the latest earlier one applies (and its date is reported). Cross rates go
 * through the source's base currency (EUR for the ECB) using legs of the same publication.
 * A missing rate is an error, never a silent 1.0.
 */
export function resolveRate(
  quotes: readonly RateQuote[],
  from: string,
  to: string,
  date: string,
  maxAgeDays = DEFAULT_MAX_RATE_AGE_DAYS,
): ResolvedRate {
  if (!isIsoDate(date)) throw new RangeError(`Not a calendar date: ${date}`);
  const source = quotes[0]?.source ?? '(none)';
  if (from === to) return { from, to, rate: '1', source: 'identity', requestedDate: date, rateDate: date, path: 'same currency' };

  // Group by publication date, newest first, considering only dates on or before `date`.
  const byDate = new Map<string, Map<string, RateQuote>>();
  let base: string | undefined;
  for (const q of quotes) {
    if (q.rateDate > date) continue;
    base ??= q.base;
    const day = byDate.get(q.rateDate) ?? new Map<string, RateQuote>();
    day.set(`${q.base}/${q.quote}`, q);
    byDate.set(q.rateDate, day);
  }
  const dates = [...byDate.keys()].sort().reverse();
  if (dates.length === 0) throw new RateMissingError(from, to, date, `${source} has published nothing on or before that date`);

  for (const day of dates) {
    const age = daysBetween(day, date);
    if (age > maxAgeDays) break;
    const pub = byDate.get(day)!;
    const direct = pub.get(`${from}/${to}`);
    if (direct) return done(new Dec(direct.rate), direct.source, day, 'direct');
    const inverse = pub.get(`${to}/${from}`);
    if (inverse) return done(new Dec(1).dividedBy(inverse.rate), inverse.source, day, 'inverse');
    if (base) {
      const toFrom = from === base ? new Dec(1) : pub.get(`${base}/${from}`) && new Dec(pub.get(`${base}/${from}`)!.rate);
      const toTo = to === base ? new Dec(1) : pub.get(`${base}/${to}`) && new Dec(pub.get(`${base}/${to}`)!.rate);
      if (toFrom && toTo) return done(toTo.dividedBy(toFrom), source, day, `cross via ${base}`);
    }
  }
  const newest = dates[0]!;
  const reason =
    daysBetween(newest, date) > maxAgeDays
      ? `the latest ${source} publication is ${newest}, more than ${maxAgeDays} days earlier`
      : `${source} publishes no rate for ${[from, to].filter((c) => c !== base).join(' or ')} between ${dates[Math.min(dates.length - 1, maxAgeDays)]} and ${date}`;
  throw new RateMissingError(from, to, date, reason);

  function done(rate: Dec, src: string, rateDate: string, path: string): ResolvedRate {
    return {
      from,
      to,
      rate: rate.toDecimalPlaces(RATE_DECIMALS, Decimal.ROUND_HALF_EVEN).toFixed(),
      source: src,
      requestedDate: date,
      rateDate,
      path,
    };
  }
}

/** Converts money with a resolved rate, rounding to the target currency's exponent with the named mode. */
export function convert(amount: Money, rate: ResolvedRate, rounding: Decimal.Rounding = Decimal.ROUND_HALF_EVEN): Money {
  if (amount.currency !== rate.from) throw new RangeError(`Rate converts ${rate.from}, not ${amount.currency}`);
  const value = amount.amount.times(rate.rate).toDecimalPlaces(minorUnits(rate.to), rounding);
  return Money.of(value, rate.to);
}

/**
 * The period-average rate: the mean of the rates in force on each publication date from
 * `periodStart` to `date` (inclusive), each resolved as {@link resolveRate} would (cross rates
 * included), rounded ROUND_HALF_EVEN to {@link RATE_DECIMALS}. The reported `rateDate` is the
 * latest publication used and `path` names the span and the count. With no publication inside the
 * span yet (the first days of a month), the rate in force on `date` applies instead.
 */
export function periodAverageRate(quotes: readonly RateQuote[], from: string, to: string, periodStart: string, date: string, maxAgeDays = DEFAULT_MAX_RATE_AGE_DAYS): ResolvedRate {
  if (from === to) return resolveRate(quotes, from, to, date, maxAgeDays);
  const publicationDates = [...new Set(quotes.filter((q) => q.rateDate >= periodStart && q.rateDate <= date).map((q) => q.rateDate))].sort();
  const daily: ResolvedRate[] = [];
  for (const d of publicationDates) {
    try {
      const r = resolveRate(quotes, from, to, d, 0);
      if (r.rateDate === d) daily.push(r);
    } catch (err) {
      if (!(err instanceof RateMissingError)) throw err;
    }
  }
  if (daily.length === 0) return resolveRate(quotes, from, to, date, maxAgeDays);
  const mean = daily.reduce((sum, r) => sum.plus(r.rate), new Dec(0)).dividedBy(daily.length);
  return {
    from,
    to,
    rate: mean.toDecimalPlaces(RATE_DECIMALS, Decimal.ROUND_HALF_EVEN).toFixed(),
    source: daily[0]!.source,
    requestedDate: date,
    rateDate: daily[daily.length - 1]!.rateDate,
    path: `average of ${daily.length} publications ${daily[0]!.rateDate}..${daily[daily.length - 1]!.rateDate}`,
  };
}
