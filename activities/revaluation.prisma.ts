import type { PrismaClient } from '../generated/prisma/client';
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
import { minorUnits } from '../domain/money/currency';
import { Dec } from '../domain/money/money';
import { isIsoDate } from '../domain/time/instant';
import { PrismaFxRates, type FxRates } from './fx-rates.prisma';
import { PrismaLedger } from './ledger.prisma';
import type { Ledger } from './ports/ledger';

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
  /** Foreign balances revalued (including those whose difference was zero). */
  balances: number;
  totalGain: string;
  totalLoss: string;
  /** One entry per chunk of balances with a non-zero difference, in chunk order. */
  entryIds: string[];
  /** Their reversals, dated the day after the period end (empty until reversed). */
  reversalEntryIds: string[];
  createdAt: number;
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

export interface FxRevaluation {
  /** Revalues every monetary foreign balance at `periodEnd`; a completed run is returned as is. */
  run(periodEnd: string, opts?: { startedBy?: string; onChunk?: (chunkNo: number, balancesSoFar: number) => void }): Promise<RevaluationRunSummary>;
  /** Reverses every entry of the run on the day after the period end (idempotent). */
  reverse(periodEnd: string): Promise<RevaluationRunSummary>;
  get(periodEnd: string): Promise<RevaluationRunSummary | null>;
  list(): Promise<RevaluationRunSummary[]>;
  detail(periodEnd: string, page?: { limit?: number; after?: string }): Promise<RevaluationDetail | null>;
}

export interface RevaluationOptions {
  ledger?: Ledger;
  fxRates?: FxRates;
  /** Balances per entry (default {@link DEFAULT_REVALUATION_CHUNK_SIZE}). */
  chunkSize?: number;
  /** Monetary accounts (default {@link MONETARY_ACCOUNT_PREFIXES}). */
  monetaryPrefixes?: readonly string[];
}

interface RunRow {
  period_end: Date;
  base_currency: string;
  rate_source: string;
  balances: number;
  total_gain: string;
  total_loss: string;
  created_at: Date;
  line_count: number;
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * {@link FxRevaluation} on PostgreSQL/PGlite.
 *
 * Balances are streamed in (account code, currency) order by keyset pagination, a chunk at a time,
 * so memory stays bounded whatever the number of balances. Each chunk is posted as one entry under
 * `fx-revaluation:<P>:<chunkNo>` and its lines recorded (insert-if-absent), so a crashed run
 * resumes where it stopped: already-posted chunks replay by key. The run row's `balances` is set
 * once every chunk is done; until then (`balances` differs from the number of lines) the run is
 * incomplete and running it again resumes it.
 */
export class PrismaFxRevaluation implements FxRevaluation {
  private readonly ledger: Ledger;
  private readonly fxRates: FxRates;
  private readonly chunkSize: number;
  private readonly monetary: { sql: string; params: string[] };

  constructor(
    private readonly prisma: PrismaClient,
    opts: RevaluationOptions = {},
  ) {
    this.ledger = opts.ledger ?? new PrismaLedger(prisma);
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

  async run(periodEnd: string, opts: { startedBy?: string; onChunk?: (chunkNo: number, balancesSoFar: number) => void } = {}): Promise<RevaluationRunSummary> {
    if (!isIsoDate(periodEnd)) throw new RevaluationError('invalid-period', `periodEnd "${periodEnd}" is not a calendar date written YYYY-MM-DD`);
    const existing = await this.runRow(periodEnd);
    if (existing && existing.balances === existing.line_count) return this.summary(existing);

    const settings = await this.prisma.financeSettings.findUnique({ where: { id: 1 } });
    if (!settings) throw new RevaluationError('not-configured', 'Finance settings (base currency, rate source) are not configured: nothing can be revalued');
    const base = settings.baseCurrency;
    const rates = await this.closingRates(periodEnd, base, settings.rateSource);

    const k = this.monetary.params.length;
    let cursor = { account: '', currency: '' };
    let chunk: ForeignBalance[] = [];
    let chunkNo = 0;
    let seen = 0;
    let exhausted = false;
    const flush = async () => {
      chunkNo++;
      for (const b of chunk) {
        // A settled balance (nothing left in foreign currency) still carrying a base amount: its
        // currency was not in the up-front check, which only asks rates for open balances.
        if (!rates.has(b.currency)) rates.set(b.currency, (await this.closingRates(periodEnd, base, settings.rateSource, [b.currency])).get(b.currency)!);
      }
      const revalued = chunk.map((b) => revalueBalance(b, rates.get(b.currency)!, base));
      const { draft } = revaluationEntry(periodEnd, chunkNo, revalued, base);
      if (draft) await this.ledger.post(draft);
      await this.prisma.$transaction([
        this.insertRunRow(periodEnd, base, settings.rateSource, opts.startedBy),
        this.prisma.$executeRawUnsafe(
          `INSERT INTO fx_revaluation_lines (run_id, account, currency, foreign_balance, carrying_base, closing_rate, closing_rate_date, revalued_base, difference)
           SELECT r.id, x.account, x.currency, x.foreign_balance, x.carrying_base, x.closing_rate, x.closing_rate_date, x.revalued_base, x.difference
             FROM fx_revaluation_runs r
            CROSS JOIN json_to_recordset($2::json) AS x(account text, currency text, foreign_balance numeric, carrying_base numeric,
                  closing_rate numeric, closing_rate_date date, revalued_base numeric, difference numeric)
            WHERE r.period_end = $1::date
           ON CONFLICT (run_id, account, currency) DO NOTHING`,
          periodEnd,
          JSON.stringify(
            revalued.map((l) => ({
              account: l.account,
              currency: l.currency,
              foreign_balance: l.foreignBalance,
              carrying_base: l.carryingBase,
              closing_rate: l.closingRate,
              closing_rate_date: l.closingRateDate,
              revalued_base: l.revaluedBase,
              difference: l.difference,
            })),
          ),
        ),
      ]);
      seen += chunk.length;
      chunk = [];
      opts.onChunk?.(chunkNo, seen);
    };

    while (!exhausted) {
      const want = this.chunkSize - chunk.length;
      // Accounts in code order from the cursor's (one more than wanted: the cursor's own account
      // may have nothing left); per account, its foreign balances up to P. An account without any
      // yields one row with a null currency so the cursor still moves past it.
      const rows = await this.prisma.$queryRawUnsafe<Array<{ account: string; currency: string | null; foreign_balance: string | null; carrying: string | null; untranslated: number | null }>>(
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
        `fx-revaluation:${periodEnd}:%`,
      );
      for (const r of rows) {
        cursor = { account: r.account, currency: r.currency ?? '' };
        if (r.currency === null) continue;
        if (r.currency === base) continue; // a revaluation line of a base balance: cannot happen (DB check)
        if (r.untranslated) {
          throw new RevaluationError('untranslated', `${r.untranslated} posting(s) of ${r.account} in ${r.currency} up to ${periodEnd} have no base-currency translation; translate them before revaluing`);
        }
        const digits = minorUnits(r.currency);
        chunk.push({
          account: r.account,
          currency: r.currency,
          foreignBalance: new Dec(r.foreign_balance!).toFixed(digits),
          carryingBase: new Dec(r.carrying ?? '0').toFixed(minorUnits(base)),
        });
      }
      exhausted = rows.length < want;
      if (chunk.length === this.chunkSize || (exhausted && chunk.length > 0)) await flush();
    }

    const firstEntry = await this.entries(periodEnd, false);
    await this.prisma.$transaction([
      this.insertRunRow(periodEnd, base, settings.rateSource, opts.startedBy),
      this.prisma.$executeRawUnsafe(
        `UPDATE fx_revaluation_runs r
            SET balances = s.n, total_gain = s.gain, total_loss = s.loss, entry_id = $2::uuid
           FROM (SELECT count(*)::int AS n,
                        COALESCE(SUM(l.difference) FILTER (WHERE l.difference > 0), 0) AS gain,
                        COALESCE(-SUM(l.difference) FILTER (WHERE l.difference < 0), 0) AS loss
                   FROM fx_revaluation_lines l JOIN fx_revaluation_runs r2 ON r2.id = l.run_id
                  WHERE r2.period_end = $1::date) s
          WHERE r.period_end = $1::date`,
        periodEnd,
        firstEntry[0]?.id ?? null,
      ),
    ]);
    return this.summary((await this.runRow(periodEnd))!);
  }

  async reverse(periodEnd: string): Promise<RevaluationRunSummary> {
    if (!isIsoDate(periodEnd)) throw new RevaluationError('invalid-period', `periodEnd "${periodEnd}" is not a calendar date written YYYY-MM-DD`);
    const run = await this.runRow(periodEnd);
    if (!run) throw new RevaluationError('run-not-found', `No FX revaluation run for ${periodEnd}`);
    if (run.balances !== run.line_count) throw new RevaluationError('run-incomplete', `The FX revaluation for ${periodEnd} has not finished: run it again before reversing`);
    const reversalDate = nextDay(periodEnd);
    let first: string | null = null;
    for (const entry of await this.entries(periodEnd, false)) {
      const chunkNo = Number(entry.idempotency_key.split(':')[2]);
      const reversal = await this.ledger.reverse(entry.id, revaluationReversalKey(periodEnd, chunkNo), reversalDate, `Reversal of FX revaluation at ${periodEnd} (part ${chunkNo})`);
      first ??= reversal.id;
    }
    if (first) {
      await this.prisma.fxRevaluationRun.update({ where: { periodEnd: new Date(`${periodEnd}T00:00:00.000Z`) }, data: { reversalEntryId: first } });
    }
    return this.summary(run);
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
        closingRateDate: isoDate(new Date(l.closing_rate_date)),
        revaluedBase: new Dec(l.revalued_base).toFixed(base),
        difference: new Dec(l.difference).toFixed(base),
      })),
      postings: postings.map((p) => ({
        entryId: p.entry_id,
        idempotencyKey: p.idempotency_key,
        accountingDate: isoDate(new Date(p.accounting_date)),
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
                rateDate: isoDate(new Date(p.fx_rate_date)),
              }
            : null,
      })),
      nextLinesCursor: more ? `${shown[shown.length - 1]!.account}|${shown[shown.length - 1]!.currency}` : null,
    };
  }

  /**
   * The closing rate of every foreign currency held on a monetary account at P, resolved before
   * anything is posted: a missing rate fails the run naming each pair and date, with nothing written.
   */
  private async closingRates(periodEnd: string, base: string, source: string, only?: string[]): Promise<Map<string, ClosingRate>> {
    const k = this.monetary.params.length;
    const currencies = only ? only.map((currency) => ({ currency })) : await this.prisma.$queryRawUnsafe<Array<{ currency: string }>>(
      `SELECT DISTINCT s.currency FROM (
         SELECT p.account_id, p.currency::text AS currency
           FROM postings p JOIN journal_entries e ON e.id = p.entry_id JOIN ledger_accounts a ON a.id = p.account_id
          WHERE e.accounting_date <= $${k + 1}::date AND p.currency <> $${k + 2} AND ${this.monetary.sql}
          GROUP BY p.account_id, p.currency
         HAVING SUM(CASE p.side WHEN 'DEBIT' THEN p.amount ELSE -p.amount END) <> 0) s
        ORDER BY 1`,
      ...this.monetary.params,
      periodEnd,
      base,
    );
    const rates = new Map<string, ClosingRate>();
    const missing: RateMissingError[] = [];
    for (const { currency } of currencies) {
      try {
        const r = await this.fxRates.resolve(currency, base, periodEnd, source);
        rates.set(currency, { rate: r.rate, rateDate: r.rateDate });
      } catch (err) {
        if (!(err instanceof RateMissingError)) throw err;
        missing.push(err);
      }
    }
    if (missing.length) {
      throw new RevaluationError(
        'rate-missing',
        `Cannot revalue at ${periodEnd}: ${missing.map((m) => m.message).join('; ')} (source ${source}); nothing was posted`,
        missing.map((m) => ({ from: m.from, to: m.to, date: m.date, source })),
      );
    }
    return rates;
  }

  private insertRunRow(periodEnd: string, base: string, rateSource: string, startedBy?: string) {
    return this.prisma.$executeRawUnsafe(
      `INSERT INTO fx_revaluation_runs (id, period_end, base_currency, rate_source, started_by)
       VALUES (gen_random_uuid(), $1::date, $2, $3, $4)
       ON CONFLICT (period_end) DO NOTHING`,
      periodEnd,
      base,
      rateSource,
      startedBy ?? null,
    );
  }

  private async runRow(periodEnd: string): Promise<RunRow | null> {
    const [row] = await this.prisma.$queryRawUnsafe<RunRow[]>(`${RUN_SELECT} WHERE r.period_end = $1::date`, periodEnd);
    return row ?? null;
  }

  /** The run's entries (or their reversals) in chunk order. */
  private entries(periodEnd: string, reversals: boolean): Promise<Array<{ id: string; idempotency_key: string }>> {
    return this.prisma.$queryRawUnsafe(
      `SELECT id::text AS id, idempotency_key::text AS idempotency_key FROM journal_entries
        WHERE accounting_date = $1::date AND idempotency_key LIKE $2 AND idempotency_key ${reversals ? '' : 'NOT'} LIKE '%:reversal'
        ORDER BY split_part(idempotency_key, ':', 3)::int`,
      reversals ? nextDay(periodEnd) : periodEnd,
      `${revaluationKey(periodEnd, 0).slice(0, -1)}%`,
    );
  }

  private async summary(run: RunRow): Promise<RevaluationRunSummary> {
    const periodEnd = isoDate(new Date(run.period_end));
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
    };
  }
}

const RUN_SELECT = `SELECT r.period_end, r.base_currency::text AS base_currency, r.rate_source::text AS rate_source, r.balances,
        r.total_gain::text AS total_gain, r.total_loss::text AS total_loss, r.created_at,
        (SELECT count(*)::int FROM fx_revaluation_lines l WHERE l.run_id = r.id) AS line_count
   FROM fx_revaluation_runs r`;
