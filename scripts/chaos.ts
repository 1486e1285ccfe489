/**
 * Crash-safety harness for the booking lifecycle (issue 7):
 *
 *   node --import tsx scripts/chaos.ts [--bookings 200] [--seed N] [--kills N] [--concurrency 15] [--quick]
 *
 * Owns a PostgreSQL database (a fresh `itinera_chaos_<seed>_<pid>` on TEST_DATABASE_URL's or
 * DATABASE_URL's server, else a private throwaway cluster), the Temporal dev server, the sandbox
 * GDS process and the API (in this process), and runs the booking, finance and supplier workers
 * as a CHILD process (scripts/chaos/worker-process.ts) that is SIGKILLed at seeded points:
 * random moments (from here), activity boundaries and mid-activity after the work committed
 * (from inside, scripts/chaos/kill-plan.ts). The child is restarted after each kill; once the
 * planned kills are used up it runs clean. Meanwhile bookings go through the REST API
 * (scripts/chaos/workload.ts), retried with the same Idempotency-Key while the worker is down.
 *
 * Then it checks (scripts/chaos/checks.ts): no duplicate supplier orders (inventory, service
 * orders, GDS orders per idempotency reference), no lost booking, no unbalanced ledger entry,
 * consistent allotments, and every booking terminal within 60 s of the last restart. Prints the
 * seed first (and the command that replays it), a table of the checks, exits 1 on any violation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode } from '@temporalio/worker';
import pg from 'pg';
import pino from 'pino';
import { PrismaBookingStore } from '../activities/booking-store.prisma';
import { PrismaInventory } from '../activities/inventory.prisma';
import { createApp } from '../api/app';
import { testAccess, withApiKey } from '../test/support/api-harness';
import { bookingWorkflowId } from '../domain/booking/draft';
import { TERMINAL_STATUSES } from '../domain/booking/model';
import { addDays } from '../domain/catalog/dates';
import { calendarDateIn } from '../domain/time/instant';
import { openDatabase } from '../infra/database';
import { freePort, startDevServerOnFreePorts } from '../infra/dev-server';
import { financeDeps } from '../infra/finance';
import { createLogger } from '../infra/logger';
import { migrateDeploy } from '../infra/migrate';
import { startSandboxGdsProcess } from '../infra/sandbox-gds-process';
import { TemporalClientProvider } from '../infra/temporal';
import { prepareReadyFinance } from '../test/support/api-harness';
import { provisionTestPostgres } from '../test/support/postgres';
import { seedTripCatalog } from '../test/support/trip-catalog';
import { WORKFLOW_PRELOAD_MODULES, WORKFLOWS_PATH } from '../workers/booking-worker';
import { BookingStatus } from '../workflows/booking/search-attributes';
import { runChecks, type CheckResult, type GdsOrder, type WorkflowState } from './chaos/checks';
import { KILL_MARK, KILL_PLAN_ENV, planFor, type KillPlan } from './chaos/kill-plan';
import { between, stream } from './chaos/prng';
import { runWorkload, type BookingRun, type WorkloadContext } from './chaos/workload';

const TERMINAL_WITHIN_MS = 60_000;
const started = Date.now();
const out = (line: string) => process.stdout.write(`${line}\n`);
const log = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Options {
  bookings: number;
  seed: number;
  kills: number;
  concurrency: number;
  quick: boolean;
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (name: string): number | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a whole number, got ${argv[i + 1]}`);
    return n;
  };
  const known = new Set(['--quick', '--bookings', '--seed', '--kills', '--concurrency']);
  for (const [i, a] of argv.entries()) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a} (at ${i})`);
  const bookings = value('bookings') ?? (quick ? 20 : 200);
  return {
    quick,
    bookings,
    seed: value('seed') ?? randomInt(1, 2 ** 31 - 1),
    kills: value('kills') ?? (quick ? 3 : 15),
    concurrency: value('concurrency') ?? (quick ? 10 : 15),
  };
}

/** The PostgreSQL database of this run, dropped (or its whole cluster stopped) by `stop()`. */
async function provisionDatabase(seed: number): Promise<{ url: string; where: string; stop(): Promise<void> }> {
  const server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!server) {
    const cluster = await provisionTestPostgres(await freePort());
    return { url: cluster.url, where: 'private throwaway cluster', stop: () => cluster.stop() };
  }
  const name = `itinera_chaos_${seed}_${process.pid}`;
  const admin = new URL(server);
  admin.pathname = '/postgres';
  const adminQuery = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), where: `database ${name} on ${admin.host}`, stop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

interface Life {
  plan: KillPlan;
  child: ChildProcess;
  ready: Promise<boolean>;
  readyAt: number | null;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What killed it: the plan's kind, `wall (fallback)` when an in-worker plan did not fire in time. */
  killedBy: string | null;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  out(`chaos seed ${opts.seed}`);
  out(`replay: node --import tsx scripts/chaos.ts --seed ${opts.seed} --bookings ${opts.bookings} --kills ${opts.kills} --concurrency ${opts.concurrency}`);

  const stops: Array<[string, () => Promise<void> | void]> = [];
  let stopping: Promise<void> | null = null;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const [what, s] of stops.reverse()) await Promise.resolve(s()).catch((e: unknown) => log(`stopping ${what} failed: ${String(e)}`));
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping everything`);
      void stopAll().finally(() => process.exit(130));
    });
  }

  try {
    const work = mkdtempSync(path.join(tmpdir(), `itinera-chaos-${opts.seed}-`));
    const logger = createLogger('silent');
    // The API's own log (warnings and errors: 500s come with their stack) goes to a file.
    const apiLog = path.join(work, 'api.log');
    const apiLogger = pino({ name: 'chaos-api', level: 'warn', timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: apiLog, sync: true }));

    // ---- infrastructure ------------------------------------------------------------------
    const database = await provisionDatabase(opts.seed);
    stops.push(['database', () => database.stop()]);
    await migrateDeploy({ databaseUrl: database.url }, { quiet: true });
    const db = await openDatabase({ databaseUrl: database.url, poolSize: 8 });
    stops.push(['database pool', () => db.close()]);
    await prepareReadyFinance(db);
    const today = calendarDateIn(Date.now(), 'UTC');
    const trip = await seedTripCatalog(db, { today, seed: opts.seed % 1000, prefix: 'CH-', hotels: 1, rooms: opts.bookings + 20, days: 400 });
    // A category with two rooms on one night: the `scarce` scenario sells out and fails some holds.
    const scarceCategory = trip.hotel.categories[1]?.code ?? null;
    const scarceDate = addDays(today, 45);
    if (scarceCategory) {
      const rate = trip.hotel.rates.find((r) => r.category === scarceCategory)!;
      await new PrismaInventory(db.prisma, (sql, params) => db.query(sql, params)).createContract({
        code: `${trip.hotel.code}-${scarceCategory}-SCARCE`.slice(0, 48),
        supplierCode: trip.hotel.supplierCode,
        productCode: trip.hotel.code,
        category: scarceCategory,
        validFrom: scarceDate,
        validTo: addDays(scarceDate, 1),
        quantity: 2,
        contractedPrice: rate.amount,
        currency: trip.hotel.currency,
        basis: rate.basis,
        release: { kind: 'DAYS_BEFORE', days: 0 },
        minGroupSize: 1,
        maxGroupSize: 40,
      });
    }
    log(`PostgreSQL (${database.where}) migrated, finance ready, trip catalog seeded`);

    const devServer = await startDevServerOnFreePorts({ namespace: 'default' });
    stops.push(['Temporal dev server', () => devServer.stop()]);
    const gds = await startSandboxGdsProcess(0, logger);
    stops.push(['sandbox GDS', () => gds.stop()]);
    log(`Temporal dev server ${devServer.address}, sandbox GDS ${gds.url}`);

    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, preloadModules: WORKFLOW_PRELOAD_MODULES, logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (m) => log(`bundler: ${m}`), log() {} } });
    const bundlePath = path.join(work, 'workflow-bundle.js');
    writeFileSync(bundlePath, bundle.code);
    stops.push(['workflow bundle', () => rmSync(bundlePath, { force: true })]);
    log(`workflows bundled once for every worker life (${(bundle.code.length / 1024 / 1024).toFixed(1)} MiB)`);

    const temporal = new TemporalClientProvider({ address: devServer.address, namespace: 'default' });
    stops.push(['API Temporal client', () => temporal.close()]);
    // The workload calls as a system integration would: an all-scopes API key (test keys, this run's database only).
    const app = withApiKey(createApp({ db, bookings: new PrismaBookingStore(db.prisma), temporal, logger: apiLogger, operatorTimeZone: 'UTC', finance: financeDeps(db.prisma, { driver: db }), access: testAccess(db) }), db);
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    stops.push([
      'API',
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ]);
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const connection = await Connection.connect({ address: devServer.address });
    stops.push(['checker Temporal client', () => connection.close()]);
    const client = new Client({ connection, namespace: 'default' });

    // ---- the worker child, killed and restarted -------------------------------------------
    const workerLog = path.join(work, 'worker.log');
    const logStream = createWriteStream(workerLog, { flags: 'a' });
    stops.push(['worker log', () => new Promise<void>((r) => logStream.end(() => r()))]);
    const lives: Life[] = [];
    const killPoints: string[] = [];
    const spawnLife = (plan: KillPlan): Life => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'chaos', 'worker-process.ts')], {
        cwd: path.join(__dirname, '..'),
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          CHAOS_TEMPORAL_ADDRESS: devServer.address,
          CHAOS_GDS_URL: gds.url,
          CHAOS_WORKFLOW_BUNDLE: bundlePath,
          [KILL_PLAN_ENV]: JSON.stringify(plan),
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      let tail = '';
      const onOutput = (chunk: Buffer) => {
        logStream.write(chunk);
        tail = (tail + chunk.toString('utf8')).slice(-4_000);
        const mark = new RegExp(`${KILL_MARK} (.*)`).exec(tail);
        if (mark && !killPoints.some((k) => k === mark[1])) killPoints.push(mark[1]!);
      };
      child.stdout!.on('data', onOutput);
      child.stderr!.on('data', onOutput);
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      const life: Life = { plan, child, readyAt: null, exited, killedBy: null, ready: Promise.resolve(false) };
      life.ready = new Promise<boolean>((resolve) => {
        child.on('message', (m: { type?: string }) => {
          if (m.type !== 'ready') return;
          life.readyAt = Date.now();
          resolve(true);
        });
        void exited.then(() => resolve(false));
      });
      lives.push(life);
      return life;
    };
    let current: Life | null = null;
    stops.push([
      'worker child',
      async () => {
        if (current && current.child.exitCode === null && current.child.signalCode === null) {
          current.child.kill('SIGTERM');
          const t = setTimeout(() => current?.child.kill('SIGKILL'), 10_000);
          await current.exited;
          clearTimeout(t);
        }
      },
    ]);

    let workloadDone = false;
    const downtime = stream(opts.seed, 999);
    const killsByKind: Record<string, number> = { wall: 0, boundary: 0, mid: 0, 'wall (fallback)': 0 };
    let crashes = 0;
    const supervise = (async () => {
      for (let lifeNo = 1; ; lifeNo++) {
        const plan: KillPlan = workloadDone ? { kind: 'none', life: lifeNo, afterMs: 0, afterCalls: 0 } : planFor(opts.seed, lifeNo, opts.kills);
        const life = spawnLife(plan);
        current = life;
        const ready = await Promise.race([life.ready, sleep(180_000).then(() => false)]);
        if (!ready) {
          const { code, signal } = await Promise.race([life.exited, sleep(1).then(() => ({ code: null, signal: null }))]);
          throw new Error(`worker life ${lifeNo} never became ready (exit ${code ?? signal ?? 'still running'}); see ${workerLog}`);
        }
        log(`worker life ${lifeNo} polling; plan: ${plan.kind}${plan.kind === 'wall' ? ` after ${plan.afterMs} ms` : plan.kind === 'none' ? '' : ` at call ${plan.afterCalls}`}`);
        if (plan.kind === 'none') return;
        // Wall kills come from here; in-worker plans that have not fired after a while (the
        // workload is quiet) fall back to a wall kill so the planned number of kills happens.
        const wallAfter = plan.kind === 'wall' ? plan.afterMs : 45_000;
        const timer = setTimeout(() => {
          if (workloadDone && plan.kind !== 'wall') return;
          life.killedBy = plan.kind === 'wall' ? 'wall' : 'wall (fallback)';
          life.child.kill('SIGKILL');
        }, wallAfter);
        const { code, signal } = await life.exited;
        clearTimeout(timer);
        if (signal === 'SIGKILL') {
          const kind = life.killedBy ?? plan.kind;
          killsByKind[kind] = (killsByKind[kind] ?? 0) + 1;
          log(`worker life ${lifeNo} SIGKILLed (${kind})`);
        } else {
          crashes++;
          log(`worker life ${lifeNo} exited unexpectedly (code ${code}, signal ${signal}); restarting`);
        }
        await sleep(between(downtime, 0, 2_000));
      }
    })();
    const supervisorFailed = supervise.then(
      () => null,
      (err: unknown) => err,
    );
    while (!lives[0]?.readyAt) {
      const err = await Promise.race([supervisorFailed, sleep(200).then(() => null)]);
      if (err) throw err;
    }

    // ---- the projection, watched for terminal statuses ------------------------------------
    const terminalAt = new Map<string, number>();
    const statusOf = new Map<string, string>();
    const terminal = new Set<string>(TERMINAL_STATUSES);
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const rows = await db.query<{ reference: string; status: string }>('SELECT reference, status::text AS status FROM bookings', []).catch(() => []);
        const now = Date.now();
        for (const r of rows) {
          statusOf.set(r.reference, r.status);
          if (terminal.has(r.status) && !terminalAt.has(r.reference)) terminalAt.set(r.reference, now);
        }
        await sleep(500);
      }
    })();

    // ---- the workload -------------------------------------------------------------------
    let lastRequestAt = Date.now();
    const ctx: WorkloadContext = {
      apiUrl,
      seed: opts.seed,
      today,
      trip,
      scarceCategory,
      scarceDate,
      callDeadlineMs: 240_000,
      log,
      touch: () => void (lastRequestAt = Date.now()),
    };
    log(`workload: ${opts.bookings} bookings, ${opts.concurrency} at a time, ${opts.kills} kills planned`);
    const workloadStarted = Date.now();
    const runs: BookingRun[] = await runWorkload(ctx, opts.bookings, opts.concurrency, `chaos-${opts.seed}`);
    workloadDone = true;
    const workloadEnded = Date.now();
    log(`workload finished in ${((workloadEnded - workloadStarted) / 1000).toFixed(1)} s (last request ${((workloadEnded - lastRequestAt) / 1000).toFixed(1)} s before the end)`);
    // Let a pending in-worker kill plan end: the last life then runs clean.
    const failure = await Promise.race([supervisorFailed, sleep(50).then(() => undefined)]);
    if (failure) throw failure;
    if (current && (current as Life).plan.kind !== 'none') {
      log('workload done before the last planned kill fired: ending that life with a wall kill, then running clean');
      (current as Life).killedBy = 'wall (fallback)';
      (current as Life).child.kill('SIGKILL');
    }
    const supervisorError = await supervisorFailed;
    if (supervisorError) throw supervisorError;
    const last = lives[lives.length - 1]!;
    const lastReadyAt = last.readyAt!;

    // ---- wait for every accepted booking to be terminal -----------------------------------
    const accepted = runs.filter((r) => r.accepted && r.reference).map((r) => r.reference!);
    const waitUntil = Math.max(lastReadyAt, workloadEnded) + 3 * TERMINAL_WITHIN_MS;
    while (Date.now() < waitUntil && !accepted.every((ref) => terminalAt.has(ref))) await sleep(500);
    watching = false;
    await watcher;
    const allTerminalAt = accepted.every((ref) => terminalAt.has(ref)) ? Math.max(...accepted.map((ref) => terminalAt.get(ref)!), lastReadyAt) : null;
    // Bookings still open when the last life came up: each must be terminal within 60 s of that
    // restart, or of the request that closed it when the script asked for it only later.
    const lateAfterRestart = accepted
      .filter((ref) => (terminalAt.get(ref) ?? Infinity) > lastReadyAt)
      .map((ref) => ({ ref, run: runs.find((r) => r.reference === ref)!, at: terminalAt.get(ref) ?? null }))
      .filter(({ run, at }) => at === null || at - Math.max(lastReadyAt, run.lastCallAt) > TERMINAL_WITHIN_MS)
      .map(({ ref, run, at }) =>
        at === null
          ? `${ref}: still ${statusOf.get(ref) ?? 'without a bookings row'}`
          : `${ref}: terminal ${((at - Math.max(lastReadyAt, run.lastCallAt)) / 1000).toFixed(1)} s after ${run.lastCallAt > lastReadyAt ? 'its last request' : 'the restart'}`,
      );
    if (last.child.exitCode !== null || last.child.signalCode !== null) crashes++;

    // ---- checks -----------------------------------------------------------------------
    const workflows = new Map<string, WorkflowState>();
    const taskFailures: string[] = [];
    const inspect = async (ref: string) => {
      const handle = client.workflow.getHandle(bookingWorkflowId(ref));
      // Existence and status from the server alone (the BookingStatus search attribute the
      // workflow keeps current): no query, so a workflow whose tasks fail cannot hold this up.
      try {
        const d = await handle.describe();
        workflows.set(ref, { exists: true, status: d.typedSearchAttributes.get(BookingStatus) ?? null });
      } catch (err) {
        workflows.set(ref, { exists: !(err instanceof WorkflowNotFoundError), status: null });
        if (err instanceof WorkflowNotFoundError) return;
      }
      // A failed workflow task is the workflow itself throwing (or nondeterminism): a bug that
      // stalls the booking until a fix is deployed, whatever the crashes did.
      const history = await handle.fetchHistory().catch(() => null);
      let failedTasks = 0;
      for (const e of history?.events ?? []) {
        const f = e.workflowTaskFailedEventAttributes;
        if (!f) continue;
        failedTasks++;
        taskFailures.push(`${bookingWorkflowId(ref)} event ${String(e.eventId)}: cause ${String(f.cause)}: ${(f.failure?.message ?? '').slice(0, 400)}`);
      }
      // Kept for `runReplayHistory`: the history that made the workflow fail, as Temporal has it.
      if (failedTasks && history) {
        mkdirSync(path.join(work, 'histories'), { recursive: true });
        writeFileSync(path.join(work, 'histories', `${bookingWorkflowId(ref)}.json`), historyToJSON(history));
      }
    };
    for (let i = 0; i < accepted.length; i += 10) await Promise.all(accepted.slice(i, i + 10).map(inspect));
    const gdsOrders = ((await (await fetch(`${gds.url}/sandbox/orders`)).json()) as { orders: GdsOrder[] }).orders;
    const checks: CheckResult[] = await runChecks(database.url, runs, gdsOrders, workflows);
    checks.push({ name: 'workflow task failures (the workflow threw or was nondeterministic)', violations: taskFailures.length, examples: taskFailures.slice(0, 5) });
    checks.push({ name: `every booking terminal within ${TERMINAL_WITHIN_MS / 1000} s of the last restart`, violations: lateAfterRestart.length, examples: lateAfterRestart.slice(0, 5) });
    if (crashes) checks.push({ name: 'worker lives that died by themselves (not SIGKILL)', violations: crashes, examples: [`see ${workerLog}`] });

    // ---- report -------------------------------------------------------------------------
    const finalStatus: Record<string, number> = {};
    for (const ref of accepted) finalStatus[statusOf.get(ref) ?? 'none'] = (finalStatus[statusOf.get(ref) ?? 'none'] ?? 0) + 1;
    const byScenario: Record<string, number> = {};
    for (const r of runs) byScenario[r.scenario] = (byScenario[r.scenario] ?? 0) + 1;
    const kills = Object.values(killsByKind).reduce((s, n) => s + n, 0);
    out('');
    out(`chaos seed ${opts.seed}: ${opts.bookings} bookings (${accepted.length} accepted), ${opts.concurrency} at a time`);
    out(`scenarios: ${Object.entries(byScenario).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    out(`final statuses: ${Object.entries(finalStatus).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    out(`kills: ${kills} (${Object.entries(killsByKind).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}); restarts ${lives.length - 1}; API calls retried ${runs.reduce((s, r) => s + r.retries, 0)}`);
    for (const k of killPoints) out(`  in-worker kill: ${k}`);
    out(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s (workload ${((workloadEnded - workloadStarted) / 1000).toFixed(1)} s)`);
    out(`all terminal ${allTerminalAt === null ? 'NEVER (gave up)' : `${((allTerminalAt - lastReadyAt) / 1000).toFixed(1)} s after the last restart`} (the last restart was ${((workloadEnded - lastReadyAt) / 1000).toFixed(1)} s before the workload ended)`);
    out('');
    out('| check | violations | figures |');
    out('|---|---|---|');
    for (const c of checks) out(`| ${c.name} | ${c.violations} | ${c.note ?? ''} |`);
    const failed = checks.filter((c) => c.violations > 0 && !c.name.includes('NeedsManualReview'));
    for (const c of checks.filter((x) => x.violations > 0)) {
      out(`\n${c.name}:`);
      for (const e of c.examples) out(`  - ${e}`);
    }
    out(`\nworker log: ${workerLog}\nAPI log: ${apiLog}${taskFailures.length ? `\nhistories of the workflows whose tasks failed: ${path.join(work, 'histories')}` : ''}`);
    out(failed.length ? `\nFAILED: ${failed.length} checks with violations (replay with --seed ${opts.seed})` : '\nPASSED');
    return failed.length ? 1 : 0;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos harness failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
