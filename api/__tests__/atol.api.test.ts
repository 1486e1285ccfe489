import express from 'express';
import request from 'supertest';
import { PrismaAtolStore } from '../../activities/atol.prisma';
import { seedChartOfAccounts } from '../../activities/chart-seed.prisma';
import { PrismaLedger } from '../../activities/ledger.prisma';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { errorHandler } from '../error-handler';
import { atolRoutes } from '../routes/atol.routes';

describe('ATOL API (embedded PGlite)', () => {
  let db: Database;
  let app: express.Express;

  const booking = (bookingRef: string, overrides: Record<string, unknown> = {}) => ({
    bookingRef,
    bookingDate: '2027-01-05',
    sellerCountry: 'GB',
    passengers: 2,
    departureDate: '2027-02-14',
    revenue: { amount: '980.00', currency: 'GBP' },
    components: [{ type: 'flight' }, { type: 'transfer' }],
    ...overrides,
  });

  beforeAll(async () => {
    db = await openTestPglite();
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
    const atol = new PrismaAtolStore(db.prisma, new PrismaLedger(db.prisma));
    await atol.seedDefaultAtolRules();
    app = express();
    app.use(express.json());
    app.use(atolRoutes({ atol }));
    app.use(errorHandler);
  });
  afterAll(() => db?.close());

  it('classifies, posts the APC and answers 201; the same booking again is 200; other facts 409', async () => {
    const first = await request(app).post('/finance/atol/classifications').send(booking('ITN-API1')).expect(201);
    expect(first.body).toMatchObject({
      bookingRef: 'ITN-API1',
      classification: 'PACKAGE',
      protected: true,
      rule: { name: 'flight-package' },
      contribution: { amount: '5.00', currency: 'GBP' },
      entryId: expect.any(String),
    });
    const again = await request(app).post('/finance/atol/classifications').send(booking('ITN-API1')).expect(200);
    expect(again.body.entryId).toBe(first.body.entryId);
    const clash = await request(app).post('/finance/atol/classifications').send(booking('ITN-API1', { passengers: 3 })).expect(409);
    expect(clash.body).toMatchObject({ type: '/problems/atol-booking-conflict', detail: expect.stringContaining('passengers was 2, now 3') });
    const stored = await request(app).get('/finance/atol/classifications/ITN-API1').expect(200);
    expect(stored.body).toMatchObject({ classification: 'PACKAGE', passengers: 2 });
    await request(app).get('/finance/atol/classifications/ITN-NONE').expect(404);
  });

  it('answers exempt bookings without an APC, and bad facts with 422 naming each field', async () => {
    const exempt = await request(app)
      .post('/finance/atol/classifications')
      .send(booking('ITN-API2', { components: [{ type: 'flight', ticketIssuedAt: '2027-01-05' }] }))
      .expect(201);
    expect(exempt.body).toMatchObject({ classification: 'FLIGHT_ONLY_EXEMPT', protected: false, contribution: null, entryId: null });
    const bad = await request(app)
      .post('/finance/atol/classifications')
      .send(booking('ITN-API3', { sellerCountry: 'UK1', passengers: 1.5, components: [{ type: 'boat' }], revenue: { amount: 12, currency: 'GBP' } }))
      .expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/sellerCountry', '/passengers', '/revenue/amount', '/components/0/type']);
    const old = await request(app).post('/finance/atol/classifications').send(booking('ITN-API4', { bookingDate: '2010-01-01' })).expect(422);
    expect(old.body.detail).toBe('No ATOL classification rule is in force on 2010-01-01');
  });

  it('lists rules in force and takes validated new versions', async () => {
    const inForce = await request(app).get('/finance/atol/rules').query({ asOf: '2027-01-01' }).expect(200);
    expect(inForce.body.rules.map((r: { name: string }) => r.name)).toEqual([
      'seller-outside-uk',
      'no-flight',
      'linked-travel-arrangement',
      'flight-package',
      'flight-only-ticket-issued',
      'flight-only',
    ]);
    expect(inForce.body.contributionRates).toEqual([{ effectiveFrom: '2012-04-01', perPassenger: '2.50', currency: 'GBP' }]);
    const rule = { name: 'seller-outside-uk', priority: 10, effectiveFrom: '2028-01-01', criteria: { sellerCountry: { notIn: ['GB', 'GG', 'JE', 'IM'] } }, classification: 'NOT_APPLICABLE' };
    expect((await request(app).post('/finance/atol/rules').send(rule).expect(201)).body).toMatchObject({ ...rule, effectiveTo: null, id: expect.any(String) });
    await request(app).post('/finance/atol/rules').send(rule).expect(200);
    await request(app).post('/finance/atol/rules').send({ ...rule, priority: 11 }).expect(409);
    const bad = await request(app).post('/finance/atol/rules').send({ ...rule, effectiveTo: '2027-12-31', criteria: { hasFlight: 'yes' }, classification: 'X' }).expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/classification', '/criteria/hasFlight', '/effectiveTo']);
    await request(app).get('/finance/atol/rules').query({ asOf: '2027-02-30' }).expect(400);
  });

  it('registers licences and serves the passenger return as JSON and CSV', async () => {
    const licence = { number: '5432', holder: 'Itinera Travel, Ltd', turnoverBand: 'UP_TO_5M', validFrom: '2026-01-01' };
    expect((await request(app).post('/finance/atol/licences').send(licence).expect(201)).body).toMatchObject({ returnFrequency: 'QUARTERLY' });
    await request(app).post('/finance/atol/licences').send(licence).expect(200);
    await request(app).post('/finance/atol/licences').send({ ...licence, holder: 'Other' }).expect(409);
    const band = await request(app).post('/finance/atol/licences').send({ ...licence, number: '5433', turnoverBand: 'GIANT' }).expect(422);
    expect(band.body.detail).toContain('Unknown turnover band "GIANT"');
    expect((await request(app).get('/finance/atol/licences').expect(200)).body).toHaveLength(1);
    expect((await request(app).patch('/finance/atol/licences/5432').send({ turnoverBand: 'OVER_50M' }).expect(200)).body.returnFrequency).toBe('MONTHLY');
    await request(app).patch('/finance/atol/licences/5432').send({ turnoverBand: 'UP_TO_5M' }).expect(200);

    const json = await request(app).get('/finance/atol/returns').query({ licence: '5432', year: '2027' }).expect(200);
    expect(json.body.periods[0]).toMatchObject({ period: '2027-Q1', bookings: 1, passengers: { package: 2, total: 2 }, apcDue: [{ amount: '5.00', currency: 'GBP' }] });

    const csv = await request(app).get('/finance/atol/returns').query({ licence: '5432', year: '2027', format: 'csv' }).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe('attachment; filename="atol-return-5432-2027.csv"');
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe(
      'licence,holder,period,starts_on,ends_on,bookings,package_passengers,flight_only_passengers,total_passengers,apc_due_GBP,package_revenue_GBP,flight_only_revenue_GBP,total_revenue_GBP',
    );
    expect(lines[1]).toBe('5432,"Itinera Travel, Ltd",2027-Q1,2027-01-01,2027-03-31,1,2,0,2,5.00,980.00,0.00,980.00');
    expect(lines[5]).toBe('5432,"Itinera Travel, Ltd",TOTAL,2027-01-01,2027-12-31,1,2,0,2,5.00,980.00,0.00,980.00');

    await request(app).get('/finance/atol/returns').query({ licence: '9999', year: '2027' }).expect(404);
    const bad = await request(app).get('/finance/atol/returns').query({ licence: '5432', year: '27', format: 'xml' }).expect(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['query:/year', 'query:/format']);
  });
});
