import { createHash } from 'node:crypto';
import { type Prisma, type PrismaClient } from '../generated/prisma/client';
import { canonicalEntry, reversingLines, validateEntry, type EntryDraft, type EntryProblem, type LineTranslation, type PostingLine, type TranslationRule } from '../domain/ledger/entry';
import { DEFAULT_TRANSLATION_RULE, rateDateFor, translateLines, type ChosenRate } from '../domain/ledger/translation';
import { RateMissingError } from '../domain/fx/rates';
import { PrismaFxRates } from './fx-rates.prisma';
import { cursorDate, keysetAfter, pageOfRows, requireCursor, type Page, type PageRequest } from './keyset-cursor';
import { isIsoDate, utcDate, isoDateOf } from '../domain/time/instant';
import { Dec } from '../domain/money/money';
import { minorUnits } from '../domain/money/currency';
import { LedgerError, type AccountBalance, type AccountingPeriodView, type AccountStatement, type Ledger, type PostedEntry, type StatementLine, type StatementQuery, type TranslatedTrialBalance } from './ports/ledger';

type EntryRow = Prisma.JournalEntryGetPayload<{ include: { postings: { include: { account: true } } } }>;


function toPosted(row: EntryRow): PostedEntry {
  return {
    id: row.id,
    idempotencyKey: row.idempotencyKey,
    description: row.description,
    accountingDate: isoDateOf(row.accountingDate),
    postedAt: row.postedAt.getTime(),
    reversesId: row.reversesId,
    lines: row.postings
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((p): PostingLine => ({
        account: p.account.code,
        side: p.side,
        // NUMERIC(20,4) back to the currency's own decimals: exact (the entry was validated on the way in).
        amount: { amount: new Dec(p.amount.toFixed()).toFixed(minorUnits(p.currency)), currency: p.currency },
        ...(p.revaluesCurrency ? { revalues: p.revaluesCurrency } : {}),
        ...(p.baseAmount && p.baseCurrency && p.fxRate && p.fxRateSource && p.fxRateDate
          ? {
              translation: {
                base: { amount: new Dec(p.baseAmount.toFixed()).toFixed(minorUnits(p.baseCurrency)), currency: p.baseCurrency },
                rate: new Dec(p.fxRate.toFixed()).toFixed(),
                source: p.fxRateSource,
                rateDate: isoDateOf(p.fxRateDate),
                rule: p.translationRule ?? 'IDENTITY',
              },
            }
          : {}),
      })),
  };
}

function identity(l: PostingLine, base: string, date: string): LineTranslation {
  return { base: { amount: new Dec(l.amount.amount).toFixed(minorUnits(base)), currency: base }, rate: '1', source: 'IDENTITY', rateDate: date, rule: 'IDENTITY' };
}

const CONFIG_TTL_MS = 5_000;

/** A line as the JSON record the posting INSERT reads (jsonb_to_recordset). */
function postingJson(l: PostingLine, account: string | undefined) {
  return {
    ...(account ? { account } : {}),
    side: l.side,
    amount: l.amount.amount,
    currency: l.amount.currency,
    base_amount: l.translation?.base.amount ?? null,
    base_currency: l.translation?.base.currency ?? null,
    fx_rate: l.translation?.rate ?? null,
    fx_rate_source: l.translation?.source ?? null,
    fx_rate_date: l.translation?.rateDate ?? null,
    translation_rule: l.translation && l.translation.rule !== 'IDENTITY' ? l.translation.rule : null,
    revalues_currency: l.revalues ?? null,
  };
}

function toPeriod(p: { name: string; startsOn: Date; endsOn: Date; status: 'OPEN' | 'CLOSED'; closedAt: Date | null; closedBy: string | null }): AccountingPeriodView {
  return { name: p.name, startsOn: isoDateOf(p.startsOn), endsOn: isoDateOf(p.endsOn), status: p.status, closedAt: p.closedAt?.getTime() ?? null, closedBy: p.closedBy };
}

type Fact = { kind: string; id: string | null; name: string; currency: string | null; active: boolean | null };

/** {@link Ledger} on PostgreSQL/PGlite. One database transaction (one SQL statement) per entry. */
export class PrismaLedger implements Ledger {
  private readonly fxRates: PrismaFxRates;

  /**
   * @param prisma the client, or a transaction's client to post inside the caller's transaction.
   * @param driver optional direct driver access (`Database.query`) for the hot path: the guarded
   *   single-statement write skips Prisma's per-query overhead. Not for use with a transaction
   *   client (the statement would run outside the caller's transaction).
   */
  constructor(
    private readonly prisma: PrismaClient | Prisma.TransactionClient,
    private readonly driver?: { query<T>(sql: string, params: unknown[]): Promise<T[]> },
  ) {
    this.fxRates = new PrismaFxRates(prisma);
  }

  private raw<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    return this.driver ? this.driver.query<T>(sql, params) : this.prisma.$queryRawUnsafe<T[]>(sql, ...params);
  }

  async post(draft: EntryDraft, reversesId: string | null = null): Promise<PostedEntry> {
    const problems = validateEntry(draft);
    if (problems.length) throw new LedgerError('invalid-entry', 'The entry cannot be posted', problems);
    const contentHash = createHash('sha256').update(canonicalEntry(draft)).digest('hex');

    // Fast path: translate with the (briefly cached) settings and rule, then one statement that
    // writes the entry only if every check passes. Anything unusual (a repeat, an unknown or
    // refusing account, a closed period) falls through to the careful path below, which says why.
    const { settings: cached, rules } = await this.translationConfig();
    const fastLines = cached
      ? await this.translate(draft, cached.base, cached.source, (rules.get(draft.transactionType ?? '') as TranslationRule | undefined) ?? DEFAULT_TRANSLATION_RULE)
      : null;
    if (fastLines) {
      const written = await this.tryWrite(draft, contentHash, reversesId, fastLines);
      if (written) return written;
    }

    // One round trip for everything the checks need: an entry already under this key, the
    // accounts named, a closed period covering the date, the base currency and the rule.
    const codes = [...new Set(draft.lines.map((l) => l.account))];
    const placeholders = codes.map((_, i) => `$${i + 4}`).join(', ');
    const facts = await this.prisma.$queryRawUnsafe<Fact[]>(
      `SELECT 'entry' AS kind, id::text AS id, idempotency_key::text AS name, NULL::text AS currency, NULL::boolean AS active
         FROM journal_entries WHERE idempotency_key = $1
       UNION ALL
       SELECT 'account', id::text, code::text, currency::text, is_active FROM ledger_accounts WHERE code IN (${placeholders})
       UNION ALL
       (SELECT 'closed', NULL, name::text, NULL, NULL FROM accounting_periods
         WHERE status = 'CLOSED' AND $2::date BETWEEN starts_on AND ends_on LIMIT 1)
       UNION ALL
       SELECT 'settings', NULL, base_currency::text, rate_source::text, NULL FROM finance_settings WHERE id = 1
       UNION ALL
       SELECT 'rule', NULL, rule::text, NULL, NULL FROM fx_translation_rules WHERE transaction_type = $3`,
      draft.idempotencyKey,
      draft.accountingDate,
      draft.transactionType ?? '',
      ...codes,
    );
    if (facts.some((f) => f.kind === 'entry')) {
      const existing = await this.findByKey(draft.idempotencyKey);
      if (existing) return this.replay(existing, contentHash);
    }
    const byCode = new Map(facts.filter((f) => f.kind === 'account').map((a) => [a.name, a]));
    const unknown = codes.filter((c) => !byCode.has(c));
    if (unknown.length) {
      throw new LedgerError(
        'unknown-account',
        'The entry names accounts that do not exist',
        unknown.map((code) => ({ path: `lines/${draft.lines.findIndex((l) => l.account === code)}/account`, message: `no account "${code}"` })),
      );
    }
    const refused = draft.lines.flatMap((line, i) => {
      const account = byCode.get(line.account)!;
      if (!account.active) return [{ path: `lines/${i}/account`, message: `account "${account.name}" is inactive` }];
      if (account.currency && account.currency !== line.amount.currency && line.revalues !== account.currency) {
        return [{ path: `lines/${i}/amount/currency`, message: `account "${account.name}" holds ${account.currency}, not ${line.amount.currency}` }];
      }
      return [];
    });
    if (refused.length) throw new LedgerError('account-rejects-posting', 'Accounts refuse these postings', refused);

    const closed = facts.find((f) => f.kind === 'closed');
    if (closed) throw new LedgerError('closed-period', `Accounting period ${closed.name} is closed; cannot post on ${draft.accountingDate}`);

    const settings = facts.find((f) => f.kind === 'settings');
    const rule = (facts.find((f) => f.kind === 'rule')?.name as TranslationRule | undefined) ?? DEFAULT_TRANSLATION_RULE;
    const lines = settings ? await this.translate(draft, settings.name, settings.currency ?? 'ECB', rule) : this.untranslated(draft);

    const written = await this.tryWrite(draft, contentHash, reversesId, lines);
    if (written) return written;
    // Every check passed yet nothing was written: someone took the key or the reversal meanwhile.
    const winner = await this.findByKey(draft.idempotencyKey);
    if (winner) return this.replay(winner, contentHash);
    if (reversesId && (await this.prisma.journalEntry.findUnique({ where: { reversesId }, select: { id: true } }))) {
      throw new LedgerError('already-reversed', `Entry ${reversesId} has already been reversed`);
    }
    throw new Error(`ledger: entry ${draft.idempotencyKey} passed every check but was not written`);
  }

  private configCache: { at: number; settings: { base: string; source: string } | null; rules: Map<string, string> } | null = null;

  /**
   * The base currency, rate source and translation rules, cached for a few seconds: the base
   * currency cannot change once anything is translated, and a changed rule applies to postings
   * made from a few seconds later (each posting stores the rule and rate it used). Absent settings
   * are never cached, so the first posting after finance configures them is translated.
   */
  private async translationConfig(): Promise<{ settings: { base: string; source: string } | null; rules: Map<string, string> }> {
    const now = Date.now();
    if (this.configCache && now - this.configCache.at < CONFIG_TTL_MS) return this.configCache;
    const rows = await this.raw<{ kind: string; a: string; b: string | null }>(
      `SELECT 'settings' AS kind, base_currency::text AS a, rate_source::text AS b FROM finance_settings WHERE id = 1
       UNION ALL SELECT 'rule', transaction_type::text, rule::text FROM fx_translation_rules`,
    );
    const settingsRow = rows.find((r) => r.kind === 'settings');
    const config = {
      at: now,
      settings: settingsRow ? { base: settingsRow.a, source: settingsRow.b ?? 'ECB' } : null,
      rules: new Map(rows.filter((r) => r.kind === 'rule').map((r) => [r.a, r.b ?? DEFAULT_TRANSLATION_RULE])),
    };
    this.configCache = config.settings ? config : null;
    return config;
  }

  /**
   * Writes the entry in one statement if, and only if, the key is new, every account exists, is
   * active and takes the line's currency, and no closed period covers the date. Returns null when
   * anything is off (nothing is written then); the database triggers check the same again.
   */
  private async tryWrite(draft: EntryDraft, contentHash: string, reversesId: string | null, lines: PostingLine[]): Promise<PostedEntry | null> {
    const rows = await this.raw<{ id: string; posted_at: Date }>(
        `WITH x AS (
           SELECT * FROM jsonb_to_recordset($8::jsonb) AS x(
             account text, side "PostingSide", amount numeric, currency text, base_amount numeric, base_currency text, fx_rate numeric,
             fx_rate_source text, fx_rate_date date, translation_rule "TranslationRule", revalues_currency text)),
         acct AS (
           SELECT x.*, a.id AS account_id FROM x JOIN ledger_accounts a ON a.code = x.account
            WHERE a.is_active AND (a.currency IS NULL OR a.currency = x.currency OR a.currency = x.revalues_currency)),
         e AS (
           INSERT INTO journal_entries (id, idempotency_key, content_hash, description, accounting_date, reverses_id, kind, booking_ref)
           SELECT gen_random_uuid(), $1, $2, $3, $4::date, $5::uuid, $6, $7
            WHERE (SELECT count(*) FROM acct) = $9
              AND NOT EXISTS (SELECT 1 FROM accounting_periods WHERE status = 'CLOSED' AND $4::date BETWEEN starts_on AND ends_on)
           ON CONFLICT DO NOTHING
           RETURNING id, posted_at),
         p AS (
           INSERT INTO postings (entry_id, account_id, side, amount, currency, base_amount, base_currency, fx_rate,
                                 fx_rate_source, fx_rate_date, translation_rule, revalues_currency)
           SELECT e.id, acct.account_id, acct.side, acct.amount, acct.currency, acct.base_amount, acct.base_currency, acct.fx_rate,
                  acct.fx_rate_source, acct.fx_rate_date, acct.translation_rule, acct.revalues_currency
             FROM e CROSS JOIN acct
           RETURNING 1)
         SELECT e.id::text AS id, e.posted_at, (SELECT count(*) FROM p)::int AS n FROM e`,
        draft.idempotencyKey,
        contentHash,
        draft.description.trim(),
        draft.accountingDate,
        reversesId,
        draft.kind ?? (reversesId ? 'reversal' : 'standard'),
        draft.bookingRef ?? null,
        JSON.stringify(lines.map((l) => postingJson(l, l.account))),
        lines.length,
    );
    const row = rows[0];
    return row ? this.answer(draft, reversesId, lines, row) : null;
  }

  /** What was written is exactly the validated draft: answer from it, without reading it back. */
  private answer(draft: EntryDraft, reversesId: string | null, lines: PostingLine[], row: { id: string; posted_at: Date }): PostedEntry {
    return {
      id: row.id,
      idempotencyKey: draft.idempotencyKey,
      description: draft.description.trim(),
      accountingDate: draft.accountingDate,
      postedAt: new Date(row.posted_at).getTime(),
      reversesId,
      lines: lines.map((l) => ({ ...l, amount: { amount: new Dec(l.amount.amount).toFixed(minorUnits(l.amount.currency)), currency: l.amount.currency } })),
    };
  }

  private untranslated(draft: EntryDraft): PostingLine[] {
    const preset = draft.lines.findIndex((l) => l.translation);
    if (preset >= 0) {
      throw new LedgerError('invalid-entry', 'The entry cannot be posted', [{ path: `lines/${preset}/translation`, message: 'no base currency is configured (finance settings), so lines cannot carry a translation' }]);
    }
    const revaluing = draft.lines.findIndex((l) => l.revalues);
    if (revaluing >= 0) {
      throw new LedgerError('invalid-entry', 'The entry cannot be posted', [{ path: `lines/${revaluing}/revalues`, message: 'no base currency is configured (finance settings), so nothing can be revalued' }]);
    }
    return draft.lines;
  }

  /**
   * Every line with its base-currency translation. Lines may arrive translated (a reversal
   * repeating its original's rates, a payment at the bank's actual rate): then every foreign line
   * must be, and the base amounts must balance. Otherwise the rule picks the rate per currency.
   */
  private async translate(draft: EntryDraft, base: string, source: string, rule: TranslationRule): Promise<PostingLine[]> {
    const problems: EntryProblem[] = [];
    draft.lines.forEach((l, i) => {
      if (l.revalues && l.amount.currency !== base) problems.push({ path: `lines/${i}/amount/currency`, message: `a revaluation line is in the base currency ${base}, not ${l.amount.currency}` });
      if (l.translation && l.translation.base.currency !== base) problems.push({ path: `lines/${i}/translation/base/currency`, message: `the base currency is ${base}, not ${l.translation.base.currency}` });
    });
    if (problems.length) throw new LedgerError('invalid-entry', 'The entry cannot be posted', problems);

    const foreign = draft.lines.filter((l) => l.amount.currency !== base);
    if (draft.lines.some((l) => l.translation)) {
      const missing = draft.lines.findIndex((l) => l.amount.currency !== base && !l.translation);
      if (missing >= 0) throw new LedgerError('invalid-entry', 'The entry cannot be posted', [{ path: `lines/${missing}/translation`, message: 'when some lines carry a translation, every foreign-currency line must' }]);
      const lines = draft.lines.map((l) => l.translation ? l : { ...l, translation: identity(l, base, draft.accountingDate) });
      const net = lines.reduce((sum, l) => sum.plus(new Dec(l.translation!.base.amount).times(l.side === 'DEBIT' ? 1 : -1)), new Dec(0));
      if (!net.isZero()) throw new LedgerError('invalid-entry', 'The entry cannot be posted', [{ path: '(entry)', message: `does not balance in base currency ${base}: debits exceed credits by ${net.toFixed(minorUnits(base))}` }]);
      return lines;
    }
    const rates = new Map<string, ChosenRate>();
    const date = rateDateFor(rule, draft.accountingDate, draft.bookingDate);
    for (const currency of new Set(foreign.map((l) => l.amount.currency))) {
      try {
        const r = rule === 'PERIOD_AVERAGE' ? await this.fxRates.periodAverage(currency, base, date, source) : await this.fxRates.resolve(currency, base, date, source);
        rates.set(currency, { rate: r.rate, source: r.source, rateDate: r.rateDate, rule });
      } catch (err) {
        if (!(err instanceof RateMissingError)) throw err;
        throw new LedgerError('rate-missing', `Cannot translate ${currency} into the base currency ${base}`, [
          { path: `lines/${draft.lines.findIndex((l) => l.amount.currency === currency)}/amount/currency`, message: `${err.message} (rule ${rule}${draft.transactionType ? ` for ${draft.transactionType}` : ''}, source ${source})` },
        ]);
      }
    }
    return translateLines(draft.lines, base, rates, draft.accountingDate);
  }

  async reverse(entryId: string, idempotencyKey: string, accountingDate: string, description?: string): Promise<PostedEntry> {
    const original = await this.prisma.journalEntry.findUnique({ where: { id: entryId }, include: { postings: { include: { account: true } } } });
    if (!original) throw new LedgerError('entry-not-found', `No journal entry ${entryId}`);
    const posted = toPosted(original);
    return this.post(
      {
        idempotencyKey,
        accountingDate,
        description: description ?? `Reversal of: ${posted.description}`,
        lines: reversingLines(posted.lines),
        kind: 'reversal',
        ...(original.bookingRef ? { bookingRef: original.bookingRef } : {}),
      },
      entryId,
    );
  }

  async trialBalance(asOf?: string): Promise<AccountBalance[]> {
    return this.sums(asOf);
  }

  async balance(account: string, currency: string, asOf?: string): Promise<AccountBalance> {
    const [row] = await this.sums(asOf, { account, currency });
    return row ?? this.toBalance(account, currency, '0', '0');
  }

  async translatedTrialBalance(asOf?: string): Promise<TranslatedTrialBalance> {
    const [settings] = await this.prisma.$queryRawUnsafe<Array<{ base: string }>>(`SELECT base_currency::text AS base FROM finance_settings WHERE id = 1`);
    const rows = await this.prisma.$queryRawUnsafe<Array<{ code: string; type: string; debits: string; credits: string; untranslated: number }>>(
      `SELECT a.code, a.type::text AS type,
              COALESCE(SUM(p.base_amount) FILTER (WHERE p.side = 'DEBIT'), 0)::text AS debits,
              COALESCE(SUM(p.base_amount) FILTER (WHERE p.side = 'CREDIT'), 0)::text AS credits,
              (count(*) - count(p.base_amount))::int AS untranslated
         FROM postings p
         JOIN journal_entries e ON e.id = p.entry_id
         JOIN ledger_accounts a ON a.id = p.account_id
        WHERE ($1::date IS NULL OR e.accounting_date <= $1::date)
        GROUP BY a.code, a.type
        ORDER BY a.code`,
      asOf ?? null,
    );
    const base = settings?.base ?? null;
    const digits = base ? minorUnits(base) : 2;
    let debits = new Dec(0);
    let credits = new Dec(0);
    const accounts = rows.map((r) => {
      const d = new Dec(r.debits);
      const c = new Dec(r.credits);
      debits = debits.plus(d);
      credits = credits.plus(c);
      return { account: r.code, type: r.type, debits: d.toFixed(digits), credits: c.toFixed(digits), net: d.minus(c).toFixed(digits) };
    });
    return {
      baseCurrency: base,
      asOf: asOf ?? null,
      accounts: accounts.filter((a) => a.debits !== new Dec(0).toFixed(digits) || a.credits !== new Dec(0).toFixed(digits)),
      totals: { debits: debits.toFixed(digits), credits: credits.toFixed(digits) },
      balanced: debits.equals(credits),
      untranslatedPostings: rows.reduce((n, r) => n + r.untranslated, 0),
    };
  }

  async statement(account: string, q: StatementQuery): Promise<AccountStatement> {
    const acct = await this.prisma.ledgerAccount.findUnique({ where: { code: account } });
    if (!acct) throw new LedgerError('unknown-account', `No account "${account}"`);
    const problems: EntryProblem[] = [];
    if (!isIsoDate(q.from)) problems.push({ path: 'from', message: 'must be a calendar date written YYYY-MM-DD' });
    if (!isIsoDate(q.to)) problems.push({ path: 'to', message: 'must be a calendar date written YYYY-MM-DD' });
    if (!problems.length && q.to < q.from) problems.push({ path: 'to', message: `must not be before from (${q.from})` });
    const limit = q.limit ?? 500;
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000) problems.push({ path: 'limit', message: 'must be a whole number from 1 to 5000' });
    const cursor = q.cursor === undefined ? null : /^\d{4}-\d{2}-\d{2}\.\d{1,19}$/.test(q.cursor) ? q.cursor : undefined;
    if (cursor === undefined) problems.push({ path: 'cursor', message: 'is not a cursor this endpoint returned' });
    if (problems.length) throw new LedgerError('invalid-entry', 'The statement cannot be produced', problems);
    const [afterDate, afterId] = cursor ? cursor.split('.') : [null, null];

    // Opening: everything before `from`, plus (when continuing) the earlier lines of the span.
    const opening = await this.prisma.$queryRawUnsafe<Array<{ currency: string; balance: string }>>(
      `SELECT p.currency::text AS currency, SUM(CASE p.side WHEN 'DEBIT' THEN p.amount ELSE -p.amount END)::text AS balance
         FROM postings p JOIN journal_entries e ON e.id = p.entry_id
        WHERE p.account_id = $1::uuid AND ($2::text IS NULL OR p.currency = $2)
          AND (e.accounting_date < $3::date
               OR ($4::date IS NOT NULL AND e.accounting_date <= $5::date AND (e.accounting_date, p.id) <= ($4::date, $6::bigint)))
        GROUP BY p.currency ORDER BY p.currency`,
      acct.id, q.currency ?? null, q.from, afterDate, q.to, afterId,
    );
    const rows = await this.prisma.$queryRawUnsafe<Array<{
      id: string; entry_id: string; accounting_date: Date; description: string; kind: string; booking_ref: string | null; side: 'DEBIT' | 'CREDIT';
      amount: string; currency: string; base_amount: string | null; base_currency: string | null; fx_rate: string | null; fx_rate_source: string | null;
      fx_rate_date: Date | null; translation_rule: string | null; revalues_currency: string | null;
    }>>(
      `SELECT p.id::text AS id, e.id::text AS entry_id, e.accounting_date, e.description::text AS description, e.kind::text AS kind, e.booking_ref::text AS booking_ref,
              p.side::text AS side, p.amount::text AS amount, p.currency::text AS currency, p.base_amount::text AS base_amount, p.base_currency::text AS base_currency,
              p.fx_rate::text AS fx_rate, p.fx_rate_source::text AS fx_rate_source, p.fx_rate_date, p.translation_rule::text AS translation_rule,
              p.revalues_currency::text AS revalues_currency
         FROM postings p JOIN journal_entries e ON e.id = p.entry_id
        WHERE p.account_id = $1::uuid AND ($2::text IS NULL OR p.currency = $2)
          AND e.accounting_date BETWEEN $3::date AND $4::date
          AND ($5::date IS NULL OR (e.accounting_date, p.id) > ($5::date, $6::bigint))
        ORDER BY e.accounting_date, p.id
        LIMIT $7`,
      acct.id, q.currency ?? null, q.from, q.to, afterDate, afterId, limit + 1,
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const running = new Map(opening.map((o) => [o.currency, new Dec(o.balance)]));
    const lines: StatementLine[] = page.map((r) => {
      const value = new Dec(r.amount);
      const after = (running.get(r.currency) ?? new Dec(0)).plus(r.side === 'DEBIT' ? value : value.negated());
      running.set(r.currency, after);
      const digits = minorUnits(r.currency);
      return {
        postingId: r.id,
        entryId: r.entry_id,
        accountingDate: isoDateOf(new Date(r.accounting_date)),
        description: r.description,
        kind: r.kind,
        bookingRef: r.booking_ref,
        side: r.side,
        amount: { amount: value.toFixed(digits), currency: r.currency },
        balance: after.toFixed(digits),
        revalues: r.revalues_currency,
        translation:
          r.base_amount !== null && r.base_currency && r.fx_rate && r.fx_rate_source && r.fx_rate_date
            ? {
                base: { amount: new Dec(r.base_amount).toFixed(minorUnits(r.base_currency)), currency: r.base_currency },
                rate: new Dec(r.fx_rate).toFixed(),
                source: r.fx_rate_source,
                rateDate: isoDateOf(new Date(r.fx_rate_date)),
                rule: r.translation_rule ?? 'IDENTITY',
              }
            : null,
      };
    });
    const fmt = (m: Map<string, Dec>) => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([currency, b]) => ({ currency, balance: b.toFixed(minorUnits(currency)) }));
    const last = page[page.length - 1];
    return {
      account: acct.code,
      name: acct.name,
      from: q.from,
      to: q.to,
      opening: opening.map((o) => ({ currency: o.currency, balance: new Dec(o.balance).toFixed(minorUnits(o.currency)) })),
      lines,
      closing: fmt(running),
      nextCursor: more && last ? `${isoDateOf(new Date(last.accounting_date))}.${last.id}` : null,
    };
  }

  /** Debit and credit totals per account and currency up to `asOf`, optionally for one account. */
  private async sums(asOf?: string, only?: { account: string; currency: string }): Promise<AccountBalance[]> {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ code: string; currency: string; debits: string; credits: string }>>(
      `SELECT a.code, p.currency,
              COALESCE(SUM(p.amount) FILTER (WHERE p.side = 'DEBIT'), 0)::text AS debits,
              COALESCE(SUM(p.amount) FILTER (WHERE p.side = 'CREDIT'), 0)::text AS credits
         FROM postings p
         JOIN journal_entries e ON e.id = p.entry_id
         JOIN ledger_accounts a ON a.id = p.account_id
        WHERE ($1::date IS NULL OR e.accounting_date <= $1::date)
          AND ($2::text IS NULL OR (a.code = $2::text AND p.currency = $3::text))
        GROUP BY a.code, p.currency
        ORDER BY a.code, p.currency`,
      asOf ?? null,
      only?.account ?? null,
      only?.currency ?? null,
    );
    return rows.map((r) => this.toBalance(r.code, r.currency, r.debits, r.credits));
  }

  async definePeriod(name: string, startsOn: string, endsOn: string): Promise<AccountingPeriodView> {
    const problems: EntryProblem[] = [];
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(name)) problems.push({ path: 'name', message: 'must be 1-32 letters, digits, . _ - (e.g. "2027-01")' });
    if (!isIsoDate(startsOn)) problems.push({ path: 'startsOn', message: 'must be a calendar date written YYYY-MM-DD' });
    if (!isIsoDate(endsOn)) problems.push({ path: 'endsOn', message: 'must be a calendar date written YYYY-MM-DD' });
    if (!problems.length && endsOn < startsOn) problems.push({ path: 'endsOn', message: `must not be before startsOn (${startsOn})` });
    if (problems.length) throw new LedgerError('invalid-period', 'The period cannot be defined', problems);

    const same = await this.prisma.accountingPeriod.findUnique({ where: { name } });
    if (same) {
      if (isoDateOf(same.startsOn) === startsOn && isoDateOf(same.endsOn) === endsOn) return toPeriod(same);
      throw new LedgerError('invalid-period', `Period ${name} already exists for ${isoDateOf(same.startsOn)}..${isoDateOf(same.endsOn)}`);
    }
    const overlap = await this.prisma.accountingPeriod.findFirst({ where: { startsOn: { lte: utcDate(endsOn) }, endsOn: { gte: utcDate(startsOn) } } });
    if (overlap) {
      throw new LedgerError('invalid-period', `Period ${name} would overlap period ${overlap.name} (${isoDateOf(overlap.startsOn)}..${isoDateOf(overlap.endsOn)})`);
    }
    return toPeriod(await this.prisma.accountingPeriod.create({ data: { name, startsOn: utcDate(startsOn), endsOn: utcDate(endsOn) } }));
  }

  async closePeriod(name: string, closedBy: string): Promise<AccountingPeriodView> {
    const period = await this.prisma.accountingPeriod.findUnique({ where: { name } });
    if (!period) throw new LedgerError('period-not-found', `No accounting period ${name}`);
    if (period.status === 'CLOSED') return toPeriod(period);
    return toPeriod(await this.prisma.accountingPeriod.update({ where: { name }, data: { status: 'CLOSED', closedAt: new Date(), closedBy } }));
  }

  async listPeriods(page: PageRequest): Promise<Page<AccountingPeriodView>> {
    let after: Prisma.AccountingPeriodWhereInput = {};
    if (page.cursor) {
      const [startsOn, name] = requireCursor(page.cursor, 2) as [string, string];
      after = keysetAfter([
        ['startsOn', cursorDate(startsOn, 'day')],
        ['name', name],
      ]);
    }
    const rows = await this.prisma.accountingPeriod.findMany({ where: after, orderBy: [{ startsOn: 'asc' }, { name: 'asc' }], take: page.limit + 1 });
    return pageOfRows(rows, page.limit, (r) => [isoDateOf(r.startsOn), r.name], toPeriod);
  }

  async getPeriod(name: string): Promise<AccountingPeriodView | null> {
    const row = await this.prisma.accountingPeriod.findUnique({ where: { name } });
    return row ? toPeriod(row) : null;
  }

  private toBalance(account: string, currency: string, debits: string, credits: string): AccountBalance {
    const digits = minorUnits(currency);
    const d = new Dec(debits);
    const c = new Dec(credits);
    return { account, currency, debits: d.toFixed(digits), credits: c.toFixed(digits), net: d.minus(c).toFixed(digits) };
  }

  private findByKey(idempotencyKey: string) {
    return this.prisma.journalEntry.findUnique({ where: { idempotencyKey }, include: { postings: { include: { account: true } } } });
  }

  private replay(existing: EntryRow, contentHash: string): PostedEntry {
    if (existing.contentHash !== contentHash) {
      throw new LedgerError(
        'idempotency-conflict',
        `Idempotency key "${existing.idempotencyKey}" was already used for a different entry (posted ${existing.postedAt.toISOString()})`,
      );
    }
    return toPosted(existing);
  }
}
