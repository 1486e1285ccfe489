import type { Client } from '@temporalio/client';
import request from 'supertest';
import type { Database } from '../../infra/database';
import type { DevServer } from '../../infra/dev-server';
import { openTestPglite } from '../../test/support/databases';
import { connectClient, startApiUnderTest, startTestDevServer, type ApiUnderTest, prepareReadyFinance } from '../../test/support/api-harness';
import { BookingStatus, CustomerId, TravelDate } from '../../workflows/booking/search-attributes';

const NEXT_YEAR = `${new Date().getUTCFullYear() + 1}-05-14`;

function validBody(overrides: Record<string, unknown> = {}) {
  return {
    customerId: 'C-1001',
    advisorId: 'ADV-7',
    productCode: 'TOUR-PERU-12D',
    travelDate: NEXT_YEAR,
    price: { amount: '4599.00', currency: 'EUR' },
    ...overrides,
  };
}

/** Visibility is eventually consistent: poll the list (not the workflow) briefly. */
async function findByQuery(client: Client, query: string, expected: number) {
  for (let i = 0; i < 50; i++) {
    const found = [];
    for await (const wf of client.workflow.list({ query })) found.push(wf);
    if (found.length >= expected) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  const found = [];
  for await (const wf of client.workflow.list({ query })) found.push(wf);
  return found;
}

describe('bookings API on the Temporal dev server and embedded PGlite', () => {
  let server: DevServer;
  let db: Database;
  let api: ApiUnderTest;
  let client: Client;

  beforeAll(async () => {
    [server, db] = await Promise.all([startTestDevServer(), openTestPglite()]);
    await prepareReadyFinance(db);
    api = startApiUnderTest(db, { address: server.address, namespace: 'default' });
    client = await connectClient(server.address);
    await api.worker.ready;
  });
  afterAll(async () => {
    await api?.stop();
    await client?.connection.close();
    await db?.close();
    await server?.stop();
  });

  it('opens a draft: 201, stored by the workflow, visible to ops by BookingReference', async () => {
    const res = await request(api.app).post('/bookings').send(validBody({ customerId: 'C-OPEN-1' })).expect(201);
    const reference: string = res.body.reference;
    expect(reference).toMatch(/^ITN-[0-9A-Z]{8}$/);
    expect(res.headers.location).toBe(`/bookings/${reference}`);
    expect(res.body).toMatchObject({
      workflowId: `booking-${reference}`,
      status: 'DRAFT',
      recorded: true,
      customerId: 'C-OPEN-1',
      price: { amount: '4599.00', currency: 'EUR' },
    });

    const row = await db.prisma.booking.findUnique({ where: { reference } });
    expect(row?.amount.toFixed(4)).toBe('4599.0000');
    expect(row?.currency).toBe('EUR');
    expect(row?.workflowId).toBe(`booking-${reference}`);

    const [listed] = await findByQuery(client, `BookingReference="${reference}"`, 1);
    expect(listed?.workflowId).toBe(`booking-${reference}`);
    expect(listed?.type).toBe('BookingWorkflow');
    expect(listed?.typedSearchAttributes.get(CustomerId)).toBe('C-OPEN-1');
    expect(listed?.typedSearchAttributes.get(BookingStatus)).toBe('DRAFT');
    expect(listed?.typedSearchAttributes.get(TravelDate)?.toISOString()).toBe(`${NEXT_YEAR}T00:00:00.000Z`);
  });

  it('GET returns the stored booking with the live workflow status', async () => {
    const created = await request(api.app).post('/bookings').send(validBody({ price: { amount: '150000', currency: 'JPY' } })).expect(201);
    const res = await request(api.app).get(`/bookings/${created.body.reference}`).expect(200);
    expect(res.body.booking).toMatchObject({ reference: created.body.reference, status: 'DRAFT', price: { amount: '150000', currency: 'JPY' } });
    expect(res.body.workflow).toMatchObject({ workflowId: `booking-${created.body.reference}`, executionStatus: 'RUNNING' });
    expect(res.body.workflow.view).toMatchObject({ status: 'DRAFT', recorded: true });
  });

  it.each([
    ['an unknown currency', { price: { amount: '10.00', currency: 'EUX' } }, ['/price/currency']],
    ['a negative amount', { price: { amount: '-5.00', currency: 'EUR' } }, ['/price/amount']],
    ['too many decimals for JPY', { price: { amount: '100.5', currency: 'JPY' } }, ['/price/amount']],
    ['an amount sent as a JSON number', { price: { amount: 10.5, currency: 'EUR' } }, ['/price/amount']],
    ['a travel date in the past', { travelDate: '2020-01-01' }, ['/travelDate']],
    ['an impossible date', { travelDate: `${new Date().getUTCFullYear() + 1}-02-30` }, ['/travelDate']],
    ['unknown fields', { discount: 10, notes: 'x' }, ['/discount', '/notes']],
    ['a missing customer', { customerId: undefined }, ['/customerId']],
    ['everything wrong at once', { customerId: '', productCode: 7, travelDate: 'soon', price: { amount: 'x', currency: 'eur' }, extra: true }, ['/customerId', '/productCode', '/travelDate', '/price/amount', '/price/currency', '/extra']],
  ])('refuses %s with 422 naming each field, writing nothing', async (_name, overrides, pointers) => {
    const customerId = `C-BAD-${Math.random().toString(36).slice(2, 10)}`;
    const body = { ...validBody({ customerId }), ...overrides };
    const before = await db.prisma.booking.count();
    const res = await request(api.app).post('/bookings').send(body).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, title: 'Invalid request', instance: '/bookings' });
    const reported = new Set(res.body.errors.map((e: { pointer: string }) => e.pointer));
    for (const p of pointers) expect(reported).toContain(p);
    expect(await db.prisma.booking.count()).toBe(before);
    expect(await findByQuery(client, `CustomerId="${customerId}"`, 0)).toHaveLength(0);
  });

  it('refuses malformed JSON with 400 and a non-JSON body with 415', async () => {
    const bad = await request(api.app).post('/bookings').set('content-type', 'application/json').send('{"customerId": ').expect(400);
    expect(bad.body).toMatchObject({ title: 'Malformed JSON', status: 400 });
    const form = await request(api.app).post('/bookings').set('content-type', 'text/plain').send('customerId=C-1').expect(415);
    expect(form.body.title).toBe('Unsupported media type');
  });

  it('answers 404 for an unknown reference and 400 for a malformed one', async () => {
    const missing = await request(api.app).get('/bookings/ITN-00000000').expect(404);
    expect(missing.body.detail).toBe('No booking with reference ITN-00000000');
    const bad = await request(api.app).get('/bookings/not-a-ref').expect(400);
    expect(bad.body.errors).toEqual([{ pointer: 'path:reference', detail: 'must look like ITN-7K3M9QXZ' }]);
  });

  it('reports health, readiness and request ids', async () => {
    await request(api.app).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(api.app).get('/readyz').set('X-Request-Id', 'trace-123').expect(200);
    expect(ready.headers['x-request-id']).toBe('trace-123');
    expect(ready.body.checks).toMatchObject({ database: { status: 'up', kind: 'pglite' }, temporal: { status: 'up' } });
    const problem = await request(api.app).get('/nowhere').expect(404);
    expect(problem.body.requestId).toBe(problem.headers['x-request-id']);
  });
});
