import fc from 'fast-check';
import type { Policy } from '../../catalog/model';
import { Dec } from '../../money/money';
import type { ComponentState } from '../model';
import { cancellationQuote, componentPenalty } from '../cancellation';
import { BookingRuleError } from '../payment-plan';

const policy: Policy = {
  windows: [
    { fromDaysBefore: 60, toDaysBefore: 15, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '25', nonRefundable: false },
    { fromDaysBefore: 14, toDaysBefore: 0, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '50', nonRefundable: false },
    { fromDaysBefore: -1, toDaysBefore: -1, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '100', nonRefundable: true },
  ],
};

function component(over: Partial<ComponentState> = {}): ComponentState {
  return {
    id: 'hotel',
    kind: 'HOTEL',
    description: 'Hotel Lisboa, 7 nights',
    supplierCode: 'HTL1',
    productType: 'hotels',
    serviceStart: '2027-06-01',
    serviceEnd: '2027-06-08',
    pax: 2,
    sell: { amount: '1000.00', currency: 'GBP' },
    cost: { amount: '900.00', currency: 'USD' },
    settlement: null,
    cancellationPolicy: policy,
    amendmentPolicy: { windows: [] },
    inventory: null,
    flight: null,
    request: { id: 'hotel', kind: 'HOTEL', supplierCode: 'HTL1', productCode: 'P1', category: 'DBL', startDate: '2027-06-01', nights: 7, units: [{ adults: 2, childAges: [] }] },
    status: 'CONFIRMED',
    supplierRef: 'H-1',
    locator: null,
    documents: [],
    penalty: null,
    ...over,
  };
}

describe('componentPenalty', () => {
  it('charges the customer the share of the sell price that the supplier keeps of its cost', () => {
    expect(componentPenalty(component(), '2027-05-25')).toEqual({ penalty: { amount: '500.00', currency: 'GBP' }, basis: 'cancellation 14-0 days before: 50 % (supplier policy)' });
    expect(componentPenalty(component(), '2027-04-15')).toEqual({ penalty: { amount: '250.00', currency: 'GBP' }, basis: 'cancellation 60-15 days before: 25 % (supplier policy)' });
    expect(componentPenalty(component(), '2027-03-01')).toEqual({ penalty: { amount: '0.00', currency: 'GBP' }, basis: 'no fee (more than 60 days before)' });
    expect(componentPenalty(component(), '2027-06-03')).toEqual({ penalty: { amount: '1000.00', currency: 'GBP' }, basis: 'cancellation after departure (no-show): non-refundable (supplier policy)' });
  });

  it('charges a no-show by the nearest window when the policy has none for it', () => {
    const noNoShow: Policy = { windows: policy.windows.slice(0, 2) };
    expect(componentPenalty(component({ cancellationPolicy: noNoShow }), '2027-06-02').basis).toBe('cancellation 14-0 days before (no-show, nearest window): 50 % (supplier policy)');
    expect(componentPenalty(component({ cancellationPolicy: { windows: [] } }), '2027-05-25').basis).toBe('no fee (the supplier policy has no cancellation charges)');
  });

  it('handles a fixed fee in the supplier currency without FX, rounding HALF_UP in the sell currency', () => {
    const fixed: Policy = { windows: [{ fromDaysBefore: 30, toDaysBefore: 0, basis: 'FIXED', scope: 'PER_PERSON', amount: '100.00', currency: 'USD', nonRefundable: false }] };
    // supplier keeps 200 of 900 USD = 2/9; 2/9 x 1000 JPY = 222.2 -> 222
    const c = component({ cancellationPolicy: fixed, sell: { amount: '1000', currency: 'JPY' } });
    expect(componentPenalty(c, '2027-05-20')).toEqual({ penalty: { amount: '222', currency: 'JPY' }, basis: 'cancellation 30-0 days before: 100.00 USD per person x 2 (supplier policy)' });
    // 1/8 of 0.004 KWD = 0.0005 -> 0.001 (HALF_UP)
    const k = component({ cost: { amount: '8.00', currency: 'USD' }, sell: { amount: '0.004', currency: 'KWD' }, cancellationPolicy: { windows: [{ fromDaysBefore: 30, toDaysBefore: 0, basis: 'FIXED', scope: 'PER_BOOKING', amount: '1.00', currency: 'USD', nonRefundable: false }] } });
    expect(componentPenalty(k, '2027-05-20').penalty).toEqual({ amount: '0.001', currency: 'KWD' });
  });

  it('charges nothing for components already cancelled, failed, only held, or costing nothing', () => {
    expect(componentPenalty(component({ status: 'CANCELLED' }), '2027-05-25')).toEqual({ penalty: { amount: '0.00', currency: 'GBP' }, basis: 'no fee (component already cancelled)' });
    expect(componentPenalty(component({ status: 'FAILED' }), '2027-05-25').penalty.amount).toBe('0.00');
    expect(componentPenalty(component({ status: 'HELD' }), '2027-05-25').penalty.amount).toBe('0.00');
    expect(componentPenalty(component({ cost: { amount: '0.00', currency: 'USD' } }), '2027-05-25').penalty.amount).toBe('0.00');
  });

  it('refuses bad input with a BookingRuleError naming the component', () => {
    expect(() => componentPenalty(component({ pax: 0 }), '2027-05-25')).toThrow('component hotel: pax must be a whole number of at least 1 (got 0)');
    expect(() => componentPenalty(component(), '25/05/2027')).toThrow(BookingRuleError);
    const eur: Policy = { windows: [{ fromDaysBefore: 30, toDaysBefore: 0, basis: 'FIXED', scope: 'PER_BOOKING', amount: '10.00', currency: 'EUR', nonRefundable: false }] };
    expect(() => componentPenalty(component({ cancellationPolicy: eur }), '2027-05-25')).toThrow(/component hotel: .*no silent FX/);
  });
});

describe('cancellationQuote', () => {
  const flight = component({ id: 'flight', kind: 'FLIGHT', description: 'LHR-LIS return', productType: 'flights', sell: { amount: '400.00', currency: 'GBP' }, cost: { amount: '380.00', currency: 'GBP' }, settlement: { amount: '380.00', currency: 'GBP' }, status: 'TICKETED' });
  const transfer = component({ id: 'transfer', kind: 'TRANSFER', description: 'Airport transfer', productType: 'transfers', sell: { amount: '60.00', currency: 'GBP' }, cost: { amount: '50.00', currency: 'EUR' } });

  it('sums component penalties and refunds what was paid beyond them', () => {
    const q = cancellationQuote({ components: [flight, component(), transfer], changeDate: '2027-05-25', paid: { amount: '1460.00', currency: 'GBP' }, currency: 'GBP', flightPenalties: { flight: { amount: '150.00', currency: 'GBP' } } });
    expect(q.penalties).toEqual([
      { componentId: 'flight', description: 'LHR-LIS return', penalty: { amount: '150.00', currency: 'GBP' }, basis: 'airline change/refund quote' },
      { componentId: 'hotel', description: 'Hotel Lisboa, 7 nights', penalty: { amount: '500.00', currency: 'GBP' }, basis: 'cancellation 14-0 days before: 50 % (supplier policy)' },
      { componentId: 'transfer', description: 'Airport transfer', penalty: { amount: '30.00', currency: 'GBP' }, basis: 'cancellation 14-0 days before: 50 % (supplier policy)' },
    ]);
    expect(q.totalPenalty).toEqual({ amount: '680.00', currency: 'GBP' });
    expect(q.refund).toEqual({ amount: '780.00', currency: 'GBP' });
    expect(q.retained).toEqual({ amount: '680.00', currency: 'GBP' });
  });

  it('charges the whole flight without an airline quote, and caps a quote at the fare sold', () => {
    const q = cancellationQuote({ components: [flight], changeDate: '2027-03-01', paid: { amount: '100.00', currency: 'GBP' }, currency: 'GBP', flightPenalties: {} });
    expect(q.penalties[0]).toMatchObject({ penalty: { amount: '400.00' }, basis: 'no airline quote: non-refundable' });
    expect(q.refund.amount).toBe('0.00');
    expect(q.retained.amount).toBe('100.00');
    const capped = cancellationQuote({ components: [flight], changeDate: '2027-03-01', paid: { amount: '0.00', currency: 'GBP' }, currency: 'GBP', flightPenalties: { flight: { amount: '999.00', currency: 'GBP' } } });
    expect(capped.totalPenalty.amount).toBe('400.00');
  });

  it('refuses amounts in the wrong currency', () => {
    expect(() => cancellationQuote({ components: [component()], changeDate: '2027-05-25', paid: { amount: '10.00', currency: 'EUR' }, currency: 'GBP', flightPenalties: { flight: { amount: '1', currency: 'USD' } } })).toThrow(
      'paid is in EUR but the booking is in GBP; flightPenalties.flight is in USD but the booking is in GBP',
    );
  });

  it('never refunds a negative amount nor retains more than was paid (USD costs, GBP booking)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 500_000 }), fc.integer({ min: 0, max: 500_000 }), fc.constantFrom('CONFIRMED', 'CANCELLED', 'HELD') as fc.Arbitrary<ComponentState['status']>), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: -5, max: 90 }),
        (parts, paidPence, daysBefore) => {
          const components = parts.map(([sell, cost, status], i) => component({ id: `c${i}`, sell: { amount: new Dec(sell).dividedBy(100).toFixed(2), currency: 'GBP' }, cost: { amount: new Dec(cost).dividedBy(100).toFixed(2), currency: 'USD' }, status }));
          const changeDate = new Date(Date.parse('2027-06-01') - daysBefore * 86_400_000).toISOString().slice(0, 10);
          const paid = new Dec(paidPence).dividedBy(100);
          const q = cancellationQuote({ components, changeDate, paid: { amount: paid.toFixed(2), currency: 'GBP' }, currency: 'GBP', flightPenalties: {} });
          const total = new Dec(q.totalPenalty.amount);
          expect(new Dec(q.refund.amount).gte(0)).toBe(true);
          expect(new Dec(q.refund.amount).lte(paid)).toBe(true);
          expect(new Dec(q.retained.amount).lte(paid)).toBe(true);
          expect(new Dec(q.refund.amount).plus(q.retained.amount).equals(paid)).toBe(true);
          expect(total.equals(q.penalties.reduce((a, p) => a.plus(p.penalty.amount), new Dec(0)))).toBe(true);
          q.penalties.forEach((p, i) => expect(new Dec(p.penalty.amount).lte(components[i]!.sell.amount)).toBe(true));
        },
      ),
      { numRuns: 200 },
    );
  });
});
