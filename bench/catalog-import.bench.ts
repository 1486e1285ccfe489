/**
 * `npm run bench:catalog`: imports the deterministic mid-size catalog (60 suppliers, 200 tours,
 * 2,000 hotels with 24 seasonal rates each, 50 ground services, 25 insurance products; about
 * 2,300 products and 49,000 rates) through `importCatalog`, on PGlite and on PostgreSQL:
 * JSON (all created), JSON again (all unchanged, nothing written), then CSV into an emptied
 * catalog and CSV again. Reports seconds and records/s, and as a baseline measured in the same
 * run, a plain multi-row INSERT of as many rows (products + every child row) into a scratch table.
 *
 * PostgreSQL: a throwaway cluster from the installed binaries (as the tests do). PGlite: a fresh
 * directory under the OS temp folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importCatalog, type ImportReport } from '../activities/catalog-import';
import { PrismaCatalog } from '../activities/catalog.prisma';
import { productsToCsv, suppliersToCsv } from '../domain/catalog/import-rows';
import { freePort } from '../infra/dev-server';
import { openDatabase, type Database } from '../infra/database';
import { migrateDeploy, type MigrateTarget } from '../infra/migrate';
import { provisionTestPostgres } from '../test/support/postgres';
import { generateCatalog } from '../sandbox/catalog-generator';

const catalogData = generateCatalog({ seed: 42, startDate: '2027-01-04' });
const json = { suppliers: JSON.stringify(catalogData.suppliers), products: JSON.stringify(catalogData.products) };
const csv = { suppliers: suppliersToCsv(catalogData.suppliers), products: productsToCsv(catalogData.products) };
const childRows = catalogData.products.reduce((n, p) => n + p.categories.length + p.rates.length + p.childBands.length + p.taxes.length + (p.type === 'TOUR' ? p.departures.length : 0), 0);
const totalRows = catalogData.products.length + childRows;

interface Phase {
  name: string;
  seconds: number;
  report?: ImportReport;
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await run();
  return [result, (performance.now() - started) / 1000];
}

/** The same number of rows, of a similar width, in multi-row INSERTs of 5,000 rows (one statement each). */
async function baseline(db: Database): Promise<number> {
  await db.execScript(`CREATE TABLE bench_scratch (id uuid, product_id uuid, category text, valid_from date, valid_to date, amount numeric(18,4), extra numeric(18,4))`);
  const [, seconds] = await timed(async () => {
    for (let start = 0; start < totalRows; start += 5000) {
      const n = Math.min(5000, totalRows - start);
      const rows = Array.from({ length: n }, (_, i) => ({ category: `C${(start + i) % 3}`, valid_from: '2027-01-04', valid_to: '2027-04-04', amount: `${100 + ((start + i) % 900)}.50`, extra: '12.25' }));
      await db.query(
        `INSERT INTO bench_scratch SELECT gen_random_uuid(), gen_random_uuid(), x.category, x.valid_from, x.valid_to, x.amount, x.extra
           FROM jsonb_to_recordset($1::jsonb) AS x(category text, valid_from date, valid_to date, amount numeric, extra numeric)`,
        [JSON.stringify(rows)],
      );
    }
  });
  await db.execScript('DROP TABLE bench_scratch');
  return seconds;
}

async function benchOn(label: string, target: MigrateTarget): Promise<{ label: string; phases: Phase[]; baseline: number }> {
  await migrateDeploy(target, { quiet: true });
  const db = await openDatabase({ ...target, poolSize: 4 });
  try {
    const catalog = new PrismaCatalog(db.prisma);
    const apply = { dryRun: false, skipBad: false };
    const phases: Phase[] = [];
    const step = async (name: string, kind: 'suppliers' | 'products', format: 'json' | 'csv') => {
      const [report, seconds] = await timed(() => importCatalog(catalog, { kind, format, text: (format === 'json' ? json : csv)[kind], source: `bench-${name}` }, apply));
      if (report.problems.length) throw new Error(`${name}: ${report.problems.length} problems, first: ${JSON.stringify(report.problems[0])}`);
      phases.push({ name, seconds, report });
      return report;
    };
    await step('suppliers (JSON)', 'suppliers', 'json');
    await step('products, JSON, new', 'products', 'json');
    const again = await step('products, JSON, re-import', 'products', 'json');
    if (again.unchanged !== catalogData.products.length) throw new Error(`re-import: expected every product unchanged, got ${JSON.stringify(again)}`);
    const [, wipe] = await timed(() => db.execScript('DELETE FROM products'));
    phases.push({ name: 'delete all products', seconds: wipe });
    await step('products, CSV, new', 'products', 'csv');
    const csvAgain = await step('products, CSV, re-import', 'products', 'csv');
    if (csvAgain.unchanged !== catalogData.products.length) throw new Error('CSV re-import: expected every product unchanged');
    return { label, phases, baseline: await baseline(db) };
  } finally {
    await db.close();
  }
}

async function main() {
  const results = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'itinera-bench-catalog-'));
  try {
    results.push(await benchOn('PGlite', { pgliteDir: path.join(dir, 'pglite') }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const server = await provisionTestPostgres(await freePort());
  try {
    results.push(await benchOn('PostgreSQL', { databaseUrl: server.url }));
  } finally {
    await server.stop();
  }

  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`\nCatalog import bench: ${catalogData.suppliers.length} suppliers, ${catalogData.products.length} products, ${childRows} child rows (${totalRows} rows), ${new Date().toISOString()}`);
  out(`JSON ${(json.products.length / 1024 / 1024).toFixed(1)} MiB, CSV ${(csv.products.length / 1024 / 1024).toFixed(1)} MiB, ${os.cpus().length} cores\n`);
  for (const r of results) {
    out(`${r.label}`);
    out('| phase | s | products/s | rows/s |\n|---|---|---|---|');
    for (const p of r.phases) {
      const records = p.report?.total ?? 0;
      const rows = p.report?.kind === 'products' ? totalRows : records;
      out(`| ${p.name} | ${p.seconds.toFixed(2)} | ${records ? Math.round(records / p.seconds) : '-'} | ${rows ? Math.round(rows / p.seconds) : '-'} |`);
    }
    const newJson = r.phases.find((p) => p.name === 'products, JSON, new')!;
    out(`| baseline: plain multi-row INSERT of ${totalRows} rows | ${r.baseline.toFixed(2)} | - | ${Math.round(totalRows / r.baseline)} |`);
    out(`ratio import (JSON, new) / baseline: ${(newJson.seconds / r.baseline).toFixed(1)}x\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
