import { openDatabase, statementNamer, type Database, type SqlClient } from '../database';
import { openTestPglite, openTestPostgres } from '../../test/support/databases';

/** The driver path (`query`, `transaction`) both databases offer, on a scratch table of its own. */
describe.each([
  ['PGlite', openTestPglite],
  ['PostgreSQL', openTestPostgres],
] as const)('Database driver on %s', (_name, open) => {
  let db: Database;
  const table = `driver_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  beforeAll(async () => {
    db = await open();
    await db.execScript(`CREATE TABLE ${table} (id int PRIMARY KEY, note text)`);
  });
  afterAll(async () => {
    await db?.execScript(`DROP TABLE IF EXISTS ${table}`);
    await db?.close();
  });

  it('commits what a transaction wrote when it resolves, and returns its value', async () => {
    const out = await db.transaction(async (sql) => {
      await sql.query(`INSERT INTO ${table} (id, note) VALUES ($1, $2), ($3, $4)`, [1, 'one', 2, 'two']);
      return (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`, []))[0]!.n;
    });
    expect(out).toBe(2);
    expect(await db.query(`SELECT id, note FROM ${table} ORDER BY id`, [])).toEqual([
      { id: 1, note: 'one' },
      { id: 2, note: 'two' },
    ]);
  });

  it('rolls everything back when the transaction throws, even a statement that succeeded, and rethrows', async () => {
    const failing = db.transaction(async (sql) => {
      await sql.query(`INSERT INTO ${table} (id, note) VALUES ($1, $2)`, [3, 'three']);
      await sql.query(`INSERT INTO ${table} (id, note) VALUES ($1, $2)`, [1, 'clash']);
    });
    await expect(failing).rejects.toThrow(/duplicate key/);
    expect(await db.query(`SELECT id FROM ${table} ORDER BY id`, [])).toEqual([{ id: 1 }, { id: 2 }]);
    // The connection is usable afterwards.
    await db.transaction((sql) => sql.query(`DELETE FROM ${table} WHERE id = $1`, [2]));
    expect(await db.query(`SELECT id FROM ${table}`, [])).toEqual([{ id: 1 }]);
  });
});

describe('prepared statements', () => {
  it('names each statement text by its hash: the same text always the same name, up to the cap', () => {
    const nameOf = statementNamer(2);
    const a = nameOf('SELECT $1::int AS x');
    expect(a).toMatch(/^itinera_[A-Za-z0-9_-]{27}$/);
    expect(a!.length).toBeLessThanOrEqual(63); // PostgreSQL's identifier limit
    expect(nameOf('SELECT $1::int AS x')).toBe(a);
    const b = nameOf('SELECT $1::text AS y');
    expect(b).toBeDefined();
    expect(b).not.toBe(a);
    // A new namer names the same text the same way: every connection prepares it under one name.
    expect(statementNamer()('SELECT $1::int AS x')).toBe(a);
    // Past the cap, new texts run unnamed; those already named keep their names.
    expect(nameOf('SELECT $1::date AS z')).toBeUndefined();
    expect(nameOf('SELECT $1::text AS y')).toBe(b);
  });

  /** The statements prepared on the connection that runs `fn`'s transaction, after `fn`. */
  const preparedOn = async (db: Database, fn: (sql: SqlClient) => Promise<unknown>) =>
    db.transaction(async (sql) => {
      await fn(sql);
      return sql.query<{ name: string; statement: string }>(`SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE $1`, ['%prepared\\_probe%']);
    });

  it('on PostgreSQL, parses a driver statement once per connection, plans each call, and survives its errors', async () => {
    const db = await openTestPostgres();
    try {
      const probe = `SELECT $1::int + 1 AS prepared_probe`;
      const prepared = await preparedOn(db, async (sql) => {
        expect(await sql.query(probe, [1])).toEqual([{ prepared_probe: 2 }]);
        expect(await sql.query(probe, [41])).toEqual([{ prepared_probe: 42 }]);
      });
      expect(prepared).toEqual([{ name: statementNamer()(probe), statement: probe }]);
      // Still planned for each call's parameters: a generic plan is never chosen behind our back.
      expect(await db.query(`SELECT current_setting('plan_cache_mode') AS mode`, [])).toEqual([{ mode: 'force_custom_plan' }]);
      // A prepared statement that fails (a bad parameter) fails alone; the next call works.
      await expect(db.query(probe, ['not a number'])).rejects.toThrow(/invalid input syntax for type integer/);
      for (let i = 0; i < 8; i++) expect(await db.query(probe, [i])).toEqual([{ prepared_probe: i + 1 }]);
    } finally {
      await db.close();
    }
  });

  it('on PostgreSQL with preparedStatements: false, prepares nothing (for poolers that cannot keep them)', async () => {
    const db = await openDatabase({ databaseUrl: process.env.ITINERA_TEST_PG_URL!, poolSize: 1, preparedStatements: false });
    try {
      const prepared = await preparedOn(db, async (sql) => {
        expect(await sql.query(`SELECT $1::int * 2 AS prepared_probe`, [21])).toEqual([{ prepared_probe: 42 }]);
      });
      expect(prepared).toEqual([]);
      expect(await db.query(`SELECT current_setting('plan_cache_mode') AS mode`, [])).toEqual([{ mode: 'auto' }]);
    } finally {
      await db.close();
    }
  });
});
