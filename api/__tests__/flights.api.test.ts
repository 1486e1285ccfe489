import request from 'supertest';
import { DuffelJsonFlightSupplier } from '../../adapters/duffel-json/adapter';
import { addDays } from '../../domain/catalog/dates';
import { calendarDateIn } from '../../domain/time/instant';
import type { Database } from '../../infra/database';
import { seedDemoCatalog } from '../../infra/demo-catalog';
import type { DevServer } from '../../infra/dev-server';
import { startSandboxGds, type SandboxGds } from '../../sandbox/gds/server';
import { openTestPglite } from '../../test/support/databases';
import { prepareReadyFinance, silentLogger, startApiUnderTest, startTestDevServer, type ApiUnderTest } from '../../test/support/api-harness';
import { FlightSearchResponse } from '../schemas/flight.schema';

/**
 * Flight search through the API (a short workflow on the supplier worker, the Duffel-style adapter,
 * the sandbox GDS over HTTP), and a FIT booking of the offer found: held at the airline with the
 * hotel, ticketed once paid.
 */
describe('POST /flights/search and a FIT booking through the API', () => {
  let server: DevServer;
  let db: Database;
  let gds: SandboxGds;
  let api: ApiUnderTest;
  const today = calendarDateIn(Date.now(), 'UTC');
  const departure = addDays(today, 50);
  const ret = addDays(departure, 4);

  beforeAll(async () => {
    [server, db, gds] = await Promise.all([startTestDevServer(), openTestPglite(), startSandboxGds({ port: 0 })]);
    await prepareReadyFinance(db);
    await seedDemoCatalog(db, today, silentLogger);
    const duffel = new DuffelJsonFlightSupplier({ baseUrl: gds.url, accessToken: 'sandbox-token', name: 'duffel', timeoutMs: 5_000 });
    api = startApiUnderTest(db, { address: server.address, namespace: 'default' }, 'UTC', { flightSuppliers: { duffel } });
    await api.worker.ready;
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    await db?.close();
    await gds?.close();
    await server?.stop();
  });

  const search = {
    supplier: 'duffel',
    slices: [
      { origin: 'LHR', destination: 'JFK', departureDate: departure },
      { origin: 'JFK', destination: 'LHR', departureDate: ret },
    ],
    passengers: [{ type: 'ADT' }, { type: 'ADT' }],
  };

  it('refuses a bad search naming each field, and an unknown supplier', async () => {
    const bad = await request(api.app)
      .post('/flights/search')
      .send({ supplier: 'duffel', slices: [{ origin: 'lhr', destination: 'LHR', departureDate: '2027-02-30' }], passengers: [{ type: 'INF' }] })
      .expect(422);
    const pointers = (bad.body.errors as Array<{ pointer: string }>).map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/slices/0/origin', '/slices/0/departureDate']));
    const unknown = await request(api.app).post('/flights/search').send({ ...search, supplier: 'amadeus' }).expect(422);
    expect(unknown.body.failureType).toBe('FlightSupplierUnknown');
  });

  it('finds offers, books one with a hotel (held at the airline), and tickets it once paid', async () => {
    const found = await request(api.app).post('/flights/search').send(search).expect(200);
    // The answer has the shape the OpenAPI document gives it.
    FlightSearchResponse.parse(found.body);
    const offers = found.body.offers as Array<{ id: string; instantPaymentRequired: boolean; total: { amount: string } }>;
    expect(offers.length).toBeGreaterThan(0);
    const offer = offers.find((o) => !o.instantPaymentRequired)!;
    expect(offer).toBeDefined();

    const products = await request(api.app).get('/catalog/products').query({ type: 'HOTEL', limit: 1 }).expect(200);
    const destination: string = products.body.items[0].destination;
    const hotels = await request(api.app).get('/catalog/availability').query({ destination, checkIn: departure, checkOut: ret, adults: 2, rooms: 1, type: 'HOTEL', currency: 'GBP' }).expect(200);
    const hotel = hotels.body.items[0] as { supplierCode: string; productCode: string; category: string; ratePlan: string };
    const passengers = [
      { id: 'P-1', type: 'ADT', givenName: 'Ada', familyName: 'Lovelace', bornOn: '1980-12-10', passport: { number: '501234567', issuingCountry: 'GB', expiresOn: '2034-01-01' } },
      { id: 'P-2', type: 'ADT', givenName: 'Charles', familyName: 'Babbage', bornOn: '1979-12-26', passport: { number: '701234567', issuingCountry: 'GB', expiresOn: '2033-06-01' } },
    ];
    const booked = await request(api.app)
      .post('/bookings')
      .set('Idempotency-Key', `fit-${Date.now()}`)
      .send({
        customerId: 'C-FIT',
        currency: 'GBP',
        departureDate: departure,
        returnDate: ret,
        components: [
          { id: 'flight', kind: 'FLIGHT', supplier: 'duffel', offerId: offer.id, passengers },
          { id: 'hotel', kind: 'HOTEL', supplierCode: hotel.supplierCode, productCode: hotel.productCode, category: hotel.category, ratePlan: hotel.ratePlan, startDate: departure, nights: 4, units: [{ adults: 2, childAges: [] }] },
        ],
      });
    expect({ status: booked.status, body: booked.status === 201 ? 'ok' : booked.body }).toEqual({ status: 201, body: 'ok' });
    expect(booked.body.status).toBe('HELD');
    const flight = (booked.body.components as Array<{ id: string; status: string; supplierRef: string }>).find((c) => c.id === 'flight')!;
    expect(flight.status).toBe('HELD');
    expect((await gds.core.getOrder(flight.supplierRef)).status).toBe('HELD');

    const paid = await request(api.app)
      .post(`/bookings/${booked.body.reference}/payments`)
      .set('Idempotency-Key', `pay-${booked.body.reference}`)
      .send({ amount: booked.body.total, method: 'card' })
      .expect(200);
    expect(paid.body.status).toBe('PAID');
    const detail = await request(api.app).get(`/bookings/${booked.body.reference}`).expect(200);
    const ticketed = (detail.body.components as Array<{ id: string; status: string; documents: unknown[] }>).find((c) => c.id === 'flight')!;
    expect(ticketed.status).toBe('TICKETED');
    expect(ticketed.documents).toHaveLength(2);
    expect((await gds.core.getOrder(flight.supplierRef)).status).toBe('TICKETED');
  });
});
