/**
 * Opaque keyset cursors for list endpoints: the sort key of the last item of a page, as base64url
 * JSON. A cursor the list did not hand out (wrong shape, wrong number of parts) reads as null.
 */
export const encodeCursor = (parts: string[]): string => Buffer.from(JSON.stringify(parts)).toString('base64url');

export function decodeCursor(cursor: string, arity: number): string[] | null {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.length === arity && parts.every((p) => typeof p === 'string')) return parts as string[];
  } catch {
    // not base64url JSON: not one of ours
  }
  return null;
}

/** A page of a keyset-paged list: `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `limit` + opaque `cursor` of a keyset-paged list (the API bounds `limit`). */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** A cursor the list did not hand out: the API answers 400 naming `query:/cursor`. */
export class InvalidCursorError extends RangeError {
  constructor() {
    super('cursor: is not a nextCursor this list returned');
    this.name = 'InvalidCursorError';
  }
}

/** Like {@link decodeCursor}, but a cursor that is not ours throws {@link InvalidCursorError}. */
export function requireCursor(cursor: string, arity: number): string[] {
  const parts = decodeCursor(cursor, arity);
  if (!parts) throw new InvalidCursorError();
  return parts;
}

/** Cuts `rows` (fetched with `take: limit + 1`) to a page, the cursor made from its last item. */
export function pageOfRows<R, T>(rows: R[], limit: number, keyOf: (row: R) => string[], view: (row: R) => T): Page<T> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(view), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/**
 * The Prisma `where` for "after this key" under an ascending multi-column order: `a > x`, or
 * `a = x AND b > y`, and so on. The columns must end with a unique one so the order is total.
 */
export function keysetAfter<W>(key: ReadonlyArray<readonly [column: string, value: unknown]>): W {
  return {
    OR: key.map(([column, value], i) => ({ ...Object.fromEntries(key.slice(0, i).map(([c, v]) => [c, v])), [column]: { gt: value } })),
  } as W;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A cursor part that must be a UUID (a key column); anything else is not our cursor. */
export function cursorUuid(part: string): string {
  if (!UUID.test(part)) throw new InvalidCursorError();
  return part;
}

/** A cursor part holding an instant (ISO 8601) or a calendar day (YYYY-MM-DD) as a Date. */
export function cursorDate(part: string, kind: 'instant' | 'day'): Date {
  const at = kind === 'day' ? (ISO_DAY.test(part) ? Date.parse(`${part}T00:00:00Z`) : NaN) : Date.parse(part);
  if (Number.isNaN(at)) throw new InvalidCursorError();
  return new Date(at);
}
