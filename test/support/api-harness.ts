import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { seedChartOfAccounts } from '../../activities/chart-seed.prisma';
import { PrismaFinanceConfig } from '../../activities/finance-config.prisma';
import { DEFAULT_CHART_OPTIONS, travelChartOfAccounts } from '../../domain/ledger/chart';
import { createApp } from '../../api/app';
import type { Database } from '../../infra/database';
import { financeDeps } from '../../infra/finance';
import { startDevServer, freePort, type DevServer } from '../../infra/dev-server';
import { createLogger } from '../../infra/logger';
import { TemporalClientProvider, type TemporalTarget } from '../../infra/temporal';
import { superviseBookingWorker, type SupervisedWorker } from '../../workers/booking-worker';

export const silentLogger = createLogger('silent');

/**
 * What `npm start` does to the embedded database: the travel chart and the demo finance
 * configuration (settings, translation rules, a week of DEMO rates), so readiness passes.
 */
export async function prepareReadyFinance(db: Database, baseCurrency = 'GBP', currencies = ['GBP', 'EUR', 'USD']): Promise<void> {
  await seedChartOfAccounts(db.prisma, travelChartOfAccounts({ ...DEFAULT_CHART_OPTIONS, bankCurrencies: currencies }));
  await new PrismaFinanceConfig(db.prisma).seedDemoConfig(baseCurrency, currencies, new Date().toISOString().slice(0, 10));
}

/** A real Temporal dev server (in memory, search attributes registered) on free ports. */
export async function startTestDevServer(port?: number): Promise<DevServer> {
  return startDevServer({ port: port ?? (await freePort()), uiPort: await freePort(), namespace: 'default' });
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

/** The API and a supervised worker, wired exactly as `npm start` wires them. */
export function startApiUnderTest(db: Database, target: TemporalTarget, operatorTimeZone = 'UTC'): ApiUnderTest {
  const bookings = new PrismaBookingStore(db.prisma);
  const temporal = new TemporalClientProvider(target);
  const worker = superviseBookingWorker(target, { bookings }, silentLogger, '5s');
  const app = createApp({ db, bookings, temporal, logger: silentLogger, operatorTimeZone, finance: financeDeps(db.prisma) });
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
