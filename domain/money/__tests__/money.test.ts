import fc from 'fast-check';
import Decimal from 'decimal.js';
import { isCurrencyCode, minorUnits } from '../currency';
import { checkAmount, Dec, Money } from '../money';

describe('currencies', () => {
  it('knows each currency exponent from ISO 4217', () => {
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('EUR')).toBe(2);
    expect(minorUnits('GBP')).toBe(2);
    expect(minorUnits('KWD')).toBe(3);
    expect(minorUnits('BHD')).toBe(3);
  });

  it('refuses codes that are not tender', () => {
    for (const code of ['EUX', 'XAU', 'XTS', 'XXX', 'eur', 'EURO', '']) expect(isCurrencyCode(code)).toBe(false);
    expect(() => minorUnits('EUX')).toThrow('Unknown ISO 4217 currency code: EUX');
  });
});

describe('checkAmount', () => {
  it('accepts amounts within the currency exponent', () => {
    expect(checkAmount('1500', 'JPY')).toEqual([]);
    expect(checkAmount('149.90', 'EUR')).toEqual([]);
    expect(checkAmount('12.345', 'KWD')).toEqual([]);
    expect(checkAmount('0', 'EUR')).toEqual([]);
  });

  it('names every problem', () => {
    expect(checkAmount('1500.5', 'JPY').map((p) => p.code)).toEqual(['too-many-decimals']);
    expect(checkAmount('-1.234', 'EUR').map((p) => p.code)).toEqual(['too-many-decimals', 'negative']);
    expect(checkAmount('1e3', 'EUR').map((p) => p.code)).toEqual(['not-a-decimal']);
    expect(checkAmount('01.5', 'EUR').map((p) => p.code)).toEqual(['not-a-decimal']);
    expect(checkAmount('100000000000000', 'EUR').map((p) => p.code)).toEqual(['too-large']);
  });
});

describe('Money', () => {
  const currencies = fc.constantFrom('JPY', 'EUR', 'GBP', 'KWD', 'BHD', 'USD');
  const amount = (digits: number) =>
    fc.bigInt({ min: 0n, max: 10n ** 15n }).map((minor) => new Dec(minor.toString()).dividedBy(new Dec(10).pow(digits)).toFixed(digits));

  it('round-trips through its wire form exactly', () => {
    fc.assert(
      fc.property(currencies.chain((c) => amount(minorUnits(c)).map((a) => [a, c] as const)), ([a, c]) => {
        const m = Money.of(a, c);
        expect(Money.fromJson(m.toJSON()).equals(m)).toBe(true);
        expect(m.toJSON().amount).toBe(a);
      }),
    );
  });

  it('adds exactly, where binary floating point would not', () => {
    expect(Money.of('0.10', 'EUR').add(Money.of('0.20', 'EUR')).toJSON()).toEqual({ amount: '0.30', currency: 'EUR' });
    fc.assert(
      fc.property(currencies.chain((c) => fc.tuple(amount(minorUnits(c)), amount(minorUnits(c)), fc.constant(c))), ([a, b, c]) => {
        const sum = Money.of(a, c).add(Money.of(b, c));
        expect(sum.subtract(Money.of(b, c)).equals(Money.of(a, c))).toBe(true);
      }),
    );
  });

  it('refuses to mix currencies', () => {
    expect(() => Money.of('1', 'EUR').add(Money.of('1', 'GBP'))).toThrow('Cannot combine EUR with GBP');
  });

  it('rounds to the currency exponent with the mode the caller names', () => {
    expect(Money.of('10.005', 'EUR').roundToMinor(Decimal.ROUND_HALF_EVEN).toFixed()).toBe('10.00');
    expect(Money.of('10.005', 'EUR').roundToMinor(Decimal.ROUND_HALF_UP).toFixed()).toBe('10.01');
    expect(Money.of('1234.5', 'JPY').roundToMinor(Decimal.ROUND_DOWN).toFixed()).toBe('1234');
    expect(Money.of('1.0005', 'KWD').roundToMinor(Decimal.ROUND_UP).toFixed()).toBe('1.001');
  });
});
