import type { LifecycleView } from '../domain/booking/model';
import type { TripComponent, TripPaymentStatus, TripWrite } from '../domain/customers/model';
import { Dec } from '../domain/money/money';
import type { PrismaClient } from '../generated/prisma/client';
import { CustomerStoreError, PrismaCustomerStore, type ContactRoute, type StoreOptions } from './customers.prisma';

/**
 * Where the booking side meets the CRM (issue 8): the advisor a CRM customer's bookings go to, the
 * customer an inbound channel guest is, a returning archived customer made active again, and a
 * completed booking written into the customer's travel history. Bookings whose customer id is not
 * a CRM customer are left exactly as they were: every method answers null / does nothing for them.
 */

/** What the booking routes need of the CRM. */
export interface CustomerLinkReader {
  /** The CRM customer's assigned advisor (null: none assigned); null when the id is not a CRM customer. */
  customerAdvisor(customerId: string): Promise<{ advisorId: string | null } | null>;
  /** A returning customer: ARCHIVED → ACTIVE (archived reason cleared). True when it changed anything. */
  reactivateCustomer(customerId: string): Promise<boolean>;
}

/** What the channel inbox needs of the CRM. */
export interface GuestMatcher {
  /** The CRM customer a guest is, by email then phone; null when nobody matches. */
  matchGuest(guest: { email: string | null; phone: string | null }): Promise<ContactRoute | null>;
  reactivateCustomer(customerId: string): Promise<boolean>;
}

/** What the booking projection needs of the CRM. */
export interface TravelHistoryWriter {
  /** See {@link PrismaCustomerLinks.recordCompletedBooking}. */
  recordCompletedBooking(view: LifecycleView): Promise<CompletedBookingOutcome>;
}

export type CompletedBookingOutcome =
  /** Not COMPLETED, or the customer is not in the CRM: nothing written. */
  | { kind: 'skipped'; reason: 'not-completed' | 'not-a-crm-customer' }
  /** The trip `booking:<reference>` was written now (`created`) or already there. */
  | { kind: 'recorded'; sourceKey: string; created: boolean };

/** The idempotency key of the trip a completed booking becomes. */
export const bookingTripSourceKey = (reference: string): string => `booking:${reference}`;

/** Components that did not happen are not part of the trip. */
const GONE = new Set(['CANCELLED', 'FAILED']);

/** PAID when paid covers the total, PARTIALLY_PAID when something was paid, else UNPAID. */
export function tripPaymentStatus(total: string, paid: string): TripPaymentStatus {
  const t = new Dec(total);
  const p = new Dec(paid);
  if (p.gte(t)) return 'PAID';
  return p.gt(0) ? 'PARTIALLY_PAID' : 'UNPAID';
}

/**
 * The travel-history row of a completed booking (pure). `destinations` are the catalog
 * destinations of its components, looked up by the caller (empty when unknown: flights, on-request
 * services). Cancelled or failed components are left out; pax is the largest component's.
 */
export function tripOfBooking(view: LifecycleView, destinations: string[]): TripWrite {
  const travelled = view.components.filter((c) => !GONE.has(c.status));
  const components = travelled.map((c): TripComponent => {
    const serviceClass = c.request.kind === 'FLIGHT' ? undefined : c.request.category;
    return { type: c.kind, supplier: c.supplierCode, description: c.description, ...(serviceClass ? { serviceClass } : {}) };
  });
  return {
    customerId: view.customerId,
    sourceKey: bookingTripSourceKey(view.reference),
    reference: view.reference,
    startDate: view.departureDate,
    endDate: view.returnDate,
    destinations: [...new Set(destinations)],
    products: travelled.map((c) => c.description),
    pax: travelled.reduce((max, c) => Math.max(max, c.pax), 0),
    value: { amount: view.total.amount, currency: view.total.currency },
    paymentStatus: tripPaymentStatus(view.total.amount, view.paid.amount),
    ...(view.advisorId ? { advisorId: view.advisorId } : {}),
    components,
  };
}

/** The CRM links on Prisma (customers, customer_trips, products for destinations). */
export class PrismaCustomerLinks implements CustomerLinkReader, GuestMatcher, TravelHistoryWriter {
  private readonly store: PrismaCustomerStore;
  private readonly sql: StoreOptions['sql'];

  constructor(
    private readonly prisma: PrismaClient,
    options: StoreOptions = {},
  ) {
    this.store = new PrismaCustomerStore(prisma, options);
    this.sql = options.sql;
  }

  async customerAdvisor(customerId: string): Promise<{ advisorId: string | null } | null> {
    const c = await this.prisma.customer.findUnique({ where: { id: customerId }, select: { advisorId: true } });
    return c ? { advisorId: c.advisorId } : null;
  }

  /** Every booking asks: on the driver it is one statement (Prisma wraps its updateMany in a transaction). */
  async reactivateCustomer(customerId: string): Promise<boolean> {
    if (this.sql) {
      const rows = await this.sql.query(`UPDATE customers SET status = 'ACTIVE', archived_reason = NULL, updated_at = now() WHERE id = $1 AND status = 'ARCHIVED' RETURNING id`, [customerId]);
      return rows.length > 0;
    }
    const { count } = await this.prisma.customer.updateMany({ where: { id: customerId, status: 'ARCHIVED' }, data: { status: 'ACTIVE', archivedReason: null } });
    return count > 0;
  }

  /**
   * Email first, then phone (read with the store's default country). A phone that cannot be read
   * as a number is not a match (a channel's free text must not fail the reservation).
   */
  async matchGuest(guest: { email: string | null; phone: string | null }): Promise<ContactRoute | null> {
    for (const contact of [guest.email?.trim() ? { email: guest.email.trim() } : null, guest.phone?.trim() ? { phone: guest.phone.trim() } : null]) {
      if (!contact) continue;
      try {
        const route = await this.store.routeContact(contact);
        if (route) return route;
      } catch (err) {
        if (!(err instanceof CustomerStoreError && err.kind === 'invalid-request')) throw err;
      }
    }
    return null;
  }

  /**
   * A COMPLETED booking of a CRM customer joins the customer's travel history as the trip
   * `booking:<reference>` (written once: a repeated save finds it and writes nothing new), then
   * the customer's trip count and first/last trip dates are refreshed. Any other status, or a
   * customer id the CRM does not know, writes nothing (a cancelled booking is not history).
   */
  async recordCompletedBooking(view: LifecycleView): Promise<CompletedBookingOutcome> {
    if (view.status !== 'COMPLETED') return { kind: 'skipped', reason: 'not-completed' };
    if (!(await this.customerAdvisor(view.customerId))) return { kind: 'skipped', reason: 'not-a-crm-customer' };
    const trip = tripOfBooking(view, await this.destinationsOf(view));
    const { created } = await this.store.writeTrips([trip]);
    // Refreshed even when the trip was already there: a retry after a crash between the two converges.
    await this.store.refreshCustomerStats([view.customerId]);
    return { kind: 'recorded', sourceKey: trip.sourceKey, created: created > 0 };
  }

  /** The catalog destinations of the booking's catalog components (by held product, else by supplier and product code). */
  private async destinationsOf(view: LifecycleView): Promise<string[]> {
    const out: string[] = [];
    for (const c of view.components) {
      if (GONE.has(c.status) || c.request.kind === 'FLIGHT') continue;
      const productId = c.inventory?.productId;
      const product = productId
        ? await this.prisma.product.findUnique({ where: { id: productId }, select: { destination: true } })
        : await this.prisma.product.findFirst({ where: { code: c.request.productCode, supplier: { code: c.request.supplierCode } }, select: { destination: true } });
      if (product?.destination) out.push(product.destination);
    }
    return [...new Set(out)];
  }
}
