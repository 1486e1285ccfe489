import express from 'express';
import { pinoHttp } from 'pino-http';
import request from 'supertest';
import { PrismaCustomerStore } from '../../activities/customers.prisma';
import type { CustomerWrite } from '../../domain/customers/model';
import type { Database } from '../../infra/database';
import { silentLogger } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { errorHandler } from '../error-handler';
import { customersRouter } from '../routes/customers.routes';
import {
  AdvisorListResponse,
  AdvisorReassignmentResponse,
  ContactLookupResponse,
  Customer360View,
  CustomerPageResponse,
  RetentionSummaryResponse,
  TripPageResponse,
} from '../schemas/customer.schema';

const NOW = Date.parse('2026-11-29T09:00:00.000Z');

const base = { status: 'ACTIVE' as const, preferences: { dietary: [], preferredAirlines: [], anniversaries: [] }, contactPreferences: { doNotContact: false }, addresses: [], phones: [] };
const zoe: CustomerWrite = {
  ...base,
  id: 'c-zoe',
  firstName: 'Zoë',
  lastName: 'Brontë',
  advisorId: 'A1',
  emails: [{ address: 'zoe@example.com', normalized: 'zoe@example.com', primary: true }],
  phones: [{ raw: '+33 1 42 68 53 00', e164: '+33142685300', kind: 'HOME', primary: true }],
  paymentMethods: [{ token: 'tok_secret_999988887777', brand: 'MASTERCARD', last4: '5454', expiry: '2029-01' }],
  legacyIds: [{ system: 'old', legacyId: '1' }],
  // The rest of a migrated profile, so the 360 answer is checked against its schema in full.
  customerSince: '2008-05-01',
  preferences: { cabinClass: 'BUSINESS', seat: 'AISLE', dietary: ['vegetarian'], preferredAirlines: ['AF'], anniversaries: [{ kind: 'WEDDING', date: '06-21' }], notes: 'Quiet rooms' },
  contactPreferences: { preferredChannel: 'EMAIL', language: 'fr', doNotContact: false },
  addresses: [{ kind: 'HOME', line1: '1 Rue de Rivoli', city: 'Paris', postalCode: '75001', country: 'FR' }],
  financial: { currency: 'GBP', creditLimit: '5000', outstandingBalance: '120.5' },
  loyaltyTier: 'GOLD',
  legacyLoyaltyBalance: 1200,
};
const bob: CustomerWrite = { ...base, id: 'c-bob', firstName: 'Bob', lastName: 'Bronson', emails: [], paymentMethods: [], legacyIds: [{ system: 'old', legacyId: '2' }] };

describe('customers API (embedded PGlite)', () => {
  let db: Database;
  let app: express.Express;

  beforeAll(async () => {
    db = await openTestPglite();
    const store = new PrismaCustomerStore(db.prisma);
    await store.upsertAdvisors([
      { advisorId: 'A1', name: 'Alice Advisor', branch: 'LON', active: true },
      { advisorId: 'A2', name: 'Bob Advisor', active: false },
    ]);
    await store.writeCustomers([zoe, bob], { reason: 'migration', at: new Date(NOW - 86_400_000) });
    await store.writeTrips([
      { customerId: 'c-zoe', sourceKey: 'legacy:old:trip:1', reference: 'R1', startDate: '2009-03-01', endDate: '2009-03-14', destinations: ['KE'], products: ['SAFARI'], pax: 2, value: { amount: '4200.00', currency: 'GBP' }, paymentStatus: 'PAID' },
      { customerId: 'c-zoe', sourceKey: 'legacy:old:trip:2', reference: 'R2', startDate: '2015-07-01', endDate: '2015-07-08', destinations: ['DE'], products: ['RIVER CRUISE'], pax: 2, value: { amount: '3100.00', currency: 'EUR' }, paymentStatus: 'PAID' },
    ]);
    await store.writePassports([{ customerId: 'c-zoe', number: '19FV 12345', normalizedNumber: '19FV12345', country: 'FR', issuedOn: '2019-01-10', expiresOn: '2029-01-09' }]);
    await store.writeLoyaltyTransactions([{ customerId: 'c-zoe', sourceKey: 'legacy:old:loyalty:1', occurredOn: '2015-07-08', points: 1000, kind: 'EARN', tripReference: 'R2' }]);
    await store.writeConsents([{ customerId: 'c-zoe', sourceKey: 'legacy:old:consent:1', purpose: 'MARKETING_EMAIL', granted: true, recordedOn: '2015-07-01', source: 'legacy import' }]);
    await store.refreshCustomerStats(['c-zoe', 'c-bob']);
    app = express();
    app.use(pinoHttp({ logger: silentLogger }));
    app.use(express.json());
    app.use(customersRouter({ prisma: db.prisma, store, now: () => NOW, operatorTimeZone: 'Europe/London' }));
    app.use(errorHandler);
  });
  afterAll(() => db?.close());

  const pointers = (body: { errors?: { pointer: string }[] }) => body.errors?.map((e) => e.pointer);

  it('searches customers with pages, and names a bad parameter', async () => {
    const page1 = await request(app).get('/customers').query({ name: 'bron', limit: 1 }).expect(200);
    // The answers have the shapes the OpenAPI document gives them.
    CustomerPageResponse.parse(page1.body);
    expect(page1.body.items.map((c: { id: string }) => c.id)).toEqual(['c-bob']);
    const page2 = await request(app).get('/customers').query({ name: 'bron', limit: 1, cursor: page1.body.nextCursor }).expect(200);
    expect(page2.body).toEqual({ items: [expect.objectContaining({ id: 'c-zoe', lastName: 'Brontë' })], nextCursor: null });
    const byPhone = await request(app).get('/customers').query({ q: '+33 1 42 68 53 00' }).expect(200);
    expect(byPhone.body.items.map((c: { id: string }) => c.id)).toEqual(['c-zoe']);

    const bad = await request(app).get('/customers').query({ limit: 0, status: 'GONE', colour: 'red' }).expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(pointers(bad.body)).toEqual(expect.arrayContaining(['query:/limit', 'query:/status', 'query:/colour']));
    const badPhone = await request(app).get('/customers').query({ phone: '12' }).expect(400);
    expect(pointers(badPhone.body)).toEqual(['query:/phone']);
    const badCursor = await request(app).get('/customers').query({ cursor: 'abc' }).expect(400);
    expect(pointers(badCursor.body)).toEqual(['query:/cursor']);
  });

  it('shows the 360 view with masked tokens, and 404 for an unknown id', async () => {
    const res = await request(app).get('/customers/c-zoe').expect(200);
    Customer360View.parse(res.body);
    expect(res.body).toMatchObject({
      passports: { current: { normalizedNumber: '19FV12345', status: 'VALID' } },
      loyalty: { balance: 1000, tier: 'GOLD', legacyStatedBalance: 1200, differenceFromLegacy: -200 },
      financial: { currency: 'GBP', creditLimit: '5000.00', outstandingBalance: '120.50' },
      communication: { consents: { MARKETING_EMAIL: { granted: true }, PROFILING: null } },
    });
    expect(res.body).toMatchObject({
      asOf: '2026-11-29',
      id: 'c-zoe',
      profile: { firstName: 'Zoë', lastName: 'Brontë' },
      advisor: { id: 'A1', name: 'Alice Advisor' },
      financial: { paymentMethods: [{ token: '****7777', brand: 'MASTERCARD', last4: '5454', expiry: '2029-01' }] },
      lifetimeValue: [
        { currency: 'EUR', amount: '3100.00', trips: 1 },
        { currency: 'GBP', amount: '4200.00', trips: 1 },
      ],
      retention: { tripCount: 2, firstTripOn: '2009-03-01', lastTripOn: '2015-07-08', repeatCustomer: true },
    });
    expect(JSON.stringify(res.body)).not.toContain('tok_secret');
    const missing = await request(app).get('/customers/c-nobody').expect(404);
    expect(missing.body).toMatchObject({ status: 404, detail: 'Customer c-nobody does not exist' });
    await request(app).get('/customers/c-nobody/trips').expect(404);
  });

  it('lists trips newest first', async () => {
    const res = await request(app).get('/customers/c-zoe/trips').query({ limit: 1 }).expect(200);
    TripPageResponse.parse(res.body);
    expect(res.body.items.map((t: { reference: string }) => t.reference)).toEqual(['R2']);
    const next = await request(app).get('/customers/c-zoe/trips').query({ limit: 1, cursor: res.body.nextCursor }).expect(200);
    expect(next.body).toEqual({ items: [expect.objectContaining({ reference: 'R1', value: { amount: '4200.00', currency: 'GBP' } })], nextCursor: null });
  });

  it('routes a contact to the customer and their advisor', async () => {
    const res = await request(app).get('/customers/lookup').query({ email: 'ZOE@example.com' }).expect(200);
    ContactLookupResponse.parse(res.body);
    expect(res.body).toMatchObject({ matchedBy: 'email', candidates: 1, customer: { id: 'c-zoe', primaryEmail: 'zoe@example.com' }, advisor: { id: 'A1', name: 'Alice Advisor' } });
    const none = await request(app).get('/customers/lookup').query({ email: 'nobody@example.com' }).expect(404);
    expect(none.body.detail).toBe('No customer has email "nobody@example.com"');
    const empty = await request(app).get('/customers/lookup').expect(400);
    expect(pointers(empty.body)).toEqual(['query:/email']);
    const badEmail = await request(app).get('/customers/lookup').query({ email: 'not-an-email' }).expect(400);
    expect(pointers(badEmail.body)).toEqual(['query:/email']);
  });

  it('reassigns the advisor keeping history; unknown advisor 422, unknown customer 404', async () => {
    const res = await request(app).put('/customers/c-zoe/advisor').send({ advisorId: 'A2', reason: 'moved branch' }).expect(200);
    AdvisorReassignmentResponse.parse(res.body);
    expect(res.body).toMatchObject({ customerId: 'c-zoe', advisorId: 'A2', changed: true, previousAdvisorId: 'A1' });
    expect(res.body.history.map((h: { advisorId: string; toAt: string | null }) => [h.advisorId, h.toAt])).toEqual([
      ['A1', new Date(NOW).toISOString()],
      ['A2', null],
    ]);
    const lookup = await request(app).get('/customers/lookup').query({ phone: '+33142685300' }).expect(200);
    expect(lookup.body.advisor).toMatchObject({ id: 'A2' });

    const ghost = await request(app).put('/customers/c-zoe/advisor').send({ advisorId: 'GHOST', reason: 'x' }).expect(422);
    expect(pointers(ghost.body)).toEqual(['/advisorId']);
    await request(app).put('/customers/c-nobody/advisor').send({ advisorId: 'A1', reason: 'x' }).expect(404);
    const bad = await request(app).put('/customers/c-zoe/advisor').send({ advisorId: 'A1' }).expect(422);
    expect(pointers(bad.body)).toEqual(['/reason']);
  });

  it('sums up retention and lists advisors', async () => {
    const retention = await request(app).get('/customers/retention').expect(200);
    RetentionSummaryResponse.parse(retention.body);
    expect(retention.body).toEqual({
      asOf: '2026-11-29',
      customers: 2,
      active: 2,
      archived: 0,
      customersWithTrips: 1,
      repeatCustomers: 1,
      repeatRate: '1.0000',
      yearsSinceLastTrip: { '0-1': 0, '1-3': 0, '3-7': 0, '7+': 1, never: 1 },
    });
    const advisors = await request(app).get('/advisors').query({ active: 'true' }).expect(200);
    AdvisorListResponse.parse(advisors.body);
    expect(advisors.body.items).toEqual([{ id: 'A1', name: 'Alice Advisor', email: null, branch: 'LON', active: true, customers: expect.any(Number) }]);
    await request(app).get('/advisors').query({ active: 'yes' }).expect(400);
  });
});
