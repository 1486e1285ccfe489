import fc from 'fast-check';
import { Dec } from '../../money/money';
import { checkLegacyBooking, legacyTotals, migratedBookingState, type LegacyBooking } from '../inflight';
import type { CheckContext, RawRecord } from '../model';

const ctx: CheckContext = { today: '2026-12-01', dayFirst: true, system: 'crm1' };
const raw = (obj: Record<string, unknown>, row = 1): RawRecord => ({ row, fields: { __json: JSON.stringify(obj) } });

const good = {
  booking_reference: 'IF000042',
  customer_id: 'C1',
  status: 'DEPOSIT_PAID',
  departure_date: '2027-05-10',
  return_date: '2027-05-17',
  currency: 'EUR',
  total: '3000.00',
  payments: [{ date: '15/11/2026', amount: '600.00', reference: 'P1' }],
  installments: [
    { due_date: '2027-02-01', amount: '1200.00' },
    { due_date: '2027-03-29', amount: '1200.00' },
  ],
  components: [
    { type: 'FLIGHT', supplier: 'Lufthansa', description: 'FRA-LIS', supplier_reference: 'LH7QX2', cost: '400.00' },
    { type: 'HOTEL', supplier: 'Pestana', description: 'Lisbon 7 nights', service_class: 'Sea view', supplier_reference: 'PST-88', cost: '1600.00' },
    { type: 'CRUISE', supplier: 'Douro Azul', description: 'Douro cruise', supplier_reference: 'DA-1', cost: '500.00' },
  ],
};

describe('checkLegacyBooking', () => {
  it('accepts a confirmed booking, reading slashed dates day first', () => {
    const { value, issues } = checkLegacyBooking(raw(good), ctx);
    expect(issues).toEqual([]);
    expect(value).toMatchObject({ reference: 'IF000042', legacyCustomerId: 'C1', payments: [{ date: '2026-11-15', amount: '600.00' }], components: [{ type: 'FLIGHT' }, { type: 'HOTEL', serviceClass: 'Sea view' }, { type: 'CRUISE' }] });
  });

  it.each([
    [{ booking_reference: 'not a ref!' }, 'booking_reference', 'bad-reference'],
    [{ status: 'QUOTED' }, 'status', 'unknown-value'],
    [{ departure_date: '2026-11-20', return_date: '2026-11-27' }, 'departure_date', 'already-travelled'],
    [{ return_date: '2027-05-01' }, 'return_date', 'reversed-dates'],
    [{ currency: 'EURO' }, 'currency', 'bad-currency'],
    [{ total: '3000.001' }, 'total', 'bad-amount'],
    [{ payments: [{ date: '31/02/2026', amount: '600.00' }] }, 'payments[0].date', 'bad-date'],
    [{ installments: [{ due_date: '2027-02-01', amount: '1000.00' }] }, 'installments', 'schedule-mismatch'],
    [{ payments: [{ date: '2026-11-15', amount: '3500.00' }], installments: [] }, 'payments', 'overpaid'],
    [{ status: 'PAID' }, 'status', 'status-mismatch'],
    [{ components: [] }, 'components', 'missing-field'],
    [{ components: [{ type: 'SPACESHIP', supplier: 'X', supplier_reference: 'X1', cost: '1.00' }] }, 'components[0].type', 'unknown-value'],
    [{ components: [{ type: 'HOTEL', supplier: 'X', cost: '1.00' }] }, 'components[0].supplier_reference', 'missing-field'],
  ])('refuses %j naming %s (%s)', (change, field, code) => {
    const { value, issues } = checkLegacyBooking(raw({ ...good, ...change }, 7), ctx);
    expect(value).toBeUndefined();
    expect(issues).toContainEqual(expect.objectContaining({ file: 'bookings', row: 7, field, code, severity: 'ERROR' }));
  });

  it('a record that is not JSON is one malformed-row error', () => {
    expect(checkLegacyBooking({ row: 3, fields: { __json: '{oops' } }, ctx).issues).toEqual([expect.objectContaining({ code: 'malformed-row', row: 3 })]);
  });
});

describe('migratedBookingState', () => {
  const booking = checkLegacyBooking(raw(good), ctx).value!;

  it('confirmed components with the suppliers’ references, flights ticketed; paid and due lines as agreed', () => {
    const state = migratedBookingState(booking, { system: 'crm1', timeZone: 'Europe/Lisbon' });
    expect(state.components.map((c) => [c.kind, c.productType, c.status, c.supplierRef])).toEqual([
      ['FLIGHT', 'flights', 'TICKETED', 'LH7QX2'],
      ['HOTEL', 'hotels', 'CONFIRMED', 'PST-88'],
      ['TOUR', 'cruises', 'CONFIRMED', 'DA-1'],
    ]);
    expect(state.components[0]!.settlement).toEqual({ amount: '400.00', currency: 'EUR' });
    expect(state.schedule.map((i) => [i.kind, i.dueDate, i.amount.amount, i.paid])).toEqual([
      ['DEPOSIT', '2026-11-15', '600.00', '600.00'],
      ['INSTALLMENT', '2027-02-01', '1200.00', '0'],
      ['BALANCE', '2027-03-29', '1200.00', '0'],
    ]);
    // 23:59:59.999 in Lisbon on the due date (UTC+0 in winter).
    expect(state.schedule[1]!.dueAt).toBe(Date.parse('2027-02-01T23:59:59.999Z'));
    expect(state.payments).toEqual([expect.objectContaining({ paymentId: 'legacy:crm1:IF000042:P1', amount: { amount: '600.00', currency: 'EUR' } })]);
    expect(state.bookedOn).toBe('2026-11-15');
  });

  it('the components sell for exactly the total, whatever the costs (shares by cost, the rounding on the last)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 100_000_000 }), fc.constantFrom('EUR', 'JPY', 'KWD'), (costs, totalMinor, currency) => {
        const exp = currency === 'JPY' ? 0 : currency === 'KWD' ? 3 : 2;
        const total = new Dec(totalMinor).div(new Dec(10).pow(exp)).toFixed(exp);
        const b: LegacyBooking = {
          ...booking,
          currency,
          total,
          payments: [],
          installments: [{ dueDate: '2027-02-01', amount: total }],
          components: costs.map((c, i) => ({ type: 'HOTEL', supplier: 'S', description: 'd', supplierReference: `R${i}`, cost: new Dec(c).div(new Dec(10).pow(exp)).toFixed(exp) })),
        };
        const sells = migratedBookingState(b, { system: 's', timeZone: 'UTC' }).components.map((c) => new Dec(c.sell.amount));
        expect(sells.reduce((s, x) => s.plus(x), new Dec(0)).toFixed(exp)).toBe(total);
        expect(sells.every((x) => x.gte(0) && x.decimalPlaces() <= exp)).toBe(true);
      }),
    );
  });

  it('legacy totals per currency: count, total and what is still due', () => {
    expect(legacyTotals([booking, { ...booking, reference: 'IF000043', payments: [], installments: [{ dueDate: '2027-02-01', amount: '3000.00' }] }])).toEqual({
      EUR: { count: 2, total: '6000.00', balanceDue: '5400.00' },
    });
  });
});
