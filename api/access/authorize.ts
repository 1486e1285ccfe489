import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { resourceIdOf, resourceTypeOf } from './audit-trail';
import { sendProblem } from '../problem';
import type { AuditSink } from './audit-sink';
import { STEP_UP_MAX_AGE_MS, type Principal } from './principal';
import type { RoutePolicy } from './route-policy';

export interface AuthorizeDeps {
  audit: AuditSink;
  /** Clock (epoch ms) for step-up freshness; tests pass a controllable one. */
  clock?: () => number;
}

/** Why a request was refused (the audit record's detail; never a secret). */
type Refusal = { status: 401 | 403; title: string; type: string; detail: string; audit: string };

/**
 * A complaint resolution asks for step-up when it gives the customer something back: any
 * `goodwill` (REFUND or CREDIT) in the body. Judged on the raw body, before validation, so a
 * malformed goodwill is not a way around it.
 */
export function asksForGoodwill(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'goodwill' in body && (body as { goodwill?: unknown }).goodwill !== undefined;
}

/** Whether the route's policy asks this request for a fresh TOTP proof. */
export function needsStepUp(policy: RoutePolicy, body: unknown): boolean {
  return policy.stepUp === 'always' || (policy.stepUp === 'goodwill-refund' && asksForGoodwill(body));
}

/** Whether a person's last TOTP proof is recent enough (API keys are never asked). */
export function stepUpFresh(principal: Principal, now: number): boolean {
  if (principal.kind !== 'user') return true;
  const at = principal.mfaAt;
  return typeof at === 'number' && Number.isFinite(at) && at <= now && now - at <= STEP_UP_MAX_AGE_MS;
}

function refusal(policy: RoutePolicy, principal: Principal | undefined, body: unknown, now: number): Refusal | null {
  const { access } = policy;
  if (access === 'public' || access === 'channel-signature') return null;
  if (!principal) {
    return { status: 401, title: 'Unauthorized', type: '/problems/unauthorized', detail: 'Sign in or send an API key', audit: 'no principal' };
  }
  if (access !== 'authenticated' && !principal.permissions.has(access.permission)) {
    const who = principal.kind === 'user' ? `role ${principal.role ?? 'none'}` : 'this API key';
    return {
      status: 403,
      title: 'Forbidden',
      type: '/problems/forbidden',
      detail: `${policy.method} ${policy.path} needs permission ${access.permission}, which ${who} does not hold`,
      audit: `missing permission ${access.permission}`,
    };
  }
  if (needsStepUp(policy, body) && !stepUpFresh(principal, now)) {
    return {
      status: 403,
      title: 'Step-up required',
      type: '/problems/step-up-required',
      detail: `${policy.method} ${policy.path} needs a TOTP code proved within the last ${STEP_UP_MAX_AGE_MS / 60_000} minutes: call POST /auth/step-up, then retry`,
      audit: 'step-up MFA required',
    };
  }
  return null;
}

/**
 * Authorisation, after authentication: the route's policy (`res.locals.route`, set by
 * `routePolicy()`) against the principal (`res.locals.principal`). Permission missing → 403
 * `/problems/forbidden` naming it; a refund or journal entry by a person without a fresh TOTP
 * proof → 403 `/problems/step-up-required`. Every refusal is audited (category `access`, outcome
 * `denied`). An unknown route passes on to the app's 404; object-level (branch) checks are the
 * routes' (see branch-scope.ts).
 */
export function authorize(deps: AuthorizeDeps): RequestHandler {
  const clock = deps.clock ?? Date.now;
  return async (req: Request, res: Response, next: NextFunction) => {
    const route = res.locals.route;
    if (route === undefined) {
      // Deny by default: without the policy look-up nothing could be checked.
      next(new Error('authorize() needs routePolicy() mounted before it'));
      return;
    }
    if (route === null) {
      next();
      return;
    }
    const principal = res.locals.principal;
    const refused = refusal(route.policy, principal, req.body, clock());
    if (!refused) {
      next();
      return;
    }
    res.locals.audited = true;
    try {
      await deps.audit.record({
        at: new Date(clock()),
        actorKind: principal?.kind ?? 'anonymous',
        actorId: principal?.id ?? null,
        actorName: principal?.name ?? null,
        role: principal?.role ?? null,
        ip: req.ip ?? null,
        requestId: requestIdOf(res),
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? req.path,
        action: `${route.policy.method} ${route.policy.path}`,
        resourceType: resourceTypeOf(route.policy.path),
        resourceId: resourceIdOf(route.params, undefined),
        outcome: 'denied',
        status: refused.status,
        category: 'access',
        detail: refused.audit,
      });
    } catch (err) {
      // The refusal stands even if the audit trail is unavailable; the failure is logged.
      req.log?.error({ err }, 'audit record of an authorisation refusal failed');
    }
    if (refused.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    sendProblem(res, { status: refused.status, title: refused.title, detail: refused.detail, type: refused.type });
  };
}

function requestIdOf(res: Response): string | null {
  const id = res.getHeader('x-request-id');
  return typeof id === 'string' ? id : null;
}
