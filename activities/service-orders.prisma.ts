import { isoDateOf } from '../domain/time/instant';
import type { PrismaClient } from '../generated/prisma/client';
import type { SqlClient } from '../infra/database';

/** What a supplier is asked for by message: a transfer, an excursion, an insurance policy. */
export interface ServiceOrderRequest {
  /** The confirmation's idempotency key (`<workflowId>:confirm:<componentId>[:v<n>]`), at most 160 characters. */
  reference: string;
  bookingRef: string;
  componentId: string;
  supplierCode: string;
  productCode: string;
  serviceStart: string;
  serviceEnd: string;
  quantity: number;
  now: Date;
}

export interface ServiceOrderView {
  reference: string;
  bookingRef: string;
  componentId: string;
  supplierCode: string;
  productCode: string;
  serviceStart: string;
  serviceEnd: string;
  quantity: number;
  status: 'CONFIRMED' | 'CANCELLED';
  confirmedAt: number;
  cancelledAt: number | null;
}

/** The reference was used before for another booking or component: a bug in the caller's key. */
export class ServiceOrderConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceOrderConflict';
  }
}

type Row = Awaited<ReturnType<PrismaClient['supplierServiceOrder']['findUniqueOrThrow']>>;

function toView(row: Row): ServiceOrderView {
  return {
    reference: row.reference,
    bookingRef: row.bookingRef,
    componentId: row.componentId,
    supplierCode: row.supplierCode,
    productCode: row.productCode,
    serviceStart: isoDateOf(row.serviceStart),
    serviceEnd: isoDateOf(row.serviceEnd),
    quantity: row.quantity,
    status: row.status === 'CANCELLED' ? 'CANCELLED' : 'CONFIRMED',
    confirmedAt: row.confirmedAt.getTime(),
    cancelledAt: row.cancelledAt?.getTime() ?? null,
  };
}

/** A row as the driver returns it (dates as text, instants as epoch ms). */
interface DriverRow {
  reference: string;
  booking_ref: string;
  component_id: string;
  supplier_code: string;
  product_code: string;
  service_start: string;
  service_end: string;
  quantity: number;
  status: string;
  confirmed_ms: number;
  cancelled_ms: number | null;
  created: boolean;
}

const DRIVER_COLUMNS = `reference, booking_ref, component_id, supplier_code, product_code, service_start::text AS service_start, service_end::text AS service_end, quantity,
  status, round(extract(epoch FROM confirmed_at) * 1000)::float8 AS confirmed_ms, round(extract(epoch FROM cancelled_at) * 1000)::float8 AS cancelled_ms`;

function driverView(row: DriverRow): ServiceOrderView {
  return {
    reference: row.reference,
    bookingRef: row.booking_ref,
    componentId: row.component_id,
    supplierCode: row.supplier_code,
    productCode: row.product_code,
    serviceStart: row.service_start,
    serviceEnd: row.service_end,
    quantity: Number(row.quantity),
    status: row.status === 'CANCELLED' ? 'CANCELLED' : 'CONFIRMED',
    confirmedAt: Number(row.confirmed_ms),
    cancelledAt: row.cancelled_ms === null ? null : Number(row.cancelled_ms),
  };
}

/**
 * Orders of on-request services (no allotment): one `supplier_service_orders` row per
 * idempotency reference. Ordering again under the same reference returns the first order (whatever
 * its status now) and orders nothing; cancelling again changes nothing.
 */
export class PrismaServiceOrders {
  /** @param sql the driver (`Database`): with it an order is one statement instead of two Prisma calls. */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql?: SqlClient,
  ) {}

  /**
   * Places the order once; `created` false when the reference had already ordered. The same
   * reference for another booking, component or product is refused (ServiceOrderConflict).
   */
  async order(req: ServiceOrderRequest): Promise<{ order: ServiceOrderView; created: boolean }> {
    const { order, created } = this.sql ? await this.orderOnDriver(this.sql, req) : await this.orderOnPrisma(req);
    if (!created && (order.bookingRef !== req.bookingRef || order.componentId !== req.componentId || order.productCode !== req.productCode)) {
      throw new ServiceOrderConflict(`Service order ${req.reference} belongs to ${order.bookingRef}/${order.componentId} (${order.productCode}); it is not changed`);
    }
    return { order, created };
  }

  /** Insert-or-read in one statement; a row a concurrent order committed after this statement's snapshot is read again. */
  private async orderOnDriver(sql: SqlClient, req: ServiceOrderRequest): Promise<{ order: ServiceOrderView; created: boolean }> {
    const [row] = await sql.query<DriverRow>(
      `WITH ins AS (
         INSERT INTO supplier_service_orders (id, reference, booking_ref, component_id, supplier_code, product_code, service_start, service_end, quantity, status, confirmed_at)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::date, $7::date, $8, 'CONFIRMED', $9)
         ON CONFLICT (reference) DO NOTHING
         RETURNING ${DRIVER_COLUMNS}, true AS created)
       SELECT * FROM ins
       UNION ALL
       SELECT ${DRIVER_COLUMNS}, false AS created FROM supplier_service_orders WHERE reference = $1 AND NOT EXISTS (SELECT 1 FROM ins)`,
      [req.reference, req.bookingRef, req.componentId, req.supplierCode, req.productCode, req.serviceStart, req.serviceEnd, req.quantity, req.now],
    );
    if (row) return { order: driverView(row), created: row.created };
    const [again] = await sql.query<DriverRow>(`SELECT ${DRIVER_COLUMNS}, false AS created FROM supplier_service_orders WHERE reference = $1`, [req.reference]);
    if (!again) throw new Error(`Service order ${req.reference} was neither inserted nor found`);
    return { order: driverView(again), created: false };
  }

  private async orderOnPrisma(req: ServiceOrderRequest): Promise<{ order: ServiceOrderView; created: boolean }> {
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO supplier_service_orders (id, reference, booking_ref, component_id, supplier_code, product_code, service_start, service_end, quantity, status, confirmed_at)
      VALUES (gen_random_uuid(), ${req.reference}, ${req.bookingRef}, ${req.componentId}, ${req.supplierCode}, ${req.productCode},
              ${req.serviceStart}::date, ${req.serviceEnd}::date, ${req.quantity}, 'CONFIRMED', ${req.now})
      ON CONFLICT (reference) DO NOTHING`;
    return { order: toView(await this.prisma.supplierServiceOrder.findUniqueOrThrow({ where: { reference: req.reference } })), created: inserted === 1 };
  }

  /** Cancels the order; `cancelled` false when it was already cancelled or never placed (null order). */
  async cancel(reference: string, now: Date): Promise<{ order: ServiceOrderView | null; cancelled: boolean }> {
    const changed = await this.prisma.$executeRaw`
      UPDATE supplier_service_orders SET status = 'CANCELLED', cancelled_at = ${now} WHERE reference = ${reference} AND status <> 'CANCELLED'`;
    const row = await this.prisma.supplierServiceOrder.findUnique({ where: { reference } });
    return { order: row ? toView(row) : null, cancelled: changed === 1 };
  }

  async get(reference: string): Promise<ServiceOrderView | null> {
    const row = await this.prisma.supplierServiceOrder.findUnique({ where: { reference } });
    return row ? toView(row) : null;
  }

  /** Orders of a booking, oldest first (live and cancelled). */
  async forBooking(bookingRef: string): Promise<ServiceOrderView[]> {
    const rows = await this.prisma.supplierServiceOrder.findMany({ where: { bookingRef }, orderBy: [{ confirmedAt: 'asc' }, { reference: 'asc' }] });
    return rows.map(toView);
  }
}
