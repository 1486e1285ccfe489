import type { Express } from 'express';
import { generate } from 'otplib';
import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { NO_INVENTORY_SINK } from '../../activities/ports/inventory-changes';
import type { Role } from '../../domain/access/roles';
import { browserSessionSettings, type AccessServices } from '../../infra/access';
import type { Database } from '../../infra/database';
import { financeDeps } from '../../infra/finance';
import { TemporalClientProvider } from '../../infra/temporal';
import { silentLogger, TEST_ACCESS_SECRETS, testAccess } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { createApiKey, createUser } from '../access/authenticate';
import { safeNext, sessionCookieName, wantsHtml } from '../access/browser-session';
import { CHEAP_PASSWORD_OPTIONS } from '../access/passwords';
import { encryptSecret, newTotpSecret } from '../access/totp';
import { createApp } from '../app';

/**
 * Browser sign-in (issue 9) on the real app (createApp; Temporal unreachable, PGlite): the HTML
 * form, the session cookie and its attributes, CSRF and Origin checks on changes made with the
 * cookie, idle timeout, sign-out, no open redirect, and header authentication unchanged.
 */

const T0 = Date.UTC(2026, 10, 29, 9, 0, 0);
const MIN = 60_000;
const PASSWORD = 'correct horse battery';
const COOKIE = '__Host-itinera_session';
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let db: Database;
let access: AccessServices;
let app: Express;
let now = T0;
let seq = 0;

async function newUser(role: Role, mfa: boolean): Promise<{ id: string; email: string; secret: string | null }> {
  const email = `browser${++seq}@itinera.test`;
  const user = await createUser(db.prisma, { email, name: `Browser ${seq}`, role, password: PASSWORD, branch: 'LON' }, CHEAP_PASSWORD_OPTIONS);
  if (!mfa) return { id: user.id, email, secret: null };
  const secret = newTotpSecret();
  await db.prisma.user.update({ where: { id: user.id }, data: { mfaEnabled: true, totpSecret: encryptSecret(secret, TEST_ACCESS_SECRETS.dataKey) } });
  return { id: user.id, email, secret };
}

const code = (secret: string) => generate({ secret, epoch: Math.floor(now / 1000) });
const form = (path: string, fields: Record<string, string>) => request(app).post(path).type('form').set('Accept', HTML).send(fields);
const hidden = (html: string, name: string) => {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no hidden field ${name}`);
  return m[1]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
};
const setCookies = (res: request.Response): string[] => {
  const raw = res.headers['set-cookie'] as unknown;
  return Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
};
const sessionCookieOf = (res: request.Response): string => {
  const line = setCookies(res).find((c) => c.startsWith(`${COOKIE}=`) && !c.startsWith(`${COOKIE}=;`));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(setCookies(res))}`);
  return line.split(';')[0]!;
};
const csrfOf = async (cookie: string): Promise<string> => {
  const page = await request(app).get('/reports/dashboard').set('Cookie', cookie).set('Accept', HTML);
  expect(page.status).toBe(200);
  return hidden(page.text, '_csrf');
};

/** Signs in through the forms (password, then the code when the user has MFA); answers the cookie pair `name=value`. */
async function browserSignIn(user: { email: string; secret: string | null }, next?: string): Promise<{ cookie: string; res: request.Response }> {
  const first = await form('/auth/sign-in', { email: user.email, password: PASSWORD, ...(next ? { next } : {}) });
  if (!user.secret) {
    expect(first.status).toBe(303);
    return { cookie: sessionCookieOf(first), res: first };
  }
  expect(first.status).toBe(200);
  expect(first.text).toContain('name="code"');
  const res = await form('/auth/sign-in/mfa', { challenge: hidden(first.text, 'challenge'), code: await code(user.secret), next: hidden(first.text, 'next') });
  expect(res.status).toBe(303);
  return { cookie: sessionCookieOf(res), res };
}

async function auditRows(action: string) {
  await access.audit.flush();
  return db.prisma.auditEvent.findMany({ where: { action }, orderBy: { id: 'asc' } });
}

beforeAll(async () => {
  db = await openTestPglite();
  access = testAccess(db, { clock: () => now, settings: { loginAttemptsPerMinute: 10_000, cookieSecure: true } });
  const temporal = new TemporalClientProvider({ address: '127.0.0.1:1', namespace: 'default' });
  app = createApp({ db, bookings: new PrismaBookingStore(db.prisma), temporal, logger: silentLogger, operatorTimeZone: 'UTC', finance: financeDeps(db.prisma), inventorySink: NO_INVENTORY_SINK, access });
});
afterAll(async () => {
  await access?.close();
  await db?.close();
});
beforeEach(() => {
  now += 10 * MIN; // fresh TOTP steps for every test
});

describe('the sign-in form', () => {
  it('renders a small HTML form under a strict CSP, with no script', async () => {
    const res = await request(app).get('/auth/sign-in?next=%2Freports%2Fdashboard%3Fx%3D1').set('Accept', HTML);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    const csp = res.headers['content-security-policy'] as string;
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.text).toContain(`<style nonce="${nonce}">`);
    expect(res.text).not.toMatch(/<script/i);
    expect(res.text).toContain('action="/auth/sign-in"');
    expect(res.text).toMatch(/name="email"[^>]*autocomplete="username"/);
    expect(res.text).toMatch(/name="password" type="password" autocomplete="current-password"/);
    expect(hidden(res.text, 'next')).toBe('/reports/dashboard?x=1');
    expect(res.headers['cache-control']).toBe('no-store');
    // Not no-referrer: browsers would then post the form with `Origin: null`, which is refused.
    expect(res.headers['referrer-policy']).toBe('same-origin');
  });

  it('answers a wrong password and an unknown e-mail with the same generic form, and audits both with their reason', async () => {
    const u = await newUser('MANAGEMENT', true);
    const wrong = await form('/auth/sign-in', { email: u.email, password: 'not the password at all' });
    const unknown = await form('/auth/sign-in', { email: 'nobody@itinera.test', password: 'not the password at all' });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.type).toBe('text/html');
      expect(res.text).toContain('Sign-in failed: the credentials are wrong, or this account cannot sign in right now.');
      expect(setCookies(res)).toEqual([]);
    }
    const strip = (html: string) => html.replace(/nonce="[^"]*"/g, '').replace(/value="[^"]*"/g, '');
    expect(strip(wrong.text)).toEqual(strip(unknown.text));
    const denied = (await auditRows('auth.login')).filter((r) => r.outcome === 'denied' && r.path === '/auth/sign-in');
    expect(denied).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actorId: u.id, detail: 'wrong-password', status: 401, category: 'access' }),
        expect.objectContaining({ actorName: 'nobody@itinera.test', detail: 'unknown-email', status: 401 }),
      ]),
    );
    // The failure counts towards the lockout, as with the JSON sign-in.
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).failedLogins).toBe(1);
  });

  it('a wrong authenticator code gives the code form again, generic, and audited', async () => {
    const u = await newUser('MANAGEMENT', true);
    const first = await form('/auth/sign-in', { email: u.email, password: PASSWORD });
    const challenge = hidden(first.text, 'challenge');
    const good = await code(u.secret!);
    const bad = await form('/auth/sign-in/mfa', { challenge, code: good === '000000' ? '111111' : '000000' });
    expect(bad.status).toBe(401);
    expect(bad.text).toContain('Sign-in failed');
    expect(hidden(bad.text, 'challenge')).toBe(challenge);
    expect(setCookies(bad)).toEqual([]);
    expect((await auditRows('auth.mfa')).some((r) => r.actorId === u.id && r.detail === 'wrong-or-reused-code' && r.path === '/auth/sign-in/mfa')).toBe(true);
    // The same challenge with the right code then signs in.
    expect((await form('/auth/sign-in/mfa', { challenge, code: good })).status).toBe(303);
  });

  it('enrols the authenticator on the first sign-in of a role that must use MFA: QR code and key, recovery codes once, then a code from it signs in', async () => {
    const u = await newUser('FINANCE', false);
    const first = await form('/auth/sign-in', { email: u.email, password: PASSWORD, next: '/reports/dashboard' });
    expect(first.status).toBe(200);
    expect(setCookies(first)).toEqual([]);
    expect(first.headers['cache-control']).toBe('no-store');
    const secret = /id="enrol-secret">([A-Z2-7]+)</.exec(first.text)?.[1];
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(first.text).toMatch(/<div class="qr" id="enrol-qr"><svg [^>]*>.*<\/svg>/s);
    expect(first.text).not.toContain('<script');
    const recovery = [...first.text.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]!);
    expect(recovery).toHaveLength(10);
    // Not in force yet: the user still has no MFA; the API's rule still holds meanwhile.
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).mfaEnabled).toBe(false);
    const challenge = hidden(first.text, 'challenge');

    // A malformed code, then a wrong one: the same form (same key, no recovery codes again), nothing changed.
    const malformed = await form('/auth/sign-in/enrol', { challenge, code: '12345', next: '/reports/dashboard' });
    expect(malformed.status).toBe(422);
    expect(malformed.text).toContain(`id="enrol-secret">${secret}<`);
    const good = await code(secret!);
    const wrong = await form('/auth/sign-in/enrol', { challenge, code: good === '000000' ? '111111' : '000000', next: '/reports/dashboard' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That code is not right');
    expect(wrong.text).toContain(`id="enrol-secret">${secret}<`);
    expect(wrong.text).not.toMatch(/<li>/);
    expect(setCookies(wrong)).toEqual([]);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).mfaEnabled).toBe(false);
    expect((await auditRows('auth.mfa-confirm')).some((r) => r.actorId === u.id && r.outcome === 'denied' && r.detail === 'wrong-code')).toBe(true);

    // The right code: MFA in force, a session with MFA proved now, and on to `next`.
    const done = await form('/auth/sign-in/enrol', { challenge, code: good, next: '/reports/dashboard' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/reports/dashboard');
    const cookie = sessionCookieOf(done);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).mfaEnabled).toBe(true);
    const session = await db.prisma.session.findFirstOrThrow({ where: { userId: u.id } });
    expect(session.mfaAt?.getTime()).toBe(now);
    expect((await request(app).get('/reports/dashboard').set('Cookie', cookie).set('Accept', HTML)).status).toBe(200);
    // The form cannot enrol again (already in force); the next sign-in asks for a code as usual, and a recovery code works.
    const replay = await form('/auth/sign-in/enrol', { challenge, code: good });
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('Sign-in failed');
    const later = await form('/auth/sign-in', { email: u.email, password: PASSWORD });
    expect(later.text).toContain('name="code"');
    expect((await form('/auth/sign-in/mfa', { challenge: hidden(later.text, 'challenge'), code: recovery[0]! })).status).toBe(303);
  });

  it('the enrolment form refuses a forged or foreign challenge, and another origin', async () => {
    const u = await newUser('ADMIN', false);
    await form('/auth/sign-in', { email: u.email, password: PASSWORD });
    const forged = await form('/auth/sign-in/enrol', { challenge: 'eyJhbGciOiJIUzI1NiJ9.e30.x', code: '123456' });
    expect(forged.status).toBe(401);
    expect(forged.text).toContain('Sign-in failed');
    const cross = await request(app).post('/auth/sign-in/enrol').type('form').set('Origin', 'https://evil.example').send({ challenge: 'x', code: '123456' });
    expect(cross.status).toBe(403);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: u.id } })).mfaEnabled).toBe(false);
  });

  it('refuses a sign-in form posted from another origin (login CSRF)', async () => {
    const u = await newUser('ADVISOR', false);
    const res = await request(app).post('/auth/sign-in').type('form').set('Origin', 'https://evil.example').send({ email: u.email, password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('Sign in from this application’s own sign-in page.');
    expect(setCookies(res)).toEqual([]);
    expect((await auditRows('auth.login')).some((r) => r.path === '/auth/sign-in' && r.detail === 'cross-origin-request' && r.status === 403)).toBe(true);
    // Nothing was checked: the right password did not clear or count anything.
    expect((await db.prisma.session.count({ where: { userId: u.id } }))).toBe(0);
  });
});

describe('the session cookie', () => {
  it('is set after password and TOTP with HttpOnly, SameSite=Strict, Path=/ and Secure, and maps to an ordinary session row', async () => {
    const u = await newUser('MANAGEMENT', true);
    const { res, cookie } = await browserSignIn(u);
    expect(res.headers.location).toBe('/reports/dashboard');
    const line = setCookies(res).find((c) => c.startsWith(`${COOKIE}=`))!;
    const attributes = line.split(';').slice(1).map((a) => a.trim());
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict', 'Secure']));
    expect(attributes.some((a) => /^(Domain|Max-Age|Expires)=/i.test(a))).toBe(false);
    const sessions = await db.prisma.session.findMany({ where: { userId: u.id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.mfaAt?.getTime()).toBe(now);
    // The cookie is the credential: no refresh token is made for a browser session.
    expect(await db.prisma.refreshToken.count({ where: { sessionId: sessions[0]!.id } })).toBe(0);
    const me = await request(app).get('/auth/me').set('Cookie', cookie);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'user', id: u.id, role: 'MANAGEMENT', sessionId: sessions[0]!.id });
    expect((await auditRows('auth.mfa')).some((r) => r.actorId === u.id && r.outcome === 'success' && r.resourceId === sessions[0]!.id && r.detail === 'browser')).toBe(true);
  });

  it('opens the dashboard, which carries a sign-out form with the CSRF token', async () => {
    const u = await newUser('MANAGEMENT', true);
    const { cookie } = await browserSignIn(u);
    const page = await request(app).get('/reports/dashboard').set('Cookie', cookie).set('Accept', HTML);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Management dashboard</h1>');
    expect(page.text).toMatch(/<form method="post" action="\/auth\/sign-out"[^>]*>.*name="_csrf" value="[A-Za-z0-9_-]{43}"/);
    expect(page.text).toContain(`Signed in as ${u.email}`);
    expect(page.headers['content-security-policy']).toContain("form-action 'self'");
  });

  it('is not accepted as a bearer token, and an access token is not accepted as the cookie', async () => {
    const u = await newUser('ADVISOR', false);
    const { cookie } = await browserSignIn(u);
    const value = cookie.slice(COOKIE.length + 1);
    expect((await request(app).get('/auth/me').set('Authorization', `Bearer ${value}`)).status).toBe(401);
    const login = await request(app).post('/auth/login').send({ email: u.email, password: PASSWORD });
    expect((await request(app).get('/auth/me').set('Cookie', `${COOKIE}=${login.body.accessToken as string}`)).status).toBe(401);
    expect((await request(app).get('/auth/me').set('Cookie', `${COOKIE}=${value.slice(0, -2)}xx`)).status).toBe(401);
  });
});

describe('CSRF and Origin on changes made with the cookie', () => {
  it('refuses an unsafe request with no token or a forged one (403 csrf-token-invalid), allows it with the token', async () => {
    const u = await newUser('MANAGEMENT', true);
    const { cookie } = await browserSignIn(u);
    const csrf = await csrfOf(cookie);
    now += MIN;

    const none = await request(app).post('/auth/step-up').set('Cookie', cookie).send({ code: await code(u.secret!) });
    expect(none.status).toBe(403);
    expect(none.type).toBe('application/problem+json');
    expect(none.body.type).toBe('/problems/csrf-token-invalid');
    const forged = await request(app).post('/auth/step-up').set('Cookie', cookie).set('X-CSRF-Token', `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`).send({ code: await code(u.secret!) });
    expect(forged.status).toBe(403);
    expect(forged.body.type).toBe('/problems/csrf-token-invalid');
    // Another session's token does not do either.
    const other = await browserSignIn(await newUser('MANAGEMENT', true));
    const otherCsrf = await csrfOf(other.cookie);
    expect((await request(app).post('/auth/step-up').set('Cookie', cookie).set('X-CSRF-Token', otherCsrf).send({ code: await code(u.secret!) })).body.type).toBe('/problems/csrf-token-invalid');
    const signOut = await form('/auth/sign-out', {}).set('Cookie', cookie);
    expect(signOut.status).toBe(403);

    const ok = await request(app).post('/auth/step-up').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ code: await code(u.secret!) });
    expect(ok.status).toBe(200);
    expect(ok.body.mfaAt).toBe(new Date(now).toISOString());
    const denied = (await auditRows('auth.authenticate')).filter((r) => r.actorId === u.id && r.detail === 'csrf-token-invalid');
    expect(denied.length).toBeGreaterThanOrEqual(3);
    expect(denied.every((r) => r.status === 403 && r.outcome === 'denied')).toBe(true);
  });

  it('refuses a cookie request from another Origin even with the token; the own origin passes', async () => {
    const u = await newUser('MANAGEMENT', true);
    const { cookie } = await browserSignIn(u);
    const csrf = await csrfOf(cookie);
    now += MIN;
    const cross = await request(app).post('/auth/step-up').set('Host', 'itinera.test').set('Origin', 'https://evil.example').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ code: await code(u.secret!) });
    expect(cross.status).toBe(403);
    expect(cross.body.type).toBe('/problems/cross-origin-request');
    const nullOrigin = await request(app).post('/auth/step-up').set('Origin', 'null').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ code: await code(u.secret!) });
    expect(nullOrigin.status).toBe(403);
    const own = await request(app).post('/auth/step-up').set('Host', 'itinera.test').set('Origin', 'http://itinera.test').set('Cookie', cookie).set('X-CSRF-Token', csrf).send({ code: await code(u.secret!) });
    expect(own.status).toBe(200);
  });
});

describe('timeouts, sign-out and redirects', () => {
  it('sends a browser without credentials to the sign-in form; API clients still get 401 problem+json', async () => {
    const browser = await request(app).get('/reports/dashboard').set('Accept', HTML);
    expect(browser.status).toBe(303);
    expect(browser.headers.location).toBe('/auth/sign-in?next=%2Freports%2Fdashboard');
    for (const accept of [undefined, 'application/json', '*/*', 'text/html;q=0, application/json']) {
      const api = request(app).get('/reports/dashboard');
      const res = await (accept ? api.set('Accept', accept) : api);
      expect([accept, res.status, res.type]).toEqual([accept, 401, 'application/problem+json']);
      expect(res.body.type).toBe('/problems/unauthorized');
    }
  });

  it('after 15 idle minutes (the controllable clock) the cookie leads back to the sign-in form', async () => {
    const u = await newUser('MANAGEMENT', true);
    const { cookie } = await browserSignIn(u);
    now += 14 * MIN;
    expect((await request(app).get('/reports/dashboard').set('Cookie', cookie).set('Accept', HTML)).status).toBe(200);
    now += 16 * MIN;
    const idle = await request(app).get('/reports/dashboard').set('Cookie', cookie).set('Accept', HTML);
    expect(idle.status).toBe(303);
    expect(idle.headers.location).toBe('/auth/sign-in?next=%2Freports%2Fdashboard');
    expect(setCookies(idle).some((c) => c.startsWith(`${COOKIE}=;`) && c.includes('Max-Age=0'))).toBe(true);
    expect((await request(app).get('/auth/me').set('Cookie', cookie)).status).toBe(401);
    const row = await db.prisma.session.findFirstOrThrow({ where: { userId: u.id } });
    expect(row.revokeReason).toBe('session-idle');
    expect((await auditRows('auth.authenticate')).some((r) => r.actorId === u.id && r.detail?.startsWith('session-idle'))).toBe(true);
  });

  it('sign-out revokes the session and clears the cookie: the cookie no longer works', async () => {
    const u = await newUser('MANAGEMENT', true);
    const { cookie } = await browserSignIn(u);
    const csrf = await csrfOf(cookie);
    const out = await form('/auth/sign-out', { _csrf: csrf }).set('Cookie', cookie);
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/auth/sign-in');
    expect(setCookies(out).some((c) => c.startsWith(`${COOKIE}=;`) && c.includes('Max-Age=0'))).toBe(true);
    const row = await db.prisma.session.findFirstOrThrow({ where: { userId: u.id } });
    expect(row.revokeReason).toBe('logout');
    expect((await request(app).get('/reports/dashboard').set('Cookie', cookie).set('Accept', HTML)).status).toBe(303);
    expect((await request(app).get('/auth/me').set('Cookie', cookie)).status).toBe(401);
    expect((await auditRows('auth.logout')).some((r) => r.actorId === u.id && r.resourceId === row.id && r.detail === 'browser')).toBe(true);
    // A second sign-out with the dead cookie goes to the form too (no error page).
    expect((await form('/auth/sign-out', { _csrf: csrf }).set('Cookie', cookie)).headers.location).toBe('/auth/sign-in');
  });

  it('goes to `next` after signing in when it is a path here, and refuses open redirects', async () => {
    const u = await newUser('ADVISOR', false);
    expect((await browserSignIn(u, '/auth/me?x=1')).res.headers.location).toBe('/auth/me?x=1');
    for (const next of ['https://evil.example', '//evil.example', '/\\evil.example', '/\r\nLocation: https://evil.example', 'javascript:alert(1)', 'evil.example']) {
      const page = await request(app).get(`/auth/sign-in?next=${encodeURIComponent(next)}`).set('Accept', HTML);
      expect([next, page.status]).toEqual([next, 200]);
      expect(hidden(page.text, 'next')).not.toContain('evil');
      const { res } = await browserSignIn(u, next);
      expect([next, res.headers.location]).toEqual([next, '/reports/dashboard']);
    }
  });
});

describe('header authentication is unchanged', () => {
  it('bearer tokens and API keys need no CSRF token, and win over a cookie', async () => {
    const u = await newUser('MANAGEMENT', true);
    const first = await request(app).post('/auth/login').send({ email: u.email, password: PASSWORD });
    const tokens = await request(app).post('/auth/mfa').send({ challenge: first.body.challenge, code: await code(u.secret!) });
    expect(tokens.status).toBe(200);
    now += MIN;
    const stepUp = await request(app).post('/auth/step-up').set('Authorization', `Bearer ${tokens.body.accessToken as string}`).set('Origin', 'https://elsewhere.example').send({ code: await code(u.secret!) });
    expect(stepUp.status).toBe(200);
    // A stale cookie beside a good header: the header decides.
    const withCookie = await request(app).get('/auth/me').set('Authorization', `Bearer ${tokens.body.accessToken as string}`).set('Cookie', `${COOKIE}=garbage`);
    expect(withCookie.status).toBe(200);
    expect(setCookies(withCookie)).toEqual([]);
    const key = (await createApiKey(db.prisma, { name: 'reports', scopes: ['reports:read'] })).token;
    const dashboard = await request(app).get('/reports/dashboard').set('X-Api-Key', key).set('Accept', HTML);
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).not.toContain('/auth/sign-out');
    const bad = await request(app).get('/reports/dashboard').set('Authorization', 'Bearer nonsense');
    expect(bad.status).toBe(401);
    expect(bad.type).toBe('application/problem+json');
  });
});

describe('browser session helpers', () => {
  it('keeps `next` to paths on this origin', () => {
    expect(safeNext('/reports/dashboard?a=1#x')).toBe('/reports/dashboard?a=1#x');
    for (const bad of [undefined, '', 'https://evil.example/x', '//evil.example', '/\\evil.example', '/\tx', 'http:/evil', '/auth/sign-in', '/auth/sign-out']) expect(safeNext(bad)).toBe('/reports/dashboard');
  });

  it('tells browsers from API clients by an explicit text/html in Accept', () => {
    const req = (accept?: string) => ({ headers: accept === undefined ? {} : { accept } }) as Parameters<typeof wantsHtml>[0];
    expect(wantsHtml(req(HTML))).toBe(true);
    expect(wantsHtml(req('text/html;q=0.5'))).toBe(true);
    expect(wantsHtml(req())).toBe(false);
    expect(wantsHtml(req('*/*'))).toBe(false);
    expect(wantsHtml(req('text/html;q=0'))).toBe(false);
  });

  it('drops Secure (and the __Host- name) only for plain-http local development', () => {
    expect(browserSessionSettings({ ITINERA_PUBLIC_URL: 'https://erp.example.com/app', DATABASE_URL: undefined })).toEqual({ cookieSecure: true, publicOrigin: 'https://erp.example.com' });
    expect(browserSessionSettings({ ITINERA_PUBLIC_URL: 'http://localhost:3000', DATABASE_URL: 'postgresql://x' })).toEqual({ cookieSecure: false, publicOrigin: 'http://localhost:3000' });
    expect(browserSessionSettings({ ITINERA_PUBLIC_URL: undefined, DATABASE_URL: 'postgresql://x' })).toEqual({ cookieSecure: true, publicOrigin: null });
    expect(browserSessionSettings({ ITINERA_PUBLIC_URL: undefined, DATABASE_URL: undefined })).toEqual({ cookieSecure: false, publicOrigin: null });
    expect(sessionCookieName({ cookieSecure: true })).toBe('__Host-itinera_session');
    expect(sessionCookieName({ cookieSecure: false })).toBe('itinera_session');
  });
});
