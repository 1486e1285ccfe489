/**
 * The worker child of the chaos harness (scripts/chaos.ts): the booking, finance and supplier
 * workers wired exactly as `npm start` wires them (workers/*), on the harness's PostgreSQL and
 * Temporal dev server, plus the kill plan's activity interceptor. It tells the harness (IPC) when
 * every worker polls, and dies by SIGKILL when its plan says so; the harness starts the next one.
 *
 * Environment: DATABASE_URL, CHAOS_TEMPORAL_ADDRESS, CHAOS_GDS_URL, CHAOS_WORKFLOW_BUNDLE (a file
 * from bundleWorkflowCode, so a restart does not spend its time bundling), CHAOS_KILL_PLAN.
 */
import { readFileSync } from 'node:fs';
import { DefaultLogger, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { DuffelJsonFlightSupplier } from '../../adapters/duffel-json/adapter';
import { openDatabase } from '../../infra/database';
import { createLogger } from '../../infra/logger';
import type { TemporalTarget } from '../../infra/temporal';
import { bookingWorkerPorts, superviseBookingWorker } from '../../workers/booking-worker';
import { superviseFinanceWorker } from '../../workers/finance-worker';
import { superviseSupplierWorker } from '../../workers/supplier-worker';
import { KILL_PLAN_ENV, killInterceptors, type KillPlan } from './kill-plan';

const say = (line: string) => process.stderr.write(`${line}\n`);

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (this process is started by scripts/chaos.ts)`);
  return v;
}

/**
 * Adds the kill interceptor and the prebuilt bundle to every Worker.create of this process.
 * The workers/* factories do not take interceptors; patching the one factory they all call keeps
 * their wiring (activities, task queues, options) exactly what production runs.
 */
function instrumentWorkers(plan: KillPlan, bundlePath: string): void {
  const code = readFileSync(bundlePath, 'utf8');
  const original = Worker.create.bind(Worker);
  const factory = killInterceptors(plan, say);
  (Worker as { create: typeof Worker.create }).create = (options: WorkerOptions) => {
    const { workflowsPath: _path, ...rest } = options;
    return original({
      ...rest,
      ...(options.workflowsPath ? { workflowBundle: { code } } : {}),
      interceptors: { ...options.interceptors, activity: [...(options.interceptors?.activity ?? []), factory] },
    });
  };
}

async function main(): Promise<void> {
  const plan = JSON.parse(required(KILL_PLAN_ENV)) as KillPlan;
  instrumentWorkers(plan, required('CHAOS_WORKFLOW_BUNDLE'));
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
  const logger = createLogger(process.env.CHAOS_WORKER_LOG_LEVEL ?? 'warn', 'chaos-worker');
  const db = await openDatabase({ databaseUrl: required('DATABASE_URL'), poolSize: 8 });
  const target: TemporalTarget = { address: required('CHAOS_TEMPORAL_ADDRESS'), namespace: 'default' };
  const gds = required('CHAOS_GDS_URL');
  const operatorTimeZone = 'UTC';
  const workers = [
    superviseBookingWorker(target, bookingWorkerPorts(db, { operatorTimeZone, logger }), logger.child({ component: 'worker' }), '2s'),
    superviseFinanceWorker(target, { prisma: db.prisma, driver: db, feeds: {}, operatorTimeZone }, logger.child({ component: 'finance-worker' }), '2s'),
    superviseSupplierWorker(
      target,
      { flightSuppliers: { duffel: new DuffelJsonFlightSupplier({ baseUrl: gds, accessToken: 'sandbox-token', name: 'duffel' }) } },
      logger.child({ component: 'supplier-worker' }),
      '2s',
    ),
  ];
  await Promise.all(workers.map((w) => w.ready));
  say(`chaos worker life ${plan.life} polling (plan: ${plan.kind}${plan.kind === 'boundary' || plan.kind === 'mid' ? ` at call ${plan.afterCalls}` : ''})`);
  process.send?.({ type: 'ready', life: plan.life });
  // The harness ends a clean life with SIGTERM: drain and exit.
  process.once('SIGTERM', () => {
    void Promise.all(workers.map((w) => w.stop()))
      .then(() => db.close())
      .finally(() => process.exit(0));
  });
  // The IPC channel closes when the harness dies: do not outlive it.
  process.once('disconnect', () => process.exit(0));
}

main().catch((err: unknown) => {
  say(`chaos worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
