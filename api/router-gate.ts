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
 * The routers, in order, each entered only by requests whose first path segment begins one of its
 * routes: one middleware layer for all of them. Express would otherwise try every route of every
 * router mounted at `/`, one regular expression each, before it reached the one that answers (with
 * twenty routers that walk was the largest cost of routing a request, `npm run bench:middleware`);
 * and one gate layer per router still cost a layer visit each (Express's `next`, a match and its
 * params object) on every request. Here a request's candidates are looked up by its first segment:
 * the routers that serve it and the routers whose segments cannot be told (always entered), in
 * mount order. A router that passes the request on (`next()`, or `next('router')`) hands it to the
 * next candidate, then to what follows this layer; an error goes straight on (as Express skips
 * ordinary layers once there is one). The segments are read at the first request, once every route
 * is declared. The layer shows the routers' stacks, in order, to whatever lists the app's routes.
 */
export function routersBySegment(routers: readonly Router[]): RequestHandler & { stack: Router['stack'] } {
  let index: { bySegment: Map<string, readonly Router[]>; always: readonly Router[] } | undefined;
  const build = () => {
    const segmentsOf = routers.map((router) => firstSegments(router));
    const known = new Set(segmentsOf.flatMap((segments) => (segments ? [...segments] : [])));
    const always = routers.filter((_, i) => segmentsOf[i] === null);
    const bySegment = new Map([...known].map((segment) => [segment, routers.filter((_, i) => segmentsOf[i]?.has(segment) ?? true)] as const));
    return { bySegment, always };
  };
  const dispatch = (req: Request, res: Response, next: NextFunction) => {
    index ??= build();
    const candidates = index.bySegment.get(firstSegmentOf(req.path)) ?? index.always;
    let i = 0;
    const step = (err?: unknown) => {
      if (err && err !== 'router') return next(err);
      const router = candidates[i++];
      if (!router) return next();
      router(req, res, step);
    };
    step();
  };
  return Object.assign(dispatch, { stack: routers.flatMap((router) => router.stack) });
}
