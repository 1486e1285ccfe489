import { cpSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type Database } from '../../infra/database';
import { createIsolatedDatabase } from './postgres';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (test/global-setup.ts sets it)`);
  return value;
}

/** A fresh embedded database for one test file: a copy of the migrated template. */
export async function openTestPglite(): Promise<Database> {
  const dir = mkdtempSync(path.join(required('ITINERA_TEST_DIR'), 'pglite-'));
  cpSync(required('ITINERA_TEST_PGLITE_TEMPLATE'), dir, { recursive: true });
  return openDatabase({ pgliteDir: dir });
}

/** The migrated PostgreSQL test database (shared by files: tests use unique references). */
export function openTestPostgres(): Promise<Database> {
  return openDatabase({ databaseUrl: required('ITINERA_TEST_PG_URL'), poolSize: 4 });
}

/**
 * A PostgreSQL database of this file's own (copied from the migrated template): for suites that
 * read the whole ledger or change the one-row finance settings. Dropped at the end of `npm test`.
 */
export async function openIsolatedTestPostgres(): Promise<Database> {
  return openDatabase({ databaseUrl: await createIsolatedDatabase(required('ITINERA_TEST_PG_TEMPLATE_URL')), poolSize: 4 });
}
