import { minorUnits } from '../money/currency';
import { Dec } from '../money/money';
import { DAY_MS, startOfDateUtc } from '../time/instant';

/**
 * Management report aggregation (issue 9): pure functions over facts the report store reads.
 * Money stays per currency (exact decimal strings at the currency's exponent); currencies are
 * never added together. Calendar dates are YYYY-MM-DD.
 */

/** Amounts by ISO 4217 code (keys sorted), exact decimal strings. */
export type AmountsByCurrency = Record<string, string>;

/** A running total per currency with decimal.js; `toJson` gives sorted keys at each currency's exponent. */
export class CurrencyTotals {
  private readonly totals = new Map<string, Dec>();

  add(currency: string, amount: string | Dec): this {
    this.totals.set(currency, (this.totals.get(currency) ?? new Dec(0)).plus(amount));
    return this;
  }

  get(currency: string): Dec {
    return this.totals.get(currency) ?? new Dec(0);
  }

  currencies(): string[] {
    return [...this.totals.keys()].sort();
  }

  toJson(): AmountsByCurrency {
    return Object.fromEntries(this.currencies().map((c) => [c, this.get(c).toFixed(minorUnits(c))]));
  }
}

const fixed = (amount: Dec, currency: string) => amount.toFixed(minorUnits(currency));

/** Whole days from `from` to `to` (both YYYY-MM-DD): positive when `to` is later. */
export function daysBetween(from: string, to: string): number {
  return Math.round((startOfDateUtc(to) - startOfDateUtc(from)) / DAY_MS);
}

// ---------------------------------------------------------------- booking volume

/** Statuses that are not sales: drafts nobody confirmed, lapsed holds, failed confirmations. */
export const NOT_SALES = ['DRAFT', 'EXPIRED', 'FAILED'] as const;

export interface BookingFact {
  reference: string;
  status: string;
  /** Booking.productCode: the product priced, or the component kinds ("FLIGHT+HOTEL"). */
  productCode: string;
  /** Booking date in the operator's calendar. */
  bookedOn: string;
  travelDate: string;
  channel: string | null;
  currency: string;
  amount: string;
  /** Travellers, when the booking's snapshot tells. */
  pax: number | null;
}

export interface VolumeRow {
  /** "2027-03" (month) or the product code. */
  key: string;
  currency: string;
  /** Bookings that are sales and not cancelled. */
  bookings: number;
  /** Their travellers, where known; `paxUnknown` bookings did not say. */
  pax: number;
  paxUnknown: number;
  gross: string;
  cancelledBookings: number;
  cancelledGross: string;
}

export type VolumeGroupBy = 'month' | 'product';
export type DateBasis = 'booked' | 'travel';

/**
 * Booking volume per group and currency, grouped by month (of the booking or travel date, per
 * `basis`) or by product: drafts, expired and failed bookings left out; cancelled ones counted
 * apart. Rows sorted by key, then currency.
 */
export function bookingVolume(facts: readonly BookingFact[], groupBy: VolumeGroupBy, basis: DateBasis = 'booked'): VolumeRow[] {
  const groups = new Map<string, { key: string; currency: string; bookings: number; pax: number; paxUnknown: number; gross: Dec; cancelled: number; cancelledGross: Dec }>();
  for (const f of facts) {
    if ((NOT_SALES as readonly string[]).includes(f.status)) continue;
    const key = groupBy === 'product' ? f.productCode : (basis === 'booked' ? f.bookedOn : f.travelDate).slice(0, 7);
    const id = `${key}\u0000${f.currency}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key, currency: f.currency, bookings: 0, pax: 0, paxUnknown: 0, gross: new Dec(0), cancelled: 0, cancelledGross: new Dec(0) }));
    if (f.status === 'CANCELLED') {
      g.cancelled += 1;
      g.cancelledGross = g.cancelledGross.plus(f.amount);
      continue;
    }
    g.bookings += 1;
    if (f.pax === null) g.paxUnknown += 1;
    else g.pax += f.pax;
    g.gross = g.gross.plus(f.amount);
  }
  return [...groups.values()]
    .sort((a, b) => (a.key === b.key ? a.currency.localeCompare(b.currency) : a.key.localeCompare(b.key)))
    .map((g) => ({
      key: g.key,
      currency: g.currency,
      bookings: g.bookings,
      pax: g.pax,
      paxUnknown: g.paxUnknown,
      gross: fixed(g.gross, g.currency),
      cancelledBookings: g.cancelled,
      cancelledGross: fixed(g.cancelledGross, g.currency),
    }));
}

// ---------------------------------------------------------------- revenue by channel

export interface ChannelSale {
  /** "direct", "agent", "online", "corporate", "ota:<originating channel>", "unknown". */
  channel: string;
  currency: string;
  gross: string;
  /** Commission paid to whoever sold it (sub-agent); null when Itinera does not record it (OTAs). */
  commission: string | null;
}

export interface ChannelRow {
  channel: string;
  currency: string;
  bookings: number;
  gross: string;
  /** null when no sale of the row recorded its commission. */
  commission: string | null;
  /** gross − commission; null when the commission is not recorded. */
  net: string | null;
}

/** Gross, commission and net per channel and currency (sorted by channel then currency). */
export function revenueByChannel(sales: readonly ChannelSale[]): ChannelRow[] {
  const rows = new Map<string, { channel: string; currency: string; bookings: number; gross: Dec; commission: Dec; recorded: boolean }>();
  for (const s of sales) {
    const id = `${s.channel}\u0000${s.currency}`;
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { channel: s.channel, currency: s.currency, bookings: 0, gross: new Dec(0), commission: new Dec(0), recorded: s.commission !== null }));
    r.bookings += 1;
    r.gross = r.gross.plus(s.gross);
    if (s.commission !== null) r.commission = r.commission.plus(s.commission);
    // A mix would understate the commission: the row says it is not fully recorded.
    r.recorded &&= s.commission !== null;
  }
  return [...rows.values()]
    .sort((a, b) => (a.channel === b.channel ? a.currency.localeCompare(b.currency) : a.channel.localeCompare(b.channel)))
    .map((r) => ({
      channel: r.channel,
      currency: r.currency,
      bookings: r.bookings,
      gross: fixed(r.gross, r.currency),
      commission: r.recorded ? fixed(r.commission, r.currency) : null,
      net: r.recorded ? fixed(r.gross.minus(r.commission), r.currency) : null,
    }));
}

// ---------------------------------------------------------------- aged receivables and payables

export const AGE_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

/** The ageing bucket of an amount `daysOverdue` days past its due date (0 or less: current). */
export function ageBucket(daysOverdue: number): AgeBucket {
  if (daysOverdue <= 0) return 'current';
  if (daysOverdue <= 30) return '1-30';
  if (daysOverdue <= 60) return '31-60';
  if (daysOverdue <= 90) return '61-90';
  return '90+';
}

export const DUE_BUCKETS = ['overdue', '0-30', '31-60', '61-90', '90+'] as const;
export type DueBucket = (typeof DUE_BUCKETS)[number];

/** When an amount falls due, `daysUntilDue` days from the report date (negative: overdue). */
export function dueBucket(daysUntilDue: number): DueBucket {
  if (daysUntilDue < 0) return 'overdue';
  if (daysUntilDue <= 30) return '0-30';
  if (daysUntilDue <= 60) return '31-60';
  if (daysUntilDue <= 90) return '61-90';
  return '90+';
}

export type Buckets<B extends string> = Record<B, string> & { total: string };

/** Sums per (party, currency) into buckets, and the totals per currency. */
class BucketTable<B extends string> {
  private readonly rows = new Map<string, { party: string; currency: string; items: Set<string>; amounts: Map<B, Dec> }>();
  constructor(private readonly names: readonly B[]) {}

  add(party: string, currency: string, item: string, bucket: B, amount: Dec): void {
    const id = `${party}\u0000${currency}`;
    let r = this.rows.get(id);
    if (!r) this.rows.set(id, (r = { party, currency, items: new Set(), amounts: new Map() }));
    r.items.add(item);
    r.amounts.set(bucket, (r.amounts.get(bucket) ?? new Dec(0)).plus(amount));
  }

  private buckets(currency: string, amounts: Map<B, Dec>): Buckets<B> {
    const out = {} as Record<string, string>;
    let total = new Dec(0);
    for (const name of this.names) {
      const a = amounts.get(name) ?? new Dec(0);
      out[name] = fixed(a, currency);
      total = total.plus(a);
    }
    out.total = fixed(total, currency);
    return out as Buckets<B>;
  }

  parties(): Array<{ party: string; currency: string; items: number } & Buckets<B>> {
    return [...this.rows.values()]
      .sort((a, b) => (a.party === b.party ? a.currency.localeCompare(b.currency) : a.party.localeCompare(b.party)))
      .map((r) => ({ party: r.party, currency: r.currency, items: r.items.size, ...this.buckets(r.currency, r.amounts) }));
  }

  totals(): Array<{ currency: string } & Buckets<B>> {
    const byCurrency = new Map<string, Map<B, Dec>>();
    for (const r of this.rows.values()) {
      const m = byCurrency.get(r.currency) ?? new Map<B, Dec>();
      for (const [b, a] of r.amounts) m.set(b, (m.get(b) ?? new Dec(0)).plus(a));
      byCurrency.set(r.currency, m);
    }
    return [...byCurrency.keys()].sort().map((currency) => ({ currency, ...this.buckets(currency, byCurrency.get(currency)!) }));
  }
}

/** One outstanding line a customer owes: an installment's unpaid part. */
export interface ReceivableLine {
  reference: string;
  customerId: string;
  currency: string;
  dueDate: string;
  /** Still unpaid (positive decimal string). */
  outstanding: string;
}

export interface AgedReceivables {
  asOf: string;
  buckets: readonly AgeBucket[];
  totals: Array<{ currency: string } & Buckets<AgeBucket>>;
  customers: Array<{ customerId: string; currency: string; bookings: number } & Buckets<AgeBucket>>;
}

/** Customer balances due bucketed by days overdue at `asOf`, per customer and currency. */
export function agedReceivables(lines: readonly ReceivableLine[], asOf: string): AgedReceivables {
  const table = new BucketTable(AGE_BUCKETS);
  for (const l of lines) {
    const amount = new Dec(l.outstanding);
    if (amount.lte(0)) continue;
    table.add(l.customerId, l.currency, l.reference, ageBucket(daysBetween(l.dueDate, asOf)), amount);
  }
  return {
    asOf,
    buckets: AGE_BUCKETS,
    totals: table.totals(),
    customers: table.parties().map(({ party, items, ...rest }) => ({ customerId: party, bookings: items, ...rest })),
  };
}

/** What a booking owes a supplier for one confirmed component, and when. */
export interface PayableLine {
  reference: string;
  supplier: string;
  currency: string;
  dueDate: string;
  amount: string;
}

/** Supplier payments recorded in the ledger for a booking (per currency). */
export interface SupplierPayment {
  reference: string;
  currency: string;
  amount: string;
}

export interface SupplierPayables {
  asOf: string;
  buckets: readonly DueBucket[];
  totals: Array<{ currency: string } & Buckets<DueBucket>>;
  suppliers: Array<{ supplier: string; currency: string; bookings: number } & Buckets<DueBucket>>;
}

/**
 * What is owed to suppliers at `asOf`, bucketed by when it falls due. A booking's recorded
 * supplier payments (same currency) settle its lines earliest due first.
 */
export function supplierPayables(lines: readonly PayableLine[], payments: readonly SupplierPayment[], asOf: string): SupplierPayables {
  const paid = new Map<string, Dec>();
  for (const p of payments) paid.set(`${p.reference}\u0000${p.currency}`, (paid.get(`${p.reference}\u0000${p.currency}`) ?? new Dec(0)).plus(p.amount));
  const table = new BucketTable(DUE_BUCKETS);
  const ordered = [...lines].sort((a, b) => (a.dueDate === b.dueDate ? a.supplier.localeCompare(b.supplier) : a.dueDate.localeCompare(b.dueDate)));
  for (const l of ordered) {
    const id = `${l.reference}\u0000${l.currency}`;
    const credit = paid.get(id) ?? new Dec(0);
    const amount = new Dec(l.amount);
    const settled = Dec.min(credit, amount);
    paid.set(id, credit.minus(settled));
    const open = amount.minus(settled);
    if (open.lte(0)) continue;
    table.add(l.supplier, l.currency, l.reference, dueBucket(daysBetween(asOf, l.dueDate)), open);
  }
  return {
    asOf,
    buckets: DUE_BUCKETS,
    totals: table.totals(),
    suppliers: table.parties().map(({ party, items, ...rest }) => ({ supplier: party, bookings: items, ...rest })),
  };
}
