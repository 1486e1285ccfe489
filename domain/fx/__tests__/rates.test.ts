import Decimal from 'decimal.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEcbRates } from '../../../adapters/ecb-xml/mapper';
import { Money } from '../../money/money';
import { convert, RateMissingError, resolveRate } from '../rates';

const quotes = parseEcbRates(readFileSync(path.join(__dirname, '../../../adapters/ecb-xml/__fixtures__/eurofxref-hist-3d.xml'), 'utf8'));

describe('resolveRate', () => {
  it('uses a direct EUR rate as published', () => {
    expect(resolveRate(quotes, 'EUR', 'GBP', '2026-11-27')).toEqual({
      from: 'EUR', to: 'GBP', rate: '0.83215', source: 'ECB', requestedDate: '2026-11-27', rateDate: '2026-11-27', path: 'direct',
    });
  });

  it('crosses through EUR with both legs from one publication', () => {
    // 1.0512 / 0.83215 = 1.26323379198… -> 10 decimals, half-even
    expect(resolveRate(quotes, 'GBP', 'USD', '2026-11-27')).toMatchObject({ rate: '1.263233792', path: 'cross via EUR', rateDate: '2026-11-27' });
    expect(resolveRate(quotes, 'JPY', 'GBP', '2026-11-27').rate).toBe(new Decimal('0.83215').dividedBy('158.37').toDecimalPlaces(10).toFixed());
  });

  it('on a day without publication (Saturday) uses the latest earlier one and says which', () => {
    expect(resolveRate(quotes, 'EUR', 'USD', '2026-11-28')).toMatchObject({ rate: '1.0512', requestedDate: '2026-11-28', rateDate: '2026-11-27' });
    // RUB was published on the 26th only: that is the rate in force two days later.
    expect(resolveRate(quotes, 'RUB', 'EUR', '2026-11-28')).toMatchObject({ rate: '0.0105130362', rateDate: '2026-11-26', path: 'inverse' });
  });

  it('fails clearly, never with a silent 1.0', () => {
    expect(() => resolveRate(quotes, 'EUR', 'USD', '2026-11-01')).toThrow(new RateMissingError('EUR', 'USD', '2026-11-01', 'ECB has published nothing on or before that date'));
    expect(() => resolveRate(quotes, 'EUR', 'USD', '2026-12-10')).toThrow(/the latest ECB publication is 2026-11-27, more than 7 days earlier/);
    expect(() => resolveRate(quotes, 'JPY', 'GBP', '2026-11-25')).toThrow(/No JPY\/GBP rate for 2026-11-25: ECB publishes no rate for JPY/);
    expect(() => resolveRate(quotes, 'EUR', 'CHF', '2026-11-27')).toThrow(RateMissingError);
    expect(resolveRate(quotes, 'GBP', 'GBP', '2026-11-27')).toMatchObject({ rate: '1', path: 'same currency' });
  });
});

describe('convert', () => {
  it('rounds to the target currency with the named mode', () => {
    const rate = resolveRate(quotes, 'GBP', 'USD', '2026-11-27');
    expect(convert(Money.of('999.99', 'GBP'), rate).toJSON()).toEqual({ amount: '1263.22', currency: 'USD' });
    const jpy = resolveRate(quotes, 'GBP', 'JPY', '2026-11-27');
    expect(convert(Money.of('100.00', 'GBP'), jpy, Decimal.ROUND_DOWN).toJSON()).toEqual({ amount: '19031', currency: 'JPY' });
    expect(() => convert(Money.of('1', 'EUR'), rate)).toThrow('Rate converts GBP, not EUR');
  });
});
