import { isoDateOf } from '../domain/time/instant';
import type { PrismaClient } from '../generated/prisma/client';

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

/**
 * Orders of on-request services (no allotment): one `supplier_service_orders` row per
 * idempotency reference. Ordering again under the same reference returns the first order (whatever
 * its status now) and orders nothing; cancelling again changes nothing.
 */
export class PrismaServiceOrders {
  constructor(private readonly prisma: PrismaClient) {}

  /** Places the order once; `created` false when the reference had already ordered. */
  async order(req: ServiceOrderRequest): Promise<{ order: ServiceOrderView; created: boolean }> {
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO supplier_service_orders (id, reference, booking_ref, component_id, supplier_code, product_code, service_start, service_end, quantity, status, confirmed_at)
      VALUES (gen_random_uuid(), ${req.reference}, ${req.bookingRef}, ${req.componentId}, ${req.supplierCode}, ${req.productCode},
              ${req.serviceStart}::date, ${req.serviceEnd}::date, ${req.quantity}, 'CONFIRMED', ${req.now})
      ON CONFLICT (reference) DO NOTHING`;
    const order = toView(await this.prisma.supplierServiceOrder.findUniqueOrThrow({ where: { reference: req.reference } }));
    if (inserted === 0 && (order.bookingRef !== req.bookingRef || order.componentId !== req.componentId || order.productCode !== req.productCode)) {
      throw new ServiceOrderConflict(`Service order ${req.reference} belongs to ${order.bookingRef}/${order.componentId} (${order.productCode}); it is not changed`);
    }
    return { order, created: inserted === 1 };
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
