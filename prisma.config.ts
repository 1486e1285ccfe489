/**
 * Prisma CLI configuration (Prisma 6.19, JS schema engine + driver adapters; nothing is downloaded).
 *
 * - `DATABASE_URL` set   -> PostgreSQL through @prisma/adapter-pg.
 * - otherwise            -> embedded PGlite persisted in `ITINERA_PGLITE_DIR` (default `.data/pglite`).
 *
 * Used by `prisma migrate deploy` / `migrate status` / `db push`. The application builds its own
 * adapters at runtime (infra/database.ts); the workaround below is for the CLI only.
 */
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import pg from 'pg';
import { DriverAdapterError, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

/**
 * Upstream bug prisma/orm#27403: the WASM schema engine reads catalog columns of type `name`
 * (OID 19) and `"char"` (OID 18), which @prisma/adapter-pg cannot map ("Column type 'name' could
 * not be deserialized"). Report both as `text` (OID 25) on every result the migration client sees,
 * for both the promise and the callback forms of `query`.
 */
const CATALOG_TEXT_OIDS = new Set([18, 19]);
const TEXT_OID = 25;

function asText<R>(result: R): R {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results as Array<{ fields?: Array<{ dataTypeID: number }> }>) {
    for (const field of r?.fields ?? []) {
      if (CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

class CatalogTextClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (err: Error | null, res: unknown) => void;
      args[last] = (err: Error | null, res: unknown) => callback(err, err ? res : asText(res));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    if (args[0] && typeof args[0] === 'object' && typeof args[0].callback === 'function') {
      const config = args[0] as { callback: (err: Error | null, res: unknown) => void };
      const callback = config.callback;
      config.callback = (err, res) => callback(err, err ? res : asText(res));
    }
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    if (out && typeof (out as Promise<unknown>).then === 'function') {
      return (out as Promise<unknown>).then(asText);
    }
    return out;
  }
}

/** Decided before the placeholder below is set: a real URL means PostgreSQL. */
const DATABASE_URL = process.env.DATABASE_URL;
// The schema's `url = env("DATABASE_URL")` must resolve or the CLI falls back to downloading a
// query engine; with the embedded default the adapter below is used and this URL never is.
process.env.DATABASE_URL ??= 'postgresql://embedded-pglite.invalid/itinera';

/**
 * The CLI never disposes of its adapter, and both PGlite (Postgres' 10 s statistics flush) and the
 * WASM schema engine keep re-arming 10 s idle timers, so `migrate deploy` would finish its work and
 * then never exit. In this CLI process only, idle timers (>= 5 s) no longer hold the event loop open.
 */
function unrefIdleTimers(): void {
  const realSetTimeout = globalThis.setTimeout;
  const patched = (...args: Parameters<typeof setTimeout>) => {
    const timer = realSetTimeout(...args);
    if ((args[1] ?? 0) >= 5000) timer.unref();
    return timer;
  };
  globalThis.setTimeout = Object.assign(patched, realSetTimeout) as typeof setTimeout;
}

/**
 * Both adapters' `executeScript` split a migration on every `;`, which cuts PL/pgSQL bodies
 * (`$$ … ; … $$`: the ledger's triggers) into broken pieces. Send each migration script to the
 * server whole instead: one simple-protocol query, which PostgreSQL runs as one implicit
 * transaction, so a migration applies completely or not at all.
 */
type Cause = { code?: string; severity?: string; message?: string; detail?: string; column?: string; hint?: string };
function asDriverError(err: unknown): DriverAdapterError {
  const e = (err ?? {}) as Cause;
  return new DriverAdapterError({
    kind: 'postgres',
    code: e.code ?? 'N/A',
    severity: e.severity ?? 'ERROR',
    message: e.message ?? String(err),
    detail: e.detail,
    column: e.column,
    hint: e.hint,
    originalCode: e.code,
    originalMessage: e.message,
  });
}

function runScriptsWhole<F extends SqlMigrationAwareDriverAdapterFactory>(factory: F, runScript: (script: string) => Promise<unknown>): F {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    adapter.executeScript = async (script: string) => {
      try {
        await runScript(script);
      } catch (err) {
        throw asDriverError(err);
      }
    };
    return adapter;
  };
  return factory;
}

export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    unrefIdleTimers();
    const url = DATABASE_URL;
    if (url) {
      const { PrismaPg } = await import('@prisma/adapter-pg');
      const pool = new pg.Pool({ connectionString: url, Client: CatalogTextClient, max: 2, idleTimeoutMillis: 500, allowExitOnIdle: true });
      return runScriptsWhole(new PrismaPg(pool, { disposeExternalPool: true }), (script) => pool.query(script));
    }
    const { PGlite } = await import('@electric-sql/pglite');
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    const dataDir = path.resolve(process.env.ITINERA_PGLITE_DIR ?? path.join('.data', 'pglite'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dataDir, { recursive: true });
    const db = new PGlite(dataDir);
    return runScriptsWhole(new PrismaPGlite(db), (script) => db.exec(script));
  },
});
