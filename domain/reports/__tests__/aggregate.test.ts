import { ageBucket, agedReceivables, bookingVolume, daysBetween, dueBucket, revenueByChannel, supplierPayables, type BookingFact } from '../aggregate';
import { quarterOfReturn } from '../atol-quarter';
import { passengerReturn } from '../../atol/returns';
import { payableLines, paxOf, receivableLines } from '../snapshot';

const fact = (over: Partial<BookingFact>): BookingFact => ({
  reference: 'R1', status: 'CONFIRMED', productCode: 'FLIGHT+HOTEL', bookedOn: '2027-01-15', travelDate: '2027-06-01', channel: 'direct', currency: 'EUR', amount: '100.00', pax: 2, ...over,
});

describe('ageing buckets', () => {
  it.each([
    [-5, 'current'], [0, 'current'], [1, '1-30'], [30, '1-30'], [31, '31-60'], [60, '31-60'], [61, '61-90'], [90, '61-90'], [91, '90+'],
  ] as const)('%i days overdue is %s', (days, bucket) => expect(ageBucket(days)).toBe(bucket));

  it.each([
    [-1, 'overdue'], [0, '0-30'], [30, '0-30'], [31, '31-60'], [60, '31-60'], [61, '61-90'], [90, '61-90'], [91, '90+'],
  ] as const)('due in %i days is %s', (days, bucket) => expect(dueBucket(days)).toBe(bucket));

  it('counts calendar days across a DST change and a leap day', () => {
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2027-03-27', '2027-03-29')).toBe(2);
    expect(daysBetween('2027-03-29', '2027-03-27')).toBe(-2);
  });
});

describe('bookingVolume', () => {
  const facts = [
    fact({ reference: 'A', amount: '0.10' }),
    fact({ reference: 'B', amount: '0.20', pax: null }),
    fact({ reference: 'C', amount: '1000', currency: 'JPY', pax: 1 }),
    fact({ reference: 'D', status: 'CANCELLED', amount: '50.00' }),
    fact({ reference: 'E', status: 'DRAFT', amount: '999.00' }),
    fact({ reference: 'F', status: 'EXPIRED', amount: '999.00' }),
    fact({ reference: 'G', bookedOn: '2027-02-01', productCode: 'HOTEL', amount: '10.005', travelDate: '2027-01-20' }),
  ];

  it('sums exactly per month and currency, drafts and expired out, cancelled apart', () => {
    expect(bookingVolume(facts, 'month')).toEqual([
      { key: '2027-01', currency: 'EUR', bookings: 2, pax: 2, paxUnknown: 1, gross: '0.30', cancelledBookings: 1, cancelledGross: '50.00' },
      { key: '2027-01', currency: 'JPY', bookings: 1, pax: 1, paxUnknown: 0, gross: '1000', cancelledBookings: 0, cancelledGross: '0' },
      // half-even at the currency's exponent
      { key: '2027-02', currency: 'EUR', bookings: 1, pax: 2, paxUnknown: 0, gross: '10.00', cancelledBookings: 0, cancelledGross: '0.00' },
    ]);
  });

  it('groups by product, or by travel month', () => {
    expect(bookingVolume(facts, 'product').map((r) => [r.key, r.currency, r.bookings])).toEqual([
      ['FLIGHT+HOTEL', 'EUR', 2], ['FLIGHT+HOTEL', 'JPY', 1], ['HOTEL', 'EUR', 1],
    ]);
    expect(bookingVolume(facts, 'month', 'travel').map((r) => [r.key, r.currency, r.bookings])).toEqual([
      ['2027-01', 'EUR', 1], ['2027-06', 'EUR', 2], ['2027-06', 'JPY', 1],
    ]);
  });
});

describe('revenueByChannel', () => {
  it('gives gross, commission and net per channel and currency; unknown OTA commission stays null', () => {
    expect(
      revenueByChannel([
        { channel: 'agent', currency: 'GBP', gross: '1000.00', commission: '100.00' },
        { channel: 'agent', currency: 'GBP', gross: '0.10', commission: '0.20' },
        { channel: 'agent', currency: 'EUR', gross: '500.00', commission: '0' },
        { channel: 'ota:booking.com', currency: 'EUR', gross: '300.00', commission: null },
        { channel: 'direct', currency: 'EUR', gross: '0.30', commission: '0' },
      ]),
    ).toEqual([
      { channel: 'agent', currency: 'EUR', bookings: 1, gross: '500.00', commission: '0.00', net: '500.00' },
      { channel: 'agent', currency: 'GBP', bookings: 2, gross: '1000.10', commission: '100.20', net: '899.90' },
      { channel: 'direct', currency: 'EUR', bookings: 1, gross: '0.30', commission: '0.00', net: '0.30' },
      { channel: 'ota:booking.com', currency: 'EUR', bookings: 1, gross: '300.00', commission: null, net: null },
    ]);
  });
});

describe('agedReceivables', () => {
  it('buckets each unpaid line by days overdue at the boundaries, per customer and currency', () => {
    const asOf = '2027-04-30';
    const line = (reference: string, dueDate: string, outstanding: string, customerId = 'c1', currency = 'EUR') => ({ reference, customerId, currency, dueDate, outstanding });
    const report = agedReceivables(
      [
        line('A', '2027-04-30', '1.10'), // due today: current
        line('A', '2027-04-29', '2.20'), // 1 day
        line('B', '2027-03-31', '3.30'), // 30 days
        line('B', '2027-03-30', '4.40'), // 31 days
        line('C', '2027-01-30', '5.50'), // 90 days
        line('C', '2027-01-29', '6.60'), // 91 days
        line('D', '2027-01-01', '0.00'), // nothing owed: ignored
        line('E', '2027-05-01', '100', 'c2', 'JPY'),
      ],
      asOf,
    );
    expect(report.customers).toEqual([
      { customerId: 'c1', currency: 'EUR', bookings: 3, current: '1.10', '1-30': '5.50', '31-60': '4.40', '61-90': '5.50', '90+': '6.60', total: '23.10' },
      { customerId: 'c2', currency: 'JPY', bookings: 1, current: '100', '1-30': '0', '31-60': '0', '61-90': '0', '90+': '0', total: '100' },
    ]);
    expect(report.totals.map((t) => [t.currency, t.total])).toEqual([['EUR', '23.10'], ['JPY', '100']]);
  });
});

describe('supplierPayables', () => {
  it('buckets by when each line falls due, recorded payments settling the earliest lines first', () => {
    const asOf = '2027-04-30';
    const report = supplierPayables(
      [
        { reference: 'A', supplier: 'HOTELCO', currency: 'EUR', dueDate: '2027-04-29', amount: '100.00' },
        { reference: 'A', supplier: 'TRANSFERS', currency: 'EUR', dueDate: '2027-05-30', amount: '40.00' },
        { reference: 'A', supplier: 'HOTELCO', currency: 'EUR', dueDate: '2027-07-29', amount: '60.00' }, // 90 days away
        { reference: 'A', supplier: 'HOTELCO', currency: 'EUR', dueDate: '2027-07-30', amount: '0.01' },
        { reference: 'B', supplier: 'HOTELCO', currency: 'GBP', dueDate: '2027-04-30', amount: '10.00' },
      ],
      [{ reference: 'A', currency: 'EUR', amount: '120.00' }, { reference: 'B', currency: 'EUR', amount: '10.00' }],
      asOf,
    );
    expect(report.suppliers).toEqual([
      { supplier: 'HOTELCO', currency: 'EUR', bookings: 1, overdue: '0.00', '0-30': '0.00', '31-60': '0.00', '61-90': '60.00', '90+': '0.01', total: '60.01' },
      { supplier: 'HOTELCO', currency: 'GBP', bookings: 1, overdue: '0.00', '0-30': '10.00', '31-60': '0.00', '61-90': '0.00', '90+': '0.00', total: '10.00' },
      { supplier: 'TRANSFERS', currency: 'EUR', bookings: 1, overdue: '0.00', '0-30': '20.00', '31-60': '0.00', '61-90': '0.00', '90+': '0.00', total: '20.00' },
    ]);
    expect(report.totals.map((t) => [t.currency, t.total])).toEqual([['EUR', '80.01'], ['GBP', '10.00']]);
  });
});

describe('snapshot reading', () => {
  const snapshot = {
    schedule: [
      { id: 'dep', kind: 'DEPOSIT', dueDate: '2027-01-10', dueAt: 0, amount: { amount: '200.00', currency: 'EUR' }, paid: '200.00', reminded: false },
      { id: 'bal', kind: 'BALANCE', dueDate: '2027-04-20', dueAt: 0, amount: { amount: '800.00', currency: 'EUR' }, paid: '300.00', reminded: false },
    ],
    components: [
      { kind: 'HOTEL', status: 'CONFIRMED', supplierCode: 'HOTELCO', serviceStart: '2027-06-01', pax: 2, cost: { amount: '500.00', currency: 'EUR' }, settlement: null },
      { kind: 'FLIGHT', status: 'TICKETED', supplierCode: 'duffel', serviceStart: '2027-06-01', pax: 3, cost: { amount: '350.00', currency: 'GBP' }, settlement: { amount: '320.00', currency: 'GBP' } },
      { kind: 'TOUR', status: 'CANCELLED', supplierCode: 'TOURS', serviceStart: '2027-06-02', pax: 2, cost: { amount: '90.00', currency: 'EUR' } },
    ],
    group: null,
  };

  it('reads unpaid installments, owed components and travellers; tolerates missing parts', () => {
    expect(receivableLines(snapshot, { reference: 'R', customerId: 'c', currency: 'EUR' })).toEqual([
      { reference: 'R', customerId: 'c', currency: 'EUR', dueDate: '2027-04-20', outstanding: '500' },
    ]);
    expect(payableLines(snapshot, 'R')).toEqual([
      { reference: 'R', supplier: 'HOTELCO', currency: 'EUR', dueDate: '2027-06-01', amount: '500.00' },
      { reference: 'R', supplier: 'duffel', currency: 'GBP', dueDate: '2027-06-01', amount: '320.00' },
    ]);
    expect(paxOf(snapshot)).toBe(3);
    expect(paxOf({ ...snapshot, group: { members: [{ status: 'ACTIVE' }, { status: 'CANCELLED' }] } })).toBe(1);
    expect(paxOf(null)).toBeNull();
    expect(receivableLines({ price: 1 }, { reference: 'R', customerId: 'c', currency: 'EUR' })).toBeNull();
    expect(payableLines('not a snapshot', 'R')).toEqual([]);
  });
});

describe('quarterOfReturn', () => {
  it('cuts a monthly return to the quarter and sums it exactly per currency', () => {
    const rec = (ref: string, departureDate: string, amount: string, passengers = 2) => ({
      bookingRef: ref, classification: 'PACKAGE' as const, passengers, departureDate, revenue: { amount, currency: 'GBP' }, contribution: { amount: '5.00', currency: 'GBP' },
    });
    const year = passengerReturn({ number: '12345', holder: 'Itinera', returnFrequency: 'MONTHLY' }, 2027, [
      rec('A', '2027-04-01', '0.10'), rec('B', '2027-06-30', '0.20', 3), rec('C', '2027-07-01', '99.00'), rec('D', '2027-03-31', '99.00'),
    ]);
    const q2 = quarterOfReturn(year, 2);
    expect(q2.periods.map((p) => p.period)).toEqual(['2027-04', '2027-05', '2027-06']);
    expect(q2.total).toMatchObject({ period: 'TOTAL', startsOn: '2027-04-01', endsOn: '2027-06-30', bookings: 2, passengers: { package: 5, flightOnly: 0, total: 5 } });
    expect(q2.total.revenue).toEqual([{ currency: 'GBP', package: '0.30', flightOnly: '0.00', total: '0.30' }]);
    expect(q2.total.apcDue).toEqual([{ currency: 'GBP', amount: '10.00' }]);
  });
});
