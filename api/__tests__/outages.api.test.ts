import type { Client } from '@temporalio/client';
import request from 'supertest';
import { addDays } from '../../domain/catalog/dates';
import { calendarDateIn } from '../../domain/time/instant';
import { openDatabase, type Database } from '../../infra/database';
import { seedDemoCatalog } from '../../infra/demo-catalog';
import type { DevServer } from '../../infra/dev-server';
import { createIsolatedDatabase } from '../../test/support/postgres';
import { connectClient, prepareReadyFinance, silentLogger, startApiUnderTest, startTestDevServer, type ApiUnderTest } from '../../test/support/api-harness';
import { TcpProxy } from '../../test/support/tcp-proxy';

const today = calendarDateIn(Date.now(), 'UTC');
// Inside the demo hotel contracts (today+1..today+120), before their 21-day release.
const departure = addDays(today, 30);
const ret = addDays(departure, 2);
/** The demo hotel room every booking here holds (found in beforeAll; 8 rooms a night). */
let hotel: { supplierCode: string; productCode: string; category: string; ratePlan: string };

const body = (customerId: string) => ({
  customerId,
  currency: 'EUR',
  departureDate: departure,
  returnDate: ret,
  components: [{ id: 'hotel', kind: 'HOTEL', ...hotel, startDate: departure, nights: 2, units: [{ adults: 2, childAges: [] }] }],
});

async function workflowsOf(client: Client, customerId: string): Promise<number> {
  let n = 0;
  for await (const _ of client.workflow.list({ query: `CustomerId="${customerId}"` })) n++;
  return n;
}

/** Retries a request while the service behind it reconnects (bounded: ~10 s). */
async function eventually(send: () => Promise<request.Response>, status: number): Promise<request.Response> {
  let last: request.Response | undefined;
  for (let i = 0; i < 50; i++) {
    last = await send();
    if (last.status === status) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`expected ${status}, last got ${last?.status}: ${JSON.stringify(last?.body)}`);
}

describe('outages: PostgreSQL and Temporal behind cuttable links', () => {
  let server: DevServer;
  let db: Database;
  let dbLink: TcpProxy;
  let temporalLink: TcpProxy;
  let api: ApiUnderTest;
  let client: Client;

  beforeAll(async () => {
    server = await startTestDevServer();
    // A database of this file's own: it holds the finance configuration bookings need.
    const pgUrl = new URL(await createIsolatedDatabase(process.env.ITINERA_TEST_PG_TEMPLATE_URL!));
    dbLink = await TcpProxy.start({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    temporalLink = await TcpProxy.start({ host: '127.0.0.1', port: Number(server.address.split(':')[1]) });
    pgUrl.hostname = '127.0.0.1';
    pgUrl.port = String(dbLink.port);
    db = await openDatabase({ databaseUrl: pgUrl.toString(), poolSize: 2 });
    await prepareReadyFinance(db);
    await seedDemoCatalog(db, today, silentLogger);
    api = startApiUnderTest(db, { address: `127.0.0.1:${temporalLink.port}`, namespace: 'default' });
    client = await connectClient(server.address);
    await api.worker.ready;
    const products = await request(api.app).get('/catalog/products').query({ type: 'HOTEL', limit: 1 }).expect(200);
    const search = await request(api.app)
      .get('/catalog/availability')
      .query({ destination: products.body.items[0].destination, checkIn: departure, checkOut: ret, adults: 2, rooms: 1, type: 'HOTEL', currency: 'EUR' })
      .expect(200);
    const { supplierCode, productCode, category, ratePlan } = search.body.items[0];
    hotel = { supplierCode, productCode, category, ratePlan };
  }, 120_000);
  afterAll(async () => {
    await temporalLink?.up();
    await dbLink?.up();
    await api?.stop();
    await client?.connection.close();
    await db?.close();
    await dbLink?.down();
    await temporalLink?.down();
    await server?.stop();
  });

  it('works through the links (API on PostgreSQL)', async () => {
    const res = await request(api.app).post('/bookings').send(body('C-LINK-OK')).expect(201);
    expect(res.body).toMatchObject({ status: 'HELD', customerId: 'C-LINK-OK' });
    expect(await db.prisma.inventoryHold.count({ where: { status: 'HELD' } })).toBe(1);
    const ready = await request(api.app).get('/readyz').expect(200);
    expect(ready.body.checks.database.kind).toBe('postgresql');
  });

  it('answers 503 while the database is unreachable, starts nothing, and recovers', async () => {
    await dbLink.down();
    try {
      const res = await request(api.app).post('/bookings').send(body('C-DB-DOWN')).expect(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, title: 'Database unavailable' });
      expect(res.headers['retry-after']).toBe('5');
      const ready = await request(api.app).get('/readyz').expect(503);
      expect(ready.body.checks).toMatchObject({ database: { status: 'down' }, temporal: { status: 'up' } });
      await request(api.app).get('/bookings/ITN-00000000').expect(503);
      expect(await workflowsOf(client, 'C-DB-DOWN')).toBe(0);
    } finally {
      await dbLink.up();
    }
    const back = await eventually(() => request(api.app).post('/bookings').send(body('C-DB-BACK')), 201);
    expect(back.body.status).toBe('HELD');
    expect(await db.prisma.booking.count({ where: { customerId: 'C-DB-DOWN' } })).toBe(0);
  });

  it('answers 503 while Temporal is unreachable, writes nothing, and recovers', async () => {
    await temporalLink.down();
    try {
      const res = await request(api.app).post('/bookings').send(body('C-TEMPORAL-DOWN')).expect(503);
      expect(res.body).toMatchObject({ status: 503, title: 'Workflow engine unavailable' });
      const ready = await request(api.app).get('/readyz').expect(503);
      expect(ready.body.checks).toMatchObject({ database: { status: 'up' }, temporal: { status: 'down' } });
    } finally {
      await temporalLink.up();
    }
    expect(await db.prisma.booking.count({ where: { customerId: 'C-TEMPORAL-DOWN' } })).toBe(0);
    expect(await workflowsOf(client, 'C-TEMPORAL-DOWN')).toBe(0);
    // The worker lost its connection too; once Temporal is back, a new booking is held again.
    const back = await eventually(() => request(api.app).post('/bookings').send(body('C-TEMPORAL-BACK')), 201);
    expect(back.body.status).toBe('HELD');
  });
});
