import { addDays, daysBetween } from '../domain/catalog/dates';
import { isCurrencyCode } from '../domain/money/currency';
import { checkAmount, Dec, Money } from '../domain/money/money';
import { isIsoDate, isoDateOf, utcDate, type Instant } from '../domain/time/instant';
import type { PrismaClient } from '../generated/prisma/client';
import { connectionsCarrying } from './channel-config.prisma';

/**
 * Distribution rates (issue 6): the rate Itinera wants on every channel (`channel_rates`, one row
 * per hotel × room type × rate plan × night × guests), the coordinated operations that change them
 * (`channel_rate_operations`), what each connection acknowledged (`channel_rate_acks`, written by
 * the inventory-sync lanes), and the parity between the two.
 *
 * ## Parity, per night × room type × rate plan × guests × connection carrying the property
 * - IN_PARITY: the connection acknowledged the same amount and currency Itinera wants (whichever
 *   operation set it).
 * - PENDING: not acknowledged yet (no ack, or the ack holds another operation's different rate)
 *   while the desired rate's operation is younger than the grace period (`parityGraceMs`, default
 *   10 minutes): the push is still on its way.
 * - OUT_OF_PARITY: the channel shows a different rate and it is not just in flight:
 *   - `stale-rate`: the ack holds a different amount/currency and the desired operation is older
 *     than the grace period;
 *   - `never-acknowledged`: no ack at all once the grace period is over;
 *   - `acknowledged-different`: the ack names the desired operation but another amount/currency
 *     (the channel or the lane recorded something else than was asked: never expected).
 * `findParityBreaks` lists exactly the OUT_OF_PARITY entries.
 *
 * An operation sets only the occupancies it lists: rows of other occupancies stay as they were.
 */

export type ChannelRatesErrorKind = 'invalid' | 'unknown-property' | 'not-found';

export interface RateProblem {
  /** Field path ("amounts/1/amount"); "" for the whole request. */
  path: string;
  message: string;
}

export class ChannelRatesError extends Error {
  constructor(
    readonly kind: ChannelRatesErrorKind,
    message: string,
    readonly problems: RateProblem[] = [],
  ) {
    super(message);
    this.name = 'ChannelRatesError';
  }
}

const invalid = (problems: RateProblem[]) =>
  new ChannelRatesError('invalid', `Invalid rate change: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`, problems);

/** Longest range one operation may change. */
export const MAX_RATE_NIGHTS = 366;
/** Longest range a parity read covers. */
export const MAX_PARITY_NIGHTS = 366;
/** Default grace period before a missing or different acknowledgement counts as out of parity. */
export const DEFAULT_PARITY_GRACE_MS = 10 * 60_000;

export interface RateOperationInput {
  hotelCode: string;
  roomType: string;
  ratePlan: string;
  /** First night, inclusive. */
  start: string;
  /** Last night, inclusive. */
  end: string;
  currency: string;
  /** Per occupancy, ascending by guests, unique; amount per room per night, decimal string. */
  amounts: { guests: number; amount: string }[];
}

export type RateOperationStatus = 'PENDING' | 'ACKNOWLEDGED' | 'FAILED';

export interface ConnectionAckDetail {
  status: 'PENDING' | 'ACKNOWLEDGED' | 'FAILED';
  /** Rows (night × guests) this connection acknowledged for the operation (or a newer one). */
  acknowledged: number;
  total: number;
  /** ISO instant of the latest of those acknowledgements. */
  ackedAt: string | null;
  error: string | null;
}

export interface RateOperationView {
  id: string;
  hotelCode: string;
  roomType: string;
  ratePlan: string;
  start: string;
  end: string;
  currency: string;
  amounts: { guests: number; amount: string }[];
  status: RateOperationStatus;
  /** Per connection. */
  detail: Record<string, ConnectionAckDetail>;
  nights: number;
  /** Rows written: nights × occupancies. */
  rows: number;
  createdAt: string;
  completedAt: string | null;
}

export interface CreatedRateOperation {
  operationId: string;
  hotelCode: string;
  status: 'PENDING';
  nights: number;
  rows: number;
  /** Connections carrying the property when the operation was created. */
  channels: string[];
  createdAt: string;
}

/** How far each connection is in acknowledging one operation (polled by RateOperationWorkflow). */
export interface RateAckProgress {
  operationId: string;
  hotelCode: string;
  status: RateOperationStatus;
  /** Rows each connection must acknowledge. */
  total: number;
  connections: { connection: string; acknowledged: number; total: number; done: boolean; lastAckAt: Instant | null; lastError: string | null }[];
}

export type ParityStatus = 'IN_PARITY' | 'PENDING' | 'OUT_OF_PARITY';
export type ParityReason = 'acknowledged' | 'awaiting-ack' | 'stale-rate' | 'never-acknowledged' | 'acknowledged-different';

export interface ChannelParity {
  connection: string;
  status: ParityStatus;
  reason: ParityReason;
  acknowledged: { amount: string; currency: string; operationId: string; ackedAt: string } | null;
}

export interface ParityEntry {
  date: string;
  roomType: string;
  ratePlan: string;
  guests: number;
  desired: { amount: string; currency: string; operationId: string };
  /** Worst of the channels (OUT_OF_PARITY > PENDING > IN_PARITY); IN_PARITY when no channel carries it. */
  status: ParityStatus;
  channels: ChannelParity[];
}

export interface ParityReport {
  hotelCode: string;
  from: string;
  to: string;
  asOf: string;
  graceMs: number;
  connections: string[];
  summary: Record<ParityStatus, number>;
  entries: ParityEntry[];
}

export interface ParityBreak {
  hotelCode: string;
  connection: string;
  date: string;
  roomType: string;
  ratePlan: string;
  guests: number;
  reason: ParityReason;
  desired: { amount: string; currency: string; operationId: string };
  acknowledged: { amount: string; currency: string; operationId: string; ackedAt: string } | null;
}

/**
 * The parity rule (see the module comment): `desiredSetAt` is when the desired rate's operation
 * was created (null when unknown: treated as old).
 */
export function classifyParity(
  desired: { amount: string; currency: string; operationId: string; setAt: Instant | null },
  ack: { amount: string; currency: string; operationId: string } | null,
  now: Instant,
  graceMs: number,
): { status: ParityStatus; reason: ParityReason } {
  if (ack && ack.currency === desired.currency && new Dec(ack.amount).equals(new Dec(desired.amount))) return { status: 'IN_PARITY', reason: 'acknowledged' };
  if (ack && ack.operationId === desired.operationId) return { status: 'OUT_OF_PARITY', reason: 'acknowledged-different' };
  const inFlight = desired.setAt !== null && now - desired.setAt < graceMs;
  if (inFlight) return { status: 'PENDING', reason: 'awaiting-ack' };
  return { status: 'OUT_OF_PARITY', reason: ack ? 'stale-rate' : 'never-acknowledged' };
}

const RANK: Record<ParityStatus, number> = { IN_PARITY: 0, PENDING: 1, OUT_OF_PARITY: 2 };

/** An amount shown with its currency's decimal places (stored NUMERIC(18,4) otherwise shows "120.0000"). */
function shown(amount: string, currency: string): string {
  return isCurrencyCode(currency) ? Money.of(amount, currency).toFixed() : new Dec(amount).toFixed();
}

// ---------------------------------------------------------------------------------------------
// Input checks

function checkRateInput(raw: unknown): RateOperationInput {
  const problems: RateProblem[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid([{ path: '', message: 'must be a JSON object' }]);
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!['hotelCode', 'roomType', 'ratePlan', 'start', 'end', 'currency', 'amounts'].includes(key)) problems.push({ path: key, message: 'is not a known field' });
  }
  for (const field of ['hotelCode', 'roomType', 'ratePlan'] as const) {
    const v = input[field];
    if (typeof v !== 'string' || v.length === 0) problems.push({ path: field, message: v === undefined ? 'is required' : 'must be a non-empty string' });
    else if (v.length > (field === 'hotelCode' ? 48 : 32)) problems.push({ path: field, message: `must be at most ${field === 'hotelCode' ? 48 : 32} characters` });
  }
  const dateOk = (field: 'start' | 'end') => {
    const v = input[field];
    if (typeof v === 'string' && isIsoDate(v)) return true;
    problems.push({ path: field, message: v === undefined ? 'is required' : 'must be a calendar date written YYYY-MM-DD' });
    return false;
  };
  const startOk = dateOk('start');
  const endOk = dateOk('end');
  if (startOk && endOk) {
    const nights = daysBetween(input.start as string, input.end as string) + 1;
    if (nights < 1) problems.push({ path: 'end', message: `${String(input.end)} is before start ${String(input.start)} (the range is inclusive: end may equal start)` });
    else if (nights > MAX_RATE_NIGHTS) problems.push({ path: 'end', message: `covers ${nights} nights; at most ${MAX_RATE_NIGHTS} per operation` });
  }
  const currency = input.currency;
  const currencyOk = typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) && isCurrencyCode(currency);
  if (!currencyOk) problems.push({ path: 'currency', message: currency === undefined ? 'is required: every amount needs its currency' : `${JSON.stringify(currency)} is not an ISO 4217 currency code` });
  const amounts = input.amounts;
  if (!Array.isArray(amounts) || amounts.length === 0) {
    problems.push({ path: 'amounts', message: amounts === undefined ? 'is required' : 'must list at least one {guests, amount}' });
  } else if (amounts.length > 20) {
    problems.push({ path: 'amounts', message: 'must list at most 20 occupancies' });
  } else {
    let previous = 0;
    amounts.forEach((a: unknown, i) => {
      if (typeof a !== 'object' || a === null || Array.isArray(a)) return void problems.push({ path: `amounts/${i}`, message: 'must be {guests, amount}' });
      const { guests, amount, ...rest } = a as Record<string, unknown>;
      for (const key of Object.keys(rest)) problems.push({ path: `amounts/${i}/${key}`, message: 'is not a known field' });
      if (typeof guests !== 'number' || !Number.isInteger(guests) || guests < 1) {
        problems.push({ path: `amounts/${i}/guests`, message: guests === undefined ? 'is required' : 'must be a whole number of at least 1' });
      } else {
        if (guests <= previous) problems.push({ path: `amounts/${i}/guests`, message: `must be ascending and unique (${guests} after ${previous})` });
        previous = guests;
      }
      if (typeof amount !== 'string') {
        problems.push({ path: `amounts/${i}/amount`, message: amount === undefined ? 'is required' : 'must be a decimal string such as "149.90", never a JSON number' });
      } else {
        const moneyProblems = checkAmount(amount, currencyOk ? (currency as string) : '');
        for (const p of moneyProblems) problems.push({ path: `amounts/${i}/amount`, message: p.message });
        if (moneyProblems.length === 0 && new Dec(amount).isZero()) problems.push({ path: `amounts/${i}/amount`, message: 'must be greater than zero' });
      }
    });
  }
  if (problems.length) throw invalid(problems);
  return input as unknown as RateOperationInput;
}

function checkRange(from: string, to: string): void {
  const problems: RateProblem[] = [];
  if (!isIsoDate(from)) problems.push({ path: 'from', message: 'must be a calendar date written YYYY-MM-DD' });
  if (!isIsoDate(to)) problems.push({ path: 'to', message: 'must be a calendar date written YYYY-MM-DD' });
  if (!problems.length) {
    const nights = daysBetween(from, to) + 1;
    if (nights < 1) problems.push({ path: 'to', message: `${to} is before from ${from}` });
    else if (nights > MAX_PARITY_NIGHTS) problems.push({ path: 'to', message: `covers ${nights} nights; at most ${MAX_PARITY_NIGHTS}` });
  }
  if (problems.length) throw new ChannelRatesError('invalid', `Invalid range: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}

// ---------------------------------------------------------------------------------------------

interface ParityRow {
  hotel_code: string;
  room_type: string;
  rate_plan: string;
  stay_date: string;
  guests: number;
  amount: string;
  currency: string;
  operation_id: string;
  op_created: Date | null;
  conn: string | null;
  a_amount: string | null;
  a_currency: string | null;
  a_op: string | null;
  a_acked: Date | null;
}

export interface ChannelRatesOptions {
  /** Grace period for parity (default 10 minutes). */
  parityGraceMs?: number;
}

export class PrismaChannelRates {
  readonly parityGraceMs: number;

  constructor(
    private readonly prisma: PrismaClient,
    options: ChannelRatesOptions = {},
  ) {
    this.parityGraceMs = options.parityGraceMs ?? DEFAULT_PARITY_GRACE_MS;
  }

  /**
   * Validates a rate change and writes, in one transaction, the PENDING operation and its desired
   * rates (nights × occupancies rows, replacing what earlier operations set for those rows). A bad
   * request writes nothing. Operations of a property get strictly increasing creation instants, so
   * "this operation or a newer one" is well defined.
   */
  async createRateOperation(raw: unknown, now: Instant = Date.now()): Promise<CreatedRateOperation> {
    const input = checkRateInput(raw);
    const nights = daysBetween(input.start, input.end) + 1;
    const dates = Array.from({ length: nights }, (_, i) => addDays(input.start, i));
    const rows = nights * input.amounts.length;
    const created = await this.prisma.$transaction(
      async (tx) => {
        const property = await tx.channelProperty.findUnique({ where: { hotelCode: input.hotelCode } });
        if (!property) throw new ChannelRatesError('unknown-property', `No channel property ${input.hotelCode}`, [{ path: 'hotelCode', message: `no channel property ${input.hotelCode}` }]);
        const category = await tx.productCategory.findUnique({ where: { productId_code: { productId: property.productId, code: input.roomType } } });
        const problems: RateProblem[] = [];
        if (!category) {
          problems.push({ path: 'roomType', message: `${input.roomType} is not a room type (category) of ${input.hotelCode}` });
        } else {
          const plan = await tx.productRate.findFirst({ where: { productId: property.productId, category: input.roomType, ratePlan: input.ratePlan }, select: { id: true } });
          if (!plan) problems.push({ path: 'ratePlan', message: `${input.ratePlan} is not a rate plan of room type ${input.roomType} at ${input.hotelCode}` });
          input.amounts.forEach((a, i) => {
            if (a.guests > category.maxOccupancy) problems.push({ path: `amounts/${i}/guests`, message: `${a.guests} exceeds the maximum occupancy of ${input.roomType} (${category.maxOccupancy})` });
          });
        }
        if (problems.length) throw invalid(problems);
        const last = await tx.channelRateOperation.findFirst({ where: { hotelCode: input.hotelCode }, orderBy: { createdAt: 'desc' }, select: { createdAt: true } });
        const createdAt = new Date(Math.max(now, (last?.createdAt.getTime() ?? 0) + 1));
        const op = await tx.channelRateOperation.create({
          data: {
            hotelCode: input.hotelCode,
            roomType: input.roomType,
            ratePlan: input.ratePlan,
            dateFrom: utcDate(input.start),
            dateTo: utcDate(input.end),
            currency: input.currency,
            amounts: input.amounts.map((a) => ({ guests: a.guests, amount: Money.of(a.amount, input.currency).toFixed() })),
            status: 'PENDING',
            createdAt,
          },
        });
        const scope = {
          hotelCode: input.hotelCode,
          roomType: input.roomType,
          ratePlan: input.ratePlan,
          stayDate: { gte: utcDate(input.start), lte: utcDate(input.end) },
          guests: { in: input.amounts.map((a) => a.guests) },
        };
        await tx.channelRate.deleteMany({ where: scope });
        await tx.channelRate.createMany({
          data: dates.flatMap((d) =>
            input.amounts.map((a) => ({
              hotelCode: input.hotelCode,
              roomType: input.roomType,
              ratePlan: input.ratePlan,
              stayDate: utcDate(d),
              guests: a.guests,
              amount: a.amount,
              currency: input.currency,
              operationId: op.id,
              updatedAt: createdAt,
            })),
          ),
        });
        return op;
      },
      { timeout: 30_000 },
    );
    return {
      operationId: created.id,
      hotelCode: input.hotelCode,
      status: 'PENDING',
      nights,
      rows,
      channels: await connectionsCarrying(this.prisma, input.hotelCode),
      createdAt: created.createdAt.toISOString(),
    };
  }

  async getOperation(id: string): Promise<RateOperationView | null> {
    const op = await this.prisma.channelRateOperation.findUnique({ where: { id } });
    if (!op) return null;
    const amounts = op.amounts as { guests: number; amount: string }[];
    const start = isoDateOf(op.dateFrom);
    const end = isoDateOf(op.dateTo);
    const nights = daysBetween(start, end) + 1;
    return {
      id: op.id,
      hotelCode: op.hotelCode,
      roomType: op.roomType,
      ratePlan: op.ratePlan,
      start,
      end,
      currency: op.currency,
      amounts,
      status: op.status as RateOperationStatus,
      detail: op.detail as unknown as Record<string, ConnectionAckDetail>,
      nights,
      rows: nights * amounts.length,
      createdAt: op.createdAt.toISOString(),
      completedAt: op.completedAt?.toISOString() ?? null,
    };
  }

  /**
   * How far each active connection carrying the property is in acknowledging the operation: a row
   * counts when its ack names this operation or one created after it (a newer rate superseded it).
   */
  async ackProgress(operationId: string): Promise<RateAckProgress> {
    const op = await this.prisma.channelRateOperation.findUnique({ where: { id: operationId } });
    if (!op) throw new ChannelRatesError('not-found', `No channel rate operation ${operationId}`);
    const guests = (op.amounts as { guests: number }[]).map((a) => a.guests);
    const total = (daysBetween(isoDateOf(op.dateFrom), isoDateOf(op.dateTo)) + 1) * guests.length;
    const connections = await connectionsCarrying(this.prisma, op.hotelCode);
    const newer = await this.prisma.channelRateOperation.findMany({
      where: { hotelCode: op.hotelCode, roomType: op.roomType, ratePlan: op.ratePlan, createdAt: { gte: op.createdAt } },
      select: { id: true },
    });
    const counts = connections.length
      ? await this.prisma.channelRateAck.groupBy({
          by: ['connectionCode'],
          where: {
            connectionCode: { in: connections },
            hotelCode: op.hotelCode,
            roomType: op.roomType,
            ratePlan: op.ratePlan,
            stayDate: { gte: op.dateFrom, lte: op.dateTo },
            guests: { in: guests },
            operationId: { in: newer.map((n) => n.id) },
          },
          _count: { _all: true },
          _max: { ackedAt: true },
        })
      : [];
    const errors = connections.length
      ? await this.prisma.channelSyncState.findMany({
          where: { connectionCode: { in: connections }, hotelCode: op.hotelCode, lastError: { not: null } },
          orderBy: { ackedAt: 'desc' },
          distinct: ['connectionCode'],
          select: { connectionCode: true, lastError: true },
        })
      : [];
    return {
      operationId,
      hotelCode: op.hotelCode,
      status: op.status as RateOperationStatus,
      total,
      connections: connections.map((connection) => {
        const c = counts.find((x) => x.connectionCode === connection);
        const acknowledged = c?._count._all ?? 0;
        return {
          connection,
          acknowledged,
          total,
          done: acknowledged >= total,
          lastAckAt: c?._max.ackedAt?.getTime() ?? null,
          lastError: errors.find((e) => e.connectionCode === connection)?.lastError ?? null,
        };
      }),
    };
  }

  /** Records the operation's progress; a finished (ACKNOWLEDGED/FAILED) operation is never changed again. */
  async recordProgress(operationId: string, status: RateOperationStatus, detail: Record<string, ConnectionAckDetail>, now: Instant = Date.now()): Promise<boolean> {
    const { count } = await this.prisma.channelRateOperation.updateMany({
      where: { id: operationId, status: 'PENDING' },
      data: { status, detail: detail as object, ...(status === 'PENDING' ? {} : { completedAt: new Date(now) }) },
    });
    return count === 1;
  }

  private async parityRows(filter: { hotelCode?: string; from: string; to?: string }, breaksOnly: { cutoff: Date } | null, limit: number): Promise<ParityRow[]> {
    const params: unknown[] = [filter.from];
    const where = [`r.stay_date >= $1::date`];
    if (filter.to) where.push(`r.stay_date <= $${params.push(filter.to)}::date`);
    if (filter.hotelCode) where.push(`r.hotel_code = $${params.push(filter.hotelCode)}`);
    if (breaksOnly) {
      const cutoff = `$${params.push(breaksOnly.cutoff)}::timestamptz`;
      where.push(
        `c.code IS NOT NULL`,
        `(a.connection_code IS NULL OR a.currency <> r.currency OR a.amount <> r.amount)`,
        `(a.operation_id = r.operation_id OR o.created_at IS NULL OR o.created_at < ${cutoff})`,
      );
    }
    const sql = `
      SELECT r.hotel_code, r.room_type, r.rate_plan, to_char(r.stay_date, 'YYYY-MM-DD') AS stay_date, r.guests, r.amount::text AS amount, r.currency,
             r.operation_id::text AS operation_id, o.created_at AS op_created, c.code AS conn,
             a.amount::text AS a_amount, a.currency AS a_currency, a.operation_id::text AS a_op, a.acked_at AS a_acked
        FROM channel_rates r
        LEFT JOIN channel_rate_operations o ON o.id = r.operation_id
        LEFT JOIN (SELECT cc.code, cc.properties FROM channel_connections cc JOIN channel_managers cm ON cm.code = cc.channel_manager_code AND cm.active WHERE cc.active) c
               ON '*' = ANY(c.properties) OR r.hotel_code = ANY(c.properties)
        LEFT JOIN channel_rate_acks a ON a.connection_code = c.code AND a.hotel_code = r.hotel_code AND a.room_type = r.room_type
             AND a.rate_plan = r.rate_plan AND a.stay_date = r.stay_date AND a.guests = r.guests
       WHERE ${where.join(' AND ')}
       ORDER BY r.hotel_code, r.stay_date, r.room_type, r.rate_plan, r.guests, c.code
       LIMIT ${limit}`;
    return this.prisma.$queryRawUnsafe<ParityRow[]>(sql, ...params);
  }

  private channelOf(row: ParityRow, now: Instant): ChannelParity & { desired: ParityEntry['desired'] } {
    const desired = { amount: shown(row.amount, row.currency), currency: row.currency, operationId: row.operation_id };
    const ack = row.a_op !== null ? { amount: shown(row.a_amount!, row.a_currency!), currency: row.a_currency!, operationId: row.a_op, ackedAt: row.a_acked!.toISOString() } : null;
    const { status, reason } = classifyParity({ ...desired, setAt: row.op_created?.getTime() ?? null }, ack, now, this.parityGraceMs);
    return { connection: row.conn!, status, reason, acknowledged: ack, desired };
  }

  /** The parity of one property over inclusive nights `from`..`to` (at most 366), per night × room type × rate plan × guests. */
  async parity(hotelCode: string, from: string, to: string, now: Instant = Date.now()): Promise<ParityReport> {
    checkRange(from, to);
    if (!(await this.prisma.channelProperty.findUnique({ where: { hotelCode } }))) throw new ChannelRatesError('unknown-property', `No channel property ${hotelCode}`);
    const rows = await this.parityRows({ hotelCode, from, to }, null, 1_000_000);
    const entries: ParityEntry[] = [];
    let current: ParityEntry | undefined;
    for (const row of rows) {
      if (!current || current.date !== row.stay_date || current.roomType !== row.room_type || current.ratePlan !== row.rate_plan || current.guests !== row.guests) {
        current = {
          date: row.stay_date,
          roomType: row.room_type,
          ratePlan: row.rate_plan,
          guests: row.guests,
          desired: { amount: shown(row.amount, row.currency), currency: row.currency, operationId: row.operation_id },
          status: 'IN_PARITY',
          channels: [],
        };
        entries.push(current);
      }
      if (row.conn === null) continue;
      const { desired: _desired, ...channel } = this.channelOf(row, now);
      current.channels.push(channel);
      if (RANK[channel.status] > RANK[current.status]) current.status = channel.status;
    }
    const summary: Record<ParityStatus, number> = { IN_PARITY: 0, PENDING: 0, OUT_OF_PARITY: 0 };
    for (const e of entries) summary[e.status]++;
    return { hotelCode, from, to, asOf: new Date(now).toISOString(), graceMs: this.parityGraceMs, connections: await connectionsCarrying(this.prisma, hotelCode), summary, entries };
  }

  /**
   * Every (channel, night, room type, rate plan, guests) OUT_OF_PARITY, of one property or all,
   * from `from` (default: the UTC date of `now`) to `to` (default: no end); at most `limit`
   * (default 1000), `truncated` when more exist.
   */
  async findParityBreaks(filter: { hotelCode?: string; from?: string; to?: string; limit?: number } = {}, now: Instant = Date.now()): Promise<{ asOf: string; graceMs: number; truncated: boolean; breaks: ParityBreak[] }> {
    const from = filter.from ?? isoDateOf(now);
    if (filter.to !== undefined) checkRange(from, filter.to);
    else checkRange(from, from);
    const limit = filter.limit ?? 1000;
    const rows = await this.parityRows({ hotelCode: filter.hotelCode, from, to: filter.to }, { cutoff: new Date(now - this.parityGraceMs) }, limit + 1);
    const breaks: ParityBreak[] = [];
    for (const row of rows.slice(0, limit)) {
      const c = this.channelOf(row, now);
      if (c.status !== 'OUT_OF_PARITY') continue; // the SQL and classifyParity agree; this keeps them honest
      breaks.push({ hotelCode: row.hotel_code, connection: c.connection, date: row.stay_date, roomType: row.room_type, ratePlan: row.rate_plan, guests: row.guests, reason: c.reason, desired: c.desired, acknowledged: c.acknowledged });
    }
    return { asOf: new Date(now).toISOString(), graceMs: this.parityGraceMs, truncated: rows.length > limit, breaks };
  }

  /**
   * Per connection carrying the property: what its inventory sync acknowledged (channel_sync_states:
   * last ack, nights and room-type nights acknowledged, the latest error) and its rate acks.
   */
  async syncSummary(hotelCode: string): Promise<{
    hotelCode: string;
    connections: { connection: string; lastAckAt: string | null; nightsAcknowledged: number; roomTypeNights: number; lastError: string | null; rateRowsAcknowledged: number; lastRateAckAt: string | null }[];
    pendingRateOperations: number;
  } | null> {
    if (!(await this.prisma.channelProperty.findUnique({ where: { hotelCode } }))) return null;
    const connections = await connectionsCarrying(this.prisma, hotelCode);
    const out = await Promise.all(
      connections.map(async (connection) => {
        const [states, nights, error, rates] = await Promise.all([
          this.prisma.channelSyncState.aggregate({ where: { connectionCode: connection, hotelCode }, _count: { _all: true }, _max: { ackedAt: true } }),
          this.prisma.channelSyncState.findMany({ where: { connectionCode: connection, hotelCode }, distinct: ['stayDate'], select: { stayDate: true } }),
          this.prisma.channelSyncState.findFirst({ where: { connectionCode: connection, hotelCode, lastError: { not: null } }, orderBy: { ackedAt: 'desc' }, select: { lastError: true } }),
          this.prisma.channelRateAck.aggregate({ where: { connectionCode: connection, hotelCode }, _count: { _all: true }, _max: { ackedAt: true } }),
        ]);
        return {
          connection,
          lastAckAt: states._max.ackedAt?.toISOString() ?? null,
          nightsAcknowledged: nights.length,
          roomTypeNights: states._count._all,
          lastError: error?.lastError ?? null,
          rateRowsAcknowledged: rates._count._all,
          lastRateAckAt: rates._max.ackedAt?.toISOString() ?? null,
        };
      }),
    );
    const pendingRateOperations = await this.prisma.channelRateOperation.count({ where: { hotelCode, status: 'PENDING' } });
    return { hotelCode, connections: out, pendingRateOperations };
  }
}
