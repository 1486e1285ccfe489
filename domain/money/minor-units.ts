import { minorUnits } from './currency';
import type { MoneyJson } from './money';

/**
 * Exact conversions between decimal-string amounts and whole minor units (BigInt), for hot paths
 * that add and split amounts many times (supplier mappers) without going through decimal.js.
 * `amount` must already have at most `exponent` decimals (callers validate it).
 */
export function toMinor(amount: string, exponent: number): bigint {
  const dot = amount.indexOf('.');
  if (dot < 0) return BigInt(exponent === 0 ? amount : amount + '0'.repeat(exponent));
  return BigInt(amount.slice(0, dot) + amount.slice(dot + 1).padEnd(exponent, '0'));
}

export function fromMinor(minor: bigint, currency: string, exponent = minorUnits(currency)): MoneyJson {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const amount = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return { amount: negative ? `-${amount}` : amount, currency };
}
