import Decimal from 'decimal.js';
import { minorUnits } from '../money/currency';
import { Dec } from '../money/money';
import type { LineTranslation, PostingLine, PostingSide, TranslationRule } from './entry';

/** The rate chosen for one foreign currency of an entry: 1 unit = `rate` base. */
export interface ChosenRate {
  rate: string;
  source: string;
  rateDate: string;
  rule: TranslationRule;
}

/** Transaction types finance must give a translation rule before go-live. */
export const TRANSACTION_TYPES = [
  'booking',
  'customer-payment',
  'refund',
  'supplier-invoice',
  'supplier-payment',
  'commission',
  'revenue-recognition',
  'atol-contribution',
] as const;

/** Used for lines whose entry names no transaction type, or a type without a rule. */
export const DEFAULT_TRANSLATION_RULE: TranslationRule = 'PAYMENT_DATE';

/** The date whose rate a rule uses: the booking date, or the accounting (payment) date. */
export function rateDateFor(rule: TranslationRule, accountingDate: string, bookingDate?: string): string {
  return rule === 'BOOKING_DATE' ? (bookingDate ?? accountingDate) : accountingDate;
}

/**
 * Translates every line of a balanced entry into the base currency.
 *
 * Base-currency lines are their own translation (rate 1, source IDENTITY). For a foreign currency,
 * the entry's debits total (equal to its credits total, the entry being balanced per currency) is
 * translated once: `total x rate`, rounded ROUND_HALF_EVEN to the base currency's minor units. That
 * rounded total is then shared among the debit lines, and separately among the credit lines, by
 * largest remainder (each line gets its exact share rounded down, leftover minor units go to the
 * lines with the largest cut-off fractions, earlier lines first on ties). So every line is within
 * one minor unit of `amount x rate`, and the entry balances in base exactly as it does per currency.
 */
export function translateLines(lines: PostingLine[], baseCurrency: string, rates: ReadonlyMap<string, ChosenRate>, identityDate: string): PostingLine[] {
  const baseDigits = minorUnits(baseCurrency);
  const unit = new Dec(1).dividedBy(new Dec(10).pow(baseDigits));
  const out: PostingLine[] = lines.map((l) => ({ ...l }));

  const groups = new Map<string, Map<PostingSide, number[]>>();
  lines.forEach((l, i) => {
    if (l.amount.currency === baseCurrency) {
      out[i]!.translation = { base: { amount: new Dec(l.amount.amount).toFixed(baseDigits), currency: baseCurrency }, rate: '1', source: 'IDENTITY', rateDate: identityDate, rule: 'IDENTITY' };
      return;
    }
    const bySide = groups.get(l.amount.currency) ?? new Map<PostingSide, number[]>();
    bySide.set(l.side, [...(bySide.get(l.side) ?? []), i]);
    groups.set(l.amount.currency, bySide);
  });

  for (const [currency, bySide] of groups) {
    const chosen = rates.get(currency);
    if (!chosen) throw new RangeError(`No rate chosen for ${currency}`);
    const rate = new Dec(chosen.rate);
    for (const indexes of bySide.values()) {
      const total = indexes.reduce((sum, i) => sum.plus(lines[i]!.amount.amount), new Dec(0));
      const baseTotal = total.times(rate).toDecimalPlaces(baseDigits, Decimal.ROUND_HALF_EVEN);
      const exact = indexes.map((i) => new Dec(lines[i]!.amount.amount).times(rate));
      const floors = exact.map((x) => x.toDecimalPlaces(baseDigits, Decimal.ROUND_DOWN));
      let leftover = baseTotal.minus(floors.reduce((a, b) => a.plus(b), new Dec(0))).dividedBy(unit).round().toNumber();
      const order = exact.map((x, k) => ({ k, fraction: x.minus(floors[k]!) })).sort((a, b) => b.fraction.comparedTo(a.fraction) || a.k - b.k);
      const shares = [...floors];
      // leftover is between 0 and the number of lines (rounding the total moves it by < 1 unit per line).
      for (let j = 0; leftover > 0 && j < order.length; j++, leftover--) shares[order[j]!.k] = shares[order[j]!.k]!.plus(unit);
      // A total rounded down below the sum of floors cannot happen with positive amounts; guard anyway.
      if (leftover !== 0) throw new Error(`translation allocation failed for ${currency}`);
      indexes.forEach((i, k) => {
        const translation: LineTranslation = {
          base: { amount: shares[k]!.toFixed(baseDigits), currency: baseCurrency },
          rate: chosen.rate,
          source: chosen.source,
          rateDate: chosen.rateDate,
          rule: chosen.rule,
        };
        out[i]!.translation = translation;
      });
    }
  }
  return out;
}
