import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { PrismaBookingStore } from '../activities/booking-store.prisma';
import { seedChartOfAccounts } from '../activities/chart-seed.prisma';
import { PrismaLedger } from '../activities/ledger.prisma';
import { PrismaFinanceConfig } from '../activities/finance-config.prisma';
import { seedDefaultAtolRules } from '../activities/atol.prisma';
import { calendarDateIn } from '../domain/time/instant';
import { DEFAULT_CHART_OPTIONS, travelChartOfAccounts } from '../domain/ledger/chart';
import { createApp } from '../api/app';
import { superviseBookingWorker, type SupervisedWorker } from '../workers/booking-worker';
import type { AppConfig } from './config';
import { openDatabase, type Database } from './database';
import { financeDeps } from './finance';
import type { Logger } from './logger';
import { TemporalClientProvider, temporalTarget } from './temporal';

export interface RunningServices {
  db: Database;
  apiUrl: string | null;
  worker: SupervisedWorker | null;
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
  opts: { worker: boolean; api: boolean; devAddress?: string; seedChart?: boolean; seedDemoFinance?: boolean },
): Promise<RunningServices> {
  installTemporalRuntime(logger);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: config.ITINERA_PGLITE_DIR, poolSize: config.DATABASE_POOL_SIZE });
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
  }
  const bookings = new PrismaBookingStore(db.prisma);
  const target = temporalTarget(config, opts.devAddress);
  const worker = opts.worker
    ? superviseBookingWorker(target, { bookings, ledger: new PrismaLedger(db.prisma) }, logger.child({ component: 'worker' }), config.WORKER_SHUTDOWN_GRACE as `${number}s`)
    : null;

  let server: http.Server | null = null;
  let apiUrl: string | null = null;
  const temporal = new TemporalClientProvider(target);
  if (opts.api) {
    const app = createApp({
      db,
      bookings,
      temporal,
      logger: logger.child({ component: 'api' }),
      operatorTimeZone: config.OPERATOR_TIME_ZONE,
      finance: financeDeps(db.prisma, { ecbRatesUrl: config.ECB_RATES_URL, operatorTimeZone: config.OPERATOR_TIME_ZONE }),
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
    stop() {
      stopping ??= (async () => {
        if (server) {
          const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
          server.closeIdleConnections();
          await closed;
        }
        await worker?.stop();
        await temporal.close();
        await db.close();
      })();
      return stopping;
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
      // Ctrl-C reaches us twice (from the terminal and relayed by the tsx/npm wrapper): only a
      // signal sent a while after the first means "stop waiting".
      if (Date.now() - signalledAt < 2_000) return;
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
