import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { isRole, type Role } from '../../domain/access/roles';

const ISSUER = 'itinera';
const ACCESS_AUDIENCE = 'itinera-api';
const CHALLENGE_AUDIENCE = 'itinera-mfa';
const BROWSER_AUDIENCE = 'itinera-browser';

export interface AccessClaims {
  sub: string;
  sid: string;
  role: Role;
  /** Epoch ms of the session's last TOTP proof, or null. */
  mfaAt: number | null;
  jti: string;
  exp: number;
}

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** The three kinds of token Itinera signs, each with its own `typ` and audience (one is never accepted as another). */
const KINDS = {
  access: { typ: 'at+jwt', audience: ACCESS_AUDIENCE },
  challenge: { typ: 'mfa-challenge+jwt', audience: CHALLENGE_AUDIENCE },
  browser: { typ: 'session+jwt', audience: BROWSER_AUDIENCE },
} as const;

/** An HS256 JWT of `kind` for `sub` with `claims`, a fresh jti, valid `ttlMs` (at least a second) from `nowMs`. */
function signJwt(kind: keyof typeof KINDS, secret: string, sub: string, claims: Record<string, unknown>, nowMs: number, ttlMs: number): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: KINDS[kind].typ })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(KINDS[kind].audience)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.max(1, Math.floor(ttlMs / 1000)))
    .sign(keyOf(secret));
}

/**
 * Access tokens and session cookies already verified, by kind and token (the token ends with its
 * signature): each is verified once, then only its expiry is checked again, on every request.
 * An expired hit goes through jose again, for jose's error. Bounded: the oldest is dropped.
 */
const verified = new Map<string, { secret: string; exp: number; payload: Readonly<Record<string, unknown>> }>();
const VERIFIED_MAX = 10_000;

/** The payload of a valid JWT of `kind` (signature, issuer, audience, typ, expiry, no clock tolerance); throws jose's errors. */
async function verifyJwt(kind: keyof typeof KINDS, secret: string, token: string, nowMs: number): Promise<Readonly<Record<string, unknown>>> {
  const cached = kind === 'challenge' ? undefined : `${kind}\n${token}`;
  const hit = cached === undefined ? undefined : verified.get(cached);
  // jose's rule: expired once exp <= now in whole seconds.
  if (hit && hit.secret === secret && hit.exp > Math.floor(nowMs / 1000)) return hit.payload;
  const payload = await verifyWithJose(kind, secret, token, nowMs);
  if (cached !== undefined && typeof payload.exp === 'number') {
    verified.delete(cached);
    verified.set(cached, { secret, exp: payload.exp, payload: Object.freeze({ ...payload }) });
    if (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  }
  return payload;
}

async function verifyWithJose(kind: keyof typeof KINDS, secret: string, token: string, nowMs: number): Promise<Record<string, unknown>> {
  const { payload } = await jwtVerify(token, keyOf(secret), {
    algorithms: ['HS256'],
    issuer: ISSUER,
    audience: KINDS[kind].audience,
    typ: KINDS[kind].typ,
    currentDate: new Date(nowMs),
    clockTolerance: 0,
    requiredClaims: ['sub', 'exp', 'jti', 'iat'],
  });
  return payload as Record<string, unknown>;
}

/** A short-lived access token: HS256 JWT with sub, sid, role, mfaAt, jti. */
export function signAccessToken(secret: string, claims: Omit<AccessClaims, 'jti' | 'exp'>, nowMs: number, ttlMs: number): Promise<string> {
  return signJwt('access', secret, claims.sub, { sid: claims.sid, role: claims.role, mfaAt: claims.mfaAt }, nowMs, ttlMs);
}

/** The claims of a valid access token, or the reason it is refused (never the token). */
export async function verifyAccessToken(secret: string, token: string, nowMs: number): Promise<AccessClaims | { refused: string }> {
  try {
    const { sub, sid, role, mfaAt, jti, exp } = await verifyJwt('access', secret, token, nowMs);
    if (typeof sub !== 'string' || typeof sid !== 'string' || !isRole(role) || typeof jti !== 'string' || typeof exp !== 'number') return { refused: 'malformed-claims' };
    if (mfaAt !== null && typeof mfaAt !== 'number') return { refused: 'malformed-claims' };
    return { sub, sid, role, mfaAt, jti, exp };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { refused: code === 'ERR_JWT_EXPIRED' ? 'expired' : code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'bad-signature' : `invalid-token${code ? ` (${code})` : ''}` };
  }
}

/** The short-lived proof that the password was right, exchanged with a TOTP code at POST /auth/mfa. */
export function signChallenge(secret: string, userId: string, nowMs: number, ttlMs: number): Promise<string> {
  return signJwt('challenge', secret, userId, {}, nowMs, ttlMs);
}

export async function verifyChallenge(secret: string, token: string, nowMs: number): Promise<{ userId: string; jti: string } | { refused: string }> {
  try {
    const { sub, jti } = await verifyJwt('challenge', secret, token, nowMs);
    if (typeof sub !== 'string' || typeof jti !== 'string') return { refused: 'challenge-invalid' };
    return { userId: sub, jti };
  } catch (err) {
    return { refused: (err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'challenge-expired' : 'challenge-invalid' };
  }
}

/**
 * The browser's session cookie value: an HS256 JWT naming the user and the session (the same
 * session records as token sign-in), valid until the session's absolute limit. Idle time,
 * revocation and the absolute limit are still checked on the session itself at every request.
 */
export function signBrowserSession(secret: string, claims: { sub: string; sid: string }, nowMs: number, ttlMs: number): Promise<string> {
  return signJwt('browser', secret, claims.sub, { sid: claims.sid }, nowMs, ttlMs);
}

/** The user and session of a valid session cookie, or the reason it is refused (never the value). */
export async function verifyBrowserSession(secret: string, token: string, nowMs: number): Promise<{ sub: string; sid: string } | { refused: string }> {
  try {
    const { sub, sid } = await verifyJwt('browser', secret, token, nowMs);
    if (typeof sub !== 'string' || typeof sid !== 'string') return { refused: 'malformed-claims' };
    return { sub, sid };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { refused: code === 'ERR_JWT_EXPIRED' ? 'expired' : code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'bad-signature' : `invalid${code ? ` (${code})` : ''}` };
  }
}

const CSRF_INFO = 'itinera:csrf:v1:';

/**
 * The CSRF token of a browser session (synchronizer token): an HMAC of the session id under the
 * token key, so it is bound to that session, needs no storage, and dies with the session. Pages
 * embed it; unsafe requests made with the session cookie must send it back.
 */
export function csrfTokenFor(secret: string, sessionId: string): string {
  return createHmac('sha256', secret).update(CSRF_INFO + sessionId).digest('base64url');
}

/** Whether `given` is the session's CSRF token (constant-time). */
export function csrfTokenValid(secret: string, sessionId: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 128) return false;
  const a = Buffer.from(csrfTokenFor(secret, sessionId), 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** An opaque refresh token (256 random bits); only its SHA-256 is stored. */
export function newRefreshToken(): string {
  return `itr_${randomBytes(32).toString('base64url')}`;
}

export const API_KEY_PREFIX = 'itk_';
const API_KEY = /^itk_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

/** A new API key: `itk_<id>_<secret>`, the id public (24 hex), the secret 256 random bits. */
export function newApiKey(): { id: string; secret: string; token: string } {
  const id = randomBytes(12).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `${API_KEY_PREFIX}${id}_${secret}` };
}

export function parseApiKey(token: string): { id: string; secret: string } | null {
  const m = API_KEY.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
