import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import request from 'supertest';
import { PrismaIdempotencyStore } from '../../../activities/idempotency.prisma';
import type { Database } from '../../../infra/database';
import { openIsolatedTestPostgres, openTestPglite } from '../../../test/support/databases';
import { errorHandler } from '../../error-handler';
import { canonicalJson, idempotency, type IdempotencyDeps } from '../idempotency';
import type { Principal } from '../principal';
import { routePolicy, RoutePolicyTable } from '../route-match';
import type { RoutePolicy } from '../route-policy';

const POLICIES: RoutePolicy[] = [
  { method: 'POST', path: '/things', access: { permission: 'ops:dispatch' } },
  { method: 'POST', path: '/flaky', access: { permission: 'ops:dispatch' } },
  { method: 'POST', path: '/refused', access: { permission: 'ops:dispatch' } },
  { method: 'POST', path: '/slow', access: { permission: 'ops:dispatch' } },
  { method: 'POST', path: '/preview', access: { permission: 'ops:dispatch' }, idempotent: false },
  { method: 'POST', path: '/keyed', access: { permission: 'ops:dispatch' }, recoversByKey: true },
];

/** A POST over plain node:http (lighter than fetch with a thousand sockets at once). */
function post(port: number, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; location: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: (res.headers.location as string | undefined) ?? null, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const principal = (id: string): Principal => ({ kind: 'user', id, name: `${id}@example.com`, role: 'OPERATIONS', permissions: new Set(['ops:dispatch']), branch: null, allBranches: true, advisorId: null });

describe.each([
  ['embedded PGlite, statements through Prisma', false, openTestPglite],
  ['embedded PGlite, statements on the driver', true, openTestPglite],
  // PostgreSQL through its driver (pg), as production runs.
  ['PostgreSQL, statements on the driver', true, openIsolatedTestPostgres],
] as const)('Idempotency-Key (%s)', (_label, onDriver, open) => {
  let db: Database;
  let store: PrismaIdempotencyStore;
  let now = Date.parse('2026-11-29T08:00:00Z');
  const counts = { things: 0, flaky: 0, refused: 0, slow: 0, preview: 0, keyed: 0 };
  let releaseSlow: () => void = () => undefined;

  function buildApp(overrides: Partial<IdempotencyDeps> = {}): Express {
    const app = express();
    app.use(express.json());
    app.use(routePolicy(new RoutePolicyTable(POLICIES)));
    app.use((req, res, next) => {
      res.locals.principal = principal(req.get('x-test-user') ?? 'u1');
      next();
    });
    app.use(idempotency({ store, clock: () => now, ...overrides }));
    app.post('/things', async (req, res) => {
      counts.things++;
      const row = await db.prisma.opsResource.create({ data: { kind: 'GUIDE', name: String(req.body.name), destination: 'LIS' } });
      res.status(201).location(`/things/${row.id}`).json({ id: row.id, name: row.name, execution: counts.things });
    });
    app.post('/flaky', (_req, res) => {
      counts.flaky++;
      if (counts.flaky === 1) res.status(503).json({ error: 'try again' });
      else res.status(201).json({ ok: true, execution: counts.flaky });
    });
    app.post('/refused', (_req, res) => {
      counts.refused++;
      res.status(422).type('application/problem+json').json({ title: 'Invalid', execution: counts.refused });
    });
    app.post('/slow', async (_req, res) => {
      counts.slow++;
      await new Promise<void>((resolve) => {
        releaseSlow = resolve;
      });
      res.status(201).json({ slow: counts.slow });
    });
    app.post('/keyed', (req, res) => {
      counts.keyed++;
      // "Started, not finished yet" until the third run (a booking still being held).
      if (req.body.pending && counts.keyed < 3) res.status(202).json({ id: `made-by-${req.get('idempotency-key')}`, finished: false });
      else res.status(201).json({ id: `made-by-${req.get('idempotency-key')}` });
    });
    app.post('/preview', (_req, res) => {
      counts.preview++;
      res.json({ execution: counts.preview });
    });
    app.use(errorHandler);
    return app;
  }

  let app: Express;
  beforeAll(async () => {
    db = await open();
    store = new PrismaIdempotencyStore(db.prisma, onDriver ? db : undefined);
    app = buildApp();
  });
  afterAll(() => db?.close());

  it('replays the first answer exactly (status, Location, body) and runs the route once', async () => {
    const first = await request(app).post('/things').set('Idempotency-Key', 'k-1').send({ name: 'Ana', extra: { b: 1, a: 2 } }).expect(201);
    // The same body written with its keys in another order is the same request.
    const again = await request(app).post('/things').set('Idempotency-Key', 'k-1').send({ extra: { a: 2, b: 1 }, name: 'Ana' }).expect(201);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.text).toBe(first.text);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(counts.things).toBe(1);
    expect(await db.prisma.opsResource.count({ where: { name: 'Ana' } })).toBe(1);
  });

  it('reads a stored answer from the database once for a burst of retries, and keeps no answer nobody retried', async () => {
    const calls = { claim: 0 };
    class CountingStore extends PrismaIdempotencyStore {
      override claim(c: Parameters<PrismaIdempotencyStore['claim']>[0]) {
        calls.claim++;
        return super.claim(c);
      }
    }
    const own = buildApp({ store: new CountingStore(db.prisma, onDriver ? db : undefined) });
    const first = await request(own).post('/things').set('Idempotency-Key', 'retried-1').send({ name: 'Retried' }).expect(201);
    expect(calls.claim).toBe(1);
    // The first retry finds the stored answer in the database; the next ones replay it from memory.
    for (let i = 0; i < 3; i++) {
      const again = await request(own).post('/things').set('Idempotency-Key', 'retried-1').send({ name: 'Retried' }).expect(201);
      expect(again.text).toBe(first.text);
      expect(again.headers['idempotent-replayed']).toBe('true');
    }
    expect(calls.claim).toBe(2);
    // Memory holds the answer for this key only: another key's retry reads the database again,
    // and a different body with the remembered key is still refused.
    await request(own).post('/things').set('Idempotency-Key', 'retried-2').send({ name: 'Retried too' }).expect(201);
    await request(own).post('/things').set('Idempotency-Key', 'retried-2').send({ name: 'Retried too' }).expect(201);
    expect(calls.claim).toBe(4);
    await request(own).post('/things').set('Idempotency-Key', 'retried-1').send({ name: 'Changed' }).expect(422);
    expect(await db.prisma.opsResource.count({ where: { name: { in: ['Retried', 'Retried too'] } } })).toBe(2);
  });

  it('refuses the same key with another body (422) and scopes keys to the caller', async () => {
    await request(app).post('/things').set('Idempotency-Key', 'k-2').send({ name: 'Bea' }).expect(201);
    const reuse = await request(app).post('/things').set('Idempotency-Key', 'k-2').send({ name: 'Cid' }).expect(422);
    expect(reuse.body).toMatchObject({ type: '/problems/idempotency-key-reuse', errors: [{ pointer: 'header:Idempotency-Key' }] });
    const before = counts.things;
    // Another caller's identical key is another request.
    await request(app).post('/things').set('Idempotency-Key', 'k-2').set('x-test-user', 'u2').send({ name: 'Bea' }).expect(201);
    expect(counts.things).toBe(before + 1);
  });

  it('keeps only successful answers: after a 5xx or a refusal (4xx) the key is free, so a retry (or a corrected body) runs again', async () => {
    await request(app).post('/flaky').set('Idempotency-Key', 'k-3').send({}).expect(503);
    const retry = await request(app).post('/flaky').set('Idempotency-Key', 'k-3').send({}).expect(201);
    expect(retry.body).toEqual({ ok: true, execution: 2 });
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    await request(app).post('/refused').set('Idempotency-Key', 'k-4').send({}).expect(422);
    const again = await request(app).post('/refused').set('Idempotency-Key', 'k-4').send({}).expect(422);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(counts.refused).toBe(2);
    // The key a refused request carried may be used again for another request.
    await request(app).post('/refused').set('Idempotency-Key', 'k-4b').send({}).expect(422);
    await request(app).post('/things').set('Idempotency-Key', 'k-4b').send({ name: 'Eve' }).expect(201);
  });

  it('forgets keys after the TTL (24 h by default) and purges expired rows', async () => {
    await request(app).post('/things').set('Idempotency-Key', 'k-5').send({ name: 'Dan' }).expect(201);
    const before = counts.things;
    now += 24 * 60 * 60_000 - 1;
    await request(app).post('/things').set('Idempotency-Key', 'k-5').send({ name: 'Dan' }).expect(201);
    expect(counts.things).toBe(before);
    now += 2;
    const fresh = await request(app).post('/things').set('Idempotency-Key', 'k-5').send({ name: 'Dan' }).expect(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(counts.things).toBe(before + 1);
    now += 25 * 60 * 60_000;
    expect(await store.purgeExpired(new Date(now))).toBeGreaterThan(0);
    expect(await db.prisma.idempotencyRecord.count()).toBe(0);
  });

  it('validates the header and ignores routes that do not honour it', async () => {
    const bad = await request(app).post('/things').set('Idempotency-Key', 'é'.repeat(3)).send({ name: 'x' }).expect(400);
    expect(bad.body.errors).toEqual([{ pointer: 'header:Idempotency-Key', detail: expect.stringContaining('printable') }]);
    await request(app).post('/things').set('Idempotency-Key', 'x'.repeat(256)).send({ name: 'x' }).expect(400);
    await request(app).post('/preview').set('Idempotency-Key', 'k-6').send({}).expect(200);
    await request(app).post('/preview').set('Idempotency-Key', 'k-6').send({}).expect(200);
    expect(counts.preview).toBe(2);
  });

  it('waits for a request still running in another process, then replays it; 409 when it takes too long', async () => {
    // Two apps on one store stand for two API processes.
    const other = buildApp({ sleep: () => new Promise((r) => setImmediate(r)), waitMs: 200 });
    const first = request(app).post('/slow').set('Idempotency-Key', 'k-7').send({}).then((r) => r);
    while (counts.slow === 0) await new Promise((r) => setImmediate(r));
    const late = await request(buildApp({ sleep: () => Promise.resolve(), waitMs: 50 })).post('/slow').set('Idempotency-Key', 'k-7').send({}).expect(409);
    expect(late.body.type).toBe('/problems/idempotency-key-in-progress');
    const waiting = request(other).post('/slow').set('Idempotency-Key', 'k-7').send({}).then((r) => r);
    releaseSlow();
    const [a, b] = await Promise.all([first, waiting]);
    expect(b.status).toBe(201);
    expect(b.text).toBe(a.text);
    expect(counts.slow).toBe(1);
  });

  it('a key whose first request never answered (its server stopped) is refused after the lease, or taken over where the route recovers by key', async () => {
    const hashFor = (path: string) => createHash('sha256').update(`POST\n${path}\n${canonicalJson({ name: 'Gus' })}`).digest('hex');
    // A process claimed these keys, then died before answering.
    const crashedAt = new Date(now);
    for (const [key, path] of [['k-lost', '/things'], ['k-lost-keyed', '/keyed']] as const) {
      expect(await store.claim({ principal: 'user:u1', key, method: 'POST', path, bodyHash: hashFor(path), now: crashedAt, expiresAt: new Date(now + 24 * 60 * 60_000) })).toEqual({ kind: 'started' });
    }
    const quick = buildApp({ sleep: () => Promise.resolve(), waitMs: 50 });
    // Within the lease (15 minutes) the first request may still be running: 409 in progress.
    now += 15 * 60_000 - 1;
    expect((await request(quick).post('/things').set('Idempotency-Key', 'k-lost').send({ name: 'Gus' }).expect(409)).body.type).toBe('/problems/idempotency-key-in-progress');
    now += 1;
    const before = counts.things;
    const lost = await request(quick).post('/things').set('Idempotency-Key', 'k-lost').send({ name: 'Gus' }).expect(409);
    expect(lost.body).toMatchObject({ type: '/problems/idempotency-key-abandoned', firstRequestAt: crashedAt.toISOString(), errors: [{ pointer: 'header:Idempotency-Key' }] });
    expect(lost.body.detail).toContain('retry with a new key');
    expect(counts.things).toBe(before);
    // Another body with that key is still a reuse.
    await request(quick).post('/things').set('Idempotency-Key', 'k-lost').send({ name: 'Hal' }).expect(422);
    // A route that finds its own earlier work by the key runs again, once; then its answer replays.
    const keyed = await request(quick).post('/keyed').set('Idempotency-Key', 'k-lost-keyed').send({ name: 'Gus' }).expect(201);
    expect(keyed.body).toEqual({ id: 'made-by-k-lost-keyed' });
    const replayed = await request(quick).post('/keyed').set('Idempotency-Key', 'k-lost-keyed').send({ name: 'Gus' }).expect(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(counts.keyed).toBe(1);
  });

  it('a 202 (started, not finished) from a route that recovers by key is not replayed: each retry runs again until it is final', async () => {
    counts.keyed = 0;
    const send = () => request(app).post('/keyed').set('Idempotency-Key', 'k-pending').send({ pending: true });
    expect((await send().expect(202)).body).toEqual({ id: 'made-by-k-pending', finished: false });
    expect((await send().expect(202)).headers['idempotent-replayed']).toBeUndefined();
    expect((await send().expect(201)).body).toEqual({ id: 'made-by-k-pending' });
    // Final now: replayed from here on, the route not run again.
    expect((await send().expect(201)).headers['idempotent-replayed']).toBe('true');
    expect(counts.keyed).toBe(3);
  });

  it('1,000 concurrent duplicates: one execution, one row, 1,000 identical responses', async () => {
    const server: Server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 2048, resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const before = counts.things;
      const body = JSON.stringify({ name: 'Burst' });
      const responses = await Promise.all(Array.from({ length: 1000 }, () => post(port, '/things', body, { 'idempotency-key': 'burst' })));
      expect(counts.things).toBe(before + 1);
      expect(await db.prisma.opsResource.count({ where: { name: 'Burst' } })).toBe(1);
      expect(new Set(responses.map((r) => JSON.stringify(r))).size).toBe(1);
      expect(responses[0]!.status).toBe(201);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('stores the answers completed in the same turn together (one statement per caller), each its own', async () => {
    const at = new Date(now);
    const keys = Array.from({ length: 25 }, (_, i) => `batch-${i}`);
    // Two callers in the same turn: each key belongs to one of them.
    const callerOf = (i: number) => (i % 3 === 0 ? 'user:batch-2' : 'user:batch');
    const hashOf = (key: string) => createHash('sha256').update(key).digest('hex');
    for (const [i, key] of keys.entries()) {
      expect(await store.claim({ principal: callerOf(i), key, method: 'POST', path: '/things', bodyHash: hashOf(key), now: at, expiresAt: new Date(now + 60_000) })).toEqual({ kind: 'started' });
    }
    const answer = (key: string) => ({ status: 201, headers: { location: `/things/${key}` }, body: JSON.stringify({ key, note: 'quotes " and \\ survive' }) });
    // Not awaited one by one: all 25 are queued in this turn and stored together.
    await Promise.all(keys.map((key, i) => store.complete(callerOf(i), key, answer(key), at)));
    for (const [i, key] of keys.entries()) {
      expect(await store.look(callerOf(i), key, hashOf(key), at)).toEqual({ kind: 'done', response: answer(key), expiresAt: new Date(now + 60_000) });
      // The other caller has no such key.
      expect(await store.look(callerOf(i + 1) === callerOf(i) ? 'user:batch-3' : callerOf(i + 1), key, hashOf(key), at)).toBeNull();
    }
    // A key not claimed (or already done) is left alone.
    await store.complete('user:batch', 'never-claimed', answer('x'), at);
    expect(await store.look('user:batch', 'never-claimed', hashOf('never-claimed'), at)).toBeNull();
  });

  it('hashes bodies canonically', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
  });
});
