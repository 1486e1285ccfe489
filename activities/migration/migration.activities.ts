import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { customerIdForLegacy } from '../../domain/customers/ids';
import {
  checkLegacyAdvisor,
  checkLegacyConsent,
  checkLegacyCustomer,
  checkLegacyLoyalty,
  checkLegacyPassport,
  checkLegacyTrip,
} from '../../domain/customers/legacy-records';
import { dedupKeysOf, findDuplicateClusters } from '../../domain/customers/dedup';
import { mergeCustomers } from '../../domain/customers/merge';
import type {
  CheckContext,
  CustomerWrite,
  DedupKeys,
  LegacyAdvisor,
  LegacyConsent,
  LegacyCustomer,
  LegacyFileKind,
  LegacyLoyaltyTransaction,
  LegacyPassport,
  LegacyTrip,
  RawRecord,
  RowIssue,
} from '../../domain/customers/model';
import { LEGACY_FILES } from '../../domain/customers/model';
import { archiveDecision, passportStatus, reconcileLoyalty } from '../../domain/customers/rules';
import { checkLegacyBooking, legacyTotals, migratedBookingState, overdueInstallments } from '../../domain/customers/inflight';
import { CURRENT_LIFECYCLE_REVISION, type BookingRequest } from '../../domain/booking/model';
import { bookingWorkflowId, referenceFromBytes } from '../../domain/booking/draft';
import { Dec } from '../../domain/money/money';
import { fmt } from '../../domain/booking/payment-plan';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { isIsoDate } from '../../domain/time/instant';
import type { PrismaClient } from '../../generated/prisma/client';
import type { PrismaCustomerStore } from '../customers.prisma';
import { bulkInsert, rawQuery, type RawSql } from '../bulk-insert';
import type { SqlClient, SqlDriver } from '../../infra/database';
import { LegacyFileError, readLegacyChunk } from './legacy-reader';
import type {
  BookingTotals,
  ChunkInput,
  ReconcileBookingsInput,
  ReconcileBookingsResult,
  ChunkResult,
  DuplicateResult,
  ExportFile,
  FileCheckpoint,
  FinishInput,
  LoadCustomersInput,
  LoadCustomersResult,
  MigrationOptions,
  PrepareResult,
} from './migration.types';

export interface MigrationPorts {
  prisma: PrismaClient;
  /**
   * The driver, for the chunk statements: their parameters are whole chunks (thousands of ids or
   * rows), which Prisma's query compiler would serialise before the database saw them.
   */
  sql: SqlDriver;
  store: PrismaCustomerStore;
  /** Customers per load step (default 2,000). */
  customersPerLoad?: number;
}

const FORMATS = ['.csv', '.jsonl', '.json'] as const;

/**
 * The Itinera reference of a migrated booking (`ITN-…`, like every booking, so the advisors' API
 * and the Temporal UI find it the usual way): derived from the legacy system and reference, so a
 * re-run finds the same booking. The legacy reference stays in the booking's timeline.
 */
export function migratedBookingReference(system: string, legacyReference: string): string {
  return referenceFromBytes(createHash('sha256').update(`legacy:${system}:booking:${legacyReference}`).digest());
}
const ISSUE_BATCH = 2_000;

const invalid = (message: string) => ApplicationFailure.nonRetryable(message, 'InvalidMigrationRequest');

function checkContext(options: MigrationOptions): CheckContext {
  return { today: options.today, dayFirst: options.dayFirst, system: options.system };
}

function issueKey(i: RowIssue) {
  return `${i.severity}:${i.code}`;
}

function countIssues(issues: RowIssue[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of issues) out[issueKey(i)] = (out[issueKey(i)] ?? 0) + 1;
  return out;
}

async function writeIssues(db: RawSql, runId: string, issues: RowIssue[]) {
  for (let i = 0; i < issues.length; i += ISSUE_BATCH) {
    await bulkInsert(
      db,
      'migration_row_issues',
      { run_id: 'text', file: 'text', row: 'int', field: 'text', code: 'text', message: 'text', severity: 'text' },
      issues.slice(i, i + ISSUE_BATCH).map((x) => ({ run_id: runId, file: x.file, row: x.row, field: x.field ?? null, code: x.code.slice(0, 40), message: x.message.slice(0, 500), severity: x.severity })),
    );
  }
}

/** Reads one chunk, turning an unusable file into a non-retryable failure that names it. */
async function readChunk(file: ExportFile, from: ChunkInput['from'], maxRecords: number) {
  try {
    return await readLegacyChunk({ path: file.path, file: file.file, from, maxRecords });
  } catch (err) {
    if (err instanceof LegacyFileError) throw ApplicationFailure.nonRetryable(`${path.basename(file.path)}: ${err.message}`, 'LegacyFileUnusable');
    throw err;
  }
}

/** Runs `check` over the records, keeping the accepted values and every issue. */
function checkAll<T>(records: RawRecord[], check: (r: RawRecord) => { value?: T; issues: RowIssue[] }) {
  const values: T[] = [];
  const issues: RowIssue[] = [];
  let refused = 0;
  for (const r of records) {
    const c = check(r);
    issues.push(...c.issues);
    if (c.value !== undefined) values.push(c.value);
    else refused++;
  }
  return { values, issues, refused };
}

interface StagedRow {
  legacy_id: string;
  row: number;
  record: LegacyCustomer;
  trip_count: number;
  last_trip_on: string | null;
  has_open_booking: boolean;
  loyalty_sum: number;
  survivor_legacy_id: string | null;
}

const STAGED_COLUMNS = `legacy_id, row, record::text AS record, trip_count, to_char(last_trip_on, 'YYYY-MM-DD') AS last_trip_on, has_open_booking, loyalty_sum, survivor_legacy_id`;

/** The staged legacy ids among `ids`, with their survivor (null before duplicate detection). */
async function stagedSurvivors(db: RawSql, runId: string, ids: string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (ids.length === 0) return out;
  const rows = await rawQuery<{ legacy_id: string; survivor_legacy_id: string | null }>(
    db,
    `SELECT legacy_id, survivor_legacy_id FROM migration_staged_customers WHERE run_id = $1 AND legacy_id = ANY($2::text[])`,
    [runId, [...new Set(ids)]],
  );
  for (const r of rows) out.set(r.legacy_id, r.survivor_legacy_id);
  return out;
}

/** The checks of the history files, for a load that has to read its chunk again. */
const HISTORY_CHECKS: Partial<Record<LegacyFileKind, (r: RawRecord, ctx: CheckContext) => { value?: { legacyCustomerId: string; row: number }; issues: RowIssue[] }>> = {
  passports: checkLegacyPassport,
  trips: checkLegacyTrip,
  loyalty: checkLegacyLoyalty,
  consents: checkLegacyConsent,
};

function unknownCustomer(file: LegacyFileKind, row: number, id: string): RowIssue {
  return { file, row, field: 'customer_id', code: 'unknown-customer', message: `customer_id "${id}" is not a customer in customers file (or its record was refused)`, severity: 'ERROR' };
}

export function createMigrationActivities(ports: MigrationPorts) {
  const { prisma, sql, store } = ports;
  const customersPerLoad = ports.customersPerLoad ?? 2_000;

  async function advisorIdsOf(runId: string): Promise<Set<string>> {
    const run = await prisma.migrationRun.findUnique({ where: { id: runId }, select: { counts: true } });
    const ids = (run?.counts as { advisorIds?: string[] } | null)?.advisorIds ?? [];
    return new Set(ids);
  }

  return {
    /** Finds the export's files, checks their headers, records the run (clearing an earlier attempt of it) and reads the advisors. */
    async prepareMigration(runId: string, options: MigrationOptions): Promise<PrepareResult> {
      if (!isIsoDate(options.today)) throw invalid(`today must be a calendar date YYYY-MM-DD (got "${options.today}")`);
      if (!Number.isInteger(options.chunkSize) || options.chunkSize < 1 || options.chunkSize > 100_000) throw invalid(`chunkSize must be a whole number 1..100000 (got ${options.chunkSize})`);
      if (!/^[a-z0-9][a-z0-9_-]{0,31}$/i.test(options.system)) throw invalid(`system must be 1–32 letters, digits, _ or - (got "${options.system}")`);
      if (!existsSync(options.sourceDir) || !statSync(options.sourceDir).isDirectory()) throw invalid(`sourceDir ${options.sourceDir} is not a directory on the worker's host`);

      const files: ExportFile[] = [];
      for (const kind of LEGACY_FILES) {
        const found = FORMATS.map((ext) => path.join(options.sourceDir, `${kind}${ext}`)).filter((p) => existsSync(p));
        if (found.length > 1) throw invalid(`${options.sourceDir} holds ${found.map((f) => path.basename(f)).join(' and ')}: keep one file per kind`);
        if (found[0]) files.push({ file: kind, path: found[0], bytes: statSync(found[0]).size });
      }
      if (!files.some((f) => f.file === 'customers')) throw invalid(`${options.sourceDir} has no customers.csv, customers.jsonl or customers.json`);
      // Every header is checked before anything is read, so a bad file stops the run at once.
      for (const f of files) await readChunk(f, null, 1);

      const advisorFile = files.find((f) => f.file === 'advisors');
      const advisors: LegacyAdvisor[] = [];
      const issues: RowIssue[] = [];
      if (advisorFile) {
        for (let from: ChunkInput['from'] = null; ; ) {
          const chunk = await readChunk(advisorFile, from, 5_000);
          issues.push(...chunk.issues);
          const checked = checkAll(chunk.records, (r) => checkLegacyAdvisor(r, checkContext(options)));
          advisors.push(...checked.values);
          issues.push(...checked.issues);
          if (!chunk.next) break;
          from = chunk.next;
        }
      }
      await prisma.$transaction(async (tx) => {
        for (const table of ['migration_row_issues', 'migration_merges', 'migration_staged_customers', 'migration_chunks']) {
          await tx.$executeRawUnsafe(`DELETE FROM ${table} WHERE run_id = $1`, runId);
        }
        const row = { status: 'RUNNING', dryRun: options.dryRun, source: options.sourceDir, options: options as unknown as object, phase: 'prepare', counts: { advisorIds: advisors.map((a) => a.advisorId) }, report: undefined, endedAt: null };
        await tx.migrationRun.upsert({ where: { id: runId }, create: { id: runId, ...row }, update: { ...row, startedAt: new Date() } });
        await writeIssues(tx, runId, issues);
      });
      if (!options.dryRun && advisors.length > 0) await store.upsertAdvisors(advisors);
      return { files, advisors: advisors.length, issues: countIssues(issues) };
    },

    /**
     * Checks one chunk of a file and stages what later steps need: customers (record and duplicate
     * keys), and per customer the trip, loyalty and open-booking figures. Exactly once per chunk:
     * the chunk's marker, its issues and its staging commit together, and a repeat returns the
     * recorded result.
     */
    async stageChunk(input: ChunkInput): Promise<ChunkResult> {
      const { runId, options, file, chunk } = input;
      const done = await prisma.migrationChunk.findUnique({ where: { runId_file_chunk: { runId, file: file.file, chunk } } });
      if (done) return done.counts as unknown as ChunkResult;

      const read = await readChunk(file, input.from, options.chunkSize);
      Context.current().heartbeat({ file: file.file, chunk, phase: 'checking' });
      const ctx = checkContext(options);
      const issues: RowIssue[] = [...read.issues];
      let accepted = 0;
      let refused = read.issues.filter((i) => i.severity === 'ERROR' && i.code === 'malformed-row').length;
      let expiredPassports = 0;
      let bookingTotals: BookingTotals | undefined;
      let apply: (tx: SqlClient) => Promise<void> = async () => undefined;
      /** A history file's accepted records, kept with the chunk for the load (real runs only). */
      let forLoad: unknown[] | null = null;
      const keep = (values: unknown[]) => {
        if (!options.dryRun) forLoad = values;
      };

      const ids = read.records.map((r) => r.fields.customer_id ?? '');
      const known = file.file === 'customers' ? new Map<string, string | null>() : await stagedSurvivors(sql, runId, ids);
      /** Keeps values whose customer is staged; the others become unknown-customer errors. */
      const ofKnown = <T extends { legacyCustomerId: string; row: number }>(values: T[]): T[] =>
        values.filter((v) => {
          if (known.has(v.legacyCustomerId)) return true;
          issues.push(unknownCustomer(file.file, v.row, v.legacyCustomerId));
          return false;
        });

      switch (file.file) {
        case 'customers': {
          const checked = checkAll(read.records, (r) => checkLegacyCustomer(r, ctx));
          issues.push(...checked.issues);
          refused += checked.refused;
          const advisorIds = await advisorIdsOf(runId);
          const already = await stagedSurvivors(sql, runId, checked.values.map((c) => c.legacyId));
          const firstRow = new Map<string, number>();
          const staged: { run_id: string; legacy_id: string; survivor_legacy_id: string; row: number; record: object; keys: object }[] = [];
          for (const c of checked.values) {
            const earlier = firstRow.get(c.legacyId);
            if (earlier !== undefined || already.has(c.legacyId)) {
              refused++;
              issues.push({ file: 'customers', row: c.row, field: 'customer_id', code: 'duplicate-id', message: `customer_id "${c.legacyId}" appears again${earlier ? ` (first at row ${earlier})` : ' (in an earlier part of the file)'}: this record is not loaded`, severity: 'ERROR' });
              continue;
            }
            firstRow.set(c.legacyId, c.row);
            let record = c;
            if (c.advisorId && !advisorIds.has(c.advisorId)) {
              issues.push({ file: 'customers', row: c.row, field: 'advisor_id', code: 'unknown-advisor', message: `advisor_id "${c.advisorId}" is not in the advisors file: the customer is loaded without an assigned advisor`, severity: 'WARNING' });
              record = { ...c, advisorId: undefined };
            }
            accepted++;
            // Each customer is its own survivor until duplicate detection says otherwise.
            staged.push({ run_id: runId, legacy_id: c.legacyId, survivor_legacy_id: c.legacyId, row: c.row, record, keys: dedupKeysOf(record) });
          }
          apply = async (tx) => {
            await bulkInsert(tx, 'migration_staged_customers', { run_id: 'text', legacy_id: 'text', survivor_legacy_id: 'text', row: 'int', record: 'jsonb', keys: 'jsonb' }, staged);
          };
          break;
        }
        case 'trips': {
          const checked = checkAll(read.records, (r) => checkLegacyTrip(r, ctx));
          issues.push(...checked.issues);
          refused += checked.refused;
          const trips = ofKnown(checked.values);
          refused += checked.values.length - trips.length;
          accepted += trips.length;
          keep(trips);
          const per = new Map<string, { n: number; last: string }>();
          for (const t of trips) {
            if (t.paymentStatus === 'CANCELLED') continue;
            const p = per.get(t.legacyCustomerId);
            if (!p) per.set(t.legacyCustomerId, { n: 1, last: t.endDate });
            else {
              p.n++;
              if (t.endDate > p.last) p.last = t.endDate;
            }
          }
          apply = async (tx) => {
            if (per.size === 0) return;
            await tx.query(
              `UPDATE migration_staged_customers s SET trip_count = s.trip_count + v.n, last_trip_on = GREATEST(s.last_trip_on, v.d::date)
                 FROM unnest($2::text[], $3::int[], $4::text[]) AS v(id, n, d) WHERE s.run_id = $1 AND s.legacy_id = v.id`,
              [runId, [...per.keys()], [...per.values()].map((p) => p.n), [...per.values()].map((p) => p.last)],
            );
          };
          break;
        }
        case 'loyalty': {
          const checked = checkAll(read.records, (r) => checkLegacyLoyalty(r, ctx));
          issues.push(...checked.issues);
          refused += checked.refused;
          const txs = ofKnown(checked.values);
          refused += checked.values.length - txs.length;
          accepted += txs.length;
          keep(txs);
          const sums = new Map<string, number>();
          for (const t of txs) sums.set(t.legacyCustomerId, (sums.get(t.legacyCustomerId) ?? 0) + t.points);
          apply = async (tx) => {
            if (sums.size === 0) return;
            await tx.query(
              `UPDATE migration_staged_customers s SET loyalty_sum = s.loyalty_sum + v.p
                 FROM unnest($2::text[], $3::int[]) AS v(id, p) WHERE s.run_id = $1 AND s.legacy_id = v.id`,
              [runId, [...sums.keys()], [...sums.values()]],
            );
          };
          break;
        }
        case 'passports': {
          const checked = checkAll(read.records, (r) => checkLegacyPassport(r, ctx));
          issues.push(...checked.issues);
          refused += checked.refused;
          const passports = ofKnown(checked.values);
          refused += checked.values.length - passports.length;
          accepted += passports.length;
          keep(passports);
          expiredPassports = passports.filter((p) => passportStatus(p, options.today) === 'EXPIRED').length;
          break;
        }
        case 'consents': {
          const checked = checkAll(read.records, (r) => checkLegacyConsent(r, ctx));
          issues.push(...checked.issues);
          refused += checked.refused;
          const consents = ofKnown(checked.values);
          refused += checked.values.length - consents.length;
          accepted += consents.length;
          keep(consents);
          break;
        }
        case 'bookings': {
          // In-flight bookings: checked in full now; started as booking workflows after the customers load.
          const checked = checkAll(read.records, (r) => checkLegacyBooking(r, ctx));
          issues.push(...checked.issues);
          refused += checked.refused;
          const bookings = ofKnown(checked.values);
          refused += checked.values.length - bookings.length;
          accepted += bookings.length;
          for (const b of bookings) {
            for (const i of overdueInstallments(b, options.today)) {
              issues.push({ file: 'bookings', row: b.row, field: 'installments', code: 'overdue-installment', message: `booking ${b.reference}: ${i.amount} ${b.currency} was due on ${i.dueDate} and is unpaid; the grace period and automatic cancellation apply from the migration`, severity: 'WARNING' });
            }
          }
          bookingTotals = legacyTotals(bookings);
          const open = bookings.map((b) => b.legacyCustomerId);
          apply = async (tx) => {
            if (open.length === 0) return;
            await tx.query(`UPDATE migration_staged_customers SET has_open_booking = true WHERE run_id = $1 AND legacy_id = ANY($2::text[])`, [runId, open]);
          };
          break;
        }
        case 'advisors':
          break;
      }

      const result: ChunkResult = {
        next: read.next,
        bytesRead: read.bytesRead,
        records: read.records.length + read.issues.filter((i) => i.code === 'malformed-row').length,
        accepted,
        refused,
        issues: countIssues(issues),
        ...(file.file === 'passports' ? { expiredPassports } : {}),
        ...(bookingTotals ? { bookingTotals } : {}),
      };
      await sql.transaction(async (tx) => {
        await apply(tx);
        await writeIssues(tx, runId, issues);
        await tx.query(`INSERT INTO migration_chunks (run_id, file, chunk, counts, checked) VALUES ($1, $2, $3, $4::jsonb, $5)`, [
          runId,
          file.file,
          chunk,
          JSON.stringify(result),
          forLoad === null ? null : JSON.stringify(forLoad),
        ]);
      });
      return result;
    },

    /** Finds duplicate customers among the staged ones and records each cluster's survivor and the merge audit. */
    async detectDuplicates(runId: string, options: MigrationOptions): Promise<DuplicateResult> {
      const keys: DedupKeys[] = [];
      for (let after = ''; ; ) {
        const page = await prisma.$queryRawUnsafe<{ legacy_id: string; keys: string; last_trip_on: string | null }[]>(
          `SELECT legacy_id, keys::text AS keys, to_char(last_trip_on, 'YYYY-MM-DD') AS last_trip_on FROM migration_staged_customers
            WHERE run_id = $1 AND legacy_id > $2 ORDER BY legacy_id LIMIT 10000`,
          runId,
          after,
        );
        if (page.length === 0) break;
        for (const r of page) {
          const k = JSON.parse(r.keys) as DedupKeys;
          const activity = [k.lastActivity, r.last_trip_on].filter((d): d is string => !!d).sort().pop();
          keys.push({ ...k, lastActivity: activity });
        }
        after = page[page.length - 1]!.legacy_id;
        Context.current().heartbeat({ phase: 'reading keys', read: keys.length });
      }
      Context.current().heartbeat({ phase: 'comparing', customers: keys.length });
      const { clusters, oversizedBlocks } = findDuplicateClusters(keys, options.dedup);
      const members = clusters.flatMap((c) => c.memberLegacyIds.map((m) => [m, c.survivorLegacyId] as const));
      await prisma.$transaction(async (tx) => {
        // Only members of clusters change (and a repeat first undoes what an interrupted attempt set).
        await tx.$executeRawUnsafe(`UPDATE migration_staged_customers SET survivor_legacy_id = legacy_id WHERE run_id = $1 AND survivor_legacy_id <> legacy_id`, runId);
        if (members.length > 0) {
          await tx.$executeRawUnsafe(
            `UPDATE migration_staged_customers s SET survivor_legacy_id = v.survivor FROM unnest($2::text[], $3::text[]) AS v(id, survivor)
              WHERE s.run_id = $1 AND s.legacy_id = v.id`,
            runId,
            members.map((m) => m[0]),
            members.map((m) => m[1]),
          );
        }
        await tx.$executeRawUnsafe(`DELETE FROM migration_merges WHERE run_id = $1`, runId);
        for (let i = 0; i < clusters.length; i += 5_000) {
          await bulkInsert(
            tx,
            'migration_merges',
            { run_id: 'text', customer_id: 'text', survivor_legacy_id: 'text', merged_legacy_ids: 'text[]', reasons: 'jsonb' },
            clusters.slice(i, i + 5_000).map((c) => ({
              run_id: runId,
              customer_id: customerIdForLegacy(options.system, c.survivorLegacyId),
              survivor_legacy_id: c.survivorLegacyId,
              merged_legacy_ids: c.memberLegacyIds.filter((m) => m !== c.survivorLegacyId),
              reasons: c.reasons,
            })),
          );
        }
      });
      return { customers: keys.length, clusters: clusters.length, merged: members.length - clusters.length, oversizedBlocks };
    },

    /**
     * Loads the next customers (by survivor legacy id after `after`): merges each cluster, decides
     * archived or active, reconciles loyalty, and writes them unless this is a dry run.
     */
    async loadCustomers(input: LoadCustomersInput): Promise<LoadCustomersResult> {
      const { runId, options, after } = input;
      const survivors = await sql.query<{ s: string }>(
        `SELECT DISTINCT survivor_legacy_id AS s FROM migration_staged_customers WHERE run_id = $1 AND survivor_legacy_id > $2 ORDER BY 1 LIMIT $3`,
        [runId, after ?? '', customersPerLoad],
      );
      const empty: LoadCustomersResult = { last: null, customers: 0, created: 0, updated: 0, unchanged: 0, archived: 0, loyaltyMismatches: 0 };
      if (survivors.length === 0) return empty;
      const ids = survivors.map((r) => r.s);
      const rows = (
        await sql.query<Omit<StagedRow, 'record'> & { record: string }>(
          `SELECT ${STAGED_COLUMNS} FROM migration_staged_customers WHERE run_id = $1 AND survivor_legacy_id = ANY($2::text[]) ORDER BY survivor_legacy_id, legacy_id`,
          [runId, ids],
        )
      ).map((r): StagedRow => ({ ...r, record: JSON.parse(r.record) as LegacyCustomer }));
      const groups = new Map<string, StagedRow[]>();
      for (const r of rows) {
        const g = groups.get(r.survivor_legacy_id!);
        if (g) g.push(r);
        else groups.set(r.survivor_legacy_id!, [r]);
      }

      const writes: CustomerWrite[] = [];
      const issues: RowIssue[] = [];
      let archived = 0;
      for (const [survivor, group] of groups) {
        // Survivor first, then the most recently active: the merge fills gaps in that order.
        const ordered = [...group].sort((a, b) => (a.legacy_id === survivor ? -1 : b.legacy_id === survivor ? 1 : (b.last_trip_on ?? '').localeCompare(a.last_trip_on ?? '')));
        const merged = group.length > 1 ? mergeCustomers(ordered.map((r) => r.record), survivor).customer : ordered[0]!.record;
        const lastTripOn = group.map((r) => r.last_trip_on).filter((d): d is string => !!d).sort().pop();
        const createdOn = group.map((r) => r.record.createdOn).filter((d): d is string => !!d).sort()[0];
        const decision = archiveDecision({ lastTripOn, createdOn, hasOpenBooking: group.some((r) => r.has_open_booking) }, options.today);
        if (decision.archived) archived++;
        const stated = group.some((r) => r.record.loyaltyBalance !== undefined) ? group.reduce((s, r) => s + (r.record.loyaltyBalance ?? 0), 0) : undefined;
        const sum = group.reduce((s, r) => s + r.loyalty_sum, 0);
        const loyalty = reconcileLoyalty(stated, sum);
        if (!loyalty.matches) {
          const lead = group.find((r) => r.legacy_id === survivor)!;
          issues.push({
            file: 'loyalty',
            row: lead.row,
            field: 'loyalty_balance',
            code: 'loyalty-mismatch',
            message: `customer ${group.map((r) => r.legacy_id).join('+')}: stated loyalty balance ${stated ?? 0} but the transactions sum to ${sum} (difference ${loyalty.difference}); the transactions are kept and the stated balance recorded`,
            severity: 'WARNING',
          });
        }
        writes.push({
          id: customerIdForLegacy(options.system, survivor),
          status: decision.archived ? 'ARCHIVED' : 'ACTIVE',
          ...(decision.reason ? { archivedReason: decision.reason } : {}),
          ...(merged.title ? { title: merged.title } : {}),
          ...(merged.firstName ? { firstName: merged.firstName } : {}),
          lastName: merged.lastName,
          ...(merged.dateOfBirth ? { dateOfBirth: merged.dateOfBirth } : {}),
          ...(createdOn ? { customerSince: createdOn } : {}),
          ...(merged.advisorId ? { advisorId: merged.advisorId } : {}),
          ...(merged.householdId ? { householdId: `${options.system}:${merged.householdId}` } : {}),
          preferences: merged.preferences,
          contactPreferences: merged.contactPreferences,
          ...(merged.financial ? { financial: merged.financial } : {}),
          ...(merged.loyaltyTier ? { loyaltyTier: merged.loyaltyTier } : {}),
          ...(stated !== undefined ? { legacyLoyaltyBalance: stated } : {}),
          emails: merged.emails,
          phones: merged.phones,
          addresses: merged.address ? [merged.address] : [],
          paymentMethods: merged.paymentMethods,
          legacyIds: group.map((r) => ({ system: options.system, legacyId: r.legacy_id })),
        });
      }
      Context.current().heartbeat({ phase: 'writing', after, customers: writes.length });
      let counts = { created: 0, updated: 0, unchanged: 0 };
      if (!options.dryRun) counts = await store.writeCustomers(writes, { reason: `migrated from ${options.system} (run ${runId})`, at: new Date() });
      // Loyalty mismatches of this step replace any left by an interrupted earlier attempt of it.
      await sql.transaction(async (tx) => {
        await tx.query(`DELETE FROM migration_row_issues WHERE run_id = $1 AND code = 'loyalty-mismatch' AND row = ANY($2::int[])`, [
          runId,
          rows.filter((r) => r.legacy_id === r.survivor_legacy_id).map((r) => r.row),
        ]);
        await writeIssues(tx, runId, issues);
      });
      return { last: ids[ids.length - 1]!, customers: writes.length, ...counts, archived, loyaltyMismatches: issues.length };
    },

    /** Writes one chunk of passports, trips, loyalty transactions or consents, each to its surviving customer. */
    async loadHistoryChunk(input: ChunkInput): Promise<ChunkResult> {
      const { runId, options, file } = input;
      // The check kept the chunk's accepted records; a chunk checked without them (a dry run's
      // staging cannot be loaded, so only an older run's) is read and checked again.
      const [kept] = await sql.query<{ counts: ChunkResult; checked: string | null }>(
        `SELECT counts, checked FROM migration_chunks WHERE run_id = $1 AND file = $2 AND chunk = $3`,
        [runId, file.file, input.chunk],
      );
      let values: { legacyCustomerId: string; row: number }[];
      let read: { next: FileCheckpoint | null; bytesRead: number; records: number };
      if (kept?.checked != null) {
        values = JSON.parse(kept.checked) as { legacyCustomerId: string; row: number }[];
        read = { next: kept.counts.next, bytesRead: kept.counts.bytesRead, records: kept.counts.records };
      } else {
        const chunk = await readChunk(file, input.from, options.chunkSize);
        const ctx = checkContext(options);
        const check = HISTORY_CHECKS[file.file];
        if (!check) throw invalid(`${file.file} is not a history file`);
        values = checkAll(chunk.records, (r) => check(r, ctx)).values;
        read = { next: chunk.next, bytesRead: chunk.bytesRead, records: chunk.records.length };
      }
      const survivors = await stagedSurvivors(sql, runId, values.map((v) => v.legacyCustomerId));
      const customerOf = (legacyId: string) => {
        const s = survivors.get(legacyId);
        return s ? customerIdForLegacy(options.system, s) : null;
      };
      let accepted = 0;
      const attach = <T extends { legacyCustomerId: string; row: number }>(list: T[]) => {
        const out: (Omit<T, 'legacyCustomerId' | 'row'> & { customerId: string })[] = [];
        for (const v of list) {
          const customerId = customerOf(v.legacyCustomerId);
          if (!customerId) continue; // reported when the file was checked
          const { legacyCustomerId: _l, row: _r, ...rest } = v;
          out.push({ ...rest, customerId });
        }
        accepted += out.length;
        return out;
      };
      let outcome: { created: number; existing: number };
      switch (file.file) {
        case 'passports':
          outcome = await store.writePassports(attach(values as LegacyPassport[]));
          break;
        case 'trips':
          outcome = await store.writeTrips(attach(values as LegacyTrip[]));
          break;
        case 'loyalty':
          outcome = await store.writeLoyaltyTransactions(attach(values as LegacyLoyaltyTransaction[]));
          break;
        case 'consents':
          outcome = await store.writeConsents(attach(values as LegacyConsent[]));
          break;
        default:
          throw invalid(`${file.file} is not a history file`);
      }
      Context.current().heartbeat({ file: file.file, chunk: input.chunk });
      return { next: read.next, bytesRead: read.bytesRead, records: read.records, accepted, refused: read.records - accepted, issues: {}, ...outcome };
    },

    /** Recomputes trip counts, first/last trip and loyalty points of every customer this run loaded. */
    async refreshMigratedFigures(runId: string, options: MigrationOptions): Promise<number> {
      let total = 0;
      for (let after = ''; ; ) {
        const page = await prisma.$queryRawUnsafe<{ s: string }[]>(
          `SELECT DISTINCT survivor_legacy_id AS s FROM migration_staged_customers WHERE run_id = $1 AND survivor_legacy_id > $2 ORDER BY 1 LIMIT 5000`,
          runId,
          after,
        );
        if (page.length === 0) break;
        await store.refreshCustomerStats(page.map((r) => customerIdForLegacy(options.system, r.s)));
        total += page.length;
        after = page[page.length - 1]!.s;
        Context.current().heartbeat({ refreshed: total });
      }
      return total;
    },

    /**
     * Starts one chunk of in-flight bookings as booking workflows (`booking-<reference>`) that
     * adopt their legacy state: confirmed components, payments, the rest of the schedule. A
     * booking whose workflow exists already (a re-run) is left alone and counted as existing.
     */
    async startMigratedBookingsChunk(input: ChunkInput): Promise<ChunkResult> {
      const { runId, options, file } = input;
      const read = await readChunk(file, input.from, options.chunkSize);
      const ctx = checkContext(options);
      const bookings = checkAll(read.records, (r) => checkLegacyBooking(r, ctx)).values;
      const survivors = await stagedSurvivors(prisma, runId, bookings.map((b) => b.legacyCustomerId));
      // The chunk's customers (advisor, primary email) and the advisors it names, in two queries.
      const customerIds = [...new Set([...survivors.values()].filter((s): s is string => s !== null).map((s) => customerIdForLegacy(options.system, s)))];
      const customers = new Map(
        (await prisma.customer.findMany({ where: { id: { in: customerIds } }, select: { id: true, advisorId: true, emails: { where: { primary: true }, select: { address: true } } } })).map((c) => [c.id, c]),
      );
      const advisorIds = new Set(
        (await prisma.advisor.findMany({ where: { id: { in: [...new Set(bookings.flatMap((b) => (b.advisorId ? [b.advisorId] : [])))] } }, select: { id: true } })).map((a) => a.id),
      );
      const client = Context.current().client;
      let created = 0;
      let existing = 0;
      let accepted = 0;
      for (const b of bookings) {
        const survivor = survivors.get(b.legacyCustomerId);
        if (!survivor) continue; // reported when the file was checked
        accepted++;
        const customerId = customerIdForLegacy(options.system, survivor);
        const customer = customers.get(customerId);
        const advisorId = b.advisorId && advisorIds.has(b.advisorId) ? b.advisorId : (customer?.advisorId ?? undefined);
        const reference = migratedBookingReference(options.system, b.reference);
        const request: BookingRequest = {
          reference,
          customerId,
          ...(advisorId ? { advisorId } : {}),
          channel: 'direct',
          currency: b.currency,
          departureDate: b.departureDate,
          returnDate: b.returnDate,
          components: [],
          ...(customer?.emails[0] ? { contactEmail: customer.emails[0].address } : {}),
          timeZone: options.timeZone,
          revision: CURRENT_LIFECYCLE_REVISION,
          migrated: migratedBookingState(b, { system: options.system, timeZone: options.timeZone }),
        };
        try {
          await client.workflow.start('BookingWorkflow', {
            taskQueue: TASK_QUEUES.bookingOrchestration,
            workflowId: bookingWorkflowId(reference),
            args: [request],
            // Never a second workflow for the same booking, even after the first one finished.
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            staticSummary: `Booking ${reference}: legacy booking ${b.reference} migrated from ${options.system} (run ${runId})`,
          });
          created++;
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          existing++;
        }
        Context.current().heartbeat({ file: 'bookings', chunk: input.chunk, started: created + existing });
      }
      return { next: read.next, bytesRead: read.bytesRead, records: read.records.length, accepted, refused: read.records.length - accepted, issues: {}, created, existing };
    },

    /**
     * Compares the legacy totals of the migrated bookings with Itinera's (count, value and balance
     * due per currency, to the cent), once every booking workflow has written its first view;
     * until then it fails retryably (benign: the workflows are still starting).
     */
    async reconcileMigratedBookings(input: ReconcileBookingsInput): Promise<ReconcileBookingsResult> {
      const { runId, options, file } = input;
      const references: string[] = [];
      const ctx = checkContext(options);
      for (let from: ChunkInput['from'] = null; ; ) {
        const chunk = await readChunk(file, from, 5_000);
        const bookings = checkAll(chunk.records, (r) => checkLegacyBooking(r, ctx)).values;
        const known = await stagedSurvivors(prisma, runId, bookings.map((b) => b.legacyCustomerId));
        references.push(...bookings.filter((b) => known.has(b.legacyCustomerId)).map((b) => migratedBookingReference(options.system, b.reference)));
        if (!chunk.next) break;
        from = chunk.next;
      }
      const rows = await prisma.$queryRawUnsafe<{ currency: string; n: number; total: string; due: string }[]>(
        `SELECT currency, count(*)::int AS n, sum(amount)::text AS total, sum(balance_due)::text AS due FROM bookings WHERE reference = ANY($1::text[]) GROUP BY currency ORDER BY currency`,
        references,
      );
      const seen = rows.reduce((n, r) => n + r.n, 0);
      if (seen < references.length) {
        throw ApplicationFailure.create({ message: `${seen} of ${references.length} migrated bookings written so far`, type: 'MigratedBookingsNotReady', nonRetryable: false, category: 'BENIGN' });
      }
      const itinera: BookingTotals = Object.fromEntries(rows.map((r) => [r.currency, { count: r.n, total: fmt(new Dec(r.total), r.currency), balanceDue: fmt(new Dec(r.due), r.currency) }]));
      const differences: string[] = [];
      for (const c of [...new Set([...Object.keys(input.legacy), ...Object.keys(itinera)])].sort()) {
        const l = input.legacy[c];
        const i = itinera[c];
        if (!l || !i) differences.push(`${c}: ${l ? 'missing in Itinera' : 'not in the legacy export'}`);
        else if (l.count !== i.count || l.total !== i.total || l.balanceDue !== i.balanceDue) {
          differences.push(`${c}: legacy ${l.count} bookings, total ${l.total}, due ${l.balanceDue}; Itinera ${i.count}, total ${i.total}, due ${i.balanceDue}`);
        }
      }
      return { itinera, matches: differences.length === 0, differences };
    },

    /** Records the outcome and the report, and clears the run's staging. */
    async finishMigration(input: FinishInput): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const outcome = {
          status: input.status,
          phase: 'done',
          endedAt: new Date(),
          report: input.report ? (input.report as object) : { error: input.error ?? 'failed' },
        };
        // A run refused before it was recorded (a bad directory) is recorded here, failed.
        await tx.migrationRun.upsert({
          where: { id: input.runId },
          update: outcome,
          create: { id: input.runId, dryRun: input.options.dryRun, source: input.options.sourceDir, options: input.options as unknown as object, counts: {}, ...outcome },
        });
        await tx.$executeRawUnsafe(`DELETE FROM migration_staged_customers WHERE run_id = $1`, input.runId);
        await tx.$executeRawUnsafe(`DELETE FROM migration_chunks WHERE run_id = $1`, input.runId);
      });
    },
  };
}

export type MigrationActivities = ReturnType<typeof createMigrationActivities>;
