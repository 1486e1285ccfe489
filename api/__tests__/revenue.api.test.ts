import express, { type Express } from 'express';
import request from 'supertest';
import { seedChartOfAccounts } from '../../activities/chart-seed.prisma';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { errorHandler } from '../error-handler';
import { revenueRoutes } from '../routes/revenue.routes';
import { DeferredByTravelMonthResponse, DeferredItemView, RecognitionRunResponse } from '../schemas/revenue.schema';

describe('deferred revenue API (embedded PGlite)', () => {
  let db: Database;
  let app: Express;

  const tour = (overrides: Record<string, unknown> = {}) => ({
    bookingRef: 'ITN-API00001',
    componentId: 'tour-1',
    productType: 'tours',
    channel: 'direct',
    amount: { amount: '1000.00', currency: 'GBP' },
    serviceStart: '2027-03-01',
    serviceEnd: '2027-03-10',
    ...overrides,
  });

  beforeAll(async () => {
    db = await openTestPglite();
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
    app = express();
    app.use(express.json());
    app.use(revenueRoutes({ prisma: db.prisma, operatorTimeZone: 'Europe/London' }));
    app.use(errorHandler);
  });
  afterAll(() => db?.close());

  it('defers a component (201), answers a repeat with 200, and a clash with 409', async () => {
    const created = await request(app).post('/finance/deferred-revenue').send(tour()).expect(201);
    // The answers have the shapes the OpenAPI document gives them.
    DeferredItemView.parse(created.body);
    expect(created.body).toMatchObject({ bookingRef: 'ITN-API00001', componentId: 'tour-1', status: 'OPEN', recognised: '0.00', remaining: '1000.00', policy: 'PRO_RATA_DAILY' });
    expect(created.headers.location).toBe('/finance/deferred-revenue/ITN-API00001/tour-1');
    const again = await request(app).post('/finance/deferred-revenue').send(tour()).expect(200);
    DeferredItemView.parse(again.body);
    expect(again.body).toEqual(created.body);
    const clash = await request(app).post('/finance/deferred-revenue').send(tour({ amount: { amount: '999.00', currency: 'GBP' } })).expect(409);
    expect(clash.body).toMatchObject({ type: '/problems/deferred-revenue-component-conflict', detail: expect.stringContaining('already deferred with amount 1000.00 GBP') });
    const got = await request(app).get('/finance/deferred-revenue/ITN-API00001/tour-1').expect(200);
    DeferredItemView.parse(got.body);
    expect(got.body).toEqual(created.body);
  });

  it('answers bad input with 422 naming every field, and an unknown product type too', async () => {
    const bad = await request(app)
      .post('/finance/deferred-revenue')
      .send(tour({ channel: 'pigeon', amount: { amount: '0', currency: 'GBP' }, serviceStart: '2027-03-10', serviceEnd: '2027-03-01', colour: 'red' }))
      .expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/amount/amount', '/channel', '/colour']);
    const reversed = await request(app).post('/finance/deferred-revenue').send(tour({ serviceStart: '2027-03-10', serviceEnd: '2027-03-01' })).expect(422);
    expect(reversed.body.errors).toEqual([{ pointer: '/serviceEnd', detail: 'must not be before serviceStart' }]);
    const unknown = await request(app).post('/finance/deferred-revenue').send(tour({ productType: 'spaceflights' })).expect(422);
    expect(unknown.body.errors).toEqual([{ pointer: '/productType', detail: expect.stringContaining('"spaceflights" is not a product type') }]);
  });

  it('runs recognition through a date, and a re-run posts nothing', async () => {
    const run = await request(app).post('/finance/revenue-recognition/run').send({ date: '2027-03-03' }).expect(200);
    RecognitionRunResponse.parse(run.body);
    expect(run.body).toEqual({ date: '2027-03-03', itemsRecognised: 1, entriesPosted: 1, amountsByCurrency: { GBP: '300.00' }, failures: [] });
    const rerun = await request(app).post('/finance/revenue-recognition/run').send({ date: '2027-03-03' }).expect(200);
    expect(rerun.body).toMatchObject({ itemsRecognised: 0, entriesPosted: 0, amountsByCurrency: {} });
    const bad = await request(app).post('/finance/revenue-recognition/run').send({ date: '3 March', batchSize: 0 }).expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/date', '/batchSize']);
  });

  it('reports what is still deferred by travel month', async () => {
    // Sold before the report date, whatever today's date is.
    await db.prisma.deferredRevenueItem.updateMany({ data: { createdAt: new Date('2027-02-01T12:00:00Z') } });
    const res = await request(app).get('/finance/deferred-revenue/by-travel-month').query({ asOf: '2027-03-03' }).expect(200);
    DeferredByTravelMonthResponse.parse(res.body);
    expect(res.body).toEqual({ asOf: '2027-03-03', months: [{ travelMonth: '2027-03', currency: 'GBP', items: 1, remaining: '700.00' }] });
    const bad = await request(app).get('/finance/deferred-revenue/by-travel-month').query({ asOf: 'yesterday' }).expect(400);
    expect(bad.body.errors[0].pointer).toBe('query:/asOf');
  });

  it('holds a no-show for supplier confirmation when the policy says so, then catches it up', async () => {
    await db.prisma.financeSettings.create({ data: { id: 1, baseCurrency: 'GBP', activeCurrencies: ['GBP'], noShowPolicy: 'SUPPLIER_CONFIRMATION' } });
    await request(app).post('/finance/deferred-revenue').send(tour({ bookingRef: 'ITN-API00002', serviceStart: '2027-04-01', serviceEnd: '2027-04-02' })).expect(201);
    const held = await request(app).post('/finance/deferred-revenue/ITN-API00002/tour-1/no-show').expect(200);
    DeferredItemView.parse(held.body);
    expect(held.body).toMatchObject({ status: 'AWAITING_SUPPLIER', noShowPolicy: 'SUPPLIER_CONFIRMATION' });
    const skipped = await request(app).post('/finance/revenue-recognition/run').send({ date: '2027-04-02' }).expect(200);
    expect(skipped.body.amountsByCurrency).toEqual({ GBP: '700.00' }); // only the March tour
    const confirmed = await request(app).post('/finance/deferred-revenue/ITN-API00002/tour-1/supplier-confirmation').send({ confirmedAt: '2027-04-02T10:00:00Z' }).expect(200);
    DeferredItemView.parse(confirmed.body);
    expect(confirmed.body).toMatchObject({ status: 'OPEN', supplierConfirmedAt: Date.parse('2027-04-02T10:00:00Z') });
    const caughtUp = await request(app).post('/finance/revenue-recognition/run').send({ date: '2027-04-02' }).expect(200);
    expect(caughtUp.body).toMatchObject({ itemsRecognised: 1, amountsByCurrency: { GBP: '1000.00' } });
  });

  it('refuses supplier confirmation of a SCHEDULED_DATE no-show (409), unknown components (404) and bad ids (400)', async () => {
    const first = await request(app).post('/finance/deferred-revenue/ITN-API00001/tour-1/no-show').expect(200);
    expect(first.body).toMatchObject({ status: 'RECOGNISED', noShowPolicy: 'SCHEDULED_DATE' });
    const refused = await request(app).post('/finance/deferred-revenue/ITN-API00001/tour-1/supplier-confirmation').send({}).expect(409);
    expect(refused.body.detail).toContain('not awaiting a supplier');
    const missing = await request(app).post('/finance/deferred-revenue/ITN-NOPE/tour-1/no-show').expect(404);
    expect(missing.body.detail).toBe('No deferred component tour-1 on booking ITN-NOPE');
    const badId = await request(app).post('/finance/deferred-revenue/ITN-API00001/%20tour/no-show').expect(400);
    expect(badId.body.errors[0].pointer).toBe('path:componentId');
    const badTime = await request(app).post('/finance/deferred-revenue/ITN-API00002/tour-1/supplier-confirmation').send({ confirmedAt: 'noon' }).expect(422);
    expect(badTime.body.errors[0].pointer).toBe('/confirmedAt');
  });

  it('refuses a foreign-currency component without a rate on its booking date (422), and stores the rate when there is one', async () => {
    const usd = tour({ bookingRef: 'ITN-API00003', amount: { amount: '500.00', currency: 'USD' }, serviceStart: '2027-05-01', serviceEnd: '2027-05-02', bookingDate: '2027-01-14' });
    const missing = await request(app).post('/finance/deferred-revenue').send(usd).expect(422);
    expect(missing.body).toMatchObject({ type: '/problems/deferred-revenue-rate-missing', errors: [{ pointer: '/amount/currency', detail: expect.stringContaining('No USD/GBP rate for 2027-01-14') }] });
    await db.prisma.fxRate.create({ data: { source: 'ECB', baseCurrency: 'USD', quoteCurrency: 'GBP', rate: '0.79', rateDate: new Date('2027-01-14T00:00:00Z') } });
    const created = await request(app).post('/finance/deferred-revenue').send(usd).expect(201);
    DeferredItemView.parse(created.body);
    expect(created.body).toMatchObject({ deferredAccount: 'liability:deferred-revenue:tours', revenueAccount: 'revenue:tours:direct', historicalRate: { baseCurrency: 'GBP', rate: '0.79', source: 'ECB', rateDate: '2027-01-14' } });
    const badDate = await request(app).post('/finance/deferred-revenue').send({ ...usd, bookingDate: 'January' }).expect(422);
    expect(badDate.body.errors).toEqual([{ pointer: '/bookingDate', detail: 'must be a calendar date written YYYY-MM-DD' }]);
  });

  it('cancels a component with its date (200, repeat unchanged), refusing a recognised one (409)', async () => {
    const cancelled = await request(app).post('/finance/deferred-revenue/ITN-API00003/tour-1/cancel').send({ cancelledAt: '2027-02-01T09:00:00Z' }).expect(200);
    DeferredItemView.parse(cancelled.body);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancelledAt: Date.parse('2027-02-01T09:00:00Z') });
    const again = await request(app).post('/finance/deferred-revenue/ITN-API00003/tour-1/cancel').send({}).expect(200);
    expect(again.body.cancelledAt).toBe(Date.parse('2027-02-01T09:00:00Z'));
    await request(app).post('/finance/deferred-revenue/ITN-API00001/tour-1/cancel').send({}).expect(409);
    const bad = await request(app).post('/finance/deferred-revenue/ITN-API00003/tour-1/cancel').send({ cancelledAt: 'Tuesday' }).expect(422);
    expect(bad.body.errors[0].pointer).toBe('/cancelledAt');
  });
});
