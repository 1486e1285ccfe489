import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { createApp } from '../../api/app';
import { referenceForKey } from '../../api/routes/bookings.routes';
import type { Database } from '../../infra/database';
import type { DevServer } from '../../infra/dev-server';
import { financeDeps } from '../../infra/finance';
import { TemporalClientProvider } from '../../infra/temporal';
import { openTestPglite } from '../../test/support/databases';
import { connectClient, prepareReadyFinance, silentLogger, startTestDevServer, testAccess, withApiKey } from '../../test/support/api-harness';
import { LivenessResponse, ReadinessCheckResponse } from '../schemas/health.schema';

/**
 * Everything the booking routes refuse before any workflow runs: bodies, headers, URLs. The app
 * is wired as `startApiUnderTest` wires it, minus the worker (nothing here reaches one), against
 * a real Temporal dev server so "nothing was started" can be checked by workflow id.
 */

const Y = new Date().getUTCFullYear() + 1;
const DEP = `${Y}-05-14`;
const RET = `${Y}-05-21`;

function validBody(overrides: Record<string, unknown> = {}) {
  return {
    customerId: 'C-1001',
    advisorId: 'ADV-7',
    currency: 'EUR',
    departureDate: DEP,
    returnDate: RET,
    components: [
      { id: 'hotel', kind: 'HOTEL', supplierCode: 'HTL-LIS', productCode: 'LIS-ALFAMA', category: 'DBL', ratePlan: 'BAR', startDate: DEP, nights: 7, units: [{ adults: 2, childAges: [] }] },
      { id: 'transfer-in', kind: 'TRANSFER', supplierCode: 'TRF-LIS', productCode: 'LIS-APT', category: 'SEDAN', startDate: DEP, nights: 0, units: [{ adults: 2, childAges: [] }] },
    ],
    ...overrides,
  };
}

function flight(passengers: unknown[]) {
  return { id: 'flight', kind: 'FLIGHT', supplier: 'duffel-sandbox', offerId: 'off_123', passengers };
}
const ADULT = { id: 'p1', type: 'ADT', givenName: 'Ana', familyName: 'Silva', bornOn: '1980-02-01' };

describe('booking routes refuse bad input before any workflow runs', () => {
  let server: DevServer;
  let db: Database;
  let app: Express;
  let temporal: TemporalClientProvider;
  let client: Client;

  beforeAll(async () => {
    [server, db] = await Promise.all([startTestDevServer(), openTestPglite()]);
    await prepareReadyFinance(db);
    temporal = new TemporalClientProvider({ address: server.address, namespace: 'default' });
    app = withApiKey(createApp({ db, bookings: new PrismaBookingStore(db.prisma), temporal, logger: silentLogger, operatorTimeZone: 'UTC', finance: financeDeps(db.prisma), access: testAccess(db) }), db);
    client = await connectClient(server.address);
  });
  afterAll(async () => {
    await temporal?.close();
    await client?.connection.close();
    await db?.close();
    await server?.stop();
  });

  async function started(reference: string): Promise<boolean> {
    try {
      await client.workflow.getHandle(`booking-${reference}`).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  it.each([
    ['an unknown currency', { currency: 'EUX' }, ['/currency']],
    ['a departure in the past', { departureDate: '2020-01-01', components: [] }, ['/departureDate', '/components']],
    ['an impossible date', { returnDate: `${Y}-02-30` }, ['/returnDate']],
    ['a return before the departure', { returnDate: `${Y}-05-10` }, ['/returnDate']],
    ['no components', { components: [] }, ['/components']],
    ['unknown fields', { discount: 10, notes: 'x' }, ['/discount', '/notes']],
    ['a missing customer', { customerId: undefined }, ['/customerId']],
    ['an unknown channel', { channel: 'fax' }, ['/channel']],
    [
      'duplicate and malformed component ids, an unknown kind',
      { components: [validBody().components[0], { ...validBody().components[1], id: 'hotel' }, { ...validBody().components[1], id: 'Bad Id!' }, { id: 'x', kind: 'CRUISE' }] },
      ['/components/1/id', '/components/2/id', '/components/3/kind'],
    ],
    [
      'components outside the trip',
      { components: [{ ...validBody().components[0], nights: 9 }, { ...validBody().components[1], startDate: `${Y}-05-30` }] },
      ['/components/0/nights', '/components/1/startDate'],
    ],
    ['a hotel without a rate plan', { components: [{ ...validBody().components[0], ratePlan: undefined }] }, ['/components/0/ratePlan']],
    ['a unit without travellers', { components: [{ ...validBody().components[0], units: [{ adults: 0, childAges: [] }] }] }, ['/components/0/units/0']],
    [
      'bad payment terms',
      { paymentTerms: { depositPercent: '120', installments: 99, depositAmount: { amount: '100.5', currency: 'JPY' } } },
      ['/paymentTerms/depositPercent', '/paymentTerms/installments', '/paymentTerms/depositAmount/amount'],
    ],
    ['a deposit in another currency', { paymentTerms: { depositAmount: { amount: '100.00', currency: 'GBP' } } }, ['/paymentTerms/depositAmount/currency']],
    [
      'bad flight passengers',
      { components: [flight([ADULT, { ...ADULT, bornOn: '2099-01-01', givenName: '' }, { id: 'p3', type: 'INF', givenName: 'Bia', familyName: 'Silva', bornOn: `${Y - 1}-01-01`, infantOf: 'p9' }])] },
      ['/components/0/passengers/1/id', '/components/0/passengers/1/givenName', '/components/0/passengers/1/bornOn', '/components/0/passengers/2/infantOf'],
    ],
    ['a hold of zero hours and a bad e-mail', { holdHours: 0, contactEmail: 'nope' }, ['/holdHours', '/contactEmail']],
  ])('POST /bookings refuses %s with 422 naming each field, starting nothing', async (_name, overrides, pointers) => {
    const key = `bad-${Math.random().toString(36).slice(2, 12)}`;
    const before = await db.prisma.booking.count();
    const res = await request(app).post('/bookings').set('Idempotency-Key', key).send(validBody(overrides)).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, title: 'Invalid request', instance: '/bookings' });
    const reported = new Set(res.body.errors.map((e: { pointer: string }) => e.pointer));
    for (const p of pointers) expect(reported).toContain(p);
    expect(res.body.errors.length).toBeGreaterThanOrEqual(pointers.length);
    expect(await db.prisma.booking.count()).toBe(before);
    expect(await started(referenceForKey(key))).toBe(false);
  });

  it('POST /bookings/quote validates the same body', async () => {
    const res = await request(app).post('/bookings/quote').send(validBody({ currency: 'eur', components: [] })).expect(422);
    expect([...new Set(res.body.errors.map((e: { pointer: string }) => e.pointer))].sort()).toEqual(['/components', '/currency']);
  });

  it('refuses a malformed Idempotency-Key on POST /bookings with 400', async () => {
    const res = await request(app).post('/bookings').set('Idempotency-Key', 'has spaces').send(validBody()).expect(400);
    expect(res.body.errors).toEqual([{ pointer: 'header:Idempotency-Key', detail: expect.stringMatching(/1-128 characters/) }]);
  });

  it('payments need an Idempotency-Key and a positive amount in a known currency', async () => {
    const url = '/bookings/ITN-00000000/payments';
    const noKey = await request(app).post(url).send({ amount: { amount: '10.00', currency: 'EUR' }, method: 'card' }).expect(400);
    expect(noKey.body.errors).toEqual([{ pointer: 'header:Idempotency-Key', detail: expect.stringMatching(/^is required/) }]);
    const longKey = await request(app).post(url).set('Idempotency-Key', 'k'.repeat(129)).send({ amount: { amount: '10.00', currency: 'EUR' }, method: 'card' }).expect(400);
    expect(longKey.body.errors[0].pointer).toBe('header:Idempotency-Key');
    const bad = await request(app).post(url).set('Idempotency-Key', 'pay-1').send({ amount: { amount: '0', currency: 'EUR' }, method: 'cheque', tip: 1 }).expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/amount/amount', '/method', '/tip']);
    const asNumber = await request(app).post(url).set('Idempotency-Key', 'pay-1').send({ amount: { amount: 10, currency: 'EUR' }, method: 'card' }).expect(422);
    expect(asNumber.body.errors[0].pointer).toBe('/amount/amount');
  });

  it('validates cancellation, amendment and complaint bodies', async () => {
    const base = '/bookings/ITN-00000000';
    const cancel = await request(app).post(`${base}/cancellation`).send({}).expect(422);
    expect(cancel.body.errors).toEqual([{ pointer: '/reason', detail: 'is required' }]);
    const amend = await request(app).post(`${base}/amendments/preview`).send({ departureDate: '2020-01-01' }).expect(422);
    expect(amend.body.errors[0]).toMatchObject({ pointer: '/departureDate', detail: expect.stringMatching(/must not be in the past/) });
    await request(app).post(`${base}/amendments`).send({}).expect(422);
    const complaint = await request(app).post(`${base}/complaints`).send({ category: 'FOOD', severity: 'HIGH', notes: ' ' }).expect(422);
    expect(complaint.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/category', '/notes']);
    const resolve = await request(app).post(`${base}/complaints/c-1/resolve`).send({ resolution: 'ok', goodwill: { kind: 'CASH', amount: { amount: '-5', currency: 'EUR' } } }).expect(422);
    expect(resolve.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/goodwill/amount/amount', '/goodwill/kind']);
  });

  it('answers 404 for an unknown booking (read or update) and 400 for a malformed reference', async () => {
    const missing = await request(app).get('/bookings/ITN-00000000').expect(404);
    expect(missing.body.detail).toBe('No booking with reference ITN-00000000');
    const pay = await request(app).post('/bookings/ITN-00000000/payments').set('Idempotency-Key', 'pay-404').send({ amount: { amount: '10.00', currency: 'EUR' }, method: 'card' }).expect(404);
    expect(pay.body.detail).toBe('No booking with reference ITN-00000000');
    await request(app).post('/bookings/ITN-00000000/cancellation/preview').send({}).expect(404);
    const bad = await request(app).get('/bookings/not-a-ref').expect(400);
    expect(bad.body.errors).toEqual([{ pointer: 'path:reference', detail: 'must look like ITN-7K3M9QXZ' }]);
  });

  it('lists bookings from the projection and refuses bad filters with 400', async () => {
    const empty = await request(app).get('/bookings').query({ customerId: 'C-NOBODY', status: 'HELD' }).expect(200);
    expect(empty.body).toEqual({ items: [], nextCursor: null });
    const bad = await request(app).get('/bookings').query({ status: 'LOST', limit: '0', travelFrom: `${Y}-06-01`, travelTo: `${Y}-05-01`, cursor: '!!' }).expect(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['query:/cursor', 'query:/limit', 'query:/status', 'query:/travelTo']);
  });

  it('refuses malformed JSON with 400 and a non-JSON body with 415', async () => {
    const bad = await request(app).post('/bookings').set('content-type', 'application/json').send('{"customerId": ').expect(400);
    expect(bad.body).toMatchObject({ title: 'Malformed JSON', status: 400 });
    const form = await request(app).post('/bookings').set('content-type', 'text/plain').send('customerId=C-1').expect(415);
    expect(form.body.title).toBe('Unsupported media type');
  });

  it('reports health, readiness and request ids', async () => {
    LivenessResponse.parse((await request(app).get('/healthz').expect(200, { status: 'ok' })).body);
    const ready = await request(app).get('/readyz').set('X-Request-Id', 'trace-123').expect(200);
    ReadinessCheckResponse.parse(ready.body);
    expect(ready.headers['x-request-id']).toBe('trace-123');
    expect(ready.body.checks).toMatchObject({ database: { status: 'up', kind: 'pglite' }, temporal: { status: 'up' } });
    const problem = await request(app).get('/nowhere').expect(404);
    expect(problem.body.requestId).toBe(problem.headers['x-request-id']);
  });
});
