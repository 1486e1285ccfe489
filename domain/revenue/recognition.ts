import Decimal from 'decimal.js';
import { calendarDateIn, DAY_MS, isIsoDate, isTimeZone, type Instant } from '../time/instant';
import { minorUnits } from '../money/currency';
import { Dec, type MoneyJson } from '../money/money';

/** How a multi-day service's revenue is released (finance_settings.recognition_policy). */
export const RECOGNITION_POLICIES = ['PRO_RATA_DAILY', 'AT_DEPARTURE'] as const;
export type RecognitionPolicy = (typeof RECOGNITION_POLICIES)[number];

/** What a no-show does to recognition (finance_settings.no_show_policy). */
export const NO_SHOW_POLICIES = ['SCHEDULED_DATE', 'SUPPLIER_CONFIRMATION'] as const;
export type NoShowPolicy = (typeof NO_SHOW_POLICIES)[number];

export const DEFAULT_RECOGNITION_POLICY: RecognitionPolicy = 'PRO_RATA_DAILY';
export const DEFAULT_NO_SHOW_POLICY: NoShowPolicy = 'SCHEDULED_DATE';

/** What the schedule of one deferred component depends on. Dates are YYYY-MM-DD, inclusive. */
export interface RecognitionTerms {
  amount: MoneyJson;
  serviceStart: string;
  serviceEnd: string;
  policy: RecognitionPolicy;
}

export interface ScheduledRelease {
  date: string;
  amount: string;
}

const epochDay = (isoDate: string) => Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10))) / DAY_MS;
const isoFromEpochDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Every reason the terms cannot be scheduled (empty when they can). */
export function checkTerms(terms: RecognitionTerms): string[] {
  const problems: string[] = [];
  if (!isIsoDate(terms.serviceStart)) problems.push('serviceStart must be a calendar date written YYYY-MM-DD');
  if (!isIsoDate(terms.serviceEnd)) problems.push('serviceEnd must be a calendar date written YYYY-MM-DD');
  if (!problems.length && terms.serviceEnd < terms.serviceStart) problems.push(`serviceEnd (${terms.serviceEnd}) is before serviceStart (${terms.serviceStart})`);
  if (!RECOGNITION_POLICIES.includes(terms.policy)) problems.push(`policy must be one of ${RECOGNITION_POLICIES.join(', ')}`);
  let units: number | null = null;
  try {
    units = minorUnits(terms.amount.currency);
  } catch {
    problems.push(`"${terms.amount.currency}" is not an ISO 4217 currency code`);
  }
  if (units !== null) {
    let value: Dec | null = null;
    try {
      value = new Dec(terms.amount.amount);
    } catch {
      problems.push(`amount "${terms.amount.amount}" is not a decimal number`);
    }
    if (value && !value.isFinite()) problems.push(`amount "${terms.amount.amount}" is not a decimal number`);
    else if (value && value.lte(0)) problems.push(`amount must be greater than zero (got "${terms.amount.amount}")`);
    else if (value && value.decimalPlaces() > units) problems.push(`${terms.amount.currency} has ${units} decimal places; "${terms.amount.amount}" has ${value.decimalPlaces()}`);
  }
  return problems;
}

function assertTerms(terms: RecognitionTerms): void {
  const problems = checkTerms(terms);
  if (problems.length) throw new RangeError(`Invalid recognition terms: ${problems.join('; ')}`);
}

/** Number of service days, serviceStart..serviceEnd inclusive (1 for a single-day service). */
export function serviceDays(terms: Pick<RecognitionTerms, 'serviceStart' | 'serviceEnd'>): number {
  return epochDay(terms.serviceEnd) - epochDay(terms.serviceStart) + 1;
}

/**
 * Cumulative amount, in minor units, recognised by the end of service day `k` (0 = none yet).
 *
 * PRO_RATA_DAILY: the total in minor units `N` over `D` days gives each day `floor(N / D)` and the
 * remainder `N mod D` one minor unit each to the EARLIEST days (no rounding mode is involved:
 * integer division, exact). Cumulative after k days = k * floor(N/D) + min(k, N mod D).
 * AT_DEPARTURE (and any single-day service): everything on day 1.
 */
function cumulativeMinor(totalMinor: bigint, days: number, policy: RecognitionPolicy, k: number): bigint {
  if (k <= 0) return 0n;
  if (policy === 'AT_DEPARTURE' || k >= days) return totalMinor;
  const d = BigInt(days);
  const kk = BigInt(k);
  const remainder = totalMinor % d;
  return kk * (totalMinor / d) + (kk < remainder ? kk : remainder);
}

function toMinor(amount: MoneyJson): bigint {
  // Exact: the amount has at most the currency's decimals (checked), so the product is whole.
  return BigInt(new Dec(amount.amount).times(new Dec(10).pow(minorUnits(amount.currency))).toFixed(0));
}

function fromMinor(minor: bigint, currency: string): string {
  const units = minorUnits(currency);
  return new Dec(minor.toString()).dividedBy(new Dec(10).pow(units)).toFixed(units);
}

/**
 * The recognition schedule of one component: one release per day that releases something, in
 * date order. The releases sum exactly to the amount (see {@link cumulativeMinor} for the method).
 */
export function recognitionSchedule(terms: RecognitionTerms): ScheduledRelease[] {
  assertTerms(terms);
  const days = serviceDays(terms);
  const total = toMinor(terms.amount);
  const start = epochDay(terms.serviceStart);
  const out: ScheduledRelease[] = [];
  for (let k = 1; k <= days; k++) {
    const release = cumulativeMinor(total, days, terms.policy, k) - cumulativeMinor(total, days, terms.policy, k - 1);
    if (release > 0n) out.push({ date: isoFromEpochDay(start + k - 1), amount: fromMinor(release, terms.amount.currency) });
  }
  return out;
}

/**
 * The cumulative amount that should have been recognised by the end of `date` (YYYY-MM-DD),
 * written with the currency's decimals: "0.00" before serviceStart, the whole amount from
 * serviceEnd on (from serviceStart under AT_DEPARTURE). O(1) whatever the length of the service.
 */
export function dueThrough(terms: RecognitionTerms, date: string): string {
  assertTerms(terms);
  if (!isIsoDate(date)) throw new RangeError(`Not a calendar date: ${date}`);
  const days = serviceDays(terms);
  const elapsed = Math.min(days, epochDay(date) - epochDay(terms.serviceStart) + 1);
  return fromMinor(cumulativeMinor(toMinor(terms.amount), days, terms.policy, elapsed), terms.amount.currency);
}

/**
 * The date the daily recognition run recognises through when none is given: the operator's
 * calendar date at `now` ("today" in `timeZone`). The schedule fires at 01:00 operator time, so
 * each service day's share is released early on that day, dated that day; a run that was missed
 * is caught up by the next one because recognition is cumulative ("through" the date).
 */
export function recognitionDateFor(now: Instant, timeZone: string): string {
  if (!isTimeZone(timeZone)) throw new RangeError(`Unknown IANA time zone: ${timeZone}`);
  return calendarDateIn(now, timeZone);
}

/** Adds per-currency decimal strings exactly; the result keeps each currency's decimals. */
export function addByCurrency(a: Record<string, string>, b: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...a };
  for (const [currency, amount] of Object.entries(b)) {
    out[currency] = new Dec(out[currency] ?? '0').plus(amount).toFixed(minorUnits(currency));
  }
  return out;
}

/**
 * The base-currency value of `amount` at a component's historical rate: `amount x rate`, rounded
 * ROUND_HALF_EVEN to the base currency's minor units (the same rounding the ledger applies when it
 * translates the sale that credited the deferred account).
 */
export function historicalBase(amount: string, rate: string, baseCurrency: string): string {
  const digits = minorUnits(baseCurrency);
  return new Dec(amount).times(rate).toDecimalPlaces(digits, Decimal.ROUND_HALF_EVEN).toFixed(digits);
}

/**
 * The base amount of one recognition of a component carried at its historical rate (deferred
 * revenue is non-monetary: it is never revalued, so it leaves the deferred account at the rate it
 * came in at).
 *
 * Cumulative rounding, so rounding never accumulates: the base recognised once `cumulativeAfter`
 * (foreign, the item's total recognised including this increment) is recognised should be
 * {@link historicalBase}(cumulativeAfter); this recognition posts that minus `baseRecognisedBefore`
 * (the base the item's earlier recognition entries actually posted). Each day is then within one
 * minor unit of `increment x rate`, and when the last increment brings `cumulativeAfter` to the
 * whole amount, the item's base recognised is exactly round(amount x rate): the base the sale put
 * on the deferred account, which so nets to zero in base as well as in the foreign currency.
 * A day may be "0.00" in base (a tiny increment at a small rate); it is never negative while
 * earlier days were computed this way, because rounding is monotone.
 */
export function historicalBaseIncrement(input: { cumulativeAfter: string; rate: string; baseCurrency: string; baseRecognisedBefore: string }): string {
  const digits = minorUnits(input.baseCurrency);
  return new Dec(historicalBase(input.cumulativeAfter, input.rate, input.baseCurrency)).minus(input.baseRecognisedBefore).toFixed(digits);
}
