import type { BookingTotals } from '../../domain/customers/inflight';
import type { DedupConfig, LegacyFileKind } from '../../domain/customers/model';

export type { BookingTotals };

/**
 * The contract between the customer-migration workflow and its activities: plain JSON only.
 * See workflows/migration/customer-migration.workflow.ts for the order the steps run in.
 */

export interface MigrationOptions {
  /** Directory holding the legacy export (on the worker's host): customers.csv, trips.csv, … (see LEGACY_COLUMNS). */
  sourceDir: string;
  /** Name of the legacy system: part of every legacy id and source key (default "legacy"). */
  system: string;
  /** Check everything and produce the full report; write no customer data. */
  dryRun: boolean;
  /** The migration's "today" (YYYY-MM-DD): passports expire and the archive rule counts from it. */
  today: string;
  /** How a slashed date reads: true = DD/MM/YYYY (default), false = MM/DD/YYYY. */
  dayFirst: boolean;
  dedup: DedupConfig;
  /** Records per chunk: one activity, one checkpoint (default 5,000). */
  chunkSize: number;
  /** The operator's IANA zone: turns migrated bookings' due dates into deadlines. */
  timeZone: string;
}


/** A file of the export, as found by `prepareMigration`. */
export interface ExportFile {
  file: LegacyFileKind;
  path: string;
  bytes: number;
}

/** Where reading a file has got to: the next record's first byte and its line (or JSON record) number. */
export interface FileCheckpoint {
  byteOffset: number;
  row: number;
}

export interface PrepareResult {
  files: ExportFile[];
  /** Advisors read from advisors.csv (written unless dry run). */
  advisors: number;
  /** Problems with advisors file rows, by "SEVERITY:code" (the rows are in migration_row_issues). */
  issues: Record<string, number>;
}

export interface ChunkInput {
  runId: string;
  options: MigrationOptions;
  file: ExportFile;
  /** Chunk number within this file and phase (0, 1, …): with the run, the exactly-once key. */
  chunk: number;
  from: FileCheckpoint | null;
}

export interface ChunkResult {
  next: FileCheckpoint | null;
  bytesRead: number;
  records: number;
  /** Records that passed their checks (perhaps with warnings). */
  accepted: number;
  /** Records refused (each has at least one ERROR issue). */
  refused: number;
  /** Issues found, by severity and code ("ERROR:bad-date"). */
  issues: Record<string, number>;
  /** Load phase: rows written (created) and rows already there (a re-run). */
  created?: number;
  existing?: number;
  /** Passports: how many had expired on `today`. */
  expiredPassports?: number;
  /** In-flight bookings: the legacy totals of the accepted ones. */
  bookingTotals?: BookingTotals;
}

export interface DuplicateResult {
  /** Customers staged (valid customer records). */
  customers: number;
  clusters: number;
  /** Customers folded into another (members minus survivors). */
  merged: number;
  oversizedBlocks: { key: string; size: number }[];
}

export interface LoadCustomersInput {
  runId: string;
  options: MigrationOptions;
  /** Keyset cursor: load survivors after this legacy id (null: from the start). */
  after: string | null;
}

export interface LoadCustomersResult {
  /** The last survivor loaded, or null when there were none left. */
  last: string | null;
  customers: number;
  created: number;
  updated: number;
  unchanged: number;
  archived: number;
  loyaltyMismatches: number;
}

export interface MigrationReport {
  runId: string;
  dryRun: boolean;
  system: string;
  sourceDir: string;
  today: string;
  files: { file: LegacyFileKind; records: number; accepted: number; refused: number; created: number; existing: number }[];
  advisors: number;
  customers: {
    read: number;
    staged: number;
    duplicateClusters: number;
    merged: number;
    loaded: number;
    created: number;
    updated: number;
    unchanged: number;
    active: number;
    archived: number;
  };
  expiredPassports: number;
  loyaltyMismatches: number;
  /** In-flight bookings: legacy totals, Itinera's totals once the booking workflows run (null in a dry run), and whether they match to the cent. */
  bookings: { legacy: BookingTotals; itinera: BookingTotals | null; started: number; existing: number; matches: boolean | null };
  /** Issue counts by "SEVERITY:code"; the rows are in migration_row_issues (GET /migrations/:id/issues). */
  issues: Record<string, number>;
  errors: number;
  warnings: number;
  oversizedBlocks: { key: string; size: number }[];
  startedAt: string;
  endedAt: string;
}

export interface FinishInput {
  runId: string;
  options: MigrationOptions;
  status: 'COMPLETED' | 'FAILED';
  report: MigrationReport | null;
  error?: string;
}

export interface ReconcileBookingsInput {
  runId: string;
  options: MigrationOptions;
  file: ExportFile;
  legacy: BookingTotals;
}

export interface ReconcileBookingsResult {
  itinera: BookingTotals;
  matches: boolean;
  /** Per currency, what differs ("EUR: total 100.00 vs 99.99"). */
  differences: string[];
}
