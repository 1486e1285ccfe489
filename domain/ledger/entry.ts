import { isCurrencyCode, minorUnits } from '../money/currency';
import { checkAmount, Dec, type MoneyJson } from '../money/money';
import { isIsoDate } from '../time/instant';

export type PostingSide = 'DEBIT' | 'CREDIT';

export type TranslationRule = 'BOOKING_DATE' | 'PAYMENT_DATE' | 'PERIOD_AVERAGE';

/**
 * How a line's amount was translated into the company's base currency: the rate (1 `amount`
 * currency = `rate` base), where it came from and the rate date actually used, so a reported base
 * figure can be traced back. Base-currency lines carry rate "1", source "IDENTITY".
 */
export interface LineTranslation {
  base: MoneyJson;
  rate: string;
  source: string;
  rateDate: string;
  rule: TranslationRule | 'IDENTITY';
}

/** One line of a journal entry, in the vocabulary of the chart: an account code and a side. */
export interface PostingLine {
  account: string;
  side: PostingSide;
  amount: MoneyJson;
  /**
   * Revaluation lines only: the line is in base currency and adjusts the base carrying value of
   * the account's balance in this (foreign) currency, leaving the foreign amount unchanged.
   */
  revalues?: string;
  /** Filled in by the ledger on posted lines when a base currency is configured. */
  translation?: LineTranslation;
}

/** A journal entry as a caller submits it. */
export interface EntryDraft {
  /** Caller's key, e.g. `<workflowId>:<step>`: posting the same draft twice posts it once. */
  idempotencyKey: string;
  description: string;
  /** Accounting date, YYYY-MM-DD: decides the period the entry belongs to. */
  accountingDate: string;
  lines: PostingLine[];
  /** What produced the entry ("standard" when absent): "fx-revaluation", "revenue-recognition"... */
  kind?: string;
  /** The booking the entry belongs to, if any. */
  bookingRef?: string;
  /**
   * The transaction type whose translation rule picks the rate for foreign-currency lines
   * ("booking", "customer-payment", "supplier-invoice"...). Absent: the PAYMENT_DATE rule, i.e.
   * the rate of the accounting date.
   */
  transactionType?: string;
  /** The booking date the BOOKING_DATE rule uses (YYYY-MM-DD); defaults to the accounting date. */
  bookingDate?: string;
}

export interface EntryProblem {
  /** Where in the draft: `lines/2/amount`, `accountingDate`, `(entry)`. */
  path: string;
  message: string;
}

export const ACCOUNT_CODE_PATTERN = /^[a-z0-9][a-z0-9-]*(:[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

/**
 * Every reason a draft cannot be posted, all at once: at least two lines, valid accounts and
 * amounts (positive, no more decimals than the currency has), and debits equal to credits in
 * every currency. Exact decimal arithmetic; nothing is rounded here.
 */
export function validateEntry(draft: EntryDraft): EntryProblem[] {
  const problems: EntryProblem[] = [];
  if (!IDEMPOTENCY_KEY_PATTERN.test(draft.idempotencyKey ?? '')) {
    problems.push({ path: 'idempotencyKey', message: 'must be 1-200 characters: letters, digits and . _ : / -' });
  }
  if (!draft.description?.trim()) problems.push({ path: 'description', message: 'must not be empty' });
  if (!isIsoDate(draft.accountingDate ?? '')) problems.push({ path: 'accountingDate', message: 'must be a calendar date written YYYY-MM-DD' });
  if (draft.bookingDate !== undefined && !isIsoDate(draft.bookingDate)) problems.push({ path: 'bookingDate', message: 'must be a calendar date written YYYY-MM-DD' });
  if (draft.kind !== undefined && !/^[a-z][a-z0-9-]{0,31}$/.test(draft.kind)) problems.push({ path: 'kind', message: 'must be 1-32 lower-case letters, digits and -' });
  if (draft.transactionType !== undefined && !/^[a-z][a-z0-9-]{0,39}$/.test(draft.transactionType)) {
    problems.push({ path: 'transactionType', message: 'must be 1-40 lower-case letters, digits and -' });
  }
  if (draft.bookingRef !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/.test(draft.bookingRef)) problems.push({ path: 'bookingRef', message: 'must be 1-32 letters, digits and -' });
  const lines = draft.lines ?? [];
  if (lines.length < 2) problems.push({ path: 'lines', message: `an entry needs at least two lines (got ${lines.length})` });

  const net = new Map<string, Dec>();
  lines.forEach((line, i) => {
    if (!ACCOUNT_CODE_PATTERN.test(line.account ?? '')) {
      problems.push({ path: `lines/${i}/account`, message: `"${line.account}" is not an account code such as "asset:bank:GBP"` });
    }
    if (line.side !== 'DEBIT' && line.side !== 'CREDIT') problems.push({ path: `lines/${i}/side`, message: 'must be DEBIT or CREDIT' });
    const { amount, currency } = line.amount ?? { amount: '', currency: '' };
    if (line.revalues !== undefined && (!isCurrencyCode(line.revalues) || line.revalues === currency)) {
      problems.push({ path: `lines/${i}/revalues`, message: `must be the ISO 4217 code of the foreign currency revalued, other than the line's own ${currency}` });
    }
    if (!isCurrencyCode(currency)) {
      problems.push({ path: `lines/${i}/amount/currency`, message: `"${currency}" is not an ISO 4217 currency code` });
      return;
    }
    const amountProblems = checkAmount(amount, currency);
    for (const p of amountProblems) problems.push({ path: `lines/${i}/amount/amount`, message: p.message });
    if (amountProblems.length) return;
    const value = new Dec(amount);
    if (value.isZero()) {
      problems.push({ path: `lines/${i}/amount/amount`, message: 'must be greater than zero' });
      return;
    }
    const signed = line.side === 'DEBIT' ? value : value.negated();
    net.set(currency, (net.get(currency) ?? new Dec(0)).plus(signed));
  });
  for (const [currency, difference] of net) {
    if (!difference.isZero()) {
      problems.push({
        path: '(entry)',
        message: `does not balance in ${currency}: debits exceed credits by ${difference.toFixed(minorUnits(currency))}`,
      });
    }
  }
  return problems;
}

/** The amount written with exactly its currency's decimals ("10.5" EUR -> "10.50"). */
function normalised(amount: MoneyJson): MoneyJson {
  return { amount: new Dec(amount.amount).toFixed(minorUnits(amount.currency)), currency: amount.currency };
}

/**
 * A canonical text of what the entry says, independent of line order and of how amounts were
 * written: the ledger hashes it to tell a harmless repeat from a conflicting reuse of a key.
 */
export function canonicalEntry(draft: EntryDraft): string {
  const lines = draft.lines
    .map((l) => {
      const text = `${l.account}|${l.side}|${normalised(l.amount).currency}|${normalised(l.amount).amount}`;
      // Optional parts only when present, so drafts without them hash as they always did.
      const revalues = l.revalues ? `|revalues:${l.revalues}` : '';
      const translation = l.translation ? `|base:${normalised(l.translation.base).amount}@${l.translation.rate}/${l.translation.source}/${l.translation.rateDate}` : '';
      return text + revalues + translation;
    })
    .sort();
  const extras = Object.fromEntries(
    (['kind', 'bookingRef', 'transactionType', 'bookingDate'] as const).filter((k) => draft[k] !== undefined).map((k) => [k, draft[k]]),
  );
  return JSON.stringify({ description: draft.description.trim(), accountingDate: draft.accountingDate, lines, ...extras });
}

/** The lines that undo an entry: every debit becomes a credit and vice versa. */
export function reversingLines(lines: PostingLine[]): PostingLine[] {
  // Translations travel with the lines: a reversal undoes the original in base currency exactly.
  return lines.map((l) => ({ ...l, side: l.side === 'DEBIT' ? 'CREDIT' : 'DEBIT' }));
}

/** Debits minus credits per account and currency: the signed balance each line contributes to. */
export function netByAccount(lines: Iterable<PostingLine>): Map<string, Map<string, Dec>> {
  const out = new Map<string, Map<string, Dec>>();
  for (const l of lines) {
    const perCurrency = out.get(l.account) ?? new Map<string, Dec>();
    const value = new Dec(l.amount.amount);
    perCurrency.set(l.amount.currency, (perCurrency.get(l.amount.currency) ?? new Dec(0)).plus(l.side === 'DEBIT' ? value : value.negated()));
    out.set(l.account, perCurrency);
  }
  return out;
}
