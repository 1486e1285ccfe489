import { spawn } from 'node:child_process';
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
export function migrateDeploy(target: MigrateTarget, opts: { quiet?: boolean } = {}): Promise<void> {
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
      if (code === 0) resolve();
      else reject(new Error(`prisma migrate deploy failed (exit ${code}):\n${output}`));
    });
  });
}
