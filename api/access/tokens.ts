import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { isRole, type Role } from '../../domain/access/roles';

const ISSUER = 'itinera';
const ACCESS_AUDIENCE = 'itinera-api';
const CHALLENGE_AUDIENCE = 'itinera-mfa';

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

/** A short-lived access token: HS256 JWT with sub, sid, role, mfaAt, jti. */
export async function signAccessToken(secret: string, claims: Omit<AccessClaims, 'jti' | 'exp'>, nowMs: number, ttlMs: number): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ sid: claims.sid, role: claims.role, mfaAt: claims.mfaAt })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setAudience(ACCESS_AUDIENCE)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.max(1, Math.floor(ttlMs / 1000)))
    .sign(keyOf(secret));
}

/** The claims of a valid access token, or the reason it is refused (never the token). */
export async function verifyAccessToken(secret: string, token: string, nowMs: number): Promise<AccessClaims | { refused: string }> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: ACCESS_AUDIENCE,
      typ: 'at+jwt',
      currentDate: new Date(nowMs),
      clockTolerance: 0,
      requiredClaims: ['sub', 'exp', 'jti', 'iat'],
    });
    const { sub, sid, role, mfaAt, jti, exp } = payload as Record<string, unknown>;
    if (typeof sub !== 'string' || typeof sid !== 'string' || !isRole(role) || typeof jti !== 'string' || typeof exp !== 'number') return { refused: 'malformed-claims' };
    if (mfaAt !== null && typeof mfaAt !== 'number') return { refused: 'malformed-claims' };
    return { sub, sid, role, mfaAt, jti, exp };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { refused: code === 'ERR_JWT_EXPIRED' ? 'expired' : code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'bad-signature' : `invalid-token${code ? ` (${code})` : ''}` };
  }
}

/** The short-lived proof that the password was right, exchanged with a TOTP code at POST /auth/mfa. */
export async function signChallenge(secret: string, userId: string, nowMs: number, ttlMs: number): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'mfa-challenge+jwt' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(CHALLENGE_AUDIENCE)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.max(1, Math.floor(ttlMs / 1000)))
    .sign(keyOf(secret));
}

export async function verifyChallenge(secret: string, token: string, nowMs: number): Promise<{ userId: string; jti: string } | { refused: string }> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: CHALLENGE_AUDIENCE,
      typ: 'mfa-challenge+jwt',
      currentDate: new Date(nowMs),
      requiredClaims: ['sub', 'exp', 'jti'],
    });
    return { userId: payload.sub!, jti: payload.jti! };
  } catch (err) {
    return { refused: (err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'challenge-expired' : 'challenge-invalid' };
  }
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
