import type { Occupancy, Policy } from '../catalog/model';
import type { OrderPassenger, TravelDocument } from '../flights/model';
import type { ProductType, SalesChannel } from '../ledger/chart';
import type { MoneyJson } from '../money/money';
import type { Instant } from '../time/instant';

/**
 * The booking lifecycle's vocabulary: what an advisor asks for, what the workflow holds, and what
 * it reports. Plain JSON only (amounts as decimal strings with their currency, instants as epoch
 * ms, calendar dates YYYY-MM-DD), because all of it crosses the workflow boundary.
 */

/**
 * Lifecycle states. DRAFT/EXPIRED come from the first slice (a draft nobody confirmed).
 * HELD: components held, waiting for the deposit until the hold lapses. CONFIRMED: deposit in,
 * suppliers confirmed, balance outstanding. PAID: nothing left to pay. TRAVELLING: between the
 * first and last service day. COMPLETED: back home, in the customer's travel history.
 * CANCELLED: cancelled by the customer or for non-payment. FAILED: confirmation failed and what
 * had been confirmed was compensated (the reason is in `failure`).
 */
export const LIFECYCLE_STATUSES = ['DRAFT', 'HELD', 'CONFIRMED', 'PAID', 'TRAVELLING', 'COMPLETED', 'CANCELLED', 'EXPIRED', 'FAILED'] as const;
export type LifecycleStatus = (typeof LIFECYCLE_STATUSES)[number];
export const TERMINAL_STATUSES: readonly LifecycleStatus[] = ['COMPLETED', 'CANCELLED', 'EXPIRED', 'FAILED'];

export const COMPONENT_KINDS = ['FLIGHT', 'HOTEL', 'TRANSFER', 'INSURANCE', 'TOUR'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

/** A catalog product: a hotel stay, a transfer or excursion, insurance, a tour departure. */
export interface CatalogComponentRequest {
  /** Unique within the booking ("hotel", "transfer-in"): part of every idempotency key. */
  id: string;
  kind: Exclude<ComponentKind, 'FLIGHT'>;
  supplierCode: string;
  productCode: string;
  category: string;
  ratePlan?: string;
  /** First night (hotel), service day (transfer), trip start (insurance), departure (tour). */
  startDate: string;
  /** Nights (hotel, tour extra nights, insurance trip length); 0 for a one-day service. */
  nights: number;
  /** One occupancy per room / vehicle / unit. */
  units: Occupancy[];
}

/** A flight offer found through a flight supplier (search first, then book the offer id). */
export interface FlightComponentRequest {
  id: string;
  kind: 'FLIGHT';
  /** Supplier name as registered on the supplier worker ("duffel-sandbox", "ndc-sandbox"). */
  supplier: string;
  offerId: string;
  passengers: OrderPassenger[];
}

export type ComponentRequest = CatalogComponentRequest | FlightComponentRequest;

/**
 * How the customer pays (all optional: defaults come from `DEFAULT_PAYMENT_TERMS`). The deposit is
 * a percent of the total or a fixed amount in the booking currency; installments fall evenly
 * between the deposit and the final balance, which is due `finalDueDaysBefore` days before departure.
 */
export interface PaymentTermsInput {
  depositPercent?: string;
  depositAmount?: MoneyJson;
  /** Installments between deposit and final balance (0 = deposit + balance only). */
  installments?: number;
  finalDueDaysBefore?: number;
  /** Days before each due date that the customer is reminded. */
  reminderDaysBefore?: number;
  /** Days after a missed final balance before the booking is cancelled for non-payment. */
  graceDays?: number;
}

export interface PaymentTerms {
  depositPercent: string | null;
  depositAmount: MoneyJson | null;
  installments: number;
  finalDueDaysBefore: number;
  reminderDaysBefore: number;
  graceDays: number;
}

export const DEFAULT_PAYMENT_TERMS: PaymentTerms = {
  depositPercent: '20',
  depositAmount: null,
  installments: 0,
  finalDueDaysBefore: 42,
  reminderDaysBefore: 7,
  graceDays: 3,
};

/** What `POST /bookings` turns into the workflow's input (the reference is drawn by the API). */
export interface BookingRequest {
  reference: string;
  customerId: string;
  advisorId?: string;
  /** Sales channel: picks the revenue accounts and markups. */
  channel: SalesChannel;
  /** Currency the customer is quoted and pays in. */
  currency: string;
  /** First and last service day (YYYY-MM-DD, destination calendar). */
  departureDate: string;
  returnDate: string;
  components: ComponentRequest[];
  paymentTerms?: PaymentTermsInput;
  /** Hours the held components are kept waiting for the deposit (default 72). */
  holdHours?: number;
  /** Where reminders go (the notifier decides how). */
  contactEmail?: string;
  /** The IANA zone that turns due dates into instants (the operator's zone). */
  timeZone: string;
  /** A group booking: its members and rooming list, and who pays (absent for a FIT booking). */
  group?: GroupInput;
  /**
   * The lifecycle revision the starter asked for (absent: 1). A revision changes the commands a
   * booking issues; the workflow keeps every earlier revision's behaviour for bookings already
   * running, which then replay unchanged (workflows/PATCHES.md). Starters send
   * `CURRENT_LIFECYCLE_REVISION`. Versioning by input costs no history events, where a patch
   * marker costs two per booking.
   */
  revision?: number;
  /**
   * A booking carried over from a legacy system, already confirmed with its suppliers and partly
   * or wholly paid: the workflow adopts this state instead of pricing and holding, posts the
   * opening entries, and continues from there (next installment, reminders, travel, completion).
   */
  migrated?: MigratedBookingState;
}

/** What a migrated booking starts from (built by domain/customers/inflight.ts). */
export interface MigratedBookingState {
  /** The legacy system ("legacy:<system>"). */
  source: string;
  /** The booking's reference in the legacy system (the Itinera reference is derived from it). */
  legacyReference: string;
  /** The booking date in the legacy system (YYYY-MM-DD). */
  bookedOn: string;
  /** Confirmed (or ticketed) components with the suppliers' references; sells add up to the total. */
  components: ComponentState[];
  /** The payment schedule: what was paid (one paid line per legacy payment date) and what is still due. */
  schedule: Installment[];
  /** The legacy payments, each with a stable id (`legacy:<system>:<reference>:<payment>`). */
  payments: PaymentRecord[];
}

/**
 * Revision 2 (release 2026-11-29b): flights priced and held in one supplier call; catalog
 * components confirmed in one call; services without inventory not "held"; notices sent with
 * the projection at the end of each step; no projection write that changes nothing.
 * Revision 3 (release 2026-11-29c): a first-come-first-served lock around every step (two
 * updates delivered in one workflow task no longer run side by side).
 * Revision 4 (release 2026-11-29e): a confirmation's independent steps side by side: the deposit
 * is posted while the booking is confirmed; then the sale, its deferred revenue and the
 * projection are written together (the projection after the tickets when flights are ticketed).
 */
export const CURRENT_LIFECYCLE_REVISION = 4;

/**
 * Group bookings. Every member takes every service; the hotel rooms come from the rooming list
 * (members sharing a `room` label share a room). The party size must fit each allotment
 * contract's group size (checked when the rooms are held). Each component's price is shared
 * evenly per person (minor-unit remainder on the last member), which fixes each member's share,
 * penalty on a partial cancellation and, with `PER_MEMBER`, their own payment plan.
 */
export const GROUP_PAYERS = ['SINGLE', 'PER_MEMBER'] as const;
/** SINGLE: one payer (the organiser) pays the whole plan. PER_MEMBER: each member pays a plan for their share; the group deposit is every member's deposit, and may be paid in one payment. */
export type GroupPayer = (typeof GROUP_PAYERS)[number];
export const DEFAULT_NAME_CHANGE_DAYS_BEFORE = 14;

export interface GroupMemberInput {
  /** Unique within the booking ("m01", "smith-anna"): payments and cancellations name it. */
  id: string;
  firstName: string;
  lastName: string;
  /** Rooming list: members with the same label share a room. */
  room: string;
  /** Children give their age on the departure date (0–17); adults leave it out. */
  age?: number;
  /** Where this member's reminders go (PER_MEMBER); the booking's contact otherwise. */
  email?: string;
}

export interface GroupInput {
  name: string;
  payer: GroupPayer;
  members: GroupMemberInput[];
  /** Names can be changed until this many days before departure (default 14). */
  nameChangeDaysBefore?: number;
}

export interface GroupMemberState extends GroupMemberInput {
  status: 'ACTIVE' | 'CANCELLED';
  /** The member's share of each live component's sell price (booking currency), by component id. */
  shares: Record<string, MoneyJson>;
  /** Sum of `shares`. */
  share: MoneyJson;
  /** Charged when the member was cancelled. */
  penalty: MoneyJson | null;
  /** Earlier names, newest last. */
  nameHistory: Array<{ firstName: string; lastName: string; changedAt: Instant }>;
}

export interface GroupState {
  name: string;
  payer: GroupPayer;
  /** Last day (YYYY-MM-DD) names can be changed. */
  nameChangeUntil: string;
  members: GroupMemberState[];
}

/** A component once priced: what it sells for, what it costs, and the supplier's rules. */
export interface PricedComponent {
  id: string;
  kind: ComponentKind;
  description: string;
  /** Catalog supplier code, or the flight supplier name. */
  supplierCode: string;
  /** Ledger product type ("hotels", "flights", "transfers", "insurance", "tours"). */
  productType: ProductType;
  /** First and last service day, inclusive. */
  serviceStart: string;
  serviceEnd: string;
  pax: number;
  /** What the customer pays for it, in the booking currency. */
  sell: MoneyJson;
  /** What the supplier charges, in the supplier's currency. */
  cost: MoneyJson;
  /**
   * Flights only: what is settled with the airline (the fare and taxes). Itinera sells flights as
   * an agent, so only `sell − settlement` is Itinera's revenue.
   */
  settlement: MoneyJson | null;
  cancellationPolicy: Policy;
  amendmentPolicy: Policy;
  /** Catalog components: what the inventory holds (null for flights and on-request services). */
  inventory: { productId: string; category: string; from: string; nights: number; quantity: number } | null;
  /** Flight components: the offer and its ticketing rules. */
  flight: {
    supplier: string;
    offerId: string;
    passengers: OrderPassenger[];
    instantPaymentRequired: boolean;
    ticketingDeadline: Instant | null;
  } | null;
  /** The request it came from (amendments re-price from it). */
  request: ComponentRequest;
}

export const COMPONENT_STATUSES = ['PRICED', 'HELD', 'CONFIRMED', 'TICKETED', 'CANCELLED', 'FAILED'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

export interface ComponentState extends PricedComponent {
  status: ComponentStatus;
  /** Inventory hold reference or flight order id, once the supplier knows the component. */
  supplierRef: string | null;
  /** Airline record locator (flights). */
  locator: string | null;
  documents: TravelDocument[];
  /** Penalty charged when it was cancelled. */
  penalty: MoneyJson | null;
}

export type InstallmentKind = 'DEPOSIT' | 'INSTALLMENT' | 'BALANCE';

export interface Installment {
  id: string;
  kind: InstallmentKind;
  /** Calendar due date and the instant it ends (23:59:59.999 in the operator's zone). */
  dueDate: string;
  dueAt: Instant;
  amount: MoneyJson;
  /** How much of it has been paid (decimal string, same currency). */
  paid: string;
  /** Reminder sent for this installment. */
  reminded: boolean;
  /** Group bookings paid per member: whose line it is (ids are `<memberId>/<line>`). */
  memberId?: string;
}

export interface PaymentRecord {
  /** The payer's idempotency key: a repeated delivery changes nothing. */
  paymentId: string;
  amount: MoneyJson;
  method: string;
  receivedAt: Instant;
  /** Part of it returned because it exceeded what was owed. */
  excessRefunded: string;
  ledgerEntryId: string | null;
  /** Group bookings paid per member: the member it was paid for (absent: the group or organiser). */
  memberId?: string;
}

export interface RefundRecord {
  refundId: string;
  amount: MoneyJson;
  reason: 'CANCELLATION' | 'OVERPAYMENT' | 'GOODWILL' | 'FAILED_BOOKING' | 'AMENDMENT' | 'MEMBER_CANCELLATION';
  at: Instant;
  providerRef: string | null;
  ledgerEntryId: string | null;
}

export const COMPLAINT_CATEGORIES = ['ACCOMMODATION', 'FLIGHT', 'TRANSFER', 'SERVICE', 'BILLING', 'OTHER'] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];
export const COMPLAINT_SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type ComplaintSeverity = (typeof COMPLAINT_SEVERITIES)[number];

export interface Complaint {
  id: string;
  category: ComplaintCategory;
  severity: ComplaintSeverity;
  notes: string[];
  status: 'OPEN' | 'ASSIGNED' | 'RESOLVED';
  assignee: string | null;
  loggedAt: Instant;
  resolvedAt: Instant | null;
  resolution: string | null;
  /** Goodwill given on resolution: money back (REFUND) or a credit on the customer's account. */
  goodwill: { kind: 'REFUND' | 'CREDIT'; amount: MoneyJson; ledgerEntryId: string | null } | null;
}

export interface TimelineEvent {
  at: Instant;
  /** Machine word ("HELD", "PAYMENT", "REMINDER", "CANCELLED"...). */
  kind: string;
  message: string;
}

/** What the `status` query returns: everything ops and advisors need, no personal data beyond ids. */
export interface LifecycleView {
  reference: string;
  status: LifecycleStatus;
  customerId: string;
  advisorId: string | null;
  channel: SalesChannel;
  currency: string;
  departureDate: string;
  returnDate: string;
  openedAt: Instant;
  /** The deposit must arrive by then or the holds lapse (HELD only). */
  holdExpiresAt: Instant | null;
  components: ComponentState[];
  total: MoneyJson;
  paid: MoneyJson;
  /** total − paid − penalties waived..., never negative. */
  balanceDue: MoneyJson;
  schedule: Installment[];
  terms: PaymentTerms;
  payments: PaymentRecord[];
  refunds: RefundRecord[];
  complaints: Complaint[];
  /** Group bookings: members, rooming list and who pays (null for FIT). */
  group: GroupState | null;
  timeline: TimelineEvent[];
  /** The earliest thing the workflow is waiting for. */
  nextDeadline: { at: Instant; what: string } | null;
  /** Why confirmation failed (FAILED) or why a booking was cancelled. */
  failure: string | null;
  /** A compensation or supplier step failed for good: a person must look (ops list). */
  needsManualReview: boolean;
  /** Increases on every change: projections keep only the newest. */
  version: number;
}
