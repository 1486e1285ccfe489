import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import { hashPassword, verifyPassword, type PasswordOptions } from './passwords';

/** RFC 6238 as Itinera uses it: SHA-1, 6 digits, 30 s steps, one step either side accepted. */
export const TOTP_PERIOD_S = 30;
export const RECOVERY_CODE_COUNT = 10;

const KEY_INFO = 'itinera:totp-secret:v1';

function aesKey(dataKey: string): Buffer {
  return createHash('sha256').update(KEY_INFO).update(dataKey).digest();
}

/** AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>` (base64url). */
export function encryptSecret(plain: string, dataKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', aesKey(dataKey), iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

/** The plain secret, or null when the value was tampered with or encrypted under another key. */
export function decryptSecret(stored: string, dataKey: string): string | null {
  const [version, iv, tag, ct] = stored.split('.');
  if (version !== 'v1' || !iv || !tag || ct === undefined) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', aesKey(dataKey), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(issuer: string, account: string, secret: string): string {
  return generateURI({ issuer, label: account, secret, period: TOTP_PERIOD_S });
}

/**
 * Checks a 6-digit code at `nowMs` (±1 step). Returns the time step it matched, or null when it
 * is wrong, outside the window, or not later than `lastStep` (each code is usable once, and an
 * older one never after a newer one).
 */
export async function verifyTotp(secret: string, code: string, nowMs: number, lastStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  try {
    const result = await verify({
      secret,
      token: code,
      epoch: Math.floor(nowMs / 1000),
      period: TOTP_PERIOD_S,
      epochTolerance: TOTP_PERIOD_S,
      ...(lastStep !== null ? { afterTimeStep: lastStep } : {}),
    });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    return null;
  }
}

/** Ten one-time recovery codes (`abcde-fghij`, 50 bits each) and their argon2id hashes. */
export async function newRecoveryCodes(opts: PasswordOptions): Promise<{ codes: string[]; hashes: string[] }> {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(10);
    const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
  return { codes, hashes: await Promise.all(codes.map((c) => hashPassword(c, opts))) };
}

/**
 * A new authenticator enrolment: the TOTP secret (to show once), its encrypted form for
 * `users.totp_secret`, and ten recovery codes with their hashes for `users.recovery_codes`.
 */
export async function newEnrolment(dataKey: string, opts: PasswordOptions): Promise<{ secret: string; encryptedSecret: string; recoveryCodes: string[]; recoveryHashes: string[] }> {
  const secret = newTotpSecret();
  const recovery = await newRecoveryCodes(opts);
  return { secret, encryptedSecret: encryptSecret(secret, dataKey), recoveryCodes: recovery.codes, recoveryHashes: recovery.hashes };
}

export function normaliseRecoveryCode(code: string): string {
  const c = code.trim().toLowerCase().replace(/[^a-z0-9]/g, '');
  return c.length === 10 ? `${c.slice(0, 5)}-${c.slice(5)}` : c;
}

/** The hashes left after using `code`, or null when it matches none (used codes are gone). */
export async function consumeRecoveryCode(hashes: readonly string[], code: string): Promise<string[] | null> {
  const normalised = normaliseRecoveryCode(code);
  for (let i = 0; i < hashes.length; i++) {
    if (await verifyPassword(hashes[i]!, normalised)) return hashes.filter((_, j) => j !== i);
  }
  return null;
}
