import fc from 'fast-check';
import { minorUnits } from '../../money/currency';
import { Dec } from '../../money/money';
import {
  addByCurrency,
  checkTerms,
  dueThrough,
  historicalBase,
  historicalBaseIncrement,
  recognitionDateFor,
  recognitionSchedule,
  serviceDays,
  type RecognitionPolicy,
  type RecognitionTerms,
} from '../recognition';

const tour: RecognitionTerms = { amount: { amount: '1000.00', currency: 'GBP' }, serviceStart: '2027-03-01', serviceEnd: '2027-03-10', policy: 'PRO_RATA_DAILY' };

describe('recognitionSchedule', () => {
  it('releases a 10-day GBP 1,000.00 tour at 100.00 a day, nothing before or after', () => {
    const schedule = recognitionSchedule(tour);
    expect(schedule).toHaveLength(10);
    expect(schedule.map((r) => r.amount)).toEqual(Array(10).fill('100.00'));
    expect(schedule[0]!.date).toBe('2027-03-01');
    expect(schedule[9]!.date).toBe('2027-03-10');
    expect(dueThrough(tour, '2027-02-28')).toBe('0.00');
    expect(dueThrough(tour, '2027-03-01')).toBe('100.00');
    expect(dueThrough(tour, '2027-03-05')).toBe('500.00');
    expect(dueThrough(tour, '2027-03-10')).toBe('1000.00');
    expect(dueThrough(tour, '2028-01-01')).toBe('1000.00');
  });

  it('gives the remainder minor units to the earliest days (GBP 1,000.03, JPY 100,001)', () => {
    const gbp = recognitionSchedule({ ...tour, amount: { amount: '1000.03', currency: 'GBP' } });
    expect(gbp.map((r) => r.amount)).toEqual(['100.01', '100.01', '100.01', ...Array(7).fill('100.00')]);
    const jpy = recognitionSchedule({ ...tour, amount: { amount: '100001', currency: 'JPY' }, serviceEnd: '2027-03-03' });
    expect(jpy.map((r) => r.amount)).toEqual(['33334', '33334', '33333']);
    expect(dueThrough({ ...tour, amount: { amount: '100001', currency: 'JPY' }, serviceEnd: '2027-03-03' }, '2027-03-02')).toBe('66668');
  });

  it('recognises everything on the first day under AT_DEPARTURE, and single-day services on their date', () => {
    expect(recognitionSchedule({ ...tour, policy: 'AT_DEPARTURE' })).toEqual([{ date: '2027-03-01', amount: '1000.00' }]);
    expect(dueThrough({ ...tour, policy: 'AT_DEPARTURE' }, '2027-02-28')).toBe('0.00');
    expect(recognitionSchedule({ ...tour, serviceEnd: '2027-03-01' })).toEqual([{ date: '2027-03-01', amount: '1000.00' }]);
  });

  it('crosses month and leap-year ends by calendar days', () => {
    const terms: RecognitionTerms = { amount: { amount: '3.000', currency: 'KWD' }, serviceStart: '2028-02-28', serviceEnd: '2028-03-01', policy: 'PRO_RATA_DAILY' };
    expect(serviceDays(terms)).toBe(3);
    expect(recognitionSchedule(terms)).toEqual([
      { date: '2028-02-28', amount: '1.000' },
      { date: '2028-02-29', amount: '1.000' },
      { date: '2028-03-01', amount: '1.000' },
    ]);
  });

  it('names every bad term', () => {
    expect(checkTerms({ amount: { amount: '0', currency: 'GBP' }, serviceStart: '2027-03-10', serviceEnd: '2027-03-01', policy: 'PRO_RATA_DAILY' })).toEqual([
      'serviceEnd (2027-03-01) is before serviceStart (2027-03-10)',
      'amount must be greater than zero (got "0")',
    ]);
    expect(checkTerms({ ...tour, amount: { amount: '1.5', currency: 'JPY' } })).toEqual(['JPY has 0 decimal places; "1.5" has 1']);
    expect(() => dueThrough({ ...tour, amount: { amount: '10', currency: 'XYZ' } }, '2027-03-01')).toThrow('"XYZ" is not an ISO 4217 currency code');
    expect(() => dueThrough(tour, '2027-02-30')).toThrow('Not a calendar date');
  });

  describe('properties (JPY, GBP, KWD)', () => {
    const currencies = [
      { currency: 'JPY', decimals: 0 },
      { currency: 'GBP', decimals: 2 },
      { currency: 'KWD', decimals: 3 },
    ];
    const arbTerms = fc
      .record({
        c: fc.constantFrom(...currencies),
        minor: fc.bigInt({ min: 1n, max: 10n ** 15n }),
        startDay: fc.integer({ min: 0, max: 3000 }),
        days: fc.integer({ min: 1, max: 120 }),
        policy: fc.constantFrom<RecognitionPolicy>('PRO_RATA_DAILY', 'AT_DEPARTURE'),
      })
      .map(({ c, minor, startDay, days, policy }): RecognitionTerms => {
        const base = Date.UTC(2026, 0, 1) + startDay * 86_400_000;
        return {
          amount: { amount: new Dec(minor.toString()).dividedBy(10 ** c.decimals).toFixed(c.decimals), currency: c.currency },
          serviceStart: new Date(base).toISOString().slice(0, 10),
          serviceEnd: new Date(base + (days - 1) * 86_400_000).toISOString().slice(0, 10),
          policy,
        };
      });

    it('sum exactly to the amount, never negative, within the service days, in the currency decimals', () => {
      fc.assert(
        fc.property(arbTerms, (terms) => {
          const schedule = recognitionSchedule(terms);
          const sum = schedule.reduce((acc, r) => acc.plus(r.amount), new Dec(0));
          expect(sum.equals(terms.amount.amount)).toBe(true);
          for (const r of schedule) {
            expect(new Dec(r.amount).greaterThan(0)).toBe(true);
            expect(r.amount).toMatch(minorUnits(terms.amount.currency) ? new RegExp(`^\\d+\\.\\d{${minorUnits(terms.amount.currency)}}$`) : /^\d+$/);
            expect(r.date >= terms.serviceStart && r.date <= terms.serviceEnd).toBe(true);
          }
          expect(schedule.map((r) => r.date)).toEqual([...schedule.map((r) => r.date)].sort());
        }),
        { numRuns: 100 },
      );
    });

    it('dueThrough is monotone, agrees with the schedule, and reaches the amount on the last day', () => {
      fc.assert(
        fc.property(arbTerms, fc.integer({ min: -3, max: 125 }), fc.integer({ min: 0, max: 30 }), (terms, offset, step) => {
          const day = (n: number) => new Date(Date.parse(`${terms.serviceStart}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
          const a = new Dec(dueThrough(terms, day(offset)));
          const b = new Dec(dueThrough(terms, day(offset + step)));
          expect(a.greaterThanOrEqualTo(0)).toBe(true);
          expect(b.greaterThanOrEqualTo(a)).toBe(true);
          const scheduled = recognitionSchedule(terms)
            .filter((r) => r.date <= day(offset))
            .reduce((acc, r) => acc.plus(r.amount), new Dec(0));
          expect(a.equals(scheduled)).toBe(true);
          expect(dueThrough(terms, terms.serviceEnd)).toBe(terms.amount.amount);
        }),
        { numRuns: 100 },
      );
    });
  });
});

describe('recognitionDateFor', () => {
  it("is the operator's calendar date at the instant", () => {
    const at = Date.parse('2027-03-01T00:30:00Z');
    expect(recognitionDateFor(at, 'Europe/London')).toBe('2027-03-01');
    expect(recognitionDateFor(at, 'America/New_York')).toBe('2027-02-28');
    expect(recognitionDateFor(at, 'Asia/Tokyo')).toBe('2027-03-01');
    expect(() => recognitionDateFor(at, 'Mars/Olympus')).toThrow('Unknown IANA time zone: Mars/Olympus');
  });
});

describe('addByCurrency', () => {
  it('adds exactly per currency', () => {
    expect(addByCurrency({ GBP: '0.10', JPY: '5' }, { GBP: '0.20', KWD: '0.001' })).toEqual({ GBP: '0.30', JPY: '5', KWD: '0.001' });
  });
});

describe('historicalBaseIncrement', () => {
  /** Base of each release of a schedule, computed the way recognition does, day after day. */
  const baseReleases = (terms: RecognitionTerms, rate: string, baseCurrency: string) => {
    let cumulative = new Dec(0);
    let baseBefore = new Dec(0);
    return recognitionSchedule(terms).map((r) => {
      cumulative = cumulative.plus(r.amount);
      const base = historicalBaseIncrement({ cumulativeAfter: cumulative.toFixed(), rate, baseCurrency, baseRecognisedBefore: baseBefore.toFixed() });
      baseBefore = baseBefore.plus(base);
      return { amount: r.amount, base };
    });
  };

  it('rounds the cumulative base, so the days add up to round(amount x rate) where per-day rounding would not', () => {
    // USD 1,000.05 over 3 days at 0.79: 333.35 x 0.79 = 263.3465 -> 263.35 each day would make 790.05.
    const usd: RecognitionTerms = { amount: { amount: '1000.05', currency: 'USD' }, serviceStart: '2028-03-01', serviceEnd: '2028-03-03', policy: 'PRO_RATA_DAILY' };
    expect(baseReleases(usd, '0.79', 'GBP').map((r) => r.base)).toEqual(['263.35', '263.34', '263.35']);
    expect(historicalBase('1000.05', '0.79', 'GBP')).toBe('790.04');
    // USD 0.03 over 3 days at 0.5: each 0.005 rounds HALF_EVEN to 0.00, the whole 0.015 to 0.02.
    expect(baseReleases({ ...usd, amount: { amount: '0.03', currency: 'USD' } }, '0.5', 'GBP').map((r) => r.base)).toEqual(['0.00', '0.01', '0.01']);
    // Into a currency without decimals: USD 10.00 over 3 days (3.34, 3.33, 3.33) at 151.37 = JPY 1,514 in all.
    expect(baseReleases({ ...usd, amount: { amount: '10.00', currency: 'USD' } }, '151.37', 'JPY').map((r) => r.base)).toEqual(['506', '504', '504']);
  });

  it('corrects against what the ledger actually holds', () => {
    expect(historicalBaseIncrement({ cumulativeAfter: '1000.05', rate: '0.79', baseCurrency: 'GBP', baseRecognisedBefore: '526.70' })).toBe('263.34');
  });

  it('property: the days sum to round(amount x rate) exactly, none negative, each within one minor unit of amount x rate', () => {
    const currencies = ['JPY', 'GBP', 'KWD'];
    fc.assert(
      fc.property(
        fc.constantFrom(...currencies),
        fc.constantFrom(...currencies),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 10 ** 12 }),
        (from, base, minor, days, rateUnits) => {
          const digits = minorUnits(from);
          const rate = new Dec(rateUnits).dividedBy(1e8).toFixed();
          const terms: RecognitionTerms = {
            amount: { amount: new Dec(minor.toString()).dividedBy(new Dec(10).pow(digits)).toFixed(digits), currency: from },
            serviceStart: '2028-01-30',
            serviceEnd: new Date(Date.parse('2028-01-30T00:00:00Z') + (days - 1) * 86_400_000).toISOString().slice(0, 10),
            policy: 'PRO_RATA_DAILY',
          };
          const releases = baseReleases(terms, rate, base);
          const unit = new Dec(1).dividedBy(new Dec(10).pow(minorUnits(base)));
          expect(releases.reduce((sum, r) => sum.plus(r.base), new Dec(0)).toFixed(minorUnits(base))).toBe(historicalBase(terms.amount.amount, rate, base));
          for (const r of releases) {
            expect(new Dec(r.base).gte(0)).toBe(true);
            expect(new Dec(r.base).minus(new Dec(r.amount).times(rate)).abs().lte(unit)).toBe(true);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
