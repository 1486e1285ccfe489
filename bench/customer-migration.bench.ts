/**
 * `npm run bench:migration [-- <customers> <tripsPerCustomer> <chunkSize>]` (defaults 100000, 10,
 * 5000): the legacy customer migration (issue 8) end to end, and its baselines in the same run.
 *
 * 1. The legacy export (sandbox/legacy-export/generator.ts, planted defects and duplicates) is
 *    generated once under os.tmpdir() and reused by later runs with the same parameters.
 * 2. Baseline: the same customers, trips, loyalty, consents and passports rows bulk-loaded as they
 *    are (csv-parse stream, text columns, one INSERT per `chunkSize` rows, same driver): no checks,
 *    no duplicate detection, no Temporal.
 * 3. The migration: one real (not dry) CustomerMigrationWorkflow over the export's customers,
 *    passports, trips, loyalty, consents and advisors (bookings.json, the in-flight bookings, is left
 *    out: each becomes a booking workflow, which bench:bookings measures; without it no customer
 *    is kept active by an open booking, so a few more are archived), on a Temporal dev server, its
 *    worker on TASK_QUEUES.crm in this process with the production activities (workers/crm-worker),
 *    the progress query polled every second. Each step's time is measured around its activities
 *    (first start → last end, and the time spent inside them).
 * 4. Duplicate detection scaling: findDuplicateClusters on the dedup keys of the export's first
 *    n/8, n/4, n/2 and n customers; time / customer and time(n) / time(n/8) (linear ≈ 8, quadratic ≈ 64).
 *
 * Memory: RSS and heap used sampled every 200 ms (the workflow and activities run in this process),
 * overall and per phase and step. Database: PostgreSQL when DATABASE_URL is set (a throwaway
 * database is created on that server and dropped at the end), otherwise PGlite in a temp folder.
 * Prints a table and one JSON line; asserts nothing.
 *
 * MIGRATION_BENCH_BREAKDOWN=1 adds where the database time goes: every Prisma call and driver statement of the
 * activities (model.operation, raw queries included) timed through a query extension, summed per
 * step. Off by default, so the headline figures are of the unmodified client.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { readLegacyChunk } from '../activities/migration/legacy-reader';
import type { MigrationActivities } from '../activities/migration/migration.activities';
import type { ChunkInput, MigrationOptions, MigrationReport } from '../activities/migration/migration.types';
import { dedupKeysOf, findDuplicateClusters } from '../domain/customers/dedup';
import { checkLegacyCustomer } from '../domain/customers/legacy-records';
import { DEFAULT_DEDUP_CONFIG, type DedupKeys } from '../domain/customers/model';
import { LEGACY_EXPORT_FILE_NAMES } from '../sandbox/legacy-export/generator';
import type { PrismaClient } from '../generated/prisma/client';
import type { SqlClient, SqlDriver } from '../infra/database';
import { crmActivities } from '../workers/crm-worker';
import { TASK_QUEUES } from '../workflows/task-queues';
import { migrationProgressQuery, migrationWorkflowId, type CustomerMigrationWorkflow, type MigrationProgress } from '../workflows/migration/customer-migration.workflow';
import { log, startBenchFoundation, Stops } from './support/foundation';
import { bulkLoadBaseline, cachedLegacyExport, collectGarbage, COUNTED_FILES, historySourceDir, memorySampler, throwawayPostgresDatabase } from './support/migration-rig';

/** `--dedup-only`: only the duplicate-detection scaling (no database, no Temporal). */
const DEDUP_ONLY = process.argv.includes('--dedup-only');
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const arg = (i: number, fallback: number, name: string) => {
  const v = positional[i] === undefined ? fallback : Number(positional[i]);
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive whole number, got "${positional[i]}"`);
  return v;
};
const CUSTOMERS = arg(0, 100_000, 'customers');
const TRIPS_PER_CUSTOMER = arg(1, 10, 'tripsPerCustomer');
const CHUNK_SIZE = arg(2, 5_000, 'chunkSize');
const TODAY = '2026-12-01';
const SEED = 8;

const secs = (ms: number) => +(ms / 1000).toFixed(2);
const mem = memorySampler(200);

/** Which workflow step an activity call belongs to (the workflow's step names). */
function stepOf(activity: string, args: unknown[]): string {
  switch (activity) {
    case 'prepareMigration':
      return 'prepare';
    case 'stageChunk':
      return `check ${(args[0] as ChunkInput).file.file}`;
    case 'detectDuplicates':
      return 'duplicates';
    case 'loadCustomers':
      return 'customers';
    case 'loadHistoryChunk':
      return `load ${(args[0] as ChunkInput).file.file}`;
    case 'refreshMigratedFigures':
      return 'figures';
    case 'finishMigration':
      return 'report';
    default:
      return activity;
  }
}

const BREAKDOWN = process.env.MIGRATION_BENCH_BREAKDOWN === '1';
/** The step whose activity is running now (the workflow runs one activity at a time). */
let runningStep = 'prepare';
/** Prisma time per step and "model.operation" (BREAKDOWN only). */
const prismaTime = new Map<string, Map<string, { ms: number; calls: number }>>();

/** The client with every operation timed into `prismaTime` under the running step. */
function recordTime(key: string, ms: number) {
  const perStep = prismaTime.get(runningStep) ?? new Map<string, { ms: number; calls: number }>();
  prismaTime.set(runningStep, perStep);
  const e = perStep.get(key) ?? { ms: 0, calls: 0 };
  perStep.set(key, { ms: e.ms + ms, calls: e.calls + 1 });
}

/** The driver, each statement timed as `driver.query` (inside a transaction: `driver.tx.query`). */
function timedDriver(sql: SqlDriver): SqlDriver {
  const timed = (client: SqlClient, key: string): SqlClient => ({
    async query<T>(text: string, params: unknown[]) {
      const t = performance.now();
      try {
        return await client.query<T>(text, params);
      } finally {
        recordTime(key, performance.now() - t);
      }
    },
  });
  return { ...timed(sql, 'driver.query'), transaction: (fn) => sql.transaction((tx) => fn(timed(tx, 'driver.tx.query'))) };
}

function timedPrisma(prisma: PrismaClient): PrismaClient {
  return prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        const t = performance.now();
        try {
          return await query(args);
        } finally {
          recordTime(`${model ?? ''}${model ? '.' : ''}${operation}`, performance.now() - t);
        }
      },
    },
  }) as unknown as PrismaClient;
}

interface StepTiming {
  firstStart: number;
  lastEnd: number;
  insideMs: number;
  calls: number;
}

/** The production activities, each call timed and attributed to its step. */
function timedActivities(activities: MigrationActivities, timings: Map<string, StepTiming>): MigrationActivities {
  const wrapped: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    wrapped[name] = async (...args: unknown[]) => {
      const step = stepOf(name, args);
      runningStep = step;
      const t = performance.now();
      try {
        return await fn(...args);
      } finally {
        const end = performance.now();
        const s = timings.get(step);
        if (!s) timings.set(step, { firstStart: t, lastEnd: end, insideMs: end - t, calls: 1 });
        else {
          s.lastEnd = end;
          s.insideMs += end - t;
          s.calls++;
        }
      }
    };
  }
  return wrapped as unknown as MigrationActivities;
}

async function dedupScaling(exportDir: string, customers: number) {
  const read = await readLegacyChunk({ path: `${exportDir}/${LEGACY_EXPORT_FILE_NAMES.customers}`, file: 'customers', from: null, maxRecords: customers + 1_000 });
  const ctx = { today: TODAY, dayFirst: true, system: 'bench' };
  const keys: DedupKeys[] = [];
  for (const r of read.records) {
    const c = checkLegacyCustomer(r, ctx);
    if (c.value) keys.push(dedupKeysOf(c.value));
  }
  const sizes = [8, 4, 2, 1].map((d) => Math.floor(keys.length / d));
  findDuplicateClusters(keys.slice(0, sizes[0]), DEFAULT_DEDUP_CONFIG); // warm-up (JIT), not measured
  const out: { n: number; ms: number; usPerCustomer: number; clusters: number }[] = [];
  for (const n of sizes) {
    const slice = keys.slice(0, n);
    const times: number[] = [];
    let clusters = 0;
    for (let rep = 0; rep < 3; rep++) {
      collectGarbage();
      const t = performance.now();
      clusters = findDuplicateClusters(slice, DEFAULT_DEDUP_CONFIG).clusters.length;
      times.push(performance.now() - t);
    }
    const ms = times.sort((a, b) => a - b)[1]!; // median of 3
    out.push({ n, ms: +ms.toFixed(1), usPerCustomer: +((ms * 1000) / n).toFixed(2), clusters });
  }
  return { sizes: out, ratioLargestToSmallest: +(out[3]!.ms / out[0]!.ms).toFixed(2), nRatio: +(out[3]!.n / out[0]!.n).toFixed(2) };
}

async function main() {
  const stops = new Stops();
  const wallStart = performance.now();
  // Ctrl-C or a kill still stops the dev server and drops the throwaway database.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`interrupted by ${signal} after ${secs(performance.now() - wallStart)} s: cleaning up`);
      void stops.run().finally(() => process.exit(130));
    });
  }
  try {
    mem.phase('export');
    const exp = cachedLegacyExport({ customers: CUSTOMERS, tripsPerCustomer: TRIPS_PER_CUSTOMER, seed: SEED, today: TODAY });
    const rowsByFile = Object.fromEntries(COUNTED_FILES.map((f) => [f, exp.manifest.rows[f]])) as Record<(typeof COUNTED_FILES)[number], number>;
    const rows = Object.values(rowsByFile).reduce((a, b) => a + b, 0);
    const exportMiB = Math.round(Object.values(exp.manifest.bytes).reduce((a, b) => a + b, 0) / 1024 / 1024);
    log(`export: ${exp.dir} (${exp.reused ? 'reused' : `generated in ${secs(exp.ms)} s`}): ${rows} rows ${JSON.stringify(rowsByFile)}, ${exportMiB} MiB`);

    if (DEDUP_ONLY) {
      const d = await dedupScaling(exp.dir, CUSTOMERS);
      process.stdout.write('| dedup customers | ms (median of 3) | µs / customer | clusters |\n|---|---|---|---|\n');
      for (const x of d.sizes) process.stdout.write(`| ${x.n} | ${x.ms} | ${x.usPerCustomer} | ${x.clusters} |\n`);
      process.stdout.write(`time(${d.sizes[3]!.n}) / time(${d.sizes[0]!.n}) = ${d.ratioLargestToSmallest} for ${d.nRatio}x the customers\n${JSON.stringify({ bench: 'customer-migration-dedup', customers: CUSTOMERS, dedup: d })}\n`);
      return;
    }
    const dbName = await throwawayPostgresDatabase(stops);
    const { devServer, db } = await startBenchFoundation('migration', stops);
    log(`rig: Temporal dev server and ${db.kind} database${dbName ? ` ${dbName}` : ''} (migrated)`);

    // Baseline.
    collectGarbage();
    mem.phase('baseline');
    const baseline = await bulkLoadBaseline(db, exp.dir, CHUNK_SIZE);
    const baselinePerSecond = Math.round((baseline.rows / baseline.ms) * 1000);
    log(`baseline: ${baseline.rows} rows in ${secs(baseline.ms)} s (${baselinePerSecond} rows/s)`);

    // The migration.
    collectGarbage();
    mem.phase('migration');
    const timings = new Map<string, StepTiming>();
    const nativeConnection = await NativeConnection.connect({ address: devServer.address });
    stops.push(() => nativeConnection.close());
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue: TASK_QUEUES.crm,
      workflowsPath: require.resolve('../workflows/migration/customer-migration.workflow'),
      activities: timedActivities(crmActivities({ prisma: BREAKDOWN ? timedPrisma(db.prisma) : db.prisma, sql: BREAKDOWN ? timedDriver(db) : db }), timings),
    });
    const connection = await Connection.connect({ address: devServer.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });
    const runId = `bench-${CUSTOMERS}-${Date.now()}`;
    const sourceDir = historySourceDir(exp.dir, stops);
    const options: MigrationOptions = { sourceDir, system: 'bench', dryRun: false, today: TODAY, dayFirst: true, dedup: DEFAULT_DEDUP_CONFIG, chunkSize: CHUNK_SIZE, timeZone: 'Europe/London' };

    const stepPeaks = new Map<string, { rss: number; heap: number }>();
    let current = 'prepare';
    const migrationStart = performance.now();
    const cpuStart = process.cpuUsage();
    const report = await worker.runUntil(async () => {
      const handle = await client.workflow.start<typeof CustomerMigrationWorkflow>('CustomerMigrationWorkflow', {
        taskQueue: TASK_QUEUES.crm,
        workflowId: migrationWorkflowId(runId),
        args: [{ runId, options }],
      });
      const memTimer = setInterval(() => {
        const m = process.memoryUsage();
        const p = stepPeaks.get(current) ?? { rss: 0, heap: 0 };
        stepPeaks.set(current, { rss: Math.max(p.rss, m.rss), heap: Math.max(p.heap, m.heapUsed) });
      }, 200);
      let polling = false; // one query at a time: a busy worker answers late, and queries must not pile up
      const poll = setInterval(() => {
        if (polling) return;
        polling = true;
        handle
          .query(migrationProgressQuery)
          .then((p: MigrationProgress) => {
            current = p.current;
            const s = p.steps.find((x) => x.name === p.current);
            const pct = s && s.total > 0 ? ` ${Math.floor((100 * s.done) / s.total)}%` : '';
            log(`  ${secs(performance.now() - migrationStart)} s  ${p.current}${pct}  rss ${Math.round(process.memoryUsage().rss / 1048576)} MiB`);
          })
          .catch(() => undefined)
          .finally(() => (polling = false));
      }, 1_000);
      try {
        return (await handle.result()) as MigrationReport;
      } finally {
        clearInterval(poll);
        clearInterval(memTimer);
      }
    });
    const migrationMs = performance.now() - migrationStart;
    const cpu = process.cpuUsage(cpuStart);
    const migrationCpuS = secs((cpu.user + cpu.system) / 1000);
    const migrationPerSecond = Math.round((rows / migrationMs) * 1000);
    log(`migration: ${secs(migrationMs)} s (${migrationPerSecond} rows/s)`);

    // Duplicate detection scaling.
    collectGarbage();
    mem.phase('dedup');
    const dedup = await dedupScaling(exp.dir, CUSTOMERS);
    mem.phase('end');

    const steps = [...timings.entries()]
      .sort((a, b) => a[1].firstStart - b[1].firstStart)
      .map(([name, t]) => {
        const peak = stepPeaks.get(name);
        return {
          step: name,
          wallS: secs(t.lastEnd - t.firstStart),
          activityS: secs(t.insideMs),
          activities: t.calls,
          share: +((t.lastEnd - t.firstStart) / migrationMs).toFixed(3),
          peakRssMiB: peak ? Math.round(peak.rss / 1048576) : null,
          peakHeapMiB: peak ? Math.round(peak.heap / 1048576) : null,
        };
      });

    const result = {
      bench: 'customer-migration',
      at: new Date().toISOString(),
      database: db.kind,
      customers: CUSTOMERS,
      tripsPerCustomer: TRIPS_PER_CUSTOMER,
      chunkSize: CHUNK_SIZE,
      rows,
      rowsByFile,
      exportMiB,
      migration: {
        wallS: secs(migrationMs),
        rowsPerSecond: migrationPerSecond,
        /** CPU time of this process (workflow, activities, Prisma, driver) during the run. */
        processCpuS: migrationCpuS,
        peakRssMiB: mem.peakOf('migration').rssMiB,
        peakHeapMiB: mem.peakOf('migration').heapMiB,
        loaded: report.customers.loaded,
        merged: report.customers.merged,
        archived: report.customers.archived,
        errors: report.errors,
        warnings: report.warnings,
      },
      baseline: { wallS: secs(baseline.ms), rows: baseline.rows, rowsPerSecond: baselinePerSecond, peakRssMiB: mem.peakOf('baseline').rssMiB, peakHeapMiB: mem.peakOf('baseline').heapMiB },
      ratioMigrationToBaseline: +(migrationPerSecond / baselinePerSecond).toFixed(3),
      goalUnder5Minutes: migrationMs < 300_000,
      steps,
      dedup,
      peak: mem.peak(),
      ...(BREAKDOWN
        ? {
            prismaByStep: Object.fromEntries(
              [...prismaTime].map(([step, ops]) => [step, Object.fromEntries([...ops].sort((a, b) => b[1].ms - a[1].ms).map(([op, v]) => [op, { s: secs(v.ms), calls: v.calls }]))]),
            ),
          }
        : {}),
    };

    const w = (s: string) => process.stdout.write(`${s}\n`);
    w(`\nCustomer migration bench: ${CUSTOMERS} customers, ${rows} rows (${exportMiB} MiB export), chunk ${CHUNK_SIZE}, ${db.kind}, ${result.at}\n`);
    w('| run | wall s | rows/s | peak RSS MiB | peak heap MiB |\n|---|---|---|---|---|');
    w(`| baseline bulk load (no checks, no Temporal) | ${result.baseline.wallS} | ${baselinePerSecond} | ${result.baseline.peakRssMiB} | ${result.baseline.peakHeapMiB} |`);
    w(`| migration workflow | ${result.migration.wallS} | ${migrationPerSecond} | ${result.migration.peakRssMiB} | ${result.migration.peakHeapMiB} |`);
    w(`\nratio migration / baseline rows/s: ${result.ratioMigrationToBaseline}; under 5 minutes: ${result.goalUnder5Minutes ? 'yes' : 'NO'}; CPU time of this process during the migration: ${migrationCpuS} s`);
    w(`report: ${report.customers.loaded} customers loaded (${report.customers.merged} merged, ${report.customers.archived} archived), ${report.errors} errors, ${report.warnings} warnings\n`);
    w('| step | wall s | in activities s | activities | share | peak RSS MiB | peak heap MiB |\n|---|---|---|---|---|---|---|');
    for (const s of steps) w(`| ${s.step} | ${s.wallS} | ${s.activityS} | ${s.activities} | ${(s.share * 100).toFixed(1)}% | ${s.peakRssMiB ?? '-'} | ${s.peakHeapMiB ?? '-'} |`);
    w('\n| dedup customers | ms (median of 3) | µs / customer | clusters |\n|---|---|---|---|');
    for (const d of dedup.sizes) w(`| ${d.n} | ${d.ms} | ${d.usPerCustomer} | ${d.clusters} |`);
    w(`\ndedup time(${dedup.sizes[3]!.n}) / time(${dedup.sizes[0]!.n}) = ${dedup.ratioLargestToSmallest} for ${dedup.nRatio}x the customers (linear ≈ ${dedup.nRatio}, quadratic ≈ ${(dedup.nRatio ** 2).toFixed(0)})`);
    if (BREAKDOWN) {
      w('\n| step | Prisma operation | s | calls |\n|---|---|---|---|');
      for (const [step, ops] of prismaTime) for (const [op, v] of [...ops].sort((a, b) => b[1].ms - a[1].ms).slice(0, 4)) w(`| ${step} | ${op} | ${secs(v.ms)} | ${v.calls} |`);
    }
    w(`peak over the whole run: RSS ${result.peak.rssMiB} MiB, heap ${result.peak.heapMiB} MiB; bench wall ${secs(performance.now() - wallStart)} s\n`);
    w(JSON.stringify(result));
  } finally {
    mem.stop();
    await stops.run();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
