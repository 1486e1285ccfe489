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
import { AtolClassificationResponse, AtolLicencePageResponse, AtolLicenceView, AtolRecordView, AtolReturnResponse, AtolRulesResponse } from '../schemas/atol.schema';
import { expectPagingRefusals, walkPages } from '../../test/support/paging';
import { AtolRuleView } from '../openapi/responses';

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

  it('registers licences with their return frequency', async () => {
    const licence = { number: '5432', holder: 'Itinera Travel, Ltd', turnoverBand: 'UP_TO_5M', validFrom: '2026-01-01' };
    const created = await request(app).post('/finance/atol/licences').send(licence).expect(201);
    // The answers have the shapes the OpenAPI document gives them.
    AtolLicenceView.parse(created.body);
    AtolLicenceView.parse((await request(app).get(created.headers.location!).expect(200)).body);
    expect(created.body).toMatchObject({ returnFrequency: 'QUARTERLY' });
    expect((await request(app).get(created.headers.location!).expect(200)).body).toMatchObject({ number: '5432', holder: licence.holder });
    expect((await request(app).post('/finance/atol/licences').send(licence).expect(200)).headers.location).toBeUndefined();
    await request(app).post('/finance/atol/licences').send({ ...licence, holder: 'Other' }).expect(409);
    const band = await request(app).post('/finance/atol/licences').send({ ...licence, number: '5433', turnoverBand: 'GIANT' }).expect(422);
    expect(band.body.detail).toContain('Unknown turnover band "GIANT"');
    expect(AtolLicencePageResponse.parse((await request(app).get('/finance/atol/licences').expect(200)).body)).toEqual({ items: [expect.objectContaining({ number: '5432' })], nextCursor: null });
    expect(AtolLicenceView.parse((await request(app).patch('/finance/atol/licences/5432').send({ turnoverBand: 'OVER_50M' }).expect(200)).body).returnFrequency).toBe('MONTHLY');
    await request(app).patch('/finance/atol/licences/5432').send({ turnoverBand: 'UP_TO_5M' }).expect(200);
  });

  it('classifies, posts the APC and answers 201; the same booking again is 200; other facts 409', async () => {
    const first = await request(app).post('/finance/atol/classifications').send(booking('ITN-API1')).expect(201);
    AtolClassificationResponse.parse(first.body);
    expect(first.body).toMatchObject({
      bookingRef: 'ITN-API1',
      classification: 'PACKAGE',
      protected: true,
      licenceNumber: '5432',
      rule: { name: 'flight-package' },
      contribution: { amount: '5.00', currency: 'GBP' },
      entryId: expect.any(String),
    });
    expect(first.headers.location).toBe('/finance/atol/classifications/ITN-API1');
    const again = await request(app).post('/finance/atol/classifications').send(booking('ITN-API1')).expect(200);
    AtolClassificationResponse.parse(again.body);
    expect(again.body.entryId).toBe(first.body.entryId);
    const clash = await request(app).post('/finance/atol/classifications').send(booking('ITN-API1', { passengers: 3 })).expect(409);
    expect(clash.body).toMatchObject({ type: '/problems/atol-booking-conflict', detail: 'Booking ITN-API1 was already classified with other facts: passengers was 2, now 3' });
    const stored = await request(app).get('/finance/atol/classifications/ITN-API1').expect(200);
    AtolRecordView.parse(stored.body);
    expect(stored.body).toMatchObject({ classification: 'PACKAGE', passengers: 2, licenceNumber: '5432', bookingDate: '2027-01-05', factsHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
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

  it('refuses a protected booking without a licence valid on its booking date, and a named licence that is not', async () => {
    // Licence 5432 is valid from 2026-01-01.
    const none = await request(app).post('/finance/atol/classifications').send(booking('ITN-LIC1', { bookingDate: '2025-12-31' })).expect(422);
    expect(none.body).toMatchObject({
      type: '/problems/atol-no-licence-in-force',
      detail: expect.stringContaining('no ATOL licence is valid on its booking date 2025-12-31: a UK seller may not sell ATOL-protected bookings without a licence'),
    });
    const unknown = await request(app).post('/finance/atol/classifications').send(booking('ITN-LIC2', { licenceNumber: '9999' })).expect(422);
    expect(unknown.body).toMatchObject({ type: '/problems/atol-invalid-licence', errors: [{ pointer: '/licenceNumber', detail: 'no ATOL licence 9999 is registered' }] });
    const early = await request(app).post('/finance/atol/classifications').send(booking('ITN-LIC3', { bookingDate: '2025-12-31', licenceNumber: '5432' })).expect(422);
    expect(early.body.errors).toEqual([{ pointer: '/licenceNumber', detail: 'licence 5432 is valid from 2026-01-01, not on the booking date 2025-12-31' }]);
    const malformed = await request(app).post('/finance/atol/classifications').send(booking('ITN-LIC4', { licenceNumber: 'no spaces' })).expect(422);
    expect(malformed.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/licenceNumber']);
    await request(app).get('/finance/atol/classifications/ITN-LIC1').expect(404);
  });

  it('lists rules in force and takes validated new versions', async () => {
    const inForce = await request(app).get('/finance/atol/rules').query({ asOf: '2027-01-01' }).expect(200);
    AtolRulesResponse.parse(inForce.body);
    AtolRulesResponse.parse((await request(app).get('/finance/atol/rules').expect(200)).body);
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
    const added = await request(app).post('/finance/atol/rules').send(rule).expect(201);
    AtolRuleView.parse(added.body);
    expect(added.body).toMatchObject({ ...rule, effectiveTo: null, id: expect.any(String) });
    expect(added.headers.location).toBe(`/finance/atol/rules/${added.body.id}`);
    expect((await request(app).get(added.headers.location!).expect(200)).body).toEqual(added.body);
    const again = await request(app).post('/finance/atol/rules').send(rule).expect(200);
    expect(again.headers.location).toBeUndefined();
    expect(AtolRuleView.parse(again.body)).toEqual(added.body);
    const unknown = await request(app).get('/finance/atol/rules/00000000-0000-4000-8000-000000000000').expect(404);
    expect(unknown.type).toBe('application/problem+json');
    expect(unknown.body).toMatchObject({ status: 404, detail: 'No ATOL rule version 00000000-0000-4000-8000-000000000000' });
    const malformed = await request(app).get('/finance/atol/rules/flight-package').expect(400);
    expect(malformed.body.errors).toEqual([{ pointer: 'path:/id', detail: 'must be an ATOL rule id (a UUID)' }]);
    const duplicate = await request(app).post('/finance/atol/rules').send({ ...rule, priority: 11 }).expect(409);
    expect(duplicate.body).toMatchObject({
      type: '/problems/atol-rule-conflict',
      detail: expect.stringMatching(/^Rule "seller-outside-uk" already has a version effective from 2028-01-01 \(id [0-9a-f-]{36}\) with other content \(priority 10, not 11\)/),
    });
    const bad = await request(app).post('/finance/atol/rules').send({ ...rule, effectiveTo: '2027-12-31', criteria: { hasFlight: 'yes' }, classification: 'X' }).expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/classification', '/criteria/hasFlight', '/effectiveTo']);
    await request(app).get('/finance/atol/rules').query({ asOf: '2027-02-30' }).expect(400);
  });

  it('serves the passenger return of each licence as JSON and CSV', async () => {
    const json = await request(app).get('/finance/atol/returns').query({ licence: '5432', year: '2027' }).expect(200);
    AtolReturnResponse.parse(json.body);
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

    // A second licence: each return counts only the bookings sold under it.
    await request(app).post('/finance/atol/licences').send({ number: '6543', holder: 'Itinera Holidays Ltd', turnoverBand: 'OVER_50M', validFrom: '2027-01-01' }).expect(201);
    const ambiguous = await request(app).post('/finance/atol/classifications').send(booking('ITN-API5', { passengers: 3 })).expect(422);
    expect(ambiguous.body).toMatchObject({ type: '/problems/atol-licence-ambiguous', errors: [{ pointer: '/licenceNumber', detail: 'must name the licence the booking is sold under: one of 5432, 6543' }] });
    expect((await request(app).post('/finance/atol/classifications').send(booking('ITN-API5', { passengers: 3, licenceNumber: '6543' })).expect(201)).body.licenceNumber).toBe('6543');
    const own = await request(app).get('/finance/atol/returns').query({ licence: '5432', year: '2027' }).expect(200);
    expect(own.body.total).toMatchObject({ bookings: 1, passengers: { total: 2 } });
    const other = await request(app).get('/finance/atol/returns').query({ licence: '6543', year: '2027' }).expect(200);
    expect(other.body.periods[1]).toMatchObject({ period: '2027-02', bookings: 1, passengers: { package: 3 }, apcDue: [{ amount: '7.50', currency: 'GBP' }] });
    expect(other.body.total).toMatchObject({ bookings: 1, passengers: { total: 3 } });

    await request(app).get('/finance/atol/returns').query({ licence: '9999', year: '2027' }).expect(404);
    const bad = await request(app).get('/finance/atol/returns').query({ licence: '5432', year: '27', format: 'xml' }).expect(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['query:/year', 'query:/format']);
  });

  it('pages licences by number with limit and cursor; a cursor it did not hand out is 400', async () => {
    for (const number of ['9003', '9001', '9002']) {
      await request(app).post('/finance/atol/licences').send({ number, holder: `Holder ${number}`, turnoverBand: 'UP_TO_5M', validFrom: '2030-01-01' }).expect(201);
    }
    const all = (await request(app).get('/finance/atol/licences').expect(200)).body;
    expect(all.nextCursor).toBeNull();
    expect(all.items.map((l: { number: string }) => l.number).slice(-3)).toEqual(['9001', '9002', '9003']);

    expect(await walkPages(app, '/finance/atol/licences')).toEqual(all.items);
    await expectPagingRefusals(app, '/finance/atol/licences', ['garbage', Buffer.from('["9001","extra"]').toString('base64url')]);
  });
});
