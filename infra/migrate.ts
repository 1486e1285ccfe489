import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './config';

export interface MigrateTarget {
  databaseUrl?: string;
  pgliteDir?: string;
}

/**
 * Applies `prisma/migrations` with `prisma migrate deploy` (the same command on PGlite and
 * PostgreSQL; prisma.config.ts picks the driver adapter). Rejects with the CLI's output on failure.
 */
export async function migrateDeploy(target: MigrateTarget, opts: { quiet?: boolean } = {}): Promise<void> {
  if (target.databaseUrl || !target.pgliteDir) {
    const output = await runDeploy(target, opts);
    if (!/All migrations have been successfully applied|No pending migrations to apply/.test(output)) {
      throw new Error(`prisma migrate deploy exited without applying or confirming the migrations:\n${output}`);
    }
    return;
  }
  await deployToPglite(target.pgliteDir, opts);
}

/**
 * `migrate deploy` for the embedded database, in this process. The Prisma CLI never closes its
 * PGlite, and a PGlite that is not closed does not reliably persist: about one CLI run in fifteen
 * reported every migration applied and left a data directory without them (or one PGlite could
 * not start on). Here each pending migration runs whole, in one transaction together with its
 * row in Prisma's own `_prisma_migrations` table (same name and sha256 checksum the CLI records,
 * so the CLI agrees about what is applied), and the database is closed cleanly at the end.
 */
async function deployToPglite(dir: string, opts: { quiet?: boolean }): Promise<void> {
  const root = path.join(PROJECT_ROOT, 'prisma', 'migrations');
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
  mkdirSync(dir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(dir);
  try {
    await db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const applied = new Map(
      (await db.query<{ migration_name: string; checksum: string }>('SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL')).rows.map(
        (r) => [r.migration_name, r.checksum],
      ),
    );
    const failed = (await db.query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL')).rows;
    if (failed.length) throw new Error(`Migration ${failed[0]!.migration_name} failed earlier in ${dir}; resolve it before applying more`);
    let count = 0;
    for (const name of folders) {
      const sql = readFileSync(path.join(root, name, 'migration.sql'), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      if (applied.has(name)) {
        if (applied.get(name) !== checksum && !opts.quiet) process.stderr.write(`warning: migration ${name} was modified after it was applied to ${dir}\n`);
        continue;
      }
      await db.transaction(async (tx) => {
        await tx.exec(sql);
        await tx.query(
          `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), checksum, name],
        );
      });
      count++;
      if (!opts.quiet) process.stderr.write(`applied ${name}\n`);
    }
    if (!opts.quiet) process.stderr.write(count ? `All migrations have been successfully applied (${count}).\n` : 'No pending migrations to apply.\n');
  } finally {
    await db.close();
  }
}

function runDeploy(target: MigrateTarget, opts: { quiet?: boolean }): Promise<string> {
  const cli = path.join(PROJECT_ROOT, 'node_modules', 'prisma', 'build', 'index.js');
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  delete env.DATABASE_URL;
  if (target.databaseUrl) env.DATABASE_URL = target.databaseUrl;
  if (target.pgliteDir) env.ITINERA_PGLITE_DIR = target.pgliteDir;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'migrate', 'deploy'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (!opts.quiet) process.stderr.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`prisma migrate deploy failed (exit ${code}):\n${output}`));
    });
  });
}
