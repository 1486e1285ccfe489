import fc from 'fast-check';
import { bookingWorkflowId, DEFAULT_DRAFT_HOLD_DAYS, draftExpiry, REFERENCE_PATTERN, referenceFromBytes } from '../draft';
import { DAY_MS, calendarDateIn, isIsoDate, startOfDateUtc } from '../../time/instant';

describe('booking references', () => {
  it('are ITN- plus 8 unambiguous characters for any random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
        const ref = referenceFromBytes(bytes);
        expect(ref).toMatch(REFERENCE_PATTERN);
        expect(ref.slice(4)).not.toMatch(/[ILOU]/);
      }),
    );
    expect(bookingWorkflowId('ITN-7K3M9QXZ')).toBe('booking-ITN-7K3M9QXZ');
  });

  it('need eight bytes', () => {
    expect(() => referenceFromBytes(new Uint8Array(7))).toThrow('8 random bytes');
  });
});

describe('draftExpiry', () => {
  const opened = Date.parse('2026-11-28T10:00:00Z');

  it('holds a draft for 30 days by default', () => {
    expect(draftExpiry(opened, '2027-06-01')).toBe(opened + DEFAULT_DRAFT_HOLD_DAYS * DAY_MS);
  });

  it('never holds past the start of the travel date', () => {
    expect(draftExpiry(opened, '2026-12-05')).toBe(Date.parse('2026-12-05T00:00:00Z'));
  });

  it('is never later than either bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 365 }), fc.integer({ min: 0, max: 800 }), (hold, daysAhead) => {
        const travel = new Date(opened + daysAhead * DAY_MS).toISOString().slice(0, 10);
        const expiry = draftExpiry(opened, travel, hold);
        expect(expiry).toBeLessThanOrEqual(opened + hold * DAY_MS);
        expect(expiry).toBeLessThanOrEqual(startOfDateUtc(travel));
      }),
    );
  });

  it('refuses a hold that is not a positive whole number of days', () => {
    expect(() => draftExpiry(opened, '2027-01-01', 0)).toThrow('holdDays must be a positive integer');
    expect(() => draftExpiry(opened, '2027-01-01', 1.5)).toThrow('holdDays must be a positive integer');
  });
});

describe('calendar dates', () => {
  it('accepts only real dates', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
    expect(isIsoDate('2027-13-01')).toBe(false);
    expect(isIsoDate('27-01-01')).toBe(false);
  });

  it('tells the date in a time zone', () => {
    const instant = Date.parse('2026-11-28T23:30:00Z');
    expect(calendarDateIn(instant, 'UTC')).toBe('2026-11-28');
    expect(calendarDateIn(instant, 'Pacific/Auckland')).toBe('2026-11-29');
    expect(calendarDateIn(instant, 'America/Los_Angeles')).toBe('2026-11-28');
  });
});
