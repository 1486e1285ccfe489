import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { AvailabilitySearch } from '../../../activities/availability-search';
import { createBookingLifecycleActivities } from '../../../activities/booking-lifecycle.activities';
import type { NoticeInput } from '../../../activities/booking-lifecycle.types';
import { PrismaCatalog } from '../../../activities/catalog.prisma';
import { createFlightActivities } from '../../../activities/flight.activities';
import { PrismaFxRates } from '../../../activities/fx-rates.prisma';
import { PrismaInventory } from '../../../activities/inventory.prisma';
import { createLedgerActivities } from '../../../activities/ledger.activities';
import { PrismaLedger } from '../../../activities/ledger.prisma';
import { SandboxPaymentGateway } from '../../../activities/payment-gateway.sandbox';
import type { RefundRequest } from '../../../activities/ports/payment-gateway';
import { createRevenueActivities } from '../../../activities/revenue.activities';
import { PrismaDeferredRevenue } from '../../../activities/revenue.prisma';
import { DuffelJsonFlightSupplier } from '../../../adapters/duffel-json/adapter';
import type { GroundServiceProduct, HotelProduct, InsuranceProduct, Policy } from '../../../domain/catalog/model';
import { calendarDateIn } from '../../../domain/time/instant';
import type { Database } from '../../../infra/database';
import { WORKFLOW_PRELOAD_MODULES } from '../../../workers/booking-worker';
import { registerSearchAttributes } from '../../../infra/search-attributes';
import { temporalTestServerPath } from '../../../infra/tools';
import { startSandboxGds, type SandboxGds } from '../../../sandbox/gds/server';
import { openTestPglite } from '../../../test/support/databases';
import { prepareReadyFinance } from '../../../test/support/api-harness';
import { seedTripCatalog } from '../../../test/support/trip-catalog';
import { TASK_QUEUES } from '../../task-queues';

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/** The hotel supplier's cancellation terms in these tests: 50 % inside 30 days, 20 % from 31 to 60. */
export const TEST_CANCELLATION_POLICY: Policy = {
  windows: [
    { fromDaysBefore: 60, toDaysBefore: 31, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '20', nonRefundable: false },
    { fromDaysBefore: 30, toDaysBefore: 0, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '50', nonRefundable: false },
    { fromDaysBefore: -1, toDaysBefore: -1, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '100', nonRefundable: true },
  ],
};
/** Moving dates costs 10 % inside 30 days, nothing before. */
export const TEST_AMENDMENT_POLICY: Policy = {
  windows: [{ fromDaysBefore: 30, toDaysBefore: 0, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '10', nonRefundable: false }],
};


export interface LifecycleRig {
  env: TestWorkflowEnvironment;
  client: Client;
  db: Database;
  inventory: PrismaInventory;
  ledger: PrismaLedger;
  gds: SandboxGds;
  /** The sandbox GDS through the Duffel-style adapter (registered as supplier "duffel-sandbox"). */
  duffel: DuffelJsonFlightSupplier;
  hotel: HotelProduct;
  transfer: GroundServiceProduct;
  insurance: InsuranceProduct;
  notices: NoticeInput[];
  /** The lifecycle activities the booking worker runs (for direct calls in tests). */
  activities: ReturnType<typeof createBookingLifecycleActivities>;
  /**
   * Every booking-worker activity run, in the order its start and end happened (name, its first
   * argument): what ran side by side. `beforeActivity`, when a test sets it, runs before each one.
   */
  activityTrace: Array<{ name: string; phase: 'start' | 'end'; input: unknown }>;
  beforeActivity: ((name: string, input: unknown) => Promise<void>) | null;
  /** Refunds the gateway was asked for, by idempotency key (the sandbox stores each once). */
  refundRequests: RefundRequest[];
  taskQueue: string;
  /** Today in the test server's clock (UTC); also sets the sandbox GDS's clock to the test server's. */
  today(): Promise<string>;
  /** Stops the booking worker (as a crash would) and starts a fresh one. */
  restartBookingWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Everything the booking workflow talks to, for real, on the time-skipping server: the lifecycle,
 * ledger and revenue activities on a migrated PGlite database, the flight activities over HTTP to
 * the sandbox GDS through the Duffel-style adapter, and a small generated catalog whose hotel has
 * an allotment for the next 400 days and known cancellation and amendment policies.
 */
export async function startLifecycleRig(opts: { maxCachedWorkflows?: number } = {}): Promise<LifecycleRig> {
  const [env, bundle, db, gds] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../index'), preloadModules: WORKFLOW_PRELOAD_MODULES, logger: silent }) as Promise<WorkflowBundleWithSourceMap>,
    openTestPglite(),
    startSandboxGds({ port: 0 }),
  ]);
  // A plain client: time moves only when a test says so (skipTo), never behind a `result()`.
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  const today = calendarDateIn(Date.now(), 'UTC');
  await prepareReadyFinance(db);

  // The catalog, with the policies this suite asserts on, valid for the years the suite moves through.
  const { hotel, transfer, insurance } = await seedTripCatalog(db, {
    today,
    seed: 11,
    prefix: 'T-',
    hotels: 2,
    rooms: 5,
    days: 1500,
    policies: { cancellation: TEST_CANCELLATION_POLICY, amendment: TEST_AMENDMENT_POLICY },
  });
  const catalog = new PrismaCatalog(db.prisma, db);
  const inventory = new PrismaInventory(db.prisma, (sql, params) => db.query(sql, params));

  const ledger = new PrismaLedger(db.prisma, db);
  const fxRates = new PrismaFxRates(db.prisma);
  const search = new AvailabilitySearch(catalog, inventory, fxRates, { today: () => calendarDateIn(Date.now(), 'UTC'), rateSource: async () => 'DEMO' });
  const notices: NoticeInput[] = [];
  const refundRequests: RefundRequest[] = [];
  const sandboxGateway = new SandboxPaymentGateway(db.prisma);
  const lifecycle = createBookingLifecycleActivities({
    prisma: db.prisma,
    sql: db,
    catalog,
    inventory,
    search,
    notifier: { channel: 'test', send: async (n) => void notices.push(n) },
    payments: { refund: async (r) => (refundRequests.push(r), sandboxGateway.refund(r)) },
    operatorTimeZone: 'UTC',
  });
  const duffel = new DuffelJsonFlightSupplier({ baseUrl: gds.url, accessToken: 'sandbox-token', name: 'duffel-sandbox', timeoutMs: 5_000 });
  const taskQueue = TASK_QUEUES.bookingOrchestration;

  const activityTrace: LifecycleRig['activityTrace'] = [];
  const hooks: { before: LifecycleRig['beforeActivity'] } = { before: null };
  const traced = Object.fromEntries(
    Object.entries({ ...lifecycle, ...createLedgerActivities({ ledger }) } as Record<string, (...args: unknown[]) => Promise<unknown>>).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        const input = args[0];
        if (hooks.before) await hooks.before(name, input);
        activityTrace.push({ name, phase: 'start', input });
        try {
          return await fn(...args);
        } finally {
          activityTrace.push({ name, phase: 'end', input });
        }
      },
    ]),
  );
  const bookingWorker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: traced,
      // No workflow cache: every workflow task replays the history so far, so each step of every
      // scenario is also a replay test, and a restarted worker finds nothing on a dead sticky queue.
      // No cache by default: every activation replays the history, so the scenario tests also test replay.
      maxCachedWorkflows: opts.maxCachedWorkflows ?? 0,
    });
  const workers = {
    booking: await bookingWorker(),
    supplier: await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.supplierIo, workflowBundle: bundle, activities: createFlightActivities({ suppliers: { 'duffel-sandbox': duffel } }) }),
    finance: await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUES.finance,
      workflowBundle: bundle,
      activities: createRevenueActivities({ revenue: new PrismaDeferredRevenue(db.prisma, ledger) }),
    }),
  };
  const running = { booking: workers.booking.run(), supplier: workers.supplier.run(), finance: workers.finance.run() };

  return {
    env,
    client,
    db,
    inventory,
    ledger,
    gds,
    duffel,
    hotel,
    transfer,
    insurance,
    notices,
    activities: lifecycle,
    activityTrace,
    get beforeActivity() {
      return hooks.before;
    },
    set beforeActivity(hook) {
      hooks.before = hook;
    },
    refundRequests,
    taskQueue,
    today: async () => {
      // The GDS stamps offers and ticketing limits with its own clock: keep it on workflow time.
      const offset = (await env.currentTimeMs()) - Date.now();
      gds.core.setClock(() => Date.now() + offset);
      return calendarDateIn(Date.now() + offset, 'UTC');
    },
    async restartBookingWorker() {
      workers.booking.shutdown();
      await running.booking;
      workers.booking = await bookingWorker();
      running.booking = workers.booking.run();
    },
    async stop() {
      for (const w of Object.values(workers)) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(Object.values(running));
      await env.teardown();
      await gds.close();
      await db.close();
    },
  };
}
