import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { CatalogComponentRequest, LifecycleView } from '../../domain/booking/model';
import type { Policy, Product, Supplier } from '../../domain/catalog/model';
import type { Offer, OrderPassenger } from '../../domain/flights/model';
import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import type { NoticeInput, PriceComponentsInput } from '../booking-lifecycle.types';
import { createBookingLifecycleActivities, type BookingLifecycleActivityPorts } from '../booking-lifecycle.activities';
import { PrismaBookingProjection } from '../booking-projection.prisma';
import { PickupDirectoryEmailNotifier } from '../booking-notifier.email';
import { SandboxPaymentGateway } from '../payment-gateway.sandbox';
import { PaymentGatewayError } from '../ports/payment-gateway';
import type { BookingNotifier } from '../ports/booking-notifier';
import { AvailabilitySearch } from '../availability-search';
import { PrismaCatalog } from '../catalog.prisma';
import { PrismaFxRates } from '../fx-rates.prisma';
import { PrismaInventory } from '../inventory.prisma';

/**
 * A small catalog for the booking lifecycle tests: a GBP hotel with 2 rooms a night in June 2027,
 * a EUR airport transfer, GBP travel insurance, 20 % default markup, ECB EUR→GBP 0.85.
 */
const SALE_DATE = '2027-05-03';

const HOTEL_CANCELLATION: Policy = {
  windows: [
    { fromDaysBefore: 60, toDaysBefore: 15, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '25', nonRefundable: false },
    { fromDaysBefore: 14, toDaysBefore: -1, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '100', nonRefundable: true },
  ],
};
const NO_FEES: Policy = { windows: [] };

function supplier(code: string, type: Supplier['type'], currency: string, cancellationPolicy: Policy = NO_FEES): Supplier {
  return {
    code,
    name: `Supplier ${code}`,
    type,
    active: true,
    contacts: [{ name: 'Reservations', email: `res-${code.toLowerCase()}@example.com` }],
    paymentTerms: { depositPercent: '0', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30 },
    preferredPaymentMethod: 'BANK_TRANSFER',
    invoiceCurrency: currency,
    paymentCurrency: currency,
    cancellationPolicy,
    amendmentPolicy: NO_FEES,
  };
}

const base = { destination: 'GB-LONDON', country: 'GB', childBands: [], taxes: [] };
const allWeek = [1, 2, 3, 4, 5, 6, 7] as const;

const PRODUCTS: Product[] = [
  {
    ...base,
    supplierCode: 'BKHTL',
    code: 'H1',
    type: 'HOTEL',
    name: 'Test hotel',
    currency: 'GBP',
    active: true,
    minPax: 1,
    maxPax: 4,
    categories: [{ code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 2 }],
    rates: [{ category: 'DBL', ratePlan: 'BAR', validFrom: '2027-05-01', validTo: '2027-12-31', weekdays: [...allWeek], basis: 'PER_ROOM_PER_NIGHT', amount: '100.00' }],
  },
  {
    ...base,
    supplierCode: 'BKHTL',
    code: 'H2',
    type: 'HOTEL',
    name: 'Closed hotel',
    currency: 'GBP',
    active: false,
    minPax: 1,
    maxPax: 4,
    categories: [{ code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 2 }],
    rates: [{ category: 'DBL', ratePlan: 'BAR', validFrom: '2027-05-01', validTo: '2027-12-31', weekdays: [...allWeek], basis: 'PER_ROOM_PER_NIGHT', amount: '80.00' }],
  },
  {
    ...base,
    supplierCode: 'BKGRD',
    code: 'G1',
    type: 'GROUND_SERVICE',
    kind: 'TRANSFER',
    name: 'Airport transfer',
    currency: 'EUR',
    active: true,
    minPax: 1,
    maxPax: 7,
    categories: [{ code: 'VAN', name: 'Private van', maxOccupancy: 7, standardOccupancy: 1 }],
    rates: [{ category: 'VAN', ratePlan: 'PRIVATE', validFrom: '2027-05-01', validTo: '2027-12-31', weekdays: [...allWeek], basis: 'PER_UNIT', amount: '50.00' }],
  },
  {
    ...base,
    supplierCode: 'BKINS',
    code: 'I1',
    type: 'INSURANCE',
    cover: 'Medical',
    maxTripDays: 31,
    name: 'Travel insurance',
    currency: 'GBP',
    active: true,
    minPax: 1,
    maxPax: 9,
    categories: [{ code: 'STANDARD', name: 'Standard cover', maxOccupancy: 1, standardOccupancy: 1 }],
    rates: [{ category: 'STANDARD', ratePlan: 'TRIP', validFrom: '2027-05-01', validTo: '2027-12-31', weekdays: [...allWeek], basis: 'PER_PERSON', amount: '20.00' }],
  },
];

interface BookingCatalog {
  catalog: PrismaCatalog;
  inventory: PrismaInventory;
  search: AvailabilitySearch;
  hotelId: string;
}

async function seedBookingCatalog(db: Database): Promise<BookingCatalog> {
  const catalog = new PrismaCatalog(db.prisma);
  const inventory = new PrismaInventory(db.prisma);
  await catalog.upsertSuppliers([supplier('BKHTL', 'HOTEL', 'GBP', HOTEL_CANCELLATION), supplier('BKGRD', 'TRANSFER', 'EUR'), supplier('BKINS', 'INSURER', 'GBP')]);
  await catalog.upsertProducts(PRODUCTS);
  await catalog.setMarkupRules([
    { productType: null, channel: null, percent: '20' },
    { productType: 'HOTEL', channel: 'online', percent: '12' },
  ]);
  await new PrismaFxRates(db.prisma).importQuotes([{ source: 'ECB', base: 'EUR', quote: 'GBP', rate: '0.85', rateDate: SALE_DATE }]);
  await inventory.createContract({
    code: 'BK-H1-DBL',
    supplierCode: 'BKHTL',
    productCode: 'H1',
    category: 'DBL',
    validFrom: '2027-06-01',
    validTo: '2027-06-30',
    quantity: 2,
    contractedPrice: '100.00',
    currency: 'GBP',
    basis: 'PER_ROOM_PER_NIGHT',
    release: { kind: 'NONE' },
    minGroupSize: 1,
    maxGroupSize: 4,
  });
  const hotel = await catalog.getProduct('BKHTL', 'H1');
  const search = new AvailabilitySearch(catalog, inventory, new PrismaFxRates(db.prisma), { today: () => SALE_DATE });
  return { catalog, inventory, search, hotelId: hotel!.id };
}

const hotelRequest = (overrides: Partial<CatalogComponentRequest> = {}): CatalogComponentRequest => ({
  id: 'hotel',
  kind: 'HOTEL',
  supplierCode: 'BKHTL',
  productCode: 'H1',
  category: 'DBL',
  startDate: '2027-06-10',
  nights: 3,
  units: [{ adults: 2, childAges: [] }],
  ...overrides,
});

const transferRequest = (): CatalogComponentRequest => ({
  id: 'transfer-in',
  kind: 'TRANSFER',
  supplierCode: 'BKGRD',
  productCode: 'G1',
  category: 'VAN',
  startDate: '2027-06-10',
  nights: 0,
  units: [{ adults: 2, childAges: [] }],
});

const insuranceRequest = (): CatalogComponentRequest => ({
  id: 'insurance',
  kind: 'INSURANCE',
  supplierCode: 'BKINS',
  productCode: 'I1',
  category: 'STANDARD',
  startDate: '2027-06-10',
  nights: 3,
  units: [
    { adults: 1, childAges: [] },
    { adults: 1, childAges: [] },
  ],
});

const PASSENGERS: OrderPassenger[] = [
  { id: 'p1', type: 'ADT', givenName: 'Ada', familyName: 'Lovelace', bornOn: '1980-12-10' },
  { id: 'p2', type: 'ADT', givenName: 'Charles', familyName: 'Babbage', bornOn: '1979-12-26' },
];

const eur = (amount: string) => ({ amount, currency: 'EUR' });
const at = (airport: string, timeZone: string, local: string) => ({ airport, timeZone, local, at: Date.parse(`${local}:00Z`) });

/** A return LHR⇄JFK offer for two adults, EUR 400.00, not refundable, changes for EUR 50.00. */
function flightOffer(): Offer {
  const segment = (carrier: string, flightNumber: string, from: ReturnType<typeof at>, to: ReturnType<typeof at>) => ({
    carrier,
    flightNumber,
    departure: from,
    arrival: to,
    durationMinutes: 480,
    cabin: 'ECONOMY' as const,
    bookingClass: 'Y',
    stops: 0,
  });
  return {
    id: 'off_123',
    supplier: 'duffel-sandbox',
    slices: [
      { origin: 'LHR', destination: 'JFK', durationMinutes: 480, segments: [segment('BA', '117', at('LHR', 'Europe/London', '2027-06-10T08:25'), at('JFK', 'America/New_York', '2027-06-10T11:15'))] },
      { origin: 'JFK', destination: 'LHR', durationMinutes: 420, segments: [segment('BA', '112', at('JFK', 'America/New_York', '2027-06-13T18:30'), at('LHR', 'Europe/London', '2027-06-14T06:40'))] },
    ],
    fares: [{ passengerType: 'ADT', count: 2, fare: { fareBasis: 'YLOW', base: eur('150.00'), taxes: [{ code: 'GB', amount: eur('50.00') }], total: eur('200.00') } }],
    total: eur('400.00'),
    base: eur('300.00'),
    taxTotal: eur('100.00'),
    seatsLeft: [],
    conditions: { change: { allowed: true, fee: eur('50.00') }, refund: { allowed: false, fee: null } },
    expiresAt: Date.parse('2027-05-03T12:00:00Z'),
    instantPaymentRequired: false,
    ticketingDeadline: Date.parse('2027-05-06T23:59:00Z'),
    validatingCarrier: 'BA',
  };
}

/** A lifecycle view as the workflow reports it (the fields the projection reads, the rest plausible). */
function lifecycleView(overrides: Partial<LifecycleView> = {}): LifecycleView {
  const gbp = (amount: string) => ({ amount, currency: 'GBP' });
  return {
    reference: 'BKTEST0001',
    status: 'HELD',
    customerId: 'cust-1',
    advisorId: 'adv-1',
    channel: 'direct',
    currency: 'GBP',
    departureDate: '2027-06-10',
    returnDate: '2027-06-14',
    openedAt: Date.parse('2027-05-03T09:00:00Z'),
    holdExpiresAt: Date.parse('2027-05-06T09:00:00Z'),
    components: [],
    total: gbp('867.00'),
    paid: gbp('0.00'),
    balanceDue: gbp('867.00'),
    schedule: [],
    terms: { depositPercent: '20', depositAmount: null, installments: 0, finalDueDaysBefore: 42, reminderDaysBefore: 7, graceDays: 3 },
    payments: [],
    refunds: [],
    complaints: [],
    group: null,
    timeline: [],
    nextDeadline: null,
    failure: null,
    needsManualReview: false,
    version: 1,
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------

const NOW = Date.parse('2027-05-03T10:00:00Z');
const WF = 'booking-BKTEST0001';

/** Counts what it was asked to send; fails the first `failures` sends (a provider outage). */
class CountingNotifier implements BookingNotifier {
  readonly channel = 'test';
  sent: NoticeInput[] = [];
  constructor(private failures = 0) {}
  send(n: NoticeInput): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error('smtp relay timed out'));
    }
    this.sent.push(n);
    return Promise.resolve();
  }
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('booking lifecycle activities on embedded PGlite', () => {
  const env = new MockActivityEnvironment();
  /** env.run with the activity's result type (the SDK's signature cannot infer it). */
  const run = <P extends unknown[], R>(fn: (...args: P) => Promise<R>, ...args: P): Promise<R> => env.run(fn, ...args) as Promise<R>;
  let db: Database;
  let seeded: BookingCatalog;
  let notifier: CountingNotifier;
  let ports: BookingLifecycleActivityPorts;
  let acts: ReturnType<typeof createBookingLifecycleActivities>;

  const priceInput = (components: PriceComponentsInput['components'], flightOffers: PriceComponentsInput['flightOffers'] = {}): PriceComponentsInput => ({
    reference: 'BKTEST0001',
    channel: 'direct',
    currency: 'GBP',
    saleDate: SALE_DATE,
    components,
    flightOffers,
  });
  const priceOne = async (c: CatalogComponentRequest) => (await run(acts.priceBookingComponents, priceInput([c])))[0]!;
  const nights = async (from: string, to: string) =>
    (await seeded.inventory.inventoryRows(seeded.hotelId, 'DBL', from, to)).map((r) => ({ date: r.stayDate, held: r.held, sold: r.sold, available: r.available }));

  beforeAll(async () => {
    db = await openTestPglite();
    seeded = await seedBookingCatalog(db);
    notifier = new CountingNotifier();
    ports = {
      prisma: db.prisma,
      catalog: seeded.catalog,
      inventory: seeded.inventory,
      search: seeded.search,
      notifier,
      payments: new SandboxPaymentGateway(db.prisma, (r) => (r.paymentId === 'pay_unknown' ? 'no such payment' : null)),
      operatorTimeZone: 'Europe/London',
    };
    acts = createBookingLifecycleActivities(ports);
  });
  afterAll(async () => {
    await db.close();
  });

  it('prices a hotel, a transfer, insurance and a flight offer in GBP, with costs in the suppliers\' currencies', async () => {
    const flight = { id: 'flight', kind: 'FLIGHT' as const, supplier: 'duffel-sandbox', offerId: 'off_123', passengers: PASSENGERS };
    const priced = await run(acts.priceBookingComponents, priceInput([hotelRequest(), transferRequest(), insuranceRequest(), flight], { flight: flightOffer() }));
    const [hotel, transfer, insurance, air] = priced;

    // 3 nights x GBP 100 per room, + 20 % default markup.
    expect(hotel).toMatchObject({
      id: 'hotel',
      kind: 'HOTEL',
      productType: 'hotels',
      description: 'Hotel H1 Double, 3 nights',
      serviceStart: '2027-06-10',
      serviceEnd: '2027-06-12',
      pax: 2,
      sell: { amount: '360.00', currency: 'GBP' },
      cost: { amount: '300.00', currency: 'GBP' },
      settlement: null,
      inventory: { productId: seeded.hotelId, category: 'DBL', from: '2027-06-10', nights: 3, quantity: 1 },
      flight: null,
    });
    expect(hotel!.cancellationPolicy.windows).toHaveLength(2);
    expect(hotel!.cancellationPolicy.windows[1]).toMatchObject({ fromDaysBefore: 14, toDaysBefore: -1, nonRefundable: true });
    // EUR 50 x 1.20 x 0.85 = GBP 51.00; on request (no allotment).
    expect(transfer).toMatchObject({ productType: 'transfers', sell: { amount: '51.00', currency: 'GBP' }, cost: { amount: '50.00', currency: 'EUR' }, serviceEnd: '2027-06-10', inventory: null });
    // 2 policies x GBP 20, + 20 %; the trip ends after 3 days.
    expect(insurance).toMatchObject({ productType: 'insurance', pax: 2, sell: { amount: '48.00', currency: 'GBP' }, cost: { amount: '40.00', currency: 'GBP' }, serviceEnd: '2027-06-13', inventory: null });
    // EUR 400 x 0.85 x 1.20 = GBP 408.00; the airline is settled the fare in EUR.
    expect(air).toMatchObject({
      kind: 'FLIGHT',
      productType: 'flights',
      supplierCode: 'duffel-sandbox',
      description: 'Flight LHR→JFK BA117 + return',
      serviceStart: '2027-06-10',
      serviceEnd: '2027-06-14',
      pax: 2,
      sell: { amount: '408.00', currency: 'GBP' },
      cost: { amount: '400.00', currency: 'EUR' },
      settlement: { amount: '400.00', currency: 'EUR' },
      inventory: null,
      flight: { supplier: 'duffel-sandbox', offerId: 'off_123', passengers: PASSENGERS, instantPaymentRequired: false, ticketingDeadline: Date.parse('2027-05-06T23:59:00Z') },
    });
    expect(air!.cancellationPolicy).toEqual({ windows: [{ fromDaysBefore: 9999, toDaysBefore: -1, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '100', nonRefundable: true }] });
    expect(air!.amendmentPolicy).toEqual({ windows: [{ fromDaysBefore: 9999, toDaysBefore: -1, basis: 'FIXED', scope: 'PER_BOOKING', amount: '50.00', currency: 'EUR', nonRefundable: false }] });
    expect(air!.request).toEqual(flight);
  });

  it('classifies what cannot be priced: unknown or inactive product, unknown category, no rate, missing offer', async () => {
    const unknown = await failureOf(run(acts.priceBookingComponents, priceInput([hotelRequest({ productCode: 'NOPE' })])));
    expect(unknown).toMatchObject({ type: 'BookingComponentUnavailable', nonRetryable: true });
    expect(unknown.message).toContain('hotel');
    expect(unknown.message).toContain('BKHTL/NOPE');
    await expect(failureOf(run(acts.priceBookingComponents, priceInput([hotelRequest({ productCode: 'H2' })])))).resolves.toMatchObject({ type: 'BookingComponentUnavailable', message: expect.stringContaining('inactive') });
    const category = await failureOf(run(acts.priceBookingComponents, priceInput([hotelRequest({ category: 'SUITE' })])));
    expect(category).toMatchObject({ type: 'BookingRequestInvalid', nonRetryable: true });
    expect(category.details?.[0]).toEqual([{ path: 'components[0].category', message: 'must be one of DBL' }]);
    // No rate in 2028: the pricing engine's problems come back with the component's path.
    const norate = await failureOf(run(acts.priceBookingComponents, priceInput([hotelRequest({ startDate: '2028-02-01' })])));
    expect(norate.type).toBe('BookingRequestInvalid');
    expect((norate.details?.[0] as { path: string }[]).every((p) => p.path.startsWith('components[0]'))).toBe(true);
    const flight = { id: 'air', kind: 'FLIGHT' as const, supplier: 'duffel-sandbox', offerId: 'off_123', passengers: PASSENGERS };
    await expect(failureOf(run(acts.priceBookingComponents, priceInput([flight])))).resolves.toMatchObject({ type: 'BookingRequestInvalid', message: expect.stringContaining('no flight offer') });
    // The database or catalog being down is not a refusal: the error stays as it is (retryable).
    const outage = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const down = createBookingLifecycleActivities({ ...ports, catalog: { getProductsByCodes: () => Promise.reject(outage), getSuppliersTerms: () => Promise.reject(outage) } as unknown as BookingLifecycleActivityPorts['catalog'] });
    await expect(run(down.priceBookingComponents, priceInput([hotelRequest()]))).rejects.toBe(outage);
    // Every shape problem at once.
    const bad = await failureOf(run(acts.priceBookingComponents, { ...priceInput([hotelRequest({ nights: 0, units: [] }), hotelRequest()]), currency: 'XXQ' }));
    expect((bad.details?.[0] as { path: string }[]).map((p) => p.path)).toEqual(['currency', 'components[0].nights', 'components[0].units', 'components[1].id']);
  });

  it('holds, confirms and releases hotel rooms: units move held → sold → free; retries with the same key act once', async () => {
    const hotel = await priceOne(hotelRequest({ startDate: '2027-06-20', nights: 2 }));
    const hold = { key: `${WF}:hold:hotel`, reference: 'BKTEST0001', component: hotel, ttlSeconds: 3600, now: NOW };
    const held = await run(acts.holdBookingComponent, hold);
    expect(held).toEqual({ supplierRef: `${WF}:hold:hotel`, expiresAt: NOW + 3_600_000 });
    expect(await run(acts.holdBookingComponent, hold)).toEqual(held);
    expect(await nights('2027-06-20', '2027-06-21')).toEqual([
      { date: '2027-06-20', held: 1, sold: 0, available: 1 },
      { date: '2027-06-21', held: 1, sold: 0, available: 1 },
    ]);

    const confirm = { key: `${WF}:confirm:hotel`, reference: 'BKTEST0001', component: hotel, holdRef: held.supplierRef, now: NOW + 60_000 };
    expect(await run(acts.confirmBookingComponent, confirm)).toEqual({ supplierRef: held.supplierRef });
    expect(await run(acts.confirmBookingComponent, confirm)).toEqual({ supplierRef: held.supplierRef });
    // The hold repeated after it was confirmed (a step retried after a crash): the same sale, nothing taken twice.
    expect(await run(acts.holdBookingComponent, { ...hold, now: NOW + 90_000 })).toEqual({ supplierRef: held.supplierRef, expiresAt: null });
    expect(await nights('2027-06-20', '2027-06-21')).toEqual([
      { date: '2027-06-20', held: 0, sold: 1, available: 1 },
      { date: '2027-06-21', held: 0, sold: 1, available: 1 },
    ]);

    const release = { key: `${WF}:release:hotel`, reference: 'BKTEST0001', component: hotel, supplierRef: held.supplierRef, now: NOW + 120_000 };
    expect(await run(acts.releaseBookingComponent, release)).toEqual({ released: true });
    expect(await run(acts.releaseBookingComponent, release)).toEqual({ released: false });
    expect(await run(acts.releaseBookingComponent, { ...release, supplierRef: `${WF}:hold:never` })).toEqual({ released: false });
    expect(await nights('2027-06-20', '2027-06-21')).toEqual([
      { date: '2027-06-20', held: 0, sold: 0, available: 2 },
      { date: '2027-06-21', held: 0, sold: 0, available: 2 },
    ]);
    expect(await db.prisma.inventoryHold.count({ where: { reference: { startsWith: WF } } })).toBe(1);
  });

  it('refuses a sold-out hold and a lapsed hold as non-retryable inventory failures', async () => {
    const hotel = await priceOne(hotelRequest({ startDate: '2027-06-24', nights: 1, units: [{ adults: 2, childAges: [] }, { adults: 1, childAges: [] }, { adults: 1, childAges: [] }] }));
    const soldOut = await failureOf(run(acts.holdBookingComponent, { key: `${WF}:hold:big`, reference: 'BKTEST0001', component: hotel, ttlSeconds: 60, now: NOW }));
    expect(soldOut).toMatchObject({ type: 'InventoryUnavailable', nonRetryable: true });

    const one = await priceOne(hotelRequest({ startDate: '2027-06-25', nights: 1 }));
    const held = await run(acts.holdBookingComponent, { key: `${WF}:hold:short`, reference: 'BKTEST0001', component: one, ttlSeconds: 60, now: NOW });
    const lapsed = await failureOf(run(acts.confirmBookingComponent, { key: `${WF}:confirm:short`, reference: 'BKTEST0001', component: one, holdRef: held.supplierRef, now: NOW + 61_000 }));
    expect(lapsed).toMatchObject({ type: 'InventoryHoldLapsed', nonRetryable: true });
  });

  it('orders an on-request service once per key and cancels it once; flights are refused here', async () => {
    const transfer = await priceOne(transferRequest());
    expect(await run(acts.holdBookingComponent, { key: `${WF}:hold:transfer-in`, reference: 'BKTEST0001', component: transfer, ttlSeconds: 60, now: NOW })).toEqual({ supplierRef: null, expiresAt: null });
    const confirm = { key: `${WF}:confirm:transfer-in`, reference: 'BKTEST0001', component: transfer, holdRef: null, now: NOW };
    expect(await run(acts.confirmBookingComponent, confirm)).toEqual({ supplierRef: confirm.key });
    expect(await run(acts.confirmBookingComponent, confirm)).toEqual({ supplierRef: confirm.key });
    const orders = await db.prisma.supplierServiceOrder.findMany({ where: { bookingRef: 'BKTEST0001' } });
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ reference: confirm.key, componentId: 'transfer-in', supplierCode: 'BKGRD', productCode: 'G1', quantity: 1, status: 'CONFIRMED', cancelledAt: null });

    const release = { key: `${WF}:release:transfer-in`, reference: 'BKTEST0001', component: transfer, supplierRef: confirm.key, now: NOW + 1000 };
    expect(await run(acts.releaseBookingComponent, release)).toEqual({ released: true });
    expect(await run(acts.releaseBookingComponent, release)).toEqual({ released: false });
    const cancelled = await db.prisma.supplierServiceOrder.findUniqueOrThrow({ where: { reference: confirm.key } });
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.cancelledAt?.getTime()).toBe(NOW + 1000);

    const air = (await run(acts.priceBookingComponents, priceInput([{ id: 'air', kind: 'FLIGHT', supplier: 'duffel-sandbox', offerId: 'off_123', passengers: PASSENGERS }], { air: flightOffer() })))[0]!;
    await expect(failureOf(run(acts.confirmBookingComponent, { ...confirm, key: `${WF}:confirm:air`, component: air }))).resolves.toMatchObject({ type: 'BookingRequestInvalid' });
    await expect(failureOf(run(acts.releaseBookingComponent, { ...release, component: air }))).resolves.toMatchObject({ type: 'BookingRequestInvalid' });
  });

  it('confirms every catalog component in one call (revision 2); a retry confirms each once', async () => {
    const transfer = await priceOne(transferRequest());
    const input = { key: `${WF}:confirm:batch-transfer`, reference: 'BKTEST0001', component: { ...transfer, id: 'batch-transfer' }, holdRef: null, now: NOW };
    const done = await run(acts.confirmBookingComponents, [input]);
    expect(done).toEqual([{ componentId: 'batch-transfer', supplierRef: input.key }]);
    expect(await run(acts.confirmBookingComponents, [input])).toEqual(done);
    expect(await db.prisma.supplierServiceOrder.count({ where: { reference: input.key } })).toBe(1);
    const air = (await run(acts.priceBookingComponents, priceInput([{ id: 'air', kind: 'FLIGHT', supplier: 'duffel-sandbox', offerId: 'off_123', passengers: PASSENGERS }], { air: flightOffer() })))[0]!;
    await expect(failureOf(run(acts.confirmBookingComponents, [input, { ...input, key: `${WF}:confirm:air`, component: air }]))).resolves.toMatchObject({ type: 'BookingRequestInvalid' });
    // Side by side: a refusal fails the call once the others have settled; what they confirmed
    // stands (idempotent by key) for the workflow to release.
    const beside = { ...input, key: `${WF}:confirm:beside-transfer`, component: { ...transfer, id: 'beside-transfer' } };
    await expect(failureOf(run(acts.confirmBookingComponents, [{ ...input, key: `${WF}:confirm:air`, component: air }, beside]))).resolves.toMatchObject({ type: 'BookingRequestInvalid' });
    expect(await db.prisma.supplierServiceOrder.findUnique({ where: { reference: beside.key } })).toMatchObject({ componentId: 'beside-transfer', status: 'CONFIRMED' });
  });

  it('publishes the booking with the step\'s notices (revision 2): a notice that can never go is reported, not retried', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'itinera-mail-'));
    const email = new PickupDirectoryEmailNotifier({ directory, from: 'Itinera <bookings@itinera.example>', opsAddress: 'ops@itinera.example', now: () => new Date(NOW) });
    const viaEmail = createBookingLifecycleActivities({ ...ports, notifier: email });
    const good: NoticeInput = { idempotencyKey: `${WF}:notice:pub-good`, reference: 'BKPUB001', kind: 'CONFIRMED', recipient: 'ada@example.com', subject: 'Confirmed', body: 'Confirmed.' };
    const bad: NoticeInput = { ...good, idempotencyKey: `${WF}:notice:pub-bad`, recipient: 'not-an-address' };
    const view = lifecycleView({ reference: 'BKPUB001', version: 3 });
    const out = await run(viaEmail.publishBooking, { view, notices: [good, bad] });
    expect(out.failed).toEqual([{ idempotencyKey: bad.idempotencyKey, kind: 'CONFIRMED', message: expect.stringContaining('not-an-address') }]);
    expect(readdirSync(directory)).toHaveLength(1);
    expect(await db.prisma.booking.findUniqueOrThrow({ where: { reference: 'BKPUB001' } })).toMatchObject({ version: 3 });
    // A retry of the whole call sends nothing twice.
    await run(viaEmail.publishBooking, { view, notices: [good] });
    expect(readdirSync(directory)).toHaveLength(1);
    expect(await db.prisma.bookingNotice.count({ where: { bookingRef: 'BKPUB001' } })).toBe(1);
  });

  it('refunds once per key; a refusal is non-retryable, an outage retryable', async () => {
    const refund = { idempotencyKey: `${WF}:refund:r1`, reference: 'BKTEST0001', paymentId: 'pay_1', amount: { amount: '120.50', currency: 'GBP' }, reason: 'CANCELLATION' };
    const first = await run(acts.refundCustomerPayment, refund);
    expect(first.providerRef).toMatch(/^re_[0-9a-f]{24}$/);
    expect(await run(acts.refundCustomerPayment, refund)).toEqual(first);
    const rows = await db.prisma.paymentRefund.findMany({ where: { idempotencyKey: refund.idempotencyKey } });
    expect(rows.map((r) => ({ amount: r.amount.toString(), currency: r.currency, providerRef: r.providerRef }))).toEqual([{ amount: '120.5', currency: 'GBP', providerRef: first.providerRef }]);

    await expect(failureOf(run(acts.refundCustomerPayment, { ...refund, amount: { amount: '99.00', currency: 'GBP' } }))).resolves.toMatchObject({ type: 'BookingRefundRefused', nonRetryable: true });
    await expect(failureOf(run(acts.refundCustomerPayment, { ...refund, idempotencyKey: `${WF}:refund:r2`, paymentId: 'pay_unknown' }))).resolves.toMatchObject({ type: 'BookingRefundRefused', nonRetryable: true });
    await expect(failureOf(run(acts.refundCustomerPayment, { ...refund, idempotencyKey: `${WF}:refund:r3`, amount: { amount: '1.001', currency: 'GBP' } }))).resolves.toMatchObject({ type: 'BookingRefundRefused' });
    expect(await db.prisma.paymentRefund.count({ where: { bookingRef: 'BKTEST0001' } })).toBe(1);

    // Two deliveries of one refund at the same time (a retry racing a slow first attempt): one payout.
    const raced = { ...refund, idempotencyKey: `${WF}:refund:r4` };
    const [a, b] = await Promise.all([run(acts.refundCustomerPayment, raced), run(acts.refundCustomerPayment, raced)]);
    expect(a).toEqual(b);
    expect(await db.prisma.paymentRefund.count({ where: { idempotencyKey: raced.idempotencyKey } })).toBe(1);

    const outage = new PaymentGatewayError('unavailable', 'psp 503');
    const down = createBookingLifecycleActivities({ ...ports, payments: { refund: () => Promise.reject(outage) } });
    await expect(run(down.refundCustomerPayment, refund)).rejects.toBe(outage);
  });

  it.each([
    ['through Prisma', false],
    ['on the driver', true],
  ] as const)('sends a notice once per key, and again after a send that failed (%s)', async (label, onDriver) => {
    const on = onDriver ? { ...ports, sql: db } : ports;
    const counting = new CountingNotifier();
    const via = createBookingLifecycleActivities({ ...on, notifier: counting });
    const ref = onDriver ? 'BKTEST0002' : 'BKTEST0001';
    const notice: NoticeInput = { idempotencyKey: `${WF}:${label}:reminder:deposit`, reference: ref, kind: 'REMINDER', recipient: 'ada@example.com', subject: 'Deposit due', body: 'GBP 173.40 is due on 2027-05-06.' };
    expect(await run(via.sendBookingNotice, notice)).toEqual({ channel: 'test' });
    expect(await run(via.sendBookingNotice, notice)).toEqual({ channel: 'test' });
    expect(counting.sent).toEqual([notice]);
    // Two at once with one key: one send, both answered.
    const twin = { ...notice, idempotencyKey: `${WF}:${label}:reminder:twin` };
    expect(await Promise.all([run(via.sendBookingNotice, twin), run(via.sendBookingNotice, twin)])).toEqual([{ channel: 'test' }, { channel: 'test' }]);
    expect(counting.sent).toEqual([notice, twin]);

    const flaky = new CountingNotifier(1);
    const viaFlaky = createBookingLifecycleActivities({ ...on, notifier: flaky });
    const alert = { ...notice, idempotencyKey: `${WF}:${label}:alert:ticketing`, kind: 'TICKETING_ALERT', recipient: 'ops' };
    await expect(run(viaFlaky.sendBookingNotice, alert)).rejects.toThrow('smtp relay timed out');
    expect(await db.prisma.bookingNotice.count({ where: { idempotencyKey: alert.idempotencyKey } })).toBe(0);
    expect(await run(viaFlaky.sendBookingNotice, alert)).toEqual({ channel: 'test' });
    expect(await run(viaFlaky.sendBookingNotice, alert)).toEqual({ channel: 'test' });
    expect(flaky.sent).toEqual([alert]);
    expect(await db.prisma.bookingNotice.count({ where: { bookingRef: ref } })).toBe(3);

    await expect(failureOf(run(via.sendBookingNotice, { ...notice, idempotencyKey: '', subject: 'x'.repeat(201) }))).resolves.toMatchObject({ type: 'BookingRequestInvalid' });
  });

  it('writes e-mail notices as .eml files in a pickup directory, one per key; a bad address is not retried', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'itinera-mail-'));
    const email = new PickupDirectoryEmailNotifier({ directory, from: 'Itinera <bookings@itinera.example>', opsAddress: 'ops@itinera.example', now: () => new Date(NOW) });
    const viaEmail = createBookingLifecycleActivities({ ...ports, notifier: email });
    const notice: NoticeInput = { idempotencyKey: `${WF}:reminder:balance`, reference: 'BKTEST0001', kind: 'REMINDER', recipient: 'ops', subject: 'Balance due — BKTEST0001', body: 'Balance of GBP 693.60 due.' };
    expect(await run(viaEmail.sendBookingNotice, notice)).toEqual({ channel: 'email' });
    const files = readdirSync(directory);
    expect(files).toHaveLength(1);
    const message = readFileSync(path.join(directory, files[0]!), 'utf8');
    expect(message).toContain('To: ops@itinera.example\r\n');
    expect(message).toContain(`Subject: =?UTF-8?B?${Buffer.from(notice.subject).toString('base64')}?=\r\n`);
    expect(message).toContain('X-Itinera-Booking: BKTEST0001\r\n');
    expect(Buffer.from(message.split('\r\n\r\n')[1]!.replace(/\r\n/g, ''), 'base64').toString('utf8')).toBe(notice.body);
    // The same key renders the same file name and Message-ID (a re-send after a crash replaces it).
    expect(email.render(notice)).toEqual({ fileName: files[0], message });

    const bad = await failureOf(run(viaEmail.sendBookingNotice, { ...notice, idempotencyKey: `${WF}:reminder:bad`, recipient: 'not-an-address' }));
    expect(bad).toMatchObject({ type: 'BookingRequestInvalid', nonRetryable: true });
    expect(await db.prisma.bookingNotice.count({ where: { idempotencyKey: `${WF}:reminder:bad` } })).toBe(0);
  });

  it('projects the booking view: a lower version never overwrites a higher one', async () => {
    const projection = new PrismaBookingProjection(db.prisma);
    const v2 = lifecycleView({ reference: 'BKPROJ01', version: 2, status: 'CONFIRMED', paid: { amount: '173.40', currency: 'GBP' }, balanceDue: { amount: '693.60', currency: 'GBP' }, holdExpiresAt: null, components: [] });
    await run(acts.saveBookingProjection, v2);
    await run(acts.saveBookingProjection, lifecycleView({ reference: 'BKPROJ01', version: 1, status: 'HELD' }));
    await run(acts.saveBookingProjection, v2);
    let row = await db.prisma.booking.findUniqueOrThrow({ where: { reference: 'BKPROJ01' } });
    expect(row).toMatchObject({ workflowId: 'booking-BKPROJ01', status: 'CONFIRMED', version: 2, customerId: 'cust-1', channel: 'direct', productCode: 'NONE', currency: 'GBP', needsManualReview: false });
    expect([row.amount.toString(), row.paid.toString(), row.balanceDue.toString()]).toEqual(['867', '173.4', '693.6']);
    expect(row.expiresAt.toISOString()).toBe('2027-06-10T00:00:00.000Z');
    expect(await projection.get('BKPROJ01')).toEqual(v2);

    const v3 = lifecycleView({ reference: 'BKPROJ01', version: 3, status: 'CANCELLED', needsManualReview: true });
    await run(acts.saveBookingProjection, v3);
    row = await db.prisma.booking.findUniqueOrThrow({ where: { reference: 'BKPROJ01' } });
    expect(row).toMatchObject({ status: 'CANCELLED', version: 3, needsManualReview: true });
    expect(await projection.get('BKPROJ01')).toEqual(v3);
    expect(await projection.get('BKNONE')).toBeNull();

    await expect(failureOf(run(acts.saveBookingProjection, lifecycleView({ reference: 'X'.repeat(17) })))).resolves.toMatchObject({ type: 'BookingRequestInvalid' });
  });

  it('lists bookings newest travel date first with filters and a keyset cursor', async () => {
    const projection = new PrismaBookingProjection(db.prisma);
    const dates = ['2027-07-01', '2027-07-15', '2027-07-15', '2027-08-01', '2027-09-01'];
    for (const [i, departureDate] of dates.entries()) {
      await projection.save(lifecycleView({ reference: `BKLIST0${i}`, customerId: 'cust-list', advisorId: i % 2 ? 'adv-odd' : 'adv-even', departureDate, returnDate: '2027-09-30', status: i === 4 ? 'PAID' : 'CONFIRMED' }));
    }
    const first = await projection.list({ customerId: 'cust-list', limit: 2 });
    expect(first.items.map((b) => b.reference)).toEqual(['BKLIST04', 'BKLIST03']);
    expect(first.items[0]).toMatchObject({ status: 'PAID', travelDate: '2027-09-01', returnDate: '2027-09-30', total: { amount: '867.00', currency: 'GBP' }, paid: { amount: '0.00', currency: 'GBP' } });
    const second = await projection.list({ customerId: 'cust-list', limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((b) => b.reference)).toEqual(['BKLIST02', 'BKLIST01']);
    const third = await projection.list({ customerId: 'cust-list', limit: 2, cursor: second.nextCursor! });
    expect(third).toEqual({ items: [expect.objectContaining({ reference: 'BKLIST00' })], nextCursor: null });

    expect((await projection.list({ customerId: 'cust-list', status: 'CONFIRMED', advisorId: 'adv-odd' })).items.map((b) => b.reference)).toEqual(['BKLIST03', 'BKLIST01']);
    expect((await projection.list({ customerId: 'cust-list', travelFrom: '2027-07-15', travelTo: '2027-08-01' })).items.map((b) => b.reference)).toEqual(['BKLIST03', 'BKLIST02', 'BKLIST01']);
    await expect(projection.list({ status: 'LOST', travelFrom: '15/07/2027', limit: 0, cursor: 'zzz' })).rejects.toMatchObject({
      name: 'BookingQueryError',
      problems: [expect.objectContaining({ path: 'status' }), expect.objectContaining({ path: 'travelFrom' }), expect.objectContaining({ path: 'limit' }), expect.objectContaining({ path: 'cursor' })],
    });
  });
});
