import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import { SignJWT } from 'jose';
import { generate } from 'otplib';
import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { PERMISSIONS } from '../../domain/access/roles';
import { addDays } from '../../domain/catalog/dates';
import { calendarDateIn } from '../../domain/time/instant';
import type { AccessServices } from '../../infra/access';
import type { Database } from '../../infra/database';
import { seedDemoCatalog } from '../../infra/demo-catalog';
import type { DevServer } from '../../infra/dev-server';
import { financeDeps } from '../../infra/finance';
import { TemporalClientProvider, type TemporalTarget } from '../../infra/temporal';
import { connectClient, prepareReadyFinance, silentLogger, startTestDevServer, testAccess } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { bookingWorkerPorts, superviseBookingWorker, type SupervisedWorker } from '../../workers/booking-worker';
import { superviseFinanceWorker } from '../../workers/finance-worker';
import { superviseSupplierWorker } from '../../workers/supplier-worker';
import { createApiKey, type AuthSettings } from '../access/authenticate';
import { createApp } from '../app';

/**
 * The whole access stack end to end (issue 9): the real `createApp` (route policy → audit trail →
 * authentication → authorisation → idempotency → ETags → routes) on PGlite, with the booking,
 * finance and supplier workers on a real Temporal dev server. Access control runs on a
 * controllable clock (tokens, sessions, step-up, TOTP, idempotency expiry, audit timestamps);
 * workflows run on real time.
 */

const MIN = 60_000;
const PASSWORD = 'correct horse battery staple';
const ADVISOR_IP = '198.51.100.23';
const FINANCE_IP = '203.0.113.9';
const today = calendarDateIn(Date.now(), 'UTC');
// Inside the demo contracts (today+1..today+120) and before their 21-day release.
const departure = addDays(today, 60);
const ret = addDays(departure, 3);

let now = Date.now();
const clock = () => now;
const code = (secret: string, at = now) => generate({ secret, epoch: Math.floor(at / 1000) });

let server: DevServer;
let db: Database;
let client: Client;
let temporal: TemporalClientProvider;
let workers: SupervisedWorker[] = [];
let access: AccessServices;
let app: Express;
let adminKey: string;
let hotel: { supplierCode: string; productCode: string; category: string; ratePlan: string };

function buildApp(target: TemporalClientProvider, services: AccessServices): Express {
  return createApp({ db, bookings: new PrismaBookingStore(db.prisma), temporal: target, logger: silentLogger, operatorTimeZone: 'UTC', finance: financeDeps(db.prisma), access: services });
}

/** A hotel-only trip for a customer (the advisor is the caller's unless given). */
function trip(customerId: string, advisorId?: string) {
  return {
    customerId,
    ...(advisorId ? { advisorId } : {}),
    currency: 'EUR',
    departureDate: departure,
    returnDate: ret,
    components: [{ id: 'hotel', kind: 'HOTEL', ...hotel, startDate: departure, nights: 3, units: [{ adults: 2, childAges: [] }] }],
    paymentTerms: { depositPercent: '25' },
  };
}

const admin = () => ({ 'X-Api-Key': adminKey });
const bearer = (token: string, ip = ADVISOR_IP) => ({ Authorization: `Bearer ${token}`, 'X-Forwarded-For': ip });

async function createUser(body: Record<string, unknown>): Promise<string> {
  const res = await request(app).post('/users').set(admin()).send({ password: PASSWORD, ...body });
  expect({ status: res.status, problem: res.status === 201 ? null : res.body }).toEqual({ status: 201, problem: null });
  return res.body.id as string;
}

async function login(target: Express, email: string, ip: string) {
  const res = await request(target).post('/auth/login').set('X-Forwarded-For', ip).send({ email, password: PASSWORD });
  expect(res.status).toBe(200);
  return res.body as { accessToken: string; refreshToken: string; sessionId: string; mfaRequired: boolean; mfaEnrolmentRequired?: boolean };
}

/** Enrols and confirms TOTP for a signed-in user: the authenticator's secret. */
async function enrolMfa(accessToken: string, ip: string): Promise<string> {
  const enrolled = await request(app).post('/auth/mfa/enrol').set(bearer(accessToken, ip)).send({});
  expect(enrolled.status).toBe(200);
  const secret = enrolled.body.secret as string;
  const confirmed = await request(app).post('/auth/mfa/confirm').set(bearer(accessToken, ip)).send({ code: await code(secret) });
  expect(confirmed.body).toEqual({ mfaEnabled: true });
  return secret;
}

/** Polls an eventually consistent read (Temporal visibility) a bounded number of times. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, attempts = 100): Promise<T> {
  let v = await read();
  for (let i = 0; i < attempts && !done(v); i++) {
    await new Promise((r) => setTimeout(r, 50));
    v = await read();
  }
  return v;
}

beforeAll(async () => {
  [server, db] = await Promise.all([startTestDevServer(), openTestPglite()]);
  await prepareReadyFinance(db);
  await seedDemoCatalog(db, today, silentLogger);
  await db.prisma.advisor.createMany({
    data: [
      { id: 'ADV-LON', name: 'London Advisor', branch: 'LON' },
      { id: 'ADV-MAN', name: 'Manchester Advisor', branch: 'MAN' },
    ],
  });
  const target: TemporalTarget = { address: server.address, namespace: 'default' };
  temporal = new TemporalClientProvider(target);
  workers = [
    superviseBookingWorker(target, bookingWorkerPorts(db, { operatorTimeZone: 'UTC', logger: silentLogger }), silentLogger, '5s'),
    superviseFinanceWorker(target, { prisma: db.prisma, driver: db, operatorTimeZone: 'UTC', feeds: {} }, silentLogger, '5s'),
    superviseSupplierWorker(target, { flightSuppliers: {} }, silentLogger, '5s'),
  ];
  access = testAccess(db, { clock, settings: { loginAttemptsPerMinute: 10_000 } });
  app = buildApp(temporal, access);
  adminKey = (await createApiKey(db.prisma, { name: 'e2e admin', scopes: PERMISSIONS, createdBy: 'access e2e test' })).token;
  client = await connectClient(server.address);
  await Promise.all(workers.map((w) => w.ready));

  const products = await request(app).get('/catalog/products').set(admin()).query({ type: 'HOTEL', limit: 1 }).expect(200);
  const destination: string = products.body.items[0].destination;
  const search = await request(app).get('/catalog/availability').set(admin()).query({ destination, checkIn: departure, checkOut: ret, adults: 2, rooms: 1, type: 'HOTEL', currency: 'EUR' }).expect(200);
  const o = search.body.items[0];
  hotel = { supplierCode: o.supplierCode, productCode: o.productCode, category: o.category, ratePlan: o.ratePlan };
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await temporal?.close();
  await access?.close();
  await client?.connection.close();
  await db?.close();
  await server?.stop();
});

describe('access stack end to end', () => {
  test('1,000 concurrent duplicates of POST /bookings: one booking, one workflow, identical answers', async () => {
    // Every duplicate is held at the door until all 1,000 are inside the server, then all are let
    // through the access stack at once: each overlaps with the first (nothing answered before all arrived).
    const DUPLICATES = 1000;
    let arrived = 0;
    let inside: number | null = null;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = () => {
        inside ??= arrived;
        resolve();
      };
    });
    const safety = setTimeout(release, 30_000);
    const http = createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/bookings' && inside === null && ++arrived === DUPLICATES) release();
      void gate.then(() => app(req, res));
    });
    await new Promise<void>((resolve) => http.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, resolve));
    try {
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/bookings`;
      const key = 'e2e-dup-0001';
      const body = JSON.stringify(trip('C-E2E-DUP', 'ADV-MAN'));
      const bookingsBefore = await db.prisma.booking.count();
      const post = async (payload: string) => {
        const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': adminKey, 'idempotency-key': key }, body: payload });
        return { status: r.status, body: await r.text(), replayed: r.headers.get('idempotent-replayed'), location: r.headers.get('location') };
      };
      const answers = await Promise.all(Array.from({ length: DUPLICATES }, () => post(body)));

      expect(inside).toBe(DUPLICATES);
      const first = answers.find((a) => a.replayed === null)!;
      expect({ status: first.status, body: first.status === 201 ? null : first.body }).toEqual({ status: 201, body: null });
      expect(answers.filter((a) => a.replayed === null)).toHaveLength(1);
      expect(answers.filter((a) => a.replayed === 'true')).toHaveLength(999);
      expect(new Set(answers.map((a) => `${a.status}\n${a.location}\n${a.body}`)).size).toBe(1);
      const reference = JSON.parse(first.body).reference as string;
      expect(first.location).toBe(`/bookings/${reference}`);

      expect(await db.prisma.booking.count()).toBe(bookingsBefore + 1);
      expect(await db.prisma.booking.count({ where: { reference } })).toBe(1);
      const workflows = await eventually(
        () => client.workflow.count(`WorkflowType = 'BookingWorkflow' AND CustomerId = 'C-E2E-DUP'`),
        (c) => c.count >= 1,
      );
      expect(workflows.count).toBe(1);
      expect((await client.workflow.getHandle(`booking-${reference}`).describe()).status.name).toBe('RUNNING');

      // The same key with another body: refused, nothing started.
      const reuse = await post(JSON.stringify(trip('C-E2E-OTHER', 'ADV-MAN')));
      expect(reuse.status).toBe(422);
      expect(JSON.parse(reuse.body)).toMatchObject({ type: '/problems/idempotency-key-reuse', errors: [{ pointer: 'header:Idempotency-Key' }] });
      expect(await db.prisma.booking.count()).toBe(bookingsBefore + 1);
    } finally {
      clearTimeout(safety);
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  }, 60_000);

  let advisorId: string;
  let advisorReference: string;
  let advisorRefreshToken: string;

  test("an advisor's day: created by an admin, signs in, books, is kept to their branch, steps up to refund", async () => {
    advisorId = await createUser({ email: 'ada.advisor@itinera.test', name: 'Ada Advisor', role: 'ADVISOR', branch: 'LON', advisorId: 'ADV-LON' });
    const s = await login(app, 'ada.advisor@itinera.test', ADVISOR_IP);
    expect(s.mfaRequired).toBe(false);
    advisorRefreshToken = s.refreshToken;
    const who = await request(app).get('/auth/me').set(bearer(s.accessToken));
    expect(who.body).toMatchObject({ kind: 'user', id: advisorId, role: 'ADVISOR', branch: 'LON', allBranches: false });

    // Books without naming an advisor: the booking is theirs.
    const held = await request(app).post('/bookings').set(bearer(s.accessToken)).send(trip('C-E2E-ADA'));
    expect({ status: held.status, problem: held.status === 201 ? null : held.body }).toEqual({ status: 201, problem: null });
    advisorReference = held.body.reference;
    expect((await db.prisma.booking.findUniqueOrThrow({ where: { reference: advisorReference } })).advisorId).toBe('ADV-LON');
    const read = await request(app).get(`/bookings/${advisorReference}`).set(bearer(s.accessToken));
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ reference: advisorReference, status: 'HELD' });

    // Another branch's booking answers exactly as one that does not exist.
    const manchester = await request(app).post('/bookings').set(admin()).send(trip('C-E2E-MAN', 'ADV-MAN'));
    expect(manchester.status).toBe(201);
    const hidden = await request(app).get(`/bookings/${manchester.body.reference}`).set(bearer(s.accessToken));
    expect(hidden.status).toBe(404);
    const unknown = await request(app).get('/bookings/ITN-ZZZZ9999').set(bearer(s.accessToken));
    expect(unknown.status).toBe(404);
    expect(hidden.body.type).toBe(unknown.body.type);
    expect(JSON.stringify(hidden.body)).not.toContain('C-E2E-MAN');
    expect((await request(app).post(`/bookings/${manchester.body.reference}/cancellation/preview`).set(bearer(s.accessToken)).send({ reason: 'not mine' })).status).toBe(404);

    // A refund needs a fresh TOTP proof: refused, nothing cancelled.
    const refused = await request(app).post(`/bookings/${advisorReference}/cancellation`).set(bearer(s.accessToken)).send({ reason: 'customer asked' });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('/problems/step-up-required');
    expect((await request(app).get(`/bookings/${advisorReference}`).set(bearer(s.accessToken))).body.status).toBe('HELD');

    const secret = await enrolMfa(s.accessToken, ADVISOR_IP);
    now += 30_000; // the next TOTP step (each code once)
    const wrong = await request(app).post('/auth/step-up').set(bearer(s.accessToken)).send({ code: (await code(secret)) === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(403);
    const up = await request(app).post('/auth/step-up').set(bearer(s.accessToken)).send({ code: await code(secret) });
    expect(up.status).toBe(200);
    expect(up.body.mfaAt).toBe(new Date(now).toISOString());
    const cancelled = await request(app).post(`/bookings/${advisorReference}/cancellation`).set(bearer(up.body.accessToken)).send({ reason: 'customer asked' });
    expect({ status: cancelled.status, problem: cancelled.status === 200 ? null : cancelled.body }).toEqual({ status: 200, problem: null });
    expect(cancelled.body.status).toBe('CANCELLED');
  }, 60_000);

  test('finance: cannot book; journal entries need a step-up; the audit trail shows who did what from where', async () => {
    const financeId = await createUser({ email: 'fin.officer@itinera.test', name: 'Fin Officer', role: 'FINANCE' });
    const s = await login(app, 'fin.officer@itinera.test', FINANCE_IP);
    expect(s.mfaEnrolmentRequired).toBe(true);
    const secret = await enrolMfa(s.accessToken, FINANCE_IP);

    const book = await request(app).post('/bookings').set(bearer(s.accessToken, FINANCE_IP)).send(trip('C-E2E-FIN', 'ADV-LON'));
    expect(book.status).toBe(403);
    expect(book.body.type).toBe('/problems/forbidden');
    expect(JSON.stringify(book.body)).not.toContain('C-E2E-FIN');

    // Six minutes on: a fresh access token (refresh), but the MFA proof is too old for the ledger.
    now += 6 * MIN;
    const refreshed = await request(app).post('/auth/refresh').set('X-Forwarded-For', FINANCE_IP).send({ refreshToken: s.refreshToken });
    expect(refreshed.status).toBe(200);
    const entry = {
      date: calendarDateIn(Date.now(), 'UTC'),
      description: 'Goodwill gesture, e2e',
      reference: 'E2E-GOODWILL-1',
      lines: [
        { account: 'expense:goodwill', side: 'DEBIT', amount: { amount: '120.50', currency: 'GBP' } },
        { account: 'asset:bank:GBP', side: 'CREDIT', amount: { amount: '120.50', currency: 'GBP' } },
      ],
    };
    const stale = await request(app).post('/finance/journal-entries').set(bearer(refreshed.body.accessToken, FINANCE_IP)).send(entry);
    expect(stale.status).toBe(403);
    expect(stale.body.type).toBe('/problems/step-up-required');
    expect(await db.prisma.journalEntry.count({ where: { description: entry.description } })).toBe(0);
    const up = await request(app).post('/auth/step-up').set(bearer(refreshed.body.accessToken, FINANCE_IP)).send({ code: await code(secret) });
    expect(up.status).toBe(200);
    const posted = await request(app).post('/finance/journal-entries').set(bearer(up.body.accessToken, FINANCE_IP)).send(entry);
    expect({ status: posted.status, problem: posted.status === 201 ? null : posted.body }).toEqual({ status: 201, problem: null });
    // Posted in error: reversed through the full stack, with an Idempotency-Key a retry replays.
    const reversal = { date: entry.date, description: 'Goodwill posted to the wrong customer' };
    const reverse = () =>
      request(app).post(`/finance/journal-entries/${posted.body.id}/reversal`).set(bearer(up.body.accessToken, FINANCE_IP)).set('Idempotency-Key', 'e2e-reversal-1').send(reversal);
    const reversed = await reverse();
    expect({ status: reversed.status, problem: reversed.status === 201 ? null : reversed.body }).toEqual({ status: 201, problem: null });
    expect(reversed.body).toMatchObject({ reversesId: posted.body.id, kind: 'reversal', lines: [expect.objectContaining({ account: 'expense:goodwill', side: 'CREDIT' }), expect.objectContaining({ account: 'asset:bank:GBP', side: 'DEBIT' })] });
    const retried = await reverse();
    expect([retried.status, retried.headers['idempotent-replayed'], retried.body.id]).toEqual([201, 'true', reversed.body.id]);
    expect(await db.prisma.journalEntry.count({ where: { reversesId: posted.body.id } })).toBe(1);

    // The trail, as finance reads it.
    await access.audit.flush();
    const trail = async (query: Record<string, string>) => {
      const res = await request(app).get('/audit').set(bearer(up.body.accessToken, FINANCE_IP)).query({ limit: '500', ...query });
      expect(res.status).toBe(200);
      return res.body.items as Array<Record<string, unknown>>;
    };
    const bookingPosts = await trail({ action: 'POST /bookings' });
    expect(bookingPosts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actorKind: 'user', actorId: advisorId, actorName: expect.any(String), role: 'ADVISOR', ip: ADVISOR_IP, outcome: 'success', status: 201, resourceId: advisorReference }),
        expect.objectContaining({ actorKind: 'user', actorId: financeId, role: 'FINANCE', ip: FINANCE_IP, outcome: 'denied', status: 403 }),
      ]),
    );
    const cancellations = await trail({ action: 'POST /bookings/:reference/cancellation' });
    expect(cancellations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actorId: advisorId, ip: ADVISOR_IP, outcome: 'denied', status: 403, path: `/bookings/${advisorReference}/cancellation`, detail: 'step-up MFA required' }),
        expect.objectContaining({ actorId: advisorId, ip: ADVISOR_IP, outcome: 'success', status: 200, resourceId: advisorReference, category: 'financial' }),
      ]),
    );
    const journal = await trail({ action: 'POST /finance/journal-entries', actor: financeId });
    expect(journal.map((e) => [e.outcome, e.status, e.ip])).toEqual([
      ['success', 201, FINANCE_IP],
      ['denied', 403, FINANCE_IP],
    ]);
    const reversals = await trail({ action: 'POST /finance/journal-entries/:id/reversal', actor: financeId });
    // Newest first: the retry, marked as a replay, then the request that posted the reversal.
    expect(reversals.map((e) => [e.outcome, e.status, e.category, e.path, e.detail])).toEqual([
      ['success', 201, 'financial', `/finance/journal-entries/${posted.body.id}/reversal`, expect.stringContaining('replayed the answer of an earlier request')],
      ['success', 201, 'financial', `/finance/journal-entries/${posted.body.id}/reversal`, null],
    ]);
    // The refused attempts are only in the trail: no token or password in it.
    const all = JSON.stringify(await trail({}));
    for (const secretValue of [s.accessToken, up.body.accessToken, PASSWORD]) expect(all).not.toContain(secretValue);
    // Advisors do not read the audit trail.
    const advisor = await request(app).post('/auth/refresh').set('X-Forwarded-For', ADVISOR_IP).send({ refreshToken: advisorRefreshToken });
    expect(advisor.status).toBe(200);
    const denied = await request(app).get('/audit').set(bearer(advisor.body.accessToken));
    expect(denied.status).toBe(403);
    expect(denied.body.type).toBe('/problems/forbidden');
  }, 60_000);

  test('idle timeout on the controllable clock: after 16 idle minutes the answer is the forged-token 401', async () => {
    // Access tokens outlive the idle window here, so the session's idleness is what refuses.
    const longTokens: Partial<AuthSettings> = { accessTokenTtlMs: 60 * MIN, loginAttemptsPerMinute: 10_000 };
    const idleAccess = testAccess(db, { clock, settings: longTokens });
    const idleApp = buildApp(temporal, idleAccess);
    try {
      const idleId = await createUser({ email: 'ida.idle@itinera.test', name: 'Ida Idle', role: 'ADVISOR', branch: 'LON' });
      const s = await login(idleApp, 'ida.idle@itinera.test', ADVISOR_IP);
      const me = (token: string) => request(idleApp).get('/auth/me').set(bearer(token));
      now += 14 * MIN;
      expect((await me(s.accessToken)).status).toBe(200); // 14 idle minutes: still fine, and active again
      now += 16 * MIN;
      const idle = await me(s.accessToken);
      expect(idle.status).toBe(401);

      const [, payload] = s.accessToken.split('.');
      const forged = await new SignJWT(JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .sign(new TextEncoder().encode('not-the-server-key-0123456789abcdefghij'));
      const forgedAnswer = await me(forged);
      expect(forgedAnswer.status).toBe(401);
      // The same answer but for the request's own id.
      const { requestId: _idleRequest, ...idleBody } = idle.body;
      const { requestId: _forgedRequest, ...forgedBody } = forgedAnswer.body;
      expect(idleBody).toEqual(forgedBody);
      expect(idle.headers['www-authenticate']).toBe(forgedAnswer.headers['www-authenticate']);
      expect(idle.body).toMatchObject({ type: '/problems/unauthorized', status: 401 });

      // The session is over for good: refreshing does not revive it.
      expect((await request(idleApp).post('/auth/refresh').send({ refreshToken: s.refreshToken })).status).toBe(401);
      await idleAccess.audit.flush();
      const reasons = (await db.prisma.auditEvent.findMany({ where: { actorId: idleId, outcome: 'denied', status: 401 }, orderBy: { id: 'asc' } })).map((e) => e.detail);
      expect(reasons).toContain('session-idle');
      // The forged token names nobody the server can trust: refused without an actor.
      expect(await db.prisma.auditEvent.count({ where: { actorId: null, outcome: 'denied', status: 401, detail: { contains: 'bad-signature' } } })).toBe(1);
    } finally {
      await idleAccess.close();
    }
  }, 30_000);

  test('ETag / If-Match on an operations resource: stale → 412, current → 200 with before/after audited', async () => {
    const created = await request(app).post('/operations/resources').set(admin()).send({ kind: 'GUIDE', name: 'Gina Guide', destination: 'PT-LIS', languages: ['en', 'pt'] });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const read = await request(app).get(`/operations/resources/${id}`).set(admin());
    expect(read.status).toBe(200);
    const etag = read.headers.etag as string;
    expect(etag).toBe(created.headers.etag);

    const first = await request(app).patch(`/operations/resources/${id}`).set(admin()).set('If-Match', etag).send({ phone: '+351 210 000 000' });
    expect(first.status).toBe(200);
    const current = first.headers.etag as string;
    expect(current).not.toBe(etag);

    const stale = await request(app).patch(`/operations/resources/${id}`).set(admin()).set('If-Match', etag).send({ name: 'Gina G. Guide' });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ type: '/problems/precondition-failed', errors: [{ pointer: 'header:If-Match' }] });
    expect((await request(app).get(`/operations/resources/${id}`).set(admin())).body.name).toBe('Gina Guide');

    const ok = await request(app).patch(`/operations/resources/${id}`).set(admin()).set('If-Match', current).send({ name: 'Gina G. Guide' });
    expect(ok.status).toBe(200);
    expect(ok.body.name).toBe('Gina G. Guide');
    expect(ok.headers.etag).not.toBe(current);

    await access.audit.flush();
    const trail = await request(app).get('/audit').set(admin()).query({ action: 'PATCH /operations/resources/:id', resourceId: id });
    expect(trail.status).toBe(200);
    const items = trail.body.items as Array<{ outcome: string; status: number; category: string; before: { name: string } | null; after: { request: unknown; response: { name: string } } | null }>;
    expect(items.map((e) => [e.outcome, e.status])).toEqual([
      ['success', 200],
      ['failed', 412],
      ['success', 200],
    ]);
    const last = items[0]!;
    expect(last.category).toBe('master-data');
    expect(last.before).toMatchObject({ name: 'Gina Guide', phone: '+351 210 000 000' });
    expect(last.after).toMatchObject({ request: { name: 'Gina G. Guide' }, response: { name: 'Gina G. Guide' } });
  }, 30_000);
});
