import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuditRecord, AuditSink } from './audit-sink';
import type { RoutePolicy } from './route-policy';

declare module 'express-serve-static-core' {
  interface Locals {
    /** The representation a master-data write found before it ran (set by the etags middleware): the audit's `before`. */
    auditBefore?: unknown;
    /** Set by a middleware or route that already wrote this request's audit record (no second one). */
    audited?: boolean;
    /** Why (for the audit record's `detail`); never a secret. */
    auditDetail?: string;
  }
}

export interface AuditTrailDeps {
  audit: AuditSink;
}

/** What a route pattern is about: the static segments before its first parameter (`/catalog/suppliers/:code` → `catalog/suppliers`). */
export function resourceTypeOf(pattern: string): string {
  const segments = pattern.split('/').filter(Boolean);
  const firstParam = segments.findIndex((s) => s.startsWith(':') || s.startsWith('*') || s.includes('{'));
  return (firstParam < 0 ? segments : segments.slice(0, firstParam)).join('/') || '/';
}

export function resourceIdOf(params: Record<string, string | string[]>, location: string | undefined): string | null {
  const values = Object.values(params).map((v) => (Array.isArray(v) ? v.join('/') : v));
  if (values.length) return values.join('/');
  // A create: the new resource's id is the last segment of its Location.
  if (location) {
    const last = location.split('?')[0]!.split('/').filter(Boolean).pop();
    if (last) {
      try {
        return decodeURIComponent(last);
      } catch {
        return last;
      }
    }
  }
  return null;
}

export function categoryOf(policy: RoutePolicy | undefined, path: string): AuditRecord['category'] {
  if (path.startsWith('/auth/')) return 'access';
  if (policy?.masterData) return 'master-data';
  if (policy?.financial) return 'financial';
  return 'action';
}

export function outcomeOf(status: number): AuditRecord['outcome'] {
  if (status === 401 || status === 403) return 'denied';
  return status >= 400 ? 'failed' : 'success';
}

/**
 * The audit trail of the API (issue 9): on `finish`, one record for every request that is not a
 * read, and for every read refused with 401/403: who (the principal), from where (ip), which
 * request (id), what (`METHOD /route/:pattern`, resource type and id), and how it ended. Master
 * data and financial actions also keep before (what the etags loader found) and after (the
 * request body, redacted by the sink, and the JSON answer).
 */
export function auditTrail(deps: AuditTrailDeps): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    let sent: unknown;
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      sent = body;
      return json(body);
    };
    res.once('finish', () => {
      const status = res.statusCode;
      const read = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
      if (res.locals.audited || (read && status !== 401 && status !== 403)) return;
      const matched = res.locals.route ?? null;
      const policy = matched?.policy;
      const principal = res.locals.principal;
      const category = categoryOf(policy, req.path);
      const keepsValues = category === 'master-data' || category === 'financial';
      const location = res.getHeader('location');
      const requestId = (req as { id?: unknown }).id ?? res.getHeader('x-request-id') ?? req.get('x-request-id');
      const event: AuditRecord = {
        actorKind: principal?.kind ?? 'anonymous',
        actorId: principal?.id ?? null,
        actorName: principal?.name ?? null,
        role: principal?.role ?? null,
        ip: req.ip ?? null,
        requestId: requestId === undefined || requestId === null ? null : String(requestId),
        method: req.method,
        path: req.originalUrl.split('?')[0]!,
        action: `${req.method} ${policy?.path ?? req.path}`,
        resourceType: policy ? resourceTypeOf(policy.path) : null,
        resourceId: matched ? resourceIdOf(matched.params, typeof location === 'string' ? location : undefined) : null,
        outcome: outcomeOf(status),
        status,
        category,
        ...(keepsValues ? { before: res.locals.auditBefore ?? null, after: { request: req.body ?? null, response: sent ?? null } } : {}),
        detail: res.locals.auditDetail ?? null,
      };
      deps.audit.record(event).catch((err: unknown) => req.log?.error({ err, auditEvent: event }, 'audit: record failed'));
    });
    next();
  };
}
