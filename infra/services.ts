import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { PrismaBookingStore } from '../activities/booking-store.prisma';
import { seedChartOfAccounts } from '../activities/chart-seed.prisma';
import { PrismaFinanceConfig } from '../activities/finance-config.prisma';
import { seedDefaultAtolRules } from '../activities/atol.prisma';
import { calendarDateIn } from '../domain/time/instant';
import { DEFAULT_CHART_OPTIONS, travelChartOfAccounts } from '../domain/ledger/chart';
import { createApp } from '../api/app';
import { bookingWorkerPorts, superviseBookingWorker, type SupervisedWorker } from '../workers/booking-worker';
import { superviseCatalogWorker } from '../workers/catalog-worker';
import { superviseFinanceWorker } from '../workers/finance-worker';
import { superviseSupplierWorker } from '../workers/supplier-worker';
import { superviseChannelWorker } from '../workers/channel-worker';
import { superviseCrmWorker } from '../workers/crm-worker';
import { TemporalInventoryChangeSink } from '../activities/channel-sync-notifier';
import { channelReconciliationSchedule } from '../workers/schedules/channel-reconciliation.schedule';
import { channelInboxSweepSchedule } from '../workers/schedules/channel-inbox-sweep.schedule';
import { flightSuppliers } from './flight-suppliers';
import { EcbXmlFxRateFeed } from '../adapters/ecb-xml/adapter';
import { createTreasuryFeed } from '../adapters/treasury-json/adapter';
import type { FxRateFeed } from '../activities/ports/fx-rate-feed';
import { dailyFxImportSchedule } from '../workers/schedules/fx-import.schedule';
import { monthEndRevaluationSchedule } from '../workers/schedules/revaluation.schedule';
import { dailyRevenueRecognitionSchedule } from '../workers/schedules/revenue-recognition.schedule';
import { dailyAllotmentReleaseSchedule } from '../workers/schedules/allotment-release.schedule';
import { LogSupplierNotifier } from '../activities/supplier-notifier.log';
import { ensureSchedules, type ScheduleDescriptor } from './schedules';
import type { AppConfig } from './config';
import { openDatabase, type Database } from './database';
import { accessSecrets, accessServices, browserSessionSettings, embeddedDataDir, ensureLocalAccess, type AccessServices } from './access';
import { seedDemoCatalog } from './demo-catalog';
import { financeDeps } from './finance';
import type { Logger } from './logger';
import { TemporalClientProvider, temporalTarget } from './temporal';

export interface RunningServices {
  db: Database;
  apiUrl: string | null;
  worker: SupervisedWorker | null;
  /** The Temporal client the services use (closed by `stop()`). */
  temporal: TemporalClientProvider;
  /** Stops accepting requests, drains the worker, closes connections. Idempotent. */
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** Routes the Temporal core's logs into ours, and leaves signal handling to our shutdown code. */
function installTemporalRuntime(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error',
  };
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('WARN', (entry) => logger[levels[entry.level]]({ ...entry.meta }, entry.message)),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
}

/** Starts the worker and/or the API on one database and one Temporal target. */
export async function startServices(
  config: AppConfig,
  logger: Logger,
  opts: { worker: boolean; api: boolean; devAddress?: string; temporalUiUrl?: string; seedChart?: boolean; seedDemoFinance?: boolean; /** Embedded default: a first admin and the local scripts' API key (infra/access.ts ensureLocalAccess). */ seedLocalAccess?: boolean },
): Promise<RunningServices> {
  installTemporalRuntime(logger);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: config.ITINERA_PGLITE_DIR, poolSize: config.DATABASE_POOL_SIZE, preparedStatements: config.DATABASE_PREPARED_STATEMENTS === 'on' });
  if (opts.seedChart) {
    const report = await seedChartOfAccounts(db.prisma, travelChartOfAccounts({ ...DEFAULT_CHART_OPTIONS, bankCurrencies: config.BANK_CURRENCIES }));
    logger.info({ created: report.created.length, renamed: report.renamed.length, unchanged: report.unchanged }, 'chart of accounts seeded');
    const atol = await seedDefaultAtolRules(db.prisma);
    logger.info(atol, 'default ATOL rules and contribution rate in place');
  }
  if (opts.seedDemoFinance) {
    // The embedded default is a demo: it comes ready to take bookings (settings, translation
    // rules and a week of DEMO rates). A production database is configured by finance instead.
    await new PrismaFinanceConfig(db.prisma).seedDemoConfig(config.BASE_CURRENCY, config.BANK_CURRENCIES, calendarDateIn(Date.now(), config.OPERATOR_TIME_ZONE));
    logger.info({ baseCurrency: config.BASE_CURRENCY, currencies: config.BANK_CURRENCIES }, 'demo finance configuration seeded (embedded default)');
    // ... and with a small catalog under allotment, so availability search answers at once.
    await seedDemoCatalog(db, calendarDateIn(Date.now(), config.OPERATOR_TIME_ZONE), logger);
  }
  const bookings = new PrismaBookingStore(db.prisma);
  const target = temporalTarget(config, opts.devAddress);
  const grace = config.WORKER_SHUTDOWN_GRACE as `${number}s`;
  const temporal = new TemporalClientProvider(target);
  // Every committed inventory change reaches the channel sync workflows (API, workers, channels).
  const inventorySink = new TemporalInventoryChangeSink(temporal, db, logger.child({ component: 'channel-sync-notifier' }));
  const schedules = opts.worker ? keepSchedules(temporal, workerSchedules(config), logger.child({ component: 'schedules' })) : null;
  const worker = opts.worker
    ? allWorkers(
        [
          superviseBookingWorker(
            target,
            bookingWorkerPorts(db, { operatorTimeZone: config.OPERATOR_TIME_ZONE, logger, inventorySink }),
            logger.child({ component: 'worker' }),
            grace,
          ),
          superviseFinanceWorker(target, { prisma: db.prisma, driver: db, feeds: financeFeeds(config), operatorTimeZone: config.OPERATOR_TIME_ZONE }, logger.child({ component: 'finance-worker' }), grace),
          superviseSupplierWorker(target, { flightSuppliers: flightSuppliers(config) }, logger.child({ component: 'supplier-worker' }), grace),
          superviseCatalogWorker(
            target,
            { prisma: db.prisma, driver: db, notifier: new LogSupplierNotifier(logger.child({ component: 'supplier-notifier' })), operatorTimeZone: config.OPERATOR_TIME_ZONE, inventorySink },
            logger.child({ component: 'catalog-worker' }),
            grace,
          ),
          superviseChannelWorker(
            target,
            { prisma: db.prisma, driver: db, inventorySink, temporal, channelTimeoutMs: config.CHANNEL_TIMEOUT_MS, parityGraceMs: config.CHANNEL_PARITY_GRACE_MS },
            logger.child({ component: 'channel-worker' }),
            grace,
          ),
          superviseCrmWorker(target, { prisma: db.prisma, sql: db }, logger.child({ component: 'crm-worker' }), grace),
        ],
        schedules!,
      )
    : null;

  let server: http.Server | null = null;
  let access: AccessServices | null = null;
  let apiUrl: string | null = null;
  if (opts.api) {
    access = accessServices(db.prisma, { secrets: accessSecrets(config), logger: logger.child({ component: 'access' }), sql: db, settings: browserSessionSettings(config) });
    if (opts.seedLocalAccess) await ensureLocalAccess(db.prisma, logger, { dataDir: embeddedDataDir(config.ITINERA_PGLITE_DIR), ...(process.env.ITINERA_ADMIN_PASSWORD ? { adminPassword: process.env.ITINERA_ADMIN_PASSWORD } : {}) });
    const app = createApp({
      access,
      db,
      bookings,
      temporal,
      ...(opts.temporalUiUrl ? { temporalUiUrl: opts.temporalUiUrl } : {}),
      logger: logger.child({ component: 'api' }),
      operatorTimeZone: config.OPERATOR_TIME_ZONE,
      inventorySink,
      parityGraceMs: config.CHANNEL_PARITY_GRACE_MS,
      finance: financeDeps(db.prisma, { ecbRatesUrl: config.ECB_RATES_URL, operatorTimeZone: config.OPERATOR_TIME_ZONE, driver: db, feeds: financeFeeds(config) }),
    });
    server = http.createServer(app);
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.PORT, config.HOST, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    apiUrl = `http://${config.HOST}:${port}`;
  }

  let stopping: Promise<void> | null = null;
  return {
    db,
    apiUrl,
    worker,
    temporal,
    stop() {
      stopping ??= (async () => {
        if (server) {
          const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
          server.closeIdleConnections();
          await closed;
        }
        await worker?.stop();
        await access?.close();
        await temporal.close();
        await db.close();
      })();
      return stopping;
    },
  };
}

/** The feeds the daily FX import uses: the ECB always, a treasury API when configured. */
function financeFeeds(config: AppConfig): Record<string, FxRateFeed> {
  const feeds: Record<string, FxRateFeed> = { ECB: new EcbXmlFxRateFeed(config.ECB_RATES_URL) };
  if (config.TREASURY_RATES_URL && config.TREASURY_API_KEY) {
    feeds[config.TREASURY_SOURCE] = createTreasuryFeed({
      baseUrl: config.TREASURY_RATES_URL,
      apiKey: config.TREASURY_API_KEY,
      source: config.TREASURY_SOURCE,
      base: config.TREASURY_BASE ?? config.BASE_CURRENCY,
    });
  }
  return feeds;
}

/** The schedules the worker keeps in place (created or brought up to date at start). */
function workerSchedules(config: AppConfig): ScheduleDescriptor[] {
  return [
    dailyFxImportSchedule(Object.keys(financeFeeds(config))),
    monthEndRevaluationSchedule(config.OPERATOR_TIME_ZONE),
    dailyRevenueRecognitionSchedule(config.OPERATOR_TIME_ZONE),
    dailyAllotmentReleaseSchedule(config.OPERATOR_TIME_ZONE),
    channelReconciliationSchedule(config.CHANNEL_RECONCILIATION_HORIZON_DAYS),
    channelInboxSweepSchedule(),
  ];
}

/**
 * Ensures the schedules exist once Temporal answers, retrying in the background while it does
 * not (the worker itself also waits for Temporal). `stop()` ends the retries.
 */
function keepSchedules(temporal: TemporalClientProvider, descriptors: ScheduleDescriptor[], logger: Logger): { done: Promise<void>; stop(): void } {
  let stopped = false;
  let wake: (() => void) | null = null;
  const done = (async () => {
    let backoff = 1_000;
    while (!stopped) {
      try {
        const report = await ensureSchedules(await temporal.get(), descriptors, logger);
        logger.info(report, 'schedules in place');
        return;
      } catch (err) {
        logger.warn({ err, retryInMs: backoff }, 'cannot ensure the schedules yet; retrying');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, backoff);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        backoff = Math.min(backoff * 2, 60_000);
      }
    }
  })();
  return {
    done,
    stop() {
      stopped = true;
      wake?.();
    },
  };
}

/** The booking, finance, supplier and catalog workers as one: ready when all poll (and the schedules exist). */
function allWorkers(workers: SupervisedWorker[], schedules: { done: Promise<void>; stop(): void }): SupervisedWorker {
  return {
    ready: Promise.all([...workers.map((w) => w.ready), schedules.done]).then(() => undefined),
    async stop() {
      schedules.stop();
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}

/**
 * Runs `stop` on the first SIGINT/SIGTERM/SIGHUP and exits; a later second signal exits at once.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let signalledAt = 0;
  const handler = (signal: NodeJS.Signals) => {
    if (signalledAt) {
      // Ctrl-C can reach us twice (from the terminal and relayed by a wrapper): only a
      // signal sent a while after the first means "stop waiting".
      // (On a loaded machine the relay can lag by seconds.)
      if (Date.now() - signalledAt < 5_000) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    signalledAt = Date.now();
    logger.info({ signal }, 'shutting down (in-flight work is allowed to finish)');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, handler);
}
