/**
 * The booking bench rig: Itinera wired as `npm start` wires bookings (real Temporal dev server on
 * free ports, a real database, the booking, finance and supplier workers and `createApp` from
 * test/support/api-harness.ts, the API on a real HTTP server), a small generated catalog (one
 * hotel with an allotment large enough for every booking of the run, a transfer, an insurance),
 * and the baseline worker: NoopBookingWorkflow (bench/support/noop.workflow.ts) with an activity
 * that does nothing, on its own task queue. Used by bench/bookings.bench.ts.
 *
 * Database: PostgreSQL when DATABASE_URL is set (catalog codes carry a run suffix, so an existing
 * database is only added to), otherwise a throwaway PGlite directory.
 */
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { Router } from 'express';
import { ROUTE_POLICIES, type RoutePolicy } from '../../api/access/route-policy';
import type { TemporalClientProvider } from '../../infra/temporal';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { addDays } from '../../domain/catalog/dates';
import { calendarDateIn } from '../../domain/time/instant';
import type { Database } from '../../infra/database';
import { prepareReadyFinance, startApiUnderTest } from '../../test/support/api-harness';
import { seedTripCatalog, tripComponents } from '../../test/support/trip-catalog';
import { NoopBookingWorkflow, noopHeldUpdate, noopPayUpdate, type NoopActivities, type NoopBookingInput } from './noop.workflow';
import { log, startBenchFoundation, Stops } from './foundation';

export { log };

export const NOOP_TASK_QUEUE = 'bench-noop-booking';

export interface BookingRig {
  db: Database;
  apiUrl: string;
  /** A plain client on the dev server (histories, the baseline's starts and updates). */
  client: Client;
  today: string;
  /**
   * The baseline behind the API: `POST /bench/noop-bookings` (update-with-start of
   * NoopBookingWorkflow, answered once its hold steps ran) and `POST /bench/noop-bookings/:id/payments`
   * (its payment update), served by the same app with the same middleware and policies as
   * `POST /bookings` and its payments. The steps come from here; set them before the first call.
   */
  baselineSteps: NoopBookingInput;
  /** The POST /bookings body of a hotel + transfer + insurance trip for 2 adults, departing `daysAhead` from today. */
  bookingBody(daysAhead: number, nights: number): Record<string, unknown>;
  /**
   * With `BENCH_PROFILE=1`: every activity run of the booking and baseline workers, timed at the
   * worker by an activity interceptor (epoch ms, the clock of `Date.now()`); empty otherwise.
   */
  activityRuns: ActivityRun[];
  stop(): Promise<void>;
}

export interface ActivityRun {
  workflowId: string;
  activityType: string;
  start: number;
  end: number;
}

/** Interceptors that time each activity at the worker into `runs`. */
function timingInterceptors(runs: ActivityRun[]): WorkerOptions['interceptors'] {
  const now = () => performance.timeOrigin + performance.now();
  return {
    activity: [
      (ctx) => ({
        inbound: {
          async execute(input, next) {
            const start = now();
            try {
              return await next(input);
            } finally {
              runs.push({ workflowId: ctx.info.workflowExecution?.workflowId ?? '', activityType: ctx.info.activityType, start, end: now() });
            }
          },
        },
      }),
    ],
  };
}



/** Prisma operations by "model.operation" while the bench runs (BENCH_PRISMA_COUNT=1 only). */
export const prismaOperations = new Map<string, number>();

/** The database with each Prisma operation counted (the driver path is not Prisma, and not counted). */
function countingPrisma(db: Database): Database {
  const prisma = db.prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        const sql = operation.startsWith('$') && Array.isArray(args) && typeof args[0] === 'string' ? ` ${args[0].replace(/\s+/g, ' ').trim().slice(0, 70)}` : '';
        const key = `${model ?? ''}${model ? '.' : ''}${operation}${sql}`;
        prismaOperations.set(key, (prismaOperations.get(key) ?? 0) + 1);
        return query(args);
      },
    },
  }) as unknown as Database['prisma'];
  return { ...db, prisma };
}

/** `rooms`: the hotel allotment per night (every booking takes one room). */
export async function startBookingRig(opts: { rooms: number }): Promise<BookingRig> {
  const suffix = randomBytes(3).toString('hex').toUpperCase();
  const stops = new Stops();
  const stop = () => stops.run();
  try {
    let t = performance.now();
    const { devServer, db } = await startBenchFoundation('bookings', stops);
    await prepareReadyFinance(db);
    log(`rig: Temporal dev server and ${db.kind} database (migrated, finance ready) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // The catalog: everything in GBP with one season valid for the whole bench window.
    const today = calendarDateIn(Date.now(), 'UTC');
    const trip = await seedTripCatalog(db, { today, seed: 7, prefix: `B${suffix}-`, hotels: 1, rooms: opts.rooms, days: 400 });

    // The API and the workers, as `npm start` wires them; the API on a real HTTP server.
    t = performance.now();
    const baselineSteps: NoopBookingInput = { holdSteps: [], paySteps: [] };
    const activityRuns: ActivityRun[] = [];
    const interceptors = process.env.BENCH_PROFILE === '1' ? timingInterceptors(activityRuns) : undefined;
    let temporal: TemporalClientProvider | null = null;
    const api = startApiUnderTest(
      process.env.BENCH_PRISMA_COUNT === '1' ? countingPrisma(db) : db,
      { address: devServer.address, namespace: 'default' },
      'UTC',
      { extraRoutes: baselineRoutes(() => temporal!, baselineSteps), ...(interceptors ? { bookingWorkerInterceptors: interceptors } : {}) },
    );
    temporal = api.temporal;
    stops.push(() => api.stop());
    const server = http.createServer(api.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // The baseline worker: every step does nothing.
    const nativeConnection = await NativeConnection.connect({ address: devServer.address });
    stops.push(() => nativeConnection.close());
    const activities: NoopActivities = { noop: async () => undefined };
    const noopWorker = await Worker.create({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue: NOOP_TASK_QUEUE,
      workflowsPath: require.resolve('./noop.workflow'),
      activities,
      ...(interceptors ? { interceptors } : {}),
    });
    const noopRunning = noopWorker.run();
    stops.push(async () => {
      if (noopWorker.getState() === 'RUNNING') noopWorker.shutdown();
      await noopRunning;
    });
    await api.worker.ready;
    log(`rig: booking, finance, supplier and baseline workers polling (bundles built) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const connection = await Connection.connect({ address: devServer.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });

    const bookingBody = (daysAhead: number, nights: number) => {
      const departureDate = addDays(today, daysAhead);
      const components = tripComponents(trip, departureDate, nights);
      return { customerId: 'CUST-BENCH', advisorId: 'ADV-BENCH', channel: 'direct', currency: 'GBP', departureDate, returnDate: addDays(departureDate, nights), components, contactEmail: 'bench@example.com' };
    };
    return { db, apiUrl, client, today, baselineSteps, bookingBody, activityRuns, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `POST /bench/noop-bookings` and its payments, under the policies of `POST /bookings` and its payments. */
function baselineRoutes(temporal: () => TemporalClientProvider, steps: NoopBookingInput): { policies: RoutePolicy[]; router: Router } {
  const like = (path: string, as: string): RoutePolicy => ({ ...ROUTE_POLICIES.find((p) => p.method === 'POST' && p.path === path)!, path: as });
  const router = Router();
  router.post('/bench/noop-bookings', async (_req, res) => {
    const workflowId = `noop-api-${randomUUID()}`;
    const client = await temporal().get();
    const startWorkflowOperation = new WithStartWorkflowOperation(NoopBookingWorkflow, { workflowId, taskQueue: NOOP_TASK_QUEUE, args: [steps], workflowIdConflictPolicy: 'FAIL' });
    const held = await client.workflow.executeUpdateWithStart(noopHeldUpdate, { startWorkflowOperation });
    res.status(201).location(`/bench/noop-bookings/${workflowId}`).json({ workflowId, ...held });
  });
  router.post('/bench/noop-bookings/:id/payments', async (req, res) => {
    const client = await temporal().get();
    res.json(await client.workflow.getHandle(req.params.id).executeUpdate(noopPayUpdate, { args: [randomUUID()] }));
  });
  return { policies: [like('/bookings', '/bench/noop-bookings'), like('/bookings/:reference/payments', '/bench/noop-bookings/:id/payments')], router };
}
