import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { decodeCursor, encodeCursor } from '../../activities/keyset-cursor';
import { LedgerError, type Ledger } from '../../activities/ports/ledger';
import { minorUnits } from '../../domain/money/currency';
import { isoDateOf, utcDate } from '../../domain/time/instant';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import { NotFoundProblem, parseOrProblem, ProblemError, queryOf, type FieldError } from '../problem';
import { CreateJournalEntryRequest, JournalEntryListQuery, JournalEntryPath, ReverseJournalEntryRequest } from '../schemas/journal-entries.schema';

export interface JournalEntryRouteDeps {
  ledger: Ledger;
  prisma: PrismaClient;
}

/** Manual entries are keyed `manual:<reference>` in the ledger, apart from the keys workflows use. */
const MANUAL_PREFIX = 'manual:';
export const MANUAL_KIND = 'manual';

export interface JournalEntryView {
  id: string;
  /** The caller's reference (manual entries), or the ledger key of the entry. */
  reference: string;
  kind: string;
  description: string;
  date: string;
  postedAt: string;
  bookingRef: string | null;
  reversesId: string | null;
  lines: Array<{ account: string; side: 'DEBIT' | 'CREDIT'; amount: { amount: string; currency: string } }>;
}

const INCLUDE = { postings: { orderBy: { id: 'asc' }, include: { account: { select: { code: true } } } } } satisfies Prisma.JournalEntryInclude;
type EntryRow = Prisma.JournalEntryGetPayload<{ include: typeof INCLUDE }>;

function view(e: EntryRow): JournalEntryView {
  return {
    id: e.id,
    reference: e.idempotencyKey.startsWith(MANUAL_PREFIX) ? e.idempotencyKey.slice(MANUAL_PREFIX.length) : e.idempotencyKey,
    kind: e.kind,
    description: e.description,
    date: isoDateOf(e.accountingDate),
    postedAt: e.postedAt.toISOString(),
    bookingRef: e.bookingRef,
    reversesId: e.reversesId,
    lines: e.postings.map((p) => ({ account: p.account.code, side: p.side, amount: { amount: p.amount.toFixed(minorUnits(p.currency)), currency: p.currency } })),
  };
}

/** Where a ledger problem points in this route's body: the ledger says `accountingDate`, the body `date`. */
function pointer(path: string): string {
  if (path === 'accountingDate') return '/date';
  if (path === 'idempotencyKey') return '/reference';
  if (path.startsWith('(')) return '/lines';
  return `/${path}`;
}

/** A ledger refusal as a problem naming the field: unbalanced 422, unknown account 404, closed period or reused reference 409. */
function refusal(err: LedgerError): ProblemError {
  const errors: FieldError[] = err.problems.map((p) => ({ pointer: pointer(p.path), detail: p.message }));
  switch (err.kind) {
    case 'unknown-account':
      return new ProblemError(404, 'Unknown account', err.message, '/problems/ledger-unknown-account', { errors });
    case 'closed-period':
      return new ProblemError(409, 'Period closed', err.message, '/problems/ledger-closed-period', { errors: [{ pointer: '/date', detail: err.message }] });
    case 'idempotency-conflict':
      return new ProblemError(409, 'Reference already used', err.message, '/problems/ledger-idempotency-conflict', {
        errors: [{ pointer: '/reference', detail: 'an entry with other content was already posted under this reference' }],
      });
    default:
      return new ProblemError(422, 'Entry refused', err.message, `/problems/ledger-${err.kind}`, { errors: errors.length ? errors : [{ pointer: '/', detail: err.message }] });
  }
}

/**
 * Manual journal entries (issue 9; `ledger:post` with step-up MFA): a balanced entry posted
 * through the Ledger port, one statement, nothing half-written; listed and read back.
 */
export function journalEntryRoutes(deps: JournalEntryRouteDeps): Router {
  const router = Router();
  const { ledger, prisma } = deps;
  const load = async (id: string) => {
    const row = await prisma.journalEntry.findUnique({ where: { id }, include: INCLUDE });
    return row ? view(row) : null;
  };

  router.post('/finance/journal-entries', async (req, res) => {
    const body = parseOrProblem(CreateJournalEntryRequest, req.body, '');
    const key = `${MANUAL_PREFIX}${body.reference ?? randomUUID()}`;
    const existed = body.reference ? (await prisma.journalEntry.findUnique({ where: { idempotencyKey: key }, select: { id: true } })) !== null : false;
    let posted;
    try {
      posted = await ledger.post({ idempotencyKey: key, description: body.description, accountingDate: body.date, kind: MANUAL_KIND, lines: body.lines });
    } catch (err) {
      if (err instanceof LedgerError) throw refusal(err);
      throw err;
    }
    const entry = await load(posted.id);
    res
      .status(existed ? 200 : 201)
      .location(`/finance/journal-entries/${posted.id}`)
      .json(entry);
  });

  // A manual entry posted in error is undone by a reversing entry, never edited or deleted. Entries
  // the system posted (a booking's payments and sales, revaluations) are corrected through what
  // posted them, so the ledger and the booking never disagree.
  router.post('/finance/journal-entries/:id/reversal', async (req, res) => {
    const { id } = parseOrProblem(JournalEntryPath, { id: req.params.id }, 'path:', 400);
    const body = parseOrProblem(ReverseJournalEntryRequest, req.body, '');
    const original = await prisma.journalEntry.findUnique({ where: { id }, select: { kind: true } });
    if (!original) throw new NotFoundProblem(`No journal entry ${id}`);
    if (original.kind !== MANUAL_KIND) {
      throw new ProblemError(409, 'Not a manual entry', `Entry ${id} was posted by the system (${original.kind}); correct it through what posted it, such as the booking`, '/problems/journal-entry-not-manual', {
        errors: [{ pointer: 'path:/id', detail: `a ${original.kind} entry; only manual entries are reversed here` }],
      });
    }
    // The ledger decides what "the same reversal" is (its key and content): it answers the first
    // again, and refuses any other. Whether one stood before tells 201 from 200.
    const before = await prisma.journalEntry.findUnique({ where: { reversesId: id }, select: { id: true } });
    let posted;
    try {
      posted = await ledger.reverse(id, `${MANUAL_PREFIX}reversal-of:${id}`, body.date, body.description);
    } catch (err) {
      if (err instanceof LedgerError && (err.kind === 'already-reversed' || err.kind === 'idempotency-conflict')) {
        throw new ProblemError(409, 'Already reversed', `Entry ${id} has already been reversed`, '/problems/ledger-already-reversed', {
          errors: [{ pointer: 'path:/id', detail: 'an entry is reversed once; the reversal is listed with reversesId set to this id' }],
        });
      }
      if (err instanceof LedgerError) throw refusal(err);
      throw err;
    }
    res
      .status(before?.id === posted.id ? 200 : 201)
      .location(`/finance/journal-entries/${posted.id}`)
      .json(await load(posted.id));
  });

  router.get('/finance/journal-entries', async (req, res) => {
    const q = parseOrProblem(JournalEntryListQuery, queryOf(req), 'query:', 400);
    const where: Prisma.JournalEntryWhereInput[] = [];
    if (q.from || q.to) where.push({ accountingDate: { ...(q.from ? { gte: utcDate(q.from) } : {}), ...(q.to ? { lte: utcDate(q.to) } : {}) } });
    if (q.kind) where.push({ kind: q.kind });
    if (q.bookingRef) where.push({ bookingRef: q.bookingRef });
    if (q.reference) where.push({ idempotencyKey: { in: [q.reference, `${MANUAL_PREFIX}${q.reference}`] } });
    if (q.account) where.push({ postings: { some: { account: { code: q.account } } } });
    if (q.cursor) {
      const parts = decodeCursor(q.cursor, 2);
      const at = parts ? new Date(parts[0]!) : null;
      if (!parts || !at || Number.isNaN(at.getTime())) {
        throw new ProblemError(400, 'Invalid request', 'cursor is not one this endpoint returned', '/problems/invalid-cursor', { errors: [{ pointer: 'query:/cursor', detail: 'must be a nextCursor this endpoint returned' }] });
      }
      where.push({ OR: [{ postedAt: { lt: at } }, { postedAt: at, id: { lt: parts[1]! } }] });
    }
    const rows = await prisma.journalEntry.findMany({ where: { AND: where }, include: INCLUDE, orderBy: [{ postedAt: 'desc' }, { id: 'desc' }], take: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({ items: page.map(view), nextCursor: rows.length > q.limit && last ? encodeCursor([last.postedAt.toISOString(), last.id]) : null });
  });

  router.get('/finance/journal-entries/:id', async (req, res) => {
    const { id } = parseOrProblem(JournalEntryPath, { id: req.params.id }, 'path:', 400);
    const entry = await load(id);
    if (!entry) throw new NotFoundProblem(`No journal entry ${id}`);
    res.json(entry);
  });

  return router;
}
