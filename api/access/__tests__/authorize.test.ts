import express, { type Express } from 'express';
import request from 'supertest';
import { ROLE_PERMISSIONS, type Permission, type Role } from '../../../domain/access/roles';
import { errorHandler } from '../../error-handler';
import type { AuditRecord, AuditSink } from '../audit-sink';
import { authorize, needsStepUp } from '../authorize';
import { branchScope } from '../branch-scope';
import { STEP_UP_MAX_AGE_MS, type Principal } from '../principal';
import { RoutePolicyTable, routePolicy } from '../route-match';
import type { RoutePolicy } from '../route-policy';

const NOW = Date.parse('2026-11-29T09:00:00.000Z');

class MemoryAudit implements AuditSink {
  readonly records: AuditRecord[] = [];
  failing = false;
  record(event: AuditRecord): Promise<void> {
    if (this.failing) return Promise.reject(new Error('audit store down'));
    this.records.push(event);
    return Promise.resolve();
  }
}

function user(role: Role, extra: Partial<Principal> = {}): Principal {
  return { kind: 'user', id: `u-${role}`, name: `${role.toLowerCase()}@example.com`, role, permissions: new Set(ROLE_PERMISSIONS[role]), branch: 'LON', allBranches: role !== 'ADVISOR', advisorId: null, sessionId: 's1', mfaAt: null, ...extra };
}

function apiKey(scopes: Permission[]): Principal {
  return { kind: 'api-key', id: 'k1', name: 'channel-sync', role: null, permissions: new Set(scopes), branch: null, allBranches: true, advisorId: null };
}

const POLICIES: RoutePolicy[] = [
  { method: 'GET', path: '/healthz', access: 'public' },
  { method: 'POST', path: '/hooks/:code', access: 'channel-signature' },
  { method: 'GET', path: '/me', access: 'authenticated' },
  { method: 'POST', path: '/journal', access: { permission: 'ledger:post' }, stepUp: 'always' },
  { method: 'POST', path: '/complaints/:id/resolve', access: { permission: 'bookings:write' }, stepUp: 'goodwill-refund' },
  { method: 'GET', path: '/bookings', access: { permission: 'bookings:read' } },
];

function appWith(audit: AuditSink, principal: () => Principal | undefined, clock: () => number = () => NOW): Express {
  const app = express();
  app.use(express.json());
  app.use(routePolicy(new RoutePolicyTable(POLICIES)));
  app.use((_req, res, next) => {
    const p = principal();
    if (p) res.locals.principal = p;
    next();
  });
  app.use(authorize({ audit, clock }));
  app.use((_req, res) => {
    res.status(res.locals.route ? 200 : 404).json({ reached: true });
  });
  app.use(errorHandler);
  return app;
}

describe('authorize', () => {
  it('lets public and channel-signature routes through without a principal, and leaves unknown routes to the 404', async () => {
    const audit = new MemoryAudit();
    const app = appWith(audit, () => undefined);
    await request(app).get('/healthz').expect(200, { reached: true });
    await request(app).post('/hooks/SITEMINDER').send({}).expect(200, { reached: true });
    await request(app).get('/nowhere').expect(404, { reached: true });
    expect(audit.records).toEqual([]);
  });

  it('answers 401 without a principal on authenticated and permission routes, leaking nothing, and audits it', async () => {
    const audit = new MemoryAudit();
    const app = appWith(audit, () => undefined);
    const me = await request(app).get('/me').expect(401);
    expect(me.headers['content-type']).toContain('application/problem+json');
    expect(me.headers['www-authenticate']).toBe('Bearer');
    expect(me.body).toMatchObject({ type: '/problems/unauthorized', status: 401 });
    expect(JSON.stringify(me.body)).not.toMatch(/bookings:read|permission/);
    await request(app).get('/bookings').expect(401);
    expect(audit.records.map((r) => [r.actorKind, r.action, r.outcome, r.status, r.category])).toEqual([
      ['anonymous', 'GET /me', 'denied', 401, 'access'],
      ['anonymous', 'GET /bookings', 'denied', 401, 'access'],
    ]);
  });

  it('refuses a principal without the permission with 403 naming it, and audits who was refused', async () => {
    const audit = new MemoryAudit();
    const app = appWith(audit, () => user('ADVISOR'));
    const res = await request(app).post('/journal').send({ lines: [] }).expect(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: '/problems/forbidden', title: 'Forbidden', status: 403, instance: '/journal' });
    expect(res.body.detail).toContain('ledger:post');
    expect(res.body.detail).toContain('ADVISOR');
    expect(audit.records).toEqual([
      expect.objectContaining({
        at: new Date(NOW),
        actorKind: 'user',
        actorId: 'u-ADVISOR',
        actorName: 'advisor@example.com',
        role: 'ADVISOR',
        method: 'POST',
        path: '/journal',
        action: 'POST /journal',
        outcome: 'denied',
        status: 403,
        category: 'access',
        detail: 'missing permission ledger:post',
      }),
    ]);
    await request(app).get('/me').expect(200);
    await request(app).get('/bookings').expect(200);
    expect(audit.records).toHaveLength(1);
  });

  it('asks a person for step-up MFA on journal entries unless a TOTP was proved within the window; API keys are not asked', async () => {
    const audit = new MemoryAudit();
    let now = NOW;
    let principal = user('FINANCE', { mfaAt: null });
    const app = appWith(audit, () => principal, () => now);

    const never = await request(app).post('/journal').send({}).expect(403);
    expect(never.body).toMatchObject({ type: '/problems/step-up-required', status: 403 });
    expect(never.body.detail).toContain('POST /auth/step-up');

    principal = user('FINANCE', { mfaAt: NOW - STEP_UP_MAX_AGE_MS });
    await request(app).post('/journal').send({}).expect(200);
    now = NOW + 1; // one millisecond past the window
    await request(app).post('/journal').send({}).expect(403);
    principal = user('FINANCE', { mfaAt: now + 60_000 }); // a proof "from the future" is not trusted
    await request(app).post('/journal').send({}).expect(403);

    principal = apiKey(['ledger:post']);
    await request(app).post('/journal').send({}).expect(200);
    expect(audit.records.map((r) => [r.status, r.detail])).toEqual([
      [403, 'step-up MFA required'],
      [403, 'step-up MFA required'],
      [403, 'step-up MFA required'],
    ]);
  });

  it('asks for step-up on a complaint resolution only when it gives a goodwill refund or credit', async () => {
    const audit = new MemoryAudit();
    const app = appWith(audit, () => user('ADVISOR', { mfaAt: NOW - STEP_UP_MAX_AGE_MS - 1 }));
    await request(app).post('/complaints/c1/resolve').send({ resolution: 'Apologised' }).expect(200);
    const refund = await request(app)
      .post('/complaints/c1/resolve')
      .send({ resolution: 'Refunded', goodwill: { kind: 'REFUND', amount: { amount: '50.00', currency: 'GBP' } } })
      .expect(403);
    expect(refund.body.type).toBe('/problems/step-up-required');
    // A malformed goodwill is still a goodwill: validation must not be a way around step-up.
    await request(app).post('/complaints/c1/resolve').send({ resolution: 'x', goodwill: 'lots' }).expect(403);
    await request(app)
      .post('/complaints/c1/resolve')
      .send({ resolution: 'Credited', goodwill: { kind: 'CREDIT', amount: { amount: '20.00', currency: 'GBP' } } })
      .expect(403);
  });

  it('still refuses when the audit trail is down', async () => {
    const audit = new MemoryAudit();
    audit.failing = true;
    const app = appWith(audit, () => user('OPERATIONS'));
    await request(app).post('/journal').send({}).expect(403);
  });

  it('fails closed when routePolicy() was not mounted', async () => {
    const app = express();
    app.use(authorize({ audit: new MemoryAudit() }));
    app.use((_req, res) => {
      res.json({ reached: true });
    });
    app.use(errorHandler);
    const res = await request(app).get('/anything');
    expect(res.status).toBe(500);
    expect(res.body.reached).toBeUndefined();
  });

  it('decides step-up from the policy and the body', () => {
    const always: RoutePolicy = { method: 'POST', path: '/x', access: { permission: 'ledger:post' }, stepUp: 'always' };
    const goodwill: RoutePolicy = { ...always, stepUp: 'goodwill-refund' };
    const none: RoutePolicy = { ...always, stepUp: undefined };
    expect([needsStepUp(always, undefined), needsStepUp(goodwill, {}), needsStepUp(goodwill, { goodwill: null }), needsStepUp(goodwill, [1]), needsStepUp(none, { goodwill: {} })]).toEqual([true, false, true, false, false]);
  });

  it('scopes advisors to their branch and everyone with allBranches to all', () => {
    expect(branchScope(user('ADVISOR', { branch: 'MAN' }))).toEqual({ branch: 'MAN' });
    expect(branchScope(user('ADVISOR', { branch: null }))).toEqual({ branch: null });
    expect(branchScope(user('ADVISOR', { allBranches: true }))).toEqual({ all: true });
    expect(branchScope(user('FINANCE'))).toEqual({ all: true });
    expect(branchScope(apiKey([]))).toEqual({ all: true });
    expect(branchScope(undefined)).toEqual({ all: true });
  });
});
