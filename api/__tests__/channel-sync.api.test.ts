import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { TemporalInventoryChangeSink } from '../../activities/channel-sync-notifier';
import { createApp } from '../app';
import type { Database } from '../../infra/database';
import type { DevServer } from '../../infra/dev-server';
import { financeDeps } from '../../infra/finance';
import { TemporalClientProvider } from '../../infra/temporal';
import { SandboxChannelHub } from '../../sandbox/channel-manager/hub';
import { silentLogger, startTestDevServer, testAccess, withApiKey } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { superviseChannelWorker } from '../../workers/channel-worker';
import type { SupervisedWorker } from '../../workers/booking-worker';

const CHANNELS = ['BOOKING', 'EXPEDIA', 'AIRBNB'];
const HOTEL = 'HLAST';
const NIGHT_1 = '2027-06-10';
const NIGHT_2 = '2027-06-11';

/**
 * The channel manager end to end, as `npm start` wires it: the API (catalog, channel admin and
 * webhook routes), a real Temporal dev server, the channel worker, the OpenTravel XML adapter and
 * the sandbox hub with three OTA channels. Sales from the API and from the channels reach every
 * channel; the last room sold at once through the API and two channels stands exactly once.
 * Channels are asynchronous by nature, so assertions wait for each channel's state (bounded).
 */
describe('channel manager end to end (API, Temporal, OpenTravel XML, sandbox hub)', () => {
  let db: Database;
  let dev: DevServer;
  let temporal: TemporalClientProvider;
  let worker: SupervisedWorker;
  let server: Server;
  let hub: SandboxChannelHub;
  let api: string;

  /** Waits (bounded) until `check` passes; returns its last value. */
  async function eventually<T>(what: string, read: () => Promise<T> | T, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (ok(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  const counts = (date: string) => CHANNELS.map((c) => hub.count(c, HOTEL, 'DBL', date));
  const allShow = (date: string, n: number) => eventually(`channel counts on ${date}`, () => counts(date), (v) => v.every((x) => x === n));
  const reservation = (channel: string, id: string, status: string, lastModified: number) => ({
    channel,
    reservationId: id,
    status,
    hotelCode: HOTEL,
    roomStays: [{ roomType: 'DBL', ratePlan: 'BAR', arrival: NIGHT_1, departure: NIGHT_2, quantity: 1, adults: 2, children: 0, amount: '120.00', currency: 'EUR' }],
    guest: { givenName: 'Ada', surname: `Guest-${id}`, email: `${id.toLowerCase()}@example.com` },
    lastModified,
  });
  const reservationState = async (id: string) => (await request(server).get(`/channel-reservations/HUB/${id}`)).body?.reservation?.status as string | undefined;

  beforeAll(async () => {
    db = await openTestPglite();
    dev = await startTestDevServer();
    const target = { address: dev.address, namespace: 'default' };
    temporal = new TemporalClientProvider(target);
    const inventorySink = new TemporalInventoryChangeSink(temporal, db, silentLogger);
    worker = superviseChannelWorker(target, { prisma: db.prisma, driver: db, inventorySink, temporal, channelTimeoutMs: 2_000, parityGraceMs: 60_000 }, silentLogger, '5s');
    const bookings = new PrismaBookingStore(db.prisma);
    const app = withApiKey(createApp({ db, bookings, temporal, logger: silentLogger, operatorTimeZone: 'UTC', finance: financeDeps(db.prisma), inventorySink, access: testAccess(db) }), db);
    server = app.listen(0);
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const manager = await request(server).post('/channel-managers').send({ code: 'HUB', name: 'Sandbox hub' }).expect(201);
    hub = new SandboxChannelHub({ channels: CHANNELS, webhook: { url: `${api}/channel-managers/HUB/notifications`, secret: manager.body.webhookSecret as string, managerCode: 'HUB' } });
    const hubUrl = await hub.listen(0);

    await request(server)
      .post('/catalog/suppliers')
      .send({ code: 'CHS', name: 'Channel hotels', type: 'HOTEL', paymentTerms: { depositPercent: '0', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30 }, preferredPaymentMethod: 'VIRTUAL_CARD', invoiceCurrency: 'EUR', paymentCurrency: 'EUR' })
      .expect(201);
    await request(server)
      .post('/catalog/products')
      .send({
        type: 'HOTEL',
        supplierCode: 'CHS',
        code: 'LAST',
        name: 'The last rooms',
        destination: 'IT-ROME',
        country: 'IT',
        currency: 'EUR',
        minPax: 1,
        maxPax: 4,
        categories: [{ code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 2 }],
        rates: [{ category: 'DBL', ratePlan: 'BAR', validFrom: '2027-06-01', validTo: '2027-06-30', basis: 'PER_ROOM_PER_NIGHT', amount: '100.00' }],
      })
      .expect(201);
    await request(server).post('/channel-properties').send({ hotelCode: HOTEL, productCode: 'LAST' }).expect(201);
    for (const ota of CHANNELS) {
      await request(server)
        .post('/channel-connections')
        .send({ code: `HUB-${ota}`, channelManagerCode: 'HUB', name: `${ota} via the hub`, otaCode: ota, endpoint: `${hubUrl}/channels/${ota}/ota`, requestsPerSecond: 20 })
        .expect(201);
    }
    // The allotment arrives after the channels are connected: the contract itself is a change to push.
    await request(server)
      .post('/catalog/contracts')
      .send({ code: 'CHS-JUN', supplierCode: 'CHS', productCode: 'LAST', category: 'DBL', validFrom: NIGHT_1, validTo: NIGHT_2, quantity: 3, contractedPrice: '80.00', currency: 'EUR', basis: 'PER_ROOM_PER_NIGHT', release: { kind: 'NONE' }, minGroupSize: 1, maxGroupSize: 10 })
      .expect(201);
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await hub?.close();
    await worker?.stop();
    await temporal?.close();
    await dev?.stop();
    await db?.close();
  });

  it('pushes a new allotment and every API sale to every channel', async () => {
    await allShow(NIGHT_1, 3);
    await allShow(NIGHT_2, 3);
    await request(server).post('/catalog/sales').send({ reference: 'API-SALE-1', supplierCode: 'CHS', productCode: 'LAST', category: 'DBL', from: NIGHT_1, nights: 1, quantity: 1 }).expect(201);
    await allShow(NIGHT_1, 2);
    expect(counts(NIGHT_2)).toEqual([3, 3, 3]);
  });

  it('takes a signed OTA booking, answers at once, sells the room and closes it on the other channels', async () => {
    const delivery = await hub.sendReservation(reservation('BOOKING', 'R1', 'Commit', Date.parse('2026-11-28T10:00:00Z')));
    expect(delivery.status).toBe(200);
    expect(delivery.body).toContain('<Success');
    await eventually('R1 applied', () => reservationState('R1'), (s) => s === 'CONFIRMED');
    await allShow(NIGHT_1, 1);
    // A redelivery of the same message changes nothing and gets the same answer.
    const again = await hub.redeliver(delivery.messageId);
    const stamped = (xml: string) => xml.replace(/ TimeStamp="[^"]*"/, '');
    expect(stamped(again.body)).toBe(stamped(delivery.body));
    expect(await reservationState('R1')).toBe('CONFIRMED');
  });

  it('sells the last room exactly once when the API and two channels take it at the same moment', async () => {
    const at = Date.parse('2026-11-28T11:00:00Z');
    const [api1, booking, expedia] = await Promise.all([
      request(server).post('/catalog/holds').send({ reference: 'API-LAST', supplierCode: 'CHS', productCode: 'LAST', category: 'DBL', from: NIGHT_1, nights: 1, quantity: 1, ttlSeconds: 900 }),
      hub.sendReservation(reservation('BOOKING', 'R2', 'Book', at)),
      hub.sendReservation(reservation('EXPEDIA', 'R3', 'Reserved', at)),
    ]);
    // Channel notifications are always acknowledged once stored; the decision comes after.
    expect([booking.status, expedia.status]).toEqual([200, 200]);
    const outcomes = await eventually(
      'R2 and R3 decided',
      async () => [await reservationState('R2'), await reservationState('R3')],
      (v) => v.every((s) => s === 'CONFIRMED' || s === 'REJECTED'),
    );
    const winners = [api1.status === 201, outcomes[0] === 'CONFIRMED', outcomes[1] === 'CONFIRMED'].filter(Boolean);
    expect(winners).toHaveLength(1);
    if (api1.status !== 201) expect(api1.status).toBe(409);
    // The losing channel bookings are cancelled back to the channel that sold them.
    const cancelledBack = (channel: string) => hub.cancelledBack(channel).map((c) => c.reservationId);
    if (outcomes[0] === 'REJECTED') await eventually('R2 cancelled back to BOOKING', () => cancelledBack('BOOKING'), (ids) => ids.includes('R2'));
    if (outcomes[1] === 'REJECTED') await eventually('R3 cancelled back to EXPEDIA', () => cancelledBack('EXPEDIA'), (ids) => ids.includes('R3'));
    const [row] = await db.query<{ used: number; allotment: number }>(`SELECT (held + sold + released)::int AS used, allotment FROM inventory i JOIN products p ON p.id = i.product_id WHERE p.code = 'LAST' AND stay_date = $1::date`, [NIGHT_1]);
    expect(row).toEqual({ used: 3, allotment: 3 });
    await allShow(NIGHT_1, 0);
  });

  it('gives the room back on every channel when the OTA cancels, ignoring an older notification that arrives late', async () => {
    await hub.sendReservation(reservation('BOOKING', 'R1', 'Cancelled', Date.parse('2026-11-28T12:00:00Z')));
    await eventually('R1 cancelled', () => reservationState('R1'), (s) => s === 'CANCELLED');
    await allShow(NIGHT_1, 1);
    // A modification stamped before the cancellation is stale: the reservation stays cancelled.
    await hub.sendReservation(reservation('BOOKING', 'R1', 'Modify', Date.parse('2026-11-28T11:30:00Z')));
    const history = await eventually(
      'the late modify decided',
      async () => (await request(server).get('/channel-reservations/HUB/R1')).body as { notifications: { outcome: string | null }[] },
      (b) => b.notifications.length === 3 && b.notifications.every((n) => n.outcome !== null),
    );
    expect(history.notifications.map((n) => n.outcome).sort()).toEqual(['APPLIED', 'APPLIED', 'STALE']);
    expect(await reservationState('R1')).toBe('CANCELLED');
    // The channel counted the stale modify as a sale of its own; Itinera pushes the truth back.
    await allShow(NIGHT_1, 1);
  });

  it('sends a rate change to every channel as one operation and reports parity once all acknowledged', async () => {
    const put = await request(server)
      .put(`/channel-properties/${HOTEL}/rates`)
      .send({ roomType: 'DBL', ratePlan: 'BAR', start: NIGHT_1, end: NIGHT_2, currency: 'EUR', amounts: [{ guests: 1, amount: '95.00' }, { guests: 2, amount: '120.00' }] })
      .expect(202);
    const operation = await eventually('the rate operation', async () => (await request(server).get(`/channel-rate-operations/${put.body.operationId}`)).body as { status: string }, (o) => o.status !== 'PENDING');
    expect(operation.status).toBe('ACKNOWLEDGED');
    for (const channel of CHANNELS) {
      expect([hub.rate(channel, HOTEL, 'DBL', 'BAR', NIGHT_2, 1), hub.rate(channel, HOTEL, 'DBL', 'BAR', NIGHT_2, 2)]).toEqual(['95.00', '120.00']);
    }
    const parity = await request(server).get(`/channel-properties/${HOTEL}/parity?from=${NIGHT_1}&to=${NIGHT_2}`).expect(200);
    // 2 nights x 2 occupancies, each acknowledged by all three channels.
    expect(parity.body.summary).toEqual({ IN_PARITY: 4, PENDING: 0, OUT_OF_PARITY: 0 });
  });
});
