import type { ComponentRequest, LifecycleView, PricedComponent } from '../domain/booking/model';
import type { Offer } from '../domain/flights/model';
import type { SalesChannel } from '../domain/ledger/chart';
import type { MoneyJson } from '../domain/money/money';
import type { DeferComponentInput } from './revenue.prisma';

/**
 * The contract between the booking workflow and the activities it runs on `booking-orchestration`
 * (implemented by `createBookingLifecycleActivities` in booking-lifecycle.activities.ts). Flight
 * calls go to the supplier worker (`supplier-io`, FlightActivities), revenue deferral to the
 * finance worker (RevenueActivities), ledger postings to LedgerActivities on this queue.
 *
 * Every side-effecting call carries an idempotency key `<workflowId>:<step>`: a retry after a lost
 * acknowledgement (or a worker killed mid-call) finds the first result instead of acting twice.
 */

/** Failure types (ApplicationFailure.type) these activities raise; all non-retryable. */
export const BookingLifecycleFailureType = {
  /** The request cannot be priced as asked (unknown product or category, bad dates); details[0] lists problems. */
  BookingRequestInvalid: 'BookingRequestInvalid',
  /** A product is inactive, has no rate for the dates, or its currency has no FX rate. */
  BookingComponentUnavailable: 'BookingComponentUnavailable',
  /** The supplier refused the confirmation for good (not a timeout). */
  BookingSupplierRejected: 'BookingSupplierRejected',
  /** The payment provider refused the refund (wrong payment id, amount above what it captured). */
  BookingRefundRefused: 'BookingRefundRefused',
} as const;
export type BookingLifecycleFailureType = (typeof BookingLifecycleFailureType)[keyof typeof BookingLifecycleFailureType];

export interface PriceComponentsInput {
  reference: string;
  channel: SalesChannel;
  /** Booking (selling) currency. */
  currency: string;
  /** Sale date (YYYY-MM-DD, operator's zone): the FX rate date and markup date. */
  saleDate: string;
  components: ComponentRequest[];
  /** Flight components: the offer as priced by the flight supplier (supplier worker), by component id. */
  flightOffers: Record<string, Offer>;
}

export interface HoldComponentInput {
  /** `<workflowId>:hold:<componentId>[:v<n>]`: the inventory hold reference. */
  key: string;
  reference: string;
  component: PricedComponent;
  ttlSeconds: number;
  /** Workflow time of the hold (epoch ms). */
  now: number;
}

export interface ConfirmComponentInput {
  /** `<workflowId>:confirm:<componentId>[:v<n>]`. */
  key: string;
  reference: string;
  component: PricedComponent;
  /** The hold to confirm (null when the component was not held: on-request services). */
  holdRef: string | null;
  now: number;
}

export interface ReleaseComponentInput {
  key: string;
  reference: string;
  component: PricedComponent;
  /** The inventory hold / sale reference or the service order reference to cancel. */
  supplierRef: string | null;
  now: number;
}

export interface NoticeInput {
  idempotencyKey: string;
  reference: string;
  /** REMINDER, PAYMENT_OVERDUE, TICKETING_ALERT, CANCELLED, CONFIRMED, MANUAL_REVIEW... */
  kind: string;
  /** Customer e-mail, or "ops" for staff alerts. */
  recipient: string;
  subject: string;
  body: string;
}

export interface RefundInput {
  idempotencyKey: string;
  reference: string;
  /** The payment being refunded (the provider refunds against it), null for goodwill without one. */
  paymentId: string | null;
  amount: MoneyJson;
  reason: string;
}

export interface BookingLifecycleActivities {
  /** Prices every component in the booking currency (catalog pricing with markups and FX; flights from their offer). */
  priceBookingComponents(input: PriceComponentsInput): Promise<PricedComponent[]>;
  /** Holds inventory for a catalog component with an allotment; no-op (null ref) for flights and on-request services. */
  holdBookingComponent(input: HoldComponentInput): Promise<{ supplierRef: string | null; expiresAt: number | null }>;
  /** Confirms a held component (inventory sale) or orders an on-request service; idempotent by `key`. */
  confirmBookingComponent(input: ConfirmComponentInput): Promise<{ supplierRef: string }>;
  /** Cancels a hold, a sale (units go back to the allotment; channels are told) or a service order. Idempotent. */
  releaseBookingComponent(input: ReleaseComponentInput): Promise<{ released: boolean }>;
  /** Sends a reminder or alert through the configured notifier (log or e-mail); once per key. */
  sendBookingNotice(input: NoticeInput): Promise<{ channel: string }>;
  /** Pays money back through the payment provider; once per key. */
  refundCustomerPayment(input: RefundInput): Promise<{ providerRef: string }>;
  /** Registers the components' revenue for recognition at service dates (finance rules); idempotent per component. */
  deferBookingRevenue(items: DeferComponentInput[]): Promise<{ deferred: number }>;
  /** Cancels the deferred revenue of components no longer sold (never-deferred ones are skipped). */
  cancelBookingRevenue(input: { bookingRef: string; componentIds: string[]; cancelledAt: number }): Promise<{ cancelled: number }>;
  /** Writes the booking row (list, search and reports read it); a lower `version` than stored is ignored. */
  saveBookingProjection(view: LifecycleView): Promise<void>;
  /**
   * Confirms every catalog component of a booking in one call (lifecycle revision 2), side by
   * side; each is idempotent by its key, so a retry confirms only what is left. A refusal (the
   * first failing component's, in order) fails the call once every confirmation has settled: the
   * workflow then releases every catalog component (releases are idempotent too).
   */
  confirmBookingComponents(inputs: ConfirmComponentInput[]): Promise<Array<{ componentId: string; supplierRef: string }>>;
  /**
   * Writes the booking row and, side by side, sends the notices the step produced (lifecycle revision 2: one call
   * at the end of a step instead of one per notice). Notices are once per key as with
   * `sendBookingNotice`; one that cannot be delivered is reported in `failed`, not retried.
   */
  publishBooking(input: { view: LifecycleView; notices: NoticeInput[] }): Promise<{ failed: Array<{ idempotencyKey: string; kind: string; message: string }> }>;
}
