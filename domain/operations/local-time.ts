import { HOUR_MS, isIsoDate, isTimeZone, MINUTE_MS, zoneOffsetAt, type Instant } from '../time/instant';

/**
 * Wall-clock times in an IANA zone (the operator's): a service "at 09:00 on 2027-02-26" becomes an
 * instant, and an instant is shown back as the local date and HH:MM of the dispatch sheet. Pure:
 * Intl only, never the host zone.
 */

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isLocalTime(value: string): boolean {
  return HH_MM.test(value);
}

/**
 * The instant a local date and time (HH:MM) names in `timeZone`. A time skipped by a spring change
 * is read with the offset before the change (02:30 → 03:30); a time repeated in autumn is its
 * first pass.
 */
export function instantAtLocal(date: string, time: string, timeZone: string): Instant {
  if (!isIsoDate(date)) throw new RangeError(`Not a calendar date: ${date}`);
  const m = HH_MM.exec(time);
  if (!m) throw new RangeError(`Not a time HH:MM: ${time}`);
  if (!isTimeZone(timeZone)) throw new RangeError(`Unknown IANA time zone: ${timeZone}`);
  const wall = Date.parse(`${date}T00:00:00.000Z`) + Number(m[1]) * HOUR_MS + Number(m[2]) * MINUTE_MS;
  const candidates: Instant[] = [];
  for (const k of [-1, 0, 1]) {
    const offset = zoneOffsetAt(wall + k * 12 * HOUR_MS, timeZone);
    const at = wall - offset;
    if (zoneOffsetAt(at, timeZone) === offset) candidates.push(at);
  }
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: the wall time with the offset in force just before it.
  return wall - zoneOffsetAt(wall - 12 * HOUR_MS, timeZone);
}

/** The local calendar date and HH:MM of an instant in `timeZone`. */
export function localDateTime(at: Instant, timeZone: string): { date: string; time: string } {
  const shifted = new Date(at + zoneOffsetAt(at, timeZone)).toISOString();
  return { date: shifted.slice(0, 10), time: shifted.slice(11, 16) };
}

/** First and last-plus-one millisecond of a local calendar day: [start, end). */
export function localDayWindow(date: string, timeZone: string): { startsAt: Instant; endsAt: Instant } {
  const next = new Date(Date.parse(`${date}T00:00:00.000Z`) + 24 * HOUR_MS).toISOString().slice(0, 10);
  return { startsAt: instantAtLocal(date, '00:00', timeZone), endsAt: instantAtLocal(next, '00:00', timeZone) };
}

/** `date` plus `days` calendar days (YYYY-MM-DD). */
export function addCalendarDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + days * 24 * HOUR_MS).toISOString().slice(0, 10);
}
