import { canonicalBookingFacts, recordedFactChanges } from '../booking-facts';
import { parseAtolBooking, type AtolBookingInput } from '../classification';
import { licenceForBooking, type LicenceValidity } from '../licensing';

const booking = (overrides: Partial<AtolBookingInput> = {}) =>
  parseAtolBooking({
    bookingRef: 'ITN-F1',
    bookingDate: '2027-02-10',
    sellerCountry: 'GB',
    passengers: 2,
    departureDate: '2027-03-20',
    revenue: { amount: '1500.00', currency: 'GBP' },
    components: [{ type: 'flight', ticketIssuedAt: '2027-02-11' }, { type: 'hotel' }],
    ...overrides,
  });

describe('canonical booking facts', () => {
  it('are the same however the same facts are written, and differ with any fact', () => {
    const base = canonicalBookingFacts(booking());
    expect(canonicalBookingFacts(booking({ revenue: { amount: '1500', currency: 'GBP' }, components: [{ type: 'hotel' }, { type: 'flight', ticketIssuedAt: '2027-02-11' }] }))).toBe(base);
    // JPY has no decimals, KWD three: the amount is written with exactly the currency's.
    expect(JSON.parse(canonicalBookingFacts(booking({ revenue: { amount: '150000', currency: 'JPY' } }))).revenue).toEqual({ amount: '150000', currency: 'JPY' });
    expect(JSON.parse(canonicalBookingFacts(booking({ revenue: { amount: '12.5', currency: 'KWD' } }))).revenue).toEqual({ amount: '12.500', currency: 'KWD' });
    const others: Array<Partial<AtolBookingInput>> = [
      { bookingDate: '2027-02-09' },
      { sellerCountry: 'IE' },
      { passengers: 3 },
      { departureDate: '2027-03-21' },
      { revenue: { amount: '1500.01', currency: 'GBP' } },
      { revenue: { amount: '1500.00', currency: 'EUR' } },
      { components: [{ type: 'flight', ticketIssuedAt: '2027-02-10' }, { type: 'hotel' }] },
      { components: [{ type: 'flight', ticketIssuedAt: '2027-02-11' }, { type: 'hotel' }, { type: 'insurance' }] },
      { linkedArrangement: true },
    ];
    const forms = others.map((o) => canonicalBookingFacts(booking(o)));
    expect(new Set([base, ...forms]).size).toBe(others.length + 1);
    // The licence is not a fact of the classification.
    expect(canonicalBookingFacts(booking({ licenceNumber: '11234' }))).toBe(base);
  });

  it('name the recorded facts that changed, skipping a booking date not recorded', () => {
    const recorded = { bookingDate: '2027-02-10', sellerCountry: 'GB', passengers: 2, departureDate: '2027-03-20', revenue: { amount: '1500.0000', currency: 'GBP' } };
    expect(recordedFactChanges(recorded, booking({ revenue: { amount: '1500', currency: 'GBP' } }))).toEqual([]);
    expect(recordedFactChanges(recorded, booking({ bookingDate: '2027-02-09', passengers: 3, revenue: { amount: '99.00', currency: 'EUR' } }))).toEqual([
      'bookingDate was 2027-02-10, now 2027-02-09',
      'passengers was 2, now 3',
      'revenue was 1500.00 GBP, now 99.00 EUR',
    ]);
    expect(recordedFactChanges({ ...recorded, bookingDate: null }, booking({ bookingDate: '2027-02-09' }))).toEqual([]);
  });
});

describe('the licence a booking is sold under', () => {
  const a: LicenceValidity = { number: 'A1', validFrom: '2026-01-01', validTo: '2027-06-30' };
  const b: LicenceValidity = { number: 'B2', validFrom: '2027-06-01', validTo: null };
  const on = (bookingDate: string, licenceNumber?: string) => ({ bookingRef: 'ITN-L1', bookingDate, ...(licenceNumber ? { licenceNumber } : {}) });

  it('defaults to the one licence valid on the booking date (validTo inclusive)', () => {
    expect(licenceForBooking([a, b], on('2027-05-31'), 'PACKAGE')).toBe('A1');
    expect(licenceForBooking([a, b], on('2027-07-01'), 'FLIGHT_ONLY')).toBe('B2');
    expect(licenceForBooking([a], on('2027-06-30'), 'PACKAGE')).toBe('A1');
  });

  it('takes a named licence only when it is registered and valid that day, whatever the classification', () => {
    expect(licenceForBooking([a, b], on('2027-06-15', 'B2'), 'PACKAGE')).toBe('B2');
    expect(() => licenceForBooking([a, b], on('2027-07-01', 'A1'), 'NOT_APPLICABLE')).toThrow(
      expect.objectContaining({ kind: 'invalid-licence', problems: [{ path: 'licenceNumber', message: 'licence A1 is valid from 2026-01-01 to 2027-06-30, not on the booking date 2027-07-01' }] }),
    );
    expect(() => licenceForBooking([a], on('2027-07-01', 'C3'), 'PACKAGE')).toThrow(expect.objectContaining({ kind: 'invalid-licence' }));
  });

  it('refuses a protected booking with no licence in force, or several and none named; others go without', () => {
    expect(() => licenceForBooking([a], on('2025-12-31'), 'PACKAGE')).toThrow(
      expect.objectContaining({ kind: 'no-licence-in-force', message: expect.stringContaining('a UK seller may not sell ATOL-protected bookings without a licence') }),
    );
    expect(() => licenceForBooking([], on('2027-01-01'), 'FLIGHT_ONLY')).toThrow(expect.objectContaining({ kind: 'no-licence-in-force' }));
    expect(() => licenceForBooking([a, b], on('2027-06-15'), 'PACKAGE')).toThrow(expect.objectContaining({ kind: 'licence-ambiguous', message: expect.stringContaining('one of A1, B2') }));
    expect(licenceForBooking([], on('2027-01-01'), 'FLIGHT_ONLY_EXEMPT')).toBeNull();
    expect(licenceForBooking([a, b], on('2027-06-15'), 'LINKED_TRAVEL_ARRANGEMENT')).toBeNull();
  });
});
