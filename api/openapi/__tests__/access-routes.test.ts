import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import express from 'express';
import request from 'supertest';
import type { z } from 'zod';
import type { AuditEventView } from '../../../activities/audit-log.prisma';
import { ROUTE_POLICIES } from '../../access/route-policy';
import { errorHandler } from '../../error-handler';
import { auditRoutes } from '../../routes/audit.routes';
import { LoginRequest, MfaLoginRequest } from '../../schemas/auth.schema';
import { CreateJournalEntryRequest } from '../../schemas/journal-entries.schema';
import { CreateAssignmentRequest, CreateResourceRequest } from '../../schemas/operations.schema';
import { CreateApiKeyRequest, CreateUserRequest, UpdateUserRequest } from '../../schemas/users.schema';
import { buildOpenApiDocument, openApiPath } from '../document';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test walks arbitrary JSON
type Json = Record<string, any>;

const doc = buildOpenApiDocument().document as Json;
const BASE = 'https://itinera.test/openapi.json';
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...doc, $id: BASE } as object);

const pointer = (...segments: string[]) => segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
const op = (method: string, path: string): Json => doc.paths[openApiPath(path).path][method.toLowerCase()];
/** A validator of the document's schema of a route's JSON body, or of one of its JSON answers. */
function validatorOf(method: string, path: string, where: 'body' | number) {
  const segs = where === 'body' ? ['requestBody', 'content', 'application/json', 'schema'] : ['responses', String(where), 'content', 'application/json', 'schema'];
  const v = ajv.getSchema(`${BASE}#/${pointer('paths', openApiPath(path).path, method.toLowerCase(), ...segs)}`);
  if (!v) throw new Error(`no schema for ${method} ${path} ${where}`);
  return v;
}

const ISSUE_9 = /^\/(auth|users|access|api-keys|audit|finance\/journal-entries|operations|reports)(\/|$)/;

describe('the issue 9 routes in the OpenAPI document', () => {
  const routes = ROUTE_POLICIES.filter((p) => ISSUE_9.test(p.path));

  it('covers the new routes, each JSON body with its own component schema and no placeholder left', () => {
    expect(routes.length).toBeGreaterThanOrEqual(40);
    for (const r of routes) {
      const o = op(r.method, r.path);
      const json = o.requestBody?.content?.['application/json'];
      if (json) expect([r.path, json.schema.$ref]).toEqual([r.path, expect.stringMatching(/^#\/components\/schemas\/\w+$/)]);
      expect(JSON.stringify(o)).not.toMatch(/to be attached/);
    }
    // Path parameters use the route's own pattern, not a bare string.
    const userId = (op('GET', '/users/:id').parameters as Json[]).find((x) => x.name === 'id')!;
    expect(userId.schema).toEqual(expect.objectContaining({ format: 'uuid' }));
    const asset = (op('GET', '/reports/assets/:file').parameters as Json[]).find((x) => x.name === 'file')!;
    expect(asset.schema.enum).toEqual(['chart.umd.js', 'chart.umd.min.js']);
  });

  it('documents each query the handlers parse, with its required parameters', () => {
    const names = (method: string, path: string) => Object.fromEntries((op(method, path).parameters as Json[]).filter((x) => x.in === 'query').map((x) => [x.name, x.required]));
    expect(names('GET', '/operations/conflicts')).toEqual({ from: true, to: true });
    expect(names('GET', '/reports/atol-return')).toEqual({ quarter: true, licence: false, format: false });
    expect(names('GET', '/audit')).toEqual(expect.objectContaining({ from: false, actor: false, category: false, cursor: false, format: false }));
  });

  it('answers what the handlers answer: Location on creates, ETag on master-data writes, 200 on an API key revocation', () => {
    expect(Object.keys(op('POST', '/users').responses['201'].headers).sort()).toEqual(['ETag', 'Location']);
    expect(Object.keys(op('PATCH', '/users/:id').responses['200'].headers)).toEqual(['ETag']);
    expect(op('DELETE', '/api-keys/:id').responses['200']).toBeDefined();
    expect(op('DELETE', '/api-keys/:id').responses['204']).toBeUndefined();
    expect(Object.keys(op('POST', '/finance/journal-entries').responses)).toEqual(expect.arrayContaining(['200', '201', '403', '404', '409', '422']));
    // If-Match is honoured, not required: a mismatch is 412, nothing answers 428.
    expect(op('PATCH', '/users/:id').responses['412']).toBeDefined();
    expect(JSON.stringify(doc)).not.toMatch(/"428"/);
    // Sign-in is public, but answers 401 when refused.
    expect(Object.keys(op('POST', '/auth/login').responses)).toEqual(expect.arrayContaining(['200', '401', '422', '429']));
  });

  it('request bodies agree with zod on valid and invalid samples', () => {
    const challenge = 'eyJhbGciOiJIUzI1NiJ9.x.y';
    const line = (side: string, amount: string | number) => ({ account: 'asset:bank:GBP', side, amount: { amount, currency: 'GBP' } });
    const cases: [string, string, z.ZodType, unknown[]][] = [
      ['POST', '/auth/login', LoginRequest, [{ email: 'ana@itinera.test', password: 'x' }, { email: 'ana@itinera.test' }, { email: 'ana@itinera.test', password: '' }, { email: 'a@b.c', password: 'x', role: 'ADMIN' }]],
      ['POST', '/auth/mfa', MfaLoginRequest, [{ challenge, code: '123456' }, { challenge, code: '12345' }, { code: '123456' }, { challenge, code: '123456', remember: true }]],
      [
        'POST',
        '/users',
        CreateUserRequest,
        [
          { email: 'ana@itinera.test', name: 'Ana', role: 'FINANCE', password: 'long enough password' },
          { email: 'ana@itinera.test', name: 'Ana', role: 'ROOT', password: 'p' },
          { email: 'ana@itinera.test', name: 'Ana', role: 'FINANCE', password: 'p', passwordHash: 'x' },
          { email: 'ana@itinera.test', name: 'Ana', role: 'FINANCE', password: 'p', grants: ['everything'] },
        ],
      ],
      ['PATCH', '/users/:id', UpdateUserRequest, [{ role: 'ADVISOR', branch: 'LIS' }, { disabled: 'yes' }, { version: 3 }]],
      ['POST', '/api-keys', CreateApiKeyRequest, [{ name: 'ERP sync', scopes: ['finance:read'] }, { name: 'ERP sync', scopes: [] }, { name: 'ERP sync', scopes: ['root'] }, { name: 'x', scopes: ['finance:read'], token: 'mine' }]],
      [
        'POST',
        '/finance/journal-entries',
        CreateJournalEntryRequest,
        [
          { date: '2027-01-31', description: 'Bank fee', lines: [line('DEBIT', '10.00'), { ...line('CREDIT', '10.00'), account: 'expense:bank-fees:GBP' }] },
          { date: '2027-01-31', description: 'Bank fee', lines: [line('DEBIT', '10.00')] },
          { date: '31/01/2027', description: 'Bank fee', lines: [line('DEBIT', '10.00'), line('CREDIT', '10.00')] },
          { date: '2027-01-31', description: 'Bank fee', lines: [line('DEBIT', '10.00'), line('CREDIT', 10)] },
          { date: '2027-01-31', description: 'Bank fee', lines: [line('DEBIT', '10.00'), line('LEFT', '10.00')] },
        ],
      ],
      ['POST', '/operations/resources', CreateResourceRequest, [{ kind: 'GUIDE', name: 'Giulia', destination: 'IT-ROME' }, { kind: 'GUIDE', name: 'Giulia' }, { kind: 'GUIDE', name: 'Giulia', destination: 'IT-ROME', id: 'x' }]],
      [
        'POST',
        '/operations/assignments',
        CreateAssignmentRequest,
        [
          { resourceId: '3f1c2a4e-8b7d-4c6a-9e2f-1a2b3c4d5e6f', bookingRef: 'ITN-7K3M9QXZ', componentId: 'transfer-1' },
          { resourceId: 'not-a-uuid', bookingRef: 'ITN-7K3M9QXZ', componentId: 'transfer-1' },
          { resourceId: '3f1c2a4e-8b7d-4c6a-9e2f-1a2b3c4d5e6f', bookingRef: 'ITN-7K3M9QXZ', componentId: 'transfer-1', startsAt: 'tomorrow' },
        ],
      ],
    ];
    for (const [method, path, zod, samples] of cases) {
      const check = validatorOf(method, path, 'body');
      const verdicts = samples.map((s) => [path, s, check(s)]);
      expect(verdicts).toEqual(samples.map((s) => [path, s, zod.safeParse(s).success]));
      expect(verdicts[0]![2]).toBe(true);
    }
  });

  it('the login answers match their schema, and a token answer missing its refresh token does not', () => {
    const check = validatorOf('POST', '/auth/login', 200);
    const tokens = { mfaRequired: false, tokenType: 'Bearer', accessToken: 'a.b.c', expiresIn: 900, refreshToken: 'r', sessionId: 's', mfaEnrolmentRequired: false };
    expect(check(tokens)).toBe(true);
    expect(check({ mfaRequired: true, challenge: 'a.b.c', expiresIn: 300 })).toBe(true);
    expect(check({ ...tokens, refreshToken: undefined })).toBe(false);
    expect(check({ mfaRequired: true, expiresIn: 300 })).toBe(false);
  });

  it('GET /audit answers what its response schema documents (the real handler)', async () => {
    const event: AuditEventView = {
      id: '42',
      at: '2026-11-29T08:00:00.000Z',
      actorKind: 'user',
      actorId: 'u-1',
      actorName: 'ana@itinera.test',
      role: 'ADMIN',
      ip: '10.0.0.1',
      requestId: 'req-1',
      method: 'PATCH',
      path: '/users/u-2',
      action: 'PATCH /users/:id',
      resourceType: 'user',
      resourceId: 'u-2',
      outcome: 'success',
      status: 200,
      category: 'master-data',
      before: { role: 'ADVISOR' },
      after: { role: 'FINANCE' },
      detail: null,
    };
    const app = express();
    app.use(auditRoutes({ audit: { flush: () => Promise.resolve(), search: () => Promise.resolve({ items: [event], nextCursor: 'next_1' }) } }));
    app.use(errorHandler);
    const res = await request(app).get('/audit').query({ category: 'master-data' });
    expect(res.status).toBe(200);
    const check = validatorOf('GET', '/audit', 200);
    expect([check(res.body), check.errors ?? null]).toEqual([true, null]);
    expect(check({ ...res.body, nextCursor: undefined })).toBe(false);
  });

  it('introduces authentication and the conventions in info.description', () => {
    const text = doc.info.description as string;
    expect(text).toMatch(/## Authentication/);
    for (const needle of ['POST /auth/login', 'POST /auth/mfa', 'Authorization: Bearer', 'X-Api-Key', 'x-step-up', 'POST /auth/step-up', 'Idempotency-Key', 'If-Match', 'application/problem+json']) {
      expect([needle, text.includes(needle)]).toEqual([needle, true]);
    }
  });
});
