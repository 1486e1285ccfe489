import { readRecords, type ImportFormat, type ImportKind, type RowProblem, type SourceRecord } from '../domain/catalog/import-rows';
import type { MarkupRule, Product, Supplier } from '../domain/catalog/model';
import type { CatalogProblem } from '../domain/catalog/problems';
import { checkMarkupRule, checkProduct, checkSupplier, type CheckResult } from '../domain/catalog/validation';
import type { ImportRunRecord, PrismaCatalog, UpsertOutcome } from './catalog.prisma';

export interface ImportInput {
  kind: ImportKind;
  format: ImportFormat;
  text: string;
  /** Where the text came from (file name, upload name): kept in the run record. */
  source: string;
}

export interface ImportOptions {
  /** Compare with the database and report what would happen; write nothing but the run record. */
  dryRun: boolean;
  /** Skip records with problems (each reported) and apply the others; otherwise any problem applies nothing. */
  skipBad: boolean;
  /** Called as records are checked (phase 'check') and written or compared (phase 'write'), at least once per batch. */
  onProgress?(done: number, total: number, phase: 'check' | 'write'): void;
}

export interface SkippedRecord {
  row: number;
  key: string;
  reason: 'invalid' | 'inactive-supplier';
}

/** The run as `catalog_import_runs` records it, with what the caller needs besides. */
export interface ImportReport extends ImportRunRecord {
  runId: string;
  kind: ImportKind;
  /** Every problem, row by row; rows are CSV file lines (header = 1) or JSON array index + 1, 0 = the whole file. */
  problems: RowProblem[];
  /** Inactive suppliers whose products in the file were skipped (not an error). */
  inactiveSuppliersSkipped: string[];
  skippedRecords: SkippedRecord[];
  /** True when the database now holds the file's (good) records. */
  applied: boolean;
  durationMs: number;
}

const CHECKS: Record<ImportKind, (input: unknown) => CheckResult<unknown>> = {
  suppliers: checkSupplier,
  products: checkProduct,
  'markup-rules': checkMarkupRule,
};

const byRow = (a: RowProblem, b: RowProblem) => a.row - b.row || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0);

/** Model problems at the file position they came from; a field whose text was unreadable keeps only that problem. */
function located(record: SourceRecord, problems: CatalogProblem[]): RowProblem[] {
  const taken = new Set(record.problems.map((p) => `${p.row}:${p.field}`));
  const out: RowProblem[] = [];
  for (const p of problems) {
    const { row, field } = record.locate(p.path);
    if (taken.has(`${row}:${field}`)) continue;
    // CSV: keep the model path when the column alone does not say which item is wrong (child_bands).
    const last = (p.path.match(/[^.[\]]+/g) ?? []).pop() ?? '';
    const named = field === p.path || last.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) === field;
    out.push({ row, field, problem: named || !p.path ? p.message : `${p.path}: ${p.message}` });
  }
  return out;
}

/**
 * Imports suppliers, products or markup rules from CSV or JSON text.
 *
 * Every record is read and validated first (all problems, each with its row and field). With any
 * problem and no `skipBad`, nothing is written; with `skipBad`, bad records are skipped and
 * reported and the good ones applied. Products of an unknown supplier are problems; products of an
 * inactive supplier are skipped and reported, never an error. Writing is idempotent: a record equal
 * to the stored one is `unchanged` and not written. Problems with the file as a whole (syntax,
 * unknown or missing columns) always stop the import. Every run is recorded in
 * `catalog_import_runs` with its report.
 */
export async function importCatalog(catalog: PrismaCatalog, input: ImportInput, options: ImportOptions): Promise<ImportReport> {
  const startedAt = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  const { records, problems: fileProblems } = readRecords(input.kind, input.format, input.text);
  const total = records.length;
  progress(0, total, 'check');

  const check = CHECKS[input.kind];
  const problems: RowProblem[] = [...fileProblems];
  const good: { record: SourceRecord; value: unknown }[] = [];
  const bad: SourceRecord[] = [];
  records.forEach((record, i) => {
    const result = check(record.input);
    const recordProblems = [...record.problems, ...(result.ok ? [] : located(record, result.problems))];
    if (recordProblems.length) {
      problems.push(...recordProblems);
      bad.push(record);
    } else good.push({ record, value: (result as { value: unknown }).value });
    if ((i + 1) % 250 === 0) progress(i + 1, total, 'check');
  });

  const skippedRecords: SkippedRecord[] = [];
  const inactive = new Set<string>();
  let writable = good;
  if (input.kind === 'products') {
    const states = await catalog.supplierStates(good.map((g) => (g.value as Product).supplierCode));
    writable = [];
    for (const g of good) {
      const code = (g.value as Product).supplierCode;
      const state = states.get(code);
      if (!state) {
        problems.push({ row: g.record.locate('supplierCode').row, field: g.record.locate('supplierCode').field, problem: `there is no supplier ${code}` });
        bad.push(g.record);
      } else if (!state.active) {
        inactive.add(code);
        skippedRecords.push({ row: g.record.row, key: g.record.key, reason: 'inactive-supplier' });
      } else writable.push(g);
    }
  }
  progress(total, total, 'check');
  problems.sort(byRow);
  if (options.skipBad) for (const r of bad) skippedRecords.push({ row: r.row, key: r.key, reason: 'invalid' });
  skippedRecords.sort((a, b) => a.row - b.row);

  const blocked = fileProblems.length > 0 || (problems.length > 0 && !options.skipBad);
  const counts = { created: 0, updated: 0, unchanged: 0 };
  if (!blocked || options.dryRun) {
    const dryRun = options.dryRun || blocked;
    const values = writable.map((w) => w.value);
    let outcomes: UpsertOutcome[];
    progress(0, values.length, 'write');
    if (input.kind === 'suppliers') {
      outcomes = (await catalog.upsertSuppliers(values as Supplier[], { dryRun })).map((o) => o.outcome);
    } else if (input.kind === 'markup-rules') {
      outcomes = await catalog.setMarkupRules(values as MarkupRule[], { dryRun });
    } else {
      const results = await catalog.upsertProducts(values as Product[], { dryRun, onBatch: (done) => progress(done, values.length, 'write') });
      // Suppliers were checked above; one deactivated since then is skipped by the store, never written.
      outcomes = results.flatMap((r) => (r.outcome === 'skipped' ? [] : [r.outcome]));
      results.forEach((r, i) => {
        if (r.outcome !== 'skipped') return;
        inactive.add(r.supplierCode);
        skippedRecords.push({ row: writable[i]!.record.row, key: writable[i]!.record.key, reason: 'inactive-supplier' });
      });
    }
    progress(values.length, values.length, 'write');
    for (const o of outcomes) counts[o]++;
  }

  const report: Omit<ImportReport, 'runId'> = {
    kind: input.kind,
    source: input.source,
    dryRun: options.dryRun,
    skipBad: options.skipBad,
    total,
    ...counts,
    skipped: skippedRecords.length,
    problems,
    inactiveSuppliersSkipped: [...inactive].sort(),
    skippedRecords,
    applied: !blocked && !options.dryRun,
    startedAt,
    durationMs: Date.now() - startedAt,
  };
  const runId = await catalog.recordImportRun(report);
  return { runId, ...report };
}

/** "row 12, field valid_to: must not be before validFrom 2027-05-01" (row 0: the file). */
export function problemLine(p: RowProblem): string {
  const where = p.row === 0 ? 'file' : `row ${p.row}`;
  return p.field ? `${where}, field ${p.field}: ${p.problem}` : `${where}: ${p.problem}`;
}
