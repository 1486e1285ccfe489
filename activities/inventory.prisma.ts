import { createHash } from 'node:crypto';
import { addDays, eachDate } from '../domain/catalog/dates';
import type { AllotmentContract, RateBasis, ReleaseRule, StopSale } from '../domain/catalog/model';
import { CatalogValidationError, type CatalogProblem } from '../domain/catalog/problems';
import { contractStayDates, releaseDateFor } from '../domain/catalog/release';
import { checkContractAgainstProduct, parseAllotmentContract, parseStopSale } from '../domain/catalog/validation';
import { Dec } from '../domain/money/money';
import { isIsoDate, isoDateOf, utcDate } from '../domain/time/instant';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import type { Database } from '../infra/database';
import { PrismaCatalog } from './catalog.prisma';
import { NO_INVENTORY_SINK, type InventoryChangeSink } from './ports/inventory-changes';
import type { ReleaseNotification, ReleaseNotificationLine } from './ports/supplier-notifier';

type Tx = Prisma.TransactionClient;
type ContractRow = Prisma.AllotmentContractGetPayload<{ include: { supplier: true; product: true } }>;
type HoldRow = Prisma.InventoryHoldGetPayload<object>;

/** Lock waits are part of the design (buyers of one night queue on its row): room beyond Prisma's 2 s / 5 s defaults. */
const TX_OPTIONS = { maxWait: 15_000, timeout: 30_000 };
/** Attempts of one unit of work when PostgreSQL aborts it for a deadlock or serialization failure. */
const MAX_ATTEMPTS = 5;
/** Holds expired per transaction by expireHolds (it loops until none are left). */
const EXPIRE_BATCH = 500;

export type InventoryErrorKind =
  | 'invalid-request'
  | 'invalid-contract'
  | 'contract-conflict'
  | 'contract-overlap'
  | 'contract-not-found'
  | 'contract-in-use'
  | 'product-not-found'
  | 'quantity-below-used'
  | 'stop-sale-not-found'
  | 'sold-out'
  | 'no-allotment'
  | 'stop-sale'
  | 'reference-conflict'
  | 'hold-not-found'
  | 'hold-expired'
  | 'hold-cancelled'
  | 'group-size';

/**
 * A refusal of the inventory store: the request can never succeed as made (retrying the same call
 * gives the same answer unless the inventory changes). `problems` lists every reason with the
 * field it is about; `dates` the stay dates concerned (sold-out, stop-sale, no-allotment, quantity).
 */
export class InventoryError extends Error {
  constructor(
    readonly kind: InventoryErrorKind,
    message: string,
    readonly problems: CatalogProblem[] = [],
    readonly dates: string[] = [],
  ) {
    super(message);
    this.name = 'InventoryError';
  }
}

export type ContractStatus = 'ACTIVE' | 'CANCELLED';

export interface StoredContract extends AllotmentContract {
  id: string;
  productId: string;
  status: ContractStatus;
  version: number;
  createdAt: number;
}

export interface StoredStopSale extends StopSale {
  id: string;
  productId: string;
  createdAt: number;
}

export type HoldStatus = 'HELD' | 'SOLD' | 'EXPIRED' | 'CANCELLED';

/** Units held or sold for the nights `from` .. `toExclusive` of one category. */
export interface HoldView {
  reference: string;
  productId: string;
  category: string;
  from: string;
  toExclusive: string;
  nights: number;
  quantity: number;
  status: HoldStatus;
  channel: string;
  /** Epoch ms; null for a direct sale. */
  expiresAt: number | null;
  createdAt: number;
}

export interface SellRequest {
  /** Caller's idempotency key (a booking component, a channel reservation id): at most 128 characters. */
  reference: string;
  productId: string;
  category: string;
  /** First night (hotels) or the departure / service date (tours, services: nights = 1). */
  from: string;
  nights: number;
  quantity: number;
  /** Where the sale comes from (api, booking workflow, channel manager): at most 32 characters. */
  channel: string;
  now: Date;
  /**
   * People travelling on these units, when known: checked against the contracts' min/max group
   * size (a group allotment refuses a party of two; an FIT allotment refuses a coach party).
   */
  pax?: number;
}

export interface HoldRequest extends SellRequest {
  /** The hold lapses this many seconds after `now` unless confirmed. */
  ttlSeconds: number;
}

export interface InventoryRowView {
  stayDate: string;
  contractId: string;
  allotment: number;
  held: number;
  sold: number;
  released: number;
  available: number;
  releaseOn: string | null;
  releasedAt: number | null;
  version: number;
}

/** What one (product, category) can still sell over a stay. */
export interface AvailabilityView {
  productId: string;
  category: string;
  /** Fewest units free on any night of the stay; 0 when some night has no inventory at all. */
  available: number;
  /** Nights of the stay with inventory (equal to the stay's nights when every night is contracted). */
  nightsWithInventory: number;
  /** A stop sale covers at least one night: nothing can be sold whatever `available` says. */
  stopSale: boolean;
  /** Group size (people) the contracts of these nights accept: the strictest over the nights. */
  minGroupSize: number;
  maxGroupSize: number;
}

export interface ReleasedContract {
  contractId: string;
  contractCode: string;
  supplierCode: string;
  productCode: string;
  productId: string;
  category: string;
  lines: ReleaseNotificationLine[];
}

/** A notification still to send, with the contract it is about. */
export interface PendingReleaseNotification extends ReleaseNotification {
  contractId: string;
}

export interface ContractListFilter {
  productId?: string;
  supplierCode?: string;
  /** The last code of the previous page. */
  cursor?: string;
  limit: number;
}

// ---------------------------------------------------------------------------------------------

const requiredText = (problems: CatalogProblem[], path: string, value: unknown, max: number) => {
  if (typeof value !== 'string' || value.trim() === '') problems.push({ path, message: 'is required' });
  else if (value.length > max) problems.push({ path, message: `must be at most ${max} characters` });
};
const wholeNumber = (problems: CatalogProblem[], path: string, value: unknown, min: number) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) problems.push({ path, message: `must be a whole number >= ${min}` });
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkSale(req: SellRequest, hold: boolean): void {
  const problems: CatalogProblem[] = [];
  requiredText(problems, 'reference', req.reference, 128);
  if (typeof req.productId !== 'string' || !UUID.test(req.productId)) problems.push({ path: 'productId', message: 'must be a product id (UUID)' });
  requiredText(problems, 'category', req.category, 32);
  if (typeof req.from !== 'string' || !isIsoDate(req.from)) problems.push({ path: 'from', message: 'must be a calendar date written YYYY-MM-DD' });
  wholeNumber(problems, 'nights', req.nights, 1);
  if (typeof req.nights === 'number' && req.nights > 366) problems.push({ path: 'nights', message: 'must be at most 366' });
  wholeNumber(problems, 'quantity', req.quantity, 1);
  requiredText(problems, 'channel', req.channel, 32);
  if (req.pax !== undefined) wholeNumber(problems, 'pax', req.pax, 1);
  if (!(req.now instanceof Date) || Number.isNaN(req.now.getTime())) problems.push({ path: 'now', message: 'must be a valid instant' });
  if (hold) wholeNumber(problems, 'ttlSeconds', (req as HoldRequest).ttlSeconds, 1);
  if (problems.length) throw new InventoryError('invalid-request', `The ${hold ? 'hold' : 'sale'} request is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}

/** A hold row's columns as the driver reads them (dates as text, uuids as text), of table alias `t`. */
const holdColumns = (t: string) => `${t}.id::text AS id, ${t}.reference, ${t}.product_id::text AS product_id, ${t}.category,
  to_char(${t}.stay_from, 'YYYY-MM-DD') AS stay_from, to_char(${t}.stay_to, 'YYYY-MM-DD') AS stay_to, ${t}.quantity, ${t}.status, ${t}.channel,
  ${t}.expires_at, ${t}.created_at, ${t}.updated_at`;
/** A hold row as the driver reads it: the same shape Prisma gives (see {@link holdRowOf}). */
const HOLD_SELECT = `SELECT ${holdColumns('h')} FROM inventory_holds h`;

/**
 * The group size the contracts covering a request's nights allow (the tightest of them), and their
 * codes: $1 product, $2 category, $3 first night, $4 the day after the last. Nulls when no night
 * has inventory. Read by the hold's statement (to take nothing for a party outside it) and by the
 * refusal that says why.
 */
const GROUP_LIMITS = `SELECT max(c.min_group_size)::int AS min_group, min(c.max_group_size)::int AS max_group, string_agg(DISTINCT c.code, ', ') AS codes
  FROM inventory g JOIN allotment_contracts c ON c.id = g.contract_id
 WHERE g.product_id = $1::uuid AND g.category = $2 AND g.stay_date >= $3::date AND g.stay_date < $4::date`;
interface DriverHoldRow {
  id: string;
  reference: string;
  product_id: string;
  category: string;
  stay_from: string;
  stay_to: string;
  quantity: number;
  status: string;
  channel: string;
  expires_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}
const holdRowOf = (r: DriverHoldRow): HoldRow => ({
  id: r.id,
  reference: r.reference,
  productId: r.product_id,
  category: r.category,
  stayFrom: new Date(`${r.stay_from}T00:00:00Z`),
  stayTo: new Date(`${r.stay_to}T00:00:00Z`),
  quantity: r.quantity,
  status: r.status,
  channel: r.channel,
  expiresAt: r.expires_at === null ? null : new Date(r.expires_at),
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

/**
 * What confirming `hold` answers without moving anything: its view when it is already SOLD, a
 * refusal when it was cancelled or has expired (by status or by `now`); null when it can be sold.
 */
function confirmedOrRefused(hold: HoldRow, reference: string, now: Date): HoldView | null {
  if (hold.status === 'SOLD') return toHold(hold);
  if (hold.status === 'CANCELLED') throw new InventoryError('hold-cancelled', `Hold ${reference} was cancelled`);
  if (hold.status === 'EXPIRED' || (hold.expiresAt && hold.expiresAt.getTime() <= now.getTime())) {
    throw new InventoryError('hold-expired', `Hold ${reference} expired at ${(hold.expiresAt ?? now).toISOString()}; hold again`);
  }
  return null;
}

function toHold(row: HoldRow): HoldView {
  const from = isoDateOf(row.stayFrom);
  const toExclusive = isoDateOf(row.stayTo);
  return {
    reference: row.reference,
    productId: row.productId,
    category: row.category,
    from,
    toExclusive,
    nights: eachDate(from, toExclusive).length,
    quantity: row.quantity,
    status: row.status as HoldStatus,
    channel: row.channel,
    expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
    createdAt: row.createdAt.getTime(),
  };
}

function toContract(row: ContractRow): StoredContract {
  return {
    id: row.id,
    code: row.code,
    supplierCode: row.supplier.code,
    productCode: row.product.code,
    productId: row.productId,
    category: row.category,
    validFrom: isoDateOf(row.validFrom),
    validTo: isoDateOf(row.validTo),
    quantity: row.quantity,
    contractedPrice: row.contractedPrice.toFixed(),
    currency: row.currency,
    basis: row.basis as RateBasis,
    release: canonicalRelease(row.releaseRule as unknown as ReleaseRule),
    minGroupSize: row.minGroupSize,
    maxGroupSize: row.maxGroupSize,
    status: row.status as ContractStatus,
    version: row.version,
    createdAt: row.createdAt.getTime(),
  };
}

/** A release rule with its keys in one order (JSONB stores them in its own). */
function canonicalRelease(rule: ReleaseRule): ReleaseRule {
  switch (rule.kind) {
    case 'NONE':
      return { kind: 'NONE' };
    case 'DAYS_BEFORE':
      return { kind: 'DAYS_BEFORE', days: rule.days };
    case 'FIXED_DATES':
      return { kind: 'FIXED_DATES', dates: rule.dates.map((d) => ({ releaseOn: d.releaseOn, arrivalsFrom: d.arrivalsFrom, arrivalsTo: d.arrivalsTo })) };
  }
}

/** What a contract says, independent of how its price was written. */
function contractContent(c: AllotmentContract): string {
  return JSON.stringify([c.supplierCode, c.productCode, c.category, c.validFrom, c.validTo, c.quantity, new Dec(c.contractedPrice).toFixed(), c.currency, c.basis, canonicalRelease(c.release), c.minGroupSize, c.maxGroupSize]);
}

/** Dates listed compactly for messages: at most 10, then a count. */
function dateList(dates: string[]): string {
  return dates.length > 10 ? `${dates.slice(0, 10).join(', ')} and ${dates.length - 10} more` : dates.join(', ');
}

/** PostgreSQL aborted the transaction for a deadlock (40P01) or serialization failure (40001). */
function isTransientConflict(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const rec = e as { code?: unknown; message?: unknown; cause?: unknown; meta?: unknown; originalCode?: unknown };
    if (rec.code === 'P2034' || rec.code === '40001' || rec.code === '40P01' || rec.originalCode === '40001' || rec.originalCode === '40P01') return true;
    if (typeof rec.message === 'string' && /40P01|40001|deadlock detected|could not serialize access/.test(rec.message)) return true;
    e = rec.cause;
  }
  return false;
}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/**
 * Allotment contracts, inventory (holds, sales, stop sales) and allotment releases on
 * PostgreSQL/PGlite.
 *
 * Zero overselling: every counter move is an atomic conditional statement on the inventory rows
 * (`... WHERE allotment - held - sold - released >= q`). A hold or sale is ONE statement (see
 * takeAtomically): it locks the nights that still have the units (FOR UPDATE, in date order), and
 * only when every night is there inserts the hold and moves the counters; under READ COMMITTED
 * PostgreSQL re-evaluates the condition on the latest committed row after waiting for a lock, so
 * two buyers can never both take the last unit, and a multi-night request is all nights or
 * nothing. The CHECK `held + sold + released <= allotment` in the migration is the backstop for
 * any other path. Deadlocks and serialization failures (40P01 / 40001) are retried a few times.
 */
export class PrismaInventory {
  private readonly catalog: PrismaCatalog;

  constructor(
    private readonly prisma: PrismaClient,
    /** Direct driver access for the availability read that search calls per request. */
    private readonly driver?: Database['query'],
    /** Told after each commit that changes what can be sold (channels push the new availability). */
    private readonly changes: InventoryChangeSink = NO_INVENTORY_SINK,
  ) {
    this.catalog = new PrismaCatalog(prisma);
  }

  /**
   * Tells the change sink, after the commit, which nights of a product changed (`to` inclusive),
   * without waiting for it: the sale is committed and answers at once. Never fails the caller; the
   * channel reconciliation repairs a notification that got lost.
   */
  private changed(productId: string, category: string | null, from: string, to: string, source: string): void {
    try {
      this.changes.inventoryChanged({ productId, category, from, to, source }).catch(() => undefined); // the sink logs its own failures
    } catch {
      // A sink that throws synchronously is ignored the same way.
    }
  }

  /** {@link changed} for many nights: one notification per product and category, spanning their first to last night. */
  private changedNights(rows: { productId: string; category: string; from: string; to: string }[], source: string): void {
    const spans = new Map<string, { productId: string; category: string; from: string; to: string }>();
    for (const r of rows) {
      const key = `${r.productId}|${r.category}`;
      const span = spans.get(key);
      if (!span) spans.set(key, { ...r });
      else {
        if (r.from < span.from) span.from = r.from;
        if (r.to > span.to) span.to = r.to;
      }
    }
    for (const span of spans.values()) this.changed(span.productId, span.category, span.from, span.to, source);
  }

  // --- contracts ------------------------------------------------------------------------------

  /**
   * Stores an allotment contract and its inventory: one row per date validFrom..validTo with
   * allotment = quantity and release_on from the release rule, in one transaction. The same
   * contract again returns the stored one (`created` false); other content under the same code is
   * a `contract-conflict`; dates already covered by another ACTIVE contract of the same product
   * and category are a `contract-overlap` naming it.
   */
  async createContract(input: AllotmentContract): Promise<{ contract: StoredContract; created: boolean }> {
    let contract: AllotmentContract;
    try {
      contract = parseAllotmentContract(input);
    } catch (err) {
      if (err instanceof CatalogValidationError) throw new InventoryError('invalid-contract', err.message, err.problems);
      throw err;
    }
    const existing = await this.findContract(contract.code);
    if (existing) return this.replayContract(existing, contract);

    const product = await this.catalog.getProduct(contract.supplierCode, contract.productCode);
    const problems: CatalogProblem[] = product ? checkContractAgainstProduct(contract, product) : await this.whyNoProduct(contract.supplierCode, contract.productCode);
    if (problems.length || !product) {
      throw new InventoryError('invalid-contract', `The allotment contract ${contract.code} cannot be stored: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
    }
    // Tours have inventory on their live departures only; other products on every date of the span.
    const dates = contractStayDates(contract, product);
    try {
      const stored = await this.prisma.$transaction(async (tx) => {
        // Serialises contract creation per product and category, so two overlapping contracts cannot both pass the check.
        await tx.$queryRawUnsafe(`SELECT 1 FROM pg_advisory_xact_lock(hashtext($1))`, `allotment:${product.id}:${contract.category}`);
        const { supplierId } = await tx.product.findUniqueOrThrow({ where: { id: product.id }, select: { supplierId: true } });
        const clash = await tx.allotmentContract.findFirst({
          where: { productId: product.id, category: contract.category, status: 'ACTIVE', validFrom: { lte: utcDate(contract.validTo) }, validTo: { gte: utcDate(contract.validFrom) } },
          orderBy: { validFrom: 'asc' },
        });
        if (clash) {
          throw new InventoryError(
            'contract-overlap',
            `Contract ${contract.code} (${contract.validFrom}..${contract.validTo}) overlaps ACTIVE contract ${clash.code} (${isoDateOf(clash.validFrom)}..${isoDateOf(clash.validTo)}) of ${contract.productCode}/${contract.category}: cancel it or change the dates`,
            [{ path: 'validFrom', message: `overlaps contract ${clash.code}` }],
          );
        }
        const row = await tx.allotmentContract.create({
          data: {
            code: contract.code,
            supplierId: supplierId,
            productId: product.id,
            category: contract.category,
            validFrom: utcDate(contract.validFrom),
            validTo: utcDate(contract.validTo),
            quantity: contract.quantity,
            contractedPrice: contract.contractedPrice,
            currency: contract.currency,
            basis: contract.basis,
            releaseRule: contract.release as unknown as Prisma.InputJsonValue,
            minGroupSize: contract.minGroupSize,
            maxGroupSize: contract.maxGroupSize,
          },
          include: { supplier: true, product: true },
        });
        await tx.inventory.createMany({
          data: dates.map((d) => {
            const releaseOn = releaseDateFor(contract.release, d);
            return { productId: product.id, category: contract.category, stayDate: utcDate(d), contractId: row.id, allotment: contract.quantity, releaseOn: releaseOn ? utcDate(releaseOn) : null };
          }),
        });
        return { contract: toContract(row), created: true };
      }, TX_OPTIONS);
      this.changed(product.id, contract.category, contract.validFrom, contract.validTo, 'contract');
      return stored;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // The same code committed concurrently, or dates kept by a cancelled contract's released rows.
      const winner = await this.findContract(contract.code);
      if (winner) return this.replayContract(winner, contract);
      throw new InventoryError('contract-overlap', `Contract ${contract.code}: some dates ${contract.validFrom}..${contract.validTo} of ${contract.productCode}/${contract.category} still have inventory of an earlier contract (already released); shorten the dates`, [
        { path: 'validFrom', message: 'dates still hold inventory of an earlier contract' },
      ]);
    }
  }

  async getContract(code: string): Promise<StoredContract | null> {
    const row = await this.findContract(code);
    return row ? toContract(row) : null;
  }

  async listContracts(filter: ContractListFilter): Promise<{ items: StoredContract[]; nextCursor: string | null }> {
    const limit = Math.max(1, Math.min(500, Math.trunc(filter.limit)));
    const rows = await this.prisma.allotmentContract.findMany({
      where: { productId: filter.productId, supplier: filter.supplierCode ? { code: filter.supplierCode } : undefined, code: filter.cursor ? { gt: filter.cursor } : undefined },
      include: { supplier: true, product: true },
      orderBy: { code: 'asc' },
      take: limit + 1,
    });
    const items = rows.slice(0, limit).map(toContract);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.code : null };
  }

  /**
   * Changes the units per date of an ACTIVE contract, for every date not yet released (released
   * dates are settled with the supplier and keep their allotment). Refused with
   * `quantity-below-used`, listing the dates, when a date already has more held + sold units.
   */
  async updateContractQuantity(code: string, quantity: number): Promise<StoredContract> {
    const updated = await this.setContractQuantity(code, quantity);
    this.changed(updated.productId, updated.category, updated.validFrom, updated.validTo, 'contract');
    return updated;
  }

  private async setContractQuantity(code: string, quantity: number): Promise<StoredContract> {
    if (!Number.isInteger(quantity) || quantity < 0) {
      throw new InventoryError('invalid-request', `quantity must be a whole number >= 0 (got ${quantity})`, [{ path: 'quantity', message: 'must be a whole number >= 0' }]);
    }
    return this.retrying(() =>
      this.prisma.$transaction(async (tx) => {
        const contract = await this.lockActiveContract(tx, code);
        const rows = await tx.$queryRawUnsafe<Array<{ stay_date: string; used: number }>>(
          `SELECT to_char(stay_date, 'YYYY-MM-DD') AS stay_date, (held + sold + released)::int AS used
             FROM inventory WHERE contract_id = $1::uuid AND released_at IS NULL ORDER BY stay_date FOR UPDATE`,
          contract.id,
        );
        const short = rows.filter((r) => r.used > quantity);
        if (short.length) {
          throw new InventoryError(
            'quantity-below-used',
            `Contract ${code} cannot go down to ${quantity} units: ${short.length} date(s) already have more held or sold (${dateList(short.map((r) => `${r.stay_date}: ${r.used}`))})`,
            short.map((r) => ({ path: 'quantity', message: `${r.stay_date} already has ${r.used} units held or sold` })),
            short.map((r) => r.stay_date),
          );
        }
        await tx.$executeRawUnsafe(
          `UPDATE inventory SET allotment = $2, version = version + 1, updated_at = now() WHERE contract_id = $1::uuid AND released_at IS NULL AND allotment <> $2`,
          contract.id,
          quantity,
        );
        const updated = await tx.allotmentContract.update({ where: { id: contract.id }, data: { quantity, version: { increment: 1 }, updatedAt: new Date() }, include: { supplier: true, product: true } });
        return toContract(updated);
      }, TX_OPTIONS),
    );
  }

  /**
   * Cancels a contract that has nothing held or sold: its unreleased inventory rows are deleted
   * (the dates can take a new contract), released rows stay as history. Refused with
   * `contract-in-use` naming the dates that still carry holds or sales. Cancelling twice is a no-op.
   */
  async cancelContract(code: string): Promise<StoredContract> {
    const cancelled = await this.retrying(() =>
      this.prisma.$transaction(async (tx) => {
        const row = await this.findContract(code, tx);
        if (!row) throw new InventoryError('contract-not-found', `No allotment contract ${code}`);
        if (row.status === 'CANCELLED') return { contract: toContract(row), changed: false };
        await this.lockActiveContract(tx, code);
        const used = await tx.$queryRawUnsafe<Array<{ stay_date: string }>>(
          `SELECT to_char(stay_date, 'YYYY-MM-DD') AS stay_date FROM inventory WHERE contract_id = $1::uuid AND held + sold > 0 ORDER BY stay_date FOR UPDATE`,
          row.id,
        );
        if (used.length) {
          const dates = used.map((u) => u.stay_date);
          throw new InventoryError('contract-in-use', `Contract ${code} cannot be cancelled: ${dates.length} date(s) have units held or sold (${dateList(dates)}); cancel those first`, [], dates);
        }
        await tx.$executeRawUnsafe(`DELETE FROM inventory WHERE contract_id = $1::uuid AND released_at IS NULL`, row.id);
        const updated = await tx.allotmentContract.update({ where: { id: row.id }, data: { status: 'CANCELLED', version: { increment: 1 }, updatedAt: new Date() }, include: { supplier: true, product: true } });
        return { contract: toContract(updated), changed: true };
      }, TX_OPTIONS),
    );
    if (cancelled.changed) this.changed(cancelled.contract.productId, cancelled.contract.category, cancelled.contract.validFrom, cancelled.contract.validTo, 'contract');
    return cancelled.contract;
  }

  /** Every reason a supplier code / product code pair names no product. */
  private async whyNoProduct(supplierCode: string, productCode: string): Promise<CatalogProblem[]> {
    const problems: CatalogProblem[] = [];
    if (!(await this.prisma.supplier.findUnique({ where: { code: supplierCode } }))) problems.push({ path: 'supplierCode', message: `no supplier ${supplierCode}` });
    const elsewhere = await this.prisma.product.findMany({ where: { code: productCode }, include: { supplier: true } });
    problems.push({
      path: 'productCode',
      message: elsewhere.length ? `product ${productCode} belongs to supplier ${elsewhere.map((p) => p.supplier.code).join(', ')}, not ${supplierCode}` : `no product ${productCode}`,
    });
    return problems;
  }

  private findContract(code: string, client: Tx | PrismaClient = this.prisma): Promise<ContractRow | null> {
    return client.allotmentContract.findUnique({ where: { code }, include: { supplier: true, product: true } });
  }

  private replayContract(existing: ContractRow, contract: AllotmentContract): { contract: StoredContract; created: boolean } {
    const stored = toContract(existing);
    if (contractContent(stored) !== contractContent(contract)) {
      throw new InventoryError('contract-conflict', `Allotment contract ${contract.code} already exists with other terms; it is not overwritten (change its quantity or cancel it)`, [
        { path: 'code', message: 'is already used by another contract' },
      ]);
    }
    return { contract: stored, created: false };
  }

  private async lockActiveContract(tx: Tx, code: string): Promise<{ id: string }> {
    const [row] = await tx.$queryRawUnsafe<Array<{ id: string; status: string }>>(`SELECT id::text AS id, status FROM allotment_contracts WHERE code = $1 FOR UPDATE`, code);
    if (!row) throw new InventoryError('contract-not-found', `No allotment contract ${code}`);
    if (row.status !== 'ACTIVE') throw new InventoryError('contract-not-found', `Allotment contract ${code} is ${row.status}`);
    return row;
  }

  // --- stop sales -----------------------------------------------------------------------------

  /** Closes sales of a product (one category, or all with category null) for dates from..to inclusive. */
  async addStopSale(input: StopSale): Promise<StoredStopSale> {
    let s: StopSale;
    try {
      s = parseStopSale(input);
    } catch (err) {
      if (err instanceof CatalogValidationError) throw new InventoryError('invalid-request', err.message, err.problems);
      throw err;
    }
    const product = await this.prisma.product.findFirst({ where: { code: s.productCode, supplier: { code: s.supplierCode } }, include: { categories: true } });
    const problems = product ? [] : await this.whyNoProduct(s.supplierCode, s.productCode);
    if (product && s.category !== null && !product.categories.some((c) => c.code === s.category)) {
      problems.push({ path: 'category', message: `${s.category} is not a category of product ${s.productCode} (categories: ${product.categories.map((c) => c.code).join(', ')})` });
    }
    if (problems.length || !product) throw new InventoryError('invalid-request', `The stop sale of ${s.productCode} cannot be stored: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
    const row = await this.prisma.stopSale.create({ data: { productId: product.id, category: s.category, dateFrom: utcDate(s.from), dateTo: utcDate(s.to), reason: s.reason } });
    this.changed(product.id, s.category, s.from, s.to, 'stop-sale');
    return { id: row.id, productId: product.id, supplierCode: s.supplierCode, productCode: s.productCode, category: row.category, from: s.from, to: s.to, reason: row.reason, createdAt: row.createdAt.getTime() };
  }

  async removeStopSale(id: string): Promise<void> {
    const stop = UUID.test(id) ? await this.prisma.stopSale.findUnique({ where: { id } }) : null;
    const removed = stop ? await this.prisma.stopSale.deleteMany({ where: { id } }) : { count: 0 };
    if (!stop || removed.count === 0) throw new InventoryError('stop-sale-not-found', `No stop sale ${id}`);
    this.changed(stop.productId, stop.category, isoDateOf(stop.dateFrom), isoDateOf(stop.dateTo), 'stop-sale');
  }

  async listStopSales(productId?: string): Promise<StoredStopSale[]> {
    const rows = await this.prisma.stopSale.findMany({ where: { productId }, orderBy: [{ dateFrom: 'asc' }, { createdAt: 'asc' }] });
    const products = await this.prisma.product.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.productId))] } }, include: { supplier: true } });
    const byId = new Map(products.map((p) => [p.id, p]));
    return rows.map((r) => ({
      id: r.id,
      productId: r.productId,
      supplierCode: byId.get(r.productId)?.supplier.code ?? '',
      productCode: byId.get(r.productId)?.code ?? '',
      category: r.category,
      from: isoDateOf(r.dateFrom),
      to: isoDateOf(r.dateTo),
      reason: r.reason,
      createdAt: r.createdAt.getTime(),
    }));
  }

  // --- holds and sales ------------------------------------------------------------------------

  /**
   * Holds `quantity` units of every night from..from+nights for `ttlSeconds`: all nights or
   * nothing. Idempotent by `reference`: the same request returns the existing hold (whatever its
   * status now), other content under the reference is a `reference-conflict`. Refusals:
   * `stop-sale` (a stop sale covers a night), `no-allotment` (a night has no inventory),
   * `sold-out` (a night has fewer units free); `dates` names the nights concerned.
   */
  async hold(req: HoldRequest): Promise<HoldView> {
    return (await this.acquire(req, 'hold')).hold;
  }

  /** A direct sale without a hold (channels, back office): like {@link hold}, the units go straight to sold. */
  async sell(req: SellRequest): Promise<HoldView> {
    return (await this.acquire(req, 'sale')).hold;
  }

  /** {@link hold} or {@link sell}, telling whether this call took the units (`created`) or replayed an earlier one. */
  async acquire(req: SellRequest | HoldRequest, kind: 'hold' | 'sale'): Promise<{ hold: HoldView; created: boolean }> {
    checkSale(req, kind === 'hold');
    return this.take(req, kind === 'hold' ? new Date(req.now.getTime() + (req as HoldRequest).ttlSeconds * 1000) : null);
  }

  private async take(req: SellRequest, expiresAt: Date | null): Promise<{ hold: HoldView; created: boolean }> {
    const toExclusive = addDays(req.from, req.nights);
    const replayed = (row: HoldRow) => ({ hold: this.replayHold(row, req, expiresAt), created: false });
    // The attempt comes first (one round trip when it succeeds): it takes nothing when the
    // reference is used already, a night is unavailable or the party is outside the contracts'
    // group size. Then the reasons are read in that order: a replay answers as it did the first
    // time, whatever the group check says now.
    for (let attempt = 1; ; attempt++) {
      const taken = await this.retrying(() => this.takeAtomically(req, toExclusive, expiresAt));
      if (taken) {
        this.changed(req.productId, req.category, req.from, addDays(toExclusive, -1), expiresAt ? `hold:${req.channel}` : `sale:${req.channel}`);
        return { hold: toHold(taken), created: true };
      }
      // Nothing was taken: the reference is used (a replay, or a concurrent call that won), the
      // party does not fit the contracts, or some night is unavailable.
      const winner = await this.holdByReference(req.reference);
      if (winner) return replayed(winner);
      if (req.pax !== undefined) await this.checkGroupSize(req, toExclusive);
      const refusal = await this.whyUnavailable(req, toExclusive);
      if (refusal) throw refusal;
      // Units came back between the attempt and the diagnosis (a cancellation): try again.
      if (attempt >= MAX_ATTEMPTS) throw new InventoryError('sold-out', `Not enough ${req.category} units free for ${req.quantity} from ${req.from} (availability kept changing); try again`);
    }
  }

  /** One hold by its reference: on the driver when there is one (a sale's hot path), else through Prisma. */
  private async holdByReference(reference: string): Promise<HoldRow | null> {
    if (!this.driver) return this.prisma.inventoryHold.findUnique({ where: { reference } });
    const [row] = await this.driver<DriverHoldRow>(`${HOLD_SELECT} WHERE reference = $1`, [reference]);
    return row ? holdRowOf(row) : null;
  }

  /** Refuses a party outside the min/max group size of the contracts covering the nights. */
  private async checkGroupSize(req: SellRequest, toExclusive: string): Promise<void> {
    type Limits = { min_group: number | null; max_group: number | null; codes: string | null };
    const params = [req.productId, req.category, req.from, toExclusive];
    const [limits] = this.driver ? await this.driver<Limits>(GROUP_LIMITS, params) : await this.prisma.$queryRawUnsafe<Limits[]>(GROUP_LIMITS, ...params);
    if (!limits || limits.min_group === null || limits.max_group === null) return; // no inventory: the attempt names the nights
    const pax = req.pax!;
    if (pax < limits.min_group || pax > limits.max_group) {
      throw new InventoryError(
        'group-size',
        `A party of ${pax} is outside the group size ${limits.min_group}–${limits.max_group} of contract ${limits.codes}`,
        [{ path: 'pax', message: `must be between ${limits.min_group} and ${limits.max_group} for contract ${limits.codes} (got ${pax})` }],
      );
    }
  }

  /**
   * The hold or sale as ONE statement (one implicit transaction, one round trip):
   * 1. `free` locks (FOR UPDATE, in date order, so concurrent multi-night requests queue instead of
   *    deadlocking) the nights that have `quantity` units free, unless a stop sale covers a night.
   *    Under READ COMMITTED a row another buyer changed meanwhile is re-checked on its latest
   *    committed version after the wait, so a night taken by someone else drops out.
   * 2. `hold` inserts the hold row only when every night is in `free` (all or nothing) and the
   *    party (`pax`, when given) is within the group size of every contract covering the nights,
   *    and not when the reference exists (a concurrent duplicate waits for the first and then inserts nothing).
   * 3. `taken` moves the counters of the locked nights only when the hold row was inserted.
   * The CHECK `held + sold + released <= allotment` stays the backstop. Returns the hold row as
   * inserted, or null when nothing was taken.
   */
  private async takeAtomically(req: SellRequest, toExclusive: string, expiresAt: Date | null): Promise<HoldRow | null> {
    const column = expiresAt ? 'held' : 'sold';
    const sql = `
      WITH free AS (
        SELECT i.product_id, i.category, i.stay_date FROM inventory i
         WHERE i.product_id = $1::uuid AND i.category = $2 AND i.stay_date >= $3::date AND i.stay_date < $4::date
           AND i.allotment - i.held - i.sold - i.released >= $5
           AND NOT EXISTS (SELECT 1 FROM stop_sales s WHERE s.product_id = $1::uuid AND (s.category IS NULL OR s.category = $2) AND s.date_from < $4::date AND s.date_to >= $3::date)
         ORDER BY i.stay_date
           FOR UPDATE
      ), hold AS (
        INSERT INTO inventory_holds (id, reference, product_id, category, stay_from, stay_to, quantity, status, channel, expires_at, created_at, updated_at)
        SELECT gen_random_uuid(), $7, $1::uuid, $2, $3::date, $4::date, $5, $8, $9, $10::timestamptz, $11::timestamptz, $11::timestamptz
         WHERE (SELECT count(*) FROM free) = $6
           AND ($12::int IS NULL OR (SELECT $12::int BETWEEN coalesce(l.min_group, $12::int) AND coalesce(l.max_group, $12::int) FROM (${GROUP_LIMITS}) l))
        ON CONFLICT (reference) DO NOTHING
        RETURNING *
      ), taken AS (
        UPDATE inventory i SET ${column} = i.${column} + $5, version = i.version + 1, updated_at = $11::timestamptz
          FROM free
         WHERE EXISTS (SELECT 1 FROM hold) AND i.product_id = free.product_id AND i.category = free.category AND i.stay_date = free.stay_date
        RETURNING i.stay_date
      )
      SELECT ${holdColumns('hold')}, (SELECT count(*)::int FROM taken) AS nights_taken FROM hold`;
    const params = [req.productId, req.category, req.from, toExclusive, req.quantity, req.nights, req.reference, expiresAt ? 'HELD' : 'SOLD', req.channel, expiresAt, req.now, req.pax ?? null];
    type Row = DriverHoldRow & { nights_taken: number };
    const [row] = this.driver ? await this.driver<Row>(sql, params) : await this.prisma.$queryRawUnsafe<Row[]>(sql, ...params);
    if (!row) return null;
    if (row.nights_taken !== req.nights) {
      // Cannot happen: the hold row is inserted only when every night is locked for the update.
      throw new Error(`Hold ${req.reference} took ${row.nights_taken} of ${req.nights} nights`);
    }
    return holdRowOf(row);
  }

  /** Why a request found nothing to take, naming the nights: stop-sale, no-allotment or sold-out (null: it fits now). */
  private async whyUnavailable(req: SellRequest, toExclusive: string): Promise<InventoryError | null> {
    const nights = eachDate(req.from, toExclusive);
    const stops = await this.prisma.$queryRawUnsafe<Array<{ date_from: string; date_to: string }>>(
      `SELECT to_char(date_from, 'YYYY-MM-DD') AS date_from, to_char(date_to, 'YYYY-MM-DD') AS date_to FROM stop_sales
        WHERE product_id = $1::uuid AND (category IS NULL OR category = $2) AND date_from < $4::date AND date_to >= $3::date`,
      req.productId,
      req.category,
      req.from,
      toExclusive,
    );
    const stopped = nights.filter((d) => stops.some((s) => s.date_from <= d && d <= s.date_to));
    if (stopped.length) {
      return new InventoryError('stop-sale', `Sales of ${req.category} are stopped on ${dateList(stopped)}`, stopped.map((d) => ({ path: 'from', message: `${d} is under a stop sale` })), stopped);
    }
    const rows = await this.prisma.$queryRawUnsafe<Array<{ stay_date: string; available: number }>>(
      `SELECT to_char(stay_date, 'YYYY-MM-DD') AS stay_date, (allotment - held - sold - released)::int AS available FROM inventory
        WHERE product_id = $1::uuid AND category = $2 AND stay_date >= $3::date AND stay_date < $4::date`,
      req.productId,
      req.category,
      req.from,
      toExclusive,
    );
    const available = new Map(rows.map((r) => [r.stay_date, r.available]));
    const missing = nights.filter((d) => !available.has(d));
    const short = nights.filter((d) => available.has(d) && available.get(d)! < req.quantity);
    const problems = [
      ...missing.map((d) => ({ path: 'from', message: `${d} has no ${req.category} inventory` })),
      ...short.map((d) => ({ path: 'quantity', message: `${d} has ${Math.max(0, available.get(d)!)} of ${req.quantity} units free` })),
    ];
    if (missing.length) {
      return new InventoryError('no-allotment', `No ${req.category} allotment on ${dateList(missing)}${short.length ? `; not enough free on ${dateList(short)}` : ''}`, problems, [...missing, ...short].sort());
    }
    if (short.length) return new InventoryError('sold-out', `Not enough ${req.category} units free for ${req.quantity} on ${dateList(short)}`, problems, short);
    return null;
  }

  private replayHold(row: HoldRow, req: SellRequest, expiresAt: Date | null): HoldView {
    const view = toHold(row);
    // A hold confirmed since (SOLD, no expiry any more) is still what a repeated hold request asked for.
    const sameKind = (row.expiresAt === null) === (expiresAt === null) || (view.status === 'SOLD' && expiresAt !== null);
    if (!sameKind || view.productId !== req.productId || view.category !== req.category || view.from !== req.from || view.nights !== req.nights || view.quantity !== req.quantity || view.channel !== req.channel) {
      throw new InventoryError('reference-conflict', `Reference ${req.reference} already holds ${view.quantity} x ${view.category} for ${view.from}..${view.toExclusive} (${sameKind ? view.status : 'another kind of request'}); it is not changed`, [
        { path: 'reference', message: 'is already used by another request' },
      ]);
    }
    return view;
  }

  async getHold(reference: string): Promise<HoldView | null> {
    const row = await this.holdByReference(reference);
    return row ? toHold(row) : null;
  }

  /**
   * Turns a live hold into a sale (held - q, sold + q on every night). Confirming a sold hold again
   * returns it; an expired hold (past `expiresAt`, swept or not) is `hold-expired`, a cancelled one
   * `hold-cancelled`.
   */
  async confirmHold(reference: string, now: Date): Promise<HoldView> {
    if (this.driver) return this.confirmOnDriver(this.driver, reference, now);
    return this.retrying(() =>
      this.prisma.$transaction(async (tx) => {
        const hold = await this.lockHold(tx, reference);
        const settled = confirmedOrRefused(hold, reference, now);
        if (settled) return settled;
        const view = toHold(hold);
        const moved = await tx.$executeRawUnsafe(
          `UPDATE inventory SET held = held - $5, sold = sold + $5, version = version + 1, updated_at = now()
            WHERE product_id = $1::uuid AND category = $2 AND stay_date >= $3::date AND stay_date < $4::date`,
          view.productId,
          view.category,
          view.from,
          view.toExclusive,
          view.quantity,
        );
        if (moved !== view.nights) throw new Error(`Inventory of hold ${reference} has ${moved} of ${view.nights} nights: the inventory rows were changed by hand`);
        return toHold(await tx.inventoryHold.update({ where: { id: hold.id }, data: { status: 'SOLD', expiresAt: null, updatedAt: now } }));
      }, TX_OPTIONS),
    );
  }

  /**
   * {@link confirmHold} as ONE statement (a booking's hot path): `h` locks the hold while it is
   * HELD and unexpired, `nights` locks its inventory rows in date order (as a take does), and both
   * updates run only when every night is there (`ok`), so the counters and the hold change together
   * or not at all. When nothing was locked, the hold as it stands says why (sold already: answered
   * as is; cancelled, expired or unknown: refused).
   */
  private async confirmOnDriver(driver: NonNullable<PrismaInventory['driver']>, reference: string, now: Date): Promise<HoldView> {
    const [r] = await this.retrying(() =>
      driver<{ locked: number; sold: DriverHoldRow | null }>(
        `WITH h AS (
           SELECT id, product_id, category, stay_from, stay_to, quantity FROM inventory_holds
            WHERE reference = $1 AND status = 'HELD' AND (expires_at IS NULL OR expires_at > $2)
              FOR UPDATE),
         nights AS (
           SELECT i.stay_date FROM inventory i JOIN h ON i.product_id = h.product_id AND i.category = h.category
            WHERE i.stay_date >= h.stay_from AND i.stay_date < h.stay_to
            ORDER BY i.stay_date FOR UPDATE OF i),
         ok AS (SELECT h.* FROM h WHERE (SELECT count(*) FROM nights) = h.stay_to - h.stay_from),
         moved AS (
           UPDATE inventory i SET held = i.held - ok.quantity, sold = i.sold + ok.quantity, version = i.version + 1, updated_at = now()
             FROM ok WHERE i.product_id = ok.product_id AND i.category = ok.category AND i.stay_date >= ok.stay_from AND i.stay_date < ok.stay_to
           RETURNING i.stay_date),
         sold AS (
           UPDATE inventory_holds s SET status = 'SOLD', expires_at = NULL, updated_at = $2 FROM ok WHERE s.id = ok.id
           RETURNING ${holdColumns('s')})
         SELECT (SELECT count(*) FROM h)::int AS locked, (SELECT to_jsonb(sold) FROM sold) AS sold`,
        [reference, now],
      ),
    );
    if (r?.sold) return toHold(holdRowOf(r.sold));
    if (r && r.locked > 0) throw new Error(`Inventory of hold ${reference} is missing nights: the inventory rows were changed by hand`);
    const hold = await this.holdByReference(reference);
    if (!hold) throw new InventoryError('hold-not-found', `No hold ${reference}`);
    // Sold, cancelled or expired; a hold still confirmable here changed under the statement: the caller retries.
    const settled = confirmedOrRefused(hold, reference, now);
    if (settled) return settled;
    throw new Error(`Hold ${reference} changed while it was being confirmed; try again`);
  }

  /**
   * Cancels a hold or a sale: its units come back (HELD: held - q; SOLD: sold - q). On a night
   * already released to the supplier a returned unit goes to `released`, not back on sale, and the
   * release is notified again with the new total. Cancelling again, or an expired hold, returns it
   * unchanged.
   */
  async cancelHold(reference: string, now: Date): Promise<HoldView> {
    const result = await this.retrying(() =>
      this.prisma.$transaction(async (tx) => {
        const hold = await this.lockHold(tx, reference);
        if (hold.status === 'CANCELLED' || hold.status === 'EXPIRED') return { hold: toHold(hold), changed: false };
        await this.returnUnits(tx, hold, hold.status === 'SOLD' ? 'sold' : 'held');
        return { hold: toHold(await tx.inventoryHold.update({ where: { id: hold.id }, data: { status: 'CANCELLED', updatedAt: now } })), changed: true };
      }, TX_OPTIONS),
    );
    const h = result.hold;
    if (result.changed) this.changed(h.productId, h.category, h.from, addDays(h.toExclusive, -1), `cancel:${h.channel}`);
    return h;
  }

  /**
   * Expires every HELD hold whose `expiresAt` is at or before `now` and returns its units; the
   * number expired. Each hold is expired exactly once even with concurrent callers: the status
   * change `UPDATE ... WHERE status = 'HELD' RETURNING` is the guard.
   */
  async expireHolds(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await this.retrying(() =>
        this.prisma.$transaction(async (tx) => {
          const ids = await tx.$queryRawUnsafe<Array<{ id: string }>>(
            `UPDATE inventory_holds SET status = 'EXPIRED', updated_at = $1
              WHERE id IN (SELECT id FROM inventory_holds WHERE status = 'HELD' AND expires_at <= $1 ORDER BY expires_at, id LIMIT ${EXPIRE_BATCH})
                AND status = 'HELD'
              RETURNING id::text AS id`,
            now,
          );
          const rows = ids.length ? await tx.inventoryHold.findMany({ where: { id: { in: ids.map((r) => r.id) } } }) : [];
          for (const hold of rows) await this.returnUnits(tx, hold, 'held');
          return rows.map(toHold);
        }, TX_OPTIONS),
      );
      total += expired.length;
      this.changedNights(expired.map((h) => ({ productId: h.productId, category: h.category, from: h.from, to: addDays(h.toExclusive, -1) })), 'expiry');
      if (expired.length < EXPIRE_BATCH) return total;
    }
  }

  private async lockHold(tx: Tx, reference: string): Promise<HoldRow> {
    const [locked] = await tx.$queryRawUnsafe<Array<{ id: string }>>(`SELECT id::text AS id FROM inventory_holds WHERE reference = $1 FOR UPDATE`, reference);
    if (!locked) throw new InventoryError('hold-not-found', `No hold ${reference}`);
    return tx.inventoryHold.findUniqueOrThrow({ where: { id: locked.id } });
  }

  /** Gives a hold's units back on every night; on released nights they go to `released`. */
  private async returnUnits(tx: Tx, hold: HoldRow, from: 'held' | 'sold'): Promise<void> {
    const [productId, category, stayFrom, stayTo] = [hold.productId, hold.category, isoDateOf(hold.stayFrom), isoDateOf(hold.stayTo)];
    await tx.$executeRawUnsafe(
      `UPDATE inventory SET ${from} = ${from} - $5,
              released = released + CASE WHEN released_at IS NULL THEN 0 ELSE $5 END,
              version = version + 1, updated_at = now()
        WHERE product_id = $1::uuid AND category = $2 AND stay_date >= $3::date AND stay_date < $4::date`,
      productId,
      category,
      stayFrom,
      stayTo,
      hold.quantity,
    );
    await tx.$executeRawUnsafe(
      `UPDATE allotment_releases SET quantity = quantity + $5, notified_at = NULL
        WHERE product_id = $1::uuid AND category = $2 AND stay_date >= $3::date AND stay_date < $4::date`,
      productId,
      category,
      stayFrom,
      stayTo,
      hold.quantity,
    );
  }

  // --- reads ----------------------------------------------------------------------------------

  /**
   * Per (product, category) with inventory in the stay `from` .. `toExclusive`: the fewest units
   * free on any night (0 when a night has no inventory) and whether a stop sale covers a night.
   * One query; search calls it for every result page.
   */
  async availability(q: { productIds: string[]; from: string; toExclusive: string }): Promise<AvailabilityView[]> {
    const ids = q.productIds.filter((id) => UUID.test(id));
    if (!ids.length || !isIsoDate(q.from) || !isIsoDate(q.toExclusive) || q.toExclusive <= q.from) return [];
    const nights = eachDate(q.from, q.toExclusive).length;
    const sql = `SELECT i.product_id::text AS product_id, i.category, count(*)::int AS nights,
                        min(i.allotment - i.held - i.sold - i.released)::int AS available,
                        bool_or(EXISTS (SELECT 1 FROM stop_sales s WHERE s.product_id = i.product_id AND (s.category IS NULL OR s.category = i.category)
                                          AND i.stay_date BETWEEN s.date_from AND s.date_to)) AS stop_sale,
                        max(c.min_group_size)::int AS min_group, min(c.max_group_size)::int AS max_group
                   FROM inventory i JOIN allotment_contracts c ON c.id = i.contract_id
                  WHERE i.product_id = ANY($1::uuid[]) AND i.stay_date >= $2::date AND i.stay_date < $3::date
                  GROUP BY i.product_id, i.category
                  ORDER BY i.product_id, i.category`;
    const params = [ids, q.from, q.toExclusive];
    type Row = { product_id: string; category: string; nights: number; available: number; stop_sale: boolean; min_group: number; max_group: number };
    const rows = this.driver ? await this.driver<Row>(sql, params) : await this.prisma.$queryRawUnsafe<Row[]>(sql, ...params);
    return rows.map((r) => ({
      productId: r.product_id,
      category: r.category,
      available: r.nights === nights ? Math.max(0, r.available) : 0,
      nightsWithInventory: r.nights,
      stopSale: r.stop_sale,
      minGroupSize: r.min_group,
      maxGroupSize: r.max_group,
    }));
  }

  /** The inventory rows of one (product, category) for stay dates from..to inclusive. */
  async inventoryRows(productId: string, category: string, from: string, to: string): Promise<InventoryRowView[]> {
    const rows = await this.prisma.inventory.findMany({ where: { productId, category, stayDate: { gte: utcDate(from), lte: utcDate(to) } }, orderBy: { stayDate: 'asc' } });
    return rows.map((r) => ({
      stayDate: isoDateOf(r.stayDate),
      contractId: r.contractId,
      allotment: r.allotment,
      held: r.held,
      sold: r.sold,
      released: r.released,
      available: r.allotment - r.held - r.sold - r.released,
      releaseOn: r.releaseOn ? isoDateOf(r.releaseOn) : null,
      releasedAt: r.releasedAt ? r.releasedAt.getTime() : null,
      version: Number(r.version),
    }));
  }

  // --- releases -------------------------------------------------------------------------------

  /**
   * The release run dated `runDate` (operator calendar): every inventory date whose release date
   * has come (`release_on <= runDate`), not yet released, and not past (`stay_date >= runDate`)
   * gives its unsold units back (released += allotment - held - sold - released, released_at =
   * now) with one `allotment_releases` audit row per date. One statement, so one transaction:
   * the rows are locked (FOR UPDATE) before they are read. Re-running the same day, or an earlier
   * one, finds nothing left and returns nothing. Units still held stay held; if they come back
   * later they go to `released` too (see {@link cancelHold}).
   */
  async releaseDue(runDate: string, now: Date): Promise<ReleasedContract[]> {
    if (!isIsoDate(runDate)) throw new InventoryError('invalid-request', `runDate must be a calendar date written YYYY-MM-DD (got "${runDate}")`, [{ path: 'runDate', message: 'must be a calendar date written YYYY-MM-DD' }]);
    type Row = { contract_id: string; contract_code: string; supplier_code: string; product_code: string; product_id: string; category: string; stay_date: string; quantity: number };
    const rows = await this.retrying(() =>
      this.prisma.$queryRawUnsafe<Row[]>(
        `WITH due AS (
           SELECT product_id, category, stay_date, released AS released_before FROM inventory
            WHERE release_on <= $1::date AND released_at IS NULL AND stay_date >= $1::date
            ORDER BY product_id, category, stay_date
              FOR UPDATE
         ), released AS (
           UPDATE inventory i SET released = i.allotment - i.held - i.sold, released_at = $2, version = i.version + 1, updated_at = $2
             FROM due WHERE i.product_id = due.product_id AND i.category = due.category AND i.stay_date = due.stay_date
           RETURNING i.contract_id, i.product_id, i.category, i.stay_date, i.release_on, (i.allotment - i.held - i.sold - due.released_before) AS quantity
         ), audit AS (
           INSERT INTO allotment_releases (id, contract_id, product_id, category, stay_date, quantity, release_on, run_date, released_at)
           SELECT gen_random_uuid(), contract_id, product_id, category, stay_date, quantity, release_on, $1::date, $2 FROM released
           ON CONFLICT (product_id, category, stay_date) DO NOTHING
         )
         SELECT r.contract_id::text AS contract_id, c.code AS contract_code, s.code AS supplier_code, p.code AS product_code, r.product_id::text AS product_id,
                r.category, to_char(r.stay_date, 'YYYY-MM-DD') AS stay_date, r.quantity::int AS quantity
           FROM released r
           JOIN allotment_contracts c ON c.id = r.contract_id
           JOIN suppliers s ON s.id = c.supplier_id
           JOIN products p ON p.id = r.product_id
          ORDER BY c.code, r.stay_date`,
        runDate,
        now,
      ),
    );
    this.changedNights(rows.map((r) => ({ productId: r.product_id, category: r.category, from: r.stay_date, to: r.stay_date })), 'release');
    const byContract = new Map<string, ReleasedContract>();
    for (const r of rows) {
      let c = byContract.get(r.contract_id);
      if (!c) {
        c = { contractId: r.contract_id, contractCode: r.contract_code, supplierCode: r.supplier_code, productCode: r.product_code, productId: r.product_id, category: r.category, lines: [] };
        byContract.set(r.contract_id, c);
      }
      c.lines.push({ stayDate: r.stay_date, quantity: r.quantity });
    }
    return [...byContract.values()];
  }

  /**
   * Releases not yet told to the supplier, one notification per contract, dates with no unit
   * returned left out. A date whose total changed after a notification (a late cancellation) is
   * pending again with the new total; the idempotency key follows the content.
   */
  async pendingNotifications(): Promise<PendingReleaseNotification[]> {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ contract_id: string; contract_code: string; supplier_code: string; product_code: string; category: string; stay_date: string; quantity: number }>>(
      `SELECT ar.contract_id::text AS contract_id, c.code AS contract_code, s.code AS supplier_code, p.code AS product_code, ar.category,
              to_char(ar.stay_date, 'YYYY-MM-DD') AS stay_date, ar.quantity
         FROM allotment_releases ar
         JOIN allotment_contracts c ON c.id = ar.contract_id
         JOIN suppliers s ON s.id = c.supplier_id
         JOIN products p ON p.id = ar.product_id
        WHERE ar.notified_at IS NULL AND ar.quantity > 0
        ORDER BY c.code, ar.stay_date`,
    );
    const byContract = new Map<string, PendingReleaseNotification>();
    for (const r of rows) {
      let n = byContract.get(r.contract_id);
      if (!n) {
        n = { contractId: r.contract_id, supplierCode: r.supplier_code, contractCode: r.contract_code, productCode: r.product_code, category: r.category, lines: [], idempotencyKey: '' };
        byContract.set(r.contract_id, n);
      }
      n.lines.push({ stayDate: r.stay_date, quantity: r.quantity });
    }
    for (const n of byContract.values()) {
      const digest = createHash('sha256').update(n.lines.map((l) => `${l.stayDate}=${l.quantity}`).join(',')).digest('hex').slice(0, 16);
      n.idempotencyKey = `allotment-release:${n.contractCode}:${digest}`;
    }
    return [...byContract.values()];
  }

  /**
   * Records that the supplier was told about these lines. A line whose quantity changed since it
   * was read (a late cancellation) stays pending, so the new total is sent too. Returns the dates marked.
   */
  async markNotified(contractId: string, lines: ReleaseNotificationLine[], now: Date = new Date()): Promise<number> {
    if (!lines.length) return 0;
    return this.prisma.$executeRawUnsafe(
      `UPDATE allotment_releases ar SET notified_at = $2
         FROM (SELECT * FROM unnest($3::date[], $4::int[]) AS l(stay_date, quantity)) l
        WHERE ar.contract_id = $1::uuid AND ar.stay_date = l.stay_date AND ar.quantity = l.quantity AND ar.notified_at IS NULL`,
      contractId,
      now,
      lines.map((l) => l.stayDate),
      lines.map((l) => l.quantity),
    );
  }

  /** Runs a unit of work again (a few times) when PostgreSQL aborted it for a deadlock or serialization failure. */
  private async retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !isTransientConflict(err)) throw err;
      }
    }
  }
}
