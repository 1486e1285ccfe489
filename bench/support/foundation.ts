import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { openDatabase, type Database } from '../../infra/database';
import { startDevServerOnFreePorts, type DevServer } from '../../infra/dev-server';
import { migrateDeploy } from '../../infra/migrate';

export const log = (text: string) => process.stderr.write(`${text}\n`);

let runtimeInstalled = false;

/** Cleanup steps of a rig, run newest first; a failing step is logged and the rest still run. */
export class Stops {
  private readonly steps: Array<() => Promise<void> | void> = [];
  push(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (const s of this.steps.splice(0).reverse()) await Promise.resolve(s()).catch((e: unknown) => log(`stop step failed: ${String(e)}`));
  }
}

/**
 * What every bench rig stands on: the Temporal runtime with its logs quiet (once per process), a
 * Temporal dev server on free ports, and a migrated database (PostgreSQL when DATABASE_URL is
 * set, else PGlite in a temporary folder named after `label`), each with its cleanup in `stops`.
 */
export async function startBenchFoundation(label: string, stops: Stops): Promise<{ devServer: DevServer; db: Database }> {
  if (!runtimeInstalled) {
    Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
    runtimeInstalled = true;
  }
  const devServer = await startDevServerOnFreePorts({ namespace: 'default' });
  stops.push(() => devServer.stop());
  const databaseUrl = process.env.DATABASE_URL;
  let pgliteDir: string | undefined;
  if (!databaseUrl) {
    pgliteDir = mkdtempSync(path.join(tmpdir(), `itinera-bench-${label}-`));
    stops.push(() => rmSync(pgliteDir!, { recursive: true, force: true }));
  }
  await migrateDeploy({ databaseUrl, pgliteDir }, { quiet: true });
  const db = await openDatabase({ databaseUrl, pgliteDir, poolSize: 8 });
  stops.push(() => db.close());
  return { devServer, db };
}
