import { Client, Connection } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { AvailabilitySearch } from '../../activities/availability-search';
import { PrismaFxRates } from '../../activities/fx-rates.prisma';
import type { PrismaInventory } from '../../activities/inventory.prisma';
import { errorHandler } from '../../api/error-handler';
import { catalogRoutes } from '../../api/routes/catalog.routes';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { seedChartOfAccounts } from '../../activities/chart-seed.prisma';
import { PrismaFinanceConfig } from '../../activities/finance-config.prisma';
import { DEFAULT_CHART_OPTIONS, travelChartOfAccounts } from '../../domain/ledger/chart';
import { catalogStores, createApp, type ApiDeps } from '../../api/app';
import type { Database } from '../../infra/database';
import { financeDeps } from '../../infra/finance';
import { startDevServerOnFreePorts, type DevServer } from '../../infra/dev-server';
import { createLogger } from '../../infra/logger';
import { TemporalClientProvider, type TemporalTarget } from '../../infra/temporal';
import { bookingWorkerPorts, superviseBookingWorker, type SupervisedWorker } from '../../workers/booking-worker';
import { superviseFinanceWorker } from '../../workers/finance-worker';
import { superviseSupplierWorker } from '../../workers/supplier-worker';
import type { FlightSupplier } from '../../activities/ports/flight-supplier';
import { createApiKey, type AuthSettings } from '../../api/access/authenticate';
import { CHEAP_PASSWORD_OPTIONS } from '../../api/access/passwords';
import { PERMISSIONS, type Permission } from '../../domain/access/roles';
import { accessServices, type AccessServices } from '../../infra/access';

export const silentLogger = createLogger('silent');

/** Keys for tests only (access tokens signed with them are worthless anywhere else). */
export const TEST_ACCESS_SECRETS = { tokenKey: 'itinera-test-token-key-0123456789abcdef', dataKey: 'itinera-test-data-key-0123456789abcdef' } as const;

/** Access control as the app builds it, with cheap password hashing and no purge timer (and an optional controllable clock). */
export function testAccess(db: Pick<Database, 'prisma'> & Partial<Pick<Database, 'query'>>, opts: { clock?: () => number; settings?: Partial<AuthSettings> } = {}): AccessServices {
  const { query } = db;
  return accessServices(db.prisma, {
    // The driver path as the app runs it, when the test has the whole Database.
    ...(query ? { sql: { query: query.bind(db) } } : {}),
    secrets: TEST_ACCESS_SECRETS,
    logger: silentLogger,
    purgeEveryMs: 0,
    settings: { password: CHEAP_PASSWORD_OPTIONS, ...opts.settings },
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
}

/**
 * The app as a system integration calls it: every request that brings no credentials of its own
 * gets an all-scopes API key (created in the app's database on first use) in `X-Api-Key`, so the
 * real authentication and authorisation run. Tests of access control send their own headers.
 */
export function withApiKey(app: Express, db: Pick<Database, 'prisma'>, scopes: readonly Permission[] = PERMISSIONS): Express {
  let key: Promise<string> | null = null;
  const wrapper = express();
  wrapper.disable('x-powered-by');
  wrapper.set('trust proxy', 'loopback');
  wrapper.use((req, res, next) => {
    if (req.headers.authorization !== undefined || req.headers['x-api-key'] !== undefined) return app(req, res, next);
    key ??= createApiKey(db.prisma, { name: 'tests', scopes, createdBy: 'test harness' }).then((k) => k.token);
    key.then((token) => {
      req.headers['x-api-key'] = token;
      app(req, res, next);
    }, next);
  });
  return wrapper;
}

/**
 * What `npm start` does to the embedded database: the travel chart and the demo finance
 * configuration (settings, translation rules, a week of DEMO rates), so readiness passes.
 */
export async function prepareReadyFinance(db: Database, baseCurrency = 'GBP', currencies = ['GBP', 'EUR', 'USD']): Promise<void> {
  await seedChartOfAccounts(db.prisma, travelChartOfAccounts({ ...DEFAULT_CHART_OPTIONS, bankCurrencies: currencies }));
  await new PrismaFinanceConfig(db.prisma).seedDemoConfig(baseCurrency, currencies, new Date().toISOString().slice(0, 10));
}

/** A real Temporal dev server (in memory, search attributes registered) on free ports. */
export async function startTestDevServer(): Promise<DevServer> {
  return startDevServerOnFreePorts({ namespace: 'default' });
}

export async function connectClient(address: string): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
}

export interface ApiUnderTest {
  app: Express;
  worker: SupervisedWorker;
  temporal: TemporalClientProvider;
  stop(): Promise<void>;
}

/**
 * The API and the workers a booking needs (booking orchestration, finance for revenue deferral,
 * supplier I/O for flights), wired exactly as `npm start` wires them.
 */
export function startApiUnderTest(
  db: Database,
  target: TemporalTarget,
  operatorTimeZone = 'UTC',
  opts: { flightSuppliers?: Record<string, FlightSupplier>; extraRoutes?: ApiDeps['extraRoutes']; bookingWorkerInterceptors?: WorkerOptions['interceptors'] } = {},
): ApiUnderTest {
  const bookings = new PrismaBookingStore(db.prisma);
  const temporal = new TemporalClientProvider(target);
  const workers = [
    superviseBookingWorker(target, bookingWorkerPorts(db, { operatorTimeZone, logger: silentLogger }), silentLogger, '5s', opts.bookingWorkerInterceptors),
    superviseFinanceWorker(target, { prisma: db.prisma, driver: db, operatorTimeZone, feeds: {} }, silentLogger, '5s'),
    superviseSupplierWorker(target, { flightSuppliers: opts.flightSuppliers ?? {} }, silentLogger, '5s'),
  ];
  const worker: SupervisedWorker = {
    ready: Promise.all(workers.map((w) => w.ready)).then(() => undefined),
    stop: async () => void (await Promise.all(workers.map((w) => w.stop()))),
  };
  const app = withApiKey(createApp({ db, bookings, temporal, logger: silentLogger, operatorTimeZone, finance: financeDeps(db.prisma), access: testAccess(db), ...(opts.extraRoutes ? { extraRoutes: opts.extraRoutes } : {}) }), db);
  return {
    app,
    worker,
    temporal,
    async stop() {
      await worker.stop();
      await temporal.close();
    },
  };
}

/**
 * The catalog routes alone on a bare app, with the stores and search wired as `createApp` wires
 * them (rates from the ECB source). `temporal` defaults to an address nothing listens on: the
 * routes that start workflows are exercised with a Temporal server in their own tests.
 */
export function catalogTestApp(
  db: Database,
  opts: { today: () => string; operatorTimeZone: string; now?: () => number; temporal?: TemporalClientProvider },
): { app: Express; inventory: PrismaInventory; search: AvailabilitySearch } {
  const stores = catalogStores(db, new PrismaFxRates(db.prisma), { today: opts.today });
  const app = express();
  app.use(pinoHttp({ logger: silentLogger }));
  app.use(express.json());
  app.use(
    catalogRoutes({
      prisma: db.prisma,
      ...stores,
      temporal: opts.temporal ?? new TemporalClientProvider({ address: '127.0.0.1:1', namespace: 'default' }),
      operatorTimeZone: opts.operatorTimeZone,
      ...(opts.now ? { now: opts.now } : {}),
    }),
  );
  app.use(errorHandler);
  return { app, inventory: stores.inventory, search: stores.search };
}
