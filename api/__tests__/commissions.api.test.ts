import express from 'express';
import { pinoHttp } from 'pino-http';
import request from 'supertest';
import { seedChartOfAccounts } from '../../activities/chart-seed.prisma';
import { PrismaCommissions } from '../../activities/commissions.prisma';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import type { Database } from '../../infra/database';
import { silentLogger } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { encodeCursor } from '../../activities/keyset-cursor';
import { errorHandler } from '../error-handler';
import { commissionRoutes } from '../routes/commissions.routes';
import { expectPagingRefusals, walkPages } from '../../test/support/paging';
import { CommissionRecordView, CommissionScheduleView, SubAgentView } from '../openapi/responses';
import { PageView } from '../schemas/answer.schema';

describe('commissions API (embedded PGlite)', () => {
  let db: Database;
  let app: express.Express;

  beforeAll(async () => {
    db = await openTestPglite();
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
    app = express();
    app.use(pinoHttp({ logger: silentLogger }));
    app.use(express.json());
    app.use(commissionRoutes({ commissions: new PrismaCommissions(db.prisma) }));
    app.use(errorHandler);
  });
  afterAll(() => db?.close());

  const hotelSchedule = {
    supplier: 'SUNHOTELS',
    productType: 'hotels',
    validFrom: '2027-01-01',
    validTo: '2027-12-31',
    basis: 'PERCENT',
    rate: '10',
    tiers: [{ threshold: '1000.00', basis: 'PERCENT', rate: '12.5' }],
  };
  const sale = { bookingRef: 'ITN-7K3M9QXZ', supplier: 'SUNHOTELS', productType: 'hotels', channel: 'agent', saleDate: '2027-05-14', saleAmount: { amount: '1200.00', currency: 'GBP' }, subAgentCode: 'SUNNY' };

  it('creates and lists schedules; a repeat is 200, an overlap 409 naming the clash, bad fields 422 with pointers', async () => {
    const created = await request(app).post('/finance/commission-schedules').send(hotelSchedule).expect(201);
    CommissionScheduleView.parse(created.body);
    expect(created.body).toMatchObject({ id: expect.any(String), supplier: 'SUNHOTELS', productType: 'hotels', rate: '10', currency: null, tiers: [{ threshold: '1000', rate: '12.5', fixedAmount: null }] });
    expect(created.headers.location).toBe(`/finance/commission-schedules/${created.body.id}`);
    expect((await request(app).get(created.headers.location!).expect(200)).body).toEqual(created.body);
    const repeat = await request(app).post('/finance/commission-schedules').send(hotelSchedule).expect(200);
    expect(repeat.headers.location).toBeUndefined();
    expect(CommissionScheduleView.parse(repeat.body)).toEqual(created.body);
    const clash = await request(app).post('/finance/commission-schedules').send({ ...hotelSchedule, validFrom: '2027-06-01', validTo: null, rate: '11' }).expect(409);
    expect(clash.body).toMatchObject({ type: '/problems/commission-overlapping-schedule', status: 409 });
    expect(clash.body.detail).toContain(`overlaps schedule ${created.body.id} (2027-01-01..2027-12-31)`);

    const bad = await request(app)
      .post('/finance/commission-schedules')
      .send({ supplier: 'SUNHOTELS', validFrom: '2027-02-01', validTo: '2027-01-31', basis: 'PERCENT', rate: '0', tiers: [{ threshold: '5', basis: 'FIXED', fixedAmount: '3' }, { threshold: '5.0', basis: 'PERCENT', rate: '150' }] })
      .expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/validTo', '/currency', '/rate', '/tiers/1/threshold', '/tiers/1/rate']);
    const malformed = await request(app).post('/finance/commission-schedules').send({ supplier: 'SUN HOTELS', validFrom: 'soon', basis: 'SOMETIMES', rate: 10 }).expect(422);
    expect(malformed.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/supplier', '/validFrom', '/basis', '/rate']);

    const listed = await request(app).get('/finance/commission-schedules').query({ supplier: 'SUNHOTELS', activeOn: '2027-05-14' }).expect(200);
    expect(listed.body).toEqual({ items: [created.body], nextCursor: null });
    PageView(CommissionScheduleView).parse(listed.body);
    await request(app).get('/finance/commission-schedules').query({ activeOn: 'tomorrow' }).expect(400);
  });

  it('creates and lists sub-agents', async () => {
    const created = await request(app).post('/finance/sub-agents').send({ code: 'SUNNY', name: 'Sunny Days Travel', rate: '3' }).expect(201);
    SubAgentView.parse(created.body);
    expect(created.headers.location).toBe('/finance/sub-agents/SUNNY');
    expect((await request(app).get(created.headers.location!).expect(200)).body).toEqual(created.body);
    const repeat = await request(app).post('/finance/sub-agents').send({ code: 'SUNNY', name: 'Sunny Days Travel', rate: '3.0' }).expect(200);
    expect(repeat.headers.location).toBeUndefined();
    expect(SubAgentView.parse(repeat.body)).toEqual(created.body);
    const conflict = await request(app).post('/finance/sub-agents').send({ code: 'SUNNY', name: 'Sunny Days Travel', rate: '4' }).expect(409);
    expect(conflict.body.detail).toBe('Sub-agent SUNNY already exists as "Sunny Days Travel" at 3%; it is not overwritten');
    const bad = await request(app).post('/finance/sub-agents').send({ code: 'SUNNY2', name: '', rate: '101' }).expect(422);
    await request(app).post('/finance/sub-agents').send({ code: 'SUNNY3', name: 'x', rate: 'lots' }).expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/name', '/rate']);
    const agents = (await request(app).get('/finance/sub-agents').expect(200)).body;
    expect(agents).toEqual({ items: [{ code: 'SUNNY', name: 'Sunny Days Travel', rate: '3', isActive: true }], nextCursor: null });
    PageView(SubAgentView).parse(agents);
  });

  it('records a sale: 201 with the commission and entry id, 200 on repeat, 409 for other content, listed by booking', async () => {
    const first = await request(app).post('/finance/commissions').send(sale).expect(201);
    CommissionRecordView.parse(first.body);
    expect(first.body).toMatchObject({
      bookingRef: 'ITN-7K3M9QXZ',
      commission: { amount: '120.00', currency: 'GBP' },
      tierThreshold: null,
      subAgentCommission: { amount: '36.00', currency: 'GBP' },
      entryId: expect.any(String),
      noSchedule: false,
    });
    expect(first.headers.location).toBe(`/finance/commissions/${first.body.id}`);
    expect((await request(app).get(first.headers.location!).expect(200)).body).toEqual(first.body);
    const again = await request(app).post('/finance/commissions').send(sale).expect(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBeUndefined();
    const changed = await request(app).post('/finance/commissions').send({ ...sale, saleAmount: { amount: '1300.00', currency: 'GBP' } }).expect(409);
    expect(changed.body.type).toBe('/problems/commission-sale-conflict');

    // The next sale of the supplier starts above the 1000 threshold: the 12.5% tier applies.
    const next = await request(app).post('/finance/commissions').send({ ...sale, bookingRef: 'ITN-7K3M9QY0', channel: 'direct', subAgentCode: undefined, saleAmount: { amount: '100.00', currency: 'GBP' } }).expect(201);
    CommissionRecordView.parse(next.body);
    expect(next.body).toMatchObject({ commission: { amount: '12.50' }, tierThreshold: '1000', subAgentCommission: null });

    const listed = await request(app).get('/finance/commissions').query({ bookingRef: 'ITN-7K3M9QXZ' }).expect(200);
    expect(listed.body).toEqual({ items: [first.body], nextCursor: null });
    PageView(CommissionRecordView).parse(listed.body);
    await request(app).get('/finance/commissions').expect(400);
  });

  it('answers bad sales with problems naming what is wrong', async () => {
    const unknown = await request(app).post('/finance/commissions').send({ ...sale, bookingRef: 'ITN-7K3M9QY1', subAgentCode: 'NOBODY' }).expect(422);
    expect(unknown.body).toMatchObject({ type: '/problems/commission-unknown-sub-agent', errors: [{ pointer: '/subAgentCode', detail: 'is not a known sub-agent' }] });
    const direct = await request(app).post('/finance/commissions').send({ ...sale, bookingRef: 'ITN-7K3M9QY1', channel: 'direct' }).expect(422);
    expect(direct.body.errors).toEqual([{ pointer: '/subAgentCode', detail: 'sub-agents earn commission on agent-channel sales only (channel is "direct")' }]);
    const shape = await request(app).post('/finance/commissions').send({ ...sale, productType: 'yachts', saleAmount: { amount: 1200, currency: 'GBP' }, extra: true }).expect(422);
    expect(shape.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/productType', '/saleAmount/amount', '/extra']);

    CommissionScheduleView.parse((await request(app).post('/finance/commission-schedules').send({ supplier: 'FIXEDCO', validFrom: '2027-01-01', basis: 'FIXED', fixedAmount: '25', currency: 'EUR' }).expect(201)).body);
    const fx = await request(app).post('/finance/commissions').send({ ...sale, supplier: 'FIXEDCO', bookingRef: 'ITN-7K3M9QY2' }).expect(422);
    expect(fx.body.type).toBe('/problems/commission-currency-mismatch');
    expect(fx.body.detail).toContain('fixed 25 EUR per booking but the sale is in GBP');

    const none = await request(app).post('/finance/commissions').send({ ...sale, supplier: 'NOSCHEDULE', bookingRef: 'ITN-7K3M9QY3', channel: 'online', subAgentCode: undefined }).expect(201);
    CommissionRecordView.parse(none.body);
    expect(none.body).toMatchObject({ noSchedule: true, scheduleId: null, commission: { amount: '0.00' }, entryId: null });
    expect((await request(app).get(none.headers.location!).expect(200)).body).toEqual(none.body);
  });

  it('answers unknown schedules, sub-agents and records with 404 problems, and malformed ids with 400', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const unknown: Array<[string, string]> = [
      [`/finance/commission-schedules/${id}`, `No commission schedule ${id}`],
      ['/finance/sub-agents/NOBODY', 'No sub-agent NOBODY'],
      [`/finance/commissions/${id}`, `No commission record ${id}`],
    ];
    for (const [url, detail] of unknown) {
      const res = await request(app).get(url).expect(404);
      expect(res.type).toBe('application/problem+json');
      expect(res.body).toMatchObject({ status: 404, detail, instance: url });
    }
    const badSchedule = await request(app).get('/finance/commission-schedules/SUNHOTELS').expect(400);
    expect(badSchedule.body.errors).toEqual([{ pointer: 'path:/id', detail: 'must be a commission schedule id (a UUID)' }]);
    const badRecord = await request(app).get('/finance/commissions/ITN-7K3M9QXZ').expect(400);
    expect(badRecord.body.errors).toEqual([{ pointer: 'path:/id', detail: 'must be a commission record id (a UUID)' }]);
    const badCode = await request(app).get('/finance/sub-agents/SUN%20NY').expect(400);
    expect(badCode.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['path:/code']);
  });
  const walk = (path: string, query: Record<string, string> = {}) => walkPages(app, path, query);

  it('pages schedules, sub-agents and a booking’s commissions with limit and cursor, without gaps or duplicates', async () => {
    // Two schedules of one supplier from the same day (product types differ): createdAt, then the id, orders them.
    for (const [supplier, productType, validFrom] of [
      ['PAGE-B', 'hotels', '2027-01-01'],
      ['PAGE-A', 'tours', '2027-03-01'],
      ['PAGE-A', 'hotels', '2027-03-01'],
      ['PAGE-A', 'transfers', '2026-01-01'],
    ]) {
      await request(app).post('/finance/commission-schedules').send({ supplier, productType, validFrom, basis: 'PERCENT', rate: '5' }).expect(201);
    }
    const schedules = (await request(app).get('/finance/commission-schedules').query({ limit: 500 }).expect(200)).body;
    expect(schedules.nextCursor).toBeNull();
    expect(schedules.items.length).toBeGreaterThanOrEqual(4);
    const walked = await walk('/finance/commission-schedules');
    expect(walked).toEqual(schedules.items);
    expect(new Set(walked.map((s) => (s as { id: string }).id)).size).toBe(walked.length);
    const pageA = (await walk('/finance/commission-schedules', { supplier: 'PAGE-A' })) as Array<{ productType: string; validFrom: string }>;
    expect(pageA.map((s) => s.validFrom)).toEqual(['2026-01-01', '2027-03-01', '2027-03-01']);

    for (const code of ['PAGE-Z', 'PAGE-M', 'PAGE-N']) await request(app).post('/finance/sub-agents').send({ code, name: code, rate: '1' }).expect(201);
    const agents = (await request(app).get('/finance/sub-agents').expect(200)).body;
    expect(agents.nextCursor).toBeNull();
    expect(await walk('/finance/sub-agents')).toEqual(agents.items);
    const two = (await request(app).get('/finance/sub-agents').query({ limit: 2 }).expect(200)).body;
    expect(two.items).toEqual(agents.items.slice(0, 2));
    expect(two.nextCursor).toEqual(expect.any(String));

    const bookingRef = 'ITN-PAGE0001';
    for (const [supplier, productType] of [
      ['PAGE-C', 'hotels'],
      ['PAGE-A', 'tours'],
      ['PAGE-C', 'transfers'],
    ]) {
      await request(app).post('/finance/commissions').send({ ...sale, bookingRef, supplier, productType, channel: 'online', subAgentCode: undefined }).expect(201);
    }
    const records = (await request(app).get('/finance/commissions').query({ bookingRef }).expect(200)).body;
    expect(records.items).toHaveLength(3);
    expect(records.nextCursor).toBeNull();
    expect(await walk('/finance/commissions', { bookingRef })).toEqual(records.items);
  });

  it('refuses a cursor the list did not hand out, and a bad limit, with 400 naming the parameter', async () => {
    const lists: Array<[string, Record<string, string>]> = [
      ['/finance/commission-schedules', {}],
      ['/finance/sub-agents', {}],
      ['/finance/commissions', { bookingRef: 'ITN-7K3M9QXZ' }],
    ];
    // Not base64url JSON; the wrong number of parts; the right parts with a key that is not a date or UUID.
    const cursors = ['garbage', encodeCursor(['a', 'b', 'c', 'd', 'e']), encodeCursor(['x', 'not-a-day', 'not-an-instant', 'not-a-uuid'])];
    for (const [path, query] of lists) await expectPagingRefusals(app, path, cursors, query);
  });
});
