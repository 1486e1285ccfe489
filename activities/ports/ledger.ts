import type { EntryDraft, EntryProblem, PostingLine } from '../../domain/ledger/entry';

export interface PostedEntry {
  id: string;
  idempotencyKey: string;
  description: string;
  accountingDate: string;
  postedAt: number;
  reversesId: string | null;
  lines: PostingLine[];
}

export interface AccountBalance {
  account: string;
  currency: string;
  debits: string;
  credits: string;
  /** debits - credits */
  net: string;
}

/**
 * The double-entry ledger. `post` is idempotent by the draft's key: the same draft again returns
 * the entry already posted; the same key with other content is refused.
 */
export interface Ledger {
  post(draft: EntryDraft): Promise<PostedEntry>;
  /** Posts the entry that undoes `entryId`, dated `accountingDate`; an entry is reversed once. */
  reverse(entryId: string, idempotencyKey: string, accountingDate: string, description?: string): Promise<PostedEntry>;
  /** Balances of every account with postings up to and including `asOf` (YYYY-MM-DD). */
  trialBalance(asOf?: string): Promise<AccountBalance[]>;
  balance(account: string, currency: string, asOf?: string): Promise<AccountBalance>;
  /** Every account's balance translated to the base currency (sums of the stored base amounts). */
  translatedTrialBalance(asOf?: string): Promise<TranslatedTrialBalance>;
  /** An account's postings between two dates with opening, running and closing balances. */
  statement(account: string, query: StatementQuery): Promise<AccountStatement>;
  /** Defines an open accounting period; periods may not overlap. Idempotent for the same span. */
  definePeriod(name: string, startsOn: string, endsOn: string): Promise<AccountingPeriodView>;
  /** Closes a period: from then on nothing can be posted with an accounting date inside it. */
  closePeriod(name: string, closedBy: string): Promise<AccountingPeriodView>;
  /** A page of periods by start date (then name); `nextCursor` continues after the last one. */
  listPeriods(page: { limit: number; cursor?: string }): Promise<{ items: AccountingPeriodView[]; nextCursor: string | null }>;
  /** One period by name; null when there is none. */
  getPeriod(name: string): Promise<AccountingPeriodView | null>;
}

export interface AccountingPeriodView {
  name: string;
  startsOn: string;
  endsOn: string;
  status: 'OPEN' | 'CLOSED';
  closedAt: number | null;
  closedBy: string | null;
}

export type LedgerErrorKind =
  | 'invalid-entry'
  | 'unknown-account'
  | 'account-rejects-posting'
  | 'closed-period'
  | 'idempotency-conflict'
  | 'already-reversed'
  | 'entry-not-found'
  | 'invalid-period'
  | 'period-not-found'
  | 'rate-missing';

/** A posting that can never succeed as submitted; `problems` names every reason. */
export class LedgerError extends Error {
  constructor(
    readonly kind: LedgerErrorKind,
    message: string,
    readonly problems: EntryProblem[] = [],
  ) {
    super(problems.length ? `${message}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` : message);
    this.name = 'LedgerError';
  }
}

export interface TranslatedTrialBalance {
  /** null until finance settings name a base currency. */
  baseCurrency: string | null;
  asOf: string | null;
  accounts: Array<{ account: string; type: string; debits: string; credits: string; net: string }>;
  totals: { debits: string; credits: string };
  balanced: boolean;
  /** Postings written before a base currency was configured: not in the figures above. */
  untranslatedPostings: number;
}

export interface StatementQuery {
  from: string;
  to: string;
  currency?: string;
  /** At most this many lines (default 500, max 5000); `nextCursor` continues. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface StatementLine {
  postingId: string;
  entryId: string;
  accountingDate: string;
  description: string;
  kind: string;
  bookingRef: string | null;
  side: 'DEBIT' | 'CREDIT';
  amount: { amount: string; currency: string };
  /** Debits minus credits in the line's currency after this line. */
  balance: string;
  revalues: string | null;
  translation: { base: { amount: string; currency: string }; rate: string; source: string; rateDate: string; rule: string } | null;
}

export interface AccountStatement {
  account: string;
  name: string;
  from: string;
  to: string;
  /** Per currency, debits minus credits before `from` (or before the cursor's line). */
  opening: Array<{ currency: string; balance: string }>;
  lines: StatementLine[];
  /** Per currency, after the last line returned. */
  closing: Array<{ currency: string; balance: string }>;
  nextCursor: string | null;
}
