/**
 * The customer-migration bench rig (bench/customer-migration.bench.ts): a cached generated legacy
 * export, a throwaway PostgreSQL database on DATABASE_URL's server, the baseline bulk load, and a
 * memory sampler that keeps a peak per phase.
 */
import { createReadStream, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse';
import pg from 'pg';
import type { LegacyFileKind } from '../../domain/customers/model';
import type { Database } from '../../infra/database';
import { generateLegacyExport, LEGACY_EXPORT_FILE_NAMES, type LegacyExportManifest } from '../../sandbox/legacy-export/generator';
import { log, type Stops } from './foundation';

/** The files whose rows the bench counts: the customers and their history. */
export const COUNTED_FILES = ['customers', 'trips', 'loyalty', 'consents', 'passports'] as const satisfies readonly LegacyFileKind[];

export interface ExportSpec {
  customers: number;
  tripsPerCustomer: number;
  seed: number;
  today: string;
}

/**
 * The export for `spec` under os.tmpdir(), generated once and kept for later runs (its
 * manifest.json is written last and the folder renamed into place, so a half-written export is
 * never reused).
 */
export function cachedLegacyExport(spec: ExportSpec): { dir: string; manifest: LegacyExportManifest; reused: boolean; ms: number } {
  const dir = path.join(tmpdir(), `itinera-legacy-export-c${spec.customers}-t${spec.tripsPerCustomer}-s${spec.seed}-${spec.today}`);
  const manifestPath = path.join(dir, 'manifest.json');
  const t = performance.now();
  if (existsSync(manifestPath)) return { dir, manifest: JSON.parse(readFileSync(manifestPath, 'utf8')) as LegacyExportManifest, reused: true, ms: performance.now() - t };
  rmSync(dir, { recursive: true, force: true });
  const partial = `${dir}.partial-${process.pid}`;
  try {
    const manifest = generateLegacyExport({ dir: partial, seed: spec.seed, customers: spec.customers, tripsPerCustomer: spec.tripsPerCustomer, today: spec.today, defects: true });
    renameSync(partial, dir);
    return { dir, manifest, reused: false, ms: performance.now() - t };
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A temp folder of links to the export's advisors and COUNTED_FILES (not bookings.json), removed by
 * `stops`: the migration's source for the bench.
 */
export function historySourceDir(exportDir: string, stops: Stops): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'itinera-bench-migration-source-'));
  stops.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const kind of ['advisors', ...COUNTED_FILES] as const) symlinkSync(path.join(exportDir, LEGACY_EXPORT_FILE_NAMES[kind]), path.join(dir, LEGACY_EXPORT_FILE_NAMES[kind]));
  return dir;
}

/**
 * With DATABASE_URL set, a fresh database on that server for this run (dropped by `stops`), and
 * DATABASE_URL pointed at it for the foundation; without it, nothing (the foundation uses PGlite).
 */
export async function throwawayPostgresDatabase(stops: Stops): Promise<string | undefined> {
  const base = process.env.DATABASE_URL;
  if (!base) return undefined;
  const name = `itinera_bench_migration_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  stops.push(async () => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  });
  const url = new URL(base);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  return name;
}

export interface BaselineResult {
  rows: number;
  ms: number;
  perFile: Record<string, { rows: number; ms: number }>;
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * The baseline: the same files loaded as they are, with no checks, no duplicate detection and no
 * Temporal. Each CSV is streamed through csv-parse and its rows inserted as text into a scratch
 * table (one text column per header column), `batchSize` rows per INSERT … SELECT FROM unnest(…)
 * statement (one array parameter per column, so any batch size fits PostgreSQL's parameter
 * limit), through the database's own driver (`db.query`: node-postgres or PGlite). Rows csv-parse
 * cannot read (the export's planted malformed rows) are skipped and not counted.
 */
export async function bulkLoadBaseline(db: Database, dir: string, batchSize: number): Promise<BaselineResult> {
  const perFile: Record<string, { rows: number; ms: number }> = {};
  let rows = 0;
  const started = performance.now();
  for (const kind of COUNTED_FILES) {
    const t = performance.now();
    const table = `bench_baseline_${kind}`;
    const parser = createReadStream(path.join(dir, LEGACY_EXPORT_FILE_NAMES[kind])).pipe(
      parse({ relax_column_count: true, relax_quotes: true, skip_records_with_error: true, skip_empty_lines: true, bom: true }),
    );
    let header: string[] | null = null;
    let columns: (string | null)[][] = [];
    let inBatch = 0;
    let insert = '';
    let loaded = 0;
    const flush = async () => {
      if (inBatch === 0) return;
      await db.query(insert, columns);
      loaded += inBatch;
      columns = header!.map(() => []);
      inBatch = 0;
    };
    for await (const record of parser as AsyncIterable<string[]>) {
      if (header === null) {
        header = record.map((h) => h.trim().toLowerCase());
        await db.query(`DROP TABLE IF EXISTS ${table}`, []);
        await db.query(`CREATE TABLE ${table} (${header.map((h) => `${quoteIdent(h)} text`).join(', ')})`, []);
        insert = `INSERT INTO ${table} (${header.map(quoteIdent).join(', ')}) SELECT * FROM unnest(${header.map((_, i) => `$${i + 1}::text[]`).join(', ')})`;
        columns = header.map(() => []);
        continue;
      }
      for (let i = 0; i < header.length; i++) columns[i]!.push(record[i] ?? null);
      if (++inBatch >= batchSize) await flush();
    }
    await flush();
    perFile[kind] = { rows: loaded, ms: performance.now() - t };
    rows += loaded;
    log(`baseline: ${kind} ${loaded} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const ms = performance.now() - started;
  for (const kind of COUNTED_FILES) await db.query(`DROP TABLE IF EXISTS bench_baseline_${kind}`, []);
  return { rows, ms, perFile };
}

/** Samples RSS and heap used every `everyMs`; keeps the overall peaks and a peak per named phase. */
export function memorySampler(everyMs = 200) {
  const mib = (b: number) => Math.round(b / 1024 / 1024);
  let phase = 'start';
  const peaks = new Map<string, { rss: number; heap: number }>();
  let rss = 0;
  let heap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
    const p = peaks.get(phase) ?? { rss: 0, heap: 0 };
    peaks.set(phase, { rss: Math.max(p.rss, m.rss), heap: Math.max(p.heap, m.heapUsed) });
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    /** Samples now, then counts later samples towards `name`. */
    phase(name: string) {
      sample();
      phase = name;
      sample();
    },
    peakOf(name: string): { rssMiB: number; heapMiB: number } {
      const p = peaks.get(name) ?? { rss: 0, heap: 0 };
      return { rssMiB: mib(p.rss), heapMiB: mib(p.heap) };
    },
    peak(): { rssMiB: number; heapMiB: number } {
      return { rssMiB: mib(rss), heapMiB: mib(heap) };
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** A full collection when node runs with --expose-gc (so each phase's peak starts from a clean heap). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
