/**
 * `npm run catalog:import -- <file.csv|file.json> --kind suppliers|products|markup-rules [--dry-run] [--skip-bad]`
 *
 * Imports a catalog file into the configured database (DATABASE_URL, or the embedded PGlite
 * directory). Every record is checked first; with any problem nothing is written unless
 * --skip-bad (bad records skipped and listed). --dry-run reports what would be created, updated
 * or left unchanged and writes nothing. Exit code 1 when problems kept the file from being applied,
 * 2 on a usage error. Progress goes to stderr (a bar on a terminal, periodic lines otherwise).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { importCatalog, problemLine, type ImportReport } from '../activities/catalog-import';
import { PrismaCatalog } from '../activities/catalog.prisma';
import type { ImportFormat, ImportKind } from '../domain/catalog/import-rows';
import { ConfigError, loadConfig } from '../infra/config';
import { openDatabase } from '../infra/database';

const KINDS: ImportKind[] = ['suppliers', 'products', 'markup-rules'];
const USAGE = 'usage: catalog-import <file.csv|file.json> --kind suppliers|products|markup-rules [--format csv|json] [--dry-run] [--skip-bad]';

class UsageError extends Error {}

function parseArgs(argv: string[]) {
  let file: string | undefined;
  let kind: string | undefined;
  let format: string | undefined;
  let dryRun = false;
  let skipBad = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') ? (arg.split('=', 2) as [string, string | undefined]) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--kind') kind = value();
    else if (flag === '--format') format = value();
    else if (flag === '--dry-run') dryRun = true;
    else if (flag === '--skip-bad') skipBad = true;
    else if (flag === '--help' || flag === '-h') throw new UsageError(USAGE);
    else if (flag.startsWith('--')) throw new UsageError(`unknown option ${flag}\n${USAGE}`);
    else if (file === undefined) file = arg;
    else throw new UsageError(`one file at a time (got ${file} and ${arg})\n${USAGE}`);
  }
  if (!file) throw new UsageError(`no file given\n${USAGE}`);
  if (!kind || !KINDS.includes(kind as ImportKind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}\n${USAGE}`);
  const ext = path.extname(file).slice(1).toLowerCase();
  format ??= ext;
  if (format !== 'csv' && format !== 'json') throw new UsageError(`cannot tell the format of ${file}: name it .csv or .json, or pass --format\n${USAGE}`);
  return { file, kind: kind as ImportKind, format: format as ImportFormat, dryRun, skipBad };
}

function progressReporter() {
  const phases = { check: 'checking', write: 'writing ' };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({ stream: process.stderr, format: '{phase} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left', hideCursor: true }, cliProgress.Presets.shades_classic);
    let phase: string | undefined;
    return {
      onProgress(done: number, total: number, p: 'check' | 'write') {
        if (p !== phase) {
          if (phase) bar.stop();
          phase = p;
          bar.start(total, done, { phase: phases[p] });
        } else bar.update(done);
      },
      stop: () => phase && bar.stop(),
    };
  }
  let last = 0;
  return {
    onProgress(done: number, total: number, p: 'check' | 'write') {
      const now = Date.now();
      if (done === total || now - last >= 2000) {
        last = now;
        process.stderr.write(`${phases[p].trim()}: ${done}/${total}\n`);
      }
    },
    stop: () => undefined,
  };
}

function print(report: ImportReport) {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const verb = report.dryRun ? 'would be' : report.applied ? 'were' : 'would have been';
  out(`${report.kind} from ${report.source}: ${report.total} records (${report.dryRun ? 'dry run, nothing written' : report.applied ? 'applied' : 'NOT applied'})`);
  out(`  ${report.created} ${verb} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.skipped} skipped`);
  if (report.inactiveSuppliersSkipped.length) out(`  products of inactive suppliers skipped: ${report.inactiveSuppliersSkipped.join(', ')}`);
  for (const s of report.skippedRecords) out(`  skipped row ${s.row} ${s.key}: ${s.reason}`);
  if (report.problems.length) {
    out(`${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}:`);
    for (const p of report.problems) out(`  ${problemLine(p)}`);
  }
  out(`run ${report.runId} in ${(report.durationMs / 1000).toFixed(1)} s`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const text = readFileSync(args.file, 'utf8');
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: config.ITINERA_PGLITE_DIR });
  const progress = progressReporter();
  try {
    const report = await importCatalog(
      new PrismaCatalog(db.prisma),
      { kind: args.kind, format: args.format, text, source: path.basename(args.file) },
      { dryRun: args.dryRun, skipBad: args.skipBad, onProgress: progress.onProgress },
    );
    progress.stop();
    print(report);
    if (report.problems.length && !report.applied && !report.dryRun) process.exitCode = 1;
  } finally {
    progress.stop();
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError || err instanceof UsageError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
