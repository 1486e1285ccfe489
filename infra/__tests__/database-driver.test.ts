import type { Database } from '../database';
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
