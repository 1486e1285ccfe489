import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { ROUTE_POLICIES, type RoutePolicy } from '../../access/route-policy';
import { errorHandler } from '../../error-handler';
import { parseOrProblem } from '../../problem';
import { createBookingRequestSchema, PaymentRequestSchema } from '../../schemas/booking.schema';
import { ReassignAdvisorRequest } from '../../schemas/customer.schema';
import { buildOpenApiDocument, defaultOperationId, openApiPath } from '../document';
import type { RouteDoc } from '../registry';
import { ROUTE_DOCS } from '../routes';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test walks arbitrary JSON
type Json = Record<string, any>;

const built = buildOpenApiDocument();
const doc = built.document as Json;
const notes = built.notes;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Resolves a local `$ref` (`#/components/...`) in the document, or undefined. */
function resolvePointer(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object' || !(seg in (node as object))) return undefined;
    node = (node as Json)[seg];
  }
  return node;
}
const deref = (node: Json): Json => (typeof node.$ref === 'string' ? (resolvePointer(node.$ref) as Json) : node);
const operation = (policy: Pick<RoutePolicy, 'method' | 'path'>): Json | undefined => doc.paths?.[openApiPath(policy.path).path]?.[policy.method.toLowerCase()];

function allRefs(node: unknown, at = '#', out: { ref: string; at: string }[] = []) {
  if (Array.isArray(node)) node.forEach((n, i) => allRefs(n, `${at}/${i}`, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push({ ref: v, at });
      else allRefs(v, `${at}/${k}`, out);
    }
  }
  return out;
}

/** Ajv over the whole document, so component schemas resolve their `$ref`s to each other. */
function documentAjv() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'https://itinera.test/openapi.json', components: doc.components } as object);
  return ajv;
}
const bodySchemaRef = (method: string, p: string) => {
  const op = operation({ method: method as RoutePolicy['method'], path: p })!;
  return op.requestBody.content['application/json'].schema.$ref as string;
};

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with info, paths, components and the three security schemes', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toEqual(expect.objectContaining({ title: 'Itinera API', version: expect.any(String) }));
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }),
      sessionCookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: '__Host-itinera_session' }),
    });
    expect(notes).toEqual([]);
  });

  it('resolves every $ref', () => {
    const refs = allRefs(doc);
    expect(refs.length).toBeGreaterThan(100);
    const broken = refs.filter((r) => resolvePointer(r.ref) === undefined);
    expect(broken).toEqual([]);
  });

  it('declares every path template parameter as a required path parameter, and no other', () => {
    const problems: string[] = [];
    for (const [p, item] of Object.entries(doc.paths as Json)) {
      const inTemplate = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const m of METHODS) {
        const op = item[m];
        if (!op) continue;
        const declared = ((op.parameters ?? []) as Json[]).map(deref).filter((x) => x.in === 'path');
        const names = declared.map((x) => x.name as string);
        if (names.sort().join() !== [...inTemplate].sort().join()) problems.push(`${m} ${p}: template ${inTemplate.join()} vs declared ${names.join()}`);
        if (declared.some((x) => x.required !== true)) problems.push(`${m} ${p}: a path parameter is not required`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has unique operationIds and no duplicate parameters in an operation', () => {
    const ids: string[] = [];
    const dupes: string[] = [];
    for (const [p, item] of Object.entries(doc.paths as Json)) {
      for (const m of METHODS) {
        if (!item[m]) continue;
        ids.push(item[m].operationId);
        const keys = ((item[m].parameters ?? []) as Json[]).map(deref).map((x) => `${x.in}:${String(x.name).toLowerCase()}`);
        if (new Set(keys).size !== keys.length) dupes.push(`${m} ${p}`);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^[a-z][A-Za-z0-9]*$/.test(id))).toBe(true);
    expect(dupes).toEqual([]);
  });

  it('documents every route of ROUTE_POLICIES and nothing else', () => {
    const documented: string[] = [];
    for (const [p, item] of Object.entries(doc.paths as Json)) for (const m of METHODS) if (item[m]) documented.push(`${m.toUpperCase()} ${p}`);
    const expected = ROUTE_POLICIES.map((r) => `${r.method} ${openApiPath(r.path).path}`);
    expect(documented.sort()).toEqual([...expected].sort());
    expect(ROUTE_DOCS.length).toBe(ROUTE_POLICIES.length);
  });

  it('refuses to build when a route is undocumented or a documented route does not exist, naming both', () => {
    const docs = ROUTE_DOCS.filter((d) => !(d.method === 'GET' && d.path === '/advisors'));
    const stray: RouteDoc = { method: 'GET', path: '/nowhere', summary: 'x', tags: ['x'], responses: { 200: 'x' } };
    expect(() => buildOpenApiDocument({ docs: [...docs, stray] })).toThrow(/undocumented GET \/advisors.*not a route GET \/nowhere/);
  });

  it('gives every operation a summary, tags and the problem responses, all as ProblemDetails', () => {
    for (const policy of ROUTE_POLICIES) {
      const op = operation(policy)!;
      expect(op.summary.length).toBeGreaterThan(5);
      expect(op.tags.length).toBeGreaterThan(0);
      const statuses = Object.keys(op.responses);
      // Success is 2xx, or a redirect (the browser's sign-in and sign-out forms answer 303).
      expect(statuses.some((s) => /^[23]\d\d$/.test(s))).toBe(true);
      expect(op.responses.default).toEqual({ $ref: '#/components/responses/Problem' });
      for (const s of statuses.filter((x) => /^[45]\d\d$/.test(x))) {
        const r = deref(op.responses[s]);
        // The one exception: the browser's sign-in forms answer a refusal with the form again (HTML).
        if (policy.path.startsWith('/auth/sign-in') && policy.method === 'POST' && r.content['text/html']) continue;
        expect(r.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/ProblemDetails' });
      }
      if (policy.access !== 'public') expect(statuses).toContain('401');
      if (typeof policy.access === 'object' || policy.access === 'authenticated') expect(statuses).toContain('403');
      if (op.requestBody?.content['application/json']) expect(statuses).toEqual(expect.arrayContaining(['400', '415', '422']));
      if (policy.path.includes(':')) expect(statuses).toEqual(expect.arrayContaining(['400', '404']));
    }
  });

  it('carries security, x-permission and x-step-up from the policy', () => {
    for (const policy of ROUTE_POLICIES) {
      const op = operation(policy)!;
      if (policy.access === 'public' || policy.access === 'channel-signature') expect(op.security).toEqual([]);
      else expect(op.security).toEqual([{ bearerAuth: [] }, { apiKey: [] }, { sessionCookie: [] }]);
      expect(op['x-permission']).toBe(typeof policy.access === 'object' ? policy.access.permission : undefined);
      expect(op['x-step-up']).toBe(policy.stepUp);
    }
    expect(operation({ method: 'POST', path: '/finance/journal-entries' })!['x-step-up']).toBe('always');
    expect(operation({ method: 'POST', path: '/bookings/:reference/cancellation' })!['x-permission']).toBe('refunds:issue');
  });

  it('declares Idempotency-Key on idempotent POSTs, If-Match on master-data writes and ETag on master-data reads', () => {
    const headerNames = (op: Json) => ((op.parameters ?? []) as Json[]).map(deref).filter((x) => x.in === 'header').map((x) => x.name as string);
    for (const policy of ROUTE_POLICIES) {
      const op = operation(policy)!;
      const idempotent = policy.method === 'POST' && (policy.idempotent ?? typeof policy.access === 'object');
      expect([policy.path, headerNames(op).includes('Idempotency-Key')]).toEqual([policy.path, idempotent]);
      const guarded = Boolean(policy.masterData) && ['PUT', 'PATCH', 'DELETE'].includes(policy.method);
      expect([policy.path, headerNames(op).includes('If-Match'), Boolean(op.responses['412'])]).toEqual([policy.path, guarded, guarded]);
      if (policy.masterData && policy.method === 'GET') expect(op.responses['200'].headers.ETag).toEqual({ $ref: '#/components/headers/ETag' });
    }
    // Payments take the key as the payment id: required there.
    const payment = operation({ method: 'POST', path: '/bookings/:reference/payments' })!;
    expect((payment.parameters as Json[]).map(deref).find((x) => x.name === 'Idempotency-Key')).toEqual(expect.objectContaining({ required: true }));
  });

  it('turns Express paths into OpenAPI templates and derives operation ids', () => {
    expect(openApiPath('/finance/deferred-revenue/:bookingRef/:componentId/no-show')).toEqual({ path: '/finance/deferred-revenue/{bookingRef}/{componentId}/no-show', params: ['bookingRef', 'componentId'] });
    expect(openApiPath('/docs{/*rest}')).toEqual({ path: '/docs', params: [] });
    expect(defaultOperationId('POST', '/bookings/:reference/cancellation/preview')).toBe('postBookingsByReferenceCancellationPreview');
  });
});

describe('the request schemas in the document', () => {
  const ajv = documentAjv();
  const validator = (ref: string) => {
    const v = ajv.getSchema(`https://itinera.test/openapi.json${ref}`);
    if (!v) throw new Error(`no schema at ${ref}`);
    return v;
  };

  it('all compile as JSON Schema 2020-12', () => {
    const failed: string[] = [];
    for (const name of Object.keys(doc.components.schemas as Json)) {
      try {
        validator(`#/components/schemas/${name}`);
      } catch (err) {
        failed.push(`${name}: ${(err as Error).message}`);
      }
    }
    expect(failed).toEqual([]);
    // Inline parameter schemas compile too.
    for (const policy of ROUTE_POLICIES) {
      for (const param of ((operation(policy)!.parameters ?? []) as Json[]).map(deref)) expect(() => ajv.compile(param.schema)).not.toThrow();
    }
  });

  it('POST /bookings requires what the route requires and refuses unknown fields, as zod does', () => {
    const ref = bodySchemaRef('POST', '/bookings');
    const schema = resolvePointer(ref) as Json;
    expect([...schema.required].sort()).toEqual(['components', 'currency', 'customerId', 'departureDate', 'returnDate']);
    const zod = createBookingRequestSchema('2026-01-01');
    const valid = {
      customerId: 'CUST-1',
      currency: 'EUR',
      departureDate: '2027-06-01',
      returnDate: '2027-06-08',
      components: [{ id: 'hotel', kind: 'HOTEL', supplierCode: 'HTL-LIS', productCode: 'LIS-ALFAMA', category: 'DBL', ratePlan: 'BAR', startDate: '2027-06-01', nights: 7, units: [{ adults: 2, childAges: [] }] }],
    };
    const check = validator(ref);
    const samples: unknown[] = [
      valid,
      { ...valid, customerId: undefined },
      { ...valid, components: [] },
      { ...valid, sneaky: true },
      { ...valid, currency: 'euro' },
      { ...valid, departureDate: '01/06/2027' },
    ];
    const verdicts = samples.map((s) => [check(JSON.parse(JSON.stringify(s))), zod.safeParse(s).success]);
    expect(verdicts).toEqual([[true, true], ...samples.slice(1).map(() => [false, false])]);
  });

  it('payment and advisor reassignment bodies agree with zod on valid and invalid bodies', () => {
    const cases: [string, string, z.ZodType, unknown[]][] = [
      [
        'POST',
        '/customers/:id/advisor',
        ReassignAdvisorRequest,
        [{ advisorId: 'ADV-1', reason: 'moved branch' }, { advisorId: 'ADV-1' }, { advisorId: '', reason: 'x' }, { advisorId: 'ADV-1', reason: 'x', extra: 1 }],
      ],
      [
        'POST',
        '/bookings/:reference/payments',
        PaymentRequestSchema,
        [{ amount: { amount: '120.50', currency: 'EUR' }, method: 'card' }, { amount: { amount: '120.50', currency: 'EUR' }, method: 'cheque' }, { amount: 12, method: 'card' }, { method: 'cash' }, {}],
      ],
    ];
    for (const [, p, zod, samples] of cases) {
      const method = p.endsWith('/advisor') ? 'PUT' : 'POST';
      const check = validator(bodySchemaRef(method, p));
      for (const s of samples) expect([p, s, check(s)]).toEqual([p, s, zod.safeParse(s).success]);
    }
  });

  it('documents the query of GET /bookings and the path pattern of a booking reference', () => {
    const op = operation({ method: 'GET', path: '/bookings' })!;
    const params = Object.fromEntries((op.parameters as Json[]).map(deref).filter((x) => x.in === 'query').map((x): [string, Json] => [x.name as string, x]));
    expect(Object.keys(params)).toEqual(expect.arrayContaining(['status', 'customerId', 'advisorId', 'travelFrom', 'travelTo', 'limit', 'cursor']));
    expect(Object.values(params).every((x) => x.required === false)).toBe(true);
    const detail = operation({ method: 'GET', path: '/bookings/:reference' })!;
    const reference = (detail.parameters as Json[]).map(deref).find((x) => x.name === 'reference')!;
    expect(ajv.compile(reference.schema)('ITN-7K3M9QXZ')).toBe(true);
    expect(ajv.compile(reference.schema)('nope')).toBe(false);
  });

  it('the ProblemDetails schema matches what the API really answers', async () => {
    const app = express();
    app.use(express.json());
    app.post('/x', (req, res) => {
      res.json(parseOrProblem(ReassignAdvisorRequest, req.body));
    });
    app.use(errorHandler);
    const res = await request(app).post('/x').send({ advisorId: 'ADV-1', extra: 1 });
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    const check = validator('#/components/schemas/ProblemDetails');
    expect(check(res.body)).toBe(true);
    expect(res.body.errors.length).toBeGreaterThan(0);
    expect(check({ ...res.body, errors: [{ pointer: '/a' }] })).toBe(false);
  });

  it('keeps a schema zod cannot express valid, with a note saying where', () => {
    const policies: RoutePolicy[] = [{ method: 'POST', path: '/odd', access: 'public', idempotent: false }];
    const odd = z.strictObject({ when: z.date(), n: z.bigint() });
    const { document, notes: oddNotes } = buildOpenApiDocument({ policies, docs: [{ method: 'POST', path: '/odd', summary: 'Odd body', tags: ['x'], body: odd, responses: { 200: 'ok' } }] });
    expect(oddNotes).toEqual([expect.objectContaining({ where: 'POST /odd body' })]);
    const schema = (document.components as Json).schemas.PostOddRequest;
    expect(schema.description).toMatch(/not expressible/i);
    expect(() => new Ajv2020({ strict: false }).compile(schema)).not.toThrow();
  });

  it('refuses a request body named like another component with a different schema (it would replace it)', () => {
    const policies: RoutePolicy[] = [
      { method: 'GET', path: '/thing', access: 'public' },
      { method: 'POST', path: '/thing', access: 'public', idempotent: false },
    ];
    const view = z.strictObject({ id: z.string() }).meta({ id: 'ThingView' });
    const get: RouteDoc = { method: 'GET', path: '/thing', summary: 'A thing', tags: ['x'], responses: { 200: { description: 'The thing', schema: view } } };
    const post = (body: z.ZodType): RouteDoc => ({ method: 'POST', path: '/thing', summary: 'Make a thing', tags: ['x'], body: { schema: body, name: 'ThingView' }, responses: { 200: 'ok' } });
    expect(() => buildOpenApiDocument({ policies, docs: [get, post(z.strictObject({ name: z.string() }))] })).toThrow(/POST \/thing body is named ThingView/);
    // The same schema under the same name is one component, not a clash.
    expect(() => buildOpenApiDocument({ policies, docs: [get, post(z.strictObject({ id: z.string() }))] })).not.toThrow();
  });
});

describe('the registry against the routes files', () => {
  // Each handler's `parseOrProblem(X, req.body...)` and `parseOrProblem(Y, queryOf(req)...)`: the registry must document X and Y.
  const root = path.resolve(__dirname, '../..');
  const schemaExports = new Map<unknown, string>();
  for (const file of readdirSync(path.join(root, 'schemas'))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(root, 'schemas', file)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) if (value instanceof z.ZodType) schemaExports.set(value, name);
  }
  const docOf = (method: string, p: string) => ROUTE_DOCS.find((d) => d.method === method && d.path === p);

  it('documents the body and query schema each handler parses', () => {
    const checked: string[] = [];
    const mismatches: string[] = [];
    // docs.routes.ts serves Swagger UI's files under /docs{/*rest}; it parses nothing.
    for (const file of readdirSync(path.join(root, 'routes')).filter((f) => f.endsWith('.routes.ts') && f !== 'docs.routes.ts')) {
      const src = readFileSync(path.join(root, 'routes', file), 'utf8');
      const starts = [...src.matchAll(/router\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)];
      starts.forEach((m, i) => {
        const rest = src.slice(m.index, starts[i + 1]?.index ?? src.length);
        // The handler ends at the first `});` or `);` back at the router's indentation.
        const end = /\n {2}\}?\);/.exec(rest);
        const block = end ? rest.slice(0, end.index) : rest;
        const method = m[1]!.toUpperCase();
        const entry = docOf(method, m[2]!);
        if (!entry) {
          mismatches.push(`${method} ${m[2]} is not in the registry`);
          return;
        }
        const bodyName = /parseOrProblem\((\w+),\s*req\.body/.exec(block)?.[1];
        const queryName = /parseOrProblem\((\w+),\s*(?:queryOf\(req\)|\{ \.\.\.\(req\.query)/.exec(block)?.[1];
        const documentedBody = entry.body instanceof z.ZodType ? entry.body : entry.body?.schema;
        if (bodyName) {
          checked.push(`${method} ${m[2]} body`);
          if (schemaExports.get(documentedBody) !== bodyName) mismatches.push(`${method} ${m[2]}: body parses ${bodyName}, registry has ${schemaExports.get(documentedBody) ?? 'another schema'}`);
        }
        if (queryName) {
          checked.push(`${method} ${m[2]} query`);
          if (schemaExports.get(entry.query) !== queryName) mismatches.push(`${method} ${m[2]}: query parses ${queryName}, registry has ${schemaExports.get(entry.query) ?? 'none'}`);
        }
      });
    }
    expect(mismatches).toEqual([]);
    expect(checked.length).toBeGreaterThan(50);
  });
});
