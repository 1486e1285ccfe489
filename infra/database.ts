import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PrismaPg } from '@prisma/adapter-pg';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { pgliteAdapterFactory } from './pglite-adapter';

export type DatabaseKind = 'postgresql' | 'pglite';

export interface SqlClient {
  /**
   * One parameterised statement straight on the driver (outside `transaction`, in its own
   * implicit transaction). Rows come back as the driver gives them: numerics and int8 as strings,
   * timestamps as Date, dates parsed in the host zone (select them with to_char).
   */
  query<T>(sql: string, params: unknown[]): Promise<T[]>;
}

/**
 * The driver itself, for bulk paths where Prisma's per-query work (its query compiler serialises
 * every parameter, so a batch of thousands of rows costs tens of milliseconds before the database
 * sees it) outweighs the database's: migrations, audit batches, idempotency records. Never call it
 * inside a Prisma transaction: on PGlite (one connection) it would wait for that transaction.
 */
export interface SqlDriver extends SqlClient {
  /** Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (sql: SqlClient) => Promise<T>): Promise<T>;
}

/** The application's database: a Prisma client over PostgreSQL or embedded PGlite. */
export interface Database extends SqlDriver {
  kind: DatabaseKind;
  prisma: PrismaClient;
  /** Resolves when the database answers a trivial query; rejects with a DatabaseUnavailable. */
  ping(): Promise<void>;
  /**
   * Runs a SQL script straight on the driver (no Prisma), as one implicit transaction. For
   * operations and tests of database-level guarantees; application code goes through Prisma.
   */
  execScript(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** The database could not be reached or did not answer. The API turns this into a 503. */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`The database is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

export interface DatabaseOptions {
  /** PostgreSQL connection URL; when absent the embedded PGlite database is used. */
  databaseUrl?: string;
  /** PGlite data directory (ignored with a URL). `memory://` keeps it in memory. */
  pgliteDir?: string;
  poolSize?: number;
  /**
   * PostgreSQL only: run the driver's parameterised statements as named prepared statements, so
   * each connection parses a statement once instead of on every call (default true).
   * Turn off behind a pooler that does not keep prepared statements (PgBouncer in transaction mode).
   */
  preparedStatements?: boolean;
}

/**
 * At most this many distinct statements are prepared (per process, so per connection too); any
 * more run unnamed. Each prepared statement keeps its parsed query in the server connection's
 * memory; a whole bench:bookings run uses 26 distinct driver statements, so this leaves ample room.
 */
export const MAX_PREPARED_STATEMENTS = 500;

/**
 * The name each statement text is prepared under on PostgreSQL: a hash of the text, so one name
 * never stands for two texts (node-postgres refuses that) and every connection prepares a
 * statement once, under the same name. Bounded: text built with values in it would otherwise
 * prepare a new statement on every connection for every call.
 */
export function statementNamer(max = MAX_PREPARED_STATEMENTS): (sql: string) => string | undefined {
  const names = new Map<string, string>();
  return (sql) => {
    let name = names.get(sql);
    if (name === undefined && names.size < max) {
      name = `itinera_${createHash('sha1').update(sql).digest('base64url')}`;
      names.set(sql, name);
    }
    return name;
  };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    // Prepared statements (measured 2026-11-30, PostgreSQL 15): unnamed, the ledger's posting
    // statement spent 0.46 ms in parse on every call. Every call is still planned for its own
    // parameters (a custom plan, as an unnamed statement gets), set for each connection as it
    // starts: left to choose, PostgreSQL moved some hot statements to generic plans, and the keyed
    // create of bench:middleware fell from about 690 to 395 requests/s; with custom plans it was
    // back at 694. (An `options` parameter in DATABASE_URL replaces this one.)
    const prepare = options.preparedStatements !== false;
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 3_000,
      idleTimeoutMillis: 30_000,
      ...(prepare ? { options: '-c plan_cache_mode=force_custom_plan' } : {}),
    });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    const nameOf = prepare ? statementNamer() : () => undefined;
    const statement = (text: string, values: unknown[]): pg.QueryConfig => ({ name: nameOf(text), text, values });
    return wrap(
      'postgresql',
      prisma,
      async (sql) => void (await pool.query(sql)),
      async <T>(sql: string, params: unknown[]) => (await pool.query(statement(sql, params))).rows as T[],
      async <T>(fn: (sql: SqlClient) => Promise<T>) => {
        const client = await pool.connect();
        let broken: unknown;
        try {
          await client.query('BEGIN');
          const out = await fn({ query: async <R>(sql: string, params: unknown[]) => (await client.query(statement(sql, params))).rows as R[] });
          await client.query('COMMIT');
          return out;
        } catch (err) {
          await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
            broken = rollbackErr;
          });
          throw err;
        } finally {
          // A connection whose rollback failed is in an unknown state: it is discarded, not reused.
          client.release(broken instanceof Error ? broken : undefined);
        }
      },
      async () => {
        if (!pool.ended) await pool.end();
      },
    );
  }
  const dir = options.pgliteDir ?? 'memory://';
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const pglite = new PGlite(dir);
  await pglite.waitReady;
  const prisma = new PrismaClient({ adapter: pgliteAdapterFactory(pglite) });
  return wrap(
    'pglite',
    prisma,
    async (sql) => void (await pglite.exec(sql)),
    async <T>(sql: string, params: unknown[]) => (await pglite.query<T>(sql, params)).rows,
    <T>(fn: (sql: SqlClient) => Promise<T>) => pglite.transaction((tx) => fn({ query: async <R>(sql: string, params: unknown[]) => (await tx.query<R>(sql, params)).rows })),
    () => pglite.close(),
  );
}

function wrap(
  kind: DatabaseKind,
  prisma: PrismaClient,
  execScript: (sql: string) => Promise<void>,
  query: <T>(sql: string, params: unknown[]) => Promise<T[]>,
  transaction: <T>(fn: (sql: SqlClient) => Promise<T>) => Promise<T>,
  closeDriver: () => Promise<void>,
): Database {
  let closed = false;
  return {
    kind,
    prisma,
    async ping() {
      try {
        // On the driver: the same database as Prisma's, without Prisma's per-query work.
        await query('SELECT 1', []);
      } catch (err) {
        throw new DatabaseUnavailableError(err);
      }
    },
    execScript,
    query,
    transaction,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await closeDriver();
    },
  };
}

/**
 * True when an error means the database cannot be reached (as opposed to a bad query):
 * connection refused or reset, timeouts, Prisma's P1001/P1002/P1017, a closed PGlite.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const rec = e as { code?: unknown; message?: unknown; cause?: unknown; kind?: unknown };
    if (typeof rec.code === 'string' && ['P1001', 'P1002', 'P1017', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P03'].includes(rec.code)) {
      return true;
    }
    if (rec.kind === 'DatabaseNotReachable' || rec.kind === 'ConnectionClosed') return true;
    if (typeof rec.message === 'string' && /ECONNREFUSED|Connection terminated|connection timeout|timeout exceeded when trying to connect|PGlite is closed|Can't reach database/i.test(rec.message)) {
      return true;
    }
    e = rec.cause;
  }
  return false;
}
