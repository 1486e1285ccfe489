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
import { addDays } from '../../../domain/catalog/dates';
import type { GroundServiceProduct, HotelProduct, InsuranceProduct, Policy, Product, Supplier } from '../../../domain/catalog/model';
import { calendarDateIn } from '../../../domain/time/instant';
import type { Database } from '../../../infra/database';
import { registerSearchAttributes } from '../../../infra/search-attributes';
import { temporalTestServerPath } from '../../../infra/tools';
import { generateCatalog } from '../../../sandbox/catalog-generator';
import { startSandboxGds, type SandboxGds } from '../../../sandbox/gds/server';
import { openTestPglite } from '../../../test/support/databases';
import { prepareReadyFinance } from '../../../test/support/api-harness';
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

/** The first rate plan of a product's first category (what the tests book). */
export function firstRatePlan(p: Product): { category: string; ratePlan: string } {
  const category = p.categories[0]!.code;
  return { category, ratePlan: p.rates.find((r) => r.category === category)!.ratePlan };
}

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
export async function startLifecycleRig(): Promise<LifecycleRig> {
  const [env, bundle, db, gds] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../index'), logger: silent }) as Promise<WorkflowBundleWithSourceMap>,
    openTestPglite(),
    startSandboxGds({ port: 0 }),
  ]);
  // A plain client: time moves only when a test says so (skipTo), never behind a `result()`.
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  const today = calendarDateIn(Date.now(), 'UTC');
  await prepareReadyFinance(db);

  // The catalog: a generated one, with the policies this suite asserts on.
  const generated = generateCatalog({ seed: 11, startDate: today, prefix: 'T-', size: { hotels: 2, tours: 0, groundServices: 4, insurance: 1, hotelsPerSupplier: 2, toursPerSupplier: 1, groundPerSupplier: 4, insurancePerSupplier: 1, destinations: 1 } });
  const suppliers: Supplier[] = generated.suppliers.map((s) => ({ ...s, active: true, cancellationPolicy: TEST_CANCELLATION_POLICY, amendmentPolicy: TEST_AMENDMENT_POLICY }));
  // Everything in GBP, rates valid for years: the suite moves the clock by months (no FX dates to chase).
  // One season per rate plan, stretched over the years the suite moves through.
  const oneSeason = (rates: Product['rates']) =>
    rates.filter((r, i) => rates.findIndex((x) => x.category === r.category && x.ratePlan === r.ratePlan) === i).map((r) => ({ ...r, validFrom: today, validTo: addDays(today, 1500) }));
  const products: Product[] = generated.products.map((p) => ({ ...p, active: true, currency: 'GBP', rates: oneSeason(p.rates) }));
  const catalog = new PrismaCatalog(db.prisma);
  await catalog.upsertSuppliers(suppliers);
  await catalog.upsertProducts(products);
  const hotel = products.find((p): p is HotelProduct => p.type === 'HOTEL')!;
  const transfer = products.find((p): p is GroundServiceProduct => p.type === 'GROUND_SERVICE' && p.kind === 'TRANSFER') ?? products.find((p): p is GroundServiceProduct => p.type === 'GROUND_SERVICE')!;
  const insurance = products.find((p): p is InsuranceProduct => p.type === 'INSURANCE')!;
  const inventory = new PrismaInventory(db.prisma, (sql, params) => db.query(sql, params));
  const category = hotel.categories[0]!;
  const rate = hotel.rates.find((r) => r.category === category.code)!;
  await inventory.createContract({
    code: `${hotel.code}-${category.code}`.slice(0, 48),
    supplierCode: hotel.supplierCode,
    productCode: hotel.code,
    category: category.code,
    validFrom: addDays(today, 1),
    validTo: addDays(today, 1400),
    quantity: 5,
    contractedPrice: rate.amount,
    currency: hotel.currency,
    basis: rate.basis,
    release: { kind: 'DAYS_BEFORE', days: 0 },
    minGroupSize: 1,
    maxGroupSize: 40,
  });

  const ledger = new PrismaLedger(db.prisma, db);
  const fxRates = new PrismaFxRates(db.prisma);
  const search = new AvailabilitySearch(catalog, inventory, fxRates, { today: () => calendarDateIn(Date.now(), 'UTC'), rateSource: async () => 'DEMO' });
  const notices: NoticeInput[] = [];
  const refundRequests: RefundRequest[] = [];
  const sandboxGateway = new SandboxPaymentGateway(db.prisma);
  const lifecycle = createBookingLifecycleActivities({
    prisma: db.prisma,
    catalog,
    inventory,
    search,
    notifier: { channel: 'test', send: async (n) => void notices.push(n) },
    payments: { refund: async (r) => (refundRequests.push(r), sandboxGateway.refund(r)) },
    operatorTimeZone: 'UTC',
  });
  const duffel = new DuffelJsonFlightSupplier({ baseUrl: gds.url, accessToken: 'sandbox-token', name: 'duffel-sandbox', timeoutMs: 5_000 });
  const taskQueue = TASK_QUEUES.bookingOrchestration;

  const bookingWorker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: { ...lifecycle, ...createLedgerActivities({ ledger }) },
      // No workflow cache: every workflow task replays the history so far, so each step of every
      // scenario is also a replay test, and a restarted worker finds nothing on a dead sticky queue.
      maxCachedWorkflows: 0,
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
