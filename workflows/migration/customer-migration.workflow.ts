import { ApplicationFailure, defineQuery, type RetryPolicy, proxyActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { MigrationActivities } from '../../activities/migration/migration.activities';
import { addBookingTotals } from '../../domain/customers/inflight';
import type {
  BookingTotals,
  ChunkResult,
  ExportFile,
  FileCheckpoint,
  LoadCustomersResult,
  MigrationOptions,
  MigrationReport,
} from '../../activities/migration/migration.types';
import type { LegacyFileKind } from '../../domain/customers/model';
import { TASK_QUEUES } from '../task-queues';

export const CUSTOMER_MIGRATION_TASK_QUEUE = TASK_QUEUES.crm;

/** Workflow id of a migration run: one per run id, so starting the same run again joins it. */
export const migrationWorkflowId = (runId: string) => `customer-migration-${runId}`;

export interface CustomerMigrationInput {
  runId: string;
  options: MigrationOptions;
}

export type StepUnit = 'bytes' | 'customers' | 'steps';

export interface MigrationStep {
  name: string;
  unit: StepUnit;
  done: number;
  total: number;
  state: 'PENDING' | 'RUNNING' | 'DONE' | 'SKIPPED';
}

export interface MigrationProgress {
  runId: string;
  dryRun: boolean;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  /** The step running now (or the last one). */
  current: string;
  steps: MigrationStep[];
  /** Issues found so far, by "SEVERITY:code". */
  issues: Record<string, number>;
  startedAt: number;
  report: MigrationReport | null;
  error: string | null;
}

/** The run's progress: every step with done/total, the issues so far, and the report once finished. */
export const migrationProgressQuery = defineQuery<MigrationProgress>('progress');

const STAGE_ORDER: LegacyFileKind[] = ['customers', 'trips', 'loyalty', 'passports', 'consents', 'bookings'];
const LOAD_ORDER: LegacyFileKind[] = ['passports', 'trips', 'loyalty', 'consents'];
/** History chunks loaded side by side (one worker process: the overlap is one chunk's database time with another's parsing). */
const LOAD_CONCURRENCY = 3;

const retry: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 12, nonRetryableErrorTypes: ['LegacyFileUnusable', 'InvalidMigrationRequest'] };
const act = proxyActivities<MigrationActivities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '1 minute', retry });
const dedupAct = proxyActivities<MigrationActivities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '2 minutes', retry });
/** Waits (retrying every few seconds, up to 10 minutes) until every migrated booking has written its first view. */
const reconcileAct = proxyActivities<MigrationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 1.5, maximumInterval: '5 seconds', maximumAttempts: 150, nonRetryableErrorTypes: ['LegacyFileUnusable', 'InvalidMigrationRequest'] },
});

/**
 * Migrates a legacy CRM export: customers, travel history, loyalty, consents, passports.
 *
 * 1. prepare — finds the files, checks their headers, records the run, loads the advisors.
 * 2. check — reads every file chunk by chunk (each chunk one activity and one checkpoint, so a
 *    crashed worker resumes at the chunk it was in), checks every record, records row-level
 *    problems, and stages each customer with the figures the later steps need (last trip, open
 *    bookings, loyalty sum).
 * 3. duplicates — blocking keys, then pairwise comparison inside blocks, then clusters.
 * 4. customers — merges each cluster, decides archived or active, reconciles loyalty, and (unless
 *    a dry run) writes the customers; ids derive from legacy ids, so a re-run writes nothing new.
 * 5. history — passports, trips, loyalty transactions and consents, attached to the surviving
 *    customer (idempotent by source key); then each customer's trip and loyalty figures.
 * 6. report — counts, issues by code, merges; the run record keeps it and staging is cleared.
 *
 * A dry run does steps 1–4 without writing customer data (only its run record, its report rows
 * and scratch staging, which is cleared at the end).
 */
export async function CustomerMigrationWorkflow(input: CustomerMigrationInput): Promise<MigrationReport> {
  const { runId, options } = input;
  const startedAt = Date.now();
  const steps: MigrationStep[] = [
    { name: 'prepare', unit: 'steps', done: 0, total: 1, state: 'PENDING' },
    ...STAGE_ORDER.map((f): MigrationStep => ({ name: `check ${f}`, unit: 'bytes', done: 0, total: 0, state: 'PENDING' })),
    { name: 'duplicates', unit: 'steps', done: 0, total: 1, state: 'PENDING' },
    { name: 'customers', unit: 'customers', done: 0, total: 0, state: 'PENDING' },
    ...LOAD_ORDER.map((f): MigrationStep => ({ name: `load ${f}`, unit: 'bytes', done: 0, total: 0, state: options.dryRun ? 'SKIPPED' : 'PENDING' })),
    { name: 'figures', unit: 'steps', done: 0, total: 1, state: options.dryRun ? 'SKIPPED' : 'PENDING' },
    { name: 'start bookings', unit: 'bytes', done: 0, total: 0, state: options.dryRun ? 'SKIPPED' : 'PENDING' },
    { name: 'reconcile bookings', unit: 'steps', done: 0, total: 1, state: options.dryRun ? 'SKIPPED' : 'PENDING' },
    { name: 'report', unit: 'steps', done: 0, total: 1, state: 'PENDING' },
  ];
  const progress: MigrationProgress = { runId, dryRun: options.dryRun, status: 'RUNNING', current: 'prepare', steps, issues: {}, startedAt, report: null, error: null };
  setHandler(migrationProgressQuery, () => progress);

  const step = (name: string): MigrationStep => {
    const s = steps.find((x) => x.name === name);
    if (!s) throw new Error(`no step ${name}`);
    return s;
  };
  const begin = (name: string, total?: number) => {
    const s = step(name);
    s.state = 'RUNNING';
    if (total !== undefined) s.total = total;
    progress.current = name;
    setCurrentDetails(`Migration ${runId}${options.dryRun ? ' (dry run)' : ''}: ${name}`);
    return s;
  };
  const end = (s: MigrationStep) => {
    s.state = 'DONE';
    s.done = s.total;
  };
  const addIssues = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  };

  const perFile = new Map<LegacyFileKind, { records: number; accepted: number; refused: number; created: number; existing: number }>();
  const fileTotals = (f: LegacyFileKind) => {
    let t = perFile.get(f);
    if (!t) perFile.set(f, (t = { records: 0, accepted: 0, refused: 0, created: 0, existing: 0 }));
    return t;
  };

  /** Where each chunk of each file starts, as the check found them: the load runs chunks side by side from these. */
  const chunkStarts = new Map<LegacyFileKind, (FileCheckpoint | null)[]>();

  /** Reads one file chunk after chunk through `run`, the checkpoint kept here between chunks. */
  async function eachChunk(stepName: string, file: ExportFile, run: (chunk: number, from: FileCheckpoint | null) => Promise<ChunkResult>, onChunk: (r: ChunkResult) => void) {
    const s = begin(stepName, file.bytes);
    const starts: (FileCheckpoint | null)[] = [null];
    let from: FileCheckpoint | null = null;
    for (let chunk = 0; ; chunk++) {
      const r = await run(chunk, from);
      onChunk(r);
      s.done = Math.min(s.total, s.done + r.bytesRead);
      if (!r.next) break;
      from = r.next;
      starts.push(from);
    }
    chunkStarts.set(file.file, starts);
    end(s);
  }

  /**
   * Runs `run` on every chunk of every file, `LOAD_CONCURRENCY` at a time: the chunks are
   * independent once their starts are known, and one chunk's database writes overlap another's
   * reading and checking.
   */
  async function allChunks(files: ExportFile[], run: (file: ExportFile, chunk: number, from: FileCheckpoint | null) => Promise<ChunkResult>, onChunk: (file: ExportFile, r: ChunkResult) => void) {
    const tasks = files.flatMap((file) => (chunkStarts.get(file.file) ?? [null]).map((from, chunk) => ({ file, chunk, from })));
    const left = new Map(files.map((f) => [f.file, tasks.filter((t) => t.file.file === f.file).length]));
    for (const f of files) begin(`load ${f.file}`, f.bytes);
    let next = 0;
    const lane = async () => {
      while (next < tasks.length) {
        const t = tasks[next++]!;
        const s = step(`load ${t.file.file}`);
        progress.current = s.name;
        const r = await run(t.file, t.chunk, t.from);
        onChunk(t.file, r);
        s.done = Math.min(s.total, s.done + r.bytesRead);
        const n = left.get(t.file.file)! - 1;
        left.set(t.file.file, n);
        if (n === 0) end(s);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, tasks.length) }, lane));
  }

  let expiredPassports = 0;
  let legacyBookings: BookingTotals = {};
  const bookings: MigrationReport['bookings'] = { legacy: {}, itinera: null, started: 0, existing: 0, matches: null };
  try {
    const prepareStep = begin('prepare');
    const prepared = await act.prepareMigration(runId, options);
    addIssues(progress.issues, prepared.issues);
    end(prepareStep);
    const fileOf = (f: LegacyFileKind) => prepared.files.find((x) => x.file === f);

    for (const kind of STAGE_ORDER) {
      const file = fileOf(kind);
      if (!file) {
        step(`check ${kind}`).state = 'SKIPPED';
        continue;
      }
      await eachChunk(`check ${kind}`, file, (chunk, from) => act.stageChunk({ runId, options, file, chunk, from }), (r) => {
        const t = fileTotals(kind);
        t.records += r.records;
        t.accepted += r.accepted;
        t.refused += r.refused;
        expiredPassports += r.expiredPassports ?? 0;
        if (r.bookingTotals) legacyBookings = addBookingTotals(legacyBookings, r.bookingTotals);
        addIssues(progress.issues, r.issues);
      });
    }

    const dupStep = begin('duplicates');
    const dups = await dedupAct.detectDuplicates(runId, options);
    end(dupStep);

    const custStep = begin('customers', dups.customers - dups.merged);
    const totals = { customers: 0, created: 0, updated: 0, unchanged: 0, archived: 0, loyaltyMismatches: 0 };
    for (let after: string | null = null; ; ) {
      const r: LoadCustomersResult = await act.loadCustomers({ runId, options, after });
      if (r.last === null) break;
      after = r.last;
      totals.customers += r.customers;
      totals.created += r.created;
      totals.updated += r.updated;
      totals.unchanged += r.unchanged;
      totals.archived += r.archived;
      totals.loyaltyMismatches += r.loyaltyMismatches;
      custStep.done = totals.customers;
    }
    end(custStep);
    if (totals.loyaltyMismatches > 0) progress.issues['WARNING:loyalty-mismatch'] = totals.loyaltyMismatches;

    if (!options.dryRun) {
      for (const kind of LOAD_ORDER) if (!fileOf(kind)) step(`load ${kind}`).state = 'SKIPPED';
      const history = LOAD_ORDER.map(fileOf).filter((f): f is ExportFile => f !== undefined);
      await allChunks(history, (file, chunk, from) => act.loadHistoryChunk({ runId, options, file, chunk, from }), (file, r) => {
        const t = fileTotals(file.file);
        t.created += r.created ?? 0;
        t.existing += r.existing ?? 0;
      });
      const figures = begin('figures');
      await dedupAct.refreshMigratedFigures(runId, options);
      end(figures);

      const bookingsFile = fileOf('bookings');
      if (bookingsFile) {
        await eachChunk('start bookings', bookingsFile, (chunk, from) => act.startMigratedBookingsChunk({ runId, options, file: bookingsFile, chunk, from }), (r) => {
          bookings.started += r.created ?? 0;
          bookings.existing += r.existing ?? 0;
          fileTotals('bookings').created += r.created ?? 0;
          fileTotals('bookings').existing += r.existing ?? 0;
        });
        const rec = begin('reconcile bookings');
        const reconciled = await reconcileAct.reconcileMigratedBookings({ runId, options, file: bookingsFile, legacy: legacyBookings });
        bookings.itinera = reconciled.itinera;
        bookings.matches = reconciled.matches;
        if (!reconciled.matches) progress.issues['ERROR:bookings-reconciliation'] = reconciled.differences.length;
        end(rec);
      } else {
        step('start bookings').state = 'SKIPPED';
        step('reconcile bookings').state = 'SKIPPED';
      }
    }
    bookings.legacy = legacyBookings;

    const reportStep = begin('report');
    let errors = 0;
    let warnings = 0;
    for (const [k, v] of Object.entries(progress.issues)) {
      if (k.startsWith('ERROR:')) errors += v;
      else warnings += v;
    }
    const report: MigrationReport = {
      runId,
      dryRun: options.dryRun,
      system: options.system,
      sourceDir: options.sourceDir,
      today: options.today,
      files: STAGE_ORDER.filter((f) => perFile.has(f)).map((f) => ({ file: f, ...fileTotals(f) })),
      advisors: prepared.advisors,
      customers: {
        read: fileTotals('customers').records,
        staged: dups.customers,
        duplicateClusters: dups.clusters,
        merged: dups.merged,
        loaded: totals.customers,
        created: totals.created,
        updated: totals.updated,
        unchanged: totals.unchanged,
        active: totals.customers - totals.archived,
        archived: totals.archived,
      },
      expiredPassports,
      loyaltyMismatches: totals.loyaltyMismatches,
      bookings,
      issues: { ...progress.issues },
      errors,
      warnings,
      oversizedBlocks: dups.oversizedBlocks,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(Date.now()).toISOString(),
    };
    await act.finishMigration({ runId, options, status: 'COMPLETED', report });
    end(reportStep);
    progress.report = report;
    progress.status = 'COMPLETED';
    setCurrentDetails(
      `Migration ${runId}${options.dryRun ? ' (dry run)' : ''} done: ${report.customers.loaded} customers (${report.customers.archived} archived, ${report.customers.merged} merged), ${errors} errors, ${warnings} warnings`,
    );
    return report;
  } catch (err) {
    const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    progress.status = 'FAILED';
    progress.error = message;
    setCurrentDetails(`Migration ${runId} failed in step "${progress.current}": ${message}`);
    await act.finishMigration({ runId, options, status: 'FAILED', report: null, error: `${progress.current}: ${message}` });
    throw ApplicationFailure.nonRetryable(`Migration ${runId} failed in step "${progress.current}": ${message}`, 'MigrationFailed');
  }
}
