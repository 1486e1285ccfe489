import type { Express } from 'express';
import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { seedChartOfAccounts } from '../../activities/chart-seed.prisma';
import { addDays } from '../../domain/catalog/dates';
import type { LifecycleView } from '../../domain/booking/model';
import { DEFAULT_CHART_OPTIONS, travelChartOfAccounts } from '../../domain/ledger/chart';
import { TRANSACTION_TYPES } from '../../domain/ledger/translation';
import { calendarDateIn } from '../../domain/time/instant';
import type { Database } from '../../infra/database';
import { seedDemoCatalog } from '../../infra/demo-catalog';
import type { DevServer } from '../../infra/dev-server';
import { financeDeps } from '../../infra/finance';
import { TemporalClientProvider } from '../../infra/temporal';
import { prepareReadyFinance, silentLogger, startTestDevServer, testAccess, withApiKey } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { awaitHeldUpdate } from '../../workflows/booking/messages';
import { bookingWorkerPorts, superviseBookingWorker } from '../../workers/booking-worker';
import { createApp } from '../app';
import { ReadinessResponse } from '../schemas/finance.schema';

const today = calendarDateIn(Date.now(), 'UTC');
// Inside the demo hotel contracts (today+1..today+120), before their 21-day release.
const departure = addDays(today, 40);
const ret = addDays(departure, 2);

/** A lifecycle body for one demo hotel room for two, as the availability search offers it. */
async function hotelBooking(app: Express, customerId: string, currency: string) {
  const products = await request(app).get('/catalog/products').query({ type: 'HOTEL', limit: 1 }).expect(200);
  const destination: string = products.body.items[0].destination;
  const search = await request(app).get('/catalog/availability').query({ destination, checkIn: departure, checkOut: ret, adults: 2, rooms: 1, type: 'HOTEL', currency }).expect(200);
  const o = search.body.items[0] as { supplierCode: string; productCode: string; category: string; ratePlan: string };
  return {
    customerId,
    currency,
    departureDate: departure,
    returnDate: ret,
    components: [{ id: 'hotel', kind: 'HOTEL', supplierCode: o.supplierCode, productCode: o.productCode, category: o.category, ratePlan: o.ratePlan, startDate: departure, nights: 2, units: [{ adults: 2, childAges: [] }] }],
  };
}

describe('POST /bookings while no worker is running', () => {
  let server: DevServer;
  let db: Database;
  let temporal: TemporalClientProvider;

  beforeAll(async () => {
    [server, db] = await Promise.all([startTestDevServer(), openTestPglite()]);
    await prepareReadyFinance(db);
    await seedDemoCatalog(db, today, silentLogger);
    temporal = new TemporalClientProvider({ address: server.address, namespace: 'default' });
  });
  afterAll(async () => {
    await temporal?.close();
    await db?.close();
    await server?.stop();
  });

  it('answers 202 with where to look, and the booking is held once a worker comes', async () => {
    const bookings = new PrismaBookingStore(db.prisma);
    const app = withApiKey(createApp({ db, bookings, temporal, logger: silentLogger, operatorTimeZone: 'UTC', recordWaitMs: 1_000, finance: financeDeps(db.prisma), access: testAccess(db) }), db);
    const body = await hotelBooking(app, 'C-NOWORKER', 'EUR');
    const res = await request(app).post('/bookings').send(body).expect(202);
    const reference: string = res.body.reference;
    expect(res.body).toEqual({ reference, workflowId: `booking-${reference}`, held: false });
    expect(res.headers.location).toBe(`/bookings/${reference}`);
    // Nothing ran: no projection row, no inventory held.
    expect(await db.prisma.booking.count({ where: { reference } })).toBe(0);
    const pending = await request(app).get(`/bookings/${reference}`).expect(200);
    expect(pending.body).toMatchObject({ reference, booking: null, workflow: { workflowId: `booking-${reference}`, executionStatus: 'RUNNING' } });

    const worker = superviseBookingWorker({ address: server.address, namespace: 'default' }, bookingWorkerPorts(db, { operatorTimeZone: 'UTC', logger: silentLogger }), silentLogger, '5s');
    try {
      await worker.ready;
      // Awaiting the workflow's own update, not sleeping: it completes once the components are held.
      const handle = (await temporal.get()).workflow.getHandle(`booking-${reference}`);
      const view: LifecycleView = await handle.executeUpdate(awaitHeldUpdate);
      expect(view).toMatchObject({ reference, status: 'HELD', customerId: 'C-NOWORKER', total: { currency: 'EUR' } });
      expect(view.components).toEqual([expect.objectContaining({ id: 'hotel', status: 'HELD' })]);
      const held = await request(app).get(`/bookings/${reference}`).expect(200);
      expect(held.body).toMatchObject({ source: 'workflow', reference, status: 'HELD', total: view.total });
      expect(await db.prisma.inventoryHold.count({ where: { status: 'HELD' } })).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  it('refuses bookings with 409 and every reason until finance readiness passes, then takes them', async () => {
    // The body comes from the seeded database; the fresh one has no catalog, and no worker runs.
    const booking = await hotelBooking(withApiKey(createApp({ db, bookings: new PrismaBookingStore(db.prisma), temporal, logger: silentLogger, operatorTimeZone: 'UTC', finance: financeDeps(db.prisma), access: testAccess(db) }), db), 'C-READY', 'GBP');
    const fresh = await openTestPglite();
    try {
      const app = withApiKey(createApp({ db: fresh, bookings: new PrismaBookingStore(fresh.prisma), temporal, logger: silentLogger, operatorTimeZone: 'UTC', recordWaitMs: 500, finance: financeDeps(fresh.prisma), access: testAccess(fresh) }), fresh);
      const refused = await request(app).post('/bookings').send(booking).expect(409);
      expect(refused.body.type).toBe('/problems/finance-not-ready');
      expect(refused.body.failures.map((f: { check: string }) => f.check)).toEqual(expect.arrayContaining(['settings-missing', 'account-missing', 'translation-rule-missing']));

      // Finance sets up through the API: chart, settings, rules, rates.
      await seedChartOfAccounts(fresh.prisma, travelChartOfAccounts({ ...DEFAULT_CHART_OPTIONS, bankCurrencies: ['GBP', 'USD'] }));
      await request(app).put('/finance/settings').send({ baseCurrency: 'GBP', rateSource: 'MANUAL', activeCurrencies: ['GBP', 'USD', 'ISK'], updatedBy: 'fin-1' }).expect(200);
      await request(app)
        .put('/finance/translation-rules')
        .send({ rules: TRANSACTION_TYPES.map((transactionType) => ({ transactionType, rule: transactionType === 'booking' ? 'BOOKING_DATE' : 'PAYMENT_DATE' })) })
        .expect(200);
      const rateDate = new Date().toISOString().slice(0, 10);
      await request(app).post('/finance/rates').send({ base: 'USD', quote: 'GBP', rate: '0.7900', rateDate }).expect(201);
      const stillMissing = await request(app).get('/finance/readiness').expect(200);
      ReadinessResponse.parse(stillMissing.body);
      expect(stillMissing.body).toMatchObject({ ready: false, baseCurrency: 'GBP' });
      expect(stillMissing.body.failures).toEqual([{ check: 'rate-missing', detail: expect.stringContaining(`ISK: No ISK/GBP rate for ${rateDate}`) }]);
      expect((await request(app).post('/bookings').send(booking).expect(409)).body.failures).toHaveLength(1);

      await request(app).post('/finance/rates').send({ base: 'GBP', quote: 'ISK', rate: '171.20', rateDate }).expect(201);
      const ready = await request(app).get('/finance/readiness').expect(200);
      ReadinessResponse.parse(ready.body);
      expect(ready.body).toMatchObject({ ready: true, failures: [] });
      // The sample postings were rolled back.
      expect(await fresh.prisma.journalEntry.count()).toBe(0);
      // Taken: started, waiting for a worker (none runs here).
      const taken = await request(app).post('/bookings').send(booking).expect(202);
      expect(taken.body).toMatchObject({ held: false, workflowId: `booking-${taken.body.reference}` });
      // A base currency with translated postings behind it cannot change; here nothing is posted yet.
      await request(app).put('/finance/settings').send({ baseCurrency: 'USD', rateSource: 'MANUAL', activeCurrencies: ['USD'], updatedBy: 'fin-1' }).expect(200);
    } finally {
      await fresh.close();
    }
  });
});
