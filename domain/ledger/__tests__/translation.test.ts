import fc from 'fast-check';
import { minorUnits } from '../../money/currency';
import { Dec } from '../../money/money';
import type { PostingLine } from '../entry';
import { translateLines, type ChosenRate } from '../translation';

const rate = (r: string): ChosenRate => ({ rate: r, source: 'MANUAL', rateDate: '2027-01-14', rule: 'PAYMENT_DATE' });
const line = (account: string, side: 'DEBIT' | 'CREDIT', amount: string, currency: string): PostingLine => ({ account, side, amount: { amount, currency } });

describe('translateLines', () => {
  it('translates at the chosen rate and records rate, source and rate date', () => {
    const [dr, cr] = translateLines([line('asset:receivable:customers', 'DEBIT', '10000.00', 'USD'), line('revenue:packages:direct', 'CREDIT', '10000.00', 'USD')], 'GBP', new Map([['USD', rate('0.79')]]), '2027-01-16');
    expect(dr!.translation).toEqual({ base: { amount: '7900.00', currency: 'GBP' }, rate: '0.79', source: 'MANUAL', rateDate: '2027-01-14', rule: 'PAYMENT_DATE' });
    expect(cr!.translation!.base).toEqual({ amount: '7900.00', currency: 'GBP' });
  });

  it('gives base-currency lines rate 1 from IDENTITY', () => {
    const [dr] = translateLines([line('asset:bank:GBP', 'DEBIT', '5.5', 'GBP'), line('liability:customer-deposits', 'CREDIT', '5.50', 'GBP')], 'GBP', new Map(), '2027-01-16');
    expect(dr!.translation).toEqual({ base: { amount: '5.50', currency: 'GBP' }, rate: '1', source: 'IDENTITY', rateDate: '2027-01-16', rule: 'IDENTITY' });
  });

  it('shares rounding so the entry balances in base (largest remainder, earlier lines first)', () => {
    // 3 x USD 0.01 at 0.5 = 0.015 in total, rounded half-even to GBP 0.02: two lines get 0.01.
    const out = translateLines(
      [line('a', 'DEBIT', '0.01', 'USD'), line('b', 'DEBIT', '0.01', 'USD'), line('c', 'DEBIT', '0.01', 'USD'), line('d', 'CREDIT', '0.03', 'USD')],
      'GBP',
      new Map([['USD', rate('0.5')]]),
      '2027-01-16',
    );
    expect(out.map((l) => l.translation!.base.amount)).toEqual(['0.01', '0.01', '0.00', '0.02']);
  });

  const currencies = ['USD', 'EUR', 'JPY', 'KWD', 'BHD', 'GBP', 'CHF'] as const;
  const bases = ['GBP', 'JPY', 'KWD'] as const;

  it('property: every entry balanced per currency stays balanced in base; each line within one minor unit of amount x rate', () => {
    const lineSet = fc.array(
      fc.record({
        currency: fc.constantFrom(...currencies),
        // amounts as whole minor units, so they always fit the currency
        units: fc.array(fc.integer({ min: 1, max: 5_000_000 }), { minLength: 1, maxLength: 4 }),
        split: fc.integer({ min: 1, max: 3 }),
      }),
      { minLength: 1, maxLength: 4 },
    );
    fc.assert(
      fc.property(lineSet, fc.constantFrom(...bases), fc.integer({ min: 1, max: 9_999_999 }), (groups, base, rateUnits) => {
        const lines: PostingLine[] = [];
        for (const g of groups) {
          const digits = minorUnits(g.currency);
          const total = g.units.reduce((a, b) => a + b, 0);
          g.units.forEach((u, i) => lines.push(line(`dr:${i}`, 'DEBIT', new Dec(u).dividedBy(10 ** digits).toFixed(digits), g.currency)));
          // the credit side split differently from the debit side
          const parts = Math.min(g.split, total);
          let left = total;
          for (let k = 0; k < parts; k++) {
            const u = k === parts - 1 ? left : Math.floor(total / parts);
            left -= u;
            lines.push(line(`cr:${k}`, 'CREDIT', new Dec(u).dividedBy(10 ** digits).toFixed(digits), g.currency));
          }
        }
        const r = new Dec(rateUnits).dividedBy(10_000).toFixed();
        const rates = new Map(currencies.map((c) => [c, rate(r)] as const));
        const out = translateLines(lines, base, rates, '2027-01-16');
        const unit = new Dec(1).dividedBy(10 ** minorUnits(base));
        let net = new Dec(0);
        for (const l of out) {
          const b = new Dec(l.translation!.base.amount);
          net = net.plus(l.side === 'DEBIT' ? b : b.negated());
          const exact = l.amount.currency === base ? new Dec(l.amount.amount) : new Dec(l.amount.amount).times(r);
          expect(b.minus(exact).abs().lessThanOrEqualTo(unit)).toBe(true);
          expect(b.decimalPlaces()).toBeLessThanOrEqual(minorUnits(base));
        }
        expect(net.isZero()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
