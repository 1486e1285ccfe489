import type { CustomerWrite, TripWrite } from '../../domain/customers/model';
import type { Database } from '../../infra/database';
import { lifetimeValue, retentionFigures } from '../../domain/customers/rules';
import { openTestPglite } from '../../test/support/databases';
import { CustomerStoreError, PrismaCustomerStore } from '../customers.prisma';

const TODAY = '2026-11-29';
const AT = new Date('2026-11-29T09:00:00.000Z');
const MIGRATION = { reason: 'migration run-1', at: AT };

const prefs = { dietary: [], preferredAirlines: [], anniversaries: [] };
const contact = { doNotContact: false };

function customer(id: string, over: Partial<CustomerWrite> = {}): CustomerWrite {
  return { id, status: 'ACTIVE', lastName: 'Nobody', preferences: prefs, contactPreferences: contact, emails: [], phones: [], addresses: [], paymentMethods: [], legacyIds: [{ system: 'old', legacyId: id }], ...over };
}

const jose = customer('c-jose', {
  firstName: 'José',
  lastName: 'Müller',
  title: 'Mr',
  dateOfBirth: '1961-04-02',
  advisorId: 'A1',
  householdId: 'H1',
  preferences: { cabinClass: 'BUSINESS', seat: 'AISLE', dietary: ['vegetarian'], preferredAirlines: ['BA'], anniversaries: [{ kind: 'WEDDING', date: '06-14' }] },
  contactPreferences: { preferredChannel: 'EMAIL', language: 'en', doNotContact: false },
  financial: { currency: 'GBP', creditLimit: '5000', outstandingBalance: '120.5' },
  loyaltyTier: 'GOLD',
  legacyLoyaltyBalance: 750,
  emails: [
    { address: 'Jose.Muller@Example.com', normalized: 'jose.muller@example.com', primary: true },
    { address: 'family@example.com', normalized: 'family@example.com', primary: false },
  ],
  phones: [{ raw: '020 7946 0018', e164: '+442079460018', kind: 'HOME', primary: true }],
  addresses: [{ kind: 'HOME', line1: '1 High Street', city: 'London', postalCode: 'N1 1AA', country: 'GB' }],
  paymentMethods: [{ token: 'tok_live_abcdefgh1234', brand: 'VISA', last4: '4242', expiry: '2028-04' }],
});
const ana = customer('c-ana', {
  firstName: 'Ana',
  lastName: 'Muller',
  status: 'ARCHIVED',
  archivedReason: 'no booking for more than 7 years',
  advisorId: 'A2',
  householdId: 'H1',
  emails: [
    { address: 'family@example.com', normalized: 'family@example.com', primary: true },
    { address: 'ana@example.com', normalized: 'ana@example.com', primary: false },
  ],
});
const john = customer('c-john', { firstName: 'John', lastName: 'Smith', emails: [{ address: 'john@example.com', normalized: 'john@example.com', primary: true }] });

const trip = (customerId: string, id: string, startDate: string, endDate: string, amount: string, currency: string, paymentStatus: TripWrite['paymentStatus']): TripWrite => ({
  customerId,
  sourceKey: `legacy:old:trip:${id}`,
  reference: id,
  startDate,
  endDate,
  destinations: ['BB'],
  products: ['CRUISE'],
  pax: 2,
  value: { amount, currency },
  paymentStatus,
  advisorId: 'A1',
  components: [{ type: 'CRUISE', supplier: 'Royal Caribbean', serviceClass: 'Balcony' }],
});

describe('PrismaCustomerStore on embedded PGlite', () => {
  let db: Database;
  let store: PrismaCustomerStore;

  beforeAll(async () => {
    db = await openTestPglite();
    store = new PrismaCustomerStore(db.prisma);
    await store.upsertAdvisors([
      { advisorId: 'A1', name: 'Alice Advisor', email: 'alice@agency.example', branch: 'LON', active: true },
      { advisorId: 'A2', name: 'Bob Advisor', active: true },
      { advisorId: 'A3', name: 'Carol Advisor', active: true },
    ]);
  });
  afterAll(() => db?.close());

  it('writes customers idempotently: a repeat changes nothing, a changed profile updates and keeps existing contacts', async () => {
    expect(await store.writeCustomers([jose, ana, john], MIGRATION)).toEqual({ created: 3, updated: 0, unchanged: 0 });
    expect(await store.writeCustomers([jose, ana, john], MIGRATION)).toEqual({ created: 0, updated: 0, unchanged: 3 });

    const johnUpdated: CustomerWrite = { ...john, title: 'Dr', emails: [{ address: 'j.smith@work.example', normalized: 'j.smith@work.example', primary: false }] };
    expect(await store.writeCustomers([jose, johnUpdated], MIGRATION)).toEqual({ created: 0, updated: 1, unchanged: 1 });
    const stored = await db.prisma.customer.findUniqueOrThrow({ where: { id: 'c-john' }, include: { emails: true } });
    expect(stored.title).toBe('Dr');
    expect(stored.searchName).toBe('smith john');
    expect(stored.emails.map((e) => e.normalized).sort()).toEqual(['j.smith@work.example', 'john@example.com']);

    expect(await db.prisma.household.findMany({ select: { id: true } })).toEqual([{ id: 'H1' }]);
    const assignments = await db.prisma.advisorAssignment.findMany({ orderBy: { customerId: 'asc' }, select: { customerId: true, advisorId: true, toAt: true, reason: true } });
    expect(assignments).toEqual([
      { customerId: 'c-ana', advisorId: 'A2', toAt: null, reason: 'migration run-1' },
      { customerId: 'c-jose', advisorId: 'A1', toAt: null, reason: 'migration run-1' },
    ]);
  });

  it('refuses a batch naming advisors that do not exist, or a legacy id owned by another customer, and writes nothing', async () => {
    const err = await store.writeCustomers([customer('c-new'), customer('c-orphan', { advisorId: 'GHOST' })], MIGRATION).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CustomerStoreError);
    expect(err).toMatchObject({ kind: 'unknown-advisors', message: expect.stringContaining('GHOST (customers c-orphan)') });
    const clash = await store.writeCustomers([customer('c-new'), customer('c-thief', { legacyIds: [{ system: 'old', legacyId: 'c-jose' }] })], MIGRATION).catch((e: unknown) => e);
    expect(clash).toMatchObject({ kind: 'legacy-id-conflict', message: expect.stringContaining('old:c-jose (stored on c-jose, written for c-thief)') });
    expect(await db.prisma.customer.count({ where: { id: { in: ['c-new', 'c-orphan', 'c-thief'] } } })).toBe(0);
  });

  it('writes history idempotently and keeps the per-customer figures', async () => {
    const trips = [
      trip('c-jose', 'T1', '2004-02-10', '2004-02-20', '2500.00', 'GBP', 'PAID'),
      trip('c-jose', 'T2', '2015-06-01', '2015-06-08', '1800.50', 'EUR', 'PAID'),
      trip('c-jose', 'T3', '2026-03-01', '2026-03-10', '900.00', 'GBP', 'CANCELLED'),
      trip('c-jose', 'T4', '2025-12-01', '2025-12-05', '100.00', 'GBP', 'REFUNDED'),
      trip('c-ana', 'T5', '2010-05-01', '2010-05-10', '500.00', 'GBP', 'PAID'),
    ];
    expect(await store.writeTrips(trips)).toEqual({ created: 5, existing: 0 });
    expect(await store.writeTrips(trips)).toEqual({ created: 0, existing: 5 });
    const loyalty = [
      { customerId: 'c-jose', sourceKey: 'legacy:old:loyalty:L1', occurredOn: '2004-02-21', points: 1000, kind: 'EARN' as const, tripReference: 'T1' },
      { customerId: 'c-jose', sourceKey: 'legacy:old:loyalty:L2', occurredOn: '2016-01-10', points: -300, kind: 'REDEEM' as const, description: 'upgrade' },
    ];
    expect(await store.writeLoyaltyTransactions(loyalty)).toEqual({ created: 2, existing: 0 });
    expect(await store.writeLoyaltyTransactions(loyalty)).toEqual({ created: 0, existing: 2 });
    const consents = [
      { customerId: 'c-jose', sourceKey: 'legacy:old:consent:1', purpose: 'MARKETING_EMAIL' as const, granted: true, recordedOn: '2019-01-01', source: 'web form' },
      { customerId: 'c-jose', sourceKey: 'legacy:old:consent:2', purpose: 'MARKETING_EMAIL' as const, granted: false, recordedOn: '2023-05-01', source: 'phone call' },
      { customerId: 'c-jose', sourceKey: 'legacy:old:consent:3', purpose: 'PROFILING' as const, granted: true, recordedOn: '2020-01-01', source: 'legacy import' },
    ];
    expect(await store.writeConsents(consents)).toEqual({ created: 3, existing: 0 });
    expect(await store.writeConsents(consents)).toEqual({ created: 0, existing: 3 });
    const passports = [
      { customerId: 'c-jose', number: '12 345 678', normalizedNumber: '12345678', country: 'GB', expiresOn: '2020-01-01' },
      { customerId: 'c-jose', number: 'X9876543', normalizedNumber: 'X9876543', country: 'ES', issuedOn: '2021-05-01', expiresOn: '2031-05-01' },
      { customerId: 'c-jose', number: '55501234', normalizedNumber: '55501234', country: 'GB', issuedOn: '2020-01-02', expiresOn: '2030-01-02' },
    ];
    expect(await store.writePassports(passports)).toEqual({ created: 3, existing: 0 });
    expect(await store.writePassports(passports)).toEqual({ created: 0, existing: 3 });
    await expect(store.writeTrips([trip('c-ghost', 'T9', '2020-01-01', '2020-01-02', '1.00', 'GBP', 'PAID')])).rejects.toMatchObject({ kind: 'unknown-customers', message: expect.stringContaining('c-ghost') });

    expect(await store.refreshCustomerStats(['c-jose', 'c-ana', 'c-john'])).toBe(2);
    expect(await store.refreshCustomerStats(['c-jose', 'c-ana', 'c-john'])).toBe(0);
    const rows = await db.prisma.customer.findMany({ orderBy: { id: 'asc' }, select: { id: true, tripCount: true, firstTripOn: true, lastTripOn: true, loyaltyPoints: true } });
    expect(rows).toEqual([
      { id: 'c-ana', tripCount: 1, firstTripOn: new Date('2010-05-01'), lastTripOn: new Date('2010-05-10'), loyaltyPoints: 0 },
      { id: 'c-john', tripCount: 0, firstTripOn: null, lastTripOn: null, loyaltyPoints: 0 },
      { id: 'c-jose', tripCount: 3, firstTripOn: new Date('2004-02-10'), lastTripOn: new Date('2025-12-05'), loyaltyPoints: 700 },
    ]);
  });

  it('shows the 360 view: current passport, consents, loyalty against the legacy figure, masked tokens, value and retention', async () => {
    const view = (await store.getCustomer360('c-jose', TODAY))!;
    expect(view.profile).toEqual({ title: 'Mr', firstName: 'José', lastName: 'Müller', dateOfBirth: '1961-04-02', customerSince: null });
    expect(view.passports.items.map((p) => [p.normalizedNumber, p.status])).toEqual([
      ['X9876543', 'VALID'],
      ['55501234', 'VALID'],
      ['12345678', 'EXPIRED'],
    ]);
    expect(view.passports.current).toMatchObject({ normalizedNumber: 'X9876543', country: 'ES', expiresOn: '2031-05-01' });
    expect((await store.getCustomer360('c-jose', '2031-05-02'))!.passports.current).toBeNull();

    expect(view.communication.consents.MARKETING_EMAIL).toEqual({ purpose: 'MARKETING_EMAIL', granted: false, recordedOn: '2023-05-01', source: 'phone call' });
    expect(view.communication.consents.PROFILING).toMatchObject({ granted: true });
    expect(view.communication.consents.MARKETING_SMS).toBeNull();
    expect(view.communication.history).toHaveLength(3);

    expect(view.loyalty).toMatchObject({ balance: 700, tier: 'GOLD', legacyStatedBalance: 750, differenceFromLegacy: -50, transactionCount: 2 });
    expect(view.loyalty.recentTransactions.map((t) => t.points)).toEqual([-300, 1000]);

    expect(view.financial).toEqual({ currency: 'GBP', creditLimit: '5000.00', outstandingBalance: '120.50', paymentMethods: [{ token: '****1234', brand: 'VISA', last4: '4242', expiry: '2028-04' }] });
    expect(JSON.stringify(view)).not.toContain('tok_live_abcdefgh1234');

    expect(view.advisor).toEqual({ id: 'A1', name: 'Alice Advisor', email: 'alice@agency.example', branch: 'LON', active: true });
    expect(view.household).toEqual({ id: 'H1', name: null, members: [{ id: 'c-ana', firstName: 'Ana', lastName: 'Muller', status: 'ARCHIVED' }] });
    expect(view.travelHistory.total).toBe(4);
    expect(view.travelHistory.trips.map((t) => t.reference)).toEqual(['T3', 'T4', 'T2', 'T1']);
    expect(view.travelHistory.trips[3]).toMatchObject({ value: { amount: '2500.00', currency: 'GBP' }, components: [{ type: 'CRUISE', serviceClass: 'Balcony' }] });
    expect(view.lifetimeValue).toEqual([
      { currency: 'EUR', amount: '1800.50', trips: 1 },
      { currency: 'GBP', amount: '2500.00', trips: 1 },
    ]);
    expect(view.retention).toEqual({ tripCount: 3, firstTripOn: '2004-02-10', lastTripOn: '2025-12-05', daysSinceLastTrip: 359, repeatCustomer: true });
    // The SQL aggregates agree with the domain rules over the same trips.
    const all = (await store.listTrips('c-jose', { limit: 100 }))!.items;
    expect(view.retention).toEqual(retentionFigures(all.filter((t) => t.paymentStatus !== 'CANCELLED'), TODAY));
    expect(Object.fromEntries(view.lifetimeValue.map((v) => [v.currency, v.amount]))).toEqual(lifetimeValue(all));
    expect(await store.getCustomer360('c-nobody', TODAY)).toBeNull();
  });

  it('searches by accent-insensitive name prefix, email, phone and passport, with keyset pages', async () => {
    const ids = async (search: Parameters<PrismaCustomerStore['searchCustomers']>[0]) => (await store.searchCustomers(search)).items.map((c) => c.id);
    expect(await ids({ name: 'MÜLL', limit: 10 })).toEqual(['c-ana', 'c-jose']);
    expect(await ids({ name: 'muller jose', limit: 10 })).toEqual(['c-jose']);
    expect(await ids({ name: 'José Müller', limit: 10 })).toEqual(['c-jose']);
    expect(await ids({ name: 'smi', limit: 10 })).toEqual(['c-john']);
    expect(await ids({ email: ' JOSE.MULLER@example.COM ', limit: 10 })).toEqual(['c-jose']);
    expect(await ids({ email: 'family@example.com', limit: 10 })).toEqual(['c-ana', 'c-jose']);
    expect(await ids({ phone: '+44 20 7946 0018', limit: 10 })).toEqual(['c-jose']);
    expect(await ids({ phone: '020-7946-0018', limit: 10 })).toEqual(['c-jose']);
    expect(await ids({ passport: 'x 987-6543', limit: 10 })).toEqual(['c-jose']);
    expect(await ids({ q: 'X9876543', limit: 10 })).toEqual(['c-jose']);
    expect(await ids({ q: 'john@example.com', limit: 10 })).toEqual(['c-john']);
    expect(await ids({ q: 'mul', status: 'ACTIVE', limit: 10 })).toEqual(['c-jose']);
    expect(await ids({ advisorId: 'A2', limit: 10 })).toEqual(['c-ana']);

    const first = await store.searchCustomers({ limit: 2 });
    expect(first.items.map((c) => c.id)).toEqual(['c-ana', 'c-jose']);
    expect(first.items[1]).toMatchObject({ primaryEmail: 'Jose.Muller@Example.com', primaryPhone: '+442079460018', tripCount: 3, lastTripOn: '2025-12-05', loyaltyPoints: 700 });
    const second = await store.searchCustomers({ limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ items: [expect.objectContaining({ id: 'c-john' })], nextCursor: null });

    await expect(store.searchCustomers({ phone: '12', limit: 10 })).rejects.toMatchObject({ kind: 'invalid-request', field: 'phone' });
    await expect(store.searchCustomers({ limit: 10, cursor: 'bm9wZQ' })).rejects.toMatchObject({ kind: 'invalid-cursor' });
  });

  it('routes a contact to its customer and advisor, preferring an active customer; archived ones still match', async () => {
    expect(await store.routeContact({ email: 'FAMILY@example.com' })).toEqual({ customerId: 'c-jose', advisorId: 'A1', matchedBy: 'email', candidates: 2 });
    expect(await store.routeContact({ email: 'ana@example.com' })).toEqual({ customerId: 'c-ana', advisorId: 'A2', matchedBy: 'email', candidates: 1 });
    expect(await store.routeContact({ email: 'unknown@example.com', phone: '07911 123456', passport: '12345678' })).toEqual({ customerId: 'c-jose', advisorId: 'A1', matchedBy: 'passport', candidates: 1 });
    expect(await store.routeContact({ email: 'john@example.com' })).toEqual({ customerId: 'c-john', advisorId: null, matchedBy: 'email', candidates: 1 });
    expect(await store.routeContact({ email: 'nobody@example.com' })).toBeNull();
  });

  it('reassigns an advisor keeping the history; unknown customer or advisor is refused', async () => {
    const later = new Date('2026-12-01T10:00:00.000Z');
    const moved = await store.reassignAdvisor('c-jose', 'A3', 'Alice retired', later);
    expect(moved).toEqual({
      changed: true,
      previousAdvisorId: 'A1',
      history: [
        { advisorId: 'A1', advisorName: 'Alice Advisor', fromAt: AT.toISOString(), toAt: later.toISOString(), reason: 'migration run-1' },
        { advisorId: 'A3', advisorName: 'Carol Advisor', fromAt: later.toISOString(), toAt: null, reason: 'Alice retired' },
      ],
    });
    expect((await store.reassignAdvisor('c-jose', 'A3', 'again', later)).changed).toBe(false);
    expect((await store.routeContact({ phone: '+442079460018' }))?.advisorId).toBe('A3');
    await expect(store.reassignAdvisor('c-jose', 'GHOST', 'x', later)).rejects.toMatchObject({ kind: 'unknown-advisor', field: 'advisorId' });
    await expect(store.reassignAdvisor('c-ghost', 'A1', 'x', later)).rejects.toMatchObject({ kind: 'unknown-customer' });
    expect((await store.getCustomer360('c-jose', TODAY))!.advisorHistory).toHaveLength(2);
  });

  it('lists trips newest first in pages and sums up retention', async () => {
    const page1 = (await store.listTrips('c-jose', { limit: 3 }))!;
    expect(page1.items.map((t) => t.reference)).toEqual(['T3', 'T4', 'T2']);
    const page2 = (await store.listTrips('c-jose', { limit: 3, cursor: page1.nextCursor! }))!;
    expect(page2).toEqual({ items: [expect.objectContaining({ reference: 'T1' })], nextCursor: null });
    expect(await store.listTrips('c-ghost', { limit: 3 })).toBeNull();

    expect(await store.retentionSummary(TODAY)).toEqual({
      customers: 3,
      active: 2,
      archived: 1,
      customersWithTrips: 2,
      repeatCustomers: 1,
      repeatRate: '0.5000',
      yearsSinceLastTrip: { '0-1': 1, '1-3': 0, '3-7': 0, '7+': 1, never: 1 },
    });
  });
});
