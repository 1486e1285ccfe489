import type { NextFunction, Request, Response } from 'express';
import { match, type MatchFunction } from 'path-to-regexp';
import { firstSegmentOf, literalFirstSegment } from '../router-gate';
import type { Principal } from './principal';
import { ROUTE_POLICIES, type HttpMethod, type RoutePolicy } from './route-policy';

export interface MatchedRoute {
  policy: RoutePolicy;
  params: Record<string, string | string[]>;
}

type Compiled = { policy: RoutePolicy; test: MatchFunction<Record<string, string | string[]>> };

/** The policies one method may match, by the request's first path segment (tried in table order). */
interface MethodIndex {
  bySegment: Map<string, Compiled[]>;
  /** Patterns that begin with a parameter or a pattern: the candidates for any other segment. */
  dynamic: Compiled[];
}

/** Finds the policy of a request: the first entry of the table, in order, whose method and pattern match (as Express matches: case-insensitive, trailing slash allowed). */
export class RoutePolicyTable {
  private readonly byMethod = new Map<string, MethodIndex>();

  constructor(readonly policies: readonly RoutePolicy[] = ROUTE_POLICIES) {
    const compiled = new Map<string, Array<Compiled & { segment: string | null }>>();
    for (const policy of policies) {
      const list = compiled.get(policy.method) ?? [];
      list.push({ policy, test: match(policy.path, { decode: safeDecode }), segment: literalFirstSegment(policy.path) });
      compiled.set(policy.method, list);
    }
    // Each segment's candidates keep the table's order, the dynamic patterns among them, so the
    // first match is the one a walk of the whole table would find; only fewer patterns are tried.
    for (const [method, list] of compiled) {
      const segments = new Set(list.flatMap((c) => (c.segment === null ? [] : [c.segment])));
      const bySegment = new Map([...segments].map((s) => [s, list.filter((c) => c.segment === s || c.segment === null)] as const));
      this.byMethod.set(method, { bySegment, dynamic: list.filter((c) => c.segment === null) });
    }
  }

  match(method: string, path: string): MatchedRoute | null {
    // HEAD is answered by the GET route, as Express does.
    const index = this.byMethod.get(method === 'HEAD' ? 'GET' : method.toUpperCase());
    if (!index) return null;
    const candidates = index.bySegment.get(firstSegmentOf(path)) ?? index.dynamic;
    for (const { policy, test } of candidates) {
      const m = test(path);
      if (m) return { policy, params: { ...m.params } };
    }
    return null;
  }

  find(method: HttpMethod, path: string): RoutePolicy | undefined {
    return this.policies.find((p) => p.method === method && p.path === path);
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

declare module 'express-serve-static-core' {
  interface Locals {
    /** The route policy the request matched (set by `routePolicy()`), null for an unknown route. */
    route?: MatchedRoute | null;
    /** Who is calling (set by the authentication middleware). */
    principal?: Principal;
  }
}

/** First access middleware: records which policy the request falls under in `res.locals.route`. */
export function routePolicy(table = new RoutePolicyTable()) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.route = table.match(req.method, req.path);
    next();
  };
}
