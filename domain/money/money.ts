import Decimal from 'decimal.js';
import { isCurrencyCode, minorUnits } from './currency';

/**
 * Itinera's own decimal constructor: 34 significant digits (IEEE decimal128) so no amount a
 * travel business handles loses precision; rounding is always named at the call site.
 */
export const Dec = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -30, toExpPos: 40 });
export type Dec = InstanceType<typeof Dec>;

/** Money as it travels on the wire and in workflow state: a decimal string and its currency. */
export interface MoneyJson {
  amount: string;
  currency: string;
}

/** Largest absolute amount the database column NUMERIC(18,4) can hold. */
export const MAX_STORABLE_AMOUNT = new Dec('99999999999999.9999');

const DECIMAL_STRING = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export type MoneyProblem =
  | { code: 'not-a-decimal'; message: string }
  | { code: 'too-many-decimals'; message: string }
  | { code: 'negative'; message: string }
  | { code: 'too-large'; message: string };

/**
 * Checks an amount string against its currency's exponent; returns every problem found. With a
 * currency that is not a valid code (reported elsewhere) the decimal places are not checked.
 */
export function checkAmount(amount: string, currency: string, opts: { allowNegative?: boolean } = {}): MoneyProblem[] {
  if (!DECIMAL_STRING.test(amount)) {
    return [{ code: 'not-a-decimal', message: `"${amount}" is not a decimal number such as "149.90"` }];
  }
  const problems: MoneyProblem[] = [];
  const value = new Dec(amount);
  const exponent = isCurrencyCode(currency) ? minorUnits(currency) : Infinity;
  if (value.decimalPlaces() > exponent) {
    problems.push({
      code: 'too-many-decimals',
      message: `${currency} has ${exponent} decimal place${exponent === 1 ? '' : 's'}; "${amount}" has ${value.decimalPlaces()}`,
    });
  }
  if (!opts.allowNegative && value.isNegative() && !value.isZero()) {
    problems.push({ code: 'negative', message: `amount must not be negative (got "${amount}")` });
  }
  if (value.abs().greaterThan(MAX_STORABLE_AMOUNT)) {
    problems.push({ code: 'too-large', message: `amount exceeds ${MAX_STORABLE_AMOUNT.toFixed()}` });
  }
  return problems;
}

/** An exact amount in one currency. Immutable; arithmetic refuses to mix currencies. */
export class Money {
  private constructor(
    readonly amount: Dec,
    readonly currency: string,
  ) {}

  static of(amount: string | Dec, currency: string): Money {
    minorUnits(currency); // throws for an unknown code
    const value = typeof amount === 'string' ? new Dec(amount) : amount;
    if (!value.isFinite()) throw new RangeError(`Amount must be finite (got ${value.toString()})`);
    return new Money(value, currency);
  }

  static fromJson(json: MoneyJson): Money {
    return Money.of(json.amount, json.currency);
  }

  add(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.amount.plus(other.amount), this.currency);
  }

  subtract(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.amount.minus(other.amount), this.currency);
  }

  /** The amount times a count or factor, exactly: nothing is rounded (use `roundToMinor` after). */
  times(factor: number | string | Dec): Money {
    return new Money(this.amount.times(factor), this.currency);
  }

  /** Rounds to the currency's exponent with the rounding mode named by the caller. */
  roundToMinor(rounding: Decimal.Rounding): Money {
    return new Money(this.amount.toDecimalPlaces(minorUnits(this.currency), rounding), this.currency);
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.amount.equals(other.amount);
  }

  /** The amount with exactly the currency's decimal places ("1500" JPY, "149.90" EUR). */
  toFixed(): string {
    return this.amount.toFixed(minorUnits(this.currency), Decimal.ROUND_HALF_EVEN);
  }

  /** Wire form. Exact: never passes through a JS number. */
  toJSON(): MoneyJson {
    return { amount: this.toFixed(), currency: this.currency };
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw new RangeError(`Cannot combine ${this.currency} with ${other.currency}`);
    }
  }
}

/** True when `text` is a decimal number greater than zero; compared exactly, never as a float. */
export function isPositiveDecimal(text: string): boolean {
  try {
    return new Dec(text).greaterThan(0);
  } catch {
    return false; // not a number at all: reported by the format check beside this one
  }
}
