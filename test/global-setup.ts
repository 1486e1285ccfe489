import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../infra/dev-server';
import { migrateDeploy } from '../infra/migrate';
import { temporalCliPath, temporalTestServerPath } from '../infra/tools';
import { provisionTestPostgres, type TestPostgres } from './support/postgres';

declare global {
  var __itineraTestPostgres: TestPostgres | undefined;
  var __itineraTestDir: string | undefined;
}

/**
 * Once per `npm test`: checks the Temporal binaries are installed, migrates a template PGlite
 * database (test files copy it), and provisions a PostgreSQL database for the PostgreSQL suite.
 * Paths and URLs reach the test workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  temporalCliPath();
  temporalTestServerPath();

  const dir = mkdtempSync(path.join(os.tmpdir(), 'itinera-test-'));
  globalThis.__itineraTestDir = dir;
  const template = path.join(dir, 'pglite-template');
  const postgres = await provisionTestPostgres(await freePort());
  globalThis.__itineraTestPostgres = postgres;
  await Promise.all([
    migrateDeploy({ pgliteDir: template }, { quiet: true }),
    migrateDeploy({ databaseUrl: postgres.url }, { quiet: true }),
    migrateDeploy({ databaseUrl: postgres.templateUrl }, { quiet: true }),
  ]);
  process.env.ITINERA_TEST_PGLITE_TEMPLATE = template;
  process.env.ITINERA_TEST_PG_URL = postgres.url;
  process.env.ITINERA_TEST_PG_TEMPLATE_URL = postgres.templateUrl;
  process.env.ITINERA_TEST_DIR = dir;
}
