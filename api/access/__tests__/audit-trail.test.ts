import express, { type Express } from 'express';
import request from 'supertest';
import { bounded, redact, REDACTED } from '../../../activities/audit-log.prisma';
import { errorHandler } from '../../error-handler';
import { ProblemError } from '../../problem';
import type { AuditRecord } from '../audit-sink';
import { auditTrail, resourceTypeOf } from '../audit-trail';
import type { Principal } from '../principal';
import { routePolicy } from '../route-match';

const finance: Principal = { kind: 'user', id: 'u-1', name: 'fin@example.com', role: 'FINANCE', permissions: new Set(), branch: null, allBranches: true, advisorId: null };

describe('audit trail middleware', () => {
  const records: AuditRecord[] = [];
  let app: Express;

  beforeAll(() => {
    app = express();
    app.set('trust proxy', 'loopback');
    app.use(express.json());
    app.use(routePolicy());
    app.use((req, res, next) => {
      if (req.get('authorization')) res.locals.principal = finance;
      next();
    });
    app.use(auditTrail({ audit: { record: async (e) => void records.push(e) } }));
    app.post('/finance/periods', (req, res) => void res.status(201).location(`/finance/periods/${encodeURIComponent(String(req.body.name))}`).json({ name: req.body.name, status: 'OPEN' }));
    app.post('/bookings/:reference/payments', (_req, res) => void res.status(201).json({ paid: '10.00' }));
    app.get('/finance/rates', (req, res) => {
      if (!req.get('authorization')) throw new ProblemError(401, 'Unauthorized', 'Sign in');
      res.json([]);
    });
    app.get('/audit', () => {
      throw new ProblemError(403, 'Forbidden', 'not yours');
    });
    app.post('/flights/search', (_req, res) => void res.json({ offers: [] }));
    app.post('/auth/login', (_req, res) => void res.status(401).json({ title: 'Sign-in failed' }));
    app.post('/auth/logout', (_req, res) => {
      // The auth routes write their own record (auth.logout) and say so.
      res.locals.audited = true;
      res.status(204).end();
    });
    app.use(errorHandler);
  });

  beforeEach(() => {
    records.length = 0;
  });

  it('records a financial action with who, where, which request, the resource and before/after (secrets left to the sink)', async () => {
    await request(app).post('/finance/periods').set('Authorization', 'x').set('X-Request-Id', 'req-42').send({ name: '2027-01', startsOn: '2027-01-01', endsOn: '2027-01-31' }).expect(201);
    expect(records).toEqual([
      expect.objectContaining({
        actorKind: 'user',
        actorId: 'u-1',
        actorName: 'fin@example.com',
        role: 'FINANCE',
        ip: expect.stringMatching(/127\.0\.0\.1/),
        requestId: 'req-42',
        method: 'POST',
        path: '/finance/periods',
        action: 'POST /finance/periods',
        resourceType: 'finance/periods',
        resourceId: '2027-01',
        outcome: 'success',
        status: 201,
        category: 'financial',
        before: null,
        after: { request: { name: '2027-01', startsOn: '2027-01-01', endsOn: '2027-01-31' }, response: { name: '2027-01', status: 'OPEN' } },
      }),
    ]);
  });

  it('names the resource from the route parameters', async () => {
    await request(app).post('/bookings/ITN-7/payments').set('Authorization', 'x').send({ amount: '10.00' }).expect(201);
    expect(records[0]).toMatchObject({ action: 'POST /bookings/:reference/payments', resourceType: 'bookings', resourceId: 'ITN-7', category: 'financial' });
  });

  it('records every non-GET (no values for plain actions) and reads only when refused', async () => {
    await request(app).get('/finance/rates').set('Authorization', 'x').expect(200);
    expect(records).toHaveLength(0);
    await request(app).get('/finance/rates').expect(401);
    await request(app).get('/audit').set('Authorization', 'x').expect(403);
    await request(app).post('/flights/search').set('Authorization', 'x').send({}).expect(200);
    expect(records.map((r) => [r.action, r.outcome, r.actorKind, r.category])).toEqual([
      ['GET /finance/rates', 'denied', 'anonymous', 'action'],
      ['GET /audit', 'denied', 'user', 'action'],
      ['POST /flights/search', 'success', 'user', 'action'],
    ]);
    expect(records[2]!.before).toBeUndefined();
    expect(records[2]!.after).toBeUndefined();
  });

  it('counts sign-in as access and skips requests already audited', async () => {
    await request(app).post('/auth/login').send({ email: 'a@b.c', password: 'pw' }).expect(401);
    expect(records[0]).toMatchObject({ category: 'access', outcome: 'denied', action: 'POST /auth/login' });
    await request(app).post('/auth/logout').set('Authorization', 'x').expect(204);
    expect(records).toHaveLength(1);
  });

  it('redacts secrets at any depth and bounds large values', () => {
    const value = {
      email: 'a@b.c',
      password: 'hunter2',
      nested: [{ refreshToken: 'r', cardNumber: '4111111111111111', cvv: '123', recoveryCode: 'abcd-efgh', ok: 1 }],
      totp: { code: '123456' },
      supplier: { code: 'ACME' },
    };
    expect(redact(value)).toEqual({
      email: 'a@b.c',
      password: REDACTED,
      nested: [{ refreshToken: REDACTED, cardNumber: REDACTED, cvv: REDACTED, recoveryCode: REDACTED, ok: 1 }],
      totp: { code: REDACTED },
      supplier: { code: 'ACME' },
    });
    expect(redact({ code: 'ABC' }, true)).toEqual({ code: REDACTED });
    const big = bounded({ text: 'x'.repeat(50_000) }) as { truncated: boolean; size: number; preview: string };
    expect(big).toMatchObject({ truncated: true, size: 50_011 });
    expect(big.preview.length).toBe(2000);
    expect(bounded({ a: 1 })).toEqual({ a: 1 });
  });

  it('derives resource types from route patterns', () => {
    expect(resourceTypeOf('/catalog/products/:supplierCode/:productCode')).toBe('catalog/products');
    expect(resourceTypeOf('/finance/settings')).toBe('finance/settings');
  });
});
