import type { ComponentState, ComponentRequest } from '../model';
import { amendmentFee, shiftDates, shiftRequest } from '../amendment';

const hotelReq: ComponentRequest = { id: 'hotel', kind: 'HOTEL', supplierCode: 'HTL1', productCode: 'P1', category: 'DBL', startDate: '2027-06-01', nights: 7, units: [{ adults: 2, childAges: [5] }] };
const flightReq: ComponentRequest = { id: 'flight', kind: 'FLIGHT', supplier: 'duffel-sandbox', offerId: 'off_1', passengers: [] };

describe('shiftDates / shiftRequest', () => {
  it('moves the trip keeping its length, across month and year ends', () => {
    expect(shiftDates('2027-06-01', '2027-06-08', '2027-06-15')).toEqual({ days: 14, returnDate: '2027-06-22' });
    expect(shiftDates('2027-12-28', '2028-01-04', '2027-12-21')).toEqual({ days: -7, returnDate: '2027-12-28' });
    expect(shiftDates('2028-02-27', '2028-03-01', '2028-02-28')).toEqual({ days: 1, returnDate: '2028-03-02' });
  });

  it('shifts catalog components and leaves flights to the airline', () => {
    const moved = shiftRequest(hotelReq, 14);
    expect(moved).toEqual({ ...hotelReq, startDate: '2027-06-15' });
    expect(hotelReq.startDate).toBe('2027-06-01');
    expect(shiftRequest(flightReq, 14)).toEqual(flightReq);
  });

  it('refuses bad dates', () => {
    expect(() => shiftDates('2027-06-01', '2027-05-08', '2027-06-31')).toThrow('newDepartureDate "2027-06-31" is not a date YYYY-MM-DD');
    expect(() => shiftDates('2027-06-01', '2027-05-08', '2027-06-15')).toThrow('returnDate 2027-05-08 is before departureDate 2027-06-01');
    expect(() => shiftRequest(hotelReq, 1.5)).toThrow('days must be a whole number (got 1.5)');
  });
});

describe('amendmentFee', () => {
  const c = {
    id: 'hotel',
    kind: 'HOTEL',
    sell: { amount: '1000.00', currency: 'EUR' },
    cost: { amount: '700.00', currency: 'USD' },
    serviceStart: '2027-06-01',
    pax: 2,
    status: 'CONFIRMED',
    cancellationPolicy: { windows: [{ fromDaysBefore: 365, toDaysBefore: 0, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '100', nonRefundable: true }] },
    amendmentPolicy: { windows: [{ fromDaysBefore: 30, toDaysBefore: 0, basis: 'FIXED', scope: 'PER_PERSON', amount: '35.00', currency: 'USD', nonRefundable: false }] },
  } as unknown as ComponentState;

  it('uses the amendment policy as a share of the sell price', () => {
    // 70 of 700 USD = 10 % of 1000 EUR
    expect(amendmentFee(c, '2027-05-20')).toEqual({ amount: '100.00', currency: 'EUR' });
    expect(amendmentFee(c, '2027-04-01')).toEqual({ amount: '0.00', currency: 'EUR' });
    expect(amendmentFee({ ...c, status: 'CANCELLED' }, '2027-05-20')).toEqual({ amount: '0.00', currency: 'EUR' });
  });
});
