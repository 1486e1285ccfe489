/**
 * `npm run db:seed`: brings the travel chart of accounts into the database (idempotent: creates
 * missing accounts, keeps names current, never deletes). `npm start` does this on every start.
 */
import { seedDefaultAtolRules } from '../activities/atol.prisma';
import { seedChartOfAccounts } from '../activities/chart-seed.prisma';
import { DEFAULT_CHART_OPTIONS, travelChartOfAccounts } from '../domain/ledger/chart';
import { ConfigError, loadConfig } from '../infra/config';
import { openDatabase } from '../infra/database';

async function main() {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: config.ITINERA_PGLITE_DIR });
  try {
    const report = await seedChartOfAccounts(db.prisma, travelChartOfAccounts({ ...DEFAULT_CHART_OPTIONS, bankCurrencies: config.BANK_CURRENCIES }));
    process.stdout.write(`chart of accounts: ${report.created.length} created, ${report.renamed.length} renamed, ${report.unchanged} unchanged\n`);
    const atol = await seedDefaultAtolRules(db.prisma);
    process.stdout.write(`ATOL: ${atol.rulesCreated} default rules and ${atol.ratesCreated} contribution rates created\n`);
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
