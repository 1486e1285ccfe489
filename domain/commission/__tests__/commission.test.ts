import fc from 'fast-check';
import { minorUnits } from '../../money/currency';
import { Dec } from '../../money/money';
import { validateEntry } from '../../ledger/entry';
import {
  CommissionError,
  commissionEntry,
  findOverlap,
  percentOf,
  pickSchedule,
  pickTier,
  quoteCommission,
  validateSale,
  validateSchedule,
  validateSubAgent,
  type CommissionSale,
  type CommissionSchedule,
  type CommissionScheduleSpec,
} from '../commission';

const spec = (overrides: Partial<CommissionScheduleSpec> = {}): CommissionScheduleSpec => ({
  supplier: 'ACME',
  productType: null,
  validFrom: '2027-01-01',
  validTo: '2027-12-31',
  basis: 'PERCENT',
  rate: '10',
  fixedAmount: null,
  currency: null,
  tiers: [],
  ...overrides,
});
const schedule = (id: string, overrides: Partial<CommissionScheduleSpec> = {}): CommissionSchedule => ({ id, ...spec(overrides) });
const sale = (overrides: Partial<CommissionSale> = {}): CommissionSale => ({
  bookingRef: 'ITN-1',
  supplier: 'ACME',
  productType: 'hotels',
  channel: 'direct',
  saleDate: '2027-03-10',
  saleAmount: { amount: '1000.00', currency: 'GBP' },
  ...overrides,
});

/** Reference rounding in integers: minor units x rate (in 1/10000 %) / 1,000,000, half up. */
function referencePercent(minor: bigint, rateTenThousandths: bigint): bigint {
  const numerator = minor * rateTenThousandths;
  const denominator = 1_000_000n;
  return (numerator * 2n + denominator) / (denominator * 2n);
}

describe('commission schedules: validation', () => {
  it('accepts a consistent schedule with tiers', () => {
    expect(validateSchedule(spec({ tiers: [{ threshold: '50000', basis: 'PERCENT', rate: '12.5', fixedAmount: null }] }))).toEqual([]);
    expect(validateSchedule(spec({ basis: 'FIXED', rate: null, fixedAmount: '25.00', currency: 'GBP' }))).toEqual([]);
  });

  it('names every problem: dates out of order, basis fields, tier thresholds', () => {
    const problems = validateSchedule(
      spec({
        validFrom: '2027-06-01',
        validTo: '2027-05-31',
        rate: '0',
        fixedAmount: '5',
        tiers: [
          { threshold: '100', basis: 'PERCENT', rate: '100.5', fixedAmount: null },
          { threshold: '100.0', basis: 'FIXED', rate: null, fixedAmount: '3.00' },
          { threshold: '-1', basis: 'PERCENT', rate: '5', fixedAmount: null },
        ],
      }),
    );
    expect(problems).toEqual([
      { path: 'validTo', message: 'must not be before validFrom (2027-06-01)' },
      { path: 'currency', message: 'is required when the schedule or a tier has basis FIXED (the currency of the fixed amounts)' },
      { path: 'rate', message: 'must be greater than 0 (got "0")' },
      { path: 'fixedAmount', message: 'must be absent with basis PERCENT' },
      { path: 'tiers/0/rate', message: 'must be at most 100 (got "100.5")' },
      { path: 'tiers/1/threshold', message: 'repeats the threshold of tiers/0 (100); thresholds must be unique' },
      { path: 'tiers/2/threshold', message: '"-1" is not a non-negative decimal volume such as "50000"' },
    ]);
  });

  it('refuses a FIXED amount with more decimals than its currency and a rate with more than 4 decimals', () => {
    expect(validateSchedule(spec({ basis: 'FIXED', rate: null, fixedAmount: '25.5', currency: 'JPY' })).map((p) => p.path)).toEqual(['fixedAmount']);
    expect(validateSchedule(spec({ rate: '10.12345' }))[0]!.message).toBe('must have at most 4 decimals (got "10.12345")');
  });

  it('finds the schedule a new one overlaps: same supplier and product scope, shared day', () => {
    const existing = [schedule('s1', { validFrom: '2027-01-01', validTo: '2027-06-30' }), schedule('s2', { productType: 'hotels', validTo: null })];
    expect(findOverlap(spec({ validFrom: '2027-06-30', validTo: null }), existing)?.id).toBe('s1');
    expect(findOverlap(spec({ validFrom: '2027-07-01', validTo: null }), existing)).toBeUndefined();
    expect(findOverlap(spec({ productType: 'hotels', validFrom: '2030-01-01', validTo: '2030-01-01' }), existing)?.id).toBe('s2');
    expect(findOverlap(spec({ supplier: 'OTHER' }), existing)).toBeUndefined();
  });
});

describe('picking the schedule and the tier', () => {
  it('prefers the product-specific schedule over the supplier-wide one, within its dates', () => {
    const all = [schedule('wide'), schedule('hotels', { productType: 'hotels', validFrom: '2027-03-01', validTo: '2027-03-31' })];
    expect(pickSchedule(all, sale())?.id).toBe('hotels');
    expect(pickSchedule(all, sale({ saleDate: '2027-04-01' }))?.id).toBe('wide');
    expect(pickSchedule(all, sale({ productType: 'flights' }))?.id).toBe('wide');
    expect(pickSchedule(all, sale({ saleDate: '2028-01-01' }))).toBeNull();
    expect(pickSchedule(all, sale({ supplier: 'OTHER' }))).toBeNull();
  });

  it('calls two schedules at the same specificity a configuration error naming both', () => {
    const all = [schedule('a', { productType: 'hotels' }), schedule('b', { productType: 'hotels', validFrom: '2027-03-01', validTo: null })];
    expect(() => pickSchedule(all, sale())).toThrow(CommissionError);
    expect(() => pickSchedule(all, sale())).toThrow(/ACME has 2 hotels commission schedules in force on 2027-03-10: a \(2027-01-01..2027-12-31\), b \(2027-03-01..\(open\)\)/);
  });

  it('uses the highest threshold at or below the volume before the sale', () => {
    const tiers = [
      { threshold: '10000', basis: 'PERCENT' as const, rate: '12', fixedAmount: null },
      { threshold: '50000', basis: 'PERCENT' as const, rate: '15', fixedAmount: null },
    ];
    expect(pickTier(tiers, '9999.99')).toBeNull();
    expect(pickTier(tiers, '10000')?.rate).toBe('12');
    expect(pickTier(tiers, '49999')?.rate).toBe('12');
    expect(pickTier(tiers, '50000.00')?.rate).toBe('15');
  });
});

describe('commission amounts', () => {
  it('PERCENT rounds half up to the sale currency (commercial rounding)', () => {
    expect(percentOf('0.05', 'GBP', '50')).toEqual({ amount: '0.03', currency: 'GBP' }); // 0.025 -> 0.03, not banker's 0.02
    expect(percentOf('1005', 'JPY', '10')).toEqual({ amount: '101', currency: 'JPY' }); // 100.5 -> 101
    expect(percentOf('12.345', 'KWD', '10')).toEqual({ amount: '1.235', currency: 'KWD' }); // 1.2345 -> 1.235
  });

  it('applies the tier in force and reports which one', () => {
    const s = spec({ tiers: [{ threshold: '5000', basis: 'PERCENT', rate: '12.5', fixedAmount: null }] });
    expect(quoteCommission(s, { amount: '1000.00', currency: 'GBP' }, '4999')).toMatchObject({ commission: { amount: '100.00' }, tierThreshold: null });
    expect(quoteCommission(s, { amount: '1000.00', currency: 'GBP' }, '5000')).toMatchObject({ commission: { amount: '125.00' }, tierThreshold: '5000' });
  });

  it('FIXED pays the fixed amount in the sale currency, and refuses another currency rather than converting', () => {
    const s = spec({ basis: 'FIXED', rate: null, fixedAmount: '25', currency: 'GBP', tiers: [{ threshold: '1000', basis: 'FIXED', rate: null, fixedAmount: '40' }] });
    expect(quoteCommission(s, { amount: '300.00', currency: 'GBP' }, '0').commission).toEqual({ amount: '25.00', currency: 'GBP' });
    expect(quoteCommission(s, { amount: '300.00', currency: 'GBP' }, '1000').commission).toEqual({ amount: '40.00', currency: 'GBP' });
    expect(() => quoteCommission(s, { amount: '300.00', currency: 'EUR' }, '0')).toThrow(/fixed 25 GBP per booking but the sale is in EUR; amounts are not converted/);
  });

  it('never exceeds the sale for PERCENT <= 100, and is never negative', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('JPY', 'GBP', 'KWD', 'EUR'),
        fc.bigInt({ min: 1n, max: 10n ** 14n }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (currency, minor, rateUnits) => {
          const amount = new Dec(minor.toString()).dividedBy(new Dec(10).pow(minorUnits(currency))).toFixed(minorUnits(currency));
          const rate = new Dec(rateUnits).dividedBy(10_000).toFixed();
          const c = new Dec(percentOf(amount, currency, rate).amount);
          expect(c.greaterThanOrEqualTo(0)).toBe(true);
          expect(c.lessThanOrEqualTo(amount)).toBe(true);
        },
      ),
    );
  });

  it('rounds exactly for JPY, GBP and KWD (checked against integer arithmetic)', () => {
    fc.assert(
      fc.property(fc.constantFrom('JPY', 'GBP', 'KWD'), fc.bigInt({ min: 1n, max: 10n ** 14n }), fc.integer({ min: 1, max: 1_000_000 }), (currency, minor, rateUnits) => {
        const digits = minorUnits(currency);
        const amount = new Dec(minor.toString()).dividedBy(new Dec(10).pow(digits)).toFixed(digits);
        const result = percentOf(amount, currency, new Dec(rateUnits).dividedBy(10_000).toFixed());
        const expectedMinor = referencePercent(minor, BigInt(rateUnits));
        expect(result.amount).toBe(new Dec(expectedMinor.toString()).dividedBy(new Dec(10).pow(digits)).toFixed(digits));
      }),
    );
  });

  it('is monotone in volume when tier rates increase with the threshold', () => {
    const tiersArb = fc
      .uniqueArray(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 5 })
      .chain((thresholds) =>
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: thresholds.length + 1, maxLength: thresholds.length + 1 }).map((rates) => {
          const sortedRates = [...rates].sort((a, b) => a - b).map((r) => new Dec(r).dividedBy(10_000).toFixed());
          const sortedThresholds = [...thresholds].sort((a, b) => a - b);
          return spec({
            rate: sortedRates[0]!,
            tiers: sortedThresholds.map((t, i) => ({ threshold: String(t), basis: 'PERCENT' as const, rate: sortedRates[i + 1]!, fixedAmount: null })),
          });
        }),
      );
    fc.assert(
      fc.property(tiersArb, fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: 0, max: 2_000_000 }), fc.bigInt({ min: 1n, max: 10n ** 9n }), (s, v1, v2, minor) => {
        const amount = { amount: new Dec(minor.toString()).dividedBy(100).toFixed(2), currency: 'GBP' };
        const [low, high] = v1 <= v2 ? [v1, v2] : [v2, v1];
        const atLow = new Dec(quoteCommission(s, amount, String(low)).commission.amount);
        const atHigh = new Dec(quoteCommission(s, amount, String(high)).commission.amount);
        expect(atLow.lessThanOrEqualTo(atHigh)).toBe(true);
      }),
    );
  });
});

describe('sales, sub-agents and the entry', () => {
  it('names every problem with a sale', () => {
    expect(validateSale(sale())).toEqual([]);
    const problems = validateSale(sale({ bookingRef: '', productType: 'yachts' as never, channel: 'direct', saleDate: '2027-02-30', saleAmount: { amount: '10.123', currency: 'GBP' }, subAgentCode: 'SUB1' }));
    expect(problems.map((p) => p.path)).toEqual(['bookingRef', 'productType', 'saleDate', 'saleAmount/amount', 'subAgentCode']);
    expect(problems[4]!.message).toBe('sub-agents earn commission on agent-channel sales only (channel is "direct")');
    expect(validateSale(sale({ saleAmount: { amount: '0', currency: 'GBP' } }))).toEqual([{ path: 'saleAmount/amount', message: 'must be greater than zero' }]);
  });

  it('validates sub-agents: rate 0..100', () => {
    expect(validateSubAgent({ code: 'SUB1', name: 'Sun Travel', rate: '0' })).toEqual([]);
    expect(validateSubAgent({ code: 'SUB 1', name: '', rate: '101' }).map((p) => p.path)).toEqual(['code', 'name', 'rate']);
  });

  it('builds one balanced entry: commission income and the sub-agent payable, keyed by booking, supplier and product', () => {
    const agentSale = sale({ channel: 'agent', subAgentCode: 'SUB1' });
    const draft = commissionEntry(agentSale, { amount: '100.00', currency: 'GBP' }, percentOf('1000.00', 'GBP', '3'))!;
    expect(validateEntry(draft)).toEqual([]);
    expect(draft).toMatchObject({ idempotencyKey: 'commission:ITN-1:ACME:hotels', kind: 'commission', bookingRef: 'ITN-1', transactionType: 'commission', accountingDate: '2027-03-10' });
    expect(draft.lines.map((l) => `${l.side} ${l.account} ${l.amount.amount}`)).toEqual([
      'DEBIT asset:receivable:commissions 100.00',
      'CREDIT revenue:commission-income 100.00',
      'DEBIT expense:sub-agent-commissions 30.00',
      'CREDIT liability:payable:sub-agent-commissions 30.00',
    ]);
    expect(commissionEntry(sale(), { amount: '0.00', currency: 'GBP' }, null)).toBeNull();
  });
});
