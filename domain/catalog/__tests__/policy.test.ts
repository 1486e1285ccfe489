import fc from 'fast-check';
import { Dec } from '../../money/money';
import { addDays } from '../dates';
import type { Policy, PolicyWindow } from '../model';
import { computePenalty, PenaltyError } from '../policy';

const pct = (from: number, to: number, amount: string, extra: Partial<PolicyWindow> = {}): PolicyWindow => ({
  fromDaysBefore: from,
  toDaysBefore: to,
  basis: 'PERCENT',
  scope: 'PER_BOOKING',
  amount,
  nonRefundable: false,
  ...extra,
});
const fixed = (from: number, to: number, amount: string, scope: PolicyWindow['scope'], currency = 'EUR'): PolicyWindow => ({
  fromDaysBefore: from,
  toDaysBefore: to,
  basis: 'FIXED',
  scope,
  amount,
  currency,
  nonRefundable: false,
});

const DEPARTURE = '2027-06-30';
const cost = { amount: '2000.00', currency: 'EUR' };
const at = (daysBefore: number) => ({ departureDate: DEPARTURE, changeDate: addDays(DEPARTURE, -daysBefore), pax: 2, cost });

const policy: Policy = {
  windows: [pct(60, 31, '10'), pct(30, 15, '25'), fixed(14, 1, '400.00', 'PER_PERSON'), pct(0, 0, '90'), pct(-1, -1, '100')],
};

describe('computePenalty', () => {
  it.each([
    [90, null, '0.00'], // earlier than the farthest window: free
    [60, 0, '200.00'],
    [31, 0, '200.00'],
    [30, 1, '500.00'],
    [15, 1, '500.00'],
    [14, 2, '800.00'], // 400 per person x 2
    [1, 2, '800.00'],
    [0, 3, '1800.00'], // departure day
    [-1, 4, '2000.00'], // no-show
    [-10, 4, '2000.00'], // changed well after departure: still the no-show window
  ])('%i days before departure: window %p, fee %s', (daysBefore, windowIndex, fee) => {
    const result = computePenalty(policy, at(daysBefore));
    expect(result.daysBefore).toBe(daysBefore);
    expect(result.window).toBe(windowIndex === null ? null : policy.windows[windowIndex]);
    expect(result.fee).toEqual({ amount: fee, currency: 'EUR' });
    expect(result.nonRefundable).toBe(false);
  });

  it('per person multiplies by pax, per booking does not', () => {
    const perPerson: Policy = { windows: [fixed(30, 0, '75.00', 'PER_PERSON')] };
    const perBooking: Policy = { windows: [fixed(30, 0, '75.00', 'PER_BOOKING')] };
    expect(computePenalty(perPerson, { ...at(10), pax: 3 }).fee.amount).toBe('225.00');
    expect(computePenalty(perBooking, { ...at(10), pax: 3 }).fee.amount).toBe('75.00');
  });

  it('a non-refundable window keeps the whole cost whatever its fee says', () => {
    const p: Policy = { windows: [pct(365, 0, '0', { nonRefundable: true })] };
    expect(computePenalty(p, at(100))).toMatchObject({ fee: cost, nonRefundable: true });
  });

  it('no-show without a -1 window uses the nearest window', () => {
    const p: Policy = { windows: [pct(60, 15, '20'), pct(14, 0, '50')] };
    const result = computePenalty(p, at(-2));
    expect(result.window).toBe(p.windows[1]);
    expect(result.fee.amount).toBe('1000.00');
  });

  it('a gap between windows and an empty policy cost nothing', () => {
    const p: Policy = { windows: [pct(60, 31, '10'), pct(14, 0, '50')] };
    expect(computePenalty(p, at(20))).toEqual({ window: null, daysBefore: 20, fee: { amount: '0.00', currency: 'EUR' }, nonRefundable: false });
    expect(computePenalty({ windows: [] }, at(-1)).fee.amount).toBe('0.00');
  });

  it('caps the fee at the cost', () => {
    const p: Policy = { windows: [fixed(30, 0, '150.00', 'PER_PERSON')] };
    expect(computePenalty(p, { ...at(5), pax: 4, cost: { amount: '500.00', currency: 'EUR' } }).fee.amount).toBe('500.00');
  });

  it('rounds HALF_UP to the cost currency minor units', () => {
    const p: Policy = { windows: [pct(30, 0, '12.5')] };
    expect(computePenalty(p, { ...at(5), cost: { amount: '0.20', currency: 'EUR' } }).fee.amount).toBe('0.03'); // 0.025
    expect(computePenalty(p, { ...at(5), cost: { amount: '100', currency: 'JPY' } }).fee).toEqual({ amount: '13', currency: 'JPY' }); // 12.5
    expect(computePenalty(p, { ...at(5), cost: { amount: '0.500', currency: 'KWD' } }).fee.amount).toBe('0.063'); // 0.0625
  });

  it('refuses a fixed fee in another currency (no silent FX) and bad input', () => {
    const p: Policy = { windows: [fixed(30, 0, '100.00', 'PER_BOOKING', 'USD')] };
    expect(() => computePenalty(p, at(5))).toThrow(expect.objectContaining({ kind: 'currency-mismatch', name: 'PenaltyError' }));
    expect(() => computePenalty(p, at(40))).not.toThrow(); // no window applies: no fee, no conversion needed
    let error: unknown;
    try {
      computePenalty(policy, { departureDate: '2027-02-30', changeDate: DEPARTURE, pax: 0, cost: { amount: '-1', currency: 'EUR' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PenaltyError);
    expect((error as PenaltyError).kind).toBe('invalid-input');
    expect((error as Error).message).toMatch(/departureDate "2027-02-30".*; pax .*; cost: amount must not be negative/);
  });

  describe('properties', () => {
    const amountArb = fc.integer({ min: 0, max: 10_000_000 }).map((cents) => new Dec(cents).dividedBy(100).toFixed(2));
    const windowArb: fc.Arbitrary<PolicyWindow> = fc.record({
      fromDaysBefore: fc.integer({ min: -1, max: 400 }),
      toDaysBefore: fc.integer({ min: -1, max: 400 }),
      basis: fc.constantFrom('PERCENT' as const, 'FIXED' as const),
      scope: fc.constantFrom('PER_PERSON' as const, 'PER_BOOKING' as const),
      amount: fc.oneof(fc.integer({ min: 0, max: 1000 }).map((n) => new Dec(n).dividedBy(10).toFixed()), amountArb),
      currency: fc.constant('EUR'),
      nonRefundable: fc.boolean(),
    }).map((w) => ({ ...w, amount: w.basis === 'PERCENT' ? Dec.min(w.amount, 100).toFixed() : w.amount }));

    it('the fee is always between 0 and the cost, in the cost currency', () => {
      fc.assert(
        fc.property(fc.array(windowArb, { maxLength: 5 }), fc.integer({ min: -30, max: 400 }), fc.integer({ min: 1, max: 9 }), amountArb, (windows, daysBefore, pax, amount) => {
          const result = computePenalty({ windows }, { departureDate: DEPARTURE, changeDate: addDays(DEPARTURE, -daysBefore), pax, cost: { amount, currency: 'EUR' } });
          const fee = new Dec(result.fee.amount);
          expect(result.fee.currency).toBe('EUR');
          expect(fee.greaterThanOrEqualTo(0)).toBe(true);
          expect(fee.lessThanOrEqualTo(amount)).toBe(true);
          expect(fee.decimalPlaces()).toBeLessThanOrEqual(2);
        }),
        { numRuns: 300 },
      );
    });

    /** Contiguous percent windows from the no-show day outwards; nearer windows charge at least as much. */
    const increasingPolicyArb: fc.Arbitrary<Policy> = fc
      .array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 6 })
      .map((steps) => {
        const percents = steps.map(([, p]) => p).sort((a, b) => b - a); // nearest first: highest
        const windows: PolicyWindow[] = [];
        let to = -1;
        steps.forEach(([length], k) => {
          windows.push(pct(to + length - 1, to, String(percents[k])));
          to += length;
        });
        return { windows };
      });

    it('for an increasing policy the fee never drops as departure approaches', () => {
      fc.assert(
        fc.property(increasingPolicyArb, fc.integer({ min: -5, max: 400 }), fc.integer({ min: -5, max: 400 }), amountArb, (p, a, b, amount) => {
          const [far, near] = a >= b ? [a, b] : [b, a];
          const input = (d: number) => ({ departureDate: DEPARTURE, changeDate: addDays(DEPARTURE, -d), pax: 2, cost: { amount, currency: 'EUR' } });
          const feeFar = new Dec(computePenalty(p, input(far)).fee.amount);
          const feeNear = new Dec(computePenalty(p, input(near)).fee.amount);
          expect(feeNear.greaterThanOrEqualTo(feeFar)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  });
});
