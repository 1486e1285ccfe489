/**
 * `npm run crm:migrate -- <export-dir> [--dry-run] [--system legacy] [--today YYYY-MM-DD]
 *                         [--month-first] [--chunk-size 5000] [--run-id ID]`
 * `npm run crm:migrate -- --attach <run-id>`
 *
 * Starts a legacy CRM migration through the API of a running system (`npm start`; API_URL,
 * default http://localhost:3000) and follows it with a progress bar per step until it ends, then
 * prints the report. The run is a Temporal workflow: stopping this command (Ctrl-C) leaves it
 * running; `--attach` follows it again. The export directory must be readable by the worker.
 * Exit code 0 when the run completed, 1 when it failed, 2 on a usage error.
 */
import { localApiHeaders } from '../infra/access';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { MigrationReport } from '../activities/migration/migration.types';
import type { MigrationProgress, MigrationStep } from '../workflows/migration/customer-migration.workflow';

const API = (process.env.API_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const USAGE = 'usage: crm:migrate <export-dir> [--dry-run] [--system NAME] [--today YYYY-MM-DD] [--month-first] [--chunk-size N] [--run-id ID]\n       crm:migrate --attach <run-id>';

class UsageError extends Error {}

function parseArgs(argv: string[]) {
  const body: Record<string, unknown> = {};
  let dir: string | undefined;
  let attach: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') ? (arg.split('=', 2) as [string, string | undefined]) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--dry-run') body.dryRun = true;
    else if (flag === '--system') body.system = value();
    else if (flag === '--today') body.today = value();
    else if (flag === '--month-first') body.dayFirst = false;
    else if (flag === '--chunk-size') body.chunkSize = Number(value());
    else if (flag === '--run-id') body.runId = value();
    else if (flag === '--attach') attach = value();
    else if (flag === '--help' || flag === '-h') throw new UsageError(USAGE);
    else if (flag.startsWith('--')) throw new UsageError(`unknown option ${flag}\n${USAGE}`);
    else if (dir === undefined) dir = arg;
    else throw new UsageError(`one export directory at a time (got ${dir} and ${arg})\n${USAGE}`);
  }
  if (!attach && !dir) throw new UsageError(`no export directory given\n${USAGE}`);
  if (dir) body.sourceDir = path.resolve(dir);
  return { body, attach };
}

async function api<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${API}${route}`, { method, headers: { ...localApiHeaders(), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  } catch (err) {
    throw new Error(`cannot reach the API at ${API} (${(err as Error).message}): start the system with \`npm start\` or set API_URL`, { cause: err });
  }
  const json = (await res.json().catch(() => ({}))) as T & { detail?: string; errors?: { pointer: string; detail: string }[] };
  if (!res.ok) {
    const fields = json.errors?.map((e) => `  ${e.pointer}: ${e.detail}`).join('\n');
    throw new Error(`${method} ${route} → ${res.status}: ${json.detail ?? res.statusText}${fields ? `\n${fields}` : ''}`);
  }
  return json;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function unitText(s: MigrationStep, v: number) {
  return s.unit === 'bytes' ? `${(v / 1_048_576).toFixed(1)} MB` : `${v}`;
}

function printReport(r: MigrationReport) {
  const out = process.stdout;
  out.write(`\n${r.dryRun ? 'DRY RUN — nothing was written. ' : ''}Migration ${r.runId} of ${r.system} customers from ${r.sourceDir} (as of ${r.today})\n`);
  out.write(`  files:\n`);
  for (const f of r.files) out.write(`    ${f.file.padEnd(10)} ${String(f.records).padStart(9)} records  ${String(f.accepted).padStart(9)} accepted  ${String(f.refused).padStart(7)} refused${r.dryRun ? '' : `  ${f.created} written, ${f.existing} already there`}\n`);
  const c = r.customers;
  out.write(`  customers: ${c.read} read, ${c.staged} valid, ${c.duplicateClusters} duplicate groups (${c.merged} merged into another), ${c.loaded} customers: ${c.active} active, ${c.archived} archived\n`);
  if (!r.dryRun) out.write(`             ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged\n`);
  out.write(`  advisors: ${r.advisors}   expired passports: ${r.expiredPassports}   loyalty mismatches: ${r.loyaltyMismatches}\n`);
  const legacy = Object.entries(r.bookings.legacy).map(([c, t]) => `${c} ${t.count} (total ${t.total}, due ${t.balanceDue})`).join('; ');
  if (legacy) {
    const outcome = r.bookings.matches === null ? '' : r.bookings.matches ? ' — Itinera matches to the cent' : ' — MISMATCH: compare bookings.legacy and bookings.itinera in GET /migrations/<run>';
    out.write(`  in-flight bookings: ${legacy}${r.dryRun ? '' : `; ${r.bookings.started} started, ${r.bookings.existing} already running${outcome}`}\n`);
  }
  out.write(`  issues: ${r.errors} errors (records not loaded), ${r.warnings} warnings\n`);
  for (const [k, v] of Object.entries(r.issues).sort()) out.write(`    ${k.padEnd(36)} ${v}\n`);
  if (r.oversizedBlocks.length > 0) out.write(`  not compared (blocks too large): ${r.oversizedBlocks.map((b) => `${b.key} (${b.size})`).join(', ')}\n`);
  out.write(`  every issue: GET ${API}/migrations/${r.runId}/issues   merges: GET ${API}/migrations/${r.runId}/merges\n`);
}

async function follow(runId: string): Promise<number> {
  const tty = process.stderr.isTTY;
  const bars = tty ? new cliProgress.MultiBar({ stream: process.stderr, format: '{step} [{bar}] {percentage}% {done}/{all}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic) : null;
  const shown = new Map<string, cliProgress.SingleBar>();
  let lastLine = '';
  for (;;) {
    const view = await api<{ status: string; progress: MigrationProgress | null; report: MigrationReport | null; error: string | null }>('GET', `/migrations/${runId}`);
    for (const s of view.progress?.steps ?? []) {
      if (s.state === 'PENDING' || s.state === 'SKIPPED') continue;
      const total = Math.max(1, s.total);
      const payload = { step: s.name.padEnd(16), done: unitText(s, s.done), all: unitText(s, s.total) };
      if (bars) {
        let bar = shown.get(s.name);
        if (!bar) shown.set(s.name, (bar = bars.create(total, 0, payload)));
        bar.setTotal(total);
        bar.update(Math.min(s.done, total), payload);
      } else if (s.state === 'RUNNING') {
        const line = `${s.name}: ${payload.done}/${payload.all}`;
        if (line !== lastLine) process.stderr.write(`${line}\n`);
        lastLine = line;
      }
    }
    if (view.status === 'COMPLETED' || view.status === 'FAILED') {
      bars?.stop();
      if (view.report) printReport(view.report);
      if (view.status === 'FAILED') process.stderr.write(`\nMigration ${runId} failed: ${view.error ?? 'see the workflow in the Temporal UI'}\n`);
      return view.status === 'COMPLETED' ? 0 : 1;
    }
    await pause(500);
  }
}

async function main() {
  const { body, attach } = parseArgs(process.argv.slice(2));
  let runId = attach;
  if (!runId) {
    const started = await api<{ runId: string; links: { temporalUi: string } }>('POST', '/migrations', body);
    runId = started.runId;
    process.stderr.write(`Migration run ${runId}${body.dryRun ? ' (dry run)' : ''} started — Temporal UI: ${started.links.temporalUi}\n(Ctrl-C stops following, not the run; follow again with --attach ${runId})\n`);
  }
  process.exitCode = await follow(runId);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
});
