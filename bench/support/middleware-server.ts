/**
 * The server side of `npm run bench:middleware`, in its own process (the load generator must not
 * share an event loop with what it measures). On one migrated database (PostgreSQL with
 * DATABASE_URL, else PGlite in a temporary folder) it serves the same routes twice:
 * - bare: Express with its JSON parser and the route handlers, nothing else;
 * - full: `createApp` as `npm start` builds it: request logging (pino to a file), route policy,
 *   audit trail, authentication (a real session's access token), authorisation, idempotency,
 *   ETags, validation, problem+json.
 * It prints one JSON line `{ bare, full, control, token }` once they listen, and stops on SIGTERM;
 * `GET {control}/event-loop` answers the process's cumulative event-loop utilisation and its count of
 * full (mark-compact) garbage collections.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants as perfConstants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { NO_INVENTORY_SINK } from '../../activities/ports/inventory-changes';
import { PrismaCustomerStore } from '../../activities/customers.prisma';
import { createUser } from '../../api/access/authenticate';
import { CHEAP_PASSWORD_OPTIONS } from '../../api/access/passwords';
import { createApp } from '../../api/app';
import { errorHandler } from '../../api/error-handler';
import { customersRouter } from '../../api/routes/customers.routes';
import { operationsRoutes } from '../../api/routes/operations.routes';
import { accessServices } from '../../infra/access';
import { openDatabase } from '../../infra/database';
import { financeDeps } from '../../infra/finance';
import { createLogger } from '../../infra/logger';
import { migrateDeploy } from '../../infra/migrate';
import { TemporalClientProvider } from '../../infra/temporal';

async function main() {
  const databaseUrl = process.env.DATABASE_URL;
  const work = mkdtempSync(path.join(tmpdir(), 'itinera-bench-middleware-'));
  const pgliteDir = databaseUrl ? undefined : path.join(work, 'pglite');
  await migrateDeploy({ databaseUrl, pgliteDir }, { quiet: true });
  const db = await openDatabase({ databaseUrl, pgliteDir, poolSize: 8 });
  await db.prisma.advisor.createMany({
    data: Array.from({ length: 40 }, (_, i) => ({ id: `ADV-${String(i).padStart(3, '0')}`, name: `Advisor ${i}`, branch: i % 2 ? 'LON' : 'MAN', email: `advisor${i}@example.com` })),
    skipDuplicates: true,
  });

  // Logs go to a file, as a production API's would (not to the terminal the bench prints on).
  const logger = createLogger('info', 'bench-middleware', { destination: path.join(work, 'api.log') });
  const temporal = new TemporalClientProvider({ address: '127.0.0.1:1', namespace: 'default' });
  const access = accessServices(db.prisma, {
    secrets: { tokenKey: 'bench-token-key-0123456789abcdef0123456789', dataKey: 'bench-data-key-0123456789abcdef0123456789' },
    logger,
    purgeEveryMs: 0,
    sql: db,
    // The run is longer than the default 5-minute access token; idle/absolute timeouts stay as shipped.
    settings: { accessTokenTtlMs: 60 * 60_000, password: CHEAP_PASSWORD_OPTIONS },
  });
  const full = createApp({ db, bookings: new PrismaBookingStore(db.prisma), temporal, logger, operatorTimeZone: 'UTC', finance: financeDeps(db.prisma), inventorySink: NO_INVENTORY_SINK, access });

  const bare = express();
  bare.use(express.json());
  bare.use(customersRouter({ prisma: db.prisma, store: new PrismaCustomerStore(db.prisma), operatorTimeZone: 'UTC' }));
  bare.use(operationsRoutes({ prisma: db.prisma, operatorTimeZone: 'UTC' }));
  bare.use(errorHandler);

  // A real operations user (their role holds ops:dispatch and customers:read, and needs no MFA), signed in through the API.
  // (A new one per run: a PostgreSQL database may keep an earlier run's.)
  const password = 'bench-password-not-for-production';
  const email = `dispatcher-${Date.now()}@example.com`;
  await createUser(db.prisma, { email, name: 'Dispatcher', role: 'OPERATIONS', password }, CHEAP_PASSWORD_OPTIONS);
  const login = await request(full).post('/auth/login').send({ email, password });
  const token = (login.body as { accessToken?: string }).accessToken;
  if (!token) throw new Error(`sign-in failed: ${login.status} ${JSON.stringify(login.body)}`);

  const listen = (app: express.Express) =>
    new Promise<http.Server>((resolve) => {
      const server = http.createServer(app);
      server.keepAliveTimeout = 60_000;
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
  // The bench reads how busy this process's event loop was over each paced round (both apps share
  // it), and how many full (mark-compact) garbage collections ran meanwhile.
  let majorGcs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
  }).observe({ entryTypes: ['gc'] });
  const control = express();
  control.get('/event-loop', (_req, res) => void res.json({ elu: performance.eventLoopUtilization(), majorGcs }));
  const servers = [await listen(bare), await listen(full), await listen(control)];
  const url = (s: http.Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  process.stdout.write(`${JSON.stringify({ bare: url(servers[0]!), full: url(servers[1]!), control: url(servers[2]!), token, database: db.kind })}\n`);

  process.once('SIGTERM', () => {
    void (async () => {
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      await access.close();
      await db.close();
      rmSync(work, { recursive: true, force: true });
      process.exit(0);
    })();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
