import express from 'express';
import { parse } from 'csv-parse/sync';
import { pinoHttp } from 'pino-http';
import request from 'supertest';
import { insertBooking, insertCustomer, seedGroundCatalog } from '../../activities/__tests__/operations.seed';
import { hotelComponent, transferComponent } from '../../domain/operations/__tests__/ground-fixtures';
import type { Database } from '../../infra/database';
import { silentLogger } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { errorHandler } from '../error-handler';
import { operationsRoutes } from '../routes/operations.routes';
import { PageView } from '../schemas/answer.schema';
import { AssignmentResponse, ConflictReportResponse, DispatchSheetResponse, GroundServicePageResponse, OpsResourceResponse } from '../schemas/operations.schema';
import { expectPagingRefusals, walkPages } from '../../test/support/paging';

describe('operations API (embedded PGlite)', () => {
  let db: Database;
  let app: express.Express;

  beforeAll(async () => {
    db = await openTestPglite();
    await seedGroundCatalog(db.prisma);
    await insertCustomer(db.prisma, 'CUST-1', 'Ada', 'Lovelace');
    await insertBooking(db.prisma, {
      reference: 'ITN-ROME0001',
      departureDate: '2027-07-01',
      returnDate: '2027-07-05',
      components: [hotelComponent({ start: '2027-07-01', end: '2027-07-04' }), transferComponent({ id: 'transfer-in', date: '2027-07-01' })],
    });
    await insertBooking(db.prisma, { reference: 'ITN-ROME0002', customerId: 'CUST-2', departureDate: '2027-07-01', returnDate: '2027-07-03', components: [transferComponent({ id: 'transfer', date: '2027-07-01', pax: 6 })] });
    await insertBooking(db.prisma, { reference: 'ITN-HELD0001', status: 'HELD', departureDate: '2027-07-01', returnDate: '2027-07-03', components: [transferComponent({ id: 'transfer', date: '2027-07-01', status: 'HELD' })] });
    await insertBooking(db.prisma, { reference: 'ITN-PARI0001', departureDate: '2027-07-01', returnDate: '2027-07-02', components: [transferComponent({ id: 'transfer', date: '2027-07-01', productCode: 'G0009' })] });
    app = express();
    app.use(pinoHttp({ logger: silentLogger }));
    app.use(express.json());
    // What the authentication middleware leaves for the routes.
    app.use((_req, res, next) => {
      res.locals.principal = { kind: 'user', id: 'u1', name: 'dispatch@itinera.test', role: 'OPERATIONS', permissions: new Set(), branch: null, allBranches: true, advisorId: null };
      next();
    });
    app.use(operationsRoutes({ prisma: db.prisma, operatorTimeZone: 'Europe/London' }));
    app.use(errorHandler);
  });
  afterAll(() => db?.close());

  const pointers = (body: { errors?: { pointer: string }[] }) => body.errors?.map((e) => e.pointer);
  const newResource = async (body: Record<string, unknown>) => (await request(app).post('/operations/resources').send(body).expect(201)).body as { id: string; version: number };

  it('creates, reads, lists and changes guides and vehicles, naming every bad field', async () => {
    const bad = await request(app).post('/operations/resources').send({ kind: 'VEHICLE', name: '', destination: 'rome city', languages: ['English'], version: 7, phone: 'call me' }).expect(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(pointers(bad.body)?.sort()).toEqual(['/capacity', '/destination', '/languages/0', '/name', '/phone', '/version']);

    const created = await request(app).post('/operations/resources').send({ kind: 'VEHICLE', name: 'Van RM-04', destination: 'it-rome', capacity: 4, phone: '+39 06 5555 0199' }).expect(201);
    // Every answer has the shape the OpenAPI document gives it.
    OpsResourceResponse.parse(created.body);
    expect(created.body).toMatchObject({ kind: 'VEHICLE', destination: 'IT-ROME', capacity: 4, languages: [], active: true, version: 1 });
    expect(created.headers.location).toBe(`/operations/resources/${created.body.id}`);
    const got = await request(app).get(`/operations/resources/${created.body.id}`).expect(200);
    OpsResourceResponse.parse(got.body);
    expect([got.headers.etag, got.body.name]).toEqual(['"1"', 'Van RM-04']);

    const patched = await request(app).patch(`/operations/resources/${created.body.id}`).set('If-Match', '"1"').send({ capacity: 8 }).expect(200);
    OpsResourceResponse.parse(patched.body);
    expect([patched.body.capacity, patched.body.version, patched.headers.etag]).toEqual([8, 2, '"2"']);
    const stale = await request(app).patch(`/operations/resources/${created.body.id}`).set('If-Match', '"1"').send({ capacity: 9 }).expect(409);
    expect(stale.body).toMatchObject({ type: '/problems/operations-version-conflict', currentVersion: 2 });
    expect(pointers((await request(app).patch(`/operations/resources/${created.body.id}`).send({ kind: 'GUIDE' }).expect(422)).body)).toEqual(['/kind']);
    expect(pointers((await request(app).patch(`/operations/resources/${created.body.id}`).send({}).expect(422)).body)).toEqual(['/']);
    expect(pointers((await request(app).get('/operations/resources/not-a-uuid').expect(400)).body)).toEqual(['path:/id']);
    await request(app).get('/operations/resources/6a1f4c36-0000-4000-8000-000000000000').expect(404);

    await newResource({ kind: 'GUIDE', name: 'Giulia Rossi', destination: 'IT-ROME', languages: ['en', 'it'] });
    const list = await request(app).get('/operations/resources').query({ kind: 'GUIDE', destination: 'it-rome' }).expect(200);
    PageView(OpsResourceResponse).parse(list.body);
    expect(list.body).toEqual({ items: [expect.objectContaining({ name: 'Giulia Rossi', languages: ['en', 'it'] })], nextCursor: null });
    const badQuery = await request(app).get('/operations/resources').query({ kind: 'BUS', active: 'yes', limit: 0, colour: 'red' }).expect(400);
    expect(pointers(badQuery.body)?.sort()).toEqual(['query:/active', 'query:/colour', 'query:/kind', 'query:/limit']);
  });

  it('lists the day’s ground services, optionally only the unassigned', async () => {
    const res = await request(app).get('/operations/services').query({ date: '2027-07-01', destination: 'IT-ROME' }).expect(200);
    GroundServicePageResponse.parse(res.body);
    expect(res.body.items.map((s: { bookingRef: string; startsAt: string; leadName: string | null; assignments: unknown[] }) => [s.bookingRef, s.startsAt, s.leadName, s.assignments])).toEqual([
      ['ITN-ROME0001', '2027-07-01T08:00:00.000Z', 'Ada Lovelace', []], // 09:00 in London (BST)
      ['ITN-ROME0002', '2027-07-01T08:00:00.000Z', null, []],
    ]);
    expect(pointers((await request(app).get('/operations/services').query({ date: '2027-07-32', unassigned: 'maybe' }).expect(400)).body)?.sort()).toEqual(['query:/date', 'query:/unassigned']);
    expect(pointers((await request(app).get('/operations/services').expect(400)).body)).toEqual(['query:/date']);
  });

  it('pages the day’s services with limit and cursor, without gaps or duplicates; a cursor it did not hand out is 400', async () => {
    const all = (await request(app).get('/operations/services').query({ date: '2027-07-01' }).expect(200)).body;
    expect(all).toMatchObject({ date: '2027-07-01', timeZone: 'Europe/London', nextCursor: null });
    // The two Rome transfers start at the same instant: the booking reference orders them.
    expect(all.items.map((s: { bookingRef: string }) => s.bookingRef)).toEqual(['ITN-PARI0001', 'ITN-ROME0001', 'ITN-ROME0002']);
    expect(all.items[1].startsAt).toBe(all.items[2].startsAt);

    expect(await walkPages(app, '/operations/services', { date: '2027-07-01' }, 20)).toEqual(all.items);
    await expectPagingRefusals(
      app,
      '/operations/services',
      ['garbage', Buffer.from('["2027-07-01T08:00:00.000Z"]').toString('base64url'), Buffer.from('["soon","ITN-ROME0001","transfer-in"]').toString('base64url')],
      { date: '2027-07-01' },
    );
  });

  it('assigns resources to confirmed services only, and answers a double booking with 409 naming the other assignment', async () => {
    const guide = await newResource({ kind: 'GUIDE', name: 'Marco Bianchi', destination: 'IT-ROME' });
    const small = await newResource({ kind: 'VEHICLE', name: 'Car RM-01', destination: 'IT-ROME', capacity: 3 });
    const paris = await newResource({ kind: 'GUIDE', name: 'Pierre Martin', destination: 'FR-PARIS' });

    const invalid = await request(app).post('/operations/assignments').send({ resourceId: 'x', bookingRef: 'ITN ROME', componentId: '', startsAt: '2027-07-01T10:00:00Z', endsAt: '2027-07-01 09:00', createdBy: 'me' }).expect(422);
    expect(pointers(invalid.body)?.sort()).toEqual(['/bookingRef', '/componentId', '/createdBy', '/endsAt', '/resourceId']);
    const backwards = await request(app).post('/operations/assignments').send({ resourceId: guide.id, bookingRef: 'ITN-ROME0001', componentId: 'transfer-in', startsAt: '2027-07-01T10:00:00Z', endsAt: '2027-07-01T09:00:00Z' }).expect(422);
    expect(pointers(backwards.body)).toEqual(['/endsAt']);

    await request(app).post('/operations/assignments').send({ resourceId: guide.id, bookingRef: 'ITN-NONE0000', componentId: 'transfer' }).expect(404);
    const held = await request(app).post('/operations/assignments').send({ resourceId: guide.id, bookingRef: 'ITN-HELD0001', componentId: 'transfer' }).expect(409);
    expect(held.body.type).toBe('/problems/operations-not-a-confirmed-service');
    const capacity = await request(app).post('/operations/assignments').send({ resourceId: small.id, bookingRef: 'ITN-ROME0002', componentId: 'transfer' }).expect(422);
    expect(capacity.body).toMatchObject({ type: '/problems/operations-over-capacity', errors: [{ pointer: '/resourceId', detail: 'Car RM-01 takes 3; the service has 6 passengers' }] });
    expect((await request(app).post('/operations/assignments').send({ resourceId: paris.id, bookingRef: 'ITN-ROME0001', componentId: 'transfer-in' }).expect(422)).body.type).toBe('/problems/operations-wrong-destination');

    const first = await request(app).post('/operations/assignments').send({ resourceId: guide.id, bookingRef: 'ITN-ROME0001', componentId: 'transfer-in', notes: 'Sign: LOVELACE' }).expect(201);
    AssignmentResponse.parse(first.body);
    expect(first.body).toMatchObject({ resourceName: 'Marco Bianchi', createdBy: 'dispatch@itinera.test', startsAt: '2027-07-01T08:00:00.000Z', endsAt: '2027-07-01T10:00:00.000Z', pax: 2 });
    const clash = await request(app).post('/operations/assignments').send({ resourceId: guide.id, bookingRef: 'ITN-ROME0002', componentId: 'transfer', startsAt: '2027-07-01T09:30:00Z', endsAt: '2027-07-01T11:00:00Z' }).expect(409);
    expect(clash.body).toMatchObject({
      title: 'Resource double-booked',
      type: '/problems/operations-resource-conflict',
      conflictingAssignment: { id: first.body.id, bookingRef: 'ITN-ROME0001', componentId: 'transfer-in', startsAt: '2027-07-01T08:00:00.000Z', endsAt: '2027-07-01T10:00:00.000Z' },
    });
    expect(clash.body.detail).toContain('ITN-ROME0001');
    // Right after the first one ends is fine.
    const later = await request(app).post('/operations/assignments').send({ resourceId: guide.id, bookingRef: 'ITN-ROME0002', componentId: 'transfer', startsAt: '2027-07-01T10:00:00Z', endsAt: '2027-07-01T11:00:00Z' }).expect(201);

    const mine = await request(app).get('/operations/assignments').query({ resourceId: guide.id, date: '2027-07-01' }).expect(200);
    PageView(AssignmentResponse).parse(mine.body);
    expect(mine.body.items.map((a: { bookingRef: string }) => a.bookingRef)).toEqual(['ITN-ROME0001', 'ITN-ROME0002']);
    expect(pointers((await request(app).get('/operations/assignments').query({ bookingRef: 'no way!' }).expect(400)).body)).toEqual(['query:/bookingRef']);
    await request(app).delete(`/operations/assignments/${later.body.id}`).expect(204);
    await request(app).delete(`/operations/assignments/${later.body.id}`).expect(404);

    expect(ConflictReportResponse.parse((await request(app).get('/operations/conflicts').query({ from: '2027-07-01', to: '2027-07-01' }).expect(200)).body)).toEqual({ from: '2027-07-01', to: '2027-07-01', conflicts: [], orphaned: [], overCapacity: [] });
    expect(pointers((await request(app).get('/operations/conflicts').query({ from: '2027-07-02', to: '2027-07-01' }).expect(400)).body)).toEqual(['query:/to']);
  });

  it('prints the dispatch sheet per destination as JSON and CSV', async () => {
    const sheet = await request(app).get('/operations/dispatch-sheet').query({ date: '2027-07-01' }).expect(200);
    DispatchSheetResponse.parse(sheet.body);
    expect(sheet.body.destinations.map((d: { destination: string; unassignedCount: number; services: Array<{ time: string; bookingRef: string; unassigned: boolean; guides: Array<{ name: string }>; notes: string[]; pickup: string | null }> }) => [
      d.destination,
      d.unassignedCount,
      d.services.map((s) => [s.time, s.bookingRef, s.unassigned, s.guides.map((g) => g.name), s.notes, s.pickup]),
    ])).toEqual([
      ['FR-PARIS', 1, [['09:00', 'ITN-PARI0001', true, [], [], null]]],
      [
        'IT-ROME',
        1,
        [
          ['09:00', 'ITN-ROME0001', false, ['Marco Bianchi'], ['Sign: LOVELACE'], 'Hotel H00001 Standard double, 4 nights'],
          ['09:00', 'ITN-ROME0002', true, [], [], null],
        ],
      ],
    ]);

    const csv = await request(app).get('/operations/dispatch-sheet').query({ date: '2027-07-01', destination: 'IT-ROME', format: 'csv' }).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe('attachment; filename=dispatch-2027-07-01-IT-ROME.csv');
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.destination, r.start, r.end, r.booking_ref, r.pax, r.lead_traveller, r.guides, r.status, r.notes])).toEqual([
      ['IT-ROME', '09:00', '11:00', 'ITN-ROME0001', '2', 'Ada Lovelace', 'Marco Bianchi', 'ASSIGNED', 'Sign: LOVELACE'],
      ['IT-ROME', '09:00', '11:00', 'ITN-ROME0002', '6', '', '', 'UNASSIGNED', ''],
    ]);
    expect(pointers((await request(app).get('/operations/dispatch-sheet').query({ date: '2027-07-01', format: 'pdf' }).expect(400)).body)).toEqual(['query:/format']);
  });
});
