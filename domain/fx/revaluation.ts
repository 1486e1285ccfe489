import Decimal from 'decimal.js';
import { minorUnits } from '../money/currency';
import { Dec } from '../money/money';
import type { EntryDraft, PostingLine } from '../ledger/entry';
import { calendarDateIn, DAY_MS, isIsoDate, startOfDateUtc, type Instant } from '../time/instant';

/**
 * Month-end revaluation of monetary balances held in foreign currency (IAS 21.23: monetary items
 * are translated at the closing rate; the difference is an unrealised gain or loss in profit or
 * loss). Pure: the activity streams balances from the database and posts what this module builds.
 */

/**
 * Monetary accounts: money to be received or paid in a fixed number of currency units. A code
 * ending in `:` is a prefix; any other code matches itself and its sub-accounts. Deferred revenue
 * is non-monetary (it is settled by delivering the service) and is never revalued.
 */
export const MONETARY_ACCOUNT_PREFIXES: readonly string[] = Object.freeze([
  'asset:bank:',
  'asset:clearing:',
  'asset:receivable:',
  'asset:prepaid:',
  'liability:customer-deposits',
  'liability:payable:',
]);

export const UNREALISED_GAIN_ACCOUNT = 'revenue:fx:unrealised-gain';
export const UNREALISED_LOSS_ACCOUNT = 'expense:fx:unrealised-loss';
export const REVALUATION_ENTRY_KIND = 'fx-revaluation';
/**
 * Balances per revaluation entry: bounds memory and the size of one database transaction. Since
 * the ledger's deferred balance check runs once per entry (at its last posting), an entry costs
 * O(lines) and bigger chunks only save per-chunk round trips (bench, 100k balances: 1,000 beats
 * 100 by ~1.5x; beyond 1,000 nothing is gained).
 */
export const DEFAULT_REVALUATION_CHUNK_SIZE = 1000;

export function isMonetaryAccount(code: string, prefixes: readonly string[] = MONETARY_ACCOUNT_PREFIXES): boolean {
  return prefixes.some((p) => (p.endsWith(':') ? code.startsWith(p) : code === p || code.startsWith(`${p}:`)));
}

/** One (account, foreign currency) balance as of the period end, with its base carrying value. */
export interface ForeignBalance {
  account: string;
  currency: string;
  /** Debits minus credits in `currency` up to the period end (decimal string). */
  foreignBalance: string;
  /** Base-currency value the books carry it at: translated postings plus unreversed revaluations. */
  carryingBase: string;
}

/** The closing rate: 1 foreign = `rate` base, as published on `rateDate`. */
export interface ClosingRate {
  rate: string;
  rateDate: string;
}

/** How one balance was revalued; decimal strings, base amounts with the base currency's decimals. */
export interface RevaluedBalance extends ForeignBalance {
  closingRate: string;
  closingRateDate: string;
  revaluedBase: string;
  /** revaluedBase - carryingBase: positive is a gain on an asset/less owed on a liability. */
  difference: string;
}

/**
 * Revalues a balance at the closing rate: foreign x rate, rounded to the base currency's minor
 * units with ROUND_HALF_EVEN (banker's rounding: no bias over thousands of balances). The balance
 * comes back written with its currency's decimals (the foreign balance) and the base currency's.
 */
export function revalueBalance(balance: ForeignBalance, rate: ClosingRate, baseCurrency: string): RevaluedBalance {
  const digits = minorUnits(baseCurrency);
  const foreign = new Dec(balance.foreignBalance);
  const revalued = foreign.times(rate.rate).toDecimalPlaces(digits, Decimal.ROUND_HALF_EVEN);
  const carrying = new Dec(balance.carryingBase);
  return {
    account: balance.account,
    currency: balance.currency,
    // Sums of amounts that had at most these decimals: exact.
    foreignBalance: foreign.toFixed(minorUnits(balance.currency)),
    carryingBase: carrying.toFixed(digits),
    closingRate: rate.rate,
    closingRateDate: rate.rateDate,
    revaluedBase: revalued.toFixed(digits),
    // The carrying value comes from postings already rounded to base decimals: exact.
    difference: revalued.minus(carrying).toFixed(digits),
  };
}

/**
 * The idempotency key of the revaluation at `periodEnd`'s `entryNo`-th entry (1-based: entries are
 * numbered in the order the chunks that have a non-zero difference are posted).
 */
export function revaluationKey(periodEnd: string, entryNo: number): string {
  return `fx-revaluation:${periodEnd}:${entryNo}`;
}

export function revaluationReversalKey(periodEnd: string, entryNo: number): string {
  return `${revaluationKey(periodEnd, entryNo)}:reversal`;
}

export interface ChunkTotals {
  gain: string;
  loss: string;
}

/**
 * The entry for one chunk of revalued balances, or null when every difference is zero. Each gain
 * debits the account (a base-currency line that revalues the foreign balance) against one
 * unrealised-gain credit; each loss credits the account against one unrealised-loss debit, so the
 * entry balances by construction.
 */
export function revaluationEntry(periodEnd: string, entryNo: number, lines: readonly RevaluedBalance[], baseCurrency: string): { draft: EntryDraft | null; totals: ChunkTotals } {
  const digits = minorUnits(baseCurrency);
  let gain = new Dec(0);
  let loss = new Dec(0);
  const posting: PostingLine[] = [];
  for (const l of lines) {
    if (l.currency === baseCurrency) throw new RangeError(`${l.account} ${l.currency} is in base currency: nothing to revalue`);
    const diff = new Dec(l.difference);
    if (diff.isZero()) continue;
    const amount = { amount: diff.abs().toFixed(digits), currency: baseCurrency };
    if (diff.greaterThan(0)) {
      gain = gain.plus(diff);
      posting.push({ account: l.account, side: 'DEBIT', amount, revalues: l.currency });
    } else {
      loss = loss.minus(diff);
      posting.push({ account: l.account, side: 'CREDIT', amount, revalues: l.currency });
    }
  }
  const totals = { gain: gain.toFixed(digits), loss: loss.toFixed(digits) };
  if (posting.length === 0) return { draft: null, totals };
  if (gain.greaterThan(0)) posting.push({ account: UNREALISED_GAIN_ACCOUNT, side: 'CREDIT', amount: { amount: totals.gain, currency: baseCurrency } });
  if (loss.greaterThan(0)) posting.push({ account: UNREALISED_LOSS_ACCOUNT, side: 'DEBIT', amount: { amount: totals.loss, currency: baseCurrency } });
  return {
    draft: {
      idempotencyKey: revaluationKey(periodEnd, entryNo),
      description: `FX revaluation at ${periodEnd} (part ${entryNo})`,
      accountingDate: periodEnd,
      kind: REVALUATION_ENTRY_KIND,
      lines: posting,
    },
    totals,
  };
}

/** The calendar day after `isoDate` (the revaluation is reversed on the first day of the next period). */
export function nextDay(isoDate: string): string {
  return new Date(startOfDateUtc(isoDate) + DAY_MS).toISOString().slice(0, 10);
}

/** True when `isoDate` is the last day of its month. */
export function isMonthEnd(isoDate: string): boolean {
  return isIsoDate(isoDate) && nextDay(isoDate).endsWith('-01');
}

/**
 * The period a month-end run started at `now` revalues: the last day of the calendar month that
 * ended before `now` in `timeZone` (started 2027-01-01T00:30 Europe/London -> 2026-12-31).
 */
export function previousMonthEnd(now: Instant, timeZone: string): string {
  const today = calendarDateIn(now, timeZone);
  const firstOfMonth = `${today.slice(0, 8)}01`;
  return new Date(startOfDateUtc(firstOfMonth) - DAY_MS).toISOString().slice(0, 10);
}
