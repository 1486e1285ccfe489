import type {
  Complaint,
  ComplaintCategory,
  ComplaintSeverity,
  GroupMemberState,
  LifecycleView,
  PaymentRecord,
} from '../../domain/booking/model';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { BookingStatus } from '../../domain/booking/draft';
import type { MoneyJson } from '../../domain/money/money';
import type { MemberCancellationLine } from '../../domain/booking/group';

/** What the workflow reports about itself: plain JSON, safe to show to an advisor. */
export interface BookingView {
  reference: string;
  status: BookingStatus;
  customerId: string;
  advisorId: string | null;
  productCode: string;
  travelDate: string;
  price: MoneyJson;
  /** Epoch ms the draft was opened (workflow time). */
  openedAt: number;
  /** Epoch ms the draft lapses unless confirmed. */
  expiresAt: number;
  /** True once the booking row is durably stored. */
  recorded: boolean;
}

/**
 * Query `status`: the booking as the workflow sees it right now. Read-only; answered even after
 * the workflow has closed.
 */
export const statusQuery = defineQuery<BookingView>('status');

/**
 * Update `awaitRecorded`: completes once the booking row is durably stored and returns the view.
 * `POST /bookings` sends it with the start (update-with-start) so the caller gets a stored
 * booking in one round trip.
 */
export const awaitRecordedUpdate = defineUpdate<BookingView>('awaitRecorded');

// ---------------------------------------------------------------------------------------------
// The booking lifecycle (every booking opened since release 2026-11-29). Wire names are frozen.


/** Query `status` on a lifecycle booking: the whole view (timeline, next deadline, amounts due). */
export const lifecycleStatusQuery = defineQuery<LifecycleView>('status');

/**
 * Update `awaitRecorded` on a lifecycle booking: completes once the components are priced, held
 * and stored (status HELD), or once the booking could not be held (status FAILED, `failure` says
 * why). `POST /bookings` sends it with the start, so the advisor gets the quote in one round trip.
 */
export const awaitHeldUpdate = defineUpdate<LifecycleView>('awaitRecorded');

export interface PaymentInput {
  /** The payer's idempotency key (PSP payment id or the API's Idempotency-Key). */
  paymentId: string;
  amount: MoneyJson;
  /** How it was paid: a chart clearing method ("card", "bank-transfer"). */
  method: string;
  /** Group bookings paid per member: the member paying (absent: the organiser, oldest lines first). */
  memberId?: string;
}

export interface PaymentOutcome {
  payment: PaymentRecord;
  /** True when this paymentId had been recorded before: nothing was posted again. */
  duplicate: boolean;
  status: LifecycleView['status'];
  balanceDue: MoneyJson;
}

/**
 * Update `recordPayment`: a customer payment arrived. The validator refuses a payment in another
 * currency than the booking's, a non-positive amount, or one for a booking that can no longer take
 * money (cancelled, expired, failed, completed). A repeated `paymentId` returns the first outcome.
 * Anything paid beyond the balance is refunded at once.
 */
export const recordPaymentUpdate = defineUpdate<PaymentOutcome, [PaymentInput]>('recordPayment');

export interface ComponentPenalty {
  componentId: string;
  description: string;
  /** In the booking currency. */
  penalty: MoneyJson;
  /** Why: the supplier policy window, or the airline's quote. */
  basis: string;
}

export interface CancellationQuote {
  quoteId: string;
  /** Epoch ms the quote was made (workflow time); valid until `expiresAt`. */
  quotedAt: number;
  expiresAt: number;
  penalties: ComponentPenalty[];
  totalPenalty: MoneyJson;
  paid: MoneyJson;
  /** paid − penalties, never negative. */
  refund: MoneyJson;
  /** Partial group cancellation: the members cancelled, each with their share, penalty and refund. */
  members?: MemberCancellationLine[];
  /** Partial group cancellation: what the booking is worth afterwards. */
  newTotal?: MoneyJson;
}

/**
 * Update `previewCancellation`: what cancelling now would cost; changes nothing. With `memberIds`
 * (group bookings), what cancelling just those members would cost (per-member penalties).
 */
export const previewCancellationUpdate = defineUpdate<CancellationQuote, [{ reason?: string; memberIds?: string[] }]>('previewCancellation');

export interface CancellationOutcome {
  quote: CancellationQuote;
  status: LifecycleView['status'];
  refundId: string | null;
}

/**
 * Update `acceptCancellation`: cancels with the penalties of the moment (the quote's, when
 * `quoteId` is given and still valid). The validator refuses a booking already cancelled or
 * otherwise closed; suppliers are cancelled, inventory returned, the refund posted and paid.
 * With `memberIds` (group bookings) only those members are cancelled, each with the penalty on
 * their share; rooms they alone used go back to the allotment and the booking goes on.
 */
export const acceptCancellationUpdate = defineUpdate<CancellationOutcome, [{ quoteId?: string; reason: string; cancelledBy?: string; memberIds?: string[] }]>(
  'acceptCancellation',
);

export interface AmendmentRequest {
  /** New first service day; every component moves by the same number of days. */
  departureDate: string;
}

export interface AmendmentQuote {
  quoteId: string;
  quotedAt: number;
  expiresAt: number;
  departureDate: string;
  returnDate: string;
  /** Component by component: old and new price, and the amendment fee. */
  lines: Array<{ componentId: string; description: string; oldSell: MoneyJson; newSell: MoneyJson; fee: MoneyJson }>;
  oldTotal: MoneyJson;
  /** New total including fees. */
  newTotal: MoneyJson;
  difference: MoneyJson;
  fees: MoneyJson;
}

/** Update `previewAmendment`: re-prices every component for the new dates; changes nothing. */
export const previewAmendmentUpdate = defineUpdate<AmendmentQuote, [AmendmentRequest]>('previewAmendment');

/**
 * Update `acceptAmendment`: applies a previewed amendment (by `quoteId`, while valid): holds the
 * new dates, releases the old ones, moves the payment schedule and timers. Refused when the
 * quote expired or the new dates have no availability any more (the booking stays as it was).
 */
export const acceptAmendmentUpdate = defineUpdate<LifecycleView, [{ quoteId: string }]>('acceptAmendment');

export interface ComplaintInput {
  complaintId: string;
  category: ComplaintCategory;
  severity: ComplaintSeverity;
  notes: string;
}

/** Update `logComplaint`: records a complaint (idempotent by `complaintId`). */
export const logComplaintUpdate = defineUpdate<Complaint, [ComplaintInput]>('logComplaint');

/** Update `assignComplaint`: gives an open complaint to a member of staff. */
export const assignComplaintUpdate = defineUpdate<Complaint, [{ complaintId: string; assignee: string; note?: string }]>('assignComplaint');

export interface ComplaintResolution {
  complaintId: string;
  resolution: string;
  /** Optional goodwill: money back to the customer or a credit on their account. */
  goodwill?: { kind: 'REFUND' | 'CREDIT'; amount: MoneyJson };
}

/** Update `resolveComplaint`: closes a complaint, posting any goodwill to the ledger (and paying a refund). */
export const resolveComplaintUpdate = defineUpdate<Complaint, [ComplaintResolution]>('resolveComplaint');

export interface NameChangeInput {
  memberId: string;
  firstName: string;
  lastName: string;
}

/**
 * Update `changeMemberName`: a group member is replaced or their name corrected, until the group's
 * name-change deadline. Refused for a cancelled member, after the deadline, and while a flight
 * carries the group (airline tickets are issued in the names booked).
 */
export const changeMemberNameUpdate = defineUpdate<GroupMemberState, [NameChangeInput]>('changeMemberName');
