import express, { type Express } from 'express';
import { generate } from 'otplib';
import { pinoHttp } from 'pino-http';
import request from 'supertest';
import { SignJWT } from 'jose';
import { authenticate, createApiKey, createUser, type AuthDeps } from '../access/authenticate';
import type { AuditRecord, AuditSink } from '../access/audit-sink';
import { CHEAP_PASSWORD_OPTIONS } from '../access/passwords';
import { routePolicy } from '../access/route-match';
import { errorHandler } from '../error-handler';
import { authRoutes } from '../routes/auth.routes';
import { userRoutes } from '../routes/users.routes';
import { sendProblem } from '../problem';
import { createLogger } from '../../infra/logger';
import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { ListView } from '../schemas/answer.schema';
import {
  ApiKeyView,
  IssuedApiKey,
  LoginResponse,
  MeResponse,
  MfaConfirmResponse,
  MfaEnrolResponse,
  RefreshResponse,
  RoleAllowlistView,
  RolePolicyView,
  StepUpResponse,
  TokensResponse,
  UserView,
} from '../openapi/responses';

const T0 = Date.UTC(2026, 10, 29, 9, 0, 0);
const MIN = 60_000;
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a long enough password';
const TOKEN_KEY = 'k'.repeat(40);

class MemoryAudit implements AuditSink {
  readonly events: AuditRecord[] = [];
  record(event: AuditRecord): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
}

let db: Database;
let now = T0;
const audit = new MemoryAudit();
let deps: AuthDeps;
let app: Express;
let adminKey: string;

function buildApp(d: AuthDeps): Express {
  const a = express();
  a.set('trust proxy', 'loopback');
  a.use(pinoHttp({ logger: createLogger('silent') }));
  a.use(express.json());
  a.use(routePolicy());
  a.use(authenticate(d));
  a.use(authRoutes(d));
  a.use(userRoutes(d));
  a.use((req, res) => sendProblem(res, { status: 404, title: 'Not found', detail: `No route for ${req.method} ${req.path}`, type: '/problems/not-found' }));
  a.use(errorHandler);
  return a;
}

let seq = 0;
async function newUser(role: 'ADVISOR' | 'FINANCE' | 'OPERATIONS' | 'MANAGEMENT' | 'ADMIN' = 'ADVISOR', extra: { ipAllowlist?: string[] } = {}) {
  const email = `user${++seq}@itinera.test`;
  const user = await createUser(db.prisma, { email, name: `User ${seq}`, role, password: PASSWORD, branch: 'LON', ...extra }, CHEAP_PASSWORD_OPTIONS);
  return { id: user.id, email };
}

const code = (secret: string, at: number) => generate({ secret, epoch: Math.floor(at / 1000) });
const login = (email: string, password = PASSWORD, ip = '127.0.0.1') => request(app).post('/auth/login').set('X-Forwarded-For', ip).send({ email, password });
const me = (token: string, ip = '127.0.0.1') => request(app).get('/auth/me').set('Authorization', `Bearer ${token}`).set('X-Forwarded-For', ip);

async function signedIn(email: string, password = PASSWORD): Promise<{ accessToken: string; refreshToken: string; sessionId: string }> {
  const res = await login(email, password);
  expect(res.status).toBe(200);
  LoginResponse.parse(res.body);
  return res.body;
}

/** Enrols and confirms MFA for a signed-in user; returns the secret and recovery codes. */
async function enrol(accessToken: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const res = await request(app).post('/auth/mfa/enrol').set('Authorization', `Bearer ${accessToken}`).send({});
  expect(res.status).toBe(200);
  const ok = await request(app).post('/auth/mfa/confirm').set('Authorization', `Bearer ${accessToken}`).send({ code: await code(res.body.secret, now) });
  expect(ok.status).toBe(200);
  return res.body;
}

async function mfaLogin(email: string, body: { code?: string; recoveryCode?: string }) {
  const first = await login(email);
  expect(first.body).toMatchObject({ mfaRequired: true });
  return request(app).post('/auth/mfa').send({ challenge: first.body.challenge, ...body });
}

beforeAll(async () => {
  db = await openTestPglite();
  deps = {
    prisma: db.prisma,
    audit,
    clock: () => now,
    secrets: { tokenKey: TOKEN_KEY, dataKey: 'd'.repeat(40) },
    settings: { password: CHEAP_PASSWORD_OPTIONS, loginAttemptsPerMinute: 10_000 },
  };
  app = buildApp(deps);
  adminKey = (await createApiKey(db.prisma, { name: 'test admin', scopes: ['users:manage'] })).token;
});
afterAll(() => db?.close());
beforeEach(() => {
  now += 10 * 60 * MIN; // every test starts on fresh TOTP steps, past earlier lockouts
});

describe('MFA', () => {
  test('enrol, confirm, sign in with a challenge and a code; wrong and reused codes refused; recovery codes once', async () => {
    const u = await newUser();
    const first = await signedIn(u.email);
    const enrolled = await request(app).post('/auth/mfa/enrol').set('Authorization', `Bearer ${first.accessToken}`).send({});
    expect(enrolled.status).toBe(200);
    MfaEnrolResponse.parse(enrolled.body);
    expect(enrolled.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Itinera:user\d+%40itinera\.test\?.*secret=[A-Z2-7]+/);
    expect(enrolled.body.recoveryCodes).toHaveLength(10);
    const { secret, recoveryCodes } = enrolled.body as { secret: string; recoveryCodes: string[] };
    const stored = await db.prisma.user.findUniqueOrThrow({ where: { id: u.id } });
    expect(stored.totpSecret).not.toContain(secret); // encrypted at rest
    expect(stored.recoveryCodes.every((h) => h.startsWith('$argon2id$'))).toBe(true);

    const wrong = await request(app).post('/auth/mfa/confirm').set('Authorization', `Bearer ${first.accessToken}`).send({ code: (Number(await code(secret, now)) + 1).toString().padStart(6, '0').slice(-6) });
    expect(wrong.status).toBe(403);
    const confirmed = await request(app).post('/auth/mfa/confirm').set('Authorization', `Bearer ${first.accessToken}`).send({ code: await code(secret, now) });
    expect(confirmed.body).toEqual({ mfaEnabled: true });
    MfaConfirmResponse.parse(confirmed.body);

    now += 60_000;
    const challenge = await login(u.email);
    expect(challenge.status).toBe(200);
    expect(challenge.body).toEqual({ mfaRequired: true, challenge: expect.any(String), expiresIn: 300 });
    expect(challenge.body.accessToken).toBeUndefined();
    LoginResponse.parse(challenge.body);

    const bad = await request(app).post('/auth/mfa').send({ challenge: challenge.body.challenge, code: '000000' === (await code(secret, now)) ? '111111' : '000000' });
    expect(bad.status).toBe(401);
    const good = await request(app).post('/auth/mfa').send({ challenge: challenge.body.challenge, code: await code(secret, now) });
    expect(good.status).toBe(200);
    TokensResponse.parse(good.body);
    expect(good.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) });
    const meMfa = await me(good.body.accessToken);
    expect(meMfa.body.mfaAt).toBe(new Date(now).toISOString());
    MeResponse.parse(meMfa.body);

    // The same code again: refused (each code once).
    expect((await mfaLogin(u.email, { code: await code(secret, now) })).status).toBe(401);
    // One step behind (now - 30 s) after a later step was used: refused too (never an older one).
    expect((await mfaLogin(u.email, { code: await code(secret, now - 30_000) })).status).toBe(401);

    // ±1 step accepted, ±2 refused (on fresh steps).
    now += 5 * MIN;
    expect((await mfaLogin(u.email, { code: await code(secret, now + 60_000) })).status).toBe(401); // +2
    expect((await mfaLogin(u.email, { code: await code(secret, now - 60_000) })).status).toBe(401); // -2
    expect((await mfaLogin(u.email, { code: await code(secret, now - 30_000) })).status).toBe(200); // -1
    expect((await mfaLogin(u.email, { code: await code(secret, now + 30_000) })).status).toBe(200); // +1

    // A recovery code works once.
    expect((await mfaLogin(u.email, { recoveryCode: recoveryCodes[3]!.toUpperCase() })).status).toBe(200);
    expect((await mfaLogin(u.email, { recoveryCode: recoveryCodes[3]! })).status).toBe(401);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).recoveryCodes).toHaveLength(9);

    const reasons = audit.events.filter((e) => e.actorId === u.id && e.outcome === 'denied').map((e) => e.detail);
    expect(reasons).toEqual(expect.arrayContaining(['wrong-or-reused-code', 'wrong-or-used-recovery-code']));
  });

  test('an expired challenge is refused', async () => {
    const u = await newUser();
    const { secret } = await enrol((await signedIn(u.email)).accessToken);
    now += MIN;
    const first = await login(u.email);
    now += 5 * MIN + 1000;
    const res = await request(app).post('/auth/mfa').send({ challenge: first.body.challenge, code: await code(secret, now) });
    expect(res.status).toBe(401);
    expect(audit.events.at(-1)).toMatchObject({ action: 'auth.mfa', detail: 'challenge-expired' });
  });

  test('step-up refreshes mfaAt; roles that must use MFA are held to /auth/* until they enrol', async () => {
    const u = await newUser('FINANCE');
    const s = await signedIn(u.email);
    expect((await login(u.email)).body.mfaEnrolmentRequired).toBe(true);
    const blocked = await request(app).get('/users').set('Authorization', `Bearer ${s.accessToken}`);
    expect(blocked.status).toBe(403);
    expect(blocked.body.type).toBe('/problems/mfa-enrolment-required');
    const { secret } = await enrol(s.accessToken);
    const users = await request(app).get('/users').set('Authorization', `Bearer ${s.accessToken}`);
    expect(users.status).toBe(200);
    ListView(UserView).parse(users.body);

    now += 2 * MIN;
    const wrong = await request(app).post('/auth/step-up').set('Authorization', `Bearer ${s.accessToken}`).send({ code: '12345' });
    expect(wrong.status).toBe(422);
    const up = await request(app).post('/auth/step-up').set('Authorization', `Bearer ${s.accessToken}`).send({ code: await code(secret, now) });
    expect(up.status).toBe(200);
    StepUpResponse.parse(up.body);
    expect((await me(up.body.accessToken)).body.mfaAt).toBe(new Date(now).toISOString());
    const again = await request(app).post('/auth/step-up').set('Authorization', `Bearer ${s.accessToken}`).send({ code: await code(secret, now) });
    expect(again.status).toBe(403);
  });
});

describe('tokens and sessions', () => {
  test('an access token expires after 5 minutes', async () => {
    const u = await newUser();
    const s = await signedIn(u.email);
    now += 4 * MIN;
    expect((await me(s.accessToken)).status).toBe(200);
    now += MIN + 1000;
    expect((await me(s.accessToken)).status).toBe(401);
    expect(audit.events.at(-1)).toMatchObject({ outcome: 'denied', status: 401, detail: 'access-token-expired' });
  });

  test('idle timeout: 15 minutes from the last request or refresh', async () => {
    const u = await newUser();
    let s = await signedIn(u.email);
    now += 4 * MIN;
    expect((await me(s.accessToken)).status).toBe(200);
    now += 14 * MIN; // 14 min after the last request
    const r = await request(app).post('/auth/refresh').send({ refreshToken: s.refreshToken });
    expect(r.status).toBe(200);
    s = { ...s, ...r.body };
    now += 15 * MIN;
    expect((await request(app).post('/auth/refresh').send({ refreshToken: s.refreshToken })).status).toBe(401);
    expect(audit.events.at(-1)).toMatchObject({ detail: 'session-idle' });
    expect((await db.prisma.session.findUniqueOrThrow({ where: { id: s.sessionId } })).revokeReason).toBe('session-idle');
  });

  test('absolute timeout: 12 hours however active', async () => {
    const u = await newUser();
    let s = await signedIn(u.email);
    const start = now;
    // Refreshed every 14 minutes (never idle) until just before the 12 hours are up.
    while (now + 14 * MIN < start + 12 * 60 * MIN) {
      now += 14 * MIN;
      const r = await request(app).post('/auth/refresh').send({ refreshToken: s.refreshToken });
      expect(r.status).toBe(200);
      s = { ...s, ...r.body };
    }
    now = start + 12 * 60 * MIN - 1000;
    const last = await request(app).post('/auth/refresh').send({ refreshToken: s.refreshToken });
    expect(last.status).toBe(200);
    expect((await me(last.body.accessToken)).status).toBe(200);
    now = start + 12 * 60 * MIN;
    expect((await me(last.body.accessToken)).status).toBe(401);
    expect(audit.events.at(-1)).toMatchObject({ detail: 'session-expired' });
    expect((await request(app).post('/auth/refresh').send({ refreshToken: last.body.refreshToken })).status).toBe(401);
  });

  test('refresh tokens rotate; a reused one revokes the whole family', async () => {
    const u = await newUser();
    const s = await signedIn(u.email);
    const r1 = await request(app).post('/auth/refresh').send({ refreshToken: s.refreshToken });
    expect(r1.status).toBe(200);
    RefreshResponse.parse(r1.body);
    expect(r1.body.refreshToken).not.toBe(s.refreshToken);
    const replay = await request(app).post('/auth/refresh').send({ refreshToken: s.refreshToken });
    expect(replay.status).toBe(401);
    expect(audit.events.at(-1)).toMatchObject({ action: 'auth.refresh-reuse', outcome: 'denied', resourceId: s.sessionId });
    expect((await request(app).post('/auth/refresh').send({ refreshToken: r1.body.refreshToken })).status).toBe(401);
    expect((await me(r1.body.accessToken)).status).toBe(401);
    const { instance: _i, ...replayBody } = replay.body;
    const { instance: _j, ...wrongPasswordBody } = (await login(u.email, 'wrong password!!')).body;
    expect(replayBody).toEqual(wrongPasswordBody);
  });

  test('logout revokes the session at once', async () => {
    const u = await newUser();
    const s = await signedIn(u.email);
    expect((await request(app).post('/auth/logout').set('Authorization', `Bearer ${s.accessToken}`).send()).status).toBe(204);
    expect((await me(s.accessToken)).status).toBe(401);
    expect((await request(app).post('/auth/refresh').send({ refreshToken: s.refreshToken })).status).toBe(401);
  });

  test('a session revoked by another API process is refused here once the cache is 30 s old, and activity there keeps it from going idle', async () => {
    // A second process: its own deps object, so its own caches, on the same database and clock.
    const other = buildApp({ ...deps, settings: { ...deps.settings } });
    const meThere = (token: string) => request(other).get('/auth/me').set('Authorization', `Bearer ${token}`).set('X-Forwarded-For', '127.0.0.1');
    const u = await newUser();
    const s = await signedIn(u.email);
    expect((await meThere(s.accessToken)).status).toBe(200); // cached there now

    // Activity in this process only (written back once a minute; tokens refreshed before their
    // 5 minutes) counts there after a re-read: 15 minutes after the other process last saw the
    // session, it is not idle there.
    let tokens = { accessToken: s.accessToken, refreshToken: s.refreshToken };
    for (let minute = 1; minute <= 15; minute++) {
      now += MIN;
      if (minute % 4 === 0) {
        const refreshed = await request(app).post('/auth/refresh').send({ refreshToken: tokens.refreshToken });
        expect(refreshed.status).toBe(200);
        tokens = refreshed.body;
      }
      expect((await me(tokens.accessToken)).status).toBe(200);
    }
    const fresh = { body: tokens };
    expect((await meThere(fresh.body.accessToken)).status).toBe(200);

    expect((await request(app).post('/auth/logout').set('Authorization', `Bearer ${fresh.body.accessToken}`).send()).status).toBe(204);
    expect((await me(fresh.body.accessToken)).status).toBe(401); // here: at once
    now += 29_000;
    expect((await meThere(fresh.body.accessToken)).status).toBe(200); // there: still cached
    now += 1_000;
    expect((await meThere(fresh.body.accessToken)).status).toBe(401); // there: read again, revoked
  });

  test('malformed, forged, expired, revoked and unknown credentials get the identical 401, each audited with its reason', async () => {
    const u = await newUser();
    const s = await signedIn(u.email);
    const forged = await new SignJWT({ sid: s.sessionId, role: 'ADMIN', mfaAt: now })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setSubject(u.id)
      .setIssuer('itinera')
      .setAudience('itinera-api')
      .setJti('x')
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + 300)
      .sign(new TextEncoder().encode('z'.repeat(40)));
    const [, payload] = s.accessToken.split('.');
    const none = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${payload}.`;
    const revokedKey = await createApiKey(db.prisma, { name: 'revoked', scopes: ['bookings:read'] });
    await request(app).delete(`/api-keys/${revokedKey.id}`).set('X-Api-Key', adminKey);
    const attempts: Array<[string, Record<string, string>]> = [
      ['no-credentials', {}],
      ['malformed-authorization-header', { Authorization: 'Basic dXNlcjpwdw==' }],
      ['access-token-invalid-token', { Authorization: 'Bearer not.a.jwt' }],
      ['access-token-bad-signature', { Authorization: `Bearer ${forged}` }],
      ['access-token-invalid-token', { Authorization: `Bearer ${none}` }],
      ['api-key-unknown', { 'X-Api-Key': `itk_${'0'.repeat(24)}_${'A'.repeat(43)}` }],
      ['api-key-revoked', { Authorization: `Bearer ${revokedKey.token}` }],
      ['api-key-wrong-secret', { 'X-Api-Key': `${revokedKey.token.slice(0, -3)}AAA` }],
    ];
    const bodies = [];
    for (const [reason, headers] of attempts) {
      const res = await request(app).get('/auth/me').set(headers);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      bodies.push(res.body);
      expect(audit.events.at(-1)!.detail).toContain(reason);
    }
    now += 6 * MIN;
    const expired = await me(s.accessToken);
    bodies.push(expired.body);
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(bodies[0]).toEqual({ type: '/problems/unauthorized', title: 'Unauthorized', status: 401, detail: expect.any(String), instance: '/auth/me' });
    const trail = JSON.stringify(audit.events);
    for (const secret of [s.accessToken, forged, revokedKey.token]) expect(trail).not.toContain(secret);
  });

  test('unknown routes need credentials too; public routes do not', async () => {
    expect((await request(app).get('/no/such/route')).status).toBe(401);
    expect((await request(app).get('/no/such/route').set('X-Api-Key', adminKey)).status).toBe(404);
    expect((await request(app).post('/auth/login').send({ email: 'x' })).status).toBe(422);
  });
});

describe('lockout and rate limiting', () => {
  test('five wrong passwords lock the account for 15 minutes; the answers do not tell why', async () => {
    const u = await newUser();
    const unknown = await login('nobody@itinera.test');
    const wrongs = [];
    for (let i = 0; i < 5; i++) wrongs.push(await login(u.email, 'not the password'));
    const locked = await login(u.email);
    for (const r of [unknown, ...wrongs, locked]) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual(unknown.body);
    }
    expect(audit.events.filter((e) => e.action === 'auth.login' && e.outcome === 'denied').slice(-7).map((e) => e.detail)).toEqual([
      'unknown-email',
      'wrong-password',
      'wrong-password',
      'wrong-password',
      'wrong-password',
      'wrong-password',
      'locked',
    ]);
    now += 15 * MIN + 1000;
    expect((await login(u.email)).status).toBe(200);
  });

  test('more than the allowed sign-in attempts per minute from one address: 429 with Retry-After', async () => {
    const limited: AuthDeps = { ...deps, settings: { password: CHEAP_PASSWORD_OPTIONS, loginAttemptsPerMinute: 3 } };
    const limitedApp = buildApp(limited);
    const u = await newUser();
    for (let i = 0; i < 3; i++) expect((await request(limitedApp).post('/auth/login').set('X-Forwarded-For', '192.0.2.7').send({ email: u.email, password: 'nope nope nope' })).status).toBe(401);
    const res = await request(limitedApp).post('/auth/login').set('X-Forwarded-For', '192.0.2.7').send({ email: u.email, password: PASSWORD });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await request(limitedApp).post('/auth/login').set('X-Forwarded-For', '192.0.2.8').send({ email: u.email, password: PASSWORD })).status).toBe(200);
  });
});

describe('IP allowlists', () => {
  test("a user's own list: sign-in and requests from elsewhere are refused", async () => {
    const u = await newUser('ADVISOR', { ipAllowlist: ['10.1.0.0/16'] });
    expect((await login(u.email, PASSWORD, '10.2.0.1')).status).toBe(401);
    expect(audit.events.at(-1)).toMatchObject({ detail: 'ip-not-allowed', ip: '10.2.0.1' });
    const ok = await login(u.email, PASSWORD, '10.1.2.3');
    expect(ok.status).toBe(200);
    expect((await me(ok.body.accessToken, '10.1.9.9')).status).toBe(200);
    const elsewhere = await me(ok.body.accessToken, '10.2.0.1');
    expect(elsewhere.status).toBe(403);
    expect(audit.events.at(-1)).toMatchObject({ status: 403, detail: 'ip-not-allowed', actorId: u.id });
  });

  test("the role's list applies to users without their own", async () => {
    const u = await newUser('OPERATIONS');
    const s = await signedIn(u.email);
    const put = await request(app).put('/access/roles/OPERATIONS/ip-allowlist').set('X-Api-Key', adminKey).send({ ipAllowlist: ['203.0.113.0/24'] });
    expect(put.status).toBe(200);
    RoleAllowlistView.parse(put.body);
    expect((await me(s.accessToken, '198.51.100.1')).status).toBe(403);
    expect((await me(s.accessToken, '203.0.113.40')).status).toBe(200);
    const roles = await request(app).get('/access/roles').set('X-Api-Key', adminKey);
    ListView(RolePolicyView).parse(roles.body);
    expect(roles.body.items.find((r: { role: string }) => r.role === 'OPERATIONS').ipAllowlist).toEqual(['203.0.113.0/24']);
    expect((await request(app).put('/access/roles/OPERATIONS/ip-allowlist').set('X-Api-Key', adminKey).send({ ipAllowlist: ['300.1.1.1/8'] })).body.errors).toEqual([{ pointer: '/ipAllowlist/0', detail: expect.stringMatching(/CIDR/) }]);
    await request(app).put('/access/roles/OPERATIONS/ip-allowlist').set('X-Api-Key', adminKey).send({ ipAllowlist: [] });
  });
});

describe('API keys', () => {
  test('scoped keys: shown once, permissions are the scopes, revocation and the key allowlist apply at once', async () => {
    const created = await request(app).post('/api-keys').set('X-Api-Key', adminKey).send({ name: 'channel manager', scopes: ['bookings:read', 'channels:read'], ipAllowlist: ['192.0.2.0/24'] });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^itk_[0-9a-f]{24}_/);
    IssuedApiKey.parse(created.body);
    const listed = await request(app).get('/api-keys').set('X-Api-Key', adminKey);
    ListView(ApiKeyView).parse(listed.body);
    // The whole secret (it may itself contain "_", so it is not whatever follows the last one).
    const secret = /^itk_[0-9a-f]{24}_([A-Za-z0-9_-]{43})$/.exec(created.body.token)?.[1];
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.secretHash).toHaveLength(64);

    const who = await request(app).get('/auth/me').set('Authorization', `Bearer ${created.body.token}`).set('X-Forwarded-For', '192.0.2.10');
    MeResponse.parse(who.body);
    expect(who.body).toMatchObject({ kind: 'api-key', id: created.body.id, role: null, permissions: ['bookings:read', 'channels:read'], allBranches: true });
    expect((await request(app).get('/auth/me').set('X-Api-Key', created.body.token).set('X-Forwarded-For', '198.51.100.1')).status).toBe(403);

    const revoked = await request(app).delete(`/api-keys/${created.body.id}`).set('X-Api-Key', adminKey);
    expect(ApiKeyView.parse(revoked.body).revokedAt).not.toBeNull();
    expect((await request(app).get('/auth/me').set('X-Api-Key', created.body.token).set('X-Forwarded-For', '192.0.2.10')).status).toBe(401);

    const bad = await request(app).post('/api-keys').set('X-Api-Key', adminKey).send({ name: 'x', scopes: ['bookings:read', 'everything'] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([{ pointer: '/scopes/1', detail: expect.stringMatching(/permission/) }]);
  });
});

describe('users', () => {
  test('create, read, change (version bumped), unlock, MFA reset; validation and mass assignment', async () => {
    const created = await request(app).post('/users').set('X-Api-Key', adminKey).send({ email: 'New.Advisor@Itinera.test', name: 'New Advisor', role: 'ADVISOR', branch: 'MAN', password: 'a long enough password' });
    expect(created.status).toBe(201);
    UserView.parse(created.body);
    expect(created.body).toMatchObject({ email: 'new.advisor@itinera.test', role: 'ADVISOR', version: 1, mfaEnabled: false });
    expect(JSON.stringify(created.body)).not.toMatch(/argon2|passwordHash|totpSecret/);

    const mass = await request(app).post('/users').set('X-Api-Key', adminKey).send({ email: 'x@itinera.test', name: 'X', role: 'ADVISOR', password: 'a long enough password', mfaEnabled: true, failedLogins: 0 });
    expect(mass.status).toBe(422);
    expect(mass.body.errors).toEqual([
      { pointer: '/mfaEnabled', detail: 'is not a known field' },
      { pointer: '/failedLogins', detail: 'is not a known field' },
    ]);
    const weak = await request(app).post('/users').set('X-Api-Key', adminKey).send({ email: 'weak@itinera.test', name: 'W', role: 'ADVISOR', password: 'weak@itinera.test' });
    expect(weak.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/password']);
    expect((await request(app).post('/users').set('X-Api-Key', adminKey).send({ email: 'new.advisor@itinera.test', name: 'Dup', role: 'ADVISOR', password: 'a long enough password' })).status).toBe(409);

    const id = created.body.id as string;
    const patched = await request(app).patch(`/users/${id}`).set('X-Api-Key', adminKey).send({ grants: ['all-branches'], name: 'Renamed' });
    UserView.parse(patched.body);
    expect(patched.body).toMatchObject({ name: 'Renamed', grants: ['all-branches'], version: 2 });
    expect((await request(app).patch(`/users/${id}`).set('X-Api-Key', adminKey).send({ passwordHash: 'x' })).status).toBe(422);
    expect((await request(app).patch(`/users/${id}`).set('X-Api-Key', adminKey).send({ role: 'SUPERUSER' })).body.errors[0].pointer).toBe('/role');
    expect((await request(app).get('/users/not-a-uuid').set('X-Api-Key', adminKey)).status).toBe(400);
    expect((await request(app).get(`/users/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`).set('X-Api-Key', adminKey)).status).toBe(404);

    UserView.parse((await request(app).get(`/users/${id}`).set('X-Api-Key', adminKey)).body);
    const s = await signedIn('new.advisor@itinera.test', NEW_PASSWORD);
    const meUser = await me(s.accessToken);
    MeResponse.parse(meUser.body);
    expect(meUser.body).toMatchObject({ allBranches: true, branch: 'MAN' });
    const disabled = await request(app).patch(`/users/${id}`).set('X-Api-Key', adminKey).send({ disabled: true });
    expect(disabled.body.disabled).toBe(true);
    expect((await me(s.accessToken)).status).toBe(401);
    expect((await login('new.advisor@itinera.test', NEW_PASSWORD)).status).toBe(401);

    await db.prisma.user.update({ where: { id }, data: { disabled: false, failedLogins: 4, lockedUntil: new Date(now + MIN) } });
    const unlocked = await request(app).post(`/users/${id}/unlock`).set('X-Api-Key', adminKey).send();
    UserView.parse(unlocked.body);
    expect(unlocked.body).toMatchObject({ failedLogins: 0, lockedUntil: null });
    const s2 = await signedIn('new.advisor@itinera.test', NEW_PASSWORD);
    await enrol(s2.accessToken);
    const reset = await request(app).post(`/users/${id}/mfa/reset`).set('X-Api-Key', adminKey).send();
    UserView.parse(reset.body);
    expect(reset.body).toMatchObject({ mfaEnabled: false, recoveryCodesLeft: 0 });
    expect((await me(s2.accessToken)).status).toBe(401);
    expect((await login('new.advisor@itinera.test', NEW_PASSWORD)).body.mfaRequired).toBe(false);
    expect(audit.events.some((e) => e.action === 'PATCH /users/:id' && e.category === 'master-data' && (e.before as { disabled: boolean }).disabled === false)).toBe(true);
  });

  test('a user cannot change their own role; password change revokes the other sessions', async () => {
    const u = await newUser('ADMIN');
    const s = await signedIn(u.email);
    await enrol(s.accessToken);
    const own = await request(app).patch(`/users/${u.id}`).set('Authorization', `Bearer ${s.accessToken}`).send({ role: 'ADVISOR' });
    expect(own.status).toBe(403);
    expect(own.body.errors).toEqual([{ pointer: '/role', detail: 'cannot change your own role' }]);

    const other = await newUser();
    const o1 = await signedIn(other.email);
    const o2 = await signedIn(other.email);
    const short = await request(app).post('/auth/password').set('Authorization', `Bearer ${o1.accessToken}`).send({ current: PASSWORD, next: 'short' });
    expect(short.body.errors).toEqual([{ pointer: '/next', detail: 'must be at least 12 characters' }]);
    expect((await request(app).post('/auth/password').set('Authorization', `Bearer ${o1.accessToken}`).send({ current: 'wrong one', next: 'a brand new password' })).status).toBe(403);
    expect((await request(app).post('/auth/password').set('Authorization', `Bearer ${o1.accessToken}`).send({ current: PASSWORD, next: 'a brand new password' })).status).toBe(204);
    expect((await me(o1.accessToken)).status).toBe(200);
    expect((await me(o2.accessToken)).status).toBe(401);
    expect((await login(other.email, 'a brand new password')).status).toBe(200);
  });
});
