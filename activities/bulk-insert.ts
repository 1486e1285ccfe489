import type { PrismaClient } from '../generated/prisma/client';
import type { SqlClient } from '../infra/database';

/**
 * Anything that runs raw SQL: the Prisma client or one of its interactive transactions, or the
 * driver itself (`Database.query`, or a `Database.transaction`'s client), which skips Prisma's
 * per-query work on the parameters.
 */
export type RawSql = Pick<PrismaClient, '$queryRawUnsafe'> | SqlClient;

/** One parameterised statement on either kind of `RawSql`. */
export function rawQuery<T>(db: RawSql, sql: string, params: unknown[]): Promise<T[]> {
  return '$queryRawUnsafe' in db ? db.$queryRawUnsafe<T[]>(sql, ...params) : db.query<T>(sql, params);
}

/**
 * Inserts many rows in one statement: the rows travel as one JSON parameter and PostgreSQL
 * unpacks them with `jsonb_to_recordset`, so a batch of thousands costs one round trip and no
 * per-row work in the client (Prisma's `createMany` builds and checks every row in JavaScript,
 * which for migration-size batches costs far more than the database does).
 *
 * `columns` maps each column to its SQL type (`text`, `int`, `date`, `numeric`, `jsonb`,
 * `text[]`, `boolean`, `timestamptz`, `uuid`); rows are keyed by column name, dates as
 * `YYYY-MM-DD` strings, amounts as decimal strings, arrays as JSON arrays. With `onConflict:
 * 'nothing'` rows that hit a unique key are skipped. Returns how many rows were inserted.
 */
export async function bulkInsert(db: RawSql, table: string, columns: Record<string, string>, rows: Record<string, unknown>[], opts: { onConflict?: 'nothing' } = {}): Promise<number> {
  if (rows.length === 0) return 0;
  const [row] = await rawQuery<{ n: number }>(db, `WITH ins AS (${insertFromJson(table, columns, opts)} RETURNING 1) SELECT count(*)::int AS n FROM ins`, [JSON.stringify(rows)]);
  return row?.n ?? 0;
}

/**
 * `bulkInsert`, answering the inserted rows: `returning` is the statement's RETURNING list (with
 * `onConflict: 'nothing'`, a skipped row is not returned).
 */
export async function bulkInsertReturning<T>(db: RawSql, table: string, columns: Record<string, string>, rows: Record<string, unknown>[], returning: string, opts: { onConflict?: 'nothing' } = {}): Promise<T[]> {
  if (rows.length === 0) return [];
  return rawQuery<T>(db, `${insertFromJson(table, columns, opts)} RETURNING ${returning}`, [JSON.stringify(rows)]);
}

/** `INSERT INTO table (...) SELECT ... FROM jsonb_to_recordset($1)`, the rows' JSON being `$1`. */
function insertFromJson(table: string, columns: Record<string, string>, opts: { onConflict?: 'nothing' }): string {
  const names = Object.keys(columns);
  for (const n of [table, ...names]) if (!/^[a-z_][a-z0-9_]*$/.test(n)) throw new RangeError(`bulkInsert: "${n}" is not a plain SQL name`);
  const list = names.map((n) => `"${n}"`).join(', ');
  const record = names.map((n) => `"${n}" ${columns[n]}`).join(', ');
  const conflict = opts.onConflict === 'nothing' ? ' ON CONFLICT DO NOTHING' : '';
  return `INSERT INTO "${table}" (${list}) SELECT ${list} FROM jsonb_to_recordset($1::jsonb) AS x(${record})${conflict}`;
}
