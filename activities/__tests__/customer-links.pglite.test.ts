import { PrismaBookingProjection } from '../booking-projection.prisma';
import { PrismaChannelInbox } from '../channel-inbox.prisma';
import { PrismaCustomerLinks, tripOfBooking, tripPaymentStatus } from '../customer-links';
import { PrismaCustomerStore } from '../customers.prisma';
import type { ComponentState, LifecycleView } from '../../domain/booking/model';
import type { InboundReservation } from '../../domain/channels/model';
import type { CustomerWrite } from '../../domain/customers/model';
import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { channelHotel, reservation } from './channel-inbox-fixtures';

/**
 * The booking side meeting the CRM (issue 8): completed bookings join the customer's travel
 * history through the booking projection, and inbound channel reservations are matched to
 * customers and routed to their advisors.
 */

const AT = new Date('2026-11-29T09:00:00.000Z');
const NOW = new Date('2027-05-01T12:00:00Z');
const gbp = (amount: string) => ({ amount, currency: 'GBP' });
const noPolicy = { windows: [] };

function customer(id: string, over: Partial<CustomerWrite> = {}): CustomerWrite {
  return {
    id,
    status: 'ACTIVE',
    lastName: 'Nobody',
    preferences: { dietary: [], preferredAirlines: [], anniversaries: [] },
    contactPreferences: { doNotContact: false },
    emails: [],
    phones: [],
    addresses: [],
    paymentMethods: [],
    legacyIds: [],
    ...over,
  };
}

function hotel(productId: string, over: Partial<ComponentState> = {}): ComponentState {
  return {
    id: 'hotel',
    kind: 'HOTEL',
    description: 'Hotel Roma, Double room, 4 nights',
    supplierCode: 'S-TRIP',
    productType: 'hotels',
    serviceStart: '2027-06-10',
    serviceEnd: '2027-06-13',
    pax: 2,
    sell: gbp('700.00'),
    cost: { amount: '500.00', currency: 'EUR' },
    settlement: null,
    cancellationPolicy: noPolicy,
    amendmentPolicy: noPolicy,
    inventory: { productId, category: 'DBL', from: '2027-06-10', nights: 4, quantity: 1 },
    flight: null,
    request: { id: 'hotel', kind: 'HOTEL', supplierCode: 'S-TRIP', productCode: 'P-TRIP', category: 'DBL', startDate: '2027-06-10', nights: 4, units: [{ adults: 2, childAges: [] }] },
    status: 'CONFIRMED',
    supplierRef: 'hold-1',
    locator: null,
    documents: [],
    penalty: null,
    ...over,
  };
}

function flight(): ComponentState {
  const passengers = [0, 1, 2].map((i) => ({ id: `p${i}`, type: 'ADT', givenName: 'A', familyName: 'B', bornOn: '1980-01-01' }));
  return {
    ...hotel('unused'),
    id: 'flight',
    kind: 'FLIGHT',
    description: 'LHR-FCO BA560',
    supplierCode: 'duffel-sandbox',
    productType: 'flights',
    pax: 3,
    inventory: null,
    request: { id: 'flight', kind: 'FLIGHT', supplier: 'duffel-sandbox', offerId: 'off_1', passengers } as ComponentState['request'],
  };
}

function view(over: Partial<LifecycleView> = {}): LifecycleView {
  return {
    reference: 'BKCRM0001',
    status: 'COMPLETED',
    customerId: 'c-ada',
    advisorId: 'A1',
    channel: 'direct',
    currency: 'GBP',
    departureDate: '2027-06-10',
    returnDate: '2027-06-14',
    openedAt: Date.parse('2027-05-03T09:00:00Z'),
    holdExpiresAt: null,
    components: [],
    total: gbp('867.00'),
    paid: gbp('867.00'),
    balanceDue: gbp('0.00'),
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
    version: 10,
    ...over,
  } as LifecycleView;
}

describe('tripOfBooking and tripPaymentStatus (pure)', () => {
  it('maps a completed booking to its trip: dates, products, max pax, value, components; cancelled components left out', () => {
    const cancelled = hotel('p', { id: 'tour', kind: 'TOUR', description: 'Vatican tour', status: 'CANCELLED', pax: 9 });
    const trip = tripOfBooking(view({ components: [hotel('p'), flight(), cancelled] }), ['IT-ROME', 'IT-ROME']);
    expect(trip).toEqual({
      customerId: 'c-ada',
      sourceKey: 'booking:BKCRM0001',
      reference: 'BKCRM0001',
      startDate: '2027-06-10',
      endDate: '2027-06-14',
      destinations: ['IT-ROME'],
      products: ['Hotel Roma, Double room, 4 nights', 'LHR-FCO BA560'],
      pax: 3,
      value: { amount: '867.00', currency: 'GBP' },
      paymentStatus: 'PAID',
      advisorId: 'A1',
      components: [
        { type: 'HOTEL', supplier: 'S-TRIP', description: 'Hotel Roma, Double room, 4 nights', serviceClass: 'DBL' },
        { type: 'FLIGHT', supplier: 'duffel-sandbox', description: 'LHR-FCO BA560' },
      ],
    });
  });

  it.each([
    ['867.00', '867.00', 'PAID'],
    ['867.00', '900.00', 'PAID'],
    ['867.00', '866.99', 'PARTIALLY_PAID'],
    ['867.00', '0.00', 'UNPAID'],
  ])('total %s, paid %s → %s', (total, paid, status) => {
    expect(tripPaymentStatus(total, paid)).toBe(status);
  });
});

describe('CRM links on embedded PGlite', () => {
  let db: Database;
  let store: PrismaCustomerStore;
  let links: PrismaCustomerLinks;
  let projection: PrismaBookingProjection;
  let productId: string;

  beforeAll(async () => {
    db = await openTestPglite();
    store = new PrismaCustomerStore(db.prisma);
    links = new PrismaCustomerLinks(db.prisma);
    projection = new PrismaBookingProjection(db.prisma);
    await store.upsertAdvisors([
      { advisorId: 'A1', name: 'Alice Advisor', active: true },
      { advisorId: 'A2', name: 'Bob Advisor', active: true },
    ]);
    await store.writeCustomers(
      [
        customer('c-ada', { firstName: 'Ada', lastName: 'Lovelace', advisorId: 'A1', emails: [{ address: 'ada@example.com', normalized: 'ada@example.com', primary: true }] }),
        customer('c-old', {
          firstName: 'Olga',
          lastName: 'Old',
          status: 'ARCHIVED',
          archivedReason: 'no booking for more than 7 years',
          advisorId: 'A2',
          phones: [{ raw: '020 7946 0018', e164: '+442079460018', kind: 'HOME', primary: true }],
        }),
      ],
      { reason: 'test', at: AT },
    );
    const h = await channelHotel(db, { suffix: 'TRIP', rooms: 3, from: '2027-06-01', to: '2027-06-20' });
    productId = h.productId;
  });
  afterAll(() => db?.close());

  const tripsOf = (customerId: string) => db.prisma.customerTrip.findMany({ where: { customerId }, orderBy: { sourceKey: 'asc' } });

  it('a projection saved as COMPLETED twice writes one trip and updates the customer figures', async () => {
    const completed = view({ components: [hotel(productId)], paid: gbp('500.00'), balanceDue: gbp('367.00') });
    expect(await projection.save(completed)).toBe(true);
    expect(await projection.save(completed)).toBe(false);
    expect(await projection.save({ ...completed, version: 11 })).toBe(true);

    const trips = await tripsOf('c-ada');
    expect(trips).toHaveLength(1);
    expect(trips[0]).toMatchObject({
      sourceKey: 'booking:BKCRM0001',
      reference: 'BKCRM0001',
      destinations: ['IT-ROME'],
      products: ['Hotel Roma, Double room, 4 nights'],
      pax: 2,
      currency: 'GBP',
      paymentStatus: 'PARTIALLY_PAID',
      advisorId: 'A1',
      components: [{ type: 'HOTEL', supplier: 'S-TRIP', description: 'Hotel Roma, Double room, 4 nights', serviceClass: 'DBL' }],
    });
    expect(trips[0]!.value.toFixed(2)).toBe('867.00');
    const c = await store.getSummary('c-ada');
    expect(c).toMatchObject({ tripCount: 1, lastTripOn: '2027-06-14' });
    expect(await links.recordCompletedBooking(completed)).toEqual({ kind: 'recorded', sourceKey: 'booking:BKCRM0001', created: false });
  });

  it('writes nothing for bookings not completed, cancelled after payment, or of customers the CRM does not know; the rows are still saved', async () => {
    await projection.save(view({ reference: 'BKCRM0002', status: 'PAID', version: 3 }));
    await projection.save(view({ reference: 'BKCRM0003', status: 'CANCELLED', version: 5 }));
    await projection.save(view({ reference: 'BKCRM0004', customerId: 'EXT-42', version: 7 }));
    expect((await tripsOf('c-ada')).map((t) => t.sourceKey)).toEqual(['booking:BKCRM0001']);
    expect(await db.prisma.customerTrip.count({ where: { reference: { in: ['BKCRM0002', 'BKCRM0003', 'BKCRM0004'] } } })).toBe(0);
    expect(await db.prisma.booking.count({ where: { reference: { in: ['BKCRM0002', 'BKCRM0003', 'BKCRM0004'] } } })).toBe(3);
    expect(await links.recordCompletedBooking(view({ reference: 'BKCRM0004', customerId: 'EXT-42' }))).toEqual({ kind: 'skipped', reason: 'not-a-crm-customer' });
    expect((await store.getSummary('c-ada'))?.tripCount).toBe(1);
  });

  it('matches guests by email, then phone; an unreadable phone or an unknown guest is no match', async () => {
    expect(await links.matchGuest({ email: ' ADA@Example.com ', phone: null })).toMatchObject({ customerId: 'c-ada', advisorId: 'A1', matchedBy: 'email' });
    expect(await links.matchGuest({ email: 'nobody@example.com', phone: '+44 20 7946 0018' })).toMatchObject({ customerId: 'c-old', advisorId: 'A2', matchedBy: 'phone' });
    expect(await links.matchGuest({ email: null, phone: 'call reception' })).toBeNull();
    expect(await links.matchGuest({ email: 'nobody@example.com', phone: null })).toBeNull();
    expect(await links.customerAdvisor('c-ada')).toEqual({ advisorId: 'A1' });
    expect(await links.customerAdvisor('EXT-42')).toBeNull();
  });

  describe('inbound channel reservations', () => {
    let inbox: PrismaChannelInbox;
    let h: Awaited<ReturnType<typeof channelHotel>>;
    beforeAll(async () => {
      h = await channelHotel(db, { suffix: 'CRM', rooms: 5, from: '2027-06-01', to: '2027-06-10' });
      inbox = new PrismaChannelInbox(db.prisma, h.inventory);
    });
    const apply = async (r: InboundReservation) => {
      const out = await inbox.store({ managerCode: h.managerCode, messageId: null, bodySha256: 'a'.repeat(64), raw: '<xml/>', notification: { echoToken: null, timeStamp: r.lastModifiedAt, reservations: [r] }, now: NOW });
      if (out.kind !== 'stored') throw new Error('replay');
      return inbox.apply(out.pending[0]!.notificationId, NOW);
    };

    it('a guest matched by email is booked for that customer and routed to their advisor', async () => {
      const result = await apply(reservation(h.hotelCode, 'R-ADA', 1, 'new'));
      expect(result).toMatchObject({ outcome: 'APPLIED', customer: { customerId: 'c-ada', advisorId: 'A1', matchedBy: 'email' } });
      const { reservation: stored } = (await inbox.getReservation(h.managerCode, 'R-ADA'))!;
      expect(stored).toMatchObject({ status: 'CONFIRMED', customerId: 'c-ada', advisorId: 'A1', detail: expect.stringContaining('customer c-ada (by email), advisor A1') });
    });

    it('a guest matched by phone who was archived is routed and becomes active again (a returning customer)', async () => {
      const r = reservation(h.hotelCode, 'R-OLD', 1, 'new');
      const result = await apply({ ...r, guest: { givenName: 'Olga', surname: 'Old', email: 'olga@elsewhere.example', phone: '020 7946 0018' } });
      expect(result.customer).toEqual({ customerId: 'c-old', advisorId: 'A2', matchedBy: 'phone' });
      expect(await db.prisma.customer.findUniqueOrThrow({ where: { id: 'c-old' }, select: { status: true, archivedReason: true } })).toEqual({ status: 'ACTIVE', archivedReason: null });
    });

    it('an unknown guest is booked as before, with no customer', async () => {
      const r = reservation(h.hotelCode, 'R-NEW', 1, 'new');
      const result = await apply({ ...r, guest: { givenName: 'New', surname: 'Guest', email: 'new@example.com', phone: 'n/a' } });
      expect(result).toMatchObject({ outcome: 'APPLIED', customer: null });
      const { reservation: stored } = (await inbox.getReservation(h.managerCode, 'R-NEW'))!;
      expect(stored?.detail).not.toContain('customer');
      expect(stored).toMatchObject({ customerId: null, advisorId: null });
    });
  });
});
