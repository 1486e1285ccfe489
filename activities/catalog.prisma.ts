import { createHash, randomUUID } from 'node:crypto';
import { bulkInsert, rawQuery, type RawSql } from './bulk-insert';
import type { SqlClient } from '../infra/database';
import { encodeCursor, requireCursor, type Page } from './keyset-cursor';
import type {
  BoardBasis,
  CatalogProductType,
  Category,
  ChildBand,
  FeeBasis,
  FeeScope,
  GroundServiceKind,
  IsoWeekday,
  ItineraryDay,
  MarkupRule,
  PaymentMethod,
  PolicyWindow,
  Product,
  Rate,
  RateBasis,
  Supplier,
  SupplierContact,
  SupplierType,
  Tax,
  TaxKind,
  TourDeparture,
} from '../domain/catalog/model';
import { parseProduct, parseSupplier } from '../domain/catalog/validation';
import type { SalesChannel } from '../domain/ledger/chart';
import { isCurrencyCode, minorUnits } from '../domain/money/currency';
import { Dec } from '../domain/money/money';
import type { PrismaClient } from '../generated/prisma/client';
import { PrismaCommissions, type StoredSchedule } from './commissions.prisma';

type Db = Pick<PrismaClient, '$queryRawUnsafe' | '$executeRawUnsafe'>;

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

export type CatalogErrorKind = 'unknown-supplier' | 'inactive-supplier' | 'unknown-product' | 'conflict' | 'exists' | 'version-mismatch';

/** A catalog write refused for a reason the caller can act on (not an input-shape problem). */
export class CatalogError extends Error {
  constructor(
    readonly kind: CatalogErrorKind,
    message: string,
    /** With 'version-mismatch': the stored version the expectation was compared with. */
    readonly currentVersion?: number,
  ) {
    super(message);
    this.name = 'CatalogError';
  }
}

/** The stored version a write requires (any of several, as an If-Match list allows). */
export interface VersionExpectation {
  version: number | readonly number[];
}

/**
 * A precondition of a single-record write, checked inside the write's transaction against the row
 * locked FOR UPDATE, so no other writer can slip in between the check and the write:
 * - `'absent'`: create only. The record must not exist, and a concurrent create of the same code
 *   makes the INSERT do nothing (never an update): CatalogError 'exists'.
 * - `'present'`: replace only (If-Match: *). A missing record is CatalogError 'unknown-supplier' /
 *   'unknown-product'.
 * - `{version}`: the stored version must be (one of) these: else CatalogError 'version-mismatch'
 *   with `currentVersion`; a missing record is 'unknown-supplier' / 'unknown-product'.
 */
export type WriteExpectation = 'absent' | 'present' | VersionExpectation;

export interface WriteOptions {
  expect?: WriteExpectation;
}

/**
 * Checks `expect` against the locked row's version (undefined = no row). Returns normally when the
 * write may go ahead.
 */
function checkExpectation(what: string, expect: WriteExpectation | undefined, version: number | undefined, missing: CatalogErrorKind): void {
  if (expect === undefined) return;
  if (expect === 'absent') {
    if (version !== undefined) throw new CatalogError('exists', `${what} already exists`);
    return;
  }
  if (version === undefined) throw new CatalogError(missing, `There is no ${what.charAt(0).toLowerCase()}${what.slice(1)}`);
  if (expect === 'present') return;
  const wanted: readonly number[] = typeof expect.version === 'number' ? [expect.version] : expect.version;
  if (!wanted.includes(version)) {
    throw new CatalogError('version-mismatch', `${what} is at version ${version}, not ${wanted.join(' or ')}: read it again and reapply the change`, version);
  }
}

export interface SupplierView extends Supplier {
  version: number;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  /** The supplier's commission schedules (commission_schedules rows keyed by this code). */
  commissionSchedules: StoredSchedule[];
}

export interface StoredProductMeta {
  id: string;
  version: number;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
}
export type StoredProduct = Product & StoredProductMeta;

export type { Page } from './keyset-cursor';

export interface SupplierFilter {
  type?: SupplierType;
  active?: boolean;
  /** Case-insensitive substring of the name or code. */
  q?: string;
  cursor?: string;
  limit: number;
}

export interface ProductFilter {
  supplierCode?: string;
  type?: CatalogProductType;
  destination?: string;
  active?: boolean;
  q?: string;
  cursor?: string;
  limit: number;
}

/** What a bulk write did (or, in a dry run, would do) to one product. */
export interface ProductOutcome {
  supplierCode: string;
  code: string;
  outcome: UpsertOutcome | 'skipped';
  /** Set when skipped. */
  reason?: CatalogErrorKind;
  id?: string;
}

export interface SupplierOutcome {
  code: string;
  outcome: UpsertOutcome;
}

/** What `catalog_import_runs` keeps of an import (the whole object goes into `report`). */
export interface ImportRunRecord {
  kind: string;
  source: string;
  dryRun: boolean;
  skipBad: boolean;
  /** Records in the file (a product of many CSV rows is one record). */
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Records not written: invalid ones (with skipBad) and products of inactive suppliers. */
  skipped: number;
  problems: unknown[];
  /** Epoch ms. */
  startedAt: number;
}

/** Reserved key in products.details: hash of the product's canonical content (without `active`). */
const HASH_KEY = '_hash';
/** Products per statement batch in bulk writes (a whole list is still one transaction). */
export const PRODUCT_BATCH = 200;
const TX_OPTIONS = { maxWait: 10_000, timeout: 120_000 };
/** A whole import file in one transaction: the mid-size catalog takes ~10 s; allow plenty. */
const BULK_TX_OPTIONS = { maxWait: 10_000, timeout: 15 * 60_000 };

// ---------------------------------------------------------------------------------------------
// Canonical forms: what a record says, independent of how its numbers were written and of order.

const num = (v: string | undefined | null) => (v === undefined || v === null || v === '' ? null : new Dec(v).toFixed());
/** Code order of the database reads (COLLATE "C"): by UTF-16 code unit, as `<` compares. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function weekdayMask(days: readonly IsoWeekday[]): number {
  let mask = 0;
  for (const d of days) mask |= 1 << (d - 1);
  return mask;
}

export function weekdaysOf(mask: number): IsoWeekday[] {
  const out: IsoWeekday[] = [];
  for (let d = 1; d <= 7; d++) if (mask & (1 << (d - 1))) out.push(d as IsoWeekday);
  return out;
}

function sortedRates(rates: readonly Rate[]): Rate[] {
  return [...rates].sort(
    (a, b) => cmp(a.category, b.category) || cmp(a.ratePlan, b.ratePlan) || cmp(a.validFrom, b.validFrom) || weekdayMask(a.weekdays) - weekdayMask(b.weekdays),
  );
}

function details(p: Product): Record<string, unknown> {
  switch (p.type) {
    case 'TOUR':
      return { itinerary: [...p.itinerary].sort((a, b) => a.day - b.day).map((d) => ({ day: d.day, title: d.title, ...(d.overnight !== undefined && { overnight: d.overnight }) })) };
    case 'HOTEL':
      return { ...(p.starRating !== undefined && { starRating: p.starRating }), ...(p.address !== undefined && { address: p.address }) };
    case 'GROUND_SERVICE':
      return { kind: p.kind, ...(p.durationHours !== undefined && { durationHours: p.durationHours }) };
    case 'INSURANCE':
      return { cover: p.cover, maxTripDays: p.maxTripDays };
  }
}

/** Everything a product says except `active` (kept in its own column and compared apart). */
export function productContentHash(p: Product): string {
  const canonical = [
    p.supplierCode,
    p.code,
    p.type,
    p.name,
    p.destination,
    p.country,
    p.currency,
    p.minPax,
    p.maxPax,
    p.type === 'TOUR' ? [p.durationNights, p.guaranteedThreshold, [...p.departures].sort((a, b) => cmp(a.date, b.date)).map((d) => [d.date, d.status])] : null,
    details(p),
    [...p.categories].sort((a, b) => cmp(a.code, b.code)).map((c) => [c.code, c.name, c.maxOccupancy, c.standardOccupancy]),
    sortedRates(p.rates).map((r) => [r.category, r.ratePlan, r.boardBasis ?? null, r.validFrom, r.validTo, weekdayMask(r.weekdays), r.basis, num(r.amount), num(r.singleSupplement), num(r.extraNight), num(r.sellAmount)]),
    [...p.childBands].sort((a, b) => a.minAge - b.minAge).map((c) => [c.minAge, c.maxAge, num(c.discountPercent)]),
    [...p.taxes].sort((a, b) => cmp(a.code, b.code)).map((t) => [t.code, t.name, t.kind, num(t.amount), t.appliesToChildren]),
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

function supplierContent(s: Supplier): string {
  const windows = (ws: readonly PolicyWindow[]) =>
    [...ws]
      .sort((a, b) => b.fromDaysBefore - a.fromDaysBefore || b.toDaysBefore - a.toDaysBefore)
      .map((w) => [w.fromDaysBefore, w.toDaysBefore, w.basis, w.scope, num(w.amount), w.currency ?? null, w.nonRefundable]);
  return JSON.stringify([
    s.code,
    s.name,
    s.type,
    s.active,
    s.contacts.map((c) => [c.name, c.role ?? null, c.email ?? null, c.phone ?? null]),
    s.iban ?? null,
    s.bic ?? null,
    s.accountNumber ?? null,
    num(s.paymentTerms.depositPercent),
    s.paymentTerms.balanceDueDaysBeforeTravel,
    s.paymentTerms.netDaysAfterInvoice,
    s.preferredPaymentMethod,
    s.invoiceCurrency,
    s.paymentCurrency,
    windows(s.cancellationPolicy.windows),
    windows(s.amendmentPolicy.windows),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Reading: numerics come back as text (never JS numbers), dates as 'YYYY-MM-DD' text.

/** A money amount: at least the currency's minor units ("120.00", "0.1234"), never fewer. */
function moneyText(text: string, currency: string): string {
  const d = new Dec(text);
  const units = isCurrencyCode(currency) ? minorUnits(currency) : 2;
  return d.toFixed(Math.max(units, d.decimalPlaces()));
}
/** A percentage or other plain decimal, without trailing zeros ("12.5"). */
const plain = (text: string) => new Dec(text).toFixed();

interface ProductRow {
  id: string;
  supplier_code: string;
  code: string;
  type: CatalogProductType;
  name: string;
  destination: string;
  country: string;
  currency: string;
  active: boolean;
  min_pax: number;
  max_pax: number;
  guaranteed_threshold: number | null;
  duration_nights: number | null;
  details: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const PRODUCT_COLUMNS = `p.id::text AS id, s.code AS supplier_code, p.code, p.type, p.name, p.destination, p.country, p.currency, p.active, p.min_pax, p.max_pax,
  p.guaranteed_threshold, p.duration_nights, p.details, p.version, p.created_at, p.updated_at`;

interface SupplierRow {
  id: string;
  code: string;
  name: string;
  type: SupplierType;
  active: boolean;
  contacts: SupplierContact[];
  iban: string | null;
  bic: string | null;
  account_number: string | null;
  deposit_percent: string;
  balance_due_days_before_travel: number;
  net_days_after_invoice: number;
  preferred_payment_method: PaymentMethod;
  invoice_currency: string;
  payment_currency: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

interface WindowRow {
  policy: 'CANCELLATION' | 'AMENDMENT';
  from_days_before: number;
  to_days_before: number;
  basis: FeeBasis;
  scope: FeeScope;
  amount: string;
  currency: string | null;
  non_refundable: boolean;
}

const SUPPLIER_COLUMNS = `id::text AS id, code, name, type, active, contacts, iban, bic, account_number, deposit_percent::text AS deposit_percent,
  balance_due_days_before_travel, net_days_after_invoice, preferred_payment_method, invoice_currency, payment_currency, version, created_at, updated_at`;

/** A supplier's policy windows as a JSON array of WindowRow (a correlated subquery over `suppliers`). */
const SUPPLIER_WINDOWS = `coalesce((SELECT json_agg(json_build_object('policy', w.policy, 'from_days_before', w.from_days_before,
    'to_days_before', w.to_days_before, 'basis', w.basis, 'scope', w.scope, 'amount', w.amount::text, 'currency', w.currency, 'non_refundable', w.non_refundable))
    FROM supplier_policy_windows w WHERE w.supplier_id = suppliers.id), '[]'::json)`;

function toWindow(w: WindowRow): PolicyWindow {
  return {
    fromDaysBefore: w.from_days_before,
    toDaysBefore: w.to_days_before,
    basis: w.basis,
    scope: w.scope,
    amount: w.basis === 'FIXED' && w.currency ? moneyText(w.amount, w.currency) : plain(w.amount),
    ...(w.currency !== null && { currency: w.currency }),
    nonRefundable: w.non_refundable,
  };
}

function toSupplier(row: SupplierRow, windows: WindowRow[]): Supplier & { version: number; createdAt: number; updatedAt: number } {
  const policy = (kind: WindowRow['policy']) => ({
    windows: windows
      .filter((w) => w.policy === kind)
      .sort((a, b) => b.from_days_before - a.from_days_before || b.to_days_before - a.to_days_before)
      .map(toWindow),
  });
  return {
    code: row.code,
    name: row.name,
    type: row.type,
    active: row.active,
    contacts: row.contacts,
    ...(row.iban !== null && { iban: row.iban }),
    ...(row.bic !== null && { bic: row.bic }),
    ...(row.account_number !== null && { accountNumber: row.account_number }),
    paymentTerms: {
      depositPercent: plain(row.deposit_percent),
      balanceDueDaysBeforeTravel: row.balance_due_days_before_travel,
      netDaysAfterInvoice: row.net_days_after_invoice,
    },
    preferredPaymentMethod: row.preferred_payment_method,
    invoiceCurrency: row.invoice_currency,
    paymentCurrency: row.payment_currency,
    cancellationPolicy: policy('CANCELLATION'),
    amendmentPolicy: policy('AMENDMENT'),
    version: row.version,
    createdAt: row.created_at.getTime(),
    updatedAt: row.updated_at.getTime(),
  };
}


/** A product's child rows, as PRODUCT_CHILDREN reads them (ordered as the catalog lists them). */
interface ProductChildren {
  categories: Array<{ code: string; name: string; max_occupancy: number; standard_occupancy: number }>;
  rates: Array<{
    category: string;
    rate_plan: string;
    board_basis: BoardBasis | null;
    valid_from: string;
    valid_to: string;
    weekday_mask: number;
    basis: RateBasis;
    amount: string;
    single_supplement: string | null;
    extra_night: string | null;
    sell_amount: string | null;
  }>;
  bands: Array<{ min_age: number; max_age: number; discount_percent: string }>;
  taxes: Array<{ code: string; name: string; kind: TaxKind; amount: string; applies_to_children: boolean }>;
  departures: Array<{ departure_date: string; status: TourDeparture['status'] }>;
}

/** Correlated JSON arrays of a product's (`p`) child rows: numbers that are money or percentages as text, dates as YYYY-MM-DD. */
const PRODUCT_CHILDREN = [
  `coalesce((SELECT json_agg(json_build_object('code', c.code, 'name', c.name, 'max_occupancy', c.max_occupancy, 'standard_occupancy', c.standard_occupancy)
      ORDER BY c.code COLLATE "C") FROM product_categories c WHERE c.product_id = p.id), '[]'::json) AS categories`,
  `coalesce((SELECT json_agg(json_build_object('category', r.category, 'rate_plan', r.rate_plan, 'board_basis', r.board_basis,
      'valid_from', to_char(r.valid_from, 'YYYY-MM-DD'), 'valid_to', to_char(r.valid_to, 'YYYY-MM-DD'), 'weekday_mask', r.weekday_mask, 'basis', r.basis,
      'amount', r.amount::text, 'single_supplement', r.single_supplement::text, 'extra_night', r.extra_night::text, 'sell_amount', r.sell_amount::text)
      ORDER BY r.category COLLATE "C", r.rate_plan COLLATE "C", r.valid_from, r.weekday_mask) FROM product_rates r WHERE r.product_id = p.id), '[]'::json) AS rates`,
  `coalesce((SELECT json_agg(json_build_object('min_age', b.min_age, 'max_age', b.max_age, 'discount_percent', b.discount_percent::text)
      ORDER BY b.min_age) FROM product_child_bands b WHERE b.product_id = p.id), '[]'::json) AS bands`,
  `coalesce((SELECT json_agg(json_build_object('code', t.code, 'name', t.name, 'kind', t.kind, 'amount', t.amount::text, 'applies_to_children', t.applies_to_children)
      ORDER BY t.code COLLATE "C") FROM product_taxes t WHERE t.product_id = p.id), '[]'::json) AS taxes`,
  `coalesce((SELECT json_agg(json_build_object('departure_date', to_char(d.departure_date, 'YYYY-MM-DD'), 'status', d.status)
      ORDER BY d.departure_date) FROM tour_departures d WHERE d.product_id = p.id), '[]'::json) AS departures`,
].join(',\n  ');

/** Loads full products (with every child row) for the products matched by `where` over `p`/`s`. */
async function loadProducts(db: RawSql, where: string, params: unknown[], tail = 'ORDER BY s.code COLLATE "C", p.code COLLATE "C"'): Promise<StoredProduct[]> {
  // One statement (one round trip): each product with its child rows as JSON arrays.
  const rows = await rawQuery<ProductRow & ProductChildren>(db, `SELECT ${PRODUCT_COLUMNS}, ${PRODUCT_CHILDREN} FROM products p JOIN suppliers s ON s.id = p.supplier_id WHERE ${where} ${tail}`, params);
  return rows.map((row) => {
    const cur = row.currency;
    const base = {
      id: row.id,
      version: row.version,
      createdAt: row.created_at.getTime(),
      updatedAt: row.updated_at.getTime(),
      supplierCode: row.supplier_code,
      code: row.code,
      name: row.name,
      destination: row.destination,
      country: row.country,
      currency: cur,
      active: row.active,
      minPax: row.min_pax,
      maxPax: row.max_pax,
      categories: row.categories.map((c): Category => ({ code: c.code, name: c.name, maxOccupancy: c.max_occupancy, standardOccupancy: c.standard_occupancy })),
      rates: row.rates.map(
        (r): Rate => ({
          category: r.category,
          ratePlan: r.rate_plan,
          ...(r.board_basis !== null && { boardBasis: r.board_basis }),
          validFrom: r.valid_from,
          validTo: r.valid_to,
          weekdays: weekdaysOf(r.weekday_mask),
          basis: r.basis,
          amount: moneyText(r.amount, cur),
          ...(r.single_supplement !== null && { singleSupplement: moneyText(r.single_supplement, cur) }),
          ...(r.extra_night !== null && { extraNight: moneyText(r.extra_night, cur) }),
          ...(r.sell_amount !== null && { sellAmount: moneyText(r.sell_amount, cur) }),
        }),
      ),
      childBands: row.bands.map((b): ChildBand => ({ minAge: b.min_age, maxAge: b.max_age, discountPercent: plain(b.discount_percent) })),
      taxes: row.taxes.map(
        (t): Tax => ({ code: t.code, name: t.name, kind: t.kind, amount: t.kind === 'PERCENT' ? plain(t.amount) : moneyText(t.amount, cur), appliesToChildren: t.applies_to_children }),
      ),
    };
    const d = row.details;
    switch (row.type) {
      case 'TOUR':
        return {
          ...base,
          type: 'TOUR',
          itinerary: (d.itinerary as ItineraryDay[] | undefined) ?? [],
          durationNights: row.duration_nights ?? 0,
          guaranteedThreshold: row.guaranteed_threshold ?? 0,
          departures: row.departures.map((x) => ({ date: x.departure_date, status: x.status })),
        };
      case 'HOTEL':
        return {
          ...base,
          type: 'HOTEL',
          ...(d.starRating !== undefined && { starRating: d.starRating as number }),
          ...(d.address !== undefined && { address: d.address as string }),
        };
      case 'GROUND_SERVICE':
        return { ...base, type: 'GROUND_SERVICE', kind: d.kind as GroundServiceKind, ...(d.durationHours !== undefined && { durationHours: d.durationHours as number }) };
      case 'INSURANCE':
        return { ...base, type: 'INSURANCE', cover: d.cover as string, maxTripDays: d.maxTripDays as number };
    }
  });
}

// ---------------------------------------------------------------------------------------------

/**
 * Suppliers, products (with categories, seasonal rates, child bands, taxes, departures) and markup
 * rules on PostgreSQL/PGlite. Every write is one transaction (a bulk write too: the whole list),
 * bulk product writes go in batches of {@link PRODUCT_BATCH} products per statement, with set-based SQL (multi-row INSERT ... ON
 * CONFLICT, child rows deleted and re-inserted with `product_id = ANY($1)`).
 *
 * Idempotence: a product whose canonical content hash (kept in `details._hash`) and `active` flag
 * match the stored ones is `unchanged` and not written; its version stays. A supplier is compared
 * field by field in canonical form.
 */
export class PrismaCatalog {
  private readonly commissions: PrismaCommissions;

  /** Where the product and supplier reads outside transactions run: the driver when given (a booking prices three products, eight reads each), else Prisma. */
  private readonly reads: RawSql;

  constructor(
    private readonly prisma: PrismaClient,
    sql?: SqlClient,
  ) {
    this.reads = sql ?? prisma;
    this.commissions = new PrismaCommissions(prisma);
  }

  // ----- suppliers ---------------------------------------------------------------------------

  /**
   * Creates or replaces (by code) a supplier and its policy windows; the version moves only on
   * change. `expect` makes it create-only or version-checked (see {@link WriteExpectation}); the
   * returned view is read in the same transaction, so its version is the one this write left.
   */
  async upsertSupplier(input: Supplier, options: WriteOptions = {}): Promise<{ outcome: UpsertOutcome; supplier: SupplierView }> {
    const supplier = parseSupplier(input);
    const { outcome, stored } = await this.prisma.$transaction(async (tx) => {
      const [result] = await this.writeSuppliers(tx, [supplier], false, options.expect);
      const [read] = await this.readSuppliers(tx, `code = $1`, [supplier.code]);
      return { outcome: result!.outcome, stored: read };
    }, TX_OPTIONS);
    if (!stored) throw new CatalogError('conflict', `Supplier ${supplier.code} disappeared while it was written`);
    return { outcome, supplier: { ...stored, commissionSchedules: await this.commissions.listSchedules({ supplier: supplier.code }) } };
  }

  /**
   * Bulk form of {@link upsertSupplier} for already validated suppliers: one transaction for the
   * list (a dry run only compares and writes nothing).
   */
  async upsertSuppliers(suppliers: readonly Supplier[], options: { dryRun?: boolean } = {}): Promise<SupplierOutcome[]> {
    if (suppliers.length === 0) return [];
    return options.dryRun ? this.writeSuppliers(this.prisma, suppliers, true) : this.prisma.$transaction((tx) => this.writeSuppliers(tx, suppliers, false), TX_OPTIONS);
  }

  /**
   * Writes suppliers on `db` (a transaction unless a dry run). The stored rows are read FOR UPDATE
   * first; `expect` (single-supplier writes) is checked against them, and with 'absent' the INSERT
   * does nothing on a conflicting code (a concurrent create), which is refused as 'exists'.
   */
  private async writeSuppliers(db: Db, suppliers: readonly Supplier[], dryRun: boolean, expect?: WriteExpectation): Promise<SupplierOutcome[]> {
    const existing = await this.readSuppliers(db, `code = ANY($1::text[])`, [suppliers.map((s) => s.code)], dryRun ? '' : 'FOR UPDATE');
    const byCode = new Map(existing.map((s) => [s.code, s]));
    const createOnly = expect === 'absent';
    const outcomes: SupplierOutcome[] = [];
    for (const s of suppliers) {
      const before = byCode.get(s.code);
      checkExpectation(`Supplier ${s.code}`, expect, before?.version, 'unknown-supplier');
      const outcome: UpsertOutcome = !before ? 'created' : supplierContent(before) === supplierContent(s) ? 'unchanged' : 'updated';
      outcomes.push({ code: s.code, outcome });
      if (dryRun || outcome === 'unchanged') continue;
      const rows = await db.$queryRawUnsafe<{ id: string }[]>(
        `INSERT INTO suppliers (id, code, name, type, active, contacts, iban, bic, account_number, deposit_percent, balance_due_days_before_travel,
                                net_days_after_invoice, preferred_payment_method, invoice_currency, payment_currency)
         VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10::numeric, $11, $12, $13, $14, $15)
         ON CONFLICT (code) ${
           createOnly
             ? 'DO NOTHING'
             : `DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, active = EXCLUDED.active, contacts = EXCLUDED.contacts,
           iban = EXCLUDED.iban, bic = EXCLUDED.bic, account_number = EXCLUDED.account_number, deposit_percent = EXCLUDED.deposit_percent,
           balance_due_days_before_travel = EXCLUDED.balance_due_days_before_travel, net_days_after_invoice = EXCLUDED.net_days_after_invoice,
           preferred_payment_method = EXCLUDED.preferred_payment_method, invoice_currency = EXCLUDED.invoice_currency,
           payment_currency = EXCLUDED.payment_currency, version = suppliers.version + 1, updated_at = now()`
         }
         RETURNING id::text AS id`,
        randomUUID(),
        s.code,
        s.name,
        s.type,
        s.active,
        JSON.stringify(s.contacts),
        s.iban ?? null,
        s.bic ?? null,
        s.accountNumber ?? null,
        s.paymentTerms.depositPercent,
        s.paymentTerms.balanceDueDaysBeforeTravel,
        s.paymentTerms.netDaysAfterInvoice,
        s.preferredPaymentMethod,
        s.invoiceCurrency,
        s.paymentCurrency,
      );
      // Create-only and the code was taken after our locked read (a concurrent create committed).
      if (rows.length === 0) throw new CatalogError('exists', `Supplier ${s.code} already exists`);
      const id = rows[0]!.id;
      await db.$executeRawUnsafe(`DELETE FROM supplier_policy_windows WHERE supplier_id = $1::uuid`, id);
      const windows = [
        ...s.cancellationPolicy.windows.map((w) => ({ ...w, policy: 'CANCELLATION' })),
        ...s.amendmentPolicy.windows.map((w) => ({ ...w, policy: 'AMENDMENT' })),
      ].map((w) => ({
        policy: w.policy,
        from_days_before: w.fromDaysBefore,
        to_days_before: w.toDaysBefore,
        basis: w.basis,
        scope: w.scope,
        amount: w.amount,
        currency: w.currency ?? null,
        non_refundable: w.nonRefundable,
      }));
      if (windows.length) {
        await db.$executeRawUnsafe(
          `INSERT INTO supplier_policy_windows (id, supplier_id, policy, from_days_before, to_days_before, basis, scope, amount, currency, non_refundable)
           SELECT gen_random_uuid(), $1::uuid, x.policy, x.from_days_before, x.to_days_before, x.basis, x.scope, x.amount, x.currency, x.non_refundable
             FROM jsonb_to_recordset($2::jsonb) AS x(policy text, from_days_before int, to_days_before int, basis text, scope text, amount numeric, currency text, non_refundable boolean)`,
          id,
          JSON.stringify(windows),
        );
      }
    }
    return outcomes;
  }

  async getSupplier(code: string): Promise<SupplierView | null> {
    const s = await this.getSupplierTerms(code);
    if (!s) return null;
    return { ...s, commissionSchedules: await this.commissions.listSchedules({ supplier: code }) };
  }

  /** The supplier without its commission schedules (pricing needs only its status and policies): one read on the driver. */
  async getSupplierTerms(code: string): Promise<Omit<SupplierView, 'commissionSchedules'> | null> {
    const [s] = await this.readSuppliers(this.reads, `code = $1`, [code]);
    return s ?? null;
  }

  /** {@link getSupplierTerms} for several suppliers (a booking's) in one read, keyed by code; unknown codes are absent. */
  async getSuppliersTerms(codes: readonly string[]): Promise<Map<string, Omit<SupplierView, 'commissionSchedules'>>> {
    const distinct = [...new Set(codes)];
    if (distinct.length === 0) return new Map();
    const list = await this.readSuppliers(this.reads, `code = ANY($1::text[])`, [distinct]);
    return new Map(list.map((s) => [s.code, s]));
  }

  /** Suppliers ordered by code, `limit` per page (keyset pagination: the cursor is the last code). */
  async listSuppliers(filter: SupplierFilter): Promise<Page<SupplierView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.type) add((n) => `type = ${n}`, filter.type);
    if (filter.active !== undefined) add((n) => `active = ${n}`, filter.active);
    if (filter.q) add((n) => `(name ILIKE ${n} OR code ILIKE ${n})`, `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (filter.cursor) add((n) => `code COLLATE "C" > ${n}`, requireCursor(filter.cursor, 1)[0]);
    const limit = Math.max(1, Math.min(filter.limit, 500));
    const list = await this.readSuppliers(this.reads, where.length ? where.join(' AND ') : 'TRUE', params, '', `ORDER BY code COLLATE "C" LIMIT ${limit + 1}`);
    const page = list.slice(0, limit);
    const schedules = page.length ? await this.prisma.commissionSchedule.findMany({ where: { supplier: { in: page.map((s) => s.code) } }, select: { supplier: true } }) : [];
    const withSchedules = new Set(schedules.map((s) => s.supplier));
    const items = await Promise.all(
      page.map(async (s) => ({ ...s, commissionSchedules: withSchedules.has(s.code) ? await this.commissions.listSchedules({ supplier: s.code }) : [] })),
    );
    return { items, nextCursor: list.length > limit ? encodeCursor([page[page.length - 1]!.code]) : null };
  }

  /**
   * Activates or deactivates a supplier (the version moves only on a change). With `expect`, the
   * version is checked against the row locked FOR UPDATE in the same transaction.
   */
  async setSupplierActive(code: string, active: boolean, options: { expect?: VersionExpectation } = {}): Promise<SupplierView> {
    const { expect } = options;
    const run = async (db: Db) => {
      if (expect) {
        const [row] = await db.$queryRawUnsafe<{ version: number }[]>(`SELECT version FROM suppliers WHERE code = $1 FOR UPDATE`, code);
        checkExpectation(`Supplier ${code}`, expect, row?.version, 'unknown-supplier');
      }
      return db.$executeRawUnsafe(
        `UPDATE suppliers SET active = $2, version = version + CASE WHEN active = $2 THEN 0 ELSE 1 END, updated_at = CASE WHEN active = $2 THEN updated_at ELSE now() END WHERE code = $1`,
        code,
        active,
      );
    };
    const changed = expect ? await this.prisma.$transaction((tx) => run(tx), TX_OPTIONS) : await run(this.prisma);
    if (changed === 0) throw new CatalogError('unknown-supplier', `There is no supplier ${code}`);
    return (await this.getSupplier(code))!;
  }

  /** Suppliers with their policy windows, in one statement (one round trip: pricing reads one per component). */
  private async readSuppliers(db: RawSql, where: string, params: unknown[], lock = '', tail = '') {
    const rows = await rawQuery<SupplierRow & { windows: WindowRow[] }>(db, `SELECT ${SUPPLIER_COLUMNS}, ${SUPPLIER_WINDOWS} AS windows FROM suppliers WHERE ${where} ${tail} ${lock}`, params);
    return rows.map((r) => toSupplier(r, r.windows));
  }

  // ----- products ----------------------------------------------------------------------------

  /**
   * Creates or replaces a product (by supplier and code) with all its child rows in one
   * transaction. Refuses an unknown or inactive supplier (CatalogError). `expect` makes it
   * create-only or version-checked (see {@link WriteExpectation}), checked first, against the
   * product row locked FOR UPDATE; the supplier row is held FOR SHARE so it cannot be deactivated
   * meanwhile. The returned product is read in the same transaction.
   */
  async upsertProduct(input: Product, options: WriteOptions = {}): Promise<{ outcome: UpsertOutcome; product: StoredProduct }> {
    const product = parseProduct(input);
    const { expect } = options;
    const what = `Product ${product.code} of supplier ${product.supplierCode}`;
    return this.prisma.$transaction(async (tx) => {
      const [supplier] = await tx.$queryRawUnsafe<{ id: string; code: string; active: boolean }[]>(
        `SELECT id::text AS id, code, active FROM suppliers WHERE code = $1 FOR SHARE`,
        product.supplierCode,
      );
      if (expect !== undefined) {
        const [row] = supplier
          ? await tx.$queryRawUnsafe<{ version: number }[]>(`SELECT version FROM products WHERE supplier_id = $1::uuid AND code = $2 FOR UPDATE`, supplier.id, product.code)
          : [];
        checkExpectation(what, expect, row?.version, 'unknown-product');
      }
      const [result] = await this.writeBatch(tx, [product], new Map(supplier ? [[supplier.code, supplier]] : []), false, expect === 'absent');
      if (result!.outcome === 'skipped') {
        throw result!.reason === 'inactive-supplier'
          ? new CatalogError('inactive-supplier', `Supplier ${product.supplierCode} is inactive: its products cannot be changed`)
          : new CatalogError('unknown-supplier', `There is no supplier ${product.supplierCode}`);
      }
      const [stored] = await loadProducts(tx, `s.code = $1 AND p.code = $2`, [product.supplierCode, product.code]);
      if (!stored) throw new CatalogError('conflict', `${what} disappeared while it was written`);
      return { outcome: result!.outcome, product: stored };
    }, TX_OPTIONS);
  }

  /**
   * Bulk form of {@link upsertProduct} for already validated products: one transaction for the
   * whole list, written {@link PRODUCT_BATCH} products per statement batch. Products of an unknown or inactive supplier are `skipped` with the reason, never
   * written. `onBatch` is called after each batch with the number of products done so far.
   * A dry run compares with the database and writes nothing.
   */
  async upsertProducts(products: readonly Product[], options: { dryRun?: boolean; onBatch?: (done: number) => void } = {}): Promise<ProductOutcome[]> {
    const supplierCodes = [...new Set(products.map((p) => p.supplierCode))];
    const suppliers = supplierCodes.length
      ? await this.prisma.$queryRawUnsafe<{ id: string; code: string; active: boolean }[]>(`SELECT id::text AS id, code, active FROM suppliers WHERE code = ANY($1::text[])`, supplierCodes)
      : [];
    const supplierByCode = new Map(suppliers.map((s) => [s.code, s]));
    const runAll = async (db: Db) => {
      const outcomes: ProductOutcome[] = [];
      for (let start = 0; start < products.length; start += PRODUCT_BATCH) {
        const batch = products.slice(start, start + PRODUCT_BATCH);
        outcomes.push(...(await this.writeBatch(db, batch, supplierByCode, options.dryRun ?? false)));
        options.onBatch?.(Math.min(products.length, start + PRODUCT_BATCH));
      }
      return outcomes;
    };
    // The whole file is one transaction: a crash or outage part-way leaves nothing written, so an
    // import is never half-applied (batches only bound each statement's size and pace the progress).
    return options.dryRun ? runAll(this.prisma) : this.prisma.$transaction((tx) => runAll(tx), BULK_TX_OPTIONS);
  }

  /**
   * Writes one batch of products. `createOnly` (a single create-only write): a product created by
   * a concurrent writer after our read makes the INSERT do nothing, refused as 'exists'.
   */
  private async writeBatch(db: Db, batch: readonly Product[], supplierByCode: Map<string, { id: string; active: boolean }>, dryRun: boolean, createOnly = false): Promise<ProductOutcome[]> {
    const keys = batch.map((p) => ({ s: p.supplierCode, c: p.code }));
    const existing = await db.$queryRawUnsafe<{ id: string; supplier_code: string; code: string; active: boolean; hash: string | null }[]>(
      `SELECT p.id::text AS id, s.code AS supplier_code, p.code, p.active, p.details->>'${HASH_KEY}' AS hash
         FROM products p JOIN suppliers s ON s.id = p.supplier_id
         JOIN jsonb_to_recordset($1::jsonb) AS k(s text, c text) ON k.s = s.code AND k.c = p.code`,
      JSON.stringify(keys),
    );
    const before = new Map(existing.map((e) => [`${e.supplier_code}\u0000${e.code}`, e]));
    const outcomes: ProductOutcome[] = [];
    const writes: { product: Product; hash: string; supplierId: string; id: string; outcome: ProductOutcome }[] = [];
    for (const p of batch) {
      const supplier = supplierByCode.get(p.supplierCode);
      if (!supplier || !supplier.active) {
        outcomes.push({ supplierCode: p.supplierCode, code: p.code, outcome: 'skipped', reason: supplier ? 'inactive-supplier' : 'unknown-supplier' });
        continue;
      }
      const hash = productContentHash(p);
      const stored = before.get(`${p.supplierCode}\u0000${p.code}`);
      const outcome: ProductOutcome = {
        supplierCode: p.supplierCode,
        code: p.code,
        outcome: !stored ? 'created' : stored.hash === hash && stored.active === p.active ? 'unchanged' : 'updated',
        ...(stored && { id: stored.id }),
      };
      outcomes.push(outcome);
      if (outcome.outcome !== 'unchanged') writes.push({ product: p, hash, supplierId: supplier.id, id: stored?.id ?? randomUUID(), outcome });
    }
    if (dryRun || writes.length === 0) return outcomes;

    const returned = await db.$queryRawUnsafe<{ id: string; supplier_id: string; code: string }[]>(
      `INSERT INTO products (id, supplier_id, code, type, name, destination, country, currency, active, min_pax, max_pax, guaranteed_threshold, duration_nights, details)
       SELECT x.id, x.supplier_id, x.code, x.type, x.name, x.destination, x.country, x.currency, x.active, x.min_pax, x.max_pax, x.guaranteed_threshold, x.duration_nights, x.details
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, supplier_id uuid, code text, type text, name text, destination text, country text, currency text, active boolean,
                                                 min_pax int, max_pax int, guaranteed_threshold int, duration_nights int, details jsonb)
       ON CONFLICT (supplier_id, code) ${
         createOnly
           ? 'DO NOTHING'
           : `DO UPDATE SET type = EXCLUDED.type, name = EXCLUDED.name, destination = EXCLUDED.destination, country = EXCLUDED.country,
         currency = EXCLUDED.currency, active = EXCLUDED.active, min_pax = EXCLUDED.min_pax, max_pax = EXCLUDED.max_pax,
         guaranteed_threshold = EXCLUDED.guaranteed_threshold, duration_nights = EXCLUDED.duration_nights, details = EXCLUDED.details,
         version = products.version + 1, updated_at = now()`
       }
       RETURNING id::text AS id, supplier_id::text AS supplier_id, code`,
      JSON.stringify(
        writes.map(({ product: p, hash, supplierId, id }) => ({
          id,
          supplier_id: supplierId,
          code: p.code,
          type: p.type,
          name: p.name,
          destination: p.destination,
          country: p.country,
          currency: p.currency,
          active: p.active,
          min_pax: p.minPax,
          max_pax: p.maxPax,
          guaranteed_threshold: p.type === 'TOUR' ? p.guaranteedThreshold : null,
          duration_nights: p.type === 'TOUR' ? p.durationNights : null,
          details: { ...details(p), [HASH_KEY]: hash },
        })),
      ),
    );
    // A concurrent writer may have created the product between our read and the insert: the ids
    // the database returns are the ones the child rows must point to.
    const idOf = new Map(returned.map((r) => [`${r.supplier_id}\u0000${r.code}`, r.id]));
    for (const w of writes) {
      const id = idOf.get(`${w.supplierId}\u0000${w.product.code}`);
      if (id === undefined) throw new CatalogError('exists', `Product ${w.product.code} of supplier ${w.product.supplierCode} already exists`);
      w.id = id;
      w.outcome.id = w.id;
    }
    const ids = writes.map((w) => w.id);
    for (const table of ['product_categories', 'product_rates', 'product_child_bands', 'product_taxes', 'tour_departures']) {
      await db.$executeRawUnsafe(`DELETE FROM ${table} WHERE product_id = ANY($1::uuid[])`, ids);
    }
    /** `record` is the column list with types ("product_id uuid, code text"): the same names as the table's. */
    const insert = async (table: string, record: string, rows: Record<string, unknown>[]) => {
      const columns = Object.fromEntries(record.split(',').map((c) => c.trim().split(/\s+/)).map(([name, ...type]) => [name!, type.join(' ')]));
      await bulkInsert(db, table, columns, rows);
    };
    await insert(
      'product_categories',
      'product_id uuid, code text, name text, max_occupancy int, standard_occupancy int',
      writes.flatMap((w) => w.product.categories.map((c) => ({ product_id: w.id, code: c.code, name: c.name, max_occupancy: c.maxOccupancy, standard_occupancy: c.standardOccupancy }))),
    );
    const rateRows = writes.flatMap((w) =>
      w.product.rates.map((r) => ({
        product_id: w.id,
        category: r.category,
        rate_plan: r.ratePlan,
        board_basis: r.boardBasis ?? null,
        valid_from: r.validFrom,
        valid_to: r.validTo,
        weekday_mask: weekdayMask(r.weekdays),
        basis: r.basis,
        amount: r.amount,
        single_supplement: r.singleSupplement ?? null,
        extra_night: r.extraNight ?? null,
        sell_amount: r.sellAmount ?? null,
      })),
    );
    if (rateRows.length) {
      await db.$executeRawUnsafe(
        `INSERT INTO product_rates (id, product_id, category, rate_plan, board_basis, valid_from, valid_to, weekday_mask, basis, amount, single_supplement, extra_night, sell_amount)
         SELECT gen_random_uuid(), x.product_id, x.category, x.rate_plan, x.board_basis, x.valid_from, x.valid_to, x.weekday_mask, x.basis, x.amount, x.single_supplement, x.extra_night, x.sell_amount
           FROM jsonb_to_recordset($1::jsonb) AS x(product_id uuid, category text, rate_plan text, board_basis text, valid_from date, valid_to date, weekday_mask smallint,
                                                   basis text, amount numeric, single_supplement numeric, extra_night numeric, sell_amount numeric)`,
        JSON.stringify(rateRows),
      );
    }
    await insert(
      'product_child_bands',
      'product_id uuid, min_age int, max_age int, discount_percent numeric',
      writes.flatMap((w) => w.product.childBands.map((b) => ({ product_id: w.id, min_age: b.minAge, max_age: b.maxAge, discount_percent: b.discountPercent }))),
    );
    await insert(
      'product_taxes',
      'product_id uuid, code text, name text, kind text, amount numeric, applies_to_children boolean',
      writes.flatMap((w) => w.product.taxes.map((t) => ({ product_id: w.id, code: t.code, name: t.name, kind: t.kind, amount: t.amount, applies_to_children: t.appliesToChildren }))),
    );
    await insert(
      'tour_departures',
      'product_id uuid, departure_date date, status text',
      writes.flatMap((w) => (w.product.type === 'TOUR' ? w.product.departures.map((d) => ({ product_id: w.id, departure_date: d.date, status: d.status })) : [])),
    );
    return outcomes;
  }

  async getProduct(supplierCode: string, code: string): Promise<StoredProduct | null> {
    const [p] = await loadProducts(this.reads, `s.code = $1 AND p.code = $2`, [supplierCode, code]);
    return p ?? null;
  }

  /**
   * Full products by supplier and product code, in one read for all of them (a booking's
   * components): keyed `<supplier>/<product>`; unknown codes are absent from the map.
   */
  async getProductsByCodes(codes: readonly { supplierCode: string; productCode: string }[]): Promise<Map<string, StoredProduct>> {
    if (codes.length === 0) return new Map();
    const list = await loadProducts(
      this.reads,
      `(s.code, p.code) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [codes.map((c) => c.supplierCode), codes.map((c) => c.productCode)],
    );
    return new Map(list.map((p) => [`${p.supplierCode}/${p.code}`, p]));
  }

  /** Full products by database id, in the order of `ids` (unknown ids are left out). */
  async getProductsByIds(ids: readonly string[]): Promise<StoredProduct[]> {
    if (ids.length === 0) return [];
    const list = await loadProducts(this.reads, `p.id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(list.map((p) => [p.id, p]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * Every product of a destination (optionally of some types; `activeOnly` also requires an
   * active supplier), full, in six queries whatever their number.
   */
  async productsForSearch(query: { destination: string; types?: readonly CatalogProductType[]; activeOnly: boolean }): Promise<StoredProduct[]> {
    const where = ['p.destination = $1'];
    const params: unknown[] = [query.destination];
    if (query.types?.length) {
      params.push(query.types);
      where.push(`p.type = ANY($${params.length}::text[])`);
    }
    if (query.activeOnly) where.push('p.active AND s.active');
    return loadProducts(this.reads, where.join(' AND '), params);
  }

  /** Products ordered by (supplier code, product code), keyset pagination. */
  async listProducts(filter: ProductFilter): Promise<Page<StoredProduct>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.supplierCode) add((n) => `s.code = ${n}`, filter.supplierCode);
    if (filter.type) add((n) => `p.type = ${n}`, filter.type);
    if (filter.destination) add((n) => `p.destination = ${n}`, filter.destination);
    if (filter.active !== undefined) add((n) => `p.active = ${n}`, filter.active);
    if (filter.q) add((n) => `(p.name ILIKE ${n} OR p.code ILIKE ${n})`, `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (filter.cursor) {
      const [s, c] = requireCursor(filter.cursor, 2);
      params.push(s, c);
      where.push(`(s.code COLLATE "C", p.code COLLATE "C") > ($${params.length - 1}, $${params.length})`);
    }
    const limit = Math.max(1, Math.min(filter.limit, 500));
    const list = await loadProducts(this.reads, where.length ? where.join(' AND ') : 'TRUE', params, `ORDER BY s.code COLLATE "C", p.code COLLATE "C" LIMIT ${limit + 1}`);
    const items = list.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: list.length > limit && last ? encodeCursor([last.supplierCode, last.code]) : null };
  }

  /**
   * Activates or deactivates a product (the version moves only on a change). With `expect`, the
   * version is checked against the row locked FOR UPDATE in the same transaction.
   */
  async setProductActive(supplierCode: string, code: string, active: boolean, options: { expect?: VersionExpectation } = {}): Promise<StoredProduct> {
    const { expect } = options;
    const run = async (db: Db) => {
      if (expect) {
        const [row] = await db.$queryRawUnsafe<{ version: number }[]>(
          `SELECT p.version FROM products p JOIN suppliers s ON s.id = p.supplier_id WHERE s.code = $1 AND p.code = $2 FOR UPDATE OF p`,
          supplierCode,
          code,
        );
        checkExpectation(`Product ${code} of supplier ${supplierCode}`, expect, row?.version, 'unknown-product');
      }
      return db.$executeRawUnsafe(
        `UPDATE products p SET active = $3, version = p.version + CASE WHEN p.active = $3 THEN 0 ELSE 1 END, updated_at = CASE WHEN p.active = $3 THEN p.updated_at ELSE now() END
           FROM suppliers s WHERE s.id = p.supplier_id AND s.code = $1 AND p.code = $2`,
        supplierCode,
        code,
        active,
      );
    };
    const changed = expect ? await this.prisma.$transaction((tx) => run(tx), TX_OPTIONS) : await run(this.prisma);
    if (changed === 0) throw new CatalogError('unknown-product', `There is no product ${code} of supplier ${supplierCode}`);
    return (await this.getProduct(supplierCode, code))!;
  }

  /** Whether each supplier code exists and is active (codes absent from the map are unknown). */
  async supplierStates(codes: readonly string[]): Promise<Map<string, { active: boolean }>> {
    if (codes.length === 0) return new Map();
    const rows = await this.prisma.$queryRawUnsafe<{ code: string; active: boolean }[]>(`SELECT code, active FROM suppliers WHERE code = ANY($1::text[])`, [...new Set(codes)]);
    return new Map(rows.map((r) => [r.code, { active: r.active }]));
  }

  /** Records one import run (applied, refused or dry run) with its full report; returns the run id. */
  async recordImportRun(run: ImportRunRecord): Promise<string> {
    const row = await this.prisma.catalogImportRun.create({
      data: {
        kind: run.kind,
        source: run.source.length > 200 ? `...${run.source.slice(-197)}` : run.source,
        dryRun: run.dryRun,
        skipBad: run.skipBad,
        total: run.total,
        created: run.created,
        updated: run.updated,
        unchanged: run.unchanged,
        skipped: run.skipped,
        problems: run.problems.length,
        report: JSON.parse(JSON.stringify(run)) as object,
        startedAt: new Date(run.startedAt),
      },
      select: { id: true },
    });
    return row.id;
  }

  // ----- markup rules ------------------------------------------------------------------------

  /** Creates or replaces the rule for (productType, channel); null is stored as '*'. */
  async setMarkupRule(rule: MarkupRule): Promise<{ outcome: UpsertOutcome; rule: MarkupRule }> {
    const [outcome] = await this.setMarkupRules([rule]);
    return { outcome: outcome!, rule: { productType: rule.productType, channel: rule.channel, percent: plain(rule.percent) } };
  }

  /** Bulk form of {@link setMarkupRule}, one transaction (a dry run only compares). */
  async setMarkupRules(rules: readonly MarkupRule[], options: { dryRun?: boolean } = {}): Promise<UpsertOutcome[]> {
    const run = async (db: Db) => {
      const existing = new Map((await this.readMarkupRules(db)).map((r) => [`${r.productType ?? '*'}/${r.channel ?? '*'}`, r.percent]));
      const outcomes: UpsertOutcome[] = [];
      for (const rule of rules) {
        const key = `${rule.productType ?? '*'}/${rule.channel ?? '*'}`;
        const before = existing.get(key);
        const outcome: UpsertOutcome = before === undefined ? 'created' : new Dec(before).eq(rule.percent) ? 'unchanged' : 'updated';
        outcomes.push(outcome);
        existing.set(key, plain(rule.percent));
        if (options.dryRun || outcome === 'unchanged') continue;
        await db.$executeRawUnsafe(
          `INSERT INTO markup_rules (product_type, channel, percent) VALUES ($1, $2, $3::numeric)
           ON CONFLICT (product_type, channel) DO UPDATE SET percent = EXCLUDED.percent, updated_at = now()`,
          rule.productType ?? '*',
          rule.channel ?? '*',
          rule.percent,
        );
      }
      return outcomes;
    };
    return options.dryRun ? run(this.prisma) : this.prisma.$transaction((tx) => run(tx), TX_OPTIONS);
  }

  async listMarkupRules(): Promise<MarkupRule[]> {
    return this.readMarkupRules(this.prisma);
  }

  private async readMarkupRules(db: Db): Promise<MarkupRule[]> {
    const rows = await db.$queryRawUnsafe<{ product_type: string; channel: string; percent: string }[]>(
      `SELECT product_type, channel, percent::text AS percent FROM markup_rules ORDER BY product_type COLLATE "C", channel COLLATE "C"`,
    );
    return rows.map((r) => ({
      productType: r.product_type === '*' ? null : (r.product_type as CatalogProductType),
      channel: r.channel === '*' ? null : (r.channel as SalesChannel),
      percent: plain(r.percent),
    }));
  }
}
