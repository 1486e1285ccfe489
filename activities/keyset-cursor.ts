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
