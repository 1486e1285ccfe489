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
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { PrismaCatalog } from '../../activities/catalog.prisma';
import { PrismaInventory } from '../../activities/inventory.prisma';
import type { ComponentRequest } from '../../domain/booking/model';
import { addDays } from '../../domain/catalog/dates';
import type { GroundServiceProduct, HotelProduct, InsuranceProduct, Product, Supplier } from '../../domain/catalog/model';
import { calendarDateIn } from '../../domain/time/instant';
import { openDatabase, type Database } from '../../infra/database';
import { freePort, startDevServer, type DevServer } from '../../infra/dev-server';
import { migrateDeploy } from '../../infra/migrate';
import { generateCatalog } from '../../sandbox/catalog-generator';
import { prepareReadyFinance, startApiUnderTest } from '../../test/support/api-harness';
import type { NoopActivities } from './noop.workflow';

export const log = (text: string) => process.stderr.write(`${text}\n`);

export const NOOP_TASK_QUEUE = 'bench-noop-booking';

export interface BookingRig {
  db: Database;
  apiUrl: string;
  /** A plain client on the dev server (histories, the baseline's starts and updates). */
  client: Client;
  today: string;
  /** The POST /bookings body of a hotel + transfer + insurance trip for 2 adults, departing `daysAhead` from today. */
  bookingBody(daysAhead: number, nights: number): Record<string, unknown>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

function firstRatePlan(p: Product): { category: string; ratePlan: string } {
  const category = p.categories[0]!.code;
  return { category, ratePlan: p.rates.find((r) => r.category === category)!.ratePlan };
}

/** `rooms`: the hotel allotment per night (every booking takes one room). */
export async function startBookingRig(opts: { rooms: number }): Promise<BookingRig> {
  if (!runtimeInstalled) {
    Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
    runtimeInstalled = true;
  }
  const suffix = randomBytes(3).toString('hex').toUpperCase();
  const stops: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch((e: unknown) => log(`stop step failed: ${String(e)}`));
  };
  try {
    let t = performance.now();
    const devServer: DevServer = await startDevServer({ port: await freePort(), uiPort: await freePort(), namespace: 'default' });
    stops.push(() => devServer.stop());
    const databaseUrl = process.env.DATABASE_URL;
    let pgliteDir: string | undefined;
    if (!databaseUrl) {
      pgliteDir = mkdtempSync(path.join(tmpdir(), 'itinera-bench-bookings-'));
      stops.push(() => rmSync(pgliteDir!, { recursive: true, force: true }));
    }
    await migrateDeploy({ databaseUrl, pgliteDir }, { quiet: true });
    const db = await openDatabase({ databaseUrl, pgliteDir, poolSize: 8 });
    stops.push(() => db.close());
    await prepareReadyFinance(db);
    log(`rig: Temporal dev server and ${db.kind} database (migrated, finance ready) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // The catalog: generated, everything in GBP with one season valid for the whole bench window.
    const today = calendarDateIn(Date.now(), 'UTC');
    const generated = generateCatalog({
      seed: 7,
      startDate: today,
      prefix: `B${suffix}-`,
      size: { hotels: 1, tours: 0, groundServices: 4, insurance: 1, hotelsPerSupplier: 1, toursPerSupplier: 1, groundPerSupplier: 4, insurancePerSupplier: 1, destinations: 1 },
    });
    const suppliers: Supplier[] = generated.suppliers.map((s) => ({ ...s, active: true }));
    const oneSeason = (rates: Product['rates']) =>
      rates.filter((r, i) => rates.findIndex((x) => x.category === r.category && x.ratePlan === r.ratePlan) === i).map((r) => ({ ...r, validFrom: today, validTo: addDays(today, 400) }));
    const products: Product[] = generated.products.map((p) => ({ ...p, active: true, currency: 'GBP', rates: oneSeason(p.rates) }));
    const catalog = new PrismaCatalog(db.prisma);
    await catalog.upsertSuppliers(suppliers);
    await catalog.upsertProducts(products);
    const hotel = products.find((p): p is HotelProduct => p.type === 'HOTEL')!;
    const transfer = products.find((p): p is GroundServiceProduct => p.type === 'GROUND_SERVICE' && p.kind === 'TRANSFER') ?? products.find((p): p is GroundServiceProduct => p.type === 'GROUND_SERVICE')!;
    const insurance = products.find((p): p is InsuranceProduct => p.type === 'INSURANCE')!;
    const category = hotel.categories[0]!;
    const rate = hotel.rates.find((r) => r.category === category.code)!;
    await new PrismaInventory(db.prisma, (sql, params) => db.query(sql, params)).createContract({
      code: `${hotel.code}-${category.code}`.slice(0, 48),
      supplierCode: hotel.supplierCode,
      productCode: hotel.code,
      category: category.code,
      validFrom: addDays(today, 1),
      validTo: addDays(today, 300),
      quantity: opts.rooms,
      contractedPrice: rate.amount,
      currency: hotel.currency,
      basis: rate.basis,
      release: { kind: 'DAYS_BEFORE', days: 0 },
      minGroupSize: 1,
      maxGroupSize: 40,
    });

    // The API and the workers, as `npm start` wires them; the API on a real HTTP server.
    t = performance.now();
    const api = startApiUnderTest(db, { address: devServer.address, namespace: 'default' });
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
    const noopWorker = await Worker.create({ connection: nativeConnection, namespace: 'default', taskQueue: NOOP_TASK_QUEUE, workflowsPath: require.resolve('./noop.workflow'), activities });
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
      const units = [{ adults: 2, childAges: [] }];
      const components: ComponentRequest[] = [
        { id: 'hotel', kind: 'HOTEL', supplierCode: hotel.supplierCode, productCode: hotel.code, ...firstRatePlan(hotel), startDate: departureDate, nights, units },
        { id: 'transfer', kind: 'TRANSFER', supplierCode: transfer.supplierCode, productCode: transfer.code, ...firstRatePlan(transfer), startDate: departureDate, nights: 0, units },
        // Insurance: one unit per person.
        { id: 'insurance', kind: 'INSURANCE', supplierCode: insurance.supplierCode, productCode: insurance.code, ...firstRatePlan(insurance), startDate: departureDate, nights, units: [{ adults: 1, childAges: [] }, { adults: 1, childAges: [] }] },
      ];
      return { customerId: 'CUST-BENCH', advisorId: 'ADV-BENCH', channel: 'direct', currency: 'GBP', departureDate, returnDate: addDays(departureDate, nights), components, contactEmail: 'bench@example.com' };
    };
    return { db, apiUrl, client, today, bookingBody, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
