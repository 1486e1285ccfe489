import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { ALL_BRANCH_ROLES, isPermission, ROLE_PERMISSIONS, type Permission, type Role } from '../../domain/access/roles';
import type { PrismaClient } from '../../generated/prisma/client';
import { sendProblem } from '../problem';
import type { AuditRecord, AuditSink } from './audit-sink';
import { ipAllowed } from './ip-allowlist';
import { DEFAULT_PASSWORD_OPTIONS, dummyHasher, hashPassword, passwordProblems, type PasswordOptions } from './passwords';
import type { Principal } from './principal';
import { AccessStore, type CachedUser } from './sessions.prisma';
import { clearSessionCookie, CSRF_FIELD, CSRF_HEADER, isUnsafeMethod, originAllowed, readCookie, sentCsrfToken, sessionCookieName, signInUrl, wantsHtml } from './browser-session';
import { csrfTokenFor, csrfTokenValid, newApiKey, parseApiKey, sameHash, sha256Hex, verifyAccessToken, verifyBrowserSession, API_KEY_PREFIX } from './tokens';

export interface AuthSettings {
  accessTokenTtlMs: number;
  /** How long the sign-in challenge (password proved, TOTP code awaited) is valid. */
  challengeTtlMs: number;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  lastSeenWriteIntervalMs: number;
  /** Cached users, API keys and role allowlists are re-read after this long (changes made by other processes). */
  cacheTtlMs: number;
  /** Consecutive failed sign-ins (password or TOTP) that lock the account... */
  lockoutThreshold: number;
  /** ...for this long. */
  lockoutMs: number;
  /** Sign-in attempts (login, mfa, refresh) per IP address per minute. */
  loginAttemptsPerMinute: number;
  /**
   * Roles that must use MFA: until they enrol, their sessions may only reach `/auth/*` (me,
   * enrol, confirm, password, logout) and every other route answers 403 `mfa-enrolment-required`.
   */
  mfaRequiredRoles: readonly Role[];
  /** The issuer shown in authenticator apps. */
  totpIssuer: string;
  password: PasswordOptions;
  /**
   * Browser sessions: the session cookie carries `Secure` (and the `__Host-` name). False only
   * when the app is served over plain http for local development (infra/access.ts decides).
   */
  cookieSecure: boolean;
  /**
   * The origin browsers reach the API at (`https://erp.example.com`); cookie-authenticated unsafe
   * requests naming another `Origin` are refused. Null: the request's own scheme and Host.
   */
  publicOrigin: string | null;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  accessTokenTtlMs: 5 * 60_000,
  challengeTtlMs: 5 * 60_000,
  idleTimeoutMs: 15 * 60_000,
  absoluteTimeoutMs: 12 * 60 * 60_000,
  lastSeenWriteIntervalMs: 60_000,
  cacheTtlMs: 30_000,
  lockoutThreshold: 5,
  lockoutMs: 15 * 60_000,
  loginAttemptsPerMinute: 20,
  mfaRequiredRoles: ['FINANCE', 'MANAGEMENT', 'ADMIN'],
  totpIssuer: 'Itinera',
  password: DEFAULT_PASSWORD_OPTIONS,
  cookieSecure: true,
  publicOrigin: null,
};

export interface AuthDeps {
  prisma: PrismaClient;
  audit: AuditSink;
  /** Epoch ms; tests pass a controllable one. */
  clock?: () => number;
  secrets: {
    /** Signs access tokens and sign-in challenges (HS256), at least 32 characters. */
    tokenKey: string;
    /** Encrypts TOTP secrets at rest (AES-256-GCM), at least 32 characters. */
    dataKey: string;
  };
  settings?: Partial<AuthSettings>;
}

/** What the middleware and the auth/users routes share for one `AuthDeps`: settings, caches, the login limiter. */
export interface AuthContext {
  deps: AuthDeps;
  settings: AuthSettings;
  now: () => number;
  store: AccessStore;
  loginLimiter: RateLimiterMemory;
  dummyHash: () => Promise<string>;
}

const contexts = new WeakMap<AuthDeps, AuthContext>();

export function authContext(deps: AuthDeps): AuthContext {
  let ctx = contexts.get(deps);
  if (ctx) return ctx;
  if (deps.secrets.tokenKey.length < 32) throw new Error('AuthDeps.secrets.tokenKey must be at least 32 characters');
  if (deps.secrets.dataKey.length < 32) throw new Error('AuthDeps.secrets.dataKey must be at least 32 characters');
  const settings: AuthSettings = { ...DEFAULT_AUTH_SETTINGS, ...deps.settings };
  ctx = {
    deps,
    settings,
    now: deps.clock ?? Date.now,
    store: new AccessStore(deps.prisma, settings),
    loginLimiter: new RateLimiterMemory({ points: settings.loginAttemptsPerMinute, duration: 60, keyPrefix: 'login' }),
    dummyHash: dummyHasher(settings.password),
  };
  contexts.set(deps, ctx);
  return ctx;
}

/** An audit line for an auth event, with who/where/what filled from the request. */
export function authAudit(req: Request, res: Response, event: Partial<AuditRecord> & Pick<AuditRecord, 'action' | 'outcome' | 'status'>): AuditRecord {
  const requestId = res.getHeader('x-request-id');
  // Recorded here: the app's audit-trail middleware does not record the request again.
  res.locals.audited = true;
  return {
    actorKind: 'anonymous',
    ip: req.ip ?? null,
    requestId: typeof requestId === 'string' ? requestId : null,
    method: req.method,
    path: req.path,
    category: 'access',
    ...event,
  };
}

/** The one answer to any credential that does not work: the reason is only in the audit trail. */
export function sendUnauthorized(res: Response): void {
  res.setHeader('WWW-Authenticate', 'Bearer realm="itinera"');
  sendProblem(res, {
    status: 401,
    title: 'Unauthorized',
    detail: 'Send a valid access token (Authorization: Bearer) or API key.',
    type: '/problems/unauthorized',
  });
}

export function principalForUser(user: CachedUser, session: { id: string; mfaAt: number | null }): Principal {
  return {
    kind: 'user',
    id: user.id,
    name: user.email,
    role: user.role,
    permissions: new Set(ROLE_PERMISSIONS[user.role]),
    branch: user.branch,
    allBranches: ALL_BRANCH_ROLES.includes(user.role) || user.grants.includes('all-branches'),
    advisorId: user.advisorId,
    sessionId: session.id,
    mfaAt: session.mfaAt,
  };
}

/** The request's credential: a header (Authorization or X-Api-Key) wins; else the browser's session cookie. */
function credentialOf(req: Request, cookieName: string): { kind: 'jwt' | 'api-key' | 'cookie'; value: string } | { kind: 'none' } | { kind: 'malformed' } {
  const header = req.headers.authorization;
  const apiKeyHeader = req.headers['x-api-key'];
  if (header !== undefined) {
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (!m) return { kind: 'malformed' };
    return m[1]!.startsWith(API_KEY_PREFIX) ? { kind: 'api-key', value: m[1]! } : { kind: 'jwt', value: m[1]! };
  }
  if (typeof apiKeyHeader === 'string') return { kind: 'api-key', value: apiKeyHeader.trim() };
  const cookie = readCookie(req, cookieName);
  if (cookie) return { kind: 'cookie', value: cookie };
  return { kind: 'none' };
}

/**
 * Who is calling: public and channel-signature routes pass without credentials; every other
 * request (unknown routes too) needs an access token, an API key or a browser session cookie,
 * else 401 that says nothing about why (the audit trail does); a browser asking for an HTML page
 * (policy `page`) is sent to the sign-in form instead. A caller outside its IP allowlist gets 403.
 * An unsafe request made with the cookie must carry the session's CSRF token and, if it names an
 * `Origin`, come from the app's own, else 403 (header credentials are never asked).
 */
export function authenticate(deps: AuthDeps): RequestHandler {
  const ctx = authContext(deps);
  const { store, settings } = ctx;
  const cookieName = sessionCookieName(settings);

  return async (req: Request, res: Response, next: NextFunction) => {
    const policy = res.locals.route?.policy;
    const access = policy?.access;
    if (access === 'public' || access === 'channel-signature') {
      next();
      return;
    }
    const now = ctx.now();
    const credential = credentialOf(req, cookieName);
    const refuse = async (reason: string, actor: Partial<AuditRecord> = {}) => {
      if (credential.kind === 'cookie') clearSessionCookie(res, settings);
      if (policy?.page && wantsHtml(req)) {
        await deps.audit.record(authAudit(req, res, { action: 'auth.authenticate', outcome: 'denied', status: 303, detail: `${reason}; sent to the sign-in form`, ...actor }));
        res.setHeader('Cache-Control', 'no-store');
        res.redirect(303, signInUrl(req.method === 'GET' ? req.originalUrl : undefined));
        return;
      }
      await deps.audit.record(authAudit(req, res, { action: 'auth.authenticate', outcome: 'denied', status: 401, detail: reason, ...actor }));
      sendUnauthorized(res);
    };
    const forbid = async (reason: string, title: string, detail: string, actor: Partial<AuditRecord>) => {
      await deps.audit.record(authAudit(req, res, { action: 'auth.authenticate', outcome: 'denied', status: 403, detail: reason, ...actor }));
      sendProblem(res, { status: 403, title, detail, type: `/problems/${reason}` });
    };

    if (credential.kind === 'none') return refuse('no-credentials');
    if (credential.kind === 'malformed') return refuse('malformed-authorization-header');

    if (credential.kind === 'api-key') {
      const parsed = parseApiKey(credential.value);
      if (!parsed) return refuse('api-key-malformed');
      const key = await store.apiKey(parsed.id, now);
      if (!key) return refuse('api-key-unknown');
      const actor = { actorKind: 'api-key' as const, actorId: key.id, actorName: key.name };
      if (!sameHash(key.secretHash, sha256Hex(parsed.secret))) return refuse('api-key-wrong-secret', actor);
      if (key.revoked) return refuse('api-key-revoked', actor);
      if (key.expiresAt !== null && now >= key.expiresAt) return refuse('api-key-expired', actor);
      if (!ipAllowed(req.ip, key.ipAllowlist)) return forbid('ip-not-allowed', 'Address not allowed', 'This API key may not be used from this address.', actor);
      await store.apiKeyUsed(key, now);
      res.locals.principal = {
        kind: 'api-key',
        id: key.id,
        name: key.name,
        role: null,
        permissions: new Set(key.scopes.filter(isPermission) as Permission[]),
        branch: null,
        allBranches: true,
        advisorId: null,
      };
      next();
      return;
    }

    let claims: { sub: string; sid: string };
    if (credential.kind === 'cookie') {
      const cookie = await verifyBrowserSession(deps.secrets.tokenKey, credential.value, now);
      if ('refused' in cookie) return refuse(`session-cookie-${cookie.refused}`);
      claims = cookie;
      // Before the session counts the request as activity: a forged request must not keep it alive.
      if (isUnsafeMethod(req.method)) {
        const actor = { actorKind: 'user' as const, actorId: claims.sub };
        if (!originAllowed(req, settings)) return forbid('cross-origin-request', 'Cross-origin request refused', 'A request made with the session cookie must come from this application’s own pages.', actor);
        if (!csrfTokenValid(deps.secrets.tokenKey, claims.sid, sentCsrfToken(req))) {
          return forbid('csrf-token-invalid', 'CSRF token missing or invalid', `Send the session’s CSRF token in the ${CSRF_HEADER} header (or the ${CSRF_FIELD} form field) with every change made with the session cookie.`, actor);
        }
      }
    } else {
      const token = await verifyAccessToken(deps.secrets.tokenKey, credential.value, now);
      if ('refused' in token) return refuse(`access-token-${token.refused}`);
      claims = token;
    }
    const check = await store.touch(claims.sid, now);
    const actor = { actorKind: 'user' as const, actorId: claims.sub };
    if (!check.ok) return refuse(check.reason, actor);
    if (check.session.userId !== claims.sub) return refuse('session-user-mismatch', actor);
    const user = await store.user(claims.sub, now);
    if (!user) return refuse('user-unknown', actor);
    const named = { ...actor, actorName: user.email, role: user.role };
    if (user.disabled) return refuse('user-disabled', named);
    if (!ipAllowed(req.ip, await store.allowlistFor(user, now))) return forbid('ip-not-allowed', 'Address not allowed', 'Your account may not be used from this address.', named);
    if (!user.mfaEnabled && settings.mfaRequiredRoles.includes(user.role) && !req.path.startsWith('/auth/')) {
      return forbid('mfa-enrolment-required', 'MFA enrolment required', 'Enrol an authenticator (POST /auth/mfa/enrol, then /auth/mfa/confirm) before using the API.', named);
    }
    res.locals.principal = principalForUser(user, check.session);
    if (credential.kind === 'cookie') res.locals.csrfToken = csrfTokenFor(deps.secrets.tokenKey, check.session.id);
    next();
  };
}

/** Creates a scoped API key; the token (`itk_<id>_<secret>`) is returned once and only its hash stored. */
export async function createApiKey(
  prisma: PrismaClient,
  input: { name: string; scopes: readonly Permission[]; ipAllowlist?: readonly string[]; expiresAt?: Date | null; createdBy?: string | null },
): Promise<{ id: string; token: string }> {
  const bad = input.scopes.filter((s) => !isPermission(s));
  if (bad.length > 0) throw new Error(`Unknown scopes: ${bad.join(', ')}`);
  const { id, secret, token } = newApiKey();
  await prisma.apiKey.create({
    data: {
      id,
      name: input.name,
      secretHash: sha256Hex(secret),
      scopes: [...new Set(input.scopes)],
      ipAllowlist: [...(input.ipAllowlist ?? [])],
      expiresAt: input.expiresAt ?? null,
      createdBy: input.createdBy ?? null,
    },
  });
  return { id, token };
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
  branch?: string | null;
  advisorId?: string | null;
  grants?: string[];
  ipAllowlist?: string[];
}

/** Creates a user with an argon2id password hash (the password policy is checked: it throws naming the problem). */
export async function createUser(prisma: PrismaClient, input: NewUser, passwordOpts: PasswordOptions = DEFAULT_PASSWORD_OPTIONS) {
  const email = input.email.trim().toLowerCase();
  const problems = passwordProblems(input.password, email);
  if (problems.length > 0) throw new Error(`Password ${problems.join('; ')}`);
  return prisma.user.create({
    data: {
      email,
      name: input.name,
      role: input.role,
      branch: input.branch ?? null,
      advisorId: input.advisorId ?? null,
      grants: input.grants ?? [],
      ipAllowlist: input.ipAllowlist ?? [],
      passwordHash: await hashPassword(input.password, passwordOpts),
    },
  });
}
