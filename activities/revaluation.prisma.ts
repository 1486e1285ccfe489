import type { PrismaClient, Prisma } from '../generated/prisma/client';
import { RateMissingError } from '../domain/fx/rates';
import {
  DEFAULT_REVALUATION_CHUNK_SIZE,
  MONETARY_ACCOUNT_PREFIXES,
  nextDay,
  revaluationEntry,
  revaluationKey,
  revaluationReversalKey,
  revalueBalance,
  type ClosingRate,
  type ForeignBalance,
} from '../domain/fx/revaluation';
import { reversingLines, type PostingLine } from '../domain/ledger/entry';
import { minorUnits } from '../domain/money/currency';
import { Dec } from '../domain/money/money';
import { isIsoDate, isoDateOf } from '../domain/time/instant';
import { PrismaFxRates, type FxRates } from './fx-rates.prisma';
import { PrismaLedger } from './ledger.prisma';

export type RevaluationErrorKind = 'invalid-period' | 'not-configured' | 'rate-missing' | 'untranslated' | 'run-not-found' | 'run-incomplete';

/** A revaluation that cannot succeed as asked (retrying will not help); nothing was posted. */
export class RevaluationError extends Error {
  constructor(
    readonly kind: RevaluationErrorKind,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = 'RevaluationError';
  }
}

/** One month-end run as stored, with the entries it posted and their reversals. */
export interface RevaluationRunSummary {
  periodEnd: string;
  baseCurrency: string;
  rateSource: string;
  /** Foreign balances revalued (including those whose difference was zero); 0 until the run completes. */
  balances: number;
  totalGain: string;
  totalLoss: string;
  /** The run's entries (one per chunk of balances with a non-zero difference), in order. */
  entryIds: string[];
  /** Their reversals, dated the day after the period end (empty until reversed). */
  reversalEntryIds: string[];
  createdAt: number;
  /** When every chunk had been posted and its lines recorded (epoch ms); null while unfinished: running it again resumes it. */
  completedAt: number | null;
  /** When every entry's reversal had been posted (epoch ms); null until then. */
  reversedAt: number | null;
}

export interface RevaluationLineView {
  account: string;
  currency: string;
  foreignBalance: string;
  carryingBase: string;
  closingRate: string;
  closingRateDate: string;
  revaluedBase: string;
  difference: string;
}

export interface RevaluationPostingView {
  entryId: string;
  idempotencyKey: string;
  accountingDate: string;
  reversesId: string | null;
  account: string;
  side: 'DEBIT' | 'CREDIT';
  amount: { amount: string; currency: string };
  revalues: string | null;
  translation: { base: { amount: string; currency: string }; rate: string; source: string; rateDate: string } | null;
}

export interface RevaluationDetail {
  run: RevaluationRunSummary;
  lines: RevaluationLineView[];
  postings: RevaluationPostingView[];
  /** Pass as `after` for the next page of lines; null on the last page. */
  nextLinesCursor: string | null;
}

/** Progress of a run, reported after each chunk is committed (the activity heartbeats it). */
export type RevaluationProgress = (entriesSoFar: number, balancesSoFar: number) => void;

export interface FxRevaluation {
  /** Revalues every monetary foreign balance at `periodEnd`; a completed run is returned as is, an unfinished one resumed. */
  run(periodEnd: string, opts?: { startedBy?: string; onChunk?: RevaluationProgress }): Promise<RevaluationRunSummary>;
  /** Reverses every entry of the run on the day after the period end (idempotent). */
  reverse(periodEnd: string): Promise<RevaluationRunSummary>;
  get(periodEnd: string): Promise<RevaluationRunSummary | null>;
  list(): Promise<RevaluationRunSummary[]>;
  detail(periodEnd: string, page?: { limit?: number; after?: string }): Promise<RevaluationDetail | null>;
}

export interface RevaluationOptions {
  fxRates?: FxRates;
  /** Balances per entry (default {@link DEFAULT_REVALUATION_CHUNK_SIZE}). */
  chunkSize?: number;
  /** Monetary accounts (default {@link MONETARY_ACCOUNT_PREFIXES}). */
  monetaryPrefixes?: readonly string[];
}

interface RunRow {
  id: string;
  period_end: Date;
  base_currency: string;
  rate_source: string;
  balances: number;
  total_gain: string;
  total_loss: string;
  created_at: Date;
  completed_at: Date | null;
  reversed_at: Date | null;
}

interface Cursor {
  account: string;
  currency: string;
}

interface BalanceRow {
  account: string;
  currency: string | null;
  foreign_balance: string | null;
  carrying: string | null;
  untranslated: number | null;
}

interface PostingRow {
  account: string;
  side: 'DEBIT' | 'CREDIT';
  amount: string;
  currency: string;
  revalues_currency: string | null;
  base_amount: string | null;
  base_currency: string | null;
  fx_rate: string | null;
  fx_rate_source: string | null;
  fx_rate_date: Date | null;
  translation_rule: string | null;
}

/**
 * One chunk's transaction (its entry and its lines, ~1,000 postings), which also waits for the
 * previous chunk's commit: generous. On PGlite it starts only once the previous one has finished.
 */
const CHUNK_TX = { maxWait: 60_000, timeout: 120_000 };

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Starts work now and keeps its failure for whoever awaits it later (no unhandled rejection meanwhile). */
function ahead<T>(work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  return work;
}

/**
 * {@link FxRevaluation} on PostgreSQL/PGlite.
 *
 * Closing rates are resolved once per run, before anything is written. Balances are streamed in
 * (account code, currency) order by keyset pagination, a chunk at a time (the next chunk is read
 * while the current one is written), so memory stays bounded whatever the number of balances.
 * Each chunk is one transaction: its entry `fx-revaluation:<P>:<n>` (the run's n-th entry) and its
 * lines. A crashed run therefore resumes after its last recorded line, numbering on from its last
 * entry; `completed_at` is set once every chunk is done, `reversed_at` once every reversal is.
 */
export class PrismaFxRevaluation implements FxRevaluation {
  private readonly ledger: PrismaLedger;
  private readonly fxRates: FxRates;
  private readonly chunkSize: number;
  private readonly monetary: { sql: string; params: string[] };

  constructor(
    private readonly prisma: PrismaClient,
    opts: RevaluationOptions = {},
  ) {
    this.ledger = new PrismaLedger(prisma);
    this.fxRates = opts.fxRates ?? new PrismaFxRates(prisma);
    this.chunkSize = opts.chunkSize ?? DEFAULT_REVALUATION_CHUNK_SIZE;
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1) throw new RangeError(`chunkSize must be a positive whole number (got ${this.chunkSize})`);
    const prefixes = opts.monetaryPrefixes ?? MONETARY_ACCOUNT_PREFIXES;
    if (prefixes.length === 0) throw new RangeError('at least one monetary account prefix is needed');
    // Parameters $1..$k of every balance query are these patterns (LIKE, escaped).
    const params = prefixes.map((p) => (p.endsWith(':') ? `${likeEscape(p)}%` : likeEscape(p)));
    const sql = prefixes
      .map((p, i) => (p.endsWith(':') ? `a.code LIKE $${i + 1}` : `(a.code = $${i + 1} OR a.code LIKE $${i + 1} || ':%')`))
      .join(' OR ');
    this.monetary = { sql: `(${sql})`, params };
  }

  async run(periodEnd: string, opts: { startedBy?: string; onChunk?: RevaluationProgress } = {}): Promise<RevaluationRunSummary> {
    if (!isIsoDate(periodEnd)) throw new RevaluationError('invalid-period', `periodEnd "${periodEnd}" is not a calendar date written YYYY-MM-DD`);
    const existing = await this.runRow(periodEnd);
    if (existing?.completed_at) return this.summary(existing);

    const settings = await this.prisma.financeSettings.findUnique({ where: { id: 1 } });
    if (!settings) throw new RevaluationError('not-configured', 'Finance settings (base currency, rate source) are not configured: nothing can be revalued');
    const base = settings.baseCurrency;
    const rates = await this.closingRates(periodEnd, base, settings.rateSource);

    const progress = existing ? await this.progress(periodEnd) : { cursor: { account: '', currency: '' }, entries: 0, balances: 0 };
    let runRecorded = existing !== null;
    let { entries, balances: seen } = progress;

    // Chunks are written in order, up to two at a time: a chunk's transaction does its work while
    // the previous one commits, and commits only after it. The committed chunks are therefore
    // always a prefix of the sequence, and a crash resumes after the last recorded line. The next
    // chunk's balances are read meanwhile: those reads only see later accounts, which no write
    // in flight touches.
    let previous: Promise<void> = Promise.resolve();
    let beforePrevious: Promise<void> = Promise.resolve();
    let next = ahead(this.nextChunk(periodEnd, base, progress.cursor));
    try {
      for (;;) {
        const { balances, cursor, exhausted } = await next;
        if (balances.length === 0) break;
        next = exhausted ? Promise.resolve({ balances: [], cursor, exhausted }) : ahead(this.nextChunk(periodEnd, base, cursor));

        const revalued = balances.map((b) => {
          const rate = rates.get(b.currency);
          // Only a posting in a new currency made while the run goes can get here.
          if (!rate) throw new RevaluationError('rate-missing', `Cannot revalue ${b.account} at ${periodEnd}: no closing ${b.currency}/${base} rate was resolved when the run started; run it again`);
          return revalueBalance(b, rate, base);
        });
        const { draft } = revaluationEntry(periodEnd, entries + 1, revalued, base);
        if (draft) entries++;
        seen += balances.length;
        const reported = [entries, seen] as const;

        await beforePrevious;
        // The first chunk of a new run also records the run, which later chunks' lines refer to.
        const first = !runRecorded;
        runRecorded = true;
        const after = previous;
        const done = ahead(
          this.prisma
            .$transaction(async (tx) => {
              if (first) await this.insertRunRow(tx, periodEnd, base, settings.rateSource, opts.startedBy);
              if (draft) await new PrismaLedger(tx).post(draft);
              await this.insertLines(tx, periodEnd, revalued);
              await after;
            }, CHUNK_TX)
            .then(() => opts.onChunk?.(...reported)),
        );
        beforePrevious = previous;
        previous = done;
        if (first) await done;
      }
      await previous;
    } catch (err) {
      await Promise.allSettled([beforePrevious, previous]);
      throw err;
    }

    await this.prisma.$transaction([
      this.insertRunRow(this.prisma, periodEnd, base, settings.rateSource, opts.startedBy),
      this.prisma.$executeRawUnsafe(
        `UPDATE fx_revaluation_runs r
            SET balances = s.n, total_gain = s.gain, total_loss = s.loss, completed_at = now(),
                entry_id = (SELECT e.id FROM journal_entries e WHERE e.idempotency_key = $2)
           FROM (SELECT count(*)::int AS n,
                        COALESCE(SUM(l.difference) FILTER (WHERE l.difference > 0), 0) AS gain,
                        COALESCE(-SUM(l.difference) FILTER (WHERE l.difference < 0), 0) AS loss
                   FROM fx_revaluation_lines l JOIN fx_revaluation_runs r2 ON r2.id = l.run_id
                  WHERE r2.period_end = $1::date) s
          WHERE r.period_end = $1::date AND r.completed_at IS NULL`,
        periodEnd,
        revaluationKey(periodEnd, 1),
      ),
    ]);
    return this.summary((await this.runRow(periodEnd))!);
  }

  /**
   * The next chunk of (account, currency) balances after `after`, as of the period end: up to
   * `chunkSize` of them, fewer only when the accounts are exhausted.
   */
  private async nextChunk(periodEnd: string, base: string, after: Cursor): Promise<{ balances: ForeignBalance[]; cursor: Cursor; exhausted: boolean }> {
    const k = this.monetary.params.length;
    const balances: ForeignBalance[] = [];
    let cursor = after;
    while (balances.length < this.chunkSize) {
      const want = this.chunkSize - balances.length;
      // Accounts in code order from the cursor's (one more than wanted: the cursor's own account
      // may have nothing left); per account, its foreign balances up to P through the
      // (account_id, currency) index. An account without any yields one row with a null currency
      // so the cursor still moves past it.
      const rows = await this.prisma.$queryRawUnsafe<BalanceRow[]>(
        `SELECT a.code::text AS account, b.currency, b.foreign_balance::text AS foreign_balance, b.carrying::text AS carrying, b.untranslated::int AS untranslated
           FROM (SELECT a.id, a.code FROM ledger_accounts a
                  WHERE a.code >= $${k + 1} AND ${this.monetary.sql}
                  ORDER BY a.code LIMIT $${k + 5} + 1) a
           LEFT JOIN LATERAL (
                SELECT COALESCE(p.revalues_currency, p.currency)::text AS currency,
                       SUM(CASE WHEN p.revalues_currency IS NOT NULL THEN 0 WHEN p.side = 'DEBIT' THEN p.amount ELSE -p.amount END) AS foreign_balance,
                       SUM(CASE WHEN p.revalues_currency IS NOT NULL THEN (CASE p.side WHEN 'DEBIT' THEN p.amount ELSE -p.amount END)
                                WHEN p.side = 'DEBIT' THEN p.base_amount ELSE -p.base_amount END) AS carrying,
                       COUNT(*) FILTER (WHERE p.revalues_currency IS NULL AND p.base_amount IS NULL) AS untranslated
                  FROM postings p JOIN journal_entries e ON e.id = p.entry_id
                 WHERE p.account_id = a.id
                   AND e.accounting_date <= $${k + 3}::date
                   AND (p.currency <> $${k + 4} OR p.revalues_currency IS NOT NULL)
                   -- This run's own lines (dated P) are not part of the carrying value it revalues.
                   AND (p.revalues_currency IS NULL OR e.idempotency_key NOT LIKE $${k + 6})
                 GROUP BY 1
                HAVING SUM(CASE WHEN p.revalues_currency IS NOT NULL THEN 0 WHEN p.side = 'DEBIT' THEN p.amount ELSE -p.amount END) <> 0
                    OR SUM(CASE WHEN p.revalues_currency IS NOT NULL THEN (CASE p.side WHEN 'DEBIT' THEN p.amount ELSE -p.amount END)
                                WHEN p.side = 'DEBIT' THEN p.base_amount ELSE -p.base_amount END) <> 0) b ON true
          WHERE (a.code, COALESCE(b.currency, '')) > ($${k + 1}, $${k + 2})
          ORDER BY a.code, b.currency NULLS FIRST
          LIMIT $${k + 5}`,
        ...this.monetary.params,
        cursor.account,
        cursor.currency,
        periodEnd,
        base,
        want,
        `${likeEscape(revaluationKey(periodEnd, 0).slice(0, -1))}%`,
      );
      for (const r of rows) {
        cursor = { account: r.account, currency: r.currency ?? '' };
        if (r.currency === null) continue;
        if (r.currency === base) continue; // a revaluation line of a base balance: cannot happen (DB check)
        if (r.untranslated) throw this.untranslatedError(periodEnd, [{ account: r.account, currency: r.currency, untranslated: r.untranslated }]);
        // As summed (NUMERIC scale 4); revalueBalance writes them with their currencies' decimals.
        balances.push({ account: r.account, currency: r.currency, foreignBalance: r.foreign_balance!, carryingBase: r.carrying ?? '0' });
      }
      if (rows.length < want) return { balances, cursor, exhausted: true };
    }
    return { balances, cursor, exhausted: false };
  }

  /** Where an unfinished run stopped: its last recorded line, its last entry's number, its lines so far. */
  private async progress(periodEnd: string): Promise<{ cursor: Cursor; entries: number; balances: number }> {
    const [row] = await this.prisma.$queryRawUnsafe<Array<{ account: string | null; currency: string | null; entries: number; balances: number }>>(
      `SELECT last.account, last.currency,
              (SELECT count(*)::int FROM fx_revaluation_lines l WHERE l.run_id = r.id) AS balances,
              (SELECT COALESCE(max(split_part(e.idempotency_key, ':', 3)::int), 0)::int FROM journal_entries e
                WHERE e.accounting_date = r.period_end AND e.idempotency_key LIKE $2 AND e.idempotency_key NOT LIKE '%:reversal') AS entries
         FROM fx_revaluation_runs r
         LEFT JOIN LATERAL (SELECT l.account::text AS account, l.currency::text AS currency FROM fx_revaluation_lines l
                             WHERE l.run_id = r.id ORDER BY l.account DESC, l.currency DESC LIMIT 1) last ON true
        WHERE r.period_end = $1::date`,
      periodEnd,
      `${likeEscape(revaluationKey(periodEnd, 0).slice(0, -1))}%`,
    );
    return {
      cursor: { account: row?.account ?? '', currency: row?.currency ?? '' },
      entries: row?.entries ?? 0,
      balances: row?.balances ?? 0,
    };
  }

  async reverse(periodEnd: string): Promise<RevaluationRunSummary> {
    if (!isIsoDate(periodEnd)) throw new RevaluationError('invalid-period', `periodEnd "${periodEnd}" is not a calendar date written YYYY-MM-DD`);
    const run = await this.runRow(periodEnd);
    if (!run) throw new RevaluationError('run-not-found', `No FX revaluation run for ${periodEnd}`);
    if (!run.completed_at) throw new RevaluationError('run-incomplete', `The FX revaluation for ${periodEnd} has not finished: run it again before reversing`);
    if (run.reversed_at) return this.summary(run);

    const reversalDate = nextDay(periodEnd);
    // The run's entries without a reversal yet (a retried reversal carries on where it stopped).
    const pending = await this.prisma.$queryRawUnsafe<Array<{ id: string; idempotency_key: string }>>(
      `SELECT e.id::text AS id, e.idempotency_key::text AS idempotency_key FROM journal_entries e
        WHERE e.accounting_date = $1::date AND e.idempotency_key LIKE $2 AND e.idempotency_key NOT LIKE '%:reversal'
          AND NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.reverses_id = e.id)
        ORDER BY split_part(e.idempotency_key, ':', 3)::int`,
      periodEnd,
      `${likeEscape(revaluationKey(periodEnd, 0).slice(0, -1))}%`,
    );
    // Each reversal repeats its original's lines with the sides swapped and the original's
    // translations (as PrismaLedger.reverse would), read lean. Reversals are independent of one
    // another (each is one statement under its own key), so two are read and posted at a time.
    const queue = [...pending];
    const reverseNext = async (): Promise<void> => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) {
        const entryNo = Number(entry.idempotency_key.split(':')[2]);
        const lines = await this.postingsOf(entry.id);
        await this.ledger.post(
          {
            idempotencyKey: revaluationReversalKey(periodEnd, entryNo),
            accountingDate: reversalDate,
            description: `Reversal of FX revaluation at ${periodEnd} (part ${entryNo})`,
            lines: reversingLines(lines),
            kind: 'reversal',
          },
          entry.id,
        );
      }
    };
    const failed = (await Promise.allSettled([reverseNext(), reverseNext()])).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    await this.prisma.$executeRawUnsafe(
      `UPDATE fx_revaluation_runs
          SET reversed_at = now(), reversal_entry_id = (SELECT e.id FROM journal_entries e WHERE e.idempotency_key = $2)
        WHERE period_end = $1::date AND reversed_at IS NULL`,
      periodEnd,
      revaluationReversalKey(periodEnd, 1),
    );
    return this.summary((await this.runRow(periodEnd))!);
  }

  /** An entry's lines as posted, with their translations. */
  private async postingsOf(entryId: string): Promise<PostingLine[]> {
    const rows = await this.prisma.$queryRawUnsafe<PostingRow[]>(
      `SELECT a.code::text AS account, p.side::text AS side, p.amount::text AS amount, p.currency::text AS currency,
              p.revalues_currency::text AS revalues_currency, p.base_amount::text AS base_amount, p.base_currency::text AS base_currency,
              p.fx_rate::text AS fx_rate, p.fx_rate_source::text AS fx_rate_source, p.fx_rate_date, p.translation_rule::text AS translation_rule
         FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
        WHERE p.entry_id = $1::uuid
        ORDER BY p.id`,
      entryId,
    );
    return rows.map((p) => ({
      account: p.account,
      side: p.side,
      // NUMERIC(20,4) back to the currency's own decimals: exact (the entry was validated on the way in).
      amount: { amount: new Dec(p.amount).toFixed(minorUnits(p.currency)), currency: p.currency },
      ...(p.revalues_currency ? { revalues: p.revalues_currency } : {}),
      ...(p.base_amount !== null && p.base_currency && p.fx_rate && p.fx_rate_source && p.fx_rate_date
        ? {
            translation: {
              base: { amount: new Dec(p.base_amount).toFixed(minorUnits(p.base_currency)), currency: p.base_currency },
              rate: new Dec(p.fx_rate).toFixed(),
              source: p.fx_rate_source,
              rateDate: isoDateOf(new Date(p.fx_rate_date)),
              rule: (p.translation_rule ?? 'IDENTITY') as NonNullable<PostingLine['translation']>['rule'],
            },
          }
        : {}),
    }));
  }

  async get(periodEnd: string): Promise<RevaluationRunSummary | null> {
    const run = await this.runRow(periodEnd);
    return run ? this.summary(run) : null;
  }

  async list(): Promise<RevaluationRunSummary[]> {
    const rows = await this.prisma.$queryRawUnsafe<RunRow[]>(`${RUN_SELECT} ORDER BY r.period_end DESC`);
    return Promise.all(rows.map((r) => this.summary(r)));
  }

  async detail(periodEnd: string, page: { limit?: number; after?: string } = {}): Promise<RevaluationDetail | null> {
    const run = await this.runRow(periodEnd);
    if (!run) return null;
    const limit = page.limit ?? 500;
    const [afterAccount, afterCurrency] = page.after ? [page.after.slice(0, -4), page.after.slice(-3)] : ['', ''];
    const lines = await this.prisma.$queryRawUnsafe<Array<Record<'account' | 'currency' | 'foreign_balance' | 'carrying_base' | 'closing_rate' | 'revalued_base' | 'difference', string> & { closing_rate_date: Date }>>(
      `SELECT l.account::text AS account, l.currency::text AS currency, l.foreign_balance::text AS foreign_balance, l.carrying_base::text AS carrying_base,
              l.closing_rate::text AS closing_rate, l.closing_rate_date, l.revalued_base::text AS revalued_base, l.difference::text AS difference
         FROM fx_revaluation_lines l JOIN fx_revaluation_runs r ON r.id = l.run_id
        WHERE r.period_end = $1::date AND (l.account, l.currency) > ($2, $3)
        ORDER BY l.account, l.currency
        LIMIT $4`,
      periodEnd,
      afterAccount,
      afterCurrency,
      limit + 1,
    );
    const more = lines.length > limit;
    const shown = lines.slice(0, limit);
    const base = minorUnits(run.base_currency);
    const ids = [...(await this.entries(periodEnd, false)), ...(await this.entries(periodEnd, true))].map((e) => e.id);
    const first = shown[0];
    const last = shown[shown.length - 1];
    // The postings of this page's balances (their revaluation lines and reversals), plus the
    // gain and loss lines of every entry.
    const postings =
      ids.length && first && last
        ? await this.prisma.$queryRawUnsafe<
            Array<{
              entry_id: string; idempotency_key: string; accounting_date: Date; reverses_id: string | null; account: string; side: 'DEBIT' | 'CREDIT';
              amount: string; currency: string; revalues_currency: string | null; base_amount: string | null; base_currency: string | null;
              fx_rate: string | null; fx_rate_source: string | null; fx_rate_date: Date | null;
            }>
          >(
            `SELECT e.id::text AS entry_id, e.idempotency_key::text AS idempotency_key, e.accounting_date, e.reverses_id::text AS reverses_id,
                    a.code::text AS account, p.side::text AS side, p.amount::text AS amount, p.currency::text AS currency,
                    p.revalues_currency::text AS revalues_currency, p.base_amount::text AS base_amount, p.base_currency::text AS base_currency,
                    p.fx_rate::text AS fx_rate, p.fx_rate_source::text AS fx_rate_source, p.fx_rate_date
               FROM postings p JOIN journal_entries e ON e.id = p.entry_id JOIN ledger_accounts a ON a.id = p.account_id
              WHERE e.id = ANY(string_to_array($1, ',')::uuid[])
                AND (p.revalues_currency IS NULL OR ((a.code, p.revalues_currency) >= ($2, $3) AND (a.code, p.revalues_currency) <= ($4, $5)))
              ORDER BY e.accounting_date, split_part(e.idempotency_key, ':', 3)::int, p.id`,
            ids.join(','),
            first.account,
            first.currency,
            last.account,
            last.currency,
          )
        : [];
    return {
      run: await this.summary(run),
      lines: shown.map((l) => ({
        account: l.account,
        currency: l.currency,
        foreignBalance: new Dec(l.foreign_balance).toFixed(minorUnits(l.currency)),
        carryingBase: new Dec(l.carrying_base).toFixed(base),
        closingRate: new Dec(l.closing_rate).toFixed(),
        closingRateDate: isoDateOf(new Date(l.closing_rate_date)),
        revaluedBase: new Dec(l.revalued_base).toFixed(base),
        difference: new Dec(l.difference).toFixed(base),
      })),
      postings: postings.map((p) => ({
        entryId: p.entry_id,
        idempotencyKey: p.idempotency_key,
        accountingDate: isoDateOf(new Date(p.accounting_date)),
        reversesId: p.reverses_id,
        account: p.account,
        side: p.side,
        amount: { amount: new Dec(p.amount).toFixed(minorUnits(p.currency)), currency: p.currency },
        revalues: p.revalues_currency,
        translation:
          p.base_amount !== null && p.base_currency && p.fx_rate && p.fx_rate_source && p.fx_rate_date
            ? {
                base: { amount: new Dec(p.base_amount).toFixed(minorUnits(p.base_currency)), currency: p.base_currency },
                rate: new Dec(p.fx_rate).toFixed(),
                source: p.fx_rate_source,
                rateDate: isoDateOf(new Date(p.fx_rate_date)),
              }
            : null,
      })),
      nextLinesCursor: more ? `${shown[shown.length - 1]!.account}|${shown[shown.length - 1]!.currency}` : null,
    };
  }

  /**
   * The closing rate of every foreign currency the run will meet, resolved once, before anything
   * is written: a missing rate fails the run naming each pair and date, with nothing posted.
   *
   * One pass over the postings (no joins) finds every foreign currency posted at all and whether
   * any posting in it lacks a base translation. Only a currency without a rate, or with
   * untranslated postings, is then looked at closely: it fails the run only if a monetary balance
   * in it is open at P (settled currencies need no rate).
   */
  private async closingRates(periodEnd: string, base: string, source: string): Promise<Map<string, ClosingRate>> {
    const posted = await this.prisma.$queryRawUnsafe<Array<{ currency: string; untranslated: number }>>(
      `SELECT p.currency::text AS currency, count(*) FILTER (WHERE p.base_amount IS NULL)::int AS untranslated
         FROM postings p WHERE p.currency <> $1 GROUP BY p.currency ORDER BY 1`,
      base,
    );
    const rates = new Map<string, ClosingRate>();
    const missing: RateMissingError[] = [];
    for (const { currency } of posted) {
      try {
        const r = await this.fxRates.resolve(currency, base, periodEnd, source);
        rates.set(currency, { rate: r.rate, rateDate: r.rateDate });
      } catch (err) {
        if (!(err instanceof RateMissingError)) throw err;
        missing.push(err);
      }
    }
    const doubtful = [...new Set([...missing.map((m) => m.from), ...posted.filter((p) => p.untranslated > 0).map((p) => p.currency)])];
    if (doubtful.length === 0) return rates;

    const open = await this.openBalances(periodEnd, doubtful);
    const needed = missing.filter((m) => open.some((o) => o.currency === m.from));
    if (needed.length) {
      throw new RevaluationError(
        'rate-missing',
        `Cannot revalue at ${periodEnd}: ${needed.map((m) => m.message).join('; ')} (source ${source}); nothing was posted`,
        needed.map((m) => ({ from: m.from, to: m.to, date: m.date, source })),
      );
    }
    const untranslated = open.filter((o) => o.untranslated > 0);
    if (untranslated.length) throw this.untranslatedError(periodEnd, untranslated);
    return rates;
  }

  /** Open monetary balances at P in these currencies, with how many of their postings are untranslated. */
  private openBalances(periodEnd: string, currencies: string[]): Promise<Array<{ account: string; currency: string; untranslated: number }>> {
    const k = this.monetary.params.length;
    return this.prisma.$queryRawUnsafe(
      `SELECT a.code::text AS account, COALESCE(p.revalues_currency, p.currency)::text AS currency,
              COUNT(*) FILTER (WHERE p.revalues_currency IS NULL AND p.base_amount IS NULL)::int AS untranslated
         FROM postings p JOIN journal_entries e ON e.id = p.entry_id JOIN ledger_accounts a ON a.id = p.account_id
        WHERE e.accounting_date <= $${k + 1}::date AND ${this.monetary.sql}
          AND COALESCE(p.revalues_currency, p.currency) = ANY(string_to_array($${k + 2}, ','))
          AND (p.revalues_currency IS NULL OR e.idempotency_key NOT LIKE $${k + 3})
        GROUP BY 1, 2
       HAVING SUM(CASE WHEN p.revalues_currency IS NOT NULL THEN 0 WHEN p.side = 'DEBIT' THEN p.amount ELSE -p.amount END) <> 0
           OR SUM(CASE WHEN p.revalues_currency IS NOT NULL THEN (CASE p.side WHEN 'DEBIT' THEN p.amount ELSE -p.amount END)
                       WHEN p.side = 'DEBIT' THEN p.base_amount ELSE -p.base_amount END) <> 0
        ORDER BY 1, 2`,
      ...this.monetary.params,
      periodEnd,
      currencies.join(','),
      `${likeEscape(revaluationKey(periodEnd, 0).slice(0, -1))}%`,
    );
  }

  private untranslatedError(periodEnd: string, open: Array<{ account: string; currency: string; untranslated: number }>): RevaluationError {
    const [first] = open;
    const more = open.length > 1 ? ` (and ${open.length - 1} more balance(s))` : '';
    return new RevaluationError(
      'untranslated',
      `${first!.untranslated} posting(s) of ${first!.account} in ${first!.currency} up to ${periodEnd} have no base-currency translation${more}; translate them before revaluing`,
      open.slice(0, 100).map((o) => ({ account: o.account, currency: o.currency, untranslatedPostings: o.untranslated })),
    );
  }

  private insertRunRow(client: PrismaClient | Prisma.TransactionClient, periodEnd: string, base: string, rateSource: string, startedBy?: string) {
    return client.$executeRawUnsafe(
      `INSERT INTO fx_revaluation_runs (id, period_end, base_currency, rate_source, started_by)
       VALUES (gen_random_uuid(), $1::date, $2, $3, $4)
       ON CONFLICT (period_end) DO NOTHING`,
      periodEnd,
      base,
      rateSource,
      startedBy ?? null,
    );
  }

  /**
   * A chunk's lines, in one statement (insert-if-absent: a chunk replayed by a racing run adds
   * nothing). They travel as one text parameter, a line per balance with tab-separated fields
   * (codes, currency codes, decimals and dates hold neither tabs nor newlines): Prisma spends
   * about four times as much CPU on the same lines as a JSON parameter (bench).
   */
  private insertLines(client: Prisma.TransactionClient, periodEnd: string, revalued: ReturnType<typeof revalueBalance>[]) {
    return client.$executeRawUnsafe(
      `INSERT INTO fx_revaluation_lines (run_id, account, currency, foreign_balance, carrying_base, closing_rate, closing_rate_date, revalued_base, difference)
       SELECT r.id, f[1], f[2], f[3]::numeric, f[4]::numeric, f[5]::numeric, f[6]::date, f[7]::numeric, f[8]::numeric
         FROM fx_revaluation_runs r
        CROSS JOIN LATERAL (SELECT string_to_array(line, E'\\t') AS f FROM unnest(string_to_array($2, E'\\n')) AS line) l
        WHERE r.period_end = $1::date
       ON CONFLICT (run_id, account, currency) DO NOTHING`,
      periodEnd,
      revalued.map((l) => `${l.account}\t${l.currency}\t${l.foreignBalance}\t${l.carryingBase}\t${l.closingRate}\t${l.closingRateDate}\t${l.revaluedBase}\t${l.difference}`).join('\n'),
    );
  }

  private async runRow(periodEnd: string): Promise<RunRow | null> {
    const [row] = await this.prisma.$queryRawUnsafe<RunRow[]>(`${RUN_SELECT} WHERE r.period_end = $1::date`, periodEnd);
    return row ?? null;
  }

  /** The run's entries (or their reversals) in order. */
  private entries(periodEnd: string, reversals: boolean): Promise<Array<{ id: string; idempotency_key: string }>> {
    return this.prisma.$queryRawUnsafe(
      `SELECT id::text AS id, idempotency_key::text AS idempotency_key FROM journal_entries
        WHERE accounting_date = $1::date AND idempotency_key LIKE $2 AND idempotency_key ${reversals ? '' : 'NOT'} LIKE '%:reversal'
        ORDER BY split_part(idempotency_key, ':', 3)::int`,
      reversals ? nextDay(periodEnd) : periodEnd,
      `${likeEscape(revaluationKey(periodEnd, 0).slice(0, -1))}%`,
    );
  }

  private async summary(run: RunRow): Promise<RevaluationRunSummary> {
    const periodEnd = isoDateOf(new Date(run.period_end));
    const digits = minorUnits(run.base_currency);
    const [entries, reversals] = await Promise.all([this.entries(periodEnd, false), this.entries(periodEnd, true)]);
    return {
      periodEnd,
      baseCurrency: run.base_currency,
      rateSource: run.rate_source,
      balances: run.balances,
      totalGain: new Dec(run.total_gain).toFixed(digits),
      totalLoss: new Dec(run.total_loss).toFixed(digits),
      entryIds: entries.map((e) => e.id),
      reversalEntryIds: reversals.map((e) => e.id),
      createdAt: new Date(run.created_at).getTime(),
      completedAt: run.completed_at ? new Date(run.completed_at).getTime() : null,
      reversedAt: run.reversed_at ? new Date(run.reversed_at).getTime() : null,
    };
  }
}

const RUN_SELECT = `SELECT r.id::text AS id, r.period_end, r.base_currency::text AS base_currency, r.rate_source::text AS rate_source, r.balances,
        r.total_gain::text AS total_gain, r.total_loss::text AS total_loss, r.created_at, r.completed_at, r.reversed_at
   FROM fx_revaluation_runs r`;
