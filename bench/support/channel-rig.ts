/**
 * The channel-manager bench rig: Itinera wired as `npm start` wires the channel manager (real
 * Temporal dev server on free ports, a real database, the channel worker on `channel-sync`, the
 * TemporalInventoryChangeSink behind every inventory store, the API's webhook route on a real
 * HTTP server) and the sandbox channel hub in-process on port 0. Used by bench/channels.bench.ts.
 *
 * Database: PostgreSQL when DATABASE_URL is set (codes carry a run suffix, so an existing database
 * is only added to), otherwise a throwaway PGlite directory.
 */
import { testAccess, withApiKey } from '../../test/support/api-harness';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { TemporalInventoryChangeSink } from '../../activities/channel-sync-notifier';
import { PrismaInventory } from '../../activities/inventory.prisma';
import { createApp } from '../../api/app';
import type { Database } from '../../infra/database';
import { financeDeps } from '../../infra/finance';
import { createLogger } from '../../infra/logger';
import { TemporalClientProvider, type TemporalTarget } from '../../infra/temporal';
import { SandboxChannelHub } from '../../sandbox/channel-manager/hub';
import { superviseChannelWorker } from '../../workers/channel-worker';
import type { SupervisedWorker } from '../../workers/booking-worker';
import { log, startBenchFoundation, Stops } from './foundation';

export { log };
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RigHotel {
  /** Channel hotel code (the run suffix is appended). */
  code: string;
  rooms: number;
  /** Inclusive nights of the allotment contract. */
  from: string;
  to: string;
  /** Channels (of the hub) whose connections carry this hotel; all when absent. */
  channels?: string[];
}

export interface RigHotelRef {
  hotelCode: string;
  productId: string;
  rooms: number;
  from: string;
  to: string;
  channels: string[];
}

export interface ChannelRig {
  db: Database;
  hub: SandboxChannelHub;
  hubUrl: string;
  apiUrl: string;
  managerCode: string;
  /** The inventory store wired with the TemporalInventoryChangeSink (as the API's and workers' are). */
  inventory: PrismaInventory;
  temporal: TemporalClientProvider;
  hotels: RigHotelRef[];
  stop(): Promise<void>;
}


/** Polls `done` every `everyMs` until true; rejects after `timeoutMs` naming `what`. */
export async function waitFor(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 5): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await done()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export async function startChannelRig(opts: { channels: string[]; hotels: RigHotel[]; requestsPerSecond: number; channelTimeoutMs?: number }): Promise<ChannelRig> {
  const logger = createLogger('silent');
  const suffix = randomBytes(3).toString('hex').toUpperCase();
  const stops = new Stops();
  const stop = () => stops.run();
  try {
    let t = performance.now();
    const { devServer, db } = await startBenchFoundation('channels', stops);
    log(`rig: Temporal dev server and ${db.kind} database in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const target: TemporalTarget = { address: devServer.address, namespace: 'default' };
    const temporal = new TemporalClientProvider(target);
    stops.push(() => temporal.close());
    const sink = new TemporalInventoryChangeSink(temporal, db, logger);
    const inventory = new PrismaInventory(db.prisma, (sql, params) => db.query(sql, params), sink);

    // The API (createApp, as npm start builds it) on a real HTTP server: the webhook route is what the hub posts to.
    const app = withApiKey(createApp({ db, bookings: new PrismaBookingStore(db.prisma), temporal, logger, operatorTimeZone: 'UTC', inventorySink: sink, finance: financeDeps(db.prisma), access: testAccess(db) }), db);
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const managerCode = `BENCH-${suffix}`;
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const hub = new SandboxChannelHub({ channels: opts.channels, webhook: { url: `${apiUrl}/channel-managers/${managerCode}/notifications`, secret, managerCode } });
    const hubUrl = await hub.listen(0);
    stops.push(() => hub.close());

    t = performance.now();
    const databaseUrl = process.env.DATABASE_URL;
    if (databaseUrl && process.env.BENCH_WORKER_PROCESS === '1') {
      // Production layout: the workers in their own process (`npm run worker`), the API in this one.
      const child = await startWorkerProcess(devServer.address, databaseUrl);
      stops.push(() => child.stop());
      log(`rig: worker process (npm run worker) polling channel-sync in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } else {
      const worker: SupervisedWorker = superviseChannelWorker(target, { prisma: db.prisma, driver: db, inventorySink: sink, temporal, channelTimeoutMs: opts.channelTimeoutMs ?? 5000 }, logger, '5s');
      stops.push(() => worker.stop());
      await worker.ready;
      log(`rig: channel worker polling (workflow bundle built) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }

    // Channel configuration first (the sink caches "not a channel property" for 30 s), then the contracts.
    await db.prisma.channelManager.create({ data: { code: managerCode, name: 'Bench sandbox hub', webhookSecret: secret } });
    const hotels: RigHotelRef[] = [];
    const supplier = await db.prisma.supplier.create({
      data: { code: `S-${suffix}`, name: `Bench hotels ${suffix}`, type: 'HOTEL', depositPercent: '0', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30, preferredPaymentMethod: 'BANK_TRANSFER', invoiceCurrency: 'EUR', paymentCurrency: 'EUR' },
    });
    for (const h of opts.hotels) {
      const hotelCode = `${h.code}-${suffix}`;
      const product = await db.prisma.product.create({
        data: {
          supplierId: supplier.id,
          code: `P-${hotelCode}`,
          type: 'HOTEL',
          name: `Hotel ${hotelCode}`,
          destination: 'IT-ROME',
          country: 'IT',
          currency: 'EUR',
          minPax: 1,
          maxPax: 4,
          categories: { create: [{ code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 2 }] },
          rates: { create: [{ category: 'DBL', ratePlan: 'BAR', validFrom: new Date(`${h.from}T00:00:00Z`), validTo: new Date(`${h.to}T00:00:00Z`), weekdayMask: 127, basis: 'PER_ROOM_PER_NIGHT', amount: '120.00' }] },
        },
      });
      await db.prisma.channelProperty.create({ data: { hotelCode, productId: product.id } });
      hotels.push({ hotelCode, productId: product.id, rooms: h.rooms, from: h.from, to: h.to, channels: h.channels ?? opts.channels });
    }
    for (const ch of opts.channels) {
      const carried = hotels.filter((h) => h.channels.includes(ch)).map((h) => h.hotelCode);
      await db.prisma.channelConnection.create({
        data: { code: `${managerCode}-${ch}`, channelManagerCode: managerCode, name: ch, otaCode: ch, endpoint: `${hubUrl}/channels/${ch}/ota`, requestsPerSecond: opts.requestsPerSecond, properties: carried },
      });
    }
    t = performance.now();
    for (const h of hotels) {
      await inventory.createContract({
        code: `C-${h.hotelCode}`,
        supplierCode: supplier.code,
        productCode: `P-${h.hotelCode}`,
        category: 'DBL',
        validFrom: h.from,
        validTo: h.to,
        quantity: h.rooms,
        contractedPrice: '90.00',
        currency: 'EUR',
        basis: 'PER_ROOM_PER_NIGHT',
        release: { kind: 'NONE' },
        minGroupSize: 1,
        maxGroupSize: 4,
      });
    }
    // The contracts' changes reach every channel through the sync workflows: wait for the full counts.
    await waitFor(
      'the initial counts on every channel',
      () => hotels.every((h) => h.channels.every((ch) => nightsOf(h.from, h.to).every((d) => hub.count(ch, h.hotelCode, 'DBL', d) === h.rooms))),
      120_000,
      20,
    );
    log(`rig: ${hotels.length} hotels on ${opts.channels.length} channels, initial counts everywhere in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return { db, hub, hubUrl, apiUrl, managerCode, inventory, temporal, hotels, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

const DAY = 86_400_000;
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}
/** Every night from..to inclusive. */
export function nightsOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * `npm run worker` as its own process on this Temporal server and PostgreSQL database, resolved
 * once its channel-sync worker polls (BENCH_WORKER_PROCESS=1, PostgreSQL only: PGlite belongs to
 * one process).
 */
function startWorkerProcess(temporalAddress: string, databaseUrl: string): Promise<{ stop(): Promise<void> }> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, '..', '..', 'workers', 'main.ts')], {
    env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!/"taskQueue":"channel-sync"[^\n]*"msg":"worker polling"/.test(output)) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve({
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('exit', (code) => reject(new Error(`the worker process exited with ${code} before polling:\n${output.slice(-2000)}`)));
  });
}
