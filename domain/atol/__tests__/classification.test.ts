import { AtolCriteria, AtolError, classify, parseAtolBooking, rulesInForce, type AtolBookingInput, type AtolRule } from '../classification';
import { DEFAULT_ATOL_RULES } from '../default-rules';

const booking = (overrides: Partial<AtolBookingInput> = {}) =>
  parseAtolBooking({
    bookingRef: 'ITN-TEST0001',
    bookingDate: '2027-03-01',
    sellerCountry: 'GB',
    passengers: 2,
    departureDate: '2027-06-10',
    revenue: { amount: '1200.00', currency: 'GBP' },
    components: [{ type: 'flight' }, { type: 'hotel' }],
    ...overrides,
  });

const classOf = (overrides: Partial<AtolBookingInput> = {}) => {
  const { classification, rule } = classify(DEFAULT_ATOL_RULES, booking(overrides));
  return `${classification} (${rule.name})`;
};

describe('default UK ATOL rules', () => {
  it('puts a seller outside the UK outside ATOL, whatever it sells', () => {
    expect(classOf({ sellerCountry: 'IE' })).toBe('NOT_APPLICABLE (seller-outside-uk)');
  });

  it('puts a booking without a flight outside ATOL', () => {
    expect(classOf({ components: [{ type: 'hotel' }, { type: 'transfer' }] })).toBe('NOT_APPLICABLE (no-flight)');
  });

  it('recognises a linked travel arrangement (separate contracts via a click-through)', () => {
    expect(classOf({ linkedArrangement: true })).toBe('LINKED_TRAVEL_ARRANGEMENT (linked-travel-arrangement)');
  });

  it('makes a flight sold with another travel component a package', () => {
    for (const other of ['hotel', 'transfer', 'car', 'tour', 'cruise', 'other'] as const) {
      expect(classOf({ components: [{ type: 'flight', ticketIssuedAt: '2027-03-01T10:00:00Z' }, { type: other }] })).toBe('PACKAGE (flight-package)');
    }
  });

  it('exempts a flight only whose ticket is issued at once, and protects it otherwise', () => {
    expect(classOf({ components: [{ type: 'flight', ticketIssuedAt: '2027-03-01T23:10:00+01:00' }] })).toBe('FLIGHT_ONLY_EXEMPT (flight-only-ticket-issued)');
    expect(classOf({ components: [{ type: 'flight', ticketIssuedAt: '2027-03-02' }] })).toBe('FLIGHT_ONLY (flight-only)');
    expect(classOf({ components: [{ type: 'flight' }] })).toBe('FLIGHT_ONLY (flight-only)');
    // Every flight needs its ticket: one return leg without a ticket keeps the booking protected.
    expect(classOf({ components: [{ type: 'flight', ticketIssuedAt: '2027-03-01' }, { type: 'flight' }] })).toBe('FLIGHT_ONLY (flight-only)');
  });

  it('does not count travel insurance as a travel component', () => {
    expect(classOf({ components: [{ type: 'flight' }, { type: 'insurance' }] })).toBe('FLIGHT_ONLY (flight-only)');
  });

  it('has no rule before the 2018 regulations: an error, never a default', () => {
    expect(() => classify(DEFAULT_ATOL_RULES, booking({ bookingDate: '2018-06-30' }))).toThrow('No ATOL classification rule is in force on 2018-06-30');
  });
});

describe('rules as data with effective dates', () => {
  it('applies a new rule version only to bookings made on or after its effective date', () => {
    // From 2027-04-01 a flight with only a car is no longer a package (illustrative change).
    const v2: AtolRule = {
      ...DEFAULT_ATOL_RULES.find((r) => r.name === 'flight-package')!,
      effectiveFrom: '2027-04-01',
      criteria: { hasFlight: true, otherComponents: { min: 1, of: ['hotel', 'transfer', 'tour', 'cruise', 'other'] } },
    };
    const fallback: AtolRule = { name: 'flight-and-car', priority: 45, effectiveFrom: '2027-04-01', effectiveTo: null, criteria: { hasFlight: true }, classification: 'FLIGHT_ONLY' };
    const rules = [...DEFAULT_ATOL_RULES, v2, fallback];
    const flightAndCar = { components: [{ type: 'flight' as const }, { type: 'car' as const }] };
    expect(classify(rules, booking({ ...flightAndCar, bookingDate: '2027-03-31' })).classification).toBe('PACKAGE');
    expect(classify(rules, booking({ ...flightAndCar, bookingDate: '2027-04-01' }))).toMatchObject({ classification: 'FLIGHT_ONLY', rule: { name: 'flight-and-car' } });
    expect(classify(rules, booking({ bookingDate: '2027-04-01' }))).toMatchObject({ classification: 'PACKAGE', rule: { effectiveFrom: '2027-04-01' } });
  });

  it('retires a rule at its effectiveTo (inclusive), without reviving an older version', () => {
    const rules: AtolRule[] = [
      { name: 'all', priority: 1, effectiveFrom: '2020-01-01', effectiveTo: null, criteria: {}, classification: 'PACKAGE' },
      { name: 'all', priority: 1, effectiveFrom: '2025-01-01', effectiveTo: '2025-12-31', criteria: {}, classification: 'FLIGHT_ONLY' },
    ];
    expect(rulesInForce(rules, '2024-12-31').map((r) => r.classification)).toEqual(['PACKAGE']);
    expect(rulesInForce(rules, '2025-12-31').map((r) => r.classification)).toEqual(['FLIGHT_ONLY']);
    expect(rulesInForce(rules, '2026-01-01')).toEqual([]);
  });

  it('orders by priority (then name) and lets the first match win; no match is an error naming the rules tried', () => {
    const rules: AtolRule[] = [
      { name: 'b', priority: 5, effectiveFrom: '2020-01-01', effectiveTo: null, criteria: { hasFlight: true }, classification: 'FLIGHT_ONLY' },
      { name: 'a', priority: 5, effectiveFrom: '2020-01-01', effectiveTo: null, criteria: { hasFlight: true }, classification: 'PACKAGE' },
      { name: 'z', priority: 1, effectiveFrom: '2020-01-01', effectiveTo: null, criteria: { sellerCountry: { in: ['FR'] } }, classification: 'NOT_APPLICABLE' },
    ];
    expect(classify(rules, booking()).rule.name).toBe('a');
    let error: unknown;
    try {
      classify(rules, booking({ components: [{ type: 'hotel' }] }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AtolError);
    expect(error).toMatchObject({ kind: 'no-rule-matched' });
    expect((error as Error).message).toContain('rules tried: z, a, b');
  });

  it('refuses two versions of one rule with the same effective date', () => {
    const r: AtolRule = { name: 'x', priority: 1, effectiveFrom: '2020-01-01', effectiveTo: null, criteria: {}, classification: 'PACKAGE' };
    expect(() => rulesInForce([r, { ...r, classification: 'FLIGHT_ONLY' }], '2021-01-01')).toThrow('two versions effective from 2020-01-01');
  });

  it('validates criteria and booking facts with messages naming the field', () => {
    expect(AtolCriteria.safeParse({ otherComponents: { min: 2, max: 1 } }).error?.issues[0]?.message).toBe('"min" must not exceed "max"');
    expect(AtolCriteria.safeParse({ sellerCountry: { in: ['gb'] } }).success).toBe(false);
    expect(AtolCriteria.safeParse({ hasFlights: true }).success).toBe(false);
    expect(() => booking({ departureDate: '2027-02-01', passengers: 0, components: [{ type: 'hotel', ticketIssuedAt: '2027-03-01' }] })).toThrow(
      /passengers: must be at least 1; departureDate: must not be before bookingDate \(2027-03-01\); components\/0\/ticketIssuedAt: only a flight has a ticket/,
    );
    expect(() => booking({ components: [{ type: 'flight', ticketIssuedAt: '2027-02-28T10:00:00Z' }] })).toThrow('a ticket cannot be issued before the booking');
  });
});
