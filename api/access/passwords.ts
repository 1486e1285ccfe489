import argon2 from 'argon2';

/** argon2id cost parameters: production defaults follow OWASP (19 MiB, 2 passes); tests pass cheap ones. */
export interface PasswordOptions {
  /** KiB of memory. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_PASSWORD_OPTIONS: PasswordOptions = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
/** For tests only: fast, and still argon2id. */
export const CHEAP_PASSWORD_OPTIONS: PasswordOptions = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string, opts: PasswordOptions = DEFAULT_PASSWORD_OPTIONS): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...opts });
}

/** False for a wrong password and for a hash that cannot be read (never throws on bad input). */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** What is wrong with a new password (empty: acceptable): at least 12 characters, not the e-mail. */
export function passwordProblems(password: string, email: string): string[] {
  const problems: string[] = [];
  if ([...password].length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if ([...password].length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters`);
  const lower = password.trim().toLowerCase();
  const mail = email.trim().toLowerCase();
  if (lower === mail || lower === mail.split('@')[0]) problems.push('must not be the e-mail address or its local part');
  return problems;
}

/**
 * A hash of a random password with the same parameters, verified against when the e-mail is
 * unknown so that answering takes about as long as for a real account.
 */
export function dummyHasher(opts: PasswordOptions): () => Promise<string> {
  let hash: Promise<string> | null = null;
  return () => (hash ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`, opts));
}
