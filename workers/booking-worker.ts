import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createBookingActivities, type BookingActivityPorts } from '../activities/booking.activities';
import { createLedgerActivities } from '../activities/ledger.activities';
import type { Ledger } from '../activities/ports/ledger';
import type { Logger } from '../infra/logger';
import type { Database } from '../infra/database';
import { AvailabilitySearch } from '../activities/availability-search';
import { createBookingLifecycleActivities, type BookingLifecycleActivityPorts } from '../activities/booking-lifecycle.activities';
import { LogBookingNotifier } from '../activities/booking-notifier.log';
import { PrismaBookingStore } from '../activities/booking-store.prisma';
import { PrismaCatalog } from '../activities/catalog.prisma';
import { PrismaFinanceConfig } from '../activities/finance-config.prisma';
import { PrismaFxRates } from '../activities/fx-rates.prisma';
import { PrismaInventory } from '../activities/inventory.prisma';
import { PrismaLedger } from '../activities/ledger.prisma';
import { SandboxPaymentGateway } from '../activities/payment-gateway.sandbox';
import type { BookingNotifier } from '../activities/ports/booking-notifier';
import type { InventoryChangeSink } from '../activities/ports/inventory-changes';
import type { PaymentGateway } from '../activities/ports/payment-gateway';
import { calendarDateIn } from '../domain/time/instant';
import { workerConnectionOptions, type TemporalTarget } from '../infra/temporal';
import { TASK_QUEUES } from '../workflows/task-queues';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * Modules the workflow code imports that hold data and pure functions only: the domain rules
 * (pure by the project's one rule), with what they import (phone metadata, country names,
 * currency data, decimal.js). With the SDK's reusable V8 context every module a workflow loads
 * is instantiated again for each cached workflow; these are preloaded once per context and
 * shared instead (`npm run bench:bookings`: RSS per cached booking 0.57–0.66 MiB before,
 * 0.26–0.54 after). Only modules without mutable module state belong here (the country module's
 * locale registry is filled once, at load, with the same English names, and the time-zone
 * formatters cached by `domain/time` are pure): a shared module must never carry one workflow's
 * state into another.
 */
export const WORKFLOW_PRELOAD_MODULES = [
  'booking/amendment',
  'booking/cancellation',
  'booking/draft',
  'booking/group',
  'booking/payment-plan',
  'booking/postings',
  'catalog/policy',
  'customers/inflight',
  'customers/legacy-records',
  'customers/normalize',
  'flights/model',
  'fx/revaluation',
  'ledger/entry',
  'money/money',
  'revenue/recognition',
  'time/instant',
].map((m) => require.resolve(`../domain/${m}`));

/** Where workers bundle the workflows from at start, with the shared modules preloaded. */
export const WORKFLOW_SOURCE = { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES } };

/**
 * What the worker's activities need. `lifecycle` and `ledger` run the booking lifecycle (every
 * booking since 2026-11-29); without them only first-slice drafts can make progress.
 */
export type WorkerPorts = BookingActivityPorts & { ledger?: Ledger; lifecycle?: BookingLifecycleActivityPorts };

/** The booking worker's ports over one database, wired as `npm start` and `npm run worker` do. */
export function bookingWorkerPorts(
  db: Database,
  opts: { operatorTimeZone: string; logger: Logger; inventorySink?: InventoryChangeSink; notifier?: BookingNotifier; payments?: PaymentGateway },
): Required<Pick<WorkerPorts, 'bookings' | 'ledger' | 'lifecycle'>> {
  const catalog = new PrismaCatalog(db.prisma, db);
  const inventory = new PrismaInventory(db.prisma, (sql, params) => db.query(sql, params), opts.inventorySink);
  const config = new PrismaFinanceConfig(db.prisma);
  const search = new AvailabilitySearch(catalog, inventory, new PrismaFxRates(db.prisma), {
    today: () => calendarDateIn(Date.now(), opts.operatorTimeZone),
    // Prices are converted at the rates of the source finance configured (ECB until it is set).
    rateSource: async () => (await config.settings())?.rateSource ?? 'ECB',
  });
  return {
    bookings: new PrismaBookingStore(db.prisma),
    ledger: new PrismaLedger(db.prisma, db),
    lifecycle: {
      prisma: db.prisma,
      sql: db,
      catalog,
      inventory,
      search,
      notifier: opts.notifier ?? new LogBookingNotifier(opts.logger.child({ component: 'booking-notifier' })),
      payments: opts.payments ?? new SandboxPaymentGateway(db.prisma),
      operatorTimeZone: opts.operatorTimeZone,
    },
  };
}

export interface BookingWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  ports: WorkerPorts;
  taskQueue?: string;
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** A prebuilt bundle (tests share one per file); otherwise workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra interceptors (the booking bench times each activity at the worker with one). */
  interceptors?: WorkerOptions['interceptors'];
}

/** A worker for booking workflows and their activities on `booking-orchestration`. */
export function createBookingWorker(opts: BookingWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUES.bookingOrchestration,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : WORKFLOW_SOURCE),
    activities: {
      ...createBookingActivities(opts.ports),
      ...(opts.ports.ledger ? createLedgerActivities({ ledger: opts.ports.ledger }) : {}),
      ...(opts.ports.lifecycle ? createBookingLifecycleActivities(opts.ports.lifecycle) : {}),
    },
    shutdownGraceTime: opts.shutdownGraceTime ?? '30s',
    ...(opts.interceptors ? { interceptors: opts.interceptors } : {}),
  });
}

export interface SupervisedWorker {
  /** Resolves once the worker is polling for the first time. */
  ready: Promise<void>;
  /** Graceful shutdown: stop polling, let in-flight activities finish (up to the grace time). */
  stop(): Promise<void>;
}

/**
 * Keeps a booking worker running: connects (retrying while Temporal is down), runs the worker, and
 * starts it again if it dies, until `stop()` is called.
 */
export function superviseBookingWorker(
  target: TemporalTarget,
  ports: WorkerPorts,
  logger: Logger,
  shutdownGraceTime: WorkerOptions['shutdownGraceTime'] = '30s',
  interceptors?: WorkerOptions['interceptors'],
): SupervisedWorker {
  return superviseWorker(TASK_QUEUES.bookingOrchestration, target, logger, (connection) =>
    createBookingWorker({ connection, namespace: target.namespace, ports, shutdownGraceTime, ...(interceptors ? { interceptors } : {}) }),
  );
}

/**
 * Keeps a worker for one task queue running with these activities (and every workflow type, from
 * the one workflows path): what the catalog and supplier workers are.
 */
export function superviseQueueWorker(
  taskQueue: string,
  target: TemporalTarget,
  logger: Logger,
  activities: object,
  shutdownGraceTime: WorkerOptions['shutdownGraceTime'] = '30s',
): SupervisedWorker {
  return superviseWorker(taskQueue, target, logger, (connection) =>
    Worker.create({ connection, namespace: target.namespace, taskQueue, ...WORKFLOW_SOURCE, activities, shutdownGraceTime }),
  );
}

/**
 * Keeps one worker running: connects (retrying while Temporal is down), builds and runs the
 * worker, and starts it again if it dies, until `stop()` is called.
 */
export function superviseWorker(
  taskQueue: string,
  target: TemporalTarget,
  logger: Logger,
  build: (connection: NativeConnection) => Promise<Worker>,
): SupervisedWorker {
  let stopping = false;
  let current: Worker | null = null;
  let connection: NativeConnection | null = null;
  let wake: (() => void) | null = null;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  const loop = (async () => {
    let backoff = 500;
    while (!stopping) {
      try {
        connection ??= await NativeConnection.connect(workerConnectionOptions(target));
        const created = await build(connection);
        if (stopping) break; // stop() came while the worker was being built: never start polling
        current = created;
        logger.info({ taskQueue, address: target.address }, 'worker polling');
        backoff = 500;
        const running = current.run();
        markReady();
        await running;
        current = null;
        if (!stopping) logger.warn({ taskQueue }, 'worker stopped unexpectedly; restarting');
      } catch (err) {
        current = null;
        if (stopping) break;
        logger.error({ err, taskQueue, retryInMs: backoff }, 'worker cannot run (is Temporal reachable?); retrying');
        await connection?.close().catch(() => undefined);
        connection = null;
        await pause(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  })();

  return {
    ready,
    async stop() {
      stopping = true;
      wake?.();
      if (current && current.getState() === 'RUNNING') current.shutdown();
      await loop;
      await connection?.close().catch(() => undefined);
      logger.info({ taskQueue }, 'worker drained and stopped');
    },
  };
}
