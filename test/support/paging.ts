import type { Express } from 'express';
import request from 'supertest';

/**
 * Follows `nextCursor` from the first page of `path` with limit=1 and returns every item seen, in
 * order (at most `max`, so a cursor that never ends fails the comparison instead of hanging).
 */
export async function walkPages(app: Express, path: string, query: Record<string, string> = {}, max = 100): Promise<unknown[]> {
  const seen: unknown[] = [];
  let cursor: string | null = null;
  do {
    const page: request.Response = await request(app)
      .get(path)
      .query({ ...query, limit: 1, ...(cursor ? { cursor } : {}) })
      .expect(200);
    expect(page.body.items.length).toBeLessThanOrEqual(1);
    seen.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor !== null && seen.length < max);
  return seen;
}

/** Each cursor is refused with 400 problem+json pointing at `query:/cursor`, and a limit over 500 at `query:/limit`. */
export async function expectPagingRefusals(app: Express, path: string, cursors: string[], query: Record<string, string> = {}): Promise<void> {
  for (const cursor of cursors) {
    const res = await request(app).get(path).query({ ...query, cursor }).expect(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors).toEqual([{ pointer: 'query:/cursor', detail: expect.any(String) }]);
  }
  const limit = await request(app).get(path).query({ ...query, limit: 501 }).expect(400);
  expect(limit.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['query:/limit']);
}
