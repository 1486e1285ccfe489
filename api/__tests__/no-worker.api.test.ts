import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import type { Database } from '../../infra/database';
import type { DevServer } from '../../infra/dev-server';
import { financeDeps } from '../../infra/finance';
import { TemporalClientProvider } from '../../infra/temporal';
import { silentLogger, startTestDevServer } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { superviseBookingWorker } from '../../workers/booking-worker';
import { createApp } from '../app';

describe('POST /bookings while no worker is running', () => {
  let server: DevServer;
  let db: Database;
  let temporal: TemporalClientProvider;

  beforeAll(async () => {
    [server, db] = await Promise.all([startTestDevServer(), openTestPglite()]);
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
});
