import type { NextFunction, Request, Response } from 'express';
import { match, type MatchFunction } from 'path-to-regexp';
import type { Principal } from './principal';
import { ROUTE_POLICIES, type HttpMethod, type RoutePolicy } from './route-policy';

export interface MatchedRoute {
  policy: RoutePolicy;
  params: Record<string, string | string[]>;
}

type Compiled = { policy: RoutePolicy; test: MatchFunction<Record<string, string | string[]>> };

/** Finds the policy of a request: the first entry of the table, in order, whose method and pattern match (as Express matches: case-insensitive, trailing slash allowed). */
export class RoutePolicyTable {
  private readonly byMethod = new Map<string, Compiled[]>();

  constructor(readonly policies: readonly RoutePolicy[] = ROUTE_POLICIES) {
    for (const policy of policies) {
      const list = this.byMethod.get(policy.method) ?? [];
      list.push({ policy, test: match(policy.path, { decode: safeDecode }) });
      this.byMethod.set(policy.method, list);
    }
  }

  match(method: string, path: string): MatchedRoute | null {
    // HEAD is answered by the GET route, as Express does.
    const list = this.byMethod.get(method === 'HEAD' ? 'GET' : method.toUpperCase());
    if (!list) return null;
    for (const { policy, test } of list) {
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
