import type { PrismaClient } from '../generated/prisma/client';
import { NOT_SALES, type BookingFact, type ChannelSale, type PayableLine, type ReceivableLine, type SupplierPayment } from '../domain/reports/aggregate';
import { payableLines, paxOf, receivableLines } from '../domain/reports/snapshot';
import { isoDateOf } from '../domain/time/instant';

/** Bookings that are confirmed sales: what customers owe for and suppliers are owed for. */
const CONFIRMED_SALES = ['CONFIRMED', 'PAID', 'TRAVELLING', 'COMPLETED'];
const SUPPLIER_PAYABLE_ACCOUNT = 'liability:payable:suppliers';
const NOT_SALES_SQL = NOT_SALES.map((s) => `'${s}'`).join(', ');

export interface ReportWindow {
  /** First and last calendar day (inclusive, operator's calendar). */
  from: string;
  to: string;
  /** IANA zone whose calendar turns a booking's creation instant into its booking date. */
  timeZone: string;
  currency?: string;
}

/** A booking fact as read, before its travellers are taken from the snapshot. */
type BookingRow = Omit<BookingFact, 'pax'> & { snapshot: unknown };

/** The parameters $1–$4 of every windowed query: from, to, the operator's zone, the currency filter (null: all). */
const windowParams = (w: ReportWindow) => [w.from, w.to, w.timeZone, w.currency ?? null] as const;

/**
 * Reads the facts the management reports aggregate (domain/reports): bookings, their snapshots,
 * sub-agent commissions, OTA reservations and supplier payments in the ledger. Read only.
 */
export class PrismaReports {
  constructor(private readonly prisma: PrismaClient) {}

  /** Bookings (any status) booked (or travelling, per `basis`) in the window. */
  async bookingFacts(window: ReportWindow, basis: 'booked' | 'travel'): Promise<BookingFact[]> {
    const dateExpr = basis === 'booked' ? `(b.created_at AT TIME ZONE $3)::date` : `b.travel_date`;
    const rows = await this.prisma.$queryRawUnsafe<BookingRow[]>(
      `SELECT b.reference, b.status::text AS status, b.product_code AS "productCode",
              to_char((b.created_at AT TIME ZONE $3)::date, 'YYYY-MM-DD') AS "bookedOn",
              to_char(b.travel_date, 'YYYY-MM-DD') AS "travelDate", b.channel, b.currency::text AS currency,
              b.amount::text AS amount, b.snapshot
         FROM bookings b
        WHERE ${dateExpr} BETWEEN $1::date AND $2::date
          AND ($4::text IS NULL OR b.currency = $4::text)
        ORDER BY b.reference`,
      ...windowParams(window),
    );
    return rows.map(({ snapshot, ...b }) => ({ ...b, pax: paxOf(snapshot) }));
  }

  /**
   * Sales booked in the window by channel: bookings that are sales and not cancelled (with the
   * sub-agent commission recorded on them, 0 when none), and confirmed OTA reservations from
   * channel managers (`ota:<originating channel>`, commission not recorded by Itinera).
   */
  async channelSales(window: ReportWindow): Promise<ChannelSale[]> {
    const bookings = await this.prisma.$queryRawUnsafe<Array<{ channel: string | null; currency: string; gross: string; commission: string }>>(
      `SELECT b.channel, b.currency::text AS currency, b.amount::text AS gross,
              COALESCE((SELECT SUM(c.sub_agent_commission) FROM commission_records c
                         WHERE c.booking_ref = b.reference AND c.currency = b.currency), 0)::text AS commission
         FROM bookings b
        WHERE (b.created_at AT TIME ZONE $3)::date BETWEEN $1::date AND $2::date
          AND b.status::text NOT IN (${NOT_SALES_SQL}, 'CANCELLED')
          AND ($4::text IS NULL OR b.currency = $4::text)
        ORDER BY b.reference`,
      ...windowParams(window),
    );
    const reservations = await this.prisma.$queryRawUnsafe<Array<{ channel: string; currency: string; gross: string }>>(
      `SELECT 'ota:' || r.originating_channel AS channel, r.currency::text AS currency, r.total::text AS gross
         FROM channel_reservations r
        WHERE r.status = 'CONFIRMED'
          AND (r.created_at AT TIME ZONE $3)::date BETWEEN $1::date AND $2::date
          AND ($4::text IS NULL OR r.currency = $4::text)
        ORDER BY r.channel_manager_code, r.reservation_id`,
      ...windowParams(window),
    );
    return [
      ...bookings.map((b) => ({ channel: b.channel ?? 'unknown', currency: b.currency, gross: b.gross, commission: b.commission })),
      ...reservations.map((r) => ({ ...r, commission: null })),
    ];
  }

  /**
   * What customers owe on confirmed sales booked by `asOf`: each installment's unpaid part from the
   * booking's schedule, or (no schedule in the snapshot) the balance due, due on the travel date.
   * Payments are as recorded now (a booking whose balance due is 0 owes nothing).
   */
  async receivableLines(asOf: string, timeZone: string, currency?: string): Promise<ReceivableLine[]> {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ reference: string; customerId: string; currency: string; balanceDue: string; travelDate: Date; snapshot: unknown }>>(
      `SELECT b.reference, b.customer_id AS "customerId", b.currency::text AS currency, b.balance_due::text AS "balanceDue",
              b.travel_date AS "travelDate", b.snapshot
         FROM bookings b
        WHERE b.status::text = ANY($1::text[])
          AND b.balance_due > 0
          AND (b.created_at AT TIME ZONE $3)::date <= $2::date
          AND ($4::text IS NULL OR b.currency = $4::text)
        ORDER BY b.reference`,
      CONFIRMED_SALES,
      asOf,
      timeZone,
      currency ?? null,
    );
    return rows.flatMap((b) => {
      const booking = { reference: b.reference, customerId: b.customerId, currency: b.currency };
      return receivableLines(b.snapshot, booking) ?? [{ ...booking, dueDate: isoDateOf(b.travelDate), outstanding: b.balanceDue }];
    });
  }

  /** What confirmed components of bookings owe their suppliers (see payableLines), and the supplier payments recorded through `asOf`. */
  async payables(asOf: string, currency?: string): Promise<{ lines: PayableLine[]; payments: SupplierPayment[] }> {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ reference: string; snapshot: unknown }>>(
      `SELECT b.reference, b.snapshot FROM bookings b
        WHERE b.status::text NOT IN (${NOT_SALES_SQL}) AND b.snapshot IS NOT NULL
        ORDER BY b.reference`,
    );
    const lines = rows.flatMap((b) => payableLines(b.snapshot, b.reference)).filter((l) => !currency || l.currency === currency);
    const payments = await this.prisma.$queryRawUnsafe<SupplierPayment[]>(
      `SELECT e.booking_ref AS reference, p.currency::text AS currency,
              SUM(CASE WHEN p.side = 'DEBIT' THEN p.amount ELSE -p.amount END)::text AS amount
         FROM postings p
         JOIN journal_entries e ON e.id = p.entry_id
         JOIN ledger_accounts a ON a.id = p.account_id
         LEFT JOIN journal_entries o ON o.id = e.reverses_id
        WHERE a.code = $1 AND e.booking_ref IS NOT NULL AND e.accounting_date <= $2::date
          AND (e.kind = 'supplier-payment' OR o.kind = 'supplier-payment')
        GROUP BY 1, 2`,
      SUPPLIER_PAYABLE_ACCOUNT,
      asOf,
    );
    return { lines, payments };
  }

  /** Customers by the year of their first trip: how many travelled, how many came back. */
  async repeatRateByFirstTripYear(): Promise<Array<{ year: number; customers: number; repeatCustomers: number }>> {
    return this.prisma.$queryRawUnsafe(
      `SELECT EXTRACT(YEAR FROM first_trip_on)::int AS year, COUNT(*)::int AS customers,
              COUNT(*) FILTER (WHERE trip_count >= 2)::int AS "repeatCustomers"
         FROM customers WHERE first_trip_on IS NOT NULL
        GROUP BY 1 ORDER BY 1`,
    );
  }
}
