/** An instant as epoch milliseconds: the only time type that crosses workflow boundaries. */
export type Instant = number;

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d;
}

/** Midnight UTC at the start of a YYYY-MM-DD calendar date. */
export function startOfDateUtc(isoDate: string): Instant {
  if (!isIsoDate(isoDate)) throw new RangeError(`Not a calendar date: ${isoDate}`);
  return Date.parse(`${isoDate}T00:00:00.000Z`);
}

/** The calendar date (YYYY-MM-DD) it is at `now` in an IANA time zone. */
export function calendarDateIn(now: Instant, timeZone: string): string {
  let format = DATE_FORMATS.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD. Building a format is far dearer than using one: kept per zone.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    DATE_FORMATS.set(timeZone, format);
  }
  return format.format(now);
}

const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>();
/** Zones already found valid (a handful in practice: the operator's and its suppliers'). */
const KNOWN_ZONES = new Set<string>();

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  if (KNOWN_ZONES.has(timeZone)) return true;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
  } catch {
    return false;
  }
  if (KNOWN_ZONES.size < 1000) KNOWN_ZONES.add(timeZone);
  return true;
}

/** A YYYY-MM-DD calendar date as the Date a database DATE column takes: midnight UTC. */
export function utcDate(isoDate: string): Date {
  return new Date(`${isoDate}T00:00:00.000Z`);
}

/** The YYYY-MM-DD calendar date (UTC) of a Date read from a DATE column, or of an instant. */
export function isoDateOf(date: Date | Instant): string {
  return new Date(date).toISOString().slice(0, 10);
}

const OFFSET_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset (ms, local minus UTC) at `at`, read through Intl (no host zone, no libraries). */
export function zoneOffsetAt(at: Instant, timeZone: string): number {
  let format = OFFSET_FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    OFFSET_FORMATS.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(at / 1000) * 1000;
}

/**
 * The last millisecond of a calendar date (23:59:59.999) in an IANA zone, DST-correct: of the
 * offsets in force around that day, the latest instant whose wall clock reads 23:59:59.999 on that
 * date wins (when an autumn change at midnight repeats the last hour, the later pass counts).
 * Throws a RangeError for a string that is not a date or an unknown zone.
 */
export function endOfDateIn(date: string, timeZone: string): Instant {
  const key = `${timeZone} ${date}`;
  const known = END_OF_DATE.get(key);
  if (known !== undefined) return known;
  const end = computeEndOfDateIn(date, timeZone);
  // A pure function of its arguments, asked again and again for the same few dates (a booking's
  // deadlines and service dates): remembered, within a bound.
  if (END_OF_DATE.size >= 10_000) END_OF_DATE.clear();
  END_OF_DATE.set(key, end);
  return end;
}

const END_OF_DATE = new Map<string, Instant>();

function computeEndOfDateIn(date: string, timeZone: string): Instant {
  if (!isIsoDate(date)) throw new RangeError(`Not a calendar date: ${date}`);
  if (!isTimeZone(timeZone)) throw new RangeError(`Unknown IANA time zone: ${timeZone}`);
  const wall = Date.parse(`${date}T23:59:59.999Z`);
  let best: Instant | null = null;
  for (let k = -4; k <= 4; k++) {
    const offset = zoneOffsetAt(wall + k * 6 * HOUR_MS, timeZone);
    const candidate = wall - offset;
    if (zoneOffsetAt(candidate, timeZone) === offset && (best === null || candidate > best)) best = candidate;
  }
  // Every zone has 23:59:59.999 on every date (changes skip forward at or after midnight, or earlier).
  if (best === null) throw new RangeError(`${date} has no 23:59:59.999 in ${timeZone}`);
  return best;
}
