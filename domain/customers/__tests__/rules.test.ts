import { archiveDecision, currentPassport, lifetimeValue, passportStatus, reconcileLoyalty, retentionFigures } from '../rules';

const today = '2026-06-01';

describe('passports', () => {
  it('are valid through their expiry date', () => {
    expect(passportStatus({ expiresOn: '2026-06-01' }, today)).toBe('VALID');
    expect(passportStatus({ expiresOn: '2026-05-31' }, today)).toBe('EXPIRED');
  });

  it('the current one is the latest-expiring unexpired one, never an expired one', () => {
    const expired = { normalizedNumber: 'A1', expiresOn: '2026-05-31' };
    const soon = { normalizedNumber: 'B2', expiresOn: '2027-01-01' };
    const later = { normalizedNumber: 'C3', expiresOn: '2031-01-01' };
    const sameDay = { normalizedNumber: 'A0', expiresOn: '2031-01-01' };
    expect(currentPassport([soon, expired, later], today)).toBe(later);
    expect(currentPassport([later, sameDay], today)).toBe(sameDay);
    expect(currentPassport([expired], today)).toBeUndefined();
    expect(currentPassport([], today)).toBeUndefined();
  });
});

describe('archiveDecision', () => {
  it('archives after more than 7 years without a booking, counted from the last trip end', () => {
    expect(archiveDecision({ lastTripOn: '2019-05-31', hasOpenBooking: false }, today)).toEqual({ archived: true, reason: 'last trip ended 2019-05-31, more than 7 years before 2026-06-01' });
    expect(archiveDecision({ lastTripOn: '2019-06-01', createdOn: '1999-01-01', hasOpenBooking: false }, today)).toEqual({ archived: false });
  });

  it('falls back to the creation date, and archives a customer with no history at all', () => {
    expect(archiveDecision({ createdOn: '2019-05-31', hasOpenBooking: false }, today)).toMatchObject({ archived: true, reason: expect.stringContaining('created 2019-05-31') });
    expect(archiveDecision({ createdOn: '2024-01-01', hasOpenBooking: false }, today)).toEqual({ archived: false });
    expect(archiveDecision({ hasOpenBooking: false }, today)).toEqual({ archived: true, reason: 'no booking history' });
  });

  it('never archives a customer with an open booking', () => {
    expect(archiveDecision({ lastTripOn: '2004-01-01', hasOpenBooking: true }, today)).toEqual({ archived: false });
    expect(archiveDecision({ hasOpenBooking: true }, today)).toEqual({ archived: false });
  });

  it('counts 29 February back to 28 February', () => {
    expect(archiveDecision({ lastTripOn: '2021-02-28', hasOpenBooking: false }, '2028-02-29')).toEqual({ archived: false });
    expect(archiveDecision({ lastTripOn: '2021-02-27', hasOpenBooking: false }, '2028-02-29').archived).toBe(true);
  });
});

describe('reconcileLoyalty', () => {
  it('compares the stated balance with the transactions', () => {
    expect(reconcileLoyalty(1200, 1200)).toEqual({ matches: true, difference: 0 });
    expect(reconcileLoyalty(1200, 1000)).toEqual({ matches: false, difference: 200 });
    expect(reconcileLoyalty(-50, 0)).toEqual({ matches: false, difference: -50 });
    expect(reconcileLoyalty(undefined, 500)).toEqual({ matches: true, difference: 0 });
  });
});

describe('retentionFigures', () => {
  it('gives counts, first and last trip and days since', () => {
    const trips = [
      { startDate: '2009-03-01', endDate: '2009-03-15' },
      { startDate: '2004-02-10', endDate: '2004-02-17' },
      { startDate: '2026-05-01', endDate: '2026-05-22' },
    ];
    expect(retentionFigures(trips, today)).toEqual({ tripCount: 3, firstTripOn: '2004-02-10', lastTripOn: '2026-05-22', daysSinceLastTrip: 10, repeatCustomer: true });
    expect(retentionFigures([trips[0]!], today)).toMatchObject({ tripCount: 1, repeatCustomer: false });
    expect(retentionFigures([], today)).toEqual({ tripCount: 0, repeatCustomer: false });
    expect(retentionFigures([{ startDate: '2026-05-30', endDate: '2026-06-10' }], today).daysSinceLastTrip).toBe(0);
  });
});

describe('lifetimeValue', () => {
  it('sums exactly per currency, without cancelled or refunded trips', () => {
    expect(
      lifetimeValue([
        { value: { amount: '0.10', currency: 'GBP' }, paymentStatus: 'PAID' },
        { value: { amount: '0.20', currency: 'GBP' }, paymentStatus: 'PARTIALLY_PAID' },
        { value: { amount: '150000', currency: 'JPY' }, paymentStatus: 'UNPAID' },
        { value: { amount: '999.99', currency: 'GBP' }, paymentStatus: 'CANCELLED' },
        { value: { amount: '500.00', currency: 'USD' }, paymentStatus: 'REFUNDED' },
      ]),
    ).toEqual({ GBP: '0.30', JPY: '150000' });
    expect(lifetimeValue([])).toEqual({});
  });
});
