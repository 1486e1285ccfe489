import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type express from 'express';
import request from 'supertest';
import { createInventoryActivities } from '../../activities/inventory.activities';
import type { PrismaInventory } from '../../activities/inventory.prisma';
import { LogSupplierNotifier } from '../../activities/supplier-notifier.log';
import { addDays } from '../../domain/catalog/dates';
import { calendarDateIn } from '../../domain/time/instant';
import type { Database } from '../../infra/database';
import { TemporalClientProvider } from '../../infra/temporal';
import { temporalTestServerPath } from '../../infra/tools';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { catalogTestApp, silentLogger } from '../../test/support/api-harness';
import {
  ContractDetailResponse,
  ContractPageResponse,
  ContractView,
  HoldResponse,
  ImportReportResponse,
  MarkupRuleListResponse,
  MarkupRuleOutcomeResponse,
  ProductPageResponse,
  ProductView,
  ReleaseListResponse,
  ReleaseRunResponse,
  StopSaleListResponse,
  StopSaleView,
  SupplierPageResponse,
  SupplierView,
} from '../schemas/catalog.schema';
import { openTestPglite } from '../../test/support/databases';

const NOW = Date.parse('2027-05-01T10:00:00.000Z');

const supplier = (code: string, overrides: Record<string, unknown> = {}) => ({
  code,
  name: `Hotels ${code}`,
  type: 'HOTEL',
  iban: 'DE89 3704 0044 0532 0130 00',
  paymentTerms: { depositPercent: '25', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30 },
  preferredPaymentMethod: 'BANK_TRANSFER',
  invoiceCurrency: 'EUR',
  paymentCurrency: 'EUR',
  cancellationPolicy: { windows: [{ fromDaysBefore: 30, toDaysBefore: 0, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '50' }] },
  ...overrides,
});

const rate = (overrides: Record<string, unknown> = {}) => ({
  category: 'DBL',
  ratePlan: 'BAR',
  boardBasis: 'BB',
  validFrom: '2027-05-01',
  validTo: '2027-09-30',
  basis: 'PER_ROOM_PER_NIGHT',
  amount: '120.00',
  ...overrides,
});

const hotel = (supplierCode: string, code: string, overrides: Record<string, unknown> = {}) => ({
  type: 'HOTEL',
  supplierCode,
  code,
  name: `Albergo ${code}`,
  destination: 'IT-ROME',
  country: 'IT',
  currency: 'EUR',
  minPax: 1,
  maxPax: 6,
  categories: [{ code: 'DBL', name: 'Double', maxOccupancy: 3, standardOccupancy: 2 }],
  rates: [rate()],
  childBands: [{ minAge: 0, maxAge: 11, discountPercent: '50' }],
  taxes: [],
  ...overrides,
});

const pointers = (body: { errors: Array<{ pointer: string }> }) => body.errors.map((e) => e.pointer);

describe('catalog API: suppliers, products, markup rules, contracts, stop sales, imports (embedded PGlite)', () => {
  let db: Database;
  let app: express.Express;

  beforeAll(async () => {
    db = await openTestPglite();
    // Releases (the one route that needs Temporal) are exercised with a Temporal server below.
    ({ app } = catalogTestApp(db, { today: () => '2027-05-01', operatorTimeZone: 'Europe/Rome', now: () => NOW }));
  });
  afterAll(() => db?.close());

  it('creates, reads, replaces with If-Match and deactivates a supplier; a second POST is 409', async () => {
    const created = await request(app).post('/catalog/suppliers').send(supplier('ROMA')).expect(201);
    // The answers have the shapes the OpenAPI document gives them.
    SupplierView.parse(created.body);
    expect(created.headers.location).toBe('/catalog/suppliers/ROMA');
    expect(created.headers.etag).toBe('"1"');
    expect(created.body).toMatchObject({ code: 'ROMA', iban: 'DE89370400440532013000', active: true, version: 1 });

    const again = await request(app).post('/catalog/suppliers').send(supplier('ROMA')).expect(409);
    expect(again.body).toMatchObject({ type: '/problems/supplier-exists', errors: [{ pointer: '/code' }] });

    const read = await request(app).get('/catalog/suppliers/ROMA').expect(200);
    SupplierView.parse(read.body);
    expect(read.headers.etag).toBe('"1"');

    const stale = await request(app).put('/catalog/suppliers/ROMA').set('If-Match', '"7"').send(supplier('ROMA', { name: 'Roma Hotels' })).expect(412);
    expect(stale.body).toMatchObject({ type: '/problems/precondition-failed', errors: [{ pointer: 'header:If-Match' }] });
    // The code comes from the URL; the body may leave it out.
    const { code: _code, ...withoutCode } = supplier('ROMA', { name: 'Roma Hotels' });
    const replaced = await request(app).put('/catalog/suppliers/ROMA').set('If-Match', '"1"').send(withoutCode).expect(200);
    SupplierView.parse(replaced.body);
    expect(replaced.headers.etag).toBe('"2"');
    expect(replaced.body).toMatchObject({ name: 'Roma Hotels', version: 2 });
    const renamed = await request(app).put('/catalog/suppliers/ROMA').send(supplier('OTHER')).expect(422);
    expect(pointers(renamed.body)).toEqual(['/code']);
    await request(app).put('/catalog/suppliers/NOPE').send(supplier('NOPE')).expect(404);

    await request(app).delete('/catalog/suppliers/ROMA').expect(204);
    expect((await request(app).get('/catalog/suppliers/ROMA').expect(200)).body.active).toBe(false);
    const missing = await request(app).delete('/catalog/suppliers/NOPE').expect(404);
    expect(missing.body.detail).toBe('No supplier NOPE');
  });

  it('refuses a bad supplier with every problem at once and writes nothing', async () => {
    const bad = await request(app)
      .post('/catalog/suppliers')
      .send(
        supplier('BADSUP', {
          iban: 'DE89 3704 0044 0532 0130 01',
          invoiceCurrency: 'EURO',
          paymentCurrency: 'XXY',
          paymentTerms: { depositPercent: '-5', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30 },
          cancellationPolicy: {
            windows: [
              { fromDaysBefore: 30, toDaysBefore: 10, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '50' },
              { fromDaysBefore: 20, toDaysBefore: 0, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '100' },
            ],
          },
        }),
      )
      .expect(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(pointers(bad.body)).toEqual(
      expect.arrayContaining(['/iban', '/invoiceCurrency', '/paymentCurrency', '/paymentTerms/depositPercent', '/cancellationPolicy/windows/1']),
    );
    expect(bad.body.errors.find((e: { pointer: string }) => e.pointer === '/iban').detail).toMatch(/check/i);
    await request(app).get('/catalog/suppliers/BADSUP').expect(404);
  });

  it('lists suppliers with filters and cursor pagination', async () => {
    for (const code of ['LIST-A', 'LIST-B', 'LIST-C']) await request(app).post('/catalog/suppliers').send(supplier(code)).expect(201);
    await request(app).post('/catalog/suppliers').send(supplier('LIST-T', { type: 'TRANSFER' })).expect(201);
    const first = await request(app).get('/catalog/suppliers').query({ q: 'list-', type: 'HOTEL', limit: 2 }).expect(200);
    SupplierPageResponse.parse(first.body);
    expect(first.body.items.map((s: { code: string }) => s.code)).toEqual(['LIST-A', 'LIST-B']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await request(app).get('/catalog/suppliers').query({ q: 'list-', type: 'HOTEL', limit: 2, cursor: first.body.nextCursor }).expect(200);
    expect(second.body).toMatchObject({ items: [{ code: 'LIST-C' }], nextCursor: null });
    const transfers = await request(app).get('/catalog/suppliers').query({ type: 'TRANSFER', active: 'true' }).expect(200);
    expect(transfers.body.items.map((s: { code: string }) => s.code)).toEqual(['LIST-T']);

    const bad = await request(app).get('/catalog/suppliers').query({ type: 'SHIP', active: 'yes', limit: 0, colour: 'red' }).expect(400);
    expect(pointers(bad.body).sort()).toEqual(['query:/active', 'query:/colour', 'query:/limit', 'query:/type']);
    await request(app).get('/catalog/suppliers').query({ cursor: 'garbage' }).expect(400);
  });

  it('creates, lists, replaces and deactivates products; a bad product lists every problem and writes nothing', async () => {
    await request(app).post('/catalog/suppliers').send(supplier('PRODSUP')).expect(201);
    const created = await request(app).post('/catalog/products').send(hotel('PRODSUP', 'ALBERGO-1')).expect(201);
    ProductView.parse(created.body);
    expect(created.headers.location).toBe('/catalog/products/PRODSUP/ALBERGO-1');
    expect(created.body).toMatchObject({ id: expect.any(String), code: 'ALBERGO-1', version: 1, rates: [{ amount: '120.00', weekdays: [1, 2, 3, 4, 5, 6, 7] }] });
    await request(app).post('/catalog/products').send(hotel('PRODSUP', 'ALBERGO-1')).expect(409);
    await request(app).post('/catalog/products').send(hotel('PRODSUP', 'ALBERGO-2', { destination: 'IT-MILAN' })).expect(201);

    const bad = await request(app)
      .post('/catalog/products')
      .send(
        hotel('PRODSUP', 'BROKEN', {
          currency: 'EURO',
          rates: [rate(), rate({ validFrom: '2027-06-01', validTo: '2027-10-31' }), rate({ category: 'DBL', ratePlan: 'NRF', amount: '-10.00' })],
        }),
      )
      .expect(422);
    expect(pointers(bad.body)).toEqual(expect.arrayContaining(['/currency', '/rates/1', '/rates/2/amount']));
    expect(bad.body.errors.find((e: { pointer: string }) => e.pointer === '/rates/1').detail).toMatch(/overlaps rates\[0\]/);
    await request(app).get('/catalog/products/PRODSUP/BROKEN').expect(404);
    const unknownSupplier = await request(app).post('/catalog/products').send(hotel('GHOST', 'X1')).expect(422);
    expect(pointers(unknownSupplier.body)).toEqual(['/supplierCode']);

    const rome = await request(app).get('/catalog/products').query({ supplier: 'PRODSUP', destination: 'it-rome' }).expect(200);
    expect(rome.body.items.map((p: { code: string }) => p.code)).toEqual(['ALBERGO-1']);
    const paged = await request(app).get('/catalog/products').query({ supplier: 'PRODSUP', limit: 1 }).expect(200);
    ProductPageResponse.parse(paged.body);
    const next = await request(app).get('/catalog/products').query({ supplier: 'PRODSUP', limit: 1, cursor: paged.body.nextCursor }).expect(200);
    expect([...paged.body.items, ...next.body.items].map((p: { code: string }) => p.code)).toEqual(['ALBERGO-1', 'ALBERGO-2']);
    expect(next.body.nextCursor).toBeNull();

    const stale = await request(app).put('/catalog/products/PRODSUP/ALBERGO-1').set('If-Match', '"9"').send(hotel('PRODSUP', 'ALBERGO-1', { name: 'New name' })).expect(412);
    expect(stale.body.errors).toEqual([{ pointer: 'header:If-Match', detail: expect.stringContaining('"1"') }]);
    const replaced = await request(app).put('/catalog/products/PRODSUP/ALBERGO-1').set('If-Match', String(created.headers.etag)).send(hotel('PRODSUP', 'ALBERGO-1', { name: 'New name' })).expect(200);
    ProductView.parse(replaced.body);
    ProductView.parse((await request(app).get('/catalog/products/PRODSUP/ALBERGO-1').expect(200)).body);
    expect(replaced.body).toMatchObject({ name: 'New name', version: 2 });
    expect(replaced.headers.etag).toBe('"2"');
    await request(app).delete('/catalog/products/PRODSUP/ALBERGO-2').expect(204);
    const active = await request(app).get('/catalog/products').query({ supplier: 'PRODSUP', active: 'true' }).expect(200);
    expect(active.body.items.map((p: { code: string }) => p.code)).toEqual(['ALBERGO-1']);
    await request(app).get('/catalog/products/PRODSUP/NOPE').expect(404);
  });

  it('answers a concurrent double POST with one 201 and one 409, and concurrent PUTs with the same If-Match with one 200 and one 412', async () => {
    const post = (body: object, path = '/catalog/suppliers') => request(app).post(path).send(body).then((r) => r);
    const suppliers = await Promise.all([post(supplier('RACE')), post(supplier('RACE', { name: 'Second' }))]);
    expect(suppliers.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(suppliers.find((r) => r.status === 409)!.body).toMatchObject({ type: '/problems/supplier-exists', errors: [{ pointer: '/code' }] });
    expect((await request(app).get('/catalog/suppliers/RACE').expect(200)).body).toMatchObject({ version: 1, name: suppliers.find((r) => r.status === 201)!.body.name });

    const products = await Promise.all([post(hotel('RACE', 'DUP'), '/catalog/products'), post(hotel('RACE', 'DUP', { name: 'Second' }), '/catalog/products')]);
    expect(products.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(products.find((r) => r.status === 409)!.body).toMatchObject({ type: '/problems/product-exists' });

    const put = (name: string) => request(app).put('/catalog/products/RACE/DUP').set('If-Match', '"1"').send(hotel('RACE', 'DUP', { name })).then((r) => r);
    const puts = await Promise.all([put('Writer A'), put('Writer B')]);
    expect(puts.map((r) => r.status).sort()).toEqual([200, 412]);
    expect(puts.find((r) => r.status === 412)!.body).toMatchObject({
      type: '/problems/precondition-failed',
      errors: [{ pointer: 'header:If-Match', detail: 'is "1"; the current ETag is "2"' }],
    });
    // `*` and a list of tags: any existing version / any listed one.
    await request(app).put('/catalog/products/RACE/DUP').set('If-Match', '*').send(hotel('RACE', 'DUP', { name: 'Star' })).expect(200);
    await request(app).delete('/catalog/products/RACE/DUP').set('If-Match', '"1", W/"2"').expect(412);
    await request(app).delete('/catalog/products/RACE/DUP').set('If-Match', '"1", W/"3"').expect(204);
    await request(app).delete('/catalog/suppliers/RACE').set('If-Match', '"2"').expect(412);
    await request(app).delete('/catalog/suppliers/RACE').set('If-Match', '"1"').expect(204);
  });

  it('sets and lists markup rules', async () => {
    const created = await request(app).put('/catalog/markup-rules').send({ productType: 'HOTEL', channel: 'direct', percent: '18' }).expect(201);
    MarkupRuleOutcomeResponse.parse(created.body);
    expect(created.body).toEqual({ productType: 'HOTEL', channel: 'direct', percent: '18', outcome: 'created' });
    await request(app).put('/catalog/markup-rules').send({ productType: 'HOTEL', channel: 'direct', percent: '20' }).expect(200);
    await request(app).put('/catalog/markup-rules').send({ percent: '10' }).expect(201);
    const bad = await request(app).put('/catalog/markup-rules').send({ productType: 'SHIP', channel: 'fax', percent: '-3' }).expect(422);
    expect(pointers(bad.body)).toEqual(['/productType', '/channel', '/percent']);
    const list = await request(app).get('/catalog/markup-rules').expect(200);
    MarkupRuleListResponse.parse(list.body);
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        { productType: 'HOTEL', channel: 'direct', percent: '20' },
        { productType: null, channel: null, percent: '10' },
      ]),
    );
  });

  it('manages allotment contracts (bad release dates refused), their inventory, and stop sales', async () => {
    await request(app).post('/catalog/suppliers').send(supplier('CONSUP')).expect(201);
    await request(app).post('/catalog/products').send(hotel('CONSUP', 'H1')).expect(201);
    const contract = {
      code: 'CON-H1-JUN',
      supplierCode: 'CONSUP',
      productCode: 'H1',
      category: 'DBL',
      validFrom: '2027-06-01',
      validTo: '2027-06-10',
      quantity: 5,
      contractedPrice: '100.00',
      currency: 'EUR',
      basis: 'PER_ROOM_PER_NIGHT',
      release: { kind: 'DAYS_BEFORE', days: 14 },
      minGroupSize: 1,
      maxGroupSize: 10,
    };
    const bad = await request(app)
      .post('/catalog/contracts')
      .send({ ...contract, code: 'CON-BAD', quantity: -1, contractedPrice: '-5.00', release: { kind: 'FIXED_DATES', dates: [{ releaseOn: '2027-06-05', arrivalsFrom: '2027-06-01', arrivalsTo: '2027-06-10' }] } })
      .expect(422);
    expect(pointers(bad.body)).toEqual(expect.arrayContaining(['/quantity', '/contractedPrice', '/release/dates/0/releaseOn']));
    await request(app).get('/catalog/contracts/CON-BAD').expect(404);
    const wrongCategory = await request(app).post('/catalog/contracts').send({ ...contract, code: 'CON-CAT', category: 'SUITE' }).expect(422);
    expect(pointers(wrongCategory.body)).toEqual(['/category']);

    const created = await request(app).post('/catalog/contracts').send(contract).expect(201);
    ContractView.parse(created.body);
    expect(created.headers.location).toBe('/catalog/contracts/CON-H1-JUN');
    ContractView.parse((await request(app).post('/catalog/contracts').send(contract).expect(200)).body);
    const conflict = await request(app).post('/catalog/contracts').send({ ...contract, quantity: 6 }).expect(409);
    expect(conflict.body.type).toBe('/problems/inventory-contract-conflict');
    const overlap = await request(app).post('/catalog/contracts').send({ ...contract, code: 'CON-H1-OVL', validFrom: '2027-06-10', validTo: '2027-06-20' }).expect(409);
    expect(overlap.body.detail).toMatch(/overlaps ACTIVE contract CON-H1-JUN/);

    const detail = await request(app).get('/catalog/contracts/CON-H1-JUN').expect(200);
    ContractDetailResponse.parse(detail.body);
    expect(detail.body.inventory).toMatchObject({ dates: 10, totals: { allotment: 50, held: 0, sold: 0, released: 0, available: 50 } });
    expect(detail.body.inventory.rows[0]).toMatchObject({ stayDate: '2027-06-01', allotment: 5, releaseOn: '2027-05-18' });
    const listed = await request(app).get('/catalog/contracts').query({ supplier: 'CONSUP', product: 'H1' }).expect(200);
    ContractPageResponse.parse(listed.body);
    expect(listed.body.items.map((c: { code: string }) => c.code)).toEqual(['CON-H1-JUN']);
    const noSupplier = await request(app).get('/catalog/contracts').query({ product: 'H1' }).expect(400);
    expect(pointers(noSupplier.body)).toEqual(['query:/supplier']);

    // A sale of 4 rooms on 06-03: the quantity cannot go below it there.
    HoldResponse.parse((await request(app).post('/catalog/sales').send({ reference: 'SALE-CON-1', supplierCode: 'CONSUP', productCode: 'H1', category: 'DBL', from: '2027-06-03', nights: 1, quantity: 4 }).expect(201)).body);
    const below = await request(app).patch('/catalog/contracts/CON-H1-JUN').send({ quantity: 3 }).expect(409);
    expect(below.body).toMatchObject({ type: '/problems/inventory-quantity-below-used', dates: ['2027-06-03'] });
    const patched = await request(app).patch('/catalog/contracts/CON-H1-JUN').set('If-Match', '"1"').send({ quantity: 8 }).expect(200);
    ContractView.parse(patched.body);
    expect(patched.body).toMatchObject({ quantity: 8, version: 2 });
    await request(app).patch('/catalog/contracts/CON-H1-JUN').send({ quantity: 'lots' }).expect(422);
    const inUse = await request(app).delete('/catalog/contracts/CON-H1-JUN').expect(409);
    expect(inUse.body.type).toBe('/problems/inventory-contract-in-use');
    HoldResponse.parse((await request(app).delete('/catalog/holds/SALE-CON-1').expect(200)).body);
    expect(ContractView.parse((await request(app).delete('/catalog/contracts/CON-H1-JUN').expect(200)).body).status).toBe('CANCELLED');

    // Stop sales.
    const stopBad = await request(app).post('/catalog/stop-sales').send({ supplierCode: 'CONSUP', productCode: 'H1', from: '2027-06-10', to: '2027-06-01', reason: '' }).expect(422);
    expect(pointers(stopBad.body)).toEqual(expect.arrayContaining(['/to', '/reason']));
    const stop = await request(app).post('/catalog/stop-sales').send({ supplierCode: 'CONSUP', productCode: 'H1', category: 'DBL', from: '2027-06-05', to: '2027-06-06', reason: 'Renovation' }).expect(201);
    StopSaleView.parse(stop.body);
    expect(stop.headers.location).toBe(`/catalog/stop-sales/${stop.body.id}`);
    const stops = await request(app).get('/catalog/stop-sales').query({ supplier: 'CONSUP', product: 'H1' }).expect(200);
    StopSaleListResponse.parse(stops.body);
    expect(stops.body.items).toEqual([expect.objectContaining({ id: stop.body.id, from: '2027-06-05', to: '2027-06-06', reason: 'Renovation' })]);
    // The old filter names still work (deprecated aliases); the two names disagreeing, or a product without its supplier, are refused.
    expect((await request(app).get('/catalog/stop-sales').query({ supplierCode: 'CONSUP', productCode: 'H1' }).expect(200)).body).toEqual(stops.body);
    expect((await request(app).get('/catalog/stop-sales').query({ supplier: 'CONSUP' }).expect(200)).body).toEqual(stops.body);
    expect((await request(app).get('/catalog/stop-sales').query({ supplier: 'OTHER' }).expect(200)).body.items).toEqual([]);
    const clash = await request(app).get('/catalog/stop-sales').query({ supplier: 'CONSUP', supplierCode: 'OTHER' }).expect(400);
    expect(clash.body.errors).toEqual([{ pointer: 'query:/supplierCode', detail: 'is the old name of supplier and differs from it: send supplier only' }]);
    expect(pointers((await request(app).get('/catalog/stop-sales').query({ product: 'H1' }).expect(400)).body)).toEqual(['query:/supplier']);
    await request(app).delete(`/catalog/stop-sales/${stop.body.id}`).expect(204);
    await request(app).delete(`/catalog/stop-sales/${stop.body.id}`).expect(404);
    await request(app).delete('/catalog/stop-sales/not-a-uuid').expect(400);
  });

  it('imports a CSV file: dry run, refusal with every located problem, then applied', async () => {
    const csv = [
      'code,name,type,active,contacts,iban,bic,account_number,deposit_percent,balance_due_days,net_days,preferred_payment_method,invoice_currency,payment_currency,cancellation_policy,amendment_policy',
      'IMP-A,Import A,HOTEL,true,,DE89370400440532013000,,,25,30,30,BANK_TRANSFER,EUR,EUR,,',
      'IMP-B,Import B,HOTEL,true,,DE89370400440532013001,,,25,30,30,BANK_TRANSFER,EURO,EUR,,',
    ].join('\n');
    const refused = await request(app).post('/catalog/imports').query({ kind: 'suppliers' }).set('Content-Type', 'text/csv').send(csv).expect(422);
    expect(refused.body).toMatchObject({ type: '/problems/import-refused', report: { applied: false, total: 2 } });
    expect(pointers(refused.body)).toEqual(expect.arrayContaining(['line:3/iban', 'line:3/invoice_currency']));
    await request(app).get('/catalog/suppliers/IMP-A').expect(404);

    const dry = await request(app).post('/catalog/imports').query({ kind: 'suppliers', dryRun: 'true', skipBad: 'true' }).set('Content-Type', 'text/csv').send(csv).expect(200);
    ImportReportResponse.parse(dry.body);
    expect(dry.body).toMatchObject({ dryRun: true, applied: false, created: 1, skipped: 1 });
    await request(app).get('/catalog/suppliers/IMP-A').expect(404);

    const applied = await request(app).post('/catalog/imports').query({ kind: 'suppliers', skipBad: 'true' }).set('Content-Type', 'text/csv').send(csv).expect(200);
    ImportReportResponse.parse(applied.body);
    expect(applied.body).toMatchObject({ applied: true, created: 1, skipped: 1 });
    await request(app).get('/catalog/suppliers/IMP-A').expect(200);

    const json = await request(app).post('/catalog/imports').query({ kind: 'markup-rules' }).send([{ productType: 'TOUR', channel: 'agent', percent: '12' }]).expect(200);
    expect(json.body).toMatchObject({ applied: true, created: 1 });
    const badQuery = await request(app).post('/catalog/imports').query({ kind: 'flights', dryRun: 'maybe' }).set('Content-Type', 'text/csv').send(csv).expect(400);
    expect(pointers(badQuery.body)).toEqual(['query:/kind', 'query:/dryRun']);
    await request(app).post('/catalog/imports').query({ kind: 'suppliers' }).set('Content-Type', 'application/xml').send('<x/>').expect(415);
  });
});

describe('catalog API: allotment releases (PGlite, time-skipping Temporal server, real worker)', () => {
  let env: TestWorkflowEnvironment;
  let db: Database;
  let app: express.Express;
  let worker: Worker;
  let running: Promise<void>;
  const today = calendarDateIn(Date.now(), 'UTC');

  beforeAll(async () => {
    const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
    const [testEnv, bundle, opened] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows/catalog/allotment-release.workflow'), logger: quiet }),
      openTestPglite(),
    ]);
    [env, db] = [testEnv, opened];
    let inventory: PrismaInventory;
    ({ app, inventory } = catalogTestApp(db, {
      today: () => today,
      operatorTimeZone: 'UTC',
      // A plain client: awaiting a result does not let the test server skip time.
      temporal: TemporalClientProvider.fromClient(new Client({ connection: env.connection, namespace: env.namespace ?? 'default' })),
    }));
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUES.catalog,
      workflowBundle: bundle,
      activities: createInventoryActivities({ inventory, notifier: new LogSupplierNotifier(silentLogger), operatorTimeZone: 'UTC' }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await db?.close();
  });

  it('runs the release for today, lists what went back, and refuses a future date', async () => {
    await request(app).post('/catalog/suppliers').send(supplier('RELSUP')).expect(201);
    await request(app)
      .post('/catalog/products')
      .send(hotel('RELSUP', 'REL-H', { rates: [rate({ validFrom: addDays(today, -1), validTo: addDays(today, 30) })] }))
      .expect(201);
    // Three days before each night: the nights of tomorrow .. today + 3 are due today (or overdue).
    await request(app)
      .post('/catalog/contracts')
      .send({
        code: 'REL-C',
        supplierCode: 'RELSUP',
        productCode: 'REL-H',
        category: 'DBL',
        validFrom: addDays(today, 1),
        validTo: addDays(today, 10),
        quantity: 4,
        contractedPrice: '90.00',
        currency: 'EUR',
        basis: 'PER_ROOM_PER_NIGHT',
        release: { kind: 'DAYS_BEFORE', days: 3 },
        minGroupSize: 1,
        maxGroupSize: 8,
      })
      .expect(201);
    await request(app).post('/catalog/sales').send({ reference: 'REL-SALE', supplierCode: 'RELSUP', productCode: 'REL-H', category: 'DBL', from: addDays(today, 1), nights: 1, quantity: 1 }).expect(201);

    const run = await request(app).post('/catalog/releases').send({}).expect(200);
    ReleaseRunResponse.parse(run.body);
    expect(run.body).toEqual({ workflowId: `catalog-release-${today}`, runDate: today, holdsExpired: 0, unitsReleased: 3 + 4 + 4, contractsReleased: 1, notificationsSent: 1 });
    // Nothing goes back twice.
    expect((await request(app).post('/catalog/releases').send({ date: today }).expect(200)).body).toMatchObject({ unitsReleased: 0, contractsReleased: 0 });

    const audit = await request(app).get('/catalog/releases').query({ from: today, to: today }).expect(200);
    ReleaseListResponse.parse(audit.body);
    expect(audit.body.items.map((r: { stayDate: string; quantity: number }) => [r.stayDate, r.quantity])).toEqual([
      [addDays(today, 1), 3],
      [addDays(today, 2), 4],
      [addDays(today, 3), 4],
    ]);
    expect(audit.body.items[0]).toMatchObject({ contractCode: 'REL-C', supplierCode: 'RELSUP', productCode: 'REL-H', category: 'DBL', runDate: today, notifiedAt: expect.any(String) });

    const future = await request(app).post('/catalog/releases').send({ date: addDays(today, 1) }).expect(422);
    expect(future.body.errors).toEqual([{ pointer: '/date', detail: `must not be after today (${today})` }]);
    const bad = await request(app).get('/catalog/releases').query({ from: today, to: addDays(today, -1) }).expect(400);
    expect(bad.body.errors).toEqual([{ pointer: 'query:/to', detail: `must not be before from (${today})` }]);
  });
});
