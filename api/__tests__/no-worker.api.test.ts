import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import type { Database } from '../../infra/database';
import type { DevServer } from '../../infra/dev-server';
import { financeDeps } from '../../infra/finance';
import { TemporalClientProvider } from '../../infra/temporal';
import { silentLogger, startTestDevServer, prepareReadyFinance } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { superviseBookingWorker } from '../../workers/booking-worker';
import { createApp } from '../app';
import { seedChartOfAccounts } from '../../activities/chart-seed.prisma';
import { DEFAULT_CHART_OPTIONS, travelChartOfAccounts } from '../../domain/ledger/chart';
import { TRANSACTION_TYPES } from '../../domain/ledger/translation';

describe('POST /bookings while no worker is running', () => {
  let server: DevServer;
  let db: Database;
  let temporal: TemporalClientProvider;

  beforeAll(async () => {
    [server, db] = await Promise.all([startTestDevServer(), openTestPglite()]);
    await prepareReadyFinance(db);
    temporal = new TemporalClientProvider({ address: server.address, namespace: 'default' });
  });
  afterAll(async () => {
    await temporal?.close();
    await db?.close();
    await server?.stop();
  });

  it('answers 202 with where to look, and the booking is stored once a worker comes', async () => {
    const bookings = new PrismaBookingStore(db.prisma);
    const app = createApp({ db, bookings, temporal, logger: silentLogger, operatorTimeZone: 'UTC', recordWaitMs: 1_000, finance: financeDeps(db.prisma) });
    const res = await request(app)
      .post('/bookings')
      .send({ customerId: 'C-NOWORKER', productCode: 'CRUISE-NILE-7N', travelDate: `${new Date().getUTCFullYear() + 1}-10-02`, price: { amount: '2100.000', currency: 'KWD' } })
      .expect(202);
    expect(res.body).toMatchObject({ status: 'DRAFT', recorded: false });
    expect(res.headers.location).toBe(`/bookings/${res.body.reference}`);
    expect(await bookings.findByReference(res.body.reference)).toBeNull();

    const worker = superviseBookingWorker({ address: server.address, namespace: 'default' }, { bookings }, silentLogger, '5s');
    try {
      await worker.ready;
      // Awaiting the workflow's own update, not sleeping: it completes once the draft is stored.
      const handle = (await temporal.get()).workflow.getHandle(`booking-${res.body.reference}`);
      const view = await handle.executeUpdate('awaitRecorded');
      expect(view).toMatchObject({ recorded: true });
      const stored = await request(app).get(`/bookings/${res.body.reference}`).expect(200);
      expect(stored.body.booking).toMatchObject({ status: 'DRAFT', price: { amount: '2100.000', currency: 'KWD' } });
    } finally {
      await worker.stop();
    }
  });

  it('refuses bookings with 409 and every reason until finance readiness passes, then takes them', async () => {
    const fresh = await openTestPglite();
    try {
      const app = createApp({ db: fresh, bookings: new PrismaBookingStore(fresh.prisma), temporal, logger: silentLogger, operatorTimeZone: 'UTC', recordWaitMs: 500, finance: financeDeps(fresh.prisma) });
      const booking = { customerId: 'C-READY', productCode: 'TOUR-PERU-12D', travelDate: `${new Date().getUTCFullYear() + 1}-05-02`, price: { amount: '1999.00', currency: 'GBP' } };
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
      const today = new Date().toISOString().slice(0, 10);
      await request(app).post('/finance/rates').send({ base: 'USD', quote: 'GBP', rate: '0.7900', rateDate: today }).expect(201);
      const stillMissing = await request(app).get('/finance/readiness').expect(200);
      expect(stillMissing.body).toMatchObject({ ready: false, baseCurrency: 'GBP' });
      expect(stillMissing.body.failures).toEqual([{ check: 'rate-missing', detail: expect.stringContaining(`ISK: No ISK/GBP rate for ${today}`) }]);
      expect((await request(app).post('/bookings').send(booking).expect(409)).body.failures).toHaveLength(1);

      await request(app).post('/finance/rates').send({ base: 'GBP', quote: 'ISK', rate: '171.20', rateDate: today }).expect(201);
      const ready = await request(app).get('/finance/readiness').expect(200);
      expect(ready.body).toMatchObject({ ready: true, failures: [] });
      // The sample postings were rolled back.
      expect(await fresh.prisma.journalEntry.count()).toBe(0);
      await request(app).post('/bookings').send(booking).expect(202);
      // A base currency with translated postings behind it cannot change; here nothing is posted yet.
      await request(app).put('/finance/settings').send({ baseCurrency: 'USD', rateSource: 'MANUAL', activeCurrencies: ['USD'], updatedBy: 'fin-1' }).expect(200);
    } finally {
      await fresh.close();
    }
  });
});
