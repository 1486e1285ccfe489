import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';

/**
 * The first path segments under which a router's routes live (`/operations/resources/:id` →
 * `operations`), lower-cased as Express matches them by default; null when that cannot be told (a
 * middleware layer, or a route whose path starts with a parameter or a pattern).
 */
export function firstSegments(router: Router): Set<string> | null {
  const segments = new Set<string>();
  for (const layer of router.stack as Array<{ route?: { path?: unknown } }>) {
    const path = layer.route?.path;
    const first = typeof path === 'string' ? literalFirstSegment(path) : null;
    if (first === null) return null;
    segments.add(first);
  }
  return segments;
}

/** The literal first segment of a route pattern, lower-cased (`/operations/resources/:id` → `operations`); null when it is a parameter or a pattern. */
export function literalFirstSegment(pattern: string): string | null {
  const first = pattern.split('/')[1] ?? '';
  return /^[A-Za-z0-9_.~-]+$/.test(first) ? first.toLowerCase() : null;
}

/** A request path's first segment, lower-cased, to look up against `literalFirstSegment`s. */
export const firstSegmentOf = (path: string) => (path.split('/')[1] ?? '').toLowerCase();

/**
 * `router`, entered only by requests whose first path segment begins one of its routes. Express
 * otherwise tries every route of every router mounted at `/`, one regular expression each, before
 * it reaches the one that answers: with twenty routers that walk was the largest cost of routing a
 * request (`npm run bench:middleware`). A router whose segments cannot be told is always entered.
 * The segments are read at the first request, once every route is declared. The gate shows the
 * router's `stack`, as a mounted router does, to whatever lists the app's routes.
 */
export function gatedBySegment(router: Router): RequestHandler & { stack: Router['stack'] } {
  let segments: Set<string> | null | undefined;
  const gate = (req: Request, res: Response, next: NextFunction) => {
    if (segments === undefined) segments = firstSegments(router);
    if (segments === null || segments.has(firstSegmentOf(req.path))) {
      router(req, res, next);
      return;
    }
    next();
  };
  return Object.assign(gate, { stack: router.stack });
}
