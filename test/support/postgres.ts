import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A PostgreSQL the tests own: a database on TEST_DATABASE_URL's server, or a private cluster. */
export interface TestPostgres {
  url: string;
  /** A second database, migrated like `url` and never connected to by tests: the template
   * `CREATE DATABASE ... TEMPLATE` copies for files that need a database of their own. */
  templateUrl: string;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], asUser?: string) {
  const full = asUser ? ['runuser', ['-u', asUser, '--', cmd, ...args]] as const : [cmd, args] as const;
  const r = spawnSync(full[0], full[1], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

function findPgBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : null;
}

async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Drops the per-file databases made from the template (`<name>_iso_*`). */
async function dropIsolatedDatabases(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${name}_iso_%`]);
    for (const r of rows) await client.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * A database of its own for one test file, copied from the migrated template (fast: a file
 * copy on the server). For suites whose subject reads the whole ledger (revaluation, reports)
 * or the one-row finance settings, where files sharing a database would see each other.
 */
export async function createIsolatedDatabase(templateUrl: string): Promise<string> {
  const template = new URL(templateUrl);
  const templateName = template.pathname.slice(1);
  const name = `${templateName.replace(/_tpl$/, '')}_iso_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new URL(templateUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName}"`);
  } finally {
    await client.end();
  }
  template.pathname = `/${name}`;
  return template.toString();
}

/**
 * TEST_DATABASE_URL given (CI: the Debian cluster `.ci/run` starts): a fresh database on it,
 * dropped afterwards. Otherwise a throwaway cluster from the installed PostgreSQL binaries.
 */
export async function provisionTestPostgres(port: number): Promise<TestPostgres> {
  const name = `itinera_test_${process.pid}_${Date.now()}`;
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    const url = await createDatabase(given, name);
    const templateUrl = await createDatabase(given, `${name}_tpl`);
    return {
      url,
      templateUrl,
      async stop() {
        await dropIsolatedDatabases(given, name);
        await dropDatabase(given, name);
        await dropDatabase(given, `${name}_tpl`);
      },
    };
  }
  const bin = findPgBin();
  if (!bin) {
    throw new Error(
      'The PostgreSQL suite needs a PostgreSQL server: install it (apt-get install -y postgresql) or set TEST_DATABASE_URL=postgresql://user:pass@host:5432/postgres',
    );
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'itinera-pg-'));
  // initdb refuses to run as root; the Debian package brings a `postgres` user for this.
  const asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
  if (asUser) {
    const uid = Number(run('id', ['-u', asUser]).trim());
    const gid = Number(run('id', ['-g', asUser]).trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  run(path.join(bin, 'initdb'), ['-D', data, '-U', 'itinera', '--auth=trust', '-E', 'UTF8', '--no-sync'], asUser);
  run(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -h 127.0.0.1 -c fsync=off`, 'start'], asUser);
  const admin = `postgresql://itinera@127.0.0.1:${port}/postgres`;
  const url = await createDatabase(admin, name);
  const templateUrl = await createDatabase(admin, `${name}_tpl`);
  return {
    url,
    templateUrl,
    async stop() {
      run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], asUser);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
