import { zoneOffsetAt, type Instant } from '../time/instant';

/**
 * Local wall-clock times at airports ↔ UTC instants. Suppliers send segment times as local times
 * without an offset ("2027-03-14T21:40"); only the airport's IANA zone makes them an instant.
 * Overnight, multi-day and date-line flights need nothing special once both ends are instants:
 * durations are `arrival.at − departure.at`, never a subtraction of wall-clock times.
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Offsets by (zone, quarter hour): every zone changes its offset on a quarter hour, so an offset
 * read once holds for its whole quarter. Bounded: cleared when it grows past the limit.
 */
const QUARTER_HOUR_MS = 15 * 60_000;
const offsetCache = new Map<string, number>();
const OFFSET_CACHE_LIMIT = 100_000;

/** The zone's offset from UTC at an instant, in ms (London in summer: +3,600,000). */
export function zoneOffsetMs(at: Instant, timeZone: string): number {
  const quarter = Math.floor(at / QUARTER_HOUR_MS);
  const key = `${timeZone}|${quarter}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    const start = quarter * QUARTER_HOUR_MS;
    offset = zoneOffsetAt(start, timeZone);
    if (offsetCache.size >= OFFSET_CACHE_LIMIT) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

/** True for `YYYY-MM-DDTHH:mm` (optionally `:ss`) naming a real calendar time. */
export function isLocalDateTime(text: string): boolean {
  const m = LOCAL.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

/**
 * The instant of a local wall-clock time in a zone. A time that does not exist (skipped by a
 * spring-forward change) is taken as the same wall time after the change (02:30 → 03:30); an
 * ambiguous one (repeated by a fall-back change) as its first occurrence.
 */
export function localToInstant(local: string, timeZone: string): Instant {
  // Supplier responses repeat the same few flights across fares: answer repeats from memory.
  const key = `${timeZone} ${local}`;
  let at = instantCache.get(key);
  if (at === undefined) {
    at = computeInstant(local, timeZone);
    if (instantCache.size >= INSTANT_CACHE_LIMIT) instantCache.clear();
    instantCache.set(key, at);
  }
  return at;
}

const instantCache = new Map<string, Instant>();
const INSTANT_CACHE_LIMIT = 50_000;

function computeInstant(local: string, timeZone: string): Instant {
  if (!isLocalDateTime(local)) throw new RangeError(`Not a local date-time YYYY-MM-DDTHH:mm: ${local}`);
  const m = LOCAL.exec(local)!;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  // Two candidate offsets: the zone's offset a day either side covers any change in between.
  const candidates = [...new Set([zoneOffsetMs(wall - 86_400_000, timeZone), zoneOffsetMs(wall + 86_400_000, timeZone)])]
    .map((offset) => wall - offset)
    .filter((t) => t + zoneOffsetMs(t, timeZone) === wall)
    .sort((a, b) => a - b);
  if (candidates.length) return candidates[0]!;
  // Skipped wall time (spring forward): keep the wall time's distance from the change.
  return wall - zoneOffsetMs(wall - 86_400_000, timeZone);
}

/** The local wall-clock time (`YYYY-MM-DDTHH:mm`) of an instant in a zone. */
export function instantToLocal(at: Instant, timeZone: string): string {
  return new Date(at + zoneOffsetMs(at, timeZone)).toISOString().slice(0, 16);
}
