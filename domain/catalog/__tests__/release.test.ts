import { addDays, compareDates, daysBetween, eachDate, isoWeekday } from '../dates';
import type { Product, ReleaseRule } from '../model';
import { contractStayDates, isDueForRelease, releaseDateFor } from '../release';

describe('calendar dates (UTC, host zone irrelevant)', () => {
  it.each([
    ['2027-02-28', 1, '2027-03-01'],
    ['2028-02-28', 1, '2028-02-29'], // leap year
    ['2028-03-01', -1, '2028-02-29'],
    ['2100-02-28', 1, '2100-03-01'], // century, not leap
    ['2000-02-28', 1, '2000-02-29'], // 400-year leap
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-03-28', 1, '2027-03-29'], // EU DST change night
    ['2027-03-22', -21, '2027-03-01'],
  ])('addDays(%s, %d) = %s', (date, n, expected) => {
    expect(addDays(date, n)).toBe(expected);
  });

  it('daysBetween counts calendar days, negative backwards', () => {
    expect(daysBetween('2027-03-01', '2027-03-22')).toBe(21);
    expect(daysBetween('2027-03-22', '2027-03-01')).toBe(-21);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
    expect(daysBetween('2027-10-30', '2027-11-01')).toBe(2);
  });

  it('isoWeekday is Monday 1 .. Sunday 7', () => {
    expect(isoWeekday('2027-03-22')).toBe(1);
    expect(isoWeekday('2027-03-27')).toBe(6);
    expect(isoWeekday('2027-03-28')).toBe(7);
  });

  it('eachDate excludes the end; compareDates orders; bad dates throw', () => {
    expect(eachDate('2028-02-27', '2028-03-02')).toEqual(['2028-02-27', '2028-02-28', '2028-02-29', '2028-03-01']);
    expect(eachDate('2027-01-02', '2027-01-01')).toEqual([]);
    expect(compareDates('2027-01-02', '2027-01-10')).toBeLessThan(0);
    expect(compareDates('2027-01-10', '2027-01-10')).toBe(0);
    expect(() => addDays('2027-02-30', 1)).toThrow(RangeError);
    expect(() => daysBetween('2027-1-1', '2027-01-02')).toThrow(RangeError);
    expect(() => addDays('2027-01-01', 1.5)).toThrow(RangeError);
  });
});

describe('releaseDateFor', () => {
  const days = (n: number): ReleaseRule => ({ kind: 'DAYS_BEFORE', days: n });

  it('a 21-day rule on arrival 2027-03-22 releases ON 2027-03-01', () => {
    expect(releaseDateFor(days(21), '2027-03-22')).toBe('2027-03-01');
  });

  it.each([
    [days(7), '2027-03-03', '2027-02-24'], // back across a short February
    [days(1), '2028-03-01', '2028-02-29'], // onto a leap day
    [days(30), '2027-01-15', '2026-12-16'], // across a year
    [days(0), '2027-06-10', '2027-06-10'], // released on the stay date itself
  ])('DAYS_BEFORE %j for %s = %s', (rule, stay, expected) => {
    expect(releaseDateFor(rule, stay)).toBe(expected);
  });

  it('FIXED_DATES: the releaseOn of the range containing the date, null outside every range', () => {
    const rule: ReleaseRule = {
      kind: 'FIXED_DATES',
      dates: [
        { releaseOn: '2027-06-01', arrivalsFrom: '2027-07-01', arrivalsTo: '2027-07-31' },
        { releaseOn: '2027-07-01', arrivalsFrom: '2027-08-01', arrivalsTo: '2027-08-31' },
      ],
    };
    expect(releaseDateFor(rule, '2027-07-01')).toBe('2027-06-01');
    expect(releaseDateFor(rule, '2027-07-31')).toBe('2027-06-01');
    expect(releaseDateFor(rule, '2027-08-01')).toBe('2027-07-01');
    expect(releaseDateFor(rule, '2027-06-30')).toBeNull();
    expect(releaseDateFor(rule, '2027-09-01')).toBeNull();
  });

  it('NONE never releases', () => {
    expect(releaseDateFor({ kind: 'NONE' }, '2027-03-22')).toBeNull();
  });
});

describe('isDueForRelease', () => {
  const rule: ReleaseRule = { kind: 'DAYS_BEFORE', days: 21 };

  it('is due from the release date up to the stay date, not a day earlier', () => {
    expect(isDueForRelease(rule, '2027-03-22', '2027-02-28')).toBe(false);
    expect(isDueForRelease(rule, '2027-03-22', '2027-03-01')).toBe(true);
    expect(isDueForRelease(rule, '2027-03-22', '2027-03-10')).toBe(true); // a missed run catches up
    expect(isDueForRelease(rule, '2027-03-22', '2027-03-22')).toBe(true);
    expect(isDueForRelease(rule, '2027-03-22', '2027-03-23')).toBe(false); // stay date passed
  });

  it('never for NONE or dates outside fixed ranges', () => {
    expect(isDueForRelease({ kind: 'NONE' }, '2027-03-22', '2027-03-22')).toBe(false);
    const fixed: ReleaseRule = { kind: 'FIXED_DATES', dates: [{ releaseOn: '2027-03-01', arrivalsFrom: '2027-03-10', arrivalsTo: '2027-03-20' }] };
    expect(isDueForRelease(fixed, '2027-03-15', '2027-03-01')).toBe(true);
    expect(isDueForRelease(fixed, '2027-03-21', '2027-03-15')).toBe(false);
  });
});

describe('contractStayDates', () => {
  const base = {
    supplierCode: 'ACME', code: 'P', name: 'P', destination: 'IT-ROME', country: 'IT', currency: 'EUR', active: true,
    minPax: 1, maxPax: 10, categories: [], rates: [], childBands: [], taxes: [],
  };

  it('every date for hotels, live departures only for tours', () => {
    const hotel: Product = { ...base, type: 'HOTEL' };
    expect(contractStayDates({ validFrom: '2028-02-28', validTo: '2028-03-01' }, hotel)).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    const tour: Product = {
      ...base, type: 'TOUR', itinerary: [], durationNights: 7, guaranteedThreshold: 1,
      departures: [
        { date: '2027-05-01', status: 'SCHEDULED' },
        { date: '2027-05-08', status: 'CANCELLED' },
        { date: '2027-05-15', status: 'GUARANTEED' },
        { date: '2027-06-01', status: 'SCHEDULED' },
      ],
    };
    expect(contractStayDates({ validFrom: '2027-05-01', validTo: '2027-05-31' }, tour)).toEqual(['2027-05-01', '2027-05-15']);
  });
});
