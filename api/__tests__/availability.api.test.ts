import type express from 'express';
import request from 'supertest';
import { PrismaFxRates } from '../../activities/fx-rates.prisma';
import type { Database } from '../../infra/database';
import { catalogTestApp } from '../../test/support/api-harness';
import { AvailabilityResponse, HoldResponse, InventoryResponse, PriceBreakdownResponse } from '../schemas/catalog.schema';
import { openTestPglite } from '../../test/support/databases';

/** Operator "today" of these tests: 2027-05-01. The stay: Tuesday 2027-06-01 to Friday 2027-06-04 (3 nights). */
const NOW = Date.parse('2027-05-01T10:00:00.000Z');
const STAY = { destination: 'IT-ROME', checkIn: '2027-06-01', checkOut: '2027-06-04', currency: 'GBP' };

const rate = (overrides: Record<string, unknown> = {}) => ({
  category: 'DBL',
  ratePlan: 'BAR',
  boardBasis: 'BB',
  validFrom: '2027-05-01',
  validTo: '2027-09-30',
  basis: 'PER_ROOM_PER_NIGHT',
  amount: '100.00',
  ...overrides,
});

const hotel = (code: string, overrides: Record<string, unknown> = {}) => ({
  type: 'HOTEL',
  supplierCode: 'AVS',
  code,
  name: `Hotel ${code}`,
  destination: 'IT-ROME',
  country: 'IT',
  currency: 'EUR',
  minPax: 1,
  maxPax: 6,
  categories: [{ code: 'DBL', name: 'Double', maxOccupancy: 3, standardOccupancy: 2 }],
  rates: [rate()],
  childBands: [{ minAge: 0, maxAge: 11, discountPercent: '50' }],
  ...overrides,
});

const contract = (productCode: string, overrides: Record<string, unknown> = {}) => ({
  code: `AV-${productCode}`,
  supplierCode: 'AVS',
  productCode,
  category: 'DBL',
  validFrom: '2027-05-15',
  validTo: '2027-06-30',
  quantity: 5,
  contractedPrice: '100.00',
  currency: 'EUR',
  basis: 'PER_ROOM_PER_NIGHT',
  release: { kind: 'NONE' },
  minGroupSize: 1,
  maxGroupSize: 10,
  ...overrides,
});

interface Option {
  productCode: string;
  ratePlan: string;
  totalSell: string;
  lines?: unknown[];
}
const codesOf = (body: { items: Option[] }) => body.items.map((o) => `${o.productCode}/${o.ratePlan}`);

describe('availability search, prices and holds API (embedded PGlite)', () => {
  let db: Database;
  let app: express.Express;
  let stopId: string;

  beforeAll(async () => {
    db = await openTestPglite();
    await new PrismaFxRates(db.prisma).importQuotes([
      { source: 'ECB', base: 'EUR', quote: 'GBP', rate: '0.85', rateDate: '2027-04-30' },
      { source: 'ECB', base: 'EUR', quote: 'USD', rate: '1.25', rateDate: '2027-04-30' },
    ]);
    ({ app } = catalogTestApp(db, { today: () => '2027-05-01', operatorTimeZone: 'Europe/Rome', now: () => NOW }));

    await request(app)
      .post('/catalog/suppliers')
      .send({
        code: 'AVS',
        name: 'Availability supplier',
        type: 'HOTEL',
        iban: 'DE89370400440532013000',
        paymentTerms: { depositPercent: '25', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30 },
        preferredPaymentMethod: 'BANK_TRANSFER',
        invoiceCurrency: 'EUR',
        paymentCurrency: 'EUR',
      })
      .expect(201);
    const products = [
      hotel('H-A'),
      // A second plan that stops before the stay: priced options skip it, with the reason.
      hotel('H-B', { rates: [rate({ amount: '150.00' }), rate({ ratePlan: 'NRF', amount: '90.00', validTo: '2027-05-31' })] }),
      hotel('H-STOP', { rates: [rate({ amount: '80.00' })] }),
      hotel('H-SOLD', { rates: [rate({ amount: '90.00' })] }),
      hotel('H-USD', { currency: 'USD', rates: [rate({ amount: '125.00' })] }),
      hotel('H-NOINV', { rates: [rate({ amount: '10.00' })] }),
      hotel('H-SMALL', { categories: [{ code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 2 }], rates: [rate({ amount: '120.00' })] }),
      hotel('H-MILAN', { destination: 'IT-MILAN' }),
      {
        type: 'TOUR',
        supplierCode: 'AVS',
        code: 'T-3N',
        name: 'Three nights of Rome',
        destination: 'IT-ROME',
        country: 'IT',
        currency: 'EUR',
        minPax: 1,
        maxPax: 20,
        categories: [{ code: 'DBL', name: 'Twin room', maxOccupancy: 2, standardOccupancy: 2 }],
        rates: [rate({ boardBasis: 'HB', basis: 'PER_PERSON', amount: '400.00' })],
        itinerary: [{ day: 1, title: 'Rome' }],
        durationNights: 3,
        departures: [{ date: '2027-06-01' }],
        guaranteedThreshold: 4,
      },
    ];
    for (const p of products) await request(app).post('/catalog/products').send(p).expect(201);
    for (const code of ['H-A', 'H-B', 'H-STOP', 'H-USD', 'H-SMALL', 'H-MILAN']) await request(app).post('/catalog/contracts').send(contract(code)).expect(201);
    await request(app).post('/catalog/contracts').send(contract('H-SOLD', { quantity: 1 })).expect(201);
    await request(app).post('/catalog/contracts').send(contract('T-3N', { validFrom: '2027-06-01', validTo: '2027-06-01', basis: 'PER_PERSON' })).expect(201);
    await request(app).put('/catalog/markup-rules').send({ productType: 'HOTEL', channel: null, percent: '10' }).expect(201);
    const stop = await request(app).post('/catalog/stop-sales').send({ supplierCode: 'AVS', productCode: 'H-STOP', category: null, from: '2027-06-02', to: '2027-06-02', reason: 'Event' }).expect(201);
    stopId = stop.body.id;
    await request(app).post('/catalog/sales').send({ reference: 'AV-SOLD-1', supplierCode: 'AVS', productCode: 'H-SOLD', category: 'DBL', from: '2027-06-03', nights: 1, quantity: 1 }).expect(201);
  });
  afterAll(() => db?.close());

  it('returns priced options cheapest first, leaving out stop sales, sold-out nights, missing inventory and other destinations', async () => {
    const res = await request(app).get('/catalog/availability').query({ ...STAY, adults: 2 }).expect(200);
    // The answers have the shapes the OpenAPI document gives them.
    AvailabilityResponse.parse(res.body);
    // GBP: EUR costs x 1.10 markup (hotels; the tour has none) x 0.85; USD at 0.85 / 1.25 (cross via EUR).
    expect(res.body.items.map((o: Option) => [o.productCode, o.ratePlan, o.totalSell])).toEqual([
      ['H-A', 'BAR', '280.50'],
      ['H-USD', 'BAR', '280.50'],
      ['H-SMALL', 'BAR', '336.60'],
      ['H-B', 'BAR', '420.75'],
      ['T-3N', 'BAR', '680.00'],
    ]);
    expect(res.body.items[0]).toMatchObject({
      supplierCode: 'AVS',
      productName: 'Hotel H-A',
      type: 'HOTEL',
      category: 'DBL',
      categoryName: 'Double',
      boardBasis: 'BB',
      available: 5,
      currency: 'GBP',
      totalCost: '300.00',
      costCurrency: 'EUR',
      fxRate: '0.85',
    });
    expect(res.body.items[0].lines).toBeUndefined();
    expect(res.body).toMatchObject({ nights: 3, units: [{ adults: 2, childAges: [] }], total: 5, nextCursor: null });
    expect(res.body.skipped).toEqual({ count: 1, reasons: [expect.objectContaining({ productCode: 'H-B', ratePlan: 'NRF', reason: expect.stringMatching(/no DBL\/NRF rate/) })] });
  });

  it('filters by type and occupancy, shows price lines on request, and pages by cursor', async () => {
    const family = await request(app).get('/catalog/availability').query({ ...STAY, adults: 2, childAges: '5', type: 'HOTEL', detail: 'true' }).expect(200);
    AvailabilityResponse.parse(family.body);
    // The 2-person rooms (H-SMALL, the tour's twin) do not take a third person.
    expect(codesOf(family.body)).toEqual(['H-A/BAR', 'H-USD/BAR', 'H-B/BAR']);
    expect(family.body.items[0].lines.length).toBeGreaterThan(0);

    const first = await request(app).get('/catalog/availability').query({ ...STAY, limit: 2 }).expect(200);
    AvailabilityResponse.parse(first.body);
    expect(codesOf(first.body)).toEqual(['H-A/BAR', 'H-USD/BAR']);
    const second = await request(app).get('/catalog/availability').query({ ...STAY, limit: 2, cursor: first.body.nextCursor }).expect(200);
    const third = await request(app).get('/catalog/availability').query({ ...STAY, limit: 2, cursor: second.body.nextCursor }).expect(200);
    expect([...codesOf(second.body), ...codesOf(third.body)]).toEqual(['H-SMALL/BAR', 'H-B/BAR', 'T-3N/BAR']);
    expect(third.body.nextCursor).toBeNull();

    const twoRooms = await request(app).get('/catalog/availability').query({ ...STAY, adults: 3, rooms: 2, type: 'HOTEL' }).expect(200);
    expect(twoRooms.body.units).toEqual([
      { adults: 2, childAges: [] },
      { adults: 1, childAges: [] },
    ]);
    expect(await request(app).get('/catalog/availability').query({ ...STAY, destination: 'XX-NOWHERE' }).expect(200)).toMatchObject({ body: { items: [], total: 0 } });
  });

  it('shows a product again once its stop sale is lifted or its sold night is cancelled', async () => {
    await request(app).delete(`/catalog/stop-sales/${stopId}`).expect(204);
    await request(app).delete('/catalog/holds/AV-SOLD-1').expect(200);
    const res = await request(app).get('/catalog/availability').query({ ...STAY, type: 'HOTEL' }).expect(200);
    expect(codesOf(res.body)).toEqual(['H-STOP/BAR', 'H-SOLD/BAR', 'H-A/BAR', 'H-USD/BAR', 'H-SMALL/BAR', 'H-B/BAR']);
    await request(app).post('/catalog/sales').send({ reference: 'AV-SOLD-2', supplierCode: 'AVS', productCode: 'H-SOLD', category: 'DBL', from: '2027-06-03', nights: 1, quantity: 1 }).expect(201);
  });

  it('answers 400 naming every bad search parameter', async () => {
    const bad = await request(app)
      .get('/catalog/availability')
      .query({ destination: 'IT-ROME', checkIn: '2027-06-04', checkOut: '2027-06-01', childAges: '5,x', currency: 'XXX', rooms: 3, adults: 2, type: 'CRUISE' })
      .expect(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['query:/checkOut', 'query:/childAges', 'query:/currency', 'query:/rooms', 'query:/type']);
    const past = await request(app).get('/catalog/availability').query({ ...STAY, checkIn: '2027-04-01', checkOut: '2027-04-03' }).expect(400);
    expect(past.body.errors).toEqual([{ pointer: 'query:/checkIn', detail: 'must not be before today (2027-05-01)' }]);
    await request(app).get('/catalog/availability').query({ ...STAY, cursor: 'bm90LWEtY3Vyc29y' }).expect(400);
    const missing = await request(app).get('/catalog/availability').query({}).expect(400);
    expect(missing.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['query:/checkIn', 'query:/checkOut', 'query:/currency', 'query:/destination']);
  });

  it('prices one request, or lists every problem', async () => {
    const price = await request(app)
      .post('/catalog/price')
      .send({ supplierCode: 'AVS', productCode: 'H-A', category: 'DBL', startDate: '2027-06-01', nights: 3, units: [{ adults: 2, childAges: [] }], channel: 'direct', sellingCurrency: 'EUR' })
      .expect(200);
    PriceBreakdownResponse.parse(price.body);
    expect(price.body).toMatchObject({ productCode: 'H-A', ratePlan: 'BAR', fxRate: '1', totalCost: '300.00', totalSell: '330.00', sellingCurrency: 'EUR' });
    const bad = await request(app)
      .post('/catalog/price')
      .send({ supplierCode: 'AVS', productCode: 'H-A', category: 'SUITE', startDate: '2027-06-01', nights: 3, units: [{ adults: 2, childAges: [14] }], sellingCurrency: 'GBP' })
      .expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/category', '/units/0/childAges/0']));
    const unknown = await request(app).post('/catalog/price').send({ supplierCode: 'AVS', productCode: 'NOPE', category: 'DBL', startDate: '2027-06-01', nights: 1, units: [{ adults: 1 }], sellingCurrency: 'EUR' }).expect(422);
    expect(unknown.body.errors).toEqual([{ pointer: '/productCode', detail: 'supplier AVS has no product NOPE' }]);
    const malformed = await request(app).post('/catalog/price').send({ supplierCode: 'AVS', productCode: 'H-A', nights: -1, units: [], sellingCurrency: 'EURO' }).expect(422);
    expect([...new Set(malformed.body.errors.map((e: { pointer: string }) => e.pointer))]).toEqual(['/category', '/startDate', '/nights', '/units', '/sellingCurrency']);
  });

  it('holds: 201 then 200 on repeat, 409 for a reused reference, sold-out, stop sale and missing allotment; confirm and cancel', async () => {
    const body = { reference: 'AV-HOLD-1', supplierCode: 'AVS', productCode: 'H-A', category: 'DBL', from: '2027-06-01', nights: 3, quantity: 2, ttlSeconds: 600 };
    const held = await request(app).post('/catalog/holds').send(body).expect(201);
    HoldResponse.parse(held.body);
    expect(held.headers.location).toBe('/catalog/holds/AV-HOLD-1');
    expect(held.body).toMatchObject({ reference: 'AV-HOLD-1', supplierCode: 'AVS', productCode: 'H-A', status: 'HELD', from: '2027-06-01', toExclusive: '2027-06-04', nights: 3, quantity: 2, expiresAt: '2027-05-01T10:10:00.000Z' });
    HoldResponse.parse((await request(app).post('/catalog/holds').send(body).expect(200)).body);
    HoldResponse.parse((await request(app).get('/catalog/holds/AV-HOLD-1').expect(200)).body);
    const reused = await request(app).post('/catalog/holds').send({ ...body, quantity: 3 }).expect(409);
    expect(reused.body).toMatchObject({ type: '/problems/inventory-reference-conflict', errors: [{ pointer: '/reference' }] });

    const soldOut = await request(app).post('/catalog/holds').send({ ...body, reference: 'AV-HOLD-2', productCode: 'H-SOLD', quantity: 1 }).expect(409);
    expect(soldOut.body).toMatchObject({ type: '/problems/sold-out', title: 'Sold out', dates: ['2027-06-03'] });
    expect(soldOut.body.detail).toMatch(/^sold out: .*2027-06-03/);
    await request(app).post('/catalog/stop-sales').send({ supplierCode: 'AVS', productCode: 'H-B', category: 'DBL', from: '2027-06-02', to: '2027-06-02', reason: 'Closed' }).expect(201);
    const stopped = await request(app).post('/catalog/holds').send({ ...body, reference: 'AV-HOLD-3', productCode: 'H-B' }).expect(409);
    expect(stopped.body).toMatchObject({ type: '/problems/stop-sale', dates: ['2027-06-02'] });
    const none = await request(app).post('/catalog/holds').send({ ...body, reference: 'AV-HOLD-4', productCode: 'H-NOINV' }).expect(409);
    expect(none.body.type).toBe('/problems/no-allotment');
    const invalid = await request(app).post('/catalog/holds').send({ reference: 'bad ref', supplierCode: 'AVS', productCode: 'H-A', category: 'DBL', from: '2027-02-30', nights: 0, quantity: 0, ttlSeconds: 5 }).expect(422);
    expect(invalid.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/reference', '/from', '/nights', '/quantity', '/ttlSeconds']);

    const inventory = await request(app).get('/catalog/inventory').query({ supplier: 'AVS', product: 'H-A', from: '2027-06-01', to: '2027-06-03' }).expect(200);
    InventoryResponse.parse(inventory.body);
    // The deprecated names answer the same; without a product it is refused, naming it.
    expect((await request(app).get('/catalog/inventory').query({ supplierCode: 'AVS', productCode: 'H-A', from: '2027-06-01', to: '2027-06-03' }).expect(200)).body).toEqual(inventory.body);
    const missing = await request(app).get('/catalog/inventory').query({ supplier: 'AVS', from: '2027-06-01', to: '2027-06-03' }).expect(400);
    expect(missing.body.errors).toEqual([{ pointer: 'query:/product', detail: 'is required' }]);
    expect(inventory.body.categories[0].dates.map((d: { held: number; available: number }) => [d.held, d.available])).toEqual([
      [2, 3],
      [2, 3],
      [2, 3],
    ]);
    const confirmed = await request(app).post('/catalog/holds/AV-HOLD-1/confirm').expect(200);
    HoldResponse.parse(confirmed.body);
    expect(confirmed.body).toMatchObject({ status: 'SOLD', expiresAt: null });
    await request(app).post('/catalog/holds/NOPE/confirm').expect(404);
    expect(HoldResponse.parse((await request(app).delete('/catalog/holds/AV-HOLD-1').expect(200)).body).status).toBe('CANCELLED');
    const back = await request(app).get('/catalog/inventory').query({ supplierCode: 'AVS', productCode: 'H-A', category: 'DBL', from: '2027-06-01', to: '2027-06-01' }).expect(200);
    expect(back.body.categories[0].dates[0]).toMatchObject({ held: 0, sold: 0, available: 5 });
  });

  it('shows a group allotment only to a party within its group size, and refuses a hold outside it', async () => {
    await request(app).post('/catalog/products').send(hotel('H-GROUP', { maxPax: 60, rates: [rate({ amount: '20.00' })] })).expect(201);
    await request(app).post('/catalog/contracts').send(contract('H-GROUP', { quantity: 20, minGroupSize: 10, maxGroupSize: 40 })).expect(201);
    const couple = await request(app).get('/catalog/availability').query({ ...STAY, adults: 2 }).expect(200);
    expect(codesOf(couple.body)).not.toContain('H-GROUP/BAR');
    const group = await request(app).get('/catalog/availability').query({ ...STAY, adults: 12, rooms: 6 }).expect(200);
    expect(codesOf(group.body)).toContain('H-GROUP/BAR');
    const hold = { reference: 'AV-GROUP-1', supplierCode: 'AVS', productCode: 'H-GROUP', category: 'DBL', from: '2027-06-01', nights: 3, quantity: 1 };
    const refused = await request(app).post('/catalog/holds').send({ ...hold, pax: 2 }).expect(422);
    expect(refused.body).toMatchObject({ errors: [{ pointer: '/pax' }] });
    expect(refused.body.detail).toContain('10–40');
    await request(app).post('/catalog/holds').send({ ...hold, reference: 'AV-GROUP-2', quantity: 6, pax: 12 }).expect(201);
  });
});
