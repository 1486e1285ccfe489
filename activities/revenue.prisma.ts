import { randomUUID } from 'node:crypto';
import { bulkInsertReturning } from './bulk-insert';
import { type Prisma, type PrismaClient } from '../generated/prisma/client';
import { RateMissingError } from '../domain/fx/rates';
import { PRODUCT_TYPES, SALES_CHANNELS } from '../domain/ledger/chart';
import type { LineTranslation, TranslationRule } from '../domain/ledger/entry';
import { DEFAULT_TRANSLATION_RULE, rateDateFor } from '../domain/ledger/translation';
import { minorUnits } from '../domain/money/currency';
import { checkAmount, Dec, type MoneyJson } from '../domain/money/money';
import {
  addByCurrency,
  checkTerms,
  DEFAULT_NO_SHOW_POLICY,
  DEFAULT_RECOGNITION_POLICY,
  dueThrough,
  historicalBaseIncrement,
  NO_SHOW_POLICIES,
  RECOGNITION_POLICIES,
  type NoShowPolicy,
  type RecognitionPolicy,
} from '../domain/revenue/recognition';
import { calendarDateIn, isIsoDate, isTimeZone, utcDate, isoDateOf } from '../domain/time/instant';
import type { SqlClient } from '../infra/database';
import { PrismaFxRates, type FxRates } from './fx-rates.prisma';
import { PrismaLedger } from './ledger.prisma';
import { LedgerError, type Ledger } from './ports/ledger';

export type DeferredItemStatus = 'OPEN' | 'RECOGNISED' | 'AWAITING_SUPPLIER' | 'CANCELLED';

/** One sold service component whose revenue waits for the service to be delivered. */
export interface DeferComponentInput {
  bookingRef: string;
  componentId: string;
  productType: string;
  channel: string;
  amount: MoneyJson;
  /** First and last service day, YYYY-MM-DD, inclusive. */
  serviceStart: string;
  serviceEnd: string;
  /**
   * The booking's date (YYYY-MM-DD), whose rate the "booking" translation rule uses for the
   * historical rate; default: the deferral's date in the operator's zone.
   */
  bookingDate?: string;
}

/** The rate a foreign-currency component is carried at in the base currency until recognised. */
export interface HistoricalRate {
  baseCurrency: string;
  /** 1 unit of the component's currency = `rate` base. */
  rate: string;
  source: string;
  /** The publication date actually used. */
  rateDate: string;
}

export interface DeferredItemView {
  id: string;
  bookingRef: string;
  componentId: string;
  productType: string;
  channel: string;
  amount: MoneyJson;
  recognised: string;
  remaining: string;
  serviceStart: string;
  serviceEnd: string;
  policy: RecognitionPolicy;
  noShowPolicy: NoShowPolicy;
  status: DeferredItemStatus;
  supplierConfirmedAt: number | null;
  cancelledAt: number | null;
  /** The accounts recognition moves money between, chosen at deferral (null: deferred before they were stored; looked up at each run). */
  deferredAccount: string | null;
  revenueAccount: string | null;
  /** The historical rate, for a component in a currency other than the base currency; null otherwise. */
  historicalRate: HistoricalRate | null;
  createdAt: number;
}

export interface RecognitionFailure {
  itemId: string;
  bookingRef: string;
  componentId: string;
  /** The ledger's refusal kind ("closed-period", "unknown-account"...). */
  reason: string;
  message: string;
}

/** What one batch of a recognition run did; `nextAfterId` is null when the run is complete. */
export interface RecognitionBatchResult {
  date: string;
  scanned: number;
  itemsRecognised: number;
  entriesPosted: number;
  /** Revenue recognised by this batch per currency, with the currency's decimals. */
  amountsByCurrency: Record<string, string>;
  failures: RecognitionFailure[];
  nextAfterId: string | null;
}

export interface TravelMonthBalance {
  travelMonth: string;
  currency: string;
  items: number;
  remaining: string;
}

export type RevenueErrorKind = 'invalid-component' | 'invalid-request' | 'component-conflict' | 'component-not-found' | 'invalid-state' | 'rate-missing';

/** A request the deferred-revenue store refuses; `problems` names every reason. */
export class RevenueError extends Error {
  constructor(
    readonly kind: RevenueErrorKind,
    message: string,
    readonly problems: Array<{ path: string; message: string }> = [],
  ) {
    super(problems.length ? `${message}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` : message);
    this.name = 'RevenueError';
  }
}

const REF = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_BATCH_SIZE = 1000;
/** The transaction type whose translation rule picks a deferral's historical rate (the sale's). */
const BOOKING_TRANSACTION_TYPE = 'booking';
/**
 * The rule recognition lines name: they repeat the rate of the booking. (The rule that picked that
 * rate at deferral is not stored on the item; its rate date is.)
 */
const HISTORICAL_RULE: TranslationRule = 'BOOKING_DATE';

type ItemRow = Prisma.DeferredRevenueItemGetPayload<object>;
/** A stored item as Prisma reads it, or as the driver's insert returns it (amounts as decimal strings). */
type ItemRowLike = Omit<ItemRow, 'amount' | 'recognised' | 'baseRate'> & { amount: Prisma.Decimal | string; recognised: Prisma.Decimal | string; baseRate: Prisma.Decimal | string | null };

function toView(row: ItemRowLike): DeferredItemView {
  const digits = minorUnits(row.currency);
  const amount = new Dec(row.amount.toString());
  const recognised = new Dec(row.recognised.toString());
  return {
    id: row.id,
    bookingRef: row.bookingRef,
    componentId: row.componentId,
    productType: row.productType,
    channel: row.channel,
    amount: { amount: amount.toFixed(digits), currency: row.currency },
    recognised: recognised.toFixed(digits),
    remaining: amount.minus(recognised).toFixed(digits),
    serviceStart: isoDateOf(row.serviceStart),
    serviceEnd: isoDateOf(row.serviceEnd),
    policy: row.policy as RecognitionPolicy,
    noShowPolicy: row.noShowPolicy as NoShowPolicy,
    status: row.status as DeferredItemStatus,
    supplierConfirmedAt: row.supplierConfirmedAt?.getTime() ?? null,
    cancelledAt: row.cancelledAt?.getTime() ?? null,
    deferredAccount: row.deferredAccount,
    revenueAccount: row.revenueAccount,
    historicalRate:
      row.baseCurrency && row.baseRate && row.rateSource && row.rateDate
        ? { baseCurrency: row.baseCurrency, rate: new Dec(row.baseRate.toString()).toFixed(), source: row.rateSource, rateDate: isoDateOf(row.rateDate) }
        : null,
    createdAt: row.createdAt.getTime(),
  };
}

/** The ledger key of one item's recognition on one run date. */
export const recognitionKey = (itemId: string, date: string) => `revenue-recognition:${itemId}:${date}`;

/**
 * Deferred revenue on PostgreSQL/PGlite: components are deferred when sold and recognised as
 * their service is delivered, by ledger entries Dr deferred revenue / Cr revenue.
 *
 * Retry safety of recognition: the ledger entry is posted first under the key
 * `revenue-recognition:<itemId>:<date>` (a retried post is a no-op), then one SQL statement
 * records the recognition row and bumps `recognised` atomically, only if `recognised` is still
 * what the increment was computed from. An entry posted but never recorded (a crash in between,
 * then a run on another date) is found by its booking reference and kind and recorded before the
 * item's next increment is computed, so nothing is recognised twice.
 *
 * Accounts and rate are fixed at deferral: recognition moves money between the two accounts
 * stored on the item (product_account_map may change later), and a component in a foreign
 * currency is recognised at its stored historical rate (deferred revenue is non-monetary), so the
 * deferred account nets to zero in base too (see {@link historicalBaseIncrement}).
 */
export class PrismaDeferredRevenue {
  private readonly ledger: Ledger;
  private readonly fxRates: FxRates;
  private readonly operatorTimeZone: string;
  private readonly sql: SqlClient | undefined;

  /**
   * @param options.operatorTimeZone IANA zone whose calendar gives the default booking date of a
   *   deferral (default UTC).
   * @param options.sql the driver: a booking's deferral then reads its settings, rules and
   *   accounts in two statements instead of five Prisma queries, and inserts its items in one.
   */
  constructor(
    private readonly prisma: PrismaClient,
    ledger?: Ledger,
    options: { operatorTimeZone?: string; fxRates?: FxRates; sql?: SqlClient } = {},
  ) {
    this.sql = options.sql;
    this.ledger = ledger ?? new PrismaLedger(prisma);
    this.fxRates = options.fxRates ?? new PrismaFxRates(prisma);
    this.operatorTimeZone = options.operatorTimeZone ?? 'UTC';
    if (!isTimeZone(this.operatorTimeZone)) throw new RangeError(`Unknown IANA time zone: ${this.operatorTimeZone}`);
  }

  /**
   * Defers one component, under the policies in force now. Idempotent by (bookingRef,
   * componentId): the same component again returns the stored item (`created: false`); the
   * same ids with other terms are refused as a conflict.
   */
  async deferComponent(input: DeferComponentInput): Promise<{ item: DeferredItemView; created: boolean }> {
    return (await this.deferComponents([input]))[0]!;
  }

  /**
   * Defers several components (a booking's) at once, each as {@link deferComponent} would, with
   * the settings, account map, accounts, stored items and rates read once for all of them and the
   * new items written in one statement. Every component is checked before anything is written: one
   * invalid or conflicting component refuses the whole call and writes nothing.
   */
  async deferComponents(inputs: DeferComponentInput[]): Promise<Array<{ item: DeferredItemView; created: boolean }>> {
    if (inputs.length === 0) return [];
    const { mapRows, settings, ruleRow, anyStored } = await this.deferralTerms(inputs);
    const mapped = new Map(mapRows.map((m) => [m.productType, m]));
    const productTypes = [...new Set<string>([...PRODUCT_TYPES, ...mapped.keys()])];
    const checked = inputs.map((input) => {
      const problems = componentProblems(input, productTypes);
      return { input, problems, accounts: problems.length ? null : accountsOf(mapped, input.productType, input.channel) };
    });
    const codes = [...new Set(checked.flatMap((c) => (c.accounts ? [c.accounts.deferred, c.accounts.revenue] : [])))];
    const found = new Set(codes.length ? await this.activeAccounts(codes) : []);
    for (const c of checked) {
      if (!c.accounts) continue;
      for (const code of [c.accounts.deferred, c.accounts.revenue]) {
        if (!found.has(code)) c.problems.push({ path: code === c.accounts.deferred ? 'productType' : 'channel', message: `the ledger has no active account "${code}" to recognise this component through` });
      }
    }
    const invalid = checked.find((c) => c.problems.length);
    if (invalid) throw new RevenueError('invalid-component', inputs.length === 1 ? 'The component cannot be deferred' : `Component ${String(invalid.input.componentId)} cannot be deferred`, invalid.problems);

    const stored = anyStored ? await this.findAll(inputs) : new Map<string, ItemRow>();
    const results = new Map<string, { item: DeferredItemView; created: boolean }>();
    for (const input of inputs) {
      const row = stored.get(itemKey(input.bookingRef, input.componentId));
      if (row) results.set(itemKey(input.bookingRef, input.componentId), { item: this.sameOrConflict(row, input), created: false });
    }
    const missing = checked.filter((c) => !results.has(itemKey(c.input.bookingRef, c.input.componentId)));
    if (missing.length) {
      const policy = RECOGNITION_POLICIES.find((p) => p === settings?.recognitionPolicy) ?? DEFAULT_RECOGNITION_POLICY;
      const noShowPolicy = NO_SHOW_POLICIES.find((p) => p === settings?.noShowPolicy) ?? DEFAULT_NO_SHOW_POLICY;
      const rule: TranslationRule = ruleRow?.rule ?? DEFAULT_TRANSLATION_RULE;
      const rates = new Map<string, HistoricalRate | null>();
      const data: Prisma.DeferredRevenueItemCreateManyInput[] = [];
      const today = calendarDateIn(Date.now(), this.operatorTimeZone);
      for (const { input, accounts } of missing) {
        const bookingDate = input.bookingDate ?? today;
        const rateKey = `${input.amount.currency} ${bookingDate}`;
        if (!rates.has(rateKey)) rates.set(rateKey, await this.historicalRate(input.amount.currency, bookingDate, settings, rule));
        const rate = rates.get(rateKey);
        data.push({
          bookingRef: input.bookingRef,
          componentId: input.componentId,
          productType: input.productType,
          channel: input.channel,
          amount: input.amount.amount,
          currency: input.amount.currency,
          serviceStart: utcDate(input.serviceStart),
          serviceEnd: utcDate(input.serviceEnd),
          policy,
          noShowPolicy,
          deferredAccount: accounts!.deferred,
          revenueAccount: accounts!.revenue,
          ...(rate ? { baseCurrency: rate.baseCurrency, baseRate: rate.rate, rateSource: rate.source, rateDate: utcDate(rate.rateDate) } : {}),
        });
      }
      // Two deferrals of the same component may race: the first one stands (skipDuplicates), and
      // the loser reads the winner's row below.
      const created = await this.insertItems(data);
      for (const row of created) results.set(itemKey(row.bookingRef, row.componentId), { item: toView(row), created: true });
      const raced = missing.filter((c) => !results.has(itemKey(c.input.bookingRef, c.input.componentId))).map((c) => c.input);
      if (raced.length) {
        const winners = await this.findAll(raced);
        for (const input of raced) {
          const row = winners.get(itemKey(input.bookingRef, input.componentId));
          if (!row) throw new RevenueError('component-not-found', `No deferred component ${input.componentId} on booking ${input.bookingRef}`);
          results.set(itemKey(input.bookingRef, input.componentId), { item: this.sameOrConflict(row, input), created: false });
        }
      }
    }
    return inputs.map((input) => results.get(itemKey(input.bookingRef, input.componentId))!);
  }

  async get(bookingRef: string, componentId: string): Promise<DeferredItemView> {
    const row = await this.find(bookingRef, componentId);
    if (!row) throw new RevenueError('component-not-found', `No deferred component ${componentId} on booking ${bookingRef}`);
    return toView(row);
  }

  /**
   * The traveller did not show. Under SCHEDULED_DATE nothing changes: revenue is still recognised
   * on the scheduled dates. Under SUPPLIER_CONFIRMATION an open item waits (AWAITING_SUPPLIER)
   * and is skipped by recognition until {@link confirmSupplierNoShow}. Repeating it is harmless.
   */
  async markNoShow(bookingRef: string, componentId: string): Promise<DeferredItemView> {
    const row = await this.requireRow(bookingRef, componentId);
    if (row.status === 'CANCELLED') throw new RevenueError('invalid-state', `Component ${componentId} on booking ${bookingRef} is cancelled`);
    if (row.noShowPolicy !== 'SUPPLIER_CONFIRMATION' || row.status !== 'OPEN' || row.supplierConfirmedAt) return toView(row);
    const updated = await this.prisma.deferredRevenueItem.updateMany({ where: { id: row.id, status: 'OPEN' }, data: { status: 'AWAITING_SUPPLIER' } });
    return updated.count ? toView({ ...row, status: 'AWAITING_SUPPLIER' }) : this.get(bookingRef, componentId);
  }

  /** The supplier confirmed the no-show: the item is recognisable again (what is due is recognised by the next run). */
  async confirmSupplierNoShow(bookingRef: string, componentId: string, confirmedAt: Date): Promise<DeferredItemView> {
    const row = await this.requireRow(bookingRef, componentId);
    if (row.supplierConfirmedAt && row.status !== 'CANCELLED') return toView(row);
    if (row.status !== 'AWAITING_SUPPLIER') {
      throw new RevenueError(
        'invalid-state',
        `Component ${componentId} on booking ${bookingRef} is ${row.status}, not awaiting a supplier's no-show confirmation` +
          (row.noShowPolicy === 'SCHEDULED_DATE' ? ' (its no-show policy is SCHEDULED_DATE)' : ''),
      );
    }
    const updated = await this.prisma.deferredRevenueItem.updateMany({
      where: { id: row.id, status: 'AWAITING_SUPPLIER' },
      data: { status: 'OPEN', supplierConfirmedAt: confirmedAt },
    });
    return updated.count ? toView({ ...row, status: 'OPEN', supplierConfirmedAt: confirmedAt }) : this.get(bookingRef, componentId);
  }

  /**
   * No further recognition for the component (the cancellation's money is posted elsewhere).
   * `cancelledAt` (default now) is kept: reports as of an earlier date still count the component.
   * Cancelling again returns the first cancellation unchanged.
   */
  async cancelComponent(bookingRef: string, componentId: string, cancelledAt: Date = new Date()): Promise<DeferredItemView> {
    if (Number.isNaN(cancelledAt.getTime())) throw new RevenueError('invalid-request', 'The component cannot be cancelled', [{ path: 'cancelledAt', message: 'must be a valid instant' }]);
    const row = await this.requireRow(bookingRef, componentId);
    if (row.status === 'CANCELLED') return toView(row);
    if (row.status === 'RECOGNISED') throw new RevenueError('invalid-state', `Component ${componentId} on booking ${bookingRef} is already fully recognised`);
    const updated = await this.prisma.deferredRevenueItem.updateMany({ where: { id: row.id, status: { in: ['OPEN', 'AWAITING_SUPPLIER'] } }, data: { status: 'CANCELLED', cancelledAt } });
    if (!updated.count) return this.cancelComponent(bookingRef, componentId, cancelledAt);
    return toView({ ...row, status: 'CANCELLED', cancelledAt });
  }

  /**
   * One batch of a recognition run through `date`: the OPEN items (ordered by id, after
   * `afterId`) whose cumulative due amount exceeds what was recognised each get one entry for the
   * increment, dated `date`. A ledger refusal for one item (closed period, missing account) is
   * reported in `failures` and the run goes on; the item is caught up by a later run.
   */
  async recogniseThrough(date: string, options: { batchSize?: number; afterId?: string | null } = {}): Promise<RecognitionBatchResult> {
    const batchSize = options.batchSize ?? 200;
    const problems: Array<{ path: string; message: string }> = [];
    if (!isIsoDate(date)) problems.push({ path: 'date', message: 'must be a calendar date written YYYY-MM-DD' });
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) problems.push({ path: 'batchSize', message: `must be a whole number from 1 to ${MAX_BATCH_SIZE}` });
    if (options.afterId != null && !UUID.test(options.afterId)) problems.push({ path: 'afterId', message: 'must be an item id (UUID)' });
    if (problems.length) throw new RevenueError('invalid-request', 'Recognition cannot run', problems);

    const items = await this.prisma.$queryRawUnsafe<
      Array<{
        id: string; bookingRef: string; componentId: string; productType: string; channel: string; amount: string; currency: string; recognised: string;
        serviceStart: string; serviceEnd: string; policy: string; deferredAccount: string | null; revenueAccount: string | null;
        baseCurrency: string | null; baseRate: string | null; rateSource: string | null; rateDate: string | null;
      }>
    >(
      `SELECT id::text AS id, booking_ref AS "bookingRef", component_id AS "componentId", product_type AS "productType", channel,
              amount::text AS amount, currency::text AS currency, recognised::text AS recognised,
              service_start::text AS "serviceStart", service_end::text AS "serviceEnd", policy,
              deferred_account AS "deferredAccount", revenue_account AS "revenueAccount",
              base_currency::text AS "baseCurrency", base_rate::text AS "baseRate", rate_source AS "rateSource", rate_date::text AS "rateDate"
         FROM deferred_revenue_items
        WHERE status = 'OPEN' AND service_start <= $1::date AND ($2::uuid IS NULL OR id > $2::uuid)
        ORDER BY id
        LIMIT $3`,
      date,
      options.afterId ?? null,
      batchSize,
    );
    const result: RecognitionBatchResult = {
      date,
      scanned: items.length,
      itemsRecognised: 0,
      entriesPosted: 0,
      amountsByCurrency: {},
      failures: [],
      nextAfterId: items.length === batchSize ? items[items.length - 1]!.id : null,
    };
    if (!items.length) return result;

    const recovered = await this.recordOrphans(items.map((i) => i.id), [...new Set(items.map((i) => i.bookingRef))]);
    // Only items deferred before accounts were stored need today's account map.
    const accounts = items.some((i) => !i.deferredAccount || !i.revenueAccount) ? await this.accountMap() : null;
    const baseBefore = await this.baseRecognised(items.filter((i) => i.baseRate).map((i) => i.id));
    for (const item of items) {
      const digits = minorUnits(item.currency);
      const recognised = new Dec(item.recognised).plus(recovered.get(item.id) ?? 0);
      const due = new Dec(dueThrough({ amount: { amount: item.amount, currency: item.currency }, serviceStart: item.serviceStart, serviceEnd: item.serviceEnd, policy: item.policy as RecognitionPolicy }, date));
      const increment = due.minus(recognised);
      if (increment.lte(0)) continue;
      const amount = increment.toFixed(digits);
      const { deferred, revenue } =
        item.deferredAccount && item.revenueAccount ? { deferred: item.deferredAccount, revenue: item.revenueAccount } : accounts!(item.productType, item.channel);
      // Carried at the historical rate: both lines say so, with the same base amount (see historicalBaseIncrement).
      let translation: LineTranslation | undefined;
      if (item.baseCurrency && item.baseRate && item.rateSource && item.rateDate) {
        const rate = new Dec(item.baseRate).toFixed();
        const base = historicalBaseIncrement({ cumulativeAfter: due.toFixed(), rate, baseCurrency: item.baseCurrency, baseRecognisedBefore: baseBefore.get(item.id) ?? '0' });
        translation = { base: { amount: base, currency: item.baseCurrency }, rate, source: item.rateSource, rateDate: item.rateDate, rule: HISTORICAL_RULE };
      }
      let entryId: string;
      try {
        const entry = await this.ledger.post({
          idempotencyKey: recognitionKey(item.id, date),
          description: `Revenue recognised: ${item.bookingRef} ${item.componentId} (${item.productType}, through ${date})`,
          accountingDate: date,
          kind: 'revenue-recognition',
          bookingRef: item.bookingRef,
          transactionType: 'revenue-recognition',
          lines: [
            { account: deferred, side: 'DEBIT', amount: { amount, currency: item.currency }, ...(translation ? { translation } : {}) },
            { account: revenue, side: 'CREDIT', amount: { amount, currency: item.currency }, ...(translation ? { translation } : {}) },
          ],
        });
        entryId = entry.id;
      } catch (err) {
        if (!(err instanceof LedgerError)) throw err;
        result.failures.push({ itemId: item.id, bookingRef: item.bookingRef, componentId: item.componentId, reason: err.kind, message: err.message });
        continue;
      }
      result.entriesPosted++;
      if (await this.record(item.id, date, amount, entryId, recognised.toFixed())) {
        result.itemsRecognised++;
        result.amountsByCurrency = addByCurrency(result.amountsByCurrency, { [item.currency]: amount });
      }
    }
    return result;
  }

  /**
   * Remaining deferred revenue (amount − recognised by `asOf`) per travel month (YYYY-MM of
   * serviceStart) and currency, over items deferred by `asOf` and not cancelled by then: an item
   * cancelled after `asOf` still counts (days end at midnight UTC, as for the deferral date; an
   * item cancelled before cancellation dates were kept counts as cancelled on every date).
   */
  async deferredBalanceByTravelMonth(asOf: string): Promise<TravelMonthBalance[]> {
    if (!isIsoDate(asOf)) throw new RevenueError('invalid-request', 'The balance cannot be computed', [{ path: 'asOf', message: 'must be a calendar date written YYYY-MM-DD' }]);
    const rows = await this.prisma.$queryRawUnsafe<Array<{ travelMonth: string; currency: string; items: number; remaining: string }>>(
      `SELECT to_char(i.service_start, 'YYYY-MM') AS "travelMonth", i.currency::text AS currency, COUNT(*)::int AS items,
              SUM(i.amount - COALESCE(r.done, 0))::text AS remaining
         FROM deferred_revenue_items i
         LEFT JOIN (SELECT item_id, SUM(amount) AS done FROM revenue_recognitions WHERE recognition_date <= $1::date GROUP BY item_id) r
           ON r.item_id = i.id
        WHERE i.created_at < (($1::date + 1)::timestamp AT TIME ZONE 'UTC')
          AND (i.status <> 'CANCELLED' OR i.cancelled_at >= (($1::date + 1)::timestamp AT TIME ZONE 'UTC'))
        GROUP BY 1, 2
       HAVING SUM(i.amount - COALESCE(r.done, 0)) <> 0
        ORDER BY 1, 2`,
      asOf,
    );
    return rows.map((r) => ({ ...r, remaining: new Dec(r.remaining).toFixed(minorUnits(r.currency)) }));
  }

  /**
   * Records the recognition and bumps `recognised` in one statement (so atomically), only if
   * `recognised` is still `expectedRecognised`. False when another run got there first.
   */
  private async record(itemId: string, date: string, amount: string, entryId: string, expectedRecognised: string | null): Promise<boolean> {
    try {
      const rows = await this.prisma.$queryRawUnsafe<Array<{ id: bigint }>>(
        `WITH bumped AS (
           UPDATE deferred_revenue_items
              SET recognised = recognised + $3::numeric,
                  status = CASE WHEN status = 'OPEN' AND recognised + $3::numeric >= amount THEN 'RECOGNISED' ELSE status END
            WHERE id = $1::uuid AND ($5::numeric IS NULL OR recognised = $5::numeric)
            RETURNING id)
         INSERT INTO revenue_recognitions (item_id, recognition_date, amount, entry_id)
         SELECT id, $2::date, $3::numeric, $4::uuid FROM bumped
         RETURNING id`,
        itemId,
        date,
        amount,
        entryId,
        expectedRecognised,
      );
      return rows.length === 1;
    } catch (err) {
      // The same item and date recorded by a concurrent run: the statement changed nothing.
      if (String((err as { message?: string }).message ?? '').includes('revenue_recognitions_item_id_recognition_date_key') || hasCode(err, '23505')) return false;
      throw err;
    }
  }

  /** Entries posted for these items but never recorded (see the class comment): recorded now. */
  private async recordOrphans(itemIds: string[], bookingRefs: string[]): Promise<Map<string, Dec>> {
    const orphans = await this.prisma.$queryRawUnsafe<Array<{ entryId: string; key: string; date: string; amount: string }>>(
      `SELECT e.id::text AS "entryId", e.idempotency_key AS key, e.accounting_date::text AS date,
              (SELECT SUM(p.amount) FROM postings p WHERE p.entry_id = e.id AND p.side = 'DEBIT')::text AS amount
         FROM journal_entries e
        WHERE e.booking_ref = ANY($1::text[]) AND e.kind = 'revenue-recognition' AND e.idempotency_key LIKE 'revenue-recognition:%'
          AND NOT EXISTS (
            SELECT 1 FROM revenue_recognitions r
             WHERE r.recognition_date = e.accounting_date
               AND r.item_id = CASE WHEN split_part(e.idempotency_key, ':', 2) ~ '^[0-9a-f-]{36}$'
                                    THEN split_part(e.idempotency_key, ':', 2)::uuid END)`,
      bookingRefs,
    );
    const wanted = new Set(itemIds);
    const recovered = new Map<string, Dec>();
    for (const o of orphans) {
      const itemId = o.key.split(':')[1] ?? '';
      if (!wanted.has(itemId) || recognitionKey(itemId, o.date) !== o.key) continue;
      if (await this.record(itemId, o.date, o.amount, o.entryId, null)) recovered.set(itemId, (recovered.get(itemId) ?? new Dec(0)).plus(o.amount));
    }
    return recovered;
  }

  /**
   * Base already recognised per item: the base amounts of the debit (deferred-account) lines of
   * the entries recorded for it, so each new day is computed against what the ledger really holds.
   */
  private async baseRecognised(itemIds: string[]): Promise<Map<string, string>> {
    if (!itemIds.length) return new Map();
    const rows = await this.prisma.$queryRawUnsafe<Array<{ itemId: string; base: string }>>(
      `SELECT r.item_id::text AS "itemId", COALESCE(SUM(p.base_amount), 0)::text AS base
         FROM revenue_recognitions r JOIN postings p ON p.entry_id = r.entry_id AND p.side = 'DEBIT'
        WHERE r.item_id = ANY($1::uuid[])
        GROUP BY r.item_id`,
      itemIds,
    );
    return new Map(rows.map((r) => [r.itemId, r.base]));
  }

  /**
   * The rate a component in `currency` is carried at: null without finance settings or in the
   * base currency; otherwise the rate the ledger would translate the booking at (the translation
   * rule for "booking", PAYMENT_DATE by default, on the booking date, from the settings' source).
   * A missing rate refuses the deferral, naming the pair and the date.
   */
  private async historicalRate(
    currency: string,
    bookingDate: string,
    settings: { baseCurrency: string; rateSource: string } | null,
    rule: TranslationRule,
  ): Promise<HistoricalRate | null> {
    if (!settings || settings.baseCurrency === currency) return null;
    // The sale is posted on the booking date, so under every rule the rate date is the booking date.
    const date = rateDateFor(rule, bookingDate, bookingDate);
    try {
      const r =
        rule === 'PERIOD_AVERAGE'
          ? await this.fxRates.periodAverage(currency, settings.baseCurrency, date, settings.rateSource)
          : await this.fxRates.resolve(currency, settings.baseCurrency, date, settings.rateSource);
      return { baseCurrency: settings.baseCurrency, rate: r.rate, source: r.source, rateDate: r.rateDate };
    } catch (err) {
      if (!(err instanceof RateMissingError)) throw err;
      throw new RevenueError('rate-missing', `Cannot carry ${currency} deferred revenue in the base currency ${settings.baseCurrency}`, [
        { path: 'amount/currency', message: `${err.message} (rule ${rule} for ${BOOKING_TRANSACTION_TYPE}, source ${settings.rateSource})` },
      ]);
    }
  }

  private async accountMap(): Promise<(productType: string, channel: string) => { deferred: string; revenue: string }> {
    const mapped = new Map((await this.prisma.productAccountMap.findMany()).map((m) => [m.productType, m]));
    return (productType, channel) => accountsOf(mapped, productType, channel);
  }

  private sameOrConflict(row: ItemRow, input: DeferComponentInput): DeferredItemView {
    const view = toView(row);
    const differences = [
      view.productType !== input.productType && `productType ${view.productType}`,
      view.channel !== input.channel && `channel ${view.channel}`,
      (view.amount.currency !== input.amount.currency || !new Dec(view.amount.amount).equals(input.amount.amount)) && `amount ${view.amount.amount} ${view.amount.currency}`,
      view.serviceStart !== input.serviceStart && `serviceStart ${view.serviceStart}`,
      view.serviceEnd !== input.serviceEnd && `serviceEnd ${view.serviceEnd}`,
    ].filter((d): d is string => Boolean(d));
    if (differences.length) {
      throw new RevenueError('component-conflict', `Component ${input.componentId} on booking ${input.bookingRef} was already deferred with ${differences.join(', ')}`);
    }
    return view;
  }

  /**
   * What a deferral reads before it checks: the account map, the settings, the booking
   * translation rule, and whether any of the components is stored already (then their rows are
   * read through Prisma, for the comparison). On the driver this is one statement.
   */
  private async deferralTerms(inputs: DeferComponentInput[]): Promise<{
    mapRows: Array<{ productType: string; deferredAccount: string; revenuePrefix: string }>;
    settings: { recognitionPolicy: string; noShowPolicy: string; baseCurrency: string; rateSource: string } | null;
    ruleRow: { rule: TranslationRule } | null;
    anyStored: boolean;
  }> {
    if (this.sql) {
      const [row] = await this.sql.query<{ settings: { recognitionPolicy: string; noShowPolicy: string; baseCurrency: string; rateSource: string } | null; rule: string | null; map: Array<{ productType: string; deferredAccount: string; revenuePrefix: string }>; stored: boolean }>(
        `SELECT (SELECT json_build_object('recognitionPolicy', recognition_policy, 'noShowPolicy', no_show_policy, 'baseCurrency', base_currency, 'rateSource', rate_source)
                   FROM finance_settings WHERE id = 1) AS settings,
                (SELECT rule::text FROM fx_translation_rules WHERE transaction_type = $1) AS rule,
                (SELECT coalesce(json_agg(json_build_object('productType', product_type, 'deferredAccount', deferred_account, 'revenuePrefix', revenue_prefix)), '[]'::json)
                   FROM product_account_map) AS map,
                EXISTS (SELECT 1 FROM deferred_revenue_items d JOIN unnest($2::text[], $3::text[]) AS k(booking_ref, component_id)
                          ON d.booking_ref = k.booking_ref AND d.component_id = k.component_id) AS stored`,
        [BOOKING_TRANSACTION_TYPE, inputs.map((i) => String(i.bookingRef)), inputs.map((i) => String(i.componentId))],
      );
      return { mapRows: row!.map, settings: row!.settings, ruleRow: row!.rule ? { rule: row!.rule as TranslationRule } : null, anyStored: row!.stored };
    }
    const [mapRows, settings, ruleRow] = await Promise.all([
      this.prisma.productAccountMap.findMany(),
      this.prisma.financeSettings.findUnique({ where: { id: 1 }, select: { recognitionPolicy: true, noShowPolicy: true, baseCurrency: true, rateSource: true } }),
      this.prisma.fxTranslationRule.findUnique({ where: { transactionType: BOOKING_TRANSACTION_TYPE } }),
    ]);
    return { mapRows, settings, ruleRow, anyStored: true };
  }

  /**
   * Inserts new items; one that is there already (a racing deferral) is skipped and not returned.
   * On the driver one statement, its rows returned as the driver gives them.
   */
  private async insertItems(data: Prisma.DeferredRevenueItemCreateManyInput[]): Promise<ItemRowLike[]> {
    if (!this.sql) return this.prisma.deferredRevenueItem.createManyAndReturn({ data, skipDuplicates: true });
    const day = (d: Date | string | null | undefined) => (d === null || d === undefined ? null : isoDateOf(new Date(d)));
    const rows = await bulkInsertReturning<{
      id: string; booking_ref: string; component_id: string; product_type: string; channel: string; amount: string; currency: string; service_start: string; service_end: string;
      policy: string; no_show_policy: string; status: string; recognised: string; supplier_confirmed_at: Date | null; cancelled_at: Date | null; deferred_account: string | null;
      revenue_account: string | null; base_currency: string | null; base_rate: string | null; rate_source: string | null; rate_date: string | null; created_at: Date;
    }>(
      this.sql,
      'deferred_revenue_items',
      {
        id: 'uuid', booking_ref: 'text', component_id: 'text', product_type: 'text', channel: 'text', amount: 'numeric', currency: 'text', service_start: 'date', service_end: 'date',
        policy: 'text', no_show_policy: 'text', deferred_account: 'text', revenue_account: 'text', base_currency: 'text', base_rate: 'numeric', rate_source: 'text', rate_date: 'date',
      },
      data.map((d) => ({
        id: randomUUID(),
        booking_ref: d.bookingRef,
        component_id: d.componentId,
        product_type: d.productType,
        channel: d.channel,
        amount: String(d.amount),
        currency: d.currency,
        service_start: day(d.serviceStart),
        service_end: day(d.serviceEnd),
        policy: d.policy,
        no_show_policy: d.noShowPolicy,
        deferred_account: d.deferredAccount ?? null,
        revenue_account: d.revenueAccount ?? null,
        base_currency: d.baseCurrency ?? null,
        base_rate: d.baseRate === undefined || d.baseRate === null ? null : String(d.baseRate),
        rate_source: d.rateSource ?? null,
        rate_date: day(d.rateDate),
      })),
      `id::text AS id, booking_ref, component_id, product_type, channel, amount::text AS amount, currency, to_char(service_start, 'YYYY-MM-DD') AS service_start,
       to_char(service_end, 'YYYY-MM-DD') AS service_end, policy, no_show_policy, status, recognised::text AS recognised, supplier_confirmed_at, cancelled_at,
       deferred_account, revenue_account, base_currency, base_rate::text AS base_rate, rate_source, to_char(rate_date, 'YYYY-MM-DD') AS rate_date, created_at`,
      { onConflict: 'nothing' },
    );
    return rows.map((r) => ({
      id: r.id,
      bookingRef: r.booking_ref,
      componentId: r.component_id,
      productType: r.product_type,
      channel: r.channel,
      amount: r.amount,
      currency: r.currency,
      serviceStart: utcDate(r.service_start),
      serviceEnd: utcDate(r.service_end),
      policy: r.policy,
      noShowPolicy: r.no_show_policy,
      status: r.status,
      recognised: r.recognised,
      supplierConfirmedAt: r.supplier_confirmed_at === null ? null : new Date(r.supplier_confirmed_at),
      cancelledAt: r.cancelled_at === null ? null : new Date(r.cancelled_at),
      deferredAccount: r.deferred_account,
      revenueAccount: r.revenue_account,
      baseCurrency: r.base_currency,
      baseRate: r.base_rate,
      rateSource: r.rate_source,
      rateDate: r.rate_date === null ? null : utcDate(r.rate_date),
      createdAt: new Date(r.created_at),
    }));
  }

  /** Which of these ledger account codes are active. */
  private async activeAccounts(codes: string[]): Promise<string[]> {
    if (this.sql) return (await this.sql.query<{ code: string }>(`SELECT code FROM ledger_accounts WHERE code = ANY($1::text[]) AND is_active`, [codes])).map((a) => a.code);
    return (await this.prisma.ledgerAccount.findMany({ where: { code: { in: codes }, isActive: true }, select: { code: true } })).map((a) => a.code);
  }

  /** The stored items of these components, by {@link itemKey}. */
  private async findAll(inputs: Array<{ bookingRef: string; componentId: string }>): Promise<Map<string, ItemRow>> {
    const rows = await this.prisma.deferredRevenueItem.findMany({ where: { OR: inputs.map(({ bookingRef, componentId }) => ({ bookingRef, componentId })) } });
    return new Map(rows.map((r) => [itemKey(r.bookingRef, r.componentId), r]));
  }

  private find(bookingRef: string, componentId: string) {
    return this.prisma.deferredRevenueItem.findUnique({ where: { bookingRef_componentId: { bookingRef, componentId } } });
  }

  private async requireRow(bookingRef: string, componentId: string): Promise<ItemRow> {
    const row = await this.find(bookingRef, componentId);
    if (!row) throw new RevenueError('component-not-found', `No deferred component ${componentId} on booking ${bookingRef}`);
    return row;
  }
}

/** Deferred and revenue accounts of a product type and channel: product_account_map (`mapped`, by product type), else the chart's convention. */
function accountsOf(mapped: Map<string, { deferredAccount: string; revenuePrefix: string }>, productType: string, channel: string): { deferred: string; revenue: string } {
  const m = mapped.get(productType);
  return m ? { deferred: m.deferredAccount, revenue: `${m.revenuePrefix}:${channel}` } : { deferred: `liability:deferred-revenue:${productType}`, revenue: `revenue:${productType}:${channel}` };
}

function itemKey(bookingRef: string, componentId: string): string {
  return `${bookingRef}\u0000${componentId}`;
}

/** What is wrong with a component's own fields (`productTypes`: the chart's and the mapped ones); the accounts are checked apart. */
function componentProblems(input: DeferComponentInput, productTypes: string[]): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  if (!REF.test(str(input.bookingRef)) || str(input.bookingRef).length > 32) problems.push({ path: 'bookingRef', message: 'must be 1-32 letters, digits and . _ : - (starting with a letter or digit)' });
  if (!REF.test(str(input.componentId)) || str(input.componentId).length > 64) problems.push({ path: 'componentId', message: 'must be 1-64 letters, digits and . _ : - (starting with a letter or digit)' });
  if (!productTypes.includes(str(input.productType))) problems.push({ path: 'productType', message: `"${input.productType}" is not a product type (one of ${productTypes.join(', ')})` });
  if (!(SALES_CHANNELS as readonly string[]).includes(str(input.channel))) problems.push({ path: 'channel', message: `"${input.channel}" is not a sales channel (one of ${SALES_CHANNELS.join(', ')})` });
  const amount = input.amount ?? { amount: '', currency: '' };
  const moneyProblems = checkAmount(str(amount.amount), str(amount.currency));
  for (const p of moneyProblems) problems.push({ path: 'amount/amount', message: p.message });
  const terms = checkTerms({ amount, serviceStart: str(input.serviceStart), serviceEnd: str(input.serviceEnd), policy: DEFAULT_RECOGNITION_POLICY });
  for (const message of terms) {
    const path = message.startsWith('serviceStart') ? 'serviceStart' : message.startsWith('serviceEnd') ? 'serviceEnd' : message.includes('ISO 4217') ? 'amount/currency' : 'amount/amount';
    if (path === 'amount/amount' && moneyProblems.length) continue; // already said, in checkAmount's words
    problems.push({ path, message });
  }
  if (input.bookingDate !== undefined && !isIsoDate(str(input.bookingDate))) problems.push({ path: 'bookingDate', message: 'must be a calendar date written YYYY-MM-DD' });
  return problems;
}

function hasCode(err: unknown, code: string): boolean {
  const e = err as { code?: string; meta?: { code?: string }; cause?: { code?: string } };
  return e?.meta?.code === code || e?.cause?.code === code || (e?.code === code);
}
