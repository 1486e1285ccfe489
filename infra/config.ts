import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isCurrencyCode } from '../domain/money/currency';
import { isTimeZone } from '../domain/time/instant';

/** Root of the checkout: every relative default below is resolved against it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

const optionalPath = (what: string) =>
  z
    .string()
    .min(1)
    .optional()
    .refine((p) => p === undefined || existsSync(p), { message: `${what}: no such file` });

const PORT_MESSAGE = 'must be a port number from 0 to 65535';
const port = z.coerce.number({ error: PORT_MESSAGE }).int(PORT_MESSAGE).min(0, PORT_MESSAGE).max(65535, PORT_MESSAGE);

/**
 * Every setting Itinera reads from the environment. The README's configuration table lists the
 * same names; `loadConfig` reports every missing or invalid one at once.
 */
export const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(3000),
    OPERATOR_TIME_ZONE: z
      .string()
      .default('UTC')
      .refine(isTimeZone, { message: 'is not an IANA time zone such as "Europe/London"' }),

    BASE_CURRENCY: z
      .string()
      .default('GBP')
      .refine(isCurrencyCode, { message: 'is not an ISO 4217 currency code' }),
    BANK_CURRENCIES: z
      .string()
      .default('GBP,EUR,USD')
      .transform((list) => list.split(',').map((c) => c.trim()).filter(Boolean))
      .refine((codes) => codes.length > 0 && codes.every(isCurrencyCode), {
        message: 'must be a comma-separated list of ISO 4217 codes, e.g. "GBP,EUR,USD"',
      }),

    ECB_RATES_URL: z
      .string()
      .url('must be an http(s) URL')
      .default('https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml'),

    /** A treasury rates API (JSON): optional second rate source for the daily import. */
    TREASURY_RATES_URL: z.string().url('must be an http(s) URL').optional(),
    TREASURY_API_KEY: z.string().min(1).optional(),
    TREASURY_SOURCE: z.string().regex(/^[A-Z][A-Z0-9-]{0,31}$/, 'must be a source name such as "TREASURY"').default('TREASURY'),
    TREASURY_BASE: z.string().refine(isCurrencyCode, { message: 'is not an ISO 4217 currency code' }).optional(),

    /** A Duffel-style flight aggregator (JSON): base URL and access token. */
    DUFFEL_BASE_URL: z.string().url('must be an http(s) URL').optional(),
    DUFFEL_ACCESS_TOKEN: z.string().min(1).optional(),
    /** An NDC gateway (XML): base URL, schema version and API key. */
    NDC_BASE_URL: z.string().url('must be an http(s) URL').optional(),
    NDC_VERSION: z.enum(['17.2', '19.2', '21.3'], { message: 'must be 17.2, 19.2 or 21.3' }).default('21.3'),
    NDC_API_KEY: z.string().min(1).optional(),
    /** Port of the sandbox GDS `npm start` runs when no real flight supplier is configured (0 = any free port). */
    SANDBOX_GDS_PORT: port.default(0),

    /** Per request to a channel manager's OpenTravel endpoint, in ms. */
    CHANNEL_TIMEOUT_MS: z.coerce.number({ error: 'must be a whole number of milliseconds from 100 to 120000' }).int().min(100).max(120_000).default(5_000),
    /** How long a pushed rate may wait for a channel's acknowledgement before it shows as out of parity, in ms. */
    CHANNEL_PARITY_GRACE_MS: z.coerce.number({ error: 'must be a whole number of milliseconds' }).int().min(0).default(600_000),
    /** Nights ahead the 6-hourly channel reconciliation compares (1..730). */
    CHANNEL_RECONCILIATION_HORIZON_DAYS: z.coerce.number({ error: 'must be a whole number from 1 to 730' }).int('must be a whole number from 1 to 730').min(1, 'must be a whole number from 1 to 730').max(730, 'must be a whole number from 1 to 730').default(90),
    /** The sandbox channel manager `npm start` runs on the embedded default: its port (0 = any free port). */
    SANDBOX_CHANNELS_PORT: port.default(0),

    /** Signs access tokens (HS256), at least 32 characters. Embedded default: generated once into .data/access-secrets.json. */
    ITINERA_TOKEN_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Encrypts TOTP secrets at rest (AES-256-GCM), at least 32 characters; must stay the same across restarts. */
    ITINERA_DATA_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * The URL browsers reach the API at (`https://erp.example.com`): its origin is the only one
     * cookie-authenticated changes may come from, and an http:// URL drops the cookie's Secure flag.
     */
    ITINERA_PUBLIC_URL: z
      .string()
      .url('must be an http(s) URL')
      .refine((u) => /^https?:\/\//i.test(u), { message: 'must be an http(s) URL' })
      .optional(),

    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection URL')
      .optional(),
    ITINERA_PGLITE_DIR: z.string().min(1).default(path.join(PROJECT_ROOT, '.data', 'pglite')),
    DATABASE_POOL_SIZE: z.coerce.number({ error: 'must be a whole number from 1 to 100' }).int('must be a whole number from 1 to 100').min(1, 'must be a whole number from 1 to 100').max(100, 'must be a whole number from 1 to 100').default(10),
    /** `off` behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode). */
    DATABASE_PREPARED_STATEMENTS: z.enum(['on', 'off'], { error: 'must be "on" or "off"' }).default('on'),

    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^\s:]+:\d+$/, 'must be host:port, e.g. "temporal.example.com:7233"')
      .optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TLS_CERT_PATH: optionalPath('TEMPORAL_TLS_CERT_PATH'),
    TEMPORAL_TLS_KEY_PATH: optionalPath('TEMPORAL_TLS_KEY_PATH'),
    TEMPORAL_TLS_CA_PATH: optionalPath('TEMPORAL_TLS_CA_PATH'),
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    TEMPORAL_DEV_PORT: port.default(7233),
    TEMPORAL_UI_PORT: port.default(8233),
    TEMPORAL_DEV_DB_FILE: z.string().min(1).default(path.join(PROJECT_ROOT, '.data', 'temporal.sqlite')),
    WORKER_SHUTDOWN_GRACE: z
      .string()
      .regex(/^\d+\s*(ms|s|m)$/, 'must be a duration such as "30s"')
      .default('30s'),
  })
  .superRefine((env, ctx) => {
    if (env.TREASURY_RATES_URL && !env.TREASURY_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['TREASURY_API_KEY'], message: 'is required when TREASURY_RATES_URL is set' });
    }
    if (env.DUFFEL_BASE_URL && !env.DUFFEL_ACCESS_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['DUFFEL_ACCESS_TOKEN'], message: 'is required when DUFFEL_BASE_URL is set' });
    }
    if (!env.BANK_CURRENCIES.includes(env.BASE_CURRENCY)) {
      ctx.addIssue({ code: 'custom', path: ['BANK_CURRENCIES'], message: `must include the base currency ${env.BASE_CURRENCY}` });
    }
    if (Boolean(env.TEMPORAL_TLS_CERT_PATH) !== Boolean(env.TEMPORAL_TLS_KEY_PATH)) {
      const missing = env.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'mTLS needs both a certificate and a key' });
    }
    if (env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_API_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPORAL_API_KEY'],
        message: 'use either mTLS (TEMPORAL_TLS_CERT_PATH/KEY_PATH) or an API key, not both',
      });
    }
    if ((env.TEMPORAL_TLS_CERT_PATH || env.TEMPORAL_API_KEY) && !env.TEMPORAL_ADDRESS) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPORAL_ADDRESS'],
        message: 'is required when Temporal credentials are given (the dev server needs none)',
      });
    }
  });

export type AppConfig = z.infer<typeof EnvSchema>;

/** Raised at start-up with one line per bad setting. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset: `FOO= npm start` should not be a validation error.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}
