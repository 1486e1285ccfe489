import { createHash } from 'node:crypto';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import { canonicalEntry, reversingLines, validateEntry, type EntryDraft, type EntryProblem } from '../domain/ledger/entry';
import { isIsoDate } from '../domain/time/instant';
import { Dec } from '../domain/money/money';
import { minorUnits } from '../domain/money/currency';
import { LedgerError, type AccountBalance, type AccountingPeriodView, type Ledger, type PostedEntry } from './ports/ledger';

type EntryRow = Prisma.JournalEntryGetPayload<{ include: { postings: { include: { account: true } } } }>;

const asDate = (isoDate: string) => new Date(`${isoDate}T00:00:00.000Z`);
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

function toPosted(row: EntryRow): PostedEntry {
  return {
    id: row.id,
    idempotencyKey: row.idempotencyKey,
    description: row.description,
    accountingDate: isoDate(row.accountingDate),
    postedAt: row.postedAt.getTime(),
    reversesId: row.reversesId,
    lines: row.postings
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((p) => ({
        account: p.account.code,
        side: p.side,
        // NUMERIC(20,4) back to the currency's own decimals: exact (the entry was validated on the way in).
        amount: { amount: new Dec(p.amount.toFixed()).toFixed(minorUnits(p.currency)), currency: p.currency },
      })),
  };
}

function toPeriod(p: { name: string; startsOn: Date; endsOn: Date; status: 'OPEN' | 'CLOSED'; closedAt: Date | null; closedBy: string | null }): AccountingPeriodView {
  return { name: p.name, startsOn: isoDate(p.startsOn), endsOn: isoDate(p.endsOn), status: p.status, closedAt: p.closedAt?.getTime() ?? null, closedBy: p.closedBy };
}

/** {@link Ledger} on PostgreSQL/PGlite. One database transaction per entry. */
export class PrismaLedger implements Ledger {
  constructor(private readonly prisma: PrismaClient) {}

  async post(draft: EntryDraft, reversesId: string | null = null): Promise<PostedEntry> {
    const problems = validateEntry(draft);
    if (problems.length) throw new LedgerError('invalid-entry', 'The entry cannot be posted', problems);
    const contentHash = createHash('sha256').update(canonicalEntry(draft)).digest('hex');

    // One round trip for everything the checks need: an entry already under this key, the
    // accounts named, and a closed period covering the date.
    const codes = [...new Set(draft.lines.map((l) => l.account))];
    const placeholders = codes.map((_, i) => `$${i + 3}`).join(', ');
    const facts = await this.prisma.$queryRawUnsafe<Array<{ kind: string; id: string | null; name: string; currency: string | null; active: boolean | null }>>(
      `SELECT 'entry' AS kind, id::text AS id, idempotency_key AS name, NULL::text AS currency, NULL::boolean AS active
         FROM journal_entries WHERE idempotency_key = $1
       UNION ALL
       SELECT 'account', id::text, code, currency::text, is_active FROM ledger_accounts WHERE code IN (${placeholders})
       UNION ALL
       (SELECT 'closed', NULL, name, NULL, NULL FROM accounting_periods
         WHERE status = 'CLOSED' AND $2::date BETWEEN starts_on AND ends_on LIMIT 1)`,
      draft.idempotencyKey,
      draft.accountingDate,
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
      if (account.currency && account.currency !== line.amount.currency) {
        return [{ path: `lines/${i}/amount/currency`, message: `account "${account.name}" holds ${account.currency}, not ${line.amount.currency}` }];
      }
      return [];
    });
    if (refused.length) throw new LedgerError('account-rejects-posting', 'Accounts refuse these postings', refused);

    const closed = facts.find((f) => f.kind === 'closed');
    if (closed) throw new LedgerError('closed-period', `Accounting period ${closed.name} is closed; cannot post on ${draft.accountingDate}`);

    try {
      const row = await this.prisma.journalEntry.create({
        data: {
          idempotencyKey: draft.idempotencyKey,
          contentHash,
          description: draft.description.trim(),
          accountingDate: asDate(draft.accountingDate),
          reversesId,
          postings: {
            create: draft.lines.map((l) => ({ accountId: byCode.get(l.account)!.id!, side: l.side, amount: l.amount.amount, currency: l.amount.currency })),
          },
        },
        select: { id: true, postedAt: true },
      });
      // What was written is exactly the validated draft: answer from it, without reading it back.
      return {
        id: row.id,
        idempotencyKey: draft.idempotencyKey,
        description: draft.description.trim(),
        accountingDate: draft.accountingDate,
        postedAt: row.postedAt.getTime(),
        reversesId,
        lines: draft.lines.map((l) => ({
          account: l.account,
          side: l.side,
          amount: { amount: new Dec(l.amount.amount).toFixed(minorUnits(l.amount.currency)), currency: l.amount.currency },
        })),
      };
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        const target = JSON.stringify(err.meta ?? {});
        if (target.includes('reverses')) throw new LedgerError('already-reversed', `Entry ${reversesId} has already been reversed`);
        // Two posters raced with one key: the first one's entry stands.
        const winner = await this.findByKey(draft.idempotencyKey);
        if (winner) return this.replay(winner, contentHash);
      }
      throw err;
    }
  }

  async reverse(entryId: string, idempotencyKey: string, accountingDate: string, description?: string): Promise<PostedEntry> {
    const original = await this.prisma.journalEntry.findUnique({ where: { id: entryId }, include: { postings: { include: { account: true } } } });
    if (!original) throw new LedgerError('entry-not-found', `No journal entry ${entryId}`);
    const posted = toPosted(original);
    return this.post(
      { idempotencyKey, accountingDate, description: description ?? `Reversal of: ${posted.description}`, lines: reversingLines(posted.lines) },
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
      if (isoDate(same.startsOn) === startsOn && isoDate(same.endsOn) === endsOn) return toPeriod(same);
      throw new LedgerError('invalid-period', `Period ${name} already exists for ${isoDate(same.startsOn)}..${isoDate(same.endsOn)}`);
    }
    const overlap = await this.prisma.accountingPeriod.findFirst({ where: { startsOn: { lte: asDate(endsOn) }, endsOn: { gte: asDate(startsOn) } } });
    if (overlap) {
      throw new LedgerError('invalid-period', `Period ${name} would overlap period ${overlap.name} (${isoDate(overlap.startsOn)}..${isoDate(overlap.endsOn)})`);
    }
    return toPeriod(await this.prisma.accountingPeriod.create({ data: { name, startsOn: asDate(startsOn), endsOn: asDate(endsOn) } }));
  }

  async closePeriod(name: string, closedBy: string): Promise<AccountingPeriodView> {
    const period = await this.prisma.accountingPeriod.findUnique({ where: { name } });
    if (!period) throw new LedgerError('period-not-found', `No accounting period ${name}`);
    if (period.status === 'CLOSED') return toPeriod(period);
    return toPeriod(await this.prisma.accountingPeriod.update({ where: { name }, data: { status: 'CLOSED', closedAt: new Date(), closedBy } }));
  }

  async listPeriods(): Promise<AccountingPeriodView[]> {
    return (await this.prisma.accountingPeriod.findMany({ orderBy: { startsOn: 'asc' } })).map(toPeriod);
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
