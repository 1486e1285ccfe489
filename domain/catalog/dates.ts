import { DAY_MS, isIsoDate, isoDateOf, startOfDateUtc } from '../time/instant';

/**
 * Calendar arithmetic on `YYYY-MM-DD` strings, done in UTC so the host time zone never shifts a
 * date (no DST days of 23 or 25 hours). Every function throws a RangeError for a string that is not
 * a real calendar date: callers validate input first, so reaching one here is a programming error.
 */

function dayNumber(date: string): number {
  return startOfDateUtc(date) / DAY_MS; // startOfDateUtc refuses non-dates
}

/** `date` plus `days` calendar days (negative to go back): addDays('2027-02-28', 1) = '2027-03-01'. */
export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`Days must be a whole number (got ${days})`);
  return isoDateOf((dayNumber(date) + days) * DAY_MS);
}

/** Calendar days from `from` to `to`: positive when `to` is later, 0 for the same date. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** ISO weekday of a date: Monday = 1 ... Sunday = 7. */
export function isoWeekday(date: string): 1 | 2 | 3 | 4 | 5 | 6 | 7 {
  const sundayZero = new Date(startOfDateUtc(date)).getUTCDay();
  return (sundayZero === 0 ? 7 : sundayZero) as 1 | 2 | 3 | 4 | 5 | 6 | 7;
}

/** Every date from `from` (inclusive) to `toExclusive` (exclusive); empty when `toExclusive <= from`. */
export function eachDate(from: string, toExclusive: string): string[] {
  const start = dayNumber(from);
  const end = dayNumber(toExclusive);
  const out: string[] = [];
  for (let d = start; d < end; d++) out.push(isoDateOf(d * DAY_MS));
  return out;
}

/** Sort order of two dates: negative when `a` is earlier, 0 when equal, positive when later. */
export function compareDates(a: string, b: string): number {
  if (!isIsoDate(a)) throw new RangeError(`Not a calendar date: ${a}`);
  if (!isIsoDate(b)) throw new RangeError(`Not a calendar date: ${b}`);
  return a < b ? -1 : a > b ? 1 : 0; // YYYY-MM-DD sorts as text
}

/** The later of two dates. */
export function maxDate(a: string, b: string): string {
  return compareDates(a, b) >= 0 ? a : b;
}

/** The earlier of two dates. */
export function minDate(a: string, b: string): string {
  return compareDates(a, b) <= 0 ? a : b;
}
