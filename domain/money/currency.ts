import currencyCodes from 'currency-codes';

/**
 * ISO 4217 codes that are not money a customer can pay in: precious metals, SDRs and bond-market
 * units, testing codes, and fund codes that are units of account rather than legal tender.
 */
const NOT_TENDER = new Set([
  'XAG', 'XAU', 'XPD', 'XPT', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XSU', 'XUA', 'XTS', 'XXX',
  'BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW',
]);

const MINOR_UNITS: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(
    currencyCodes.data
      .filter((c) => !NOT_TENDER.has(c.code) && Number.isInteger(c.digits))
      .map((c) => [c.code, c.digits]),
  ),
);

/** True when `code` is an active ISO 4217 currency a booking can be priced in. */
export function isCurrencyCode(code: string): boolean {
  return Object.hasOwn(MINOR_UNITS, code);
}

/** The currency's exponent: JPY 0, EUR 2, KWD 3. Throws for a code that is not a currency. */
export function minorUnits(code: string): number {
  if (!isCurrencyCode(code)) throw new RangeError(`Unknown ISO 4217 currency code: ${code}`);
  return MINOR_UNITS[code]!;
}

/** Every accepted code, sorted; used for documentation and error messages. */
export function currencyCodesList(): string[] {
  return Object.keys(MINOR_UNITS).sort();
}
