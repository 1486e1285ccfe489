/**
 * `npm run db:migrate`: applies prisma/migrations to DATABASE_URL (PostgreSQL, through `prisma
 * migrate deploy`) or to the embedded PGlite folder (in this process; see infra/migrate.ts).
 */
import { ConfigError, loadConfig } from '../infra/config';
import { migrateDeploy } from '../infra/migrate';

async function main() {
  const config = loadConfig();
  await migrateDeploy({ databaseUrl: config.DATABASE_URL, pgliteDir: config.ITINERA_PGLITE_DIR });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
