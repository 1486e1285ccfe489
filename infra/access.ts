/**
 * Access control's services for the API: the auth dependencies (users, sessions, tokens, API
 * keys), the audit log and the idempotency store, built once per process; the keys they need;
 * and, on the embedded default, a first admin and a local API key for the project's own scripts.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createApiKey, createUser, type AuthDeps, type AuthSettings } from '../api/access/authenticate';
import type { PasswordOptions } from '../api/access/passwords';
import { PrismaAuditLog } from '../activities/audit-log.prisma';
import { PrismaIdempotencyStore } from '../activities/idempotency.prisma';
import { PERMISSIONS } from '../domain/access/roles';
import type { PrismaClient } from '../generated/prisma/client';
import type { SqlClient } from './database';
import { ConfigError, PROJECT_ROOT, type AppConfig } from './config';
import type { Logger } from './logger';

export interface AccessSecrets {
  tokenKey: string;
  dataKey: string;
}

/** What `createApp` takes for access control (ApiDeps.access). */
export interface AccessServices {
  auth: AuthDeps;
  audit: PrismaAuditLog;
  idempotency: PrismaIdempotencyStore;
  /** Epoch ms for idempotency expiry and step-up checks (tests pass a controllable one). */
  clock?: () => number;
  /** Writes the audit records still buffered and stops the hourly purge of expired idempotency keys. */
  close(): Promise<void>;
}

export interface AccessOptions {
  secrets: AccessSecrets;
  logger: Logger;
  clock?: () => number;
  settings?: Partial<AuthSettings>;
  /** Purge expired idempotency keys this often (default hourly; 0 = never, for tests). */
  purgeEveryMs?: number;
  /** The driver (the `Database`), for the per-request idempotency statements and the audit batches; else Prisma. */
  sql?: SqlClient;
}

export function accessServices(prisma: PrismaClient, opts: AccessOptions): AccessServices {
  const audit = new PrismaAuditLog(prisma, { logger: opts.logger.child({ component: 'audit' }), ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.sql ? { sql: opts.sql } : {}) });
  const idempotency = new PrismaIdempotencyStore(prisma, opts.sql);
  const every = opts.purgeEveryMs ?? 60 * 60_000;
  const purge =
    every > 0
      ? setInterval(() => {
          idempotency.purgeExpired().catch((err: unknown) => opts.logger.warn({ err }, 'purging expired idempotency keys failed; next hour again'));
        }, every).unref()
      : null;
  return {
    auth: { prisma, audit, secrets: opts.secrets, ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.settings ? { settings: opts.settings } : {}) },
    audit,
    idempotency,
    ...(opts.clock ? { clock: opts.clock } : {}),
    async close() {
      if (purge) clearInterval(purge);
      await audit.flush();
    },
  };
}

/**
 * Browser sessions: the cookie is `Secure` unless the app is served over plain http, that is when
 * ITINERA_PUBLIC_URL is an http:// URL, or when it is unset on the embedded default (`npm start` on
 * 127.0.0.1 for local development). With DATABASE_URL and no public URL, the cookie is Secure (TLS
 * in front) and cookie-authenticated changes must come from the request's own origin.
 */
export function browserSessionSettings(config: Pick<AppConfig, 'ITINERA_PUBLIC_URL' | 'DATABASE_URL'>): Pick<AuthSettings, 'cookieSecure' | 'publicOrigin'> {
  if (config.ITINERA_PUBLIC_URL) {
    const url = new URL(config.ITINERA_PUBLIC_URL);
    return { cookieSecure: url.protocol === 'https:', publicOrigin: url.origin };
  }
  return { cookieSecure: Boolean(config.DATABASE_URL), publicOrigin: null };
}

const SECRETS_FILE = 'access-secrets.json';

/** The embedded default's data folder: the one holding the PGlite database (`.data/` unless ITINERA_PGLITE_DIR moves it). */
export function embeddedDataDir(pgliteDir = process.env.ITINERA_PGLITE_DIR ?? path.join(PROJECT_ROOT, '.data', 'pglite')): string {
  return path.dirname(path.resolve(pgliteDir));
}

/**
 * The token and data keys: from ITINERA_TOKEN_KEY / ITINERA_DATA_KEY; on the embedded default
 * (no DATABASE_URL) generated once into `.data/access-secrets.json` (mode 0600) and reused, so
 * sessions and enrolled authenticators survive restarts. With PostgreSQL they must be set.
 */
export function accessSecrets(config: Pick<AppConfig, 'ITINERA_TOKEN_KEY' | 'ITINERA_DATA_KEY' | 'DATABASE_URL' | 'ITINERA_PGLITE_DIR'>, dataDir = embeddedDataDir(config.ITINERA_PGLITE_DIR)): AccessSecrets {
  if (config.ITINERA_TOKEN_KEY && config.ITINERA_DATA_KEY) return { tokenKey: config.ITINERA_TOKEN_KEY, dataKey: config.ITINERA_DATA_KEY };
  if (config.DATABASE_URL) {
    const missing = (['ITINERA_TOKEN_KEY', 'ITINERA_DATA_KEY'] as const).filter((k) => !config[k]);
    throw new ConfigError(missing.map((k) => `${k}: is required with DATABASE_URL (at least 32 random characters, e.g. \`openssl rand -base64 48\`; keep ITINERA_DATA_KEY the same across restarts)`));
  }
  const file = path.join(dataDir, SECRETS_FILE);
  let stored: Partial<AccessSecrets> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<AccessSecrets>;
  const secrets: AccessSecrets = {
    tokenKey: config.ITINERA_TOKEN_KEY ?? stored.tokenKey ?? randomBytes(48).toString('base64url'),
    dataKey: config.ITINERA_DATA_KEY ?? stored.dataKey ?? randomBytes(48).toString('base64url'),
  };
  if (stored.tokenKey !== secrets.tokenKey || stored.dataKey !== secrets.dataKey) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return secrets;
}

/** Where `npm start` leaves the API key the project's own scripts (scenarios, smoke, crm:migrate) use. */
export const LOCAL_API_KEY_FILE = 'local-api-key';

/**
 * The embedded default's first access: when no user exists, an ADMIN (`admin@itinera.local`, the
 * password from ITINERA_ADMIN_PASSWORD or generated) whose password is printed once and kept in
 * `.data/initial-admin.txt` (mode 0600; MFA enrolment is asked at first sign-in); and an
 * all-scopes API key for the local scripts in `.data/local-api-key`, made again when missing.
 */
export async function ensureLocalAccess(
  prisma: PrismaClient,
  logger: Logger,
  opts: { dataDir?: string; adminPassword?: string; passwordOptions?: PasswordOptions } = {},
): Promise<{ adminCreated: { email: string; password: string } | null; apiKeyFile: string }> {
  const dataDir = opts.dataDir ?? embeddedDataDir();
  mkdirSync(dataDir, { recursive: true });
  let adminCreated: { email: string; password: string } | null = null;
  if ((await prisma.user.count()) === 0) {
    const email = 'admin@itinera.local';
    const password = opts.adminPassword ?? randomBytes(18).toString('base64url');
    await createUser(prisma, { email, name: 'Administrator', role: 'ADMIN', password }, opts.passwordOptions);
    const note = path.join(dataDir, 'initial-admin.txt');
    writeFileSync(note, `email: ${email}\npassword: ${password}\n(change it with POST /auth/password; MFA enrolment is asked at first sign-in)\n`, { mode: 0o600 });
    adminCreated = { email, password };
    logger.info({ email, passwordFile: note }, 'first start: created the admin user (password in the file; change it after signing in)');
  }
  const keyFile = path.join(dataDir, LOCAL_API_KEY_FILE);
  const existing = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '';
  const existingId = /^itk_([A-Za-z0-9]+)_/.exec(existing)?.[1];
  const valid = existingId ? await prisma.apiKey.findFirst({ where: { id: existingId, revokedAt: null } }) : null;
  if (!valid) {
    const { token } = await createApiKey(prisma, { name: 'local scripts (npm start)', scopes: [...PERMISSIONS], createdBy: 'npm start' });
    writeFileSync(keyFile, `${token}\n`, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    logger.info({ file: keyFile }, 'created the API key the local scripts use');
  }
  return { adminCreated, apiKeyFile: keyFile };
}

/** The API key a local script sends: ITINERA_API_KEY, else the one `npm start` left in `.data/local-api-key`. */
export function localApiKey(dataDir = embeddedDataDir()): string | null {
  if (process.env.ITINERA_API_KEY) return process.env.ITINERA_API_KEY;
  const file = path.join(dataDir, LOCAL_API_KEY_FILE);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || null : null;
}

/** Headers a local script sends to the API: the local API key, or a clear error saying how to get one. */
export function localApiHeaders(): Record<string, string> {
  const key = localApiKey();
  if (!key) throw new Error('no API key: start the system with `npm start` (it writes .data/local-api-key), or set ITINERA_API_KEY to a key made with POST /api-keys');
  return { 'x-api-key': key };
}
