import { utcDate, isoDateOf } from '../domain/time/instant';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import {
  CommissionError,
  commissionEntry,
  findOverlap,
  percentOf,
  pickSchedule,
  quoteCommission,
  spanText,
  validateSale,
  validateSchedule,
  validateSubAgent,
  type CommissionBasis,
  type CommissionSale,
  type CommissionSchedule,
  type CommissionScheduleSpec,
} from '../domain/commission/commission';
import type { ProductType } from '../domain/ledger/chart';
import { minorUnits } from '../domain/money/currency';
import { Dec, type MoneyJson } from '../domain/money/money';
import { cursorDate, cursorUuid, keysetAfter, pageOfRows, requireCursor, type Page, type PageRequest } from './keyset-cursor';
import { PrismaLedger } from './ledger.prisma';

type ScheduleRow = Prisma.CommissionScheduleGetPayload<{ include: { tiers: true } }>;
type RecordRow = Prisma.CommissionRecordGetPayload<object>;
type Tx = Prisma.TransactionClient;

const text = (d: Prisma.Decimal | null) => (d === null ? null : d.toFixed());
const inCurrency = (d: Prisma.Decimal, currency: string): MoneyJson => ({ amount: new Dec(d.toFixed()).toFixed(minorUnits(currency)), currency });

/** Lock waits are part of the design (see recordSale): give them room beyond Prisma's 2 s/5 s defaults. */
const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 };

export interface StoredSchedule extends CommissionSchedule {
  createdAt: number;
}

export interface SubAgentView {
  code: string;
  name: string;
  rate: string;
  isActive: boolean;
}

export interface ScheduleFilter {
  supplier?: string;
  productType?: ProductType;
  /** Only schedules in force on this day (YYYY-MM-DD). */
  activeOn?: string;
}

/** One commission earned on one sale, as stored. */
export interface CommissionRecordView {
  id: string;
  bookingRef: string;
  supplier: string;
  productType: string;
  channel: string;
  saleDate: string;
  saleAmount: MoneyJson;
  /** null: no schedule was in force for the sale; the commission is then zero. */
  scheduleId: string | null;
  /** The override tier that applied, or null for the schedule's own terms. */
  tierThreshold: string | null;
  commission: MoneyJson;
  subAgentCode: string | null;
  subAgentCommission: MoneyJson | null;
  /** The ledger entry; null when there was nothing to post (zero commission, no sub-agent share). */
  entryId: string | null;
  createdAt: number;
}

export interface RecordedCommission extends CommissionRecordView {
  /** False when the same sale had been recorded before and this is that record. */
  created: boolean;
}

function toSchedule(row: ScheduleRow): StoredSchedule {
  return {
    id: row.id,
    supplier: row.supplier,
    productType: row.productType as ProductType | null,
    validFrom: isoDateOf(row.validFrom),
    validTo: row.validTo ? isoDateOf(row.validTo) : null,
    basis: row.basis as CommissionBasis,
    rate: text(row.rate),
    fixedAmount: text(row.fixedAmount),
    currency: row.currency,
    tiers: [...row.tiers]
      .sort((a, b) => a.threshold.comparedTo(b.threshold))
      .map((t) => ({ threshold: t.threshold.toFixed(), basis: t.basis as CommissionBasis, rate: text(t.rate), fixedAmount: text(t.fixedAmount) })),
    createdAt: row.createdAt.getTime(),
  };
}

function toRecord(row: RecordRow): CommissionRecordView {
  return {
    id: row.id,
    bookingRef: row.bookingRef,
    supplier: row.supplier,
    productType: row.productType,
    channel: row.channel,
    saleDate: isoDateOf(row.saleDate),
    saleAmount: inCurrency(row.saleAmount, row.currency),
    scheduleId: row.scheduleId,
    tierThreshold: text(row.tierThreshold),
    commission: inCurrency(row.commission, row.currency),
    subAgentCode: row.subAgentCode,
    subAgentCommission: row.subAgentCommission === null ? null : inCurrency(row.subAgentCommission, row.currency),
    entryId: row.entryId,
    createdAt: row.createdAt.getTime(),
  };
}

function toSubAgent(r: { code: string; name: string; rate: Prisma.Decimal; isActive: boolean }): SubAgentView {
  return { code: r.code, name: r.name, rate: r.rate.toFixed(), isActive: r.isActive };
}

/** What a schedule says, independent of how its numbers were written and of tier order. */
function scheduleContent(s: CommissionScheduleSpec): string {
  const n = (v: string | null) => (v === null ? null : new Dec(v).toFixed());
  const tiers = s.tiers.map((t) => [n(t.threshold), t.basis, n(t.rate), n(t.fixedAmount)]).sort((a, b) => new Dec(a[0]!).comparedTo(b[0]!));
  return JSON.stringify([s.supplier, s.productType, s.validFrom, s.validTo, s.basis, n(s.rate), n(s.fixedAmount), s.currency, tiers]);
}

/**
 * Commission schedules, sub-agents and commission records on PostgreSQL/PGlite. Each unit of work
 * is one database transaction; recording a sale posts its ledger entry inside that transaction.
 */
export class PrismaCommissions {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Stores a schedule with its tiers. The same schedule again returns the stored one (`created`
   * false); one overlapping a schedule of the same supplier and product scope is refused naming it.
   */
  async createSchedule(spec: CommissionScheduleSpec): Promise<{ schedule: StoredSchedule; created: boolean }> {
    const normalised: CommissionScheduleSpec = { ...spec, productType: spec.productType ?? null, validTo: spec.validTo ?? null, rate: spec.rate ?? null, fixedAmount: spec.fixedAmount ?? null, currency: spec.currency ?? null, tiers: spec.tiers ?? [] };
    const problems = validateSchedule(normalised);
    if (problems.length) throw new CommissionError('invalid-schedule', 'The commission schedule cannot be stored', problems);

    return this.prisma.$transaction(async (tx) => {
      // Serialises schedule changes per supplier, so two overlapping schedules cannot both pass the check.
      await tx.$queryRawUnsafe(`SELECT 1 FROM pg_advisory_xact_lock(hashtext($1))`, `commission-schedules:${normalised.supplier}`);
      const sameScope = (await tx.commissionSchedule.findMany({ where: { supplier: normalised.supplier, productType: normalised.productType }, include: { tiers: true } })).map(toSchedule);
      const identical = sameScope.find((s) => scheduleContent(s) === scheduleContent(normalised));
      if (identical) return { schedule: identical, created: false };
      const clash = findOverlap(normalised, sameScope);
      if (clash) {
        throw new CommissionError(
          'overlapping-schedule',
          `The schedule ${spanText(normalised)} overlaps schedule ${clash.id} (${spanText(clash)}) of supplier ${clash.supplier} for ${clash.productType ?? 'every product type'}; end that one first (validTo) or change the dates`,
        );
      }
      const row = await tx.commissionSchedule.create({
        data: {
          supplier: normalised.supplier,
          productType: normalised.productType,
          validFrom: utcDate(normalised.validFrom),
          validTo: normalised.validTo ? utcDate(normalised.validTo) : null,
          basis: normalised.basis,
          rate: normalised.rate,
          fixedAmount: normalised.fixedAmount,
          currency: normalised.currency,
          tiers: { create: normalised.tiers.map((t) => ({ threshold: t.threshold, basis: t.basis, rate: t.rate ?? null, fixedAmount: t.fixedAmount ?? null })) },
        },
        include: { tiers: true },
      });
      return { schedule: toSchedule(row), created: true };
    }, TX_OPTIONS);
  }

  async listSchedules(filter: ScheduleFilter = {}): Promise<StoredSchedule[]> {
    const rows = await this.prisma.commissionSchedule.findMany({
      where: scheduleWhere(filter),
      include: { tiers: true },
      orderBy: [{ supplier: 'asc' }, { validFrom: 'asc' }, { createdAt: 'asc' }],
    });
    return rows.map(toSchedule);
  }

  /**
   * A page of schedules, by supplier, validFrom, createdAt then id (the id makes the order total);
   * `nextCursor` continues after the last one.
   */
  async pageSchedules(filter: ScheduleFilter, page: PageRequest): Promise<Page<StoredSchedule>> {
    const where = [scheduleWhere(filter)];
    if (page.cursor) {
      const [supplier, validFrom, createdAt, id] = requireCursor(page.cursor, 4) as [string, string, string, string];
      where.push(
        keysetAfter<Prisma.CommissionScheduleWhereInput>([
          ['supplier', supplier],
          ['validFrom', cursorDate(validFrom, 'day')],
          ['createdAt', cursorDate(createdAt, 'instant')],
          ['id', cursorUuid(id)],
        ]),
      );
    }
    const rows = await this.prisma.commissionSchedule.findMany({
      where: { AND: where },
      include: { tiers: true },
      orderBy: [{ supplier: 'asc' }, { validFrom: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOfRows(rows, page.limit, (r) => [r.supplier, isoDateOf(r.validFrom), r.createdAt.toISOString(), r.id], toSchedule);
  }

  /** One schedule with its tiers; null when there is none. */
  async getSchedule(id: string): Promise<StoredSchedule | null> {
    const row = await this.prisma.commissionSchedule.findUnique({ where: { id }, include: { tiers: true } });
    return row ? toSchedule(row) : null;
  }

  /** Stores a sub-agent; the same again is a no-op (`created` false), other content is a conflict. */
  async createSubAgent(agent: { code: string; name: string; rate: string }): Promise<{ subAgent: SubAgentView; created: boolean }> {
    const problems = validateSubAgent(agent);
    if (problems.length) throw new CommissionError('invalid-sub-agent', 'The sub-agent cannot be stored', problems);
    const same = (r: { name: string; rate: Prisma.Decimal }) => r.name === agent.name.trim() && r.rate.equals(agent.rate);
    const existing = await this.prisma.subAgent.findUnique({ where: { code: agent.code } });
    if (!existing) {
      try {
        return { subAgent: toSubAgent(await this.prisma.subAgent.create({ data: { code: agent.code, name: agent.name.trim(), rate: agent.rate } })), created: true };
      } catch (err) {
        if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
      }
    }
    const stored = existing ?? (await this.prisma.subAgent.findUniqueOrThrow({ where: { code: agent.code } }));
    if (!same(stored)) {
      throw new CommissionError('sub-agent-conflict', `Sub-agent ${agent.code} already exists as "${stored.name}" at ${stored.rate.toFixed()}%; it is not overwritten`);
    }
    return { subAgent: toSubAgent(stored), created: false };
  }

  /** A page of sub-agents by code; `nextCursor` continues after the last one. */
  async listSubAgents(page: PageRequest): Promise<Page<SubAgentView>> {
    const after = page.cursor ? { code: { gt: requireCursor(page.cursor, 1)[0]! } } : {};
    const rows = await this.prisma.subAgent.findMany({ where: after, orderBy: { code: 'asc' }, take: page.limit + 1 });
    return pageOfRows(rows, page.limit, (r) => [r.code], toSubAgent);
  }

  /** One sub-agent; null when there is none. */
  async getSubAgent(code: string): Promise<SubAgentView | null> {
    const row = await this.prisma.subAgent.findUnique({ where: { code } });
    return row ? toSubAgent(row) : null;
  }

  /** One commission record by id; null when there is none. */
  async getCommission(id: string): Promise<CommissionRecordView | null> {
    const row = await this.prisma.commissionRecord.findUnique({ where: { id } });
    return row ? toRecord(row) : null;
  }

  /**
   * A page of a booking's commission records, by createdAt, supplier then product type (unique
   * within a booking); `nextCursor` continues after the last one.
   */
  async listCommissions(filter: { bookingRef: string }, page: PageRequest): Promise<Page<CommissionRecordView>> {
    const where: Prisma.CommissionRecordWhereInput[] = [{ bookingRef: filter.bookingRef }];
    if (page.cursor) {
      const [createdAt, supplier, productType] = requireCursor(page.cursor, 3) as [string, string, string];
      where.push(
        keysetAfter<Prisma.CommissionRecordWhereInput>([
          ['createdAt', cursorDate(createdAt, 'instant')],
          ['supplier', supplier],
          ['productType', productType],
        ]),
      );
    }
    const rows = await this.prisma.commissionRecord.findMany({
      where: { AND: where },
      orderBy: [{ createdAt: 'asc' }, { supplier: 'asc' }, { productType: 'asc' }],
      take: page.limit + 1,
    });
    return pageOfRows(rows, page.limit, (r) => [r.createdAt.toISOString(), r.supplier, r.productType], toRecord);
  }

  /**
   * Records the commission on one sale and posts its one ledger entry, in one transaction.
   *
   * - Idempotent per booking + supplier + product type: the same sale again returns the stored
   *   record; other content under that identity is a `sale-conflict`.
   * - The schedules that could apply are locked (SELECT ... FOR UPDATE) before the volume is read,
   *   so two concurrent sales of one supplier run one after the other and the second sees the
   *   first's volume: a tier crossing is never missed by both.
   * - The entry is posted first with the key `commission:<bookingRef>:<supplier>:<productType>`,
   *   then the record is written; a failure anywhere rolls both back, and a retry posts afresh.
   * - No schedule in force: the record says commission 0 with `scheduleId` null (so the gap is
   *   visible and reported) and only a sub-agent share, if any, is posted.
   */
  async recordSale(input: CommissionSale): Promise<RecordedCommission> {
    const sale: CommissionSale = { ...input, subAgentCode: input.subAgentCode ?? null };
    const problems = validateSale(sale);
    if (problems.length) throw new CommissionError('invalid-sale', 'The sale cannot be recorded', problems);
    const identity = { bookingRef: sale.bookingRef, supplier: sale.supplier, productType: sale.productType };

    const before = await this.prisma.commissionRecord.findUnique({ where: { bookingRef_supplier_productType: identity } });
    if (before) return this.replay(before, sale);
    try {
      return await this.prisma.$transaction((tx) => this.recordInTx(tx, sale), TX_OPTIONS);
    } catch (err) {
      if (err instanceof CommissionError) throw err;
      // A concurrent call with the same sale may have won the race (unique record or entry key).
      const winner = await this.prisma.commissionRecord.findUnique({ where: { bookingRef_supplier_productType: identity } });
      if (winner) return this.replay(winner, sale);
      throw err;
    }
  }

  private async recordInTx(tx: Tx, sale: CommissionSale): Promise<RecordedCommission> {
    const { amount, currency } = sale.saleAmount;
    const lockedIds = await tx.$queryRawUnsafe<Array<{ id: string }>>(
      `SELECT id::text AS id FROM commission_schedules
        WHERE supplier = $1 AND (product_type IS NULL OR product_type = $2)
          AND valid_from <= $3::date AND (valid_to IS NULL OR valid_to >= $3::date)
        ORDER BY id
          FOR UPDATE`,
      sale.supplier,
      sale.productType,
      sale.saleDate,
    );
    // Re-read under the lock: a concurrent identical sale may have committed while we waited.
    const identity = { bookingRef: sale.bookingRef, supplier: sale.supplier, productType: sale.productType };
    const raced = await tx.commissionRecord.findUnique({ where: { bookingRef_supplier_productType: identity } });
    if (raced) return this.replay(raced, sale);

    const candidates = lockedIds.length
      ? (await tx.commissionSchedule.findMany({ where: { id: { in: lockedIds.map((r) => r.id) } }, include: { tiers: true } })).map(toSchedule)
      : [];
    const schedule = pickSchedule(candidates, sale);

    let commission: MoneyJson = { amount: new Dec(0).toFixed(minorUnits(currency)), currency };
    let tierThreshold: string | null = null;
    if (schedule) {
      const [{ volume }] = await tx.$queryRawUnsafe<[{ volume: string }]>(
        `SELECT COALESCE(SUM(sale_amount), 0)::text AS volume FROM commission_records
          WHERE schedule_id = $1::uuid AND currency = $2 AND sale_date <= $3::date`,
        schedule.id,
        currency,
        sale.saleDate,
      );
      const quote = quoteCommission(schedule, sale.saleAmount, volume);
      commission = quote.commission;
      tierThreshold = quote.tierThreshold;
    }

    let subAgentCommission: MoneyJson | null = null;
    if (sale.subAgentCode) {
      const agent = await tx.subAgent.findUnique({ where: { code: sale.subAgentCode } });
      if (!agent || !agent.isActive) {
        throw new CommissionError('unknown-sub-agent', `No ${agent ? 'active ' : ''}sub-agent "${sale.subAgentCode}"; create it first (POST /finance/sub-agents)`, [
          { path: 'subAgentCode', message: agent ? 'is inactive' : 'is not a known sub-agent' },
        ]);
      }
      subAgentCommission = percentOf(amount, currency, agent.rate.toFixed());
    }

    const draft = commissionEntry(sale, commission, subAgentCommission);
    // The ledger runs on this transaction: the entry and the record commit together or not at all.
    const entry = draft ? await new PrismaLedger(tx).post(draft) : null;
    const row = await tx.commissionRecord.create({
      data: {
        bookingRef: sale.bookingRef,
        supplier: sale.supplier,
        productType: sale.productType,
        channel: sale.channel,
        saleDate: utcDate(sale.saleDate),
        saleAmount: amount,
        currency,
        scheduleId: schedule?.id ?? null,
        tierThreshold,
        commission: commission.amount,
        subAgentCode: sale.subAgentCode ?? null,
        subAgentCommission: subAgentCommission?.amount ?? null,
        entryId: entry?.id ?? null,
      },
    });
    return { ...toRecord(row), created: true };
  }

  /** The stored record when the sale is the same one; a conflict naming the difference otherwise. */
  private replay(row: RecordRow, sale: CommissionSale): RecordedCommission {
    const stored = toRecord(row);
    const differences = [
      stored.channel !== sale.channel && `channel ${stored.channel} vs ${sale.channel}`,
      stored.saleDate !== sale.saleDate && `saleDate ${stored.saleDate} vs ${sale.saleDate}`,
      (stored.saleAmount.currency !== sale.saleAmount.currency || !new Dec(stored.saleAmount.amount).equals(sale.saleAmount.amount)) &&
        `saleAmount ${stored.saleAmount.amount} ${stored.saleAmount.currency} vs ${sale.saleAmount.amount} ${sale.saleAmount.currency}`,
      (stored.subAgentCode ?? null) !== (sale.subAgentCode ?? null) && `subAgentCode ${stored.subAgentCode ?? 'none'} vs ${sale.subAgentCode ?? 'none'}`,
    ].filter((d): d is string => typeof d === 'string');
    if (differences.length) {
      throw new CommissionError(
        'sale-conflict',
        `A commission for ${sale.bookingRef} / ${sale.supplier} / ${sale.productType} was already recorded with other content (${differences.join('; ')}); a changed sale needs a reversal, not a second record`,
      );
    }
    return { ...stored, created: false };
  }
}

/** The schedules of a filter: supplier, product type, and in force on `activeOn` (validTo open or on/after it). */
function scheduleWhere(filter: ScheduleFilter): Prisma.CommissionScheduleWhereInput {
  const day = filter.activeOn ? utcDate(filter.activeOn) : undefined;
  return { supplier: filter.supplier, productType: filter.productType, ...(day ? { validFrom: { lte: day }, OR: [{ validTo: null }, { validTo: { gte: day } }] } : {}) };
}
