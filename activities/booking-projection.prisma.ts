import { LIFECYCLE_STATUSES, type LifecycleView } from '../domain/booking/model';
import { minorUnits } from '../domain/money/currency';
import { Dec, type MoneyJson } from '../domain/money/money';
import { isIsoDate, isoDateOf, startOfDateUtc } from '../domain/time/instant';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { BookingStatus } from '../generated/prisma/enums';
import { rawQuery, type RawSql } from './bulk-insert';
import { PrismaCustomerLinks, type TravelHistoryWriter } from './customer-links';

/** One booking in a list: what advisors and ops filter and sort on (the detail is `get`). */
export interface BookingSummary {
  reference: string;
  status: string;
  customerId: string;
  advisorId: string | null;
  travelDate: string;
  returnDate: string | null;
  total: MoneyJson;
  paid: MoneyJson;
  balanceDue: MoneyJson;
  needsManualReview: boolean;
  /** Epoch ms of the last projection write. */
  updatedAt: number;
}

export interface BookingListFilter {
  status?: string;
  customerId?: string;
  advisorId?: string;
  /** Only bookings of these advisors (an advisor's branch); an empty list matches none. */
  advisorIds?: readonly string[];
  /** Travel date from / to, inclusive (YYYY-MM-DD). */
  travelFrom?: string;
  travelTo?: string;
  /** 1..200, default 50. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface BookingProblem {
  path: string;
  message: string;
}

/** A list filter that cannot be answered as given; `problems` names each bad field. */
export class BookingQueryError extends Error {
  constructor(readonly problems: BookingProblem[]) {
    super(`Invalid booking filter: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'BookingQueryError';
  }
}

/** A projection the database cannot hold as given (a reference too long, a bad date). */
export class BookingProjectionInvalid extends Error {
  constructor(readonly problems: BookingProblem[]) {
    super(`Booking view cannot be stored: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'BookingProjectionInvalid';
  }
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
/** Every status a bookings row can have (the lifecycle's, which include the first slice's DRAFT/EXPIRED). */
const STATUSES: readonly string[] = LIFECYCLE_STATUSES;

function money(amount: Prisma.Decimal, currency: string): MoneyJson {
  return { amount: new Dec(amount.toString()).toFixed(minorUnits(currency), Dec.ROUND_HALF_EVEN), currency };
}

function encodeCursor(travelDate: string, reference: string): string {
  return Buffer.from(JSON.stringify([travelDate, reference])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] | null {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === 2 && typeof key[0] === 'string' && isIsoDate(key[0]) && typeof key[1] === 'string') return [key[0], key[1]];
  } catch {
    // reported below
  }
  return null;
}

/** The component kinds of a booking ("FLIGHT+HOTEL+TRANSFER"), at most 64 characters. */
export function productCodeOf(view: Pick<LifecycleView, 'components'>): string {
  const code = view.components.map((c) => c.kind).join('+');
  return (code === '' ? 'NONE' : code).slice(0, 64);
}

function checkView(view: LifecycleView): BookingProblem[] {
  const problems: BookingProblem[] = [];
  const text = (path: string, value: unknown, max: number, optional = false) => {
    if (optional && (value === null || value === undefined)) return;
    if (typeof value !== 'string' || value === '' || value.length > max) problems.push({ path, message: `must be 1 to ${max} characters` });
  };
  text('reference', view.reference, 16);
  text('customerId', view.customerId, 64);
  text('advisorId', view.advisorId, 64, true);
  text('channel', view.channel, 16);
  if (!STATUSES.includes(view.status)) problems.push({ path: 'status', message: `must be one of ${STATUSES.join(', ')}` });
  for (const field of ['departureDate', 'returnDate'] as const) if (!isIsoDate(view[field])) problems.push({ path: field, message: 'must be a date YYYY-MM-DD' });
  for (const field of ['total', 'paid', 'balanceDue'] as const) {
    const m = view[field];
    if (m?.currency !== view.currency || !/^-?\d+(\.\d+)?$/.test(m.amount)) problems.push({ path: field, message: `must be an amount in ${view.currency}` });
  }
  if (!Number.isInteger(view.version) || view.version < 0) problems.push({ path: 'version', message: 'must be a whole number >= 0' });
  return problems;
}

/**
 * The `bookings` rows as the booking workflows report them: one row per reference, written by
 * {@link PrismaBookingProjection.save} with the workflow's whole view; read by the API's list and
 * detail routes. A COMPLETED view of a CRM customer also joins the customer's travel history
 * (see {@link PrismaCustomerLinks.recordCompletedBooking}).
 */
export class PrismaBookingProjection {
  /** Where `save` runs: the driver when given (each step's write carries the whole view as JSON, which Prisma would serialise again), else Prisma. */
  private readonly sql: RawSql;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly history: TravelHistoryWriter = new PrismaCustomerLinks(prisma),
    sql?: RawSql,
  ) {
    this.sql = sql ?? prisma;
  }

  /**
   * Upserts the row of `view.reference` in ONE statement, and only when the stored version is lower:
   * a retried or late write of an older view changes nothing (never goes backwards). True when
   * the row was written.
   */
  async save(view: LifecycleView): Promise<boolean> {
    const problems = checkView(view);
    if (problems.length) throw new BookingProjectionInvalid(problems);
    const expiresAt = new Date(view.holdExpiresAt ?? startOfDateUtc(view.departureDate));
    const written = await rawQuery(
      this.sql,
      `INSERT INTO bookings (id, reference, workflow_id, customer_id, advisor_id, product_code, travel_date, return_date, channel,
                            amount, currency, paid, balance_due, status, needs_manual_review, version, snapshot, expires_at, updated_at)
      VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::date, $7::date, $8, $9::numeric, $10, $11::numeric, $12::numeric,
              $13::"BookingStatus", $14, $15, $16::jsonb, $17::timestamptz, now())
      ON CONFLICT (reference) DO UPDATE SET
        customer_id = EXCLUDED.customer_id, advisor_id = EXCLUDED.advisor_id, product_code = EXCLUDED.product_code,
        travel_date = EXCLUDED.travel_date, return_date = EXCLUDED.return_date, channel = EXCLUDED.channel,
        amount = EXCLUDED.amount, currency = EXCLUDED.currency, paid = EXCLUDED.paid, balance_due = EXCLUDED.balance_due,
        status = EXCLUDED.status, needs_manual_review = EXCLUDED.needs_manual_review, version = EXCLUDED.version,
        snapshot = EXCLUDED.snapshot, expires_at = EXCLUDED.expires_at, updated_at = now()
      WHERE bookings.version < EXCLUDED.version
      RETURNING 1 AS n`,
      [
        view.reference,
        `booking-${view.reference}`,
        view.customerId,
        view.advisorId ?? null,
        productCodeOf(view),
        view.departureDate,
        view.returnDate,
        view.channel,
        view.total.amount,
        view.currency,
        view.paid.amount,
        view.balanceDue.amount,
        view.status,
        view.needsManualReview,
        view.version,
        JSON.stringify(view),
        expiresAt,
      ],
    );
    // Also when the row was already newer: a retry after a crash between the two writes converges
    // (the trip is keyed by `booking:<reference>` and written once).
    if (view.status === 'COMPLETED') await this.history.recordCompletedBooking(view);
    return written.length === 1;
  }

  /** Bookings newest travel date first (then reference, descending), `limit` per page. */
  async list(filter: BookingListFilter): Promise<{ items: BookingSummary[]; nextCursor: string | null }> {
    const problems: BookingProblem[] = [];
    if (filter.status !== undefined && !STATUSES.includes(filter.status)) problems.push({ path: 'status', message: `must be one of ${STATUSES.join(', ')}` });
    for (const field of ['travelFrom', 'travelTo'] as const) {
      const value = filter[field];
      if (value !== undefined && !isIsoDate(value)) problems.push({ path: field, message: 'must be a date YYYY-MM-DD' });
    }
    const limit = filter.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) problems.push({ path: 'limit', message: `must be a whole number from 1 to ${MAX_LIMIT}` });
    const after = filter.cursor === undefined ? null : decodeCursor(filter.cursor);
    if (filter.cursor !== undefined && after === null) problems.push({ path: 'cursor', message: 'is not a nextCursor this list returned' });
    if (problems.length) throw new BookingQueryError(problems);

    const where: Prisma.BookingWhereInput[] = [];
    if (filter.status !== undefined) where.push({ status: filter.status as BookingStatus });
    if (filter.customerId !== undefined) where.push({ customerId: filter.customerId });
    if (filter.advisorId !== undefined) where.push({ advisorId: filter.advisorId });
    if (filter.advisorIds !== undefined) where.push({ advisorId: { in: [...filter.advisorIds] } });
    if (filter.travelFrom !== undefined) where.push({ travelDate: { gte: new Date(startOfDateUtc(filter.travelFrom)) } });
    if (filter.travelTo !== undefined) where.push({ travelDate: { lte: new Date(startOfDateUtc(filter.travelTo)) } });
    if (after) {
      const date = new Date(startOfDateUtc(after[0]));
      where.push({ OR: [{ travelDate: { lt: date } }, { travelDate: date, reference: { lt: after[1] } }] });
    }
    const rows = await this.prisma.booking.findMany({ where: { AND: where }, orderBy: [{ travelDate: 'desc' }, { reference: 'desc' }], take: limit + 1 });
    const page = rows.slice(0, limit);
    const items = page.map(
      (r): BookingSummary => ({
        reference: r.reference,
        status: r.status,
        customerId: r.customerId,
        advisorId: r.advisorId,
        travelDate: isoDateOf(r.travelDate),
        returnDate: r.returnDate ? isoDateOf(r.returnDate) : null,
        total: money(r.amount, r.currency),
        paid: money(r.paid, r.currency),
        balanceDue: money(r.balanceDue, r.currency),
        needsManualReview: r.needsManualReview,
        updatedAt: r.updatedAt.getTime(),
      }),
    );
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(isoDateOf(last.travelDate), last.reference) : null };
  }

  /** The workflow's view as last projected, or null (unknown reference, or a first-slice draft without one). */
  async get(reference: string): Promise<LifecycleView | null> {
    const row = await this.prisma.booking.findUnique({ where: { reference }, select: { snapshot: true } });
    return (row?.snapshot as LifecycleView | null | undefined) ?? null;
  }
}
