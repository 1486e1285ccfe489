import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { BookingLifecycleActivities, NoticeInput } from '../../activities/booking-lifecycle.types';
import type { FlightActivities } from '../../activities/flight.activities';
import type { LedgerActivities } from '../../activities/ledger.activities';
import { shiftDates, shiftRequest, amendmentFee } from '../../domain/booking/amendment';
import { cancellationQuote } from '../../domain/booking/cancellation';
import {
  groupProblems,
  initialGroupState,
  memberCancellation,
  memberCancellationProblems,
  memberLines,
  planMemberPayments,
  replanMembers,
  reshare,
  roomsAfter,
  shrinkUnits,
} from '../../domain/booking/group';
import {
  DEFAULT_NAME_CHANGE_DAYS_BEFORE,
  DEFAULT_PAYMENT_TERMS,
  TERMINAL_STATUSES,
  type BookingRequest,
  type Complaint,
  type ComponentState,
  type LifecycleStatus,
  type LifecycleView,
  type PaymentRecord,
  type PricedComponent,
  type RefundRecord,
  type GroupMemberState,
} from '../../domain/booking/model';
import { applyPayment, outstanding, paidSoFar, planPayments, reminderAt, replan, resolveTerms } from '../../domain/booking/payment-plan';
import { cancellationEntries, goodwillEntry, migrationOpeningEntry, paymentEntry, refundEntry, saleEntry } from '../../domain/booking/postings';
import { addDays } from '../../domain/catalog/dates';
import { liveTickets } from '../../domain/flights/model';
import type { EntryDraft } from '../../domain/ledger/entry';
import { Dec, Money, type MoneyJson } from '../../domain/money/money';
import { calendarDateIn, endOfDateIn, HOUR_MS, MINUTE_MS, startOfDateUtc, type Instant } from '../../domain/time/instant';
import { TASK_QUEUES } from '../task-queues';
import {
  acceptAmendmentUpdate,
  acceptCancellationUpdate,
  assignComplaintUpdate,
  awaitHeldUpdate,
  changeMemberNameUpdate,
  lifecycleStatusQuery,
  logComplaintUpdate,
  previewAmendmentUpdate,
  previewCancellationUpdate,
  recordPaymentUpdate,
  resolveComplaintUpdate,
  type AmendmentQuote,
  type CancellationOutcome,
  type CancellationQuote,
  type PaymentInput,
  type PaymentOutcome,
} from './messages';
import { BalanceDue, BookingStatus, NeedsManualReview, NextDeadlineAt, TravelDate } from './search-attributes';

const BACKOFF = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

// Database work on this worker (pricing, holds, ledger, projection): short, so local activities
// (one marker event each instead of three). A database outage is retried, never given up on.
const local = proxyLocalActivities<BookingLifecycleActivities & LedgerActivities>({
  startToCloseTimeout: '30 seconds',
  retry: BACKOFF,
});

// Airlines through the supplier worker. Confirmation steps give up after 10 attempts (about 8
// minutes), so a supplier that stays down fails the confirmation and the saga compensates.
const flights = proxyActivities<FlightActivities>({
  taskQueue: TASK_QUEUES.supplierIo,
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '20 seconds',
  retry: { ...BACKOFF, maximumAttempts: 10 },
});
// Compensations try for longer (about 3 hours) before a person is asked to finish them.
const flightUndo = proxyActivities<FlightActivities>({
  taskQueue: TASK_QUEUES.supplierIo,
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '20 seconds',
  retry: { ...BACKOFF, maximumInterval: '10 minutes', maximumAttempts: 25 },
});

/** How long before an airline's ticketing time limit an unpaid flight is cancelled. */
export const TICKETING_SAFETY_MARGIN_MS = 2 * HOUR_MS;
/** Quotes (cancellation, amendment) stay valid this long. */
export const QUOTE_VALIDITY_MS = 15 * MINUTE_MS;
/** Complaints can still be logged this long after the return date; then the workflow closes. */
export const COMPLAINT_WINDOW_DAYS = 30;
const DEFAULT_HOLD_HOURS = 72;
const OPEN_FOR_PAYMENT: readonly LifecycleStatus[] = ['HELD', 'CONFIRMED', 'PAID', 'TRAVELLING'];
const CANCELLABLE: readonly LifecycleStatus[] = ['HELD', 'CONFIRMED', 'PAID'];

/** The activity's own failure when `err` is an activity failure caused by one, else null. */
function cause(err: unknown): ApplicationFailure | null {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : null;
}

function describe(err: unknown): string {
  const c = cause(err);
  if (c) return `${c.type ?? 'failure'}: ${c.message}`;
  if (err instanceof ActivityFailure) return err.cause?.message ?? err.message;
  return err instanceof Error ? err.message : String(err);
}

function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

const money = (j: MoneyJson) => Money.fromJson(j);
const sum = (items: MoneyJson[], currency: string) => items.reduce((acc, m) => acc.add(money(m)), Money.of('0', currency));

/**
 * Converts a supplier-currency amount on a component to the booking currency by the component's
 * own sell/cost ratio: what share of the supplier's price the amount is, of what the customer paid.
 */
function shareOfSell(c: PricedComponent, amount: MoneyJson): MoneyJson {
  if (amount.currency === c.sell.currency) return amount;
  const cost = new Dec(c.cost.amount);
  if (cost.isZero()) return Money.of('0', c.sell.currency).toJSON();
  return money(c.sell).times(new Dec(amount.amount).div(cost)).roundToMinor(Dec.ROUND_HALF_UP).toJSON();
}

/**
 * One booking from quote to completion (workflow id `booking-<reference>`), for every booking
 * opened since release 2026-11-29. See README "Booking lifecycle" for the states and deadlines.
 *
 * Every step that changes something runs under one lock (`exclusive`), whether it was started by
 * the main loop (a deadline) or by an update (payment, cancellation, amendment, complaint): the
 * booking changes one step at a time, in history order, so replays and retries see the same story.
 */
export async function bookingLifecycle(req: BookingRequest): Promise<LifecycleView> {
  const { workflowId } = workflowInfo();
  /** Revision 2 batches supplier and database calls (see CURRENT_LIFECYCLE_REVISION); revision 1 bookings replay as they ran. */
  const v2 = (req.revision ?? 1) >= 2;
  /** Revision 3: a true first-come-first-served lock around every step. */
  const v3 = (req.revision ?? 1) >= 3;
  /** Revision 4: independent steps of a confirmation side by side (payment posting ‖ confirmation; sale posting ‖ deferral ‖ projection). */
  const v4 = (req.revision ?? 1) >= 4;
  const tz = req.timeZone;
  const cur = req.currency;
  const zero = () => Money.of('0', cur).toJSON();
  const today = () => calendarDateIn(Date.now(), tz);
  // The API checks the terms; a request that still carries bad ones fails below, not in a loop.
  let termsProblem: string | null = null;
  let terms = DEFAULT_PAYMENT_TERMS;
  try {
    terms = resolveTerms(req.paymentTerms);
  } catch (err) {
    termsProblem = err instanceof Error ? err.message : String(err);
  }

  const view: LifecycleView = {
    reference: req.reference,
    status: 'DRAFT',
    customerId: req.customerId,
    advisorId: req.advisorId ?? null,
    channel: req.channel,
    currency: cur,
    departureDate: req.departureDate,
    returnDate: req.returnDate,
    openedAt: Date.now(),
    holdExpiresAt: null,
    components: [],
    total: zero(),
    paid: zero(),
    balanceDue: zero(),
    schedule: [],
    terms,
    payments: [],
    refunds: [],
    complaints: [],
    group: null,
    timeline: [],
    nextDeadline: null,
    failure: null,
    needsManualReview: false,
    version: 0,
  };
  /** Set once the components are held (or the attempt failed): `awaitRecorded` answers then. */
  let settled = false;
  let salePosted = false;
  let amendments = 0;
  let kicked = false;
  /** What the main loop's timer waits for (`status|deadline`), null outside that loop. */
  let waitingFor: string | null = null;
  const overdueNotified = new Set<string>();
  const cancellationQuotes: Record<string, CancellationQuote & { flightQuotes: Record<string, string>; memberIds?: string[] }> = {};
  let memberCancellations = 0;
  /** Accepted quotes and what accepting them gave: a repeated accept (a retry after a lost answer) gets the same answer. */
  const cancellationOutcomes: Record<string, CancellationOutcome> = {};
  const amendmentsApplied = new Set<string>();
  const amendmentQuotes: Record<string, AmendmentQuote & { priced: PricedComponent[]; flightChanges: Record<string, { quoteId: string; totalDue: MoneyJson }> }> = {};
  const paymentOutcomes: Record<string, PaymentOutcome> = {};
  let lastSearch = '';

  // ---- helpers -------------------------------------------------------------------------------

  const event = (kind: string, message: string) => {
    view.timeline.push({ at: Date.now(), kind, message });
    view.version++;
    setCurrentDetails(`${req.reference} · ${view.status} · ${message}`);
  };
  const live = () => view.components.filter((c) => c.status !== 'CANCELLED' && c.status !== 'FAILED');
  const recompute = () => {
    view.balanceDue = outstanding(view.schedule, cur);
    view.paid = paidSoFar(view.schedule, cur);
  };
  /** A closed booking owes nothing more: each line shrinks to what was paid (a penalty beyond that is waived). */
  const closeSchedule = () => {
    view.schedule = view.schedule.map((i) => ({ ...i, amount: { amount: i.paid, currency: cur } }));
    recompute();
  };
  const manualReview = (why: string) => {
    view.needsManualReview = true;
    event('MANUAL_REVIEW', why);
  };
  const post = async (draft: EntryDraft): Promise<string | null> => {
    try {
      return (await local.postLedgerEntry(draft)).id;
    } catch (err) {
      manualReview(`ledger entry ${draft.idempotencyKey} refused: ${describe(err)}`);
      return null;
    }
  };
  /** Revision 2: notices of the current step, sent with the projection when the step publishes. */
  const pendingNotices: NoticeInput[] = [];
  const notify = async (kind: string, key: string, subject: string, body: string, recipient = req.contactEmail ?? 'ops') => {
    const notice: NoticeInput = { idempotencyKey: `${workflowId}:notice:${key}`, reference: req.reference, kind, recipient, subject, body };
    if (v2) {
      pendingNotices.push(notice);
      return;
    }
    try {
      await local.sendBookingNotice(notice);
    } catch (err) {
      event('NOTICE_FAILED', `${kind} could not be sent: ${describe(err)}`);
    }
  };
  let publishedAs = '';
  const publish = async () => {
    const sa = `${view.status}|${view.balanceDue.amount}|${view.nextDeadline?.at ?? ''}|${view.needsManualReview}|${view.departureDate}`;
    if (sa !== lastSearch) {
      lastSearch = sa;
      upsertSearchAttributes([
        { key: BookingStatus, value: view.status },
        { key: BalanceDue, value: Number(view.balanceDue.amount) },
        { key: TravelDate, value: new Date(Date.parse(`${view.departureDate}T00:00:00Z`)) },
        { key: NeedsManualReview, value: view.needsManualReview },
        ...(view.nextDeadline ? [{ key: NextDeadlineAt, value: new Date(view.nextDeadline.at) }] : []),
      ]);
    }
    if (!v2) {
      await local.saveBookingProjection(view);
      return;
    }
    // Nothing new since the last write and nothing to send: no call at all.
    const as = `${view.version}|${view.nextDeadline?.at ?? ''}`;
    if (as === publishedAs && !pendingNotices.length) return;
    const notices = pendingNotices.splice(0);
    const { failed } = await local.publishBooking({ view, notices });
    publishedAs = as;
    for (const f of failed) event('NOTICE_FAILED', `${f.kind} could not be sent: ${f.message}`);
  };
  let busy = false;
  /** Revision 3: steps waiting for the lock, first come first served; the lock passes straight to the next. */
  const lockQueue: Array<() => void> = [];
  const acquire = async (): Promise<void> => {
    if (!v3) {
      // Revisions 1-2 (kept for their replays): every waiter whose condition held in the same
      // activation went in together, so two updates delivered at once could run side by side.
      await condition(() => !busy);
      busy = true;
      return;
    }
    if (!busy) {
      busy = true;
      return;
    }
    await new Promise<void>((resolve) => lockQueue.push(resolve));
  };
  const releaseLock = () => {
    const next = v3 ? lockQueue.shift() : undefined;
    if (next) next();
    else busy = false;
  };
  const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
    await acquire();
    try {
      return await work();
    } finally {
      releaseLock();
      // Revision 2: wake the main loop only when what it waits for changed (no timer re-armed for nothing).
      kicked = !v2 || waitingFor === null || waitingFor !== `${view.status}|${nextDeadline()?.at ?? ''}`;
    }
  };
  const setStatus = async (status: LifecycleStatus, message: string) => {
    view.status = status;
    event(status, message);
  };
  const departureStart = (): Instant => endOfDateIn(addDays(view.departureDate, -1), tz) + 1;
  const returnEnd = (): Instant => endOfDateIn(view.returnDate, tz);
  /** Everything due on the first due date is paid: the deposit (a group's: every member's deposit). */
  const depositIn = () => {
    const first = view.schedule[0];
    if (!first) return true;
    return view.schedule.filter((i) => i.dueDate === first.dueDate).every((i) => new Dec(i.paid).greaterThanOrEqualTo(new Dec(i.amount.amount)));
  };
  const perMember = () => view.group?.payer === 'PER_MEMBER';
  const activeMembers = () => view.group?.members.filter((m) => m.status === 'ACTIVE') ?? [];
  const memberOf = (id: string): GroupMemberState | undefined => view.group?.members.find((m) => m.id === id);
  /** The schedule for a new total (amendment, dropped flight); a group paying per member re-shares it among the members still travelling. */
  const replanFor = (newTotal: MoneyJson) => {
    const input = { terms, bookedOn: calendarDateIn(view.openedAt, tz), departureDate: view.departureDate, timeZone: tz, today: today() };
    if (!perMember()) return replan(view.schedule, newTotal, input);
    view.group = reshare(view.group!, live(), cur);
    return replanMembers(view.schedule, activeMembers(), input);
  };
  const flightSellsDue = () => sum(live().filter((c) => c.kind === 'FLIGHT' && c.status === 'HELD').map((c) => c.sell), cur);

  /** Pays money back: through the provider against the newest payments first, and in the ledger. */
  const refund = async (amount: MoneyJson, reason: RefundRecord['reason'], keyPart: string, fromAccount: string, from?: PaymentRecord[]) => {
    let left = money(amount);
    if (!left.amount.greaterThan(0)) return null;
    let firstId: string | null = null;
    const payments = [...(from ?? view.payments)].reverse();
    for (const [i, p] of payments.entries()) {
      if (!left.amount.greaterThan(0)) break;
      const refundedAlready = view.refunds.filter((r) => r.refundId.startsWith(`${p.paymentId}:`)).reduce((s, r) => s.add(money(r.amount)), Money.of('0', cur));
      const room = money(p.amount).subtract(refundedAlready);
      const part = room.amount.lessThan(left.amount) ? room : left;
      if (!part.amount.greaterThan(0)) continue;
      // The last payment takes whatever is left (a goodwill refund may exceed a single payment).
      const chunk = i === payments.length - 1 ? left : part;
      const refundId = `${p.paymentId}:${keyPart}`;
      const key = `${workflowId}:refund:${refundId}`;
      let providerRef: string;
      try {
        providerRef = (await local.refundCustomerPayment({ idempotencyKey: key, reference: req.reference, paymentId: p.paymentId, amount: chunk.toJSON(), reason })).providerRef;
      } catch (err) {
        manualReview(`refund ${refundId} of ${chunk.toFixed()} ${cur} failed: ${describe(err)}`);
        left = left.subtract(chunk);
        continue;
      }
      const ledgerEntryId = await post(refundEntry({ key, reference: req.reference, accountingDate: today(), amount: chunk.toJSON(), method: p.method, reason, fromAccount }));
      view.refunds.push({ refundId, amount: chunk.toJSON(), reason, at: Date.now(), providerRef, ledgerEntryId });
      event('REFUND', `${chunk.toFixed()} ${cur} refunded (${reason.toLowerCase()})`);
      firstId ??= refundId;
      left = left.subtract(chunk);
    }
    return firstId;
  };

  // ---- deferred revenue (finance recognises it at service dates) -------------------------------

  /** Which deferred-revenue item carries each component (an amendment defers it again as `<id>-v<n>`). */
  const deferredAs: Record<string, string> = {};
  const deferRevenue = async (components: ComponentState[], version: string | null) => {
    const items = components
      .map((c) => ({
        c,
        // Flights are sold as agent: only the margin over the airline's fare is Itinera's revenue.
        amount: c.settlement && c.settlement.currency === c.sell.currency ? money(c.sell).subtract(money(c.settlement)).toJSON() : c.sell,
      }))
      .filter(({ amount }) => new Dec(amount.amount).greaterThan(0))
      .map(({ c, amount }) => ({
        bookingRef: req.reference,
        componentId: version ? `${c.id}-${version}` : c.id,
        productType: c.productType,
        channel: req.channel,
        amount,
        serviceStart: c.serviceStart,
        serviceEnd: c.serviceEnd,
        bookingDate: calendarDateIn(view.openedAt, tz),
        forComponent: c.id,
      }));
    if (!items.length) return;
    try {
      await local.deferBookingRevenue(items.map(({ forComponent: _c, ...item }) => item));
      for (const item of items) deferredAs[item.forComponent] = item.componentId;
    } catch (err) {
      manualReview(`deferred revenue not registered: ${describe(err)}`);
    }
  };
  const cancelRevenue = async (components: ComponentState[]) => {
    const ids = components.map((c) => deferredAs[c.id]).filter((id): id is string => id !== undefined);
    if (!ids.length) return;
    try {
      await local.cancelBookingRevenue({ bookingRef: req.reference, componentIds: ids, cancelledAt: Date.now() });
      for (const c of components) delete deferredAs[c.id];
    } catch (err) {
      manualReview(`deferred revenue not cancelled: ${describe(err)}`);
    }
  };

  // ---- release what is held or confirmed ----------------------------------------------------

  const releaseComponent = async (c: ComponentState, keyPart: string): Promise<void> => {
    try {
      if (c.kind === 'FLIGHT') {
        if (c.supplierRef) {
          const q = await flightUndo.quoteFlightCancellation({ supplier: c.supplierCode, orderId: c.supplierRef });
          c.documents = (await flightUndo.confirmFlightCancellation({ supplier: c.supplierCode, quoteId: q.id, reference: `${workflowId}:${keyPart}:${c.id}` })).documents;
        }
      } else if (c.supplierRef) {
        await local.releaseBookingComponent({ key: `${workflowId}:${keyPart}:${c.id}`, reference: req.reference, component: c, supplierRef: c.supplierRef, now: Date.now() });
      }
      c.status = 'CANCELLED';
    } catch (err) {
      manualReview(`${c.description}: could not be cancelled with the supplier (${describe(err)})`);
      c.status = 'CANCELLED';
    }
  };

  // ---- phase 1: price and hold ------------------------------------------------------------

  type HeldFlight = Awaited<ReturnType<FlightActivities['priceAndHoldFlight']>>;
  const priceAll = async (requests: BookingRequest['components'], heldFlights?: Record<string, HeldFlight>): Promise<PricedComponent[]> => {
    const flightOffers: Record<string, Awaited<ReturnType<FlightActivities['priceFlightOffer']>>['offer']> = {};
    for (const r of requests) {
      if (r.kind !== 'FLIGHT') continue;
      flightOffers[r.id] = heldFlights?.[r.id]?.priced.offer ?? (await flights.priceFlightOffer({ supplier: r.supplier, offerId: r.offerId })).offer;
    }
    return local.priceBookingComponents({ reference: req.reference, channel: req.channel, currency: cur, saleDate: today(), components: requests, flightOffers });
  };

  /**
   * Revision 2: each flight priced and (when its fare allows) held in one supplier call, before the
   * catalog is priced; if pricing then fails, the flight holds are cancelled before failing.
   */
  const priceWithFlightsHeld = async (): Promise<{ priced: PricedComponent[]; held: Record<string, HeldFlight> }> => {
    const held: Record<string, HeldFlight> = {};
    try {
      for (const r of req.components) {
        if (r.kind !== 'FLIGHT') continue;
        held[r.id] = await flights.priceAndHoldFlight({ supplier: r.supplier, offerId: r.offerId, passengers: r.passengers, reference: `${workflowId}:flight:${r.id}` });
      }
      return { priced: await priceAll(req.components, held), held };
    } catch (err) {
      for (const [id, h] of Object.entries(held)) {
        if (!h.order) continue;
        const supplier = (req.components.find((c) => c.id === id) as { supplier: string }).supplier;
        try {
          const q = await flightUndo.quoteFlightCancellation({ supplier, orderId: h.order.id });
          await flightUndo.confirmFlightCancellation({ supplier, quoteId: q.id, reference: `${workflowId}:release:${id}` });
        } catch (undoErr) {
          manualReview(`flight order ${h.order.id} (${id}) could not be cancelled after pricing failed: ${describe(undoErr)}`);
        }
      }
      throw err;
    }
  };

  const holdAll = async (): Promise<void> => {
    if (termsProblem) throw new Error(`payment terms: ${termsProblem}`);
    const groupProblemList = groupProblems(req);
    if (groupProblemList.length) throw new Error(`group: ${groupProblemList.join('; ')}`);
    const { priced, held: heldFlights } = v2 ? await priceWithFlightsHeld() : { priced: await priceAll(req.components), held: {} as Record<string, HeldFlight> };
    view.components = priced.map((p) => ({ ...p, status: 'PRICED', supplierRef: null, locator: null, documents: [], penalty: null }));
    view.total = sum(priced.map((p) => p.sell), cur).toJSON();
    if (req.group) view.group = initialGroupState(req.group, priced, req.departureDate, cur);
    view.schedule = perMember()
      ? planMemberPayments({ terms, bookedOn: today(), departureDate: req.departureDate, timeZone: tz }, activeMembers())
      : planPayments({ total: view.total, terms, bookedOn: today(), departureDate: req.departureDate, timeZone: tz });
    recompute();
    let expiresAt = Date.now() + (req.holdHours ?? DEFAULT_HOLD_HOURS) * HOUR_MS;
    for (const c of view.components) {
      if (c.kind === 'FLIGHT') {
        if (c.flight!.instantPaymentRequired) continue; // ordered and paid at confirmation
        const order = v2
          ? heldFlights[c.id]!.order!
          : await flights.createFlightOrder({
              supplier: c.supplierCode,
              offerId: c.flight!.offerId,
              passengers: c.flight!.passengers,
              payment: { kind: 'hold' },
              reference: `${workflowId}:flight:${c.id}`,
            });
        c.supplierRef = order.id;
        c.locator = order.bookingReference;
        c.status = 'HELD';
        const deadline = order.paymentDeadline ?? c.flight!.ticketingDeadline;
        if (deadline) {
          c.flight!.ticketingDeadline = deadline;
          expiresAt = Math.min(expiresAt, deadline - TICKETING_SAFETY_MARGIN_MS);
        }
      } else if (v2 && c.inventory === null) {
        continue; // an on-request service has nothing to hold: it is ordered at confirmation
      } else {
        const held = await local.holdBookingComponent({
          key: `${workflowId}:hold:${c.id}`,
          reference: req.reference,
          component: c,
          ttlSeconds: Math.max(60, Math.ceil((expiresAt - Date.now()) / 1000) + 3600),
          now: Date.now(),
        });
        c.supplierRef = held.supplierRef;
        c.status = held.supplierRef ? 'HELD' : 'PRICED';
      }
    }
    view.holdExpiresAt = expiresAt;
  };

  // ---- phase 2: confirm (saga) ----------------------------------------------------------------

  /**
   * Confirms every component with its supplier (a saga). Revision 4: `alongside` is work started
   * beside it (the deposit's posting), finished before the confirmation goes on from the suppliers.
   */
  const confirm = async (alongside?: Promise<unknown>): Promise<void> => {
    const undo: Array<() => Promise<void>> = [];
    try {
      if (v2) {
        // Catalog components first, in one call (cheap to undo); then fares that must be bought at once.
        const catalog = view.components.filter((c) => c.kind !== 'FLIGHT');
        // Every catalog component is undone on failure, whether or not the call got to it: releases are idempotent.
        for (const c of catalog) {
          c.supplierRef ??= `${workflowId}:confirm:${c.id}`;
          undo.push(() => releaseComponent(c, 'undo'));
        }
        const done = catalog.length
          ? await local.confirmBookingComponents(
              catalog.map((c) => ({ key: `${workflowId}:confirm:${c.id}`, reference: req.reference, component: c, holdRef: c.status === 'HELD' ? c.supplierRef : null, now: Date.now() })),
            )
          : [];
        for (const d of done) {
          const c = view.components.find((x) => x.id === d.componentId)!;
          c.supplierRef = d.supplierRef;
          c.status = 'CONFIRMED';
        }
      }
      for (const c of view.components) {
        if (v2 && c.kind !== 'FLIGHT') continue;
        if (c.kind === 'FLIGHT') {
          if (c.flight!.instantPaymentRequired) {
            const order = await flights.createFlightOrder({
              supplier: c.supplierCode,
              offerId: c.flight!.offerId,
              passengers: c.flight!.passengers,
              payment: { kind: 'instant', amount: c.cost },
              reference: `${workflowId}:flight:${c.id}`,
            });
            c.supplierRef = order.id;
            c.locator = order.bookingReference;
            c.documents = order.documents;
            c.status = 'TICKETED';
            undo.push(() => releaseComponent(c, 'undo'));
          } else {
            undo.push(() => releaseComponent(c, 'undo'));
          }
        } else {
          const done = await local.confirmBookingComponent({ key: `${workflowId}:confirm:${c.id}`, reference: req.reference, component: c, holdRef: c.supplierRef, now: Date.now() });
          c.supplierRef = done.supplierRef;
          c.status = 'CONFIRMED';
          undo.push(() => releaseComponent(c, 'undo'));
        }
      }
    } catch (err) {
      if (alongside) await alongside;
      const why = describe(err);
      event('CONFIRMATION_FAILED', `confirmation failed: ${why}; undoing what was confirmed`);
      for (const step of undo.reverse()) await step();
      for (const c of view.components) if (c.status !== 'CANCELLED') await releaseComponent(c, 'release');
      await refund(view.paid, 'FAILED_BOOKING', 'failed', 'liability:customer-deposits');
      view.failure = `Confirmation failed: ${why}`;
      closeSchedule();
      await setStatus('FAILED', view.failure);
      await notify('FAILED', 'failed', `Booking ${req.reference} could not be confirmed`, `${view.failure}. Everything paid has been refunded.`);
      return;
    }
    if (alongside) await alongside;
    const deposits = view.paid;
    // The same status and notice in every revision; only their order around the writes differs.
    const confirmedStatus = () => setStatus(new Dec(view.balanceDue.amount).isZero() ? 'PAID' : 'CONFIRMED', `confirmed with every supplier; ${view.balanceDue.amount} ${cur} still due`);
    const confirmedNotice = () =>
      notify('CONFIRMED', 'confirmed', `Booking ${req.reference} confirmed`, `Your booking is confirmed. Paid ${view.paid.amount} ${cur}; ${view.balanceDue.amount} ${cur} still due.`);
    const postSale = () =>
      post(saleEntry({ key: `${workflowId}:sale`, reference: req.reference, accountingDate: today(), channel: req.channel, components: view.components, depositsHeld: deposits }));
    if (v4) {
      // Revision 4: confirmed. The sale, its deferred revenue and the confirmed booking's
      // projection (with the notice) are independent writes, side by side. When flights are to be
      // ticketed now, the projection waits for the tickets instead (one write, not two). What
      // changes after the projection (a refused posting) is published by the step's end.
      view.holdExpiresAt = null;
      await confirmedStatus();
      await confirmedNotice();
      const ticketing = ticketsDue();
      view.nextDeadline = nextDeadline();
      const [saleId] = await Promise.all([postSale(), deferRevenue(view.components, null), ticketing ? null : publish()]);
      salePosted = saleId !== null || salePosted;
      if (ticketing) await ticketIfPaid();
      return;
    }
    const saleId = await postSale();
    salePosted = saleId !== null || salePosted;
    await deferRevenue(view.components, null);
    view.holdExpiresAt = null;
    await confirmedStatus();
    await ticketIfPaid();
    await confirmedNotice();
  };

  // ---- tickets -------------------------------------------------------------------------------

  /** Held flights to ticket, all paid for. */
  const ticketsDue = () => {
    const due = flightSellsDue();
    return due.amount.greaterThan(0) && !money(view.paid).amount.lessThan(due.amount);
  };
  const ticketIfPaid = async () => {
    if (!ticketsDue()) return;
    for (const c of live().filter((x) => x.kind === 'FLIGHT' && x.status === 'HELD')) {
      try {
        const order = await flights.payFlightOrder({ supplier: c.supplierCode, orderId: c.supplierRef!, amount: c.cost, reference: `${workflowId}:ticket:${c.id}` });
        c.documents = order.documents;
        c.status = 'TICKETED';
        event('TICKETED', `${c.description}: tickets ${liveTickets(order.documents).map((d) => d.number).join(', ')}`);
      } catch (err) {
        manualReview(`${c.description}: ticketing failed (${describe(err)})`);
        await notify('TICKETING_ALERT', `ticketing-failed:${c.id}`, `Ticketing failed on ${req.reference}`, `${c.description}: ${describe(err)}`, 'ops');
      }
    }
  };

  /** An unpaid flight at its ticketing limit is cancelled before the airline does it (no-show fees, ADMs). */
  const dropUnpaidFlight = async (c: ComponentState) => {
    await releaseComponent(c, 'unpaid');
    c.penalty = zero();
    if (salePosted) {
      for (const d of cancellationEntries({
        keyPrefix: `${workflowId}:unpaid-flight:${c.id}`,
        reference: req.reference,
        accountingDate: today(),
        channel: req.channel,
        components: [c],
        penalties: [{ componentId: c.id, penalty: zero() }],
        retained: zero(),
      })) {
        await post(d);
      }
      await cancelRevenue([c]);
    }
    view.total = money(view.total).subtract(money(c.sell)).toJSON();
    view.schedule = replanFor(view.total);
    recompute();
    event('FLIGHT_CANCELLED_UNPAID', `${c.description} cancelled before its ticketing limit: not paid in time`);
    await notify('TICKETING_ALERT', `unpaid-flight:${c.id}`, `Flight cancelled on ${req.reference}`, `${c.description} was not paid before the airline's ticketing limit and has been cancelled.`, 'ops');
    await notify('TICKETING_ALERT', `unpaid-flight-customer:${c.id}`, `Your flight on ${req.reference} was cancelled`, `${c.description} was not paid in time and has been cancelled. Contact your advisor.`);
  };

  // ---- cancellation -------------------------------------------------------------------------

  /**
   * `lenient` (a cancellation nobody asked for, e.g. for non-payment): penalties that cannot be
   * worked out (a supplier policy in a currency the product is not costed in) are waived and ops
   * asked to look, instead of the step failing for ever; an advisor's preview is refused instead.
   */
  const quoteCancellation = async (lenient = false): Promise<CancellationQuote & { flightQuotes: Record<string, string> }> => {
    const flightPenalties: Record<string, MoneyJson> = {};
    const flightQuotes: Record<string, string> = {};
    for (const c of live()) {
      if (c.kind !== 'FLIGHT') continue;
      if (!c.supplierRef) {
        flightPenalties[c.id] = zero();
        continue;
      }
      try {
        const q = await flights.quoteFlightCancellation({ supplier: c.supplierCode, orderId: c.supplierRef });
        flightQuotes[c.id] = q.id;
        flightPenalties[c.id] = c.status === 'HELD' ? zero() : shareOfSell(c, q.penalty);
      } catch (err) {
        event('QUOTE_FAILED', `${c.description}: airline cancellation quote failed (${describe(err)}); counted as non-refundable`);
      }
    }
    let q: ReturnType<typeof cancellationQuote>;
    try {
      q = cancellationQuote({ components: live(), changeDate: today(), paid: view.paid, currency: cur, flightPenalties });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (!lenient) refuse('CancellationInvalid', `The cancellation penalties cannot be worked out (${why}): ops must correct the supplier policy first`);
      manualReview(`cancellation penalties could not be worked out (${why}): cancelled without a penalty`);
      q = cancellationQuote({ components: live().map((c) => ({ ...c, cancellationPolicy: { windows: [] } })), changeDate: today(), paid: view.paid, currency: cur, flightPenalties });
    }
    const now = Date.now();
    return { quoteId: uuid4(), quotedAt: now, expiresAt: now + QUOTE_VALIDITY_MS, penalties: q.penalties, totalPenalty: q.totalPenalty, paid: view.paid, refund: q.refund, flightQuotes };
  };

  const cancel = async (reason: string, quote: (CancellationQuote & { flightQuotes: Record<string, string> }) | null, lenient = false): Promise<CancellationOutcome> => {
    const before = view.status;
    const q = quote ?? (await quoteCancellation(lenient));
    const sold = live();
    for (const c of sold) {
      const p = q.penalties.find((x) => x.componentId === c.id);
      c.penalty = p?.penalty ?? zero();
      if (c.kind === 'FLIGHT' && c.supplierRef && q.flightQuotes[c.id]) {
        try {
          c.documents = (await flightUndo.confirmFlightCancellation({ supplier: c.supplierCode, quoteId: q.flightQuotes[c.id]!, reference: `${workflowId}:cancel:${c.id}` })).documents;
          c.status = 'CANCELLED';
          continue;
        } catch {
          // The quote lapsed or the airline refused it: cancel with a fresh quote below.
        }
      }
      await releaseComponent(c, 'cancel');
    }
    let refundId: string | null;
    if (salePosted) {
      const retained = Money.of(Dec.min(new Dec(q.totalPenalty.amount), new Dec(view.paid.amount)), cur).toJSON();
      for (const d of cancellationEntries({
        keyPrefix: `${workflowId}:cancel`,
        reference: req.reference,
        accountingDate: today(),
        channel: req.channel,
        components: sold,
        penalties: q.penalties.map((p) => ({ componentId: p.componentId, penalty: p.penalty })),
        retained,
      })) {
        await post(d);
      }
      await cancelRevenue(sold);
      refundId = await refund(q.refund, 'CANCELLATION', 'cancellation', 'asset:receivable:customers');
    } else {
      // Not confirmed yet: whatever was paid is still a deposit and comes back whole.
      refundId = await refund(view.paid, 'CANCELLATION', 'cancellation', 'liability:customer-deposits');
    }
    view.failure = reason;
    view.holdExpiresAt = null;
    closeSchedule();
    await setStatus('CANCELLED', `cancelled (${reason}) from ${before}: penalty ${q.totalPenalty.amount} ${cur}, refund ${q.refund.amount} ${cur}`);
    await notify('CANCELLED', 'cancelled', `Booking ${req.reference} cancelled`, `Cancelled: ${reason}. Penalty ${q.totalPenalty.amount} ${cur}; refund ${q.refund.amount} ${cur}.`);
    return { quote: { quoteId: q.quoteId, quotedAt: q.quotedAt, expiresAt: q.expiresAt, penalties: q.penalties, totalPenalty: q.totalPenalty, paid: q.paid, refund: q.refund }, status: view.status, refundId };
  };

  // ---- group: cancelling some members --------------------------------------------------------

  type MemberQuote = CancellationQuote & { flightQuotes: Record<string, string>; memberIds: string[] };

  /** Why `memberIds` cannot be cancelled out of this booking now (null when they can). */
  const memberCancelProblem = (memberIds: string[]): string | null => {
    const problems = memberCancellationProblems(view.group, memberIds);
    if (problems.length) return problems.join('; ');
    if (view.status !== 'CONFIRMED' && view.status !== 'PAID') return `Booking ${req.reference} is ${view.status}: members can be cancelled once it is confirmed`;
    if (live().some((c) => c.kind === 'FLIGHT')) return 'The airline order carries every member: cancel the whole booking, or ask the airline to split the order first';
    return null;
  };

  /** `given`: the components' full penalties when already worked out (a cancellation nobody asked for). */
  const quoteMembers = (memberIds: string[], given?: ReturnType<typeof cancellationQuote>['penalties']): MemberQuote => {
    const problem = memberCancelProblem(memberIds);
    if (problem) refuse('CancellationInvalid', problem);
    let full: Pick<ReturnType<typeof cancellationQuote>, 'penalties'>;
    try {
      full = given ? { penalties: given } : cancellationQuote({ components: live(), changeDate: today(), paid: view.paid, currency: cur, flightPenalties: {} });
    } catch (err) {
      refuse('CancellationInvalid', `The cancellation penalties cannot be worked out (${err instanceof Error ? err.message : String(err)}): ops must correct the supplier policy first`);
    }
    const mc = memberCancellation({ group: view.group!, memberIds, components: live(), penalties: full.penalties, total: view.total, paid: view.paid, schedule: view.schedule });
    const now = Date.now();
    return {
      quoteId: uuid4(),
      quotedAt: now,
      expiresAt: now + QUOTE_VALIDITY_MS,
      penalties: mc.components.map((line) => {
        const f = full.penalties.find((p) => p.componentId === line.componentId)!;
        return { componentId: line.componentId, description: f.description, penalty: line.penalty, basis: `${f.basis}, on the cancelled members' share` };
      }),
      totalPenalty: mc.totalPenalty,
      paid: view.paid,
      refund: mc.refund,
      members: mc.members,
      newTotal: mc.newTotal,
      flightQuotes: {},
      memberIds,
    };
  };

  /**
   * Cancels some members of a confirmed group: each pays the penalty on their share; rooms only they
   * used go back to the allotment (held and sold again at the smaller size, then the old sale
   * released); the ledger reverses their shares and keeps the penalties; refunds go out.
   */
  const cancelMembers = async (memberIds: string[], reason: string, quote: MemberQuote | null): Promise<CancellationOutcome> => {
    let penalties: ReturnType<typeof cancellationQuote>['penalties'];
    try {
      penalties = cancellationQuote({ components: live(), changeDate: quote ? calendarDateIn(quote.quotedAt, tz) : today(), paid: view.paid, currency: cur, flightPenalties: {} }).penalties;
    } catch (err) {
      // Only a cancellation nobody asked for gets here (an advisor's was quoted first): waive, and ask ops.
      manualReview(`members' cancellation penalties could not be worked out (${err instanceof Error ? err.message : String(err)}): cancelled without a penalty`);
      penalties = live().map((c) => ({ componentId: c.id, description: c.description, penalty: zero(), basis: 'waived: the supplier policy could not be applied' }));
    }
    const q: MemberQuote = quote ?? quoteMembers(memberIds, penalties);
    const mc = memberCancellation({
      group: view.group!,
      memberIds,
      components: live(),
      penalties,
      total: view.total,
      paid: view.paid,
      schedule: view.schedule,
    });
    memberCancellations++;
    const v = `p${memberCancellations}`;
    const sold = live();
    const { units: rooms, freed } = roomsAfter(view.group!, memberIds);
    const next: ComponentState[] = [];
    for (const c of sold) {
      const line = mc.components.find((l) => l.componentId === c.id)!;
      const sell = money(c.sell).subtract(money(line.share));
      const ratio = new Dec(c.sell.amount).isZero() ? new Dec(0) : sell.amount.div(new Dec(c.sell.amount));
      const request = c.request.kind === 'FLIGHT' ? c.request : { ...c.request, units: c.kind === 'HOTEL' ? rooms : shrinkUnits(c.request.units, memberIds.length) };
      const fresh: ComponentState = {
        ...c,
        sell: sell.toJSON(),
        cost: money(c.cost).times(ratio).roundToMinor(Dec.ROUND_HALF_UP).toJSON(),
        pax: c.pax - memberIds.length,
        request,
        inventory: c.inventory && c.kind === 'HOTEL' ? { ...c.inventory, quantity: rooms.length } : c.inventory,
      };
      if (c.kind === 'HOTEL' && c.inventory && freed > 0) {
        // Give the freed rooms back: sell the smaller room count under a new key, then release the old sale.
        try {
          const held = await local.holdBookingComponent({ key: `${workflowId}:hold:${c.id}:${v}`, reference: req.reference, component: fresh, ttlSeconds: 3600, now: Date.now() });
          const done = await local.confirmBookingComponent({ key: `${workflowId}:confirm:${c.id}:${v}`, reference: req.reference, component: fresh, holdRef: held.supplierRef, now: Date.now() });
          await releaseComponent({ ...c }, `members-${v}`);
          fresh.supplierRef = done.supplierRef;
          fresh.status = 'CONFIRMED';
        } catch (err) {
          manualReview(`${c.description}: ${freed} room(s) freed by cancelled members could not be returned to the allotment (${describe(err)})`);
          fresh.inventory = c.inventory;
        }
      }
      next.push(fresh);
    }
    if (salePosted) {
      for (const d of cancellationEntries({
        keyPrefix: `${workflowId}:members:${v}`,
        reference: req.reference,
        accountingDate: today(),
        channel: req.channel,
        components: sold.map((c) => ({ ...c, sell: mc.components.find((l) => l.componentId === c.id)!.share })),
        penalties: mc.components.map((l) => ({ componentId: l.componentId, penalty: l.penalty })),
        retained: mc.retained,
      })) {
        await post(d);
      }
      await cancelRevenue(sold);
      await deferRevenue(next, v);
    }
    for (const fresh of next) view.components[view.components.findIndex((c) => c.id === fresh.id)] = fresh;
    for (const line of mc.members) {
      const m = memberOf(line.memberId)!;
      m.status = 'CANCELLED';
      m.penalty = line.penalty;
    }
    view.total = mc.newTotal;
    let refundId: string | null = null;
    if (perMember()) {
      // Each cancelled member's lines close at what they paid; the part above their penalty goes back to them.
      view.schedule = view.schedule.map((i) => (i.memberId && memberIds.includes(i.memberId) ? { ...i, amount: { amount: i.paid, currency: cur } } : i));
      for (const line of mc.members) {
        const back = line.refund!;
        if (!new Dec(back.amount).greaterThan(0)) continue;
        const theirs = view.payments.filter((p) => p.memberId === line.memberId);
        const id = await refund(back, 'MEMBER_CANCELLATION', `member-${line.memberId}`, 'asset:receivable:customers', [...view.payments.filter((p) => p.memberId === undefined), ...theirs]);
        refundId ??= id;
      }
    } else {
      view.schedule = replan(view.schedule, mc.newTotal, { terms, bookedOn: calendarDateIn(view.openedAt, tz), departureDate: view.departureDate, timeZone: tz, today: today() });
      refundId = await refund(mc.refund, 'MEMBER_CANCELLATION', `members-${v}`, 'asset:receivable:customers');
    }
    recompute();
    const names = mc.members.map((l) => `${l.name} (penalty ${l.penalty.amount})`).join(', ');
    event('MEMBERS_CANCELLED', `${names} cancelled (${reason}): penalties ${mc.totalPenalty.amount} ${cur}, refund ${mc.refund.amount} ${cur}; new total ${mc.newTotal.amount} ${cur}`);
    if (view.status === 'CONFIRMED' && new Dec(view.balanceDue.amount).isZero()) await setStatus('PAID', 'paid in full');
    await notify('MEMBERS_CANCELLED', `members-${v}`, `Members cancelled on ${req.reference}`, `${names} no longer travel. Refund ${mc.refund.amount} ${cur}.`);
    const { flightQuotes: _f, memberIds: _m, ...shown } = q;
    return { quote: { ...shown, penalties: q.penalties, totalPenalty: mc.totalPenalty, refund: mc.refund, members: mc.members, newTotal: mc.newTotal }, status: view.status, refundId };
  };

  // ---- payments -----------------------------------------------------------------------------

  const takePayment = async (input: PaymentInput): Promise<PaymentOutcome> => {
    const seen = paymentOutcomes[input.paymentId];
    if (seen) return { ...seen, duplicate: true };
    // A member's payment settles only their own lines (a group paying per member).
    const { own, others } = memberLines(view.schedule, input.memberId);
    const { schedule, applied, excess } = applyPayment(own, input.amount);
    const key = `${workflowId}:payment:${input.paymentId}`;
    const draft = paymentEntry({ key, reference: req.reference, accountingDate: today(), payment: { amount: input.amount, method: input.method, paymentId: input.paymentId }, confirmed: salePosted });
    // Revision 4: the payment is posted while the rest of the step runs (a deposit's confirmation
    // above all); the step waits for the posting before it ends. Earlier revisions posted first.
    const posting = v4 ? post(draft) : null;
    const ledgerEntryId = posting ? null : await post(draft);
    const record: PaymentRecord = { paymentId: input.paymentId, amount: input.amount, method: input.method, receivedAt: Date.now(), excessRefunded: excess.amount, ledgerEntryId };
    const posted = posting?.then((id) => void (record.ledgerEntryId = id));
    if (input.memberId !== undefined) record.memberId = input.memberId;
    view.payments.push(record);
    view.schedule = input.memberId === undefined ? schedule : [...others, ...schedule].sort((a, b) => a.dueAt - b.dueAt);
    recompute();
    event('PAYMENT', `${input.amount.amount} ${cur} received by ${input.method}${input.memberId ? ` for member ${input.memberId}` : ''} (${applied.amount} applied)`);
    if (new Dec(excess.amount).greaterThan(0)) {
      await refund(excess, 'OVERPAYMENT', 'overpayment', salePosted ? 'asset:receivable:customers' : 'liability:customer-deposits');
    }
    if (posted) {
      // A deposit that completes the first due date confirms the booking here, beside its posting.
      if (view.status === 'HELD' && depositIn()) {
        await confirm(posted);
        view.nextDeadline = nextDeadline();
      }
      await posted;
    }
    if (view.status === 'CONFIRMED' && new Dec(view.balanceDue.amount).isZero()) await setStatus('PAID', 'paid in full');
    if (salePosted) await ticketIfPaid();
    const outcome: PaymentOutcome = { payment: record, duplicate: false, status: view.status, balanceDue: view.balanceDue };
    paymentOutcomes[input.paymentId] = outcome;
    return outcome;
  };

  // ---- amendments ---------------------------------------------------------------------------

  const quoteAmendment = async (departureDate: string): Promise<AmendmentQuote & { priced: PricedComponent[]; flightChanges: Record<string, { quoteId: string; totalDue: MoneyJson }> }> => {
    const { days, returnDate } = shiftDates(view.departureDate, view.returnDate, departureDate);
    const sold = live();
    const requests = sold.filter((c) => c.kind !== 'FLIGHT').map((c) => shiftRequest(c.request, days));
    let priced: PricedComponent[];
    try {
      priced = requests.length ? await local.priceBookingComponents({ reference: req.reference, channel: req.channel, currency: cur, saleDate: today(), components: requests, flightOffers: {} }) : [];
    } catch (err) {
      refuse('AmendmentUnavailable', `The new dates cannot be priced: ${describe(err)}`);
    }
    const flightChanges: Record<string, { quoteId: string; totalDue: MoneyJson }> = {};
    const lines: AmendmentQuote['lines'] = [];
    for (const c of sold) {
      let fee: MoneyJson;
      try {
        fee = amendmentFee(c, today());
      } catch (err) {
        refuse('AmendmentUnavailable', `${c.description}: the supplier's amendment fee cannot be worked out (${err instanceof Error ? err.message : String(err)})`);
      }
      if (c.kind === 'FLIGHT') {
        if (!c.supplierRef) refuse('AmendmentUnavailable', `${c.description} has no airline order to change`);
        try {
          const order = await flights.getFlightOrder({ supplier: c.supplierCode, orderId: c.supplierRef });
          const q = await flights.quoteFlightChange({
            supplier: c.supplierCode,
            orderId: c.supplierRef,
            slices: order.slices.map((s, i) => ({ replaceIndex: i, with: { origin: s.origin, destination: s.destination, departureDate: addDays(s.segments[0]!.departure.local.slice(0, 10), days) } })),
          });
          flightChanges[c.id] = { quoteId: q.id, totalDue: q.totalDue };
          lines.push({ componentId: c.id, description: c.description, oldSell: c.sell, newSell: money(c.sell).add(money(shareOfSell(c, q.totalDue))).toJSON(), fee: zero() });
        } catch (err) {
          refuse('AmendmentUnavailable', `${c.description}: the airline cannot change it (${describe(err)})`);
        }
        continue;
      }
      const p = priced.find((x) => x.id === c.id)!;
      lines.push({ componentId: c.id, description: c.description, oldSell: c.sell, newSell: p.sell, fee });
    }
    const oldTotal = view.total;
    const fees = sum(lines.map((l) => l.fee), cur);
    const newTotal = sum(lines.map((l) => l.newSell), cur).add(fees);
    const now = Date.now();
    return {
      quoteId: uuid4(),
      quotedAt: now,
      expiresAt: now + QUOTE_VALIDITY_MS,
      departureDate,
      returnDate,
      lines,
      oldTotal,
      newTotal: newTotal.toJSON(),
      difference: newTotal.subtract(money(oldTotal)).toJSON(),
      fees: fees.toJSON(),
      priced,
      flightChanges,
    };
  };

  const amend = async (q: AmendmentQuote & { priced: PricedComponent[]; flightChanges: Record<string, { quoteId: string; totalDue: MoneyJson }> }): Promise<void> => {
    amendments++;
    const v = `v${amendments + 1}`;
    // 1. Take the new dates first; if any is gone, give back what was taken and change nothing.
    const taken: ComponentState[] = [];
    try {
      for (const p of q.priced) {
        const fresh: ComponentState = { ...p, status: 'PRICED', supplierRef: null, locator: null, documents: [], penalty: null };
        const held = await local.holdBookingComponent({ key: `${workflowId}:hold:${p.id}:${v}`, reference: req.reference, component: fresh, ttlSeconds: 3600, now: Date.now() });
        fresh.supplierRef = held.supplierRef;
        taken.push(fresh);
        const done = await local.confirmBookingComponent({ key: `${workflowId}:confirm:${p.id}:${v}`, reference: req.reference, component: fresh, holdRef: fresh.supplierRef, now: Date.now() });
        fresh.supplierRef = done.supplierRef;
        fresh.status = 'CONFIRMED';
      }
    } catch (err) {
      for (const t of taken) await releaseComponent(t, `amend-undo-${v}`);
      if (v3) {
        // An earlier attempt of this same amendment (a worker killed before it was recorded) may
        // have taken dates under these keys that this attempt never got to: release those too.
        for (const p of q.priced) {
          if (taken.some((t) => t.id === p.id)) continue;
          const ref = p.inventory ? `${workflowId}:hold:${p.id}:${v}` : `${workflowId}:confirm:${p.id}:${v}`;
          await releaseComponent({ ...p, status: 'PRICED', supplierRef: ref, locator: null, documents: [], penalty: null }, `amend-undo-${v}`);
        }
      }
      amendments--;
      refuse('AmendmentUnavailable', `The new dates are no longer available: ${describe(err)}`);
    }
    // 2. Flights: the airline's change (paid from the booking; the customer owes the difference).
    const flightsChanged: Record<string, MoneyJson> = {};
    for (const [id, change] of Object.entries(q.flightChanges)) {
      const c = view.components.find((x) => x.id === id)!;
      try {
        const order = await flights.confirmFlightChange({ supplier: c.supplierCode, quoteId: change.quoteId, payment: change.totalDue, reference: `${workflowId}:change:${id}:${v}` });
        flightsChanged[id] = change.totalDue;
        c.documents = order.documents;
        c.locator = order.bookingReference;
      } catch (err) {
        manualReview(`${c.description}: airline change failed after the hotel dates moved (${describe(err)})`);
      }
    }
    // 3. Release the old dates; the ledger swaps the old sale lines for the new ones.
    const oldOnes = live().filter((c) => c.kind !== 'FLIGHT');
    for (const c of oldOnes) await releaseComponent(c, `amend-release-${v}`);
    if (salePosted) {
      const feeLines = q.lines.filter((l) => new Dec(l.fee.amount).greaterThan(0));
      for (const d of cancellationEntries({
        keyPrefix: `${workflowId}:amend:${v}`,
        reference: req.reference,
        accountingDate: today(),
        channel: req.channel,
        components: oldOnes,
        penalties: feeLines.map((l) => ({ componentId: l.componentId, penalty: l.fee })),
        retained: q.fees,
      })) {
        await post(d);
      }
      await post(saleEntry({ key: `${workflowId}:sale:${v}`, reference: req.reference, accountingDate: today(), channel: req.channel, components: taken, depositsHeld: zero() }));
      await cancelRevenue(oldOnes);
      await deferRevenue(taken, v);
    }
    for (const t of taken) {
      const i = view.components.findIndex((c) => c.id === t.id && c.status === 'CANCELLED');
      view.components[i] = t;
    }
    for (const [id, due] of Object.entries(flightsChanged)) {
      const c = view.components.find((x) => x.id === id)!;
      c.sell = money(c.sell).add(money(shareOfSell(c, due))).toJSON();
      c.cost = money(c.cost).add(money(due)).toJSON();
    }
    view.departureDate = q.departureDate;
    view.returnDate = q.returnDate;
    view.total = q.newTotal;
    if (view.group) view.group = { ...reshare(view.group, live(), cur), nameChangeUntil: addDays(q.departureDate, -(req.group?.nameChangeDaysBefore ?? DEFAULT_NAME_CHANGE_DAYS_BEFORE)) };
    const paid = view.paid;
    view.schedule = replan(view.schedule, money(q.newTotal).amount.lessThan(money(paid).amount) ? paid : q.newTotal, {
      terms,
      bookedOn: calendarDateIn(view.openedAt, tz),
      departureDate: view.departureDate,
      timeZone: tz,
      today: today(),
    });
    recompute();
    const over = money(paid).subtract(money(q.newTotal));
    if (over.amount.greaterThan(0)) {
      view.total = q.newTotal;
      await refund(over.toJSON(), 'AMENDMENT', `amendment-${v}`, 'asset:receivable:customers');
      view.schedule = replan(view.schedule, q.newTotal, { terms, bookedOn: calendarDateIn(view.openedAt, tz), departureDate: view.departureDate, timeZone: tz, today: today() });
      recompute();
    }
    for (const k of [...overdueNotified]) overdueNotified.delete(k);
    event('AMENDED', `departure moved to ${q.departureDate}: new total ${q.newTotal.amount} ${cur} (fees ${q.fees.amount})`);
    if (view.status === 'PAID' && !new Dec(view.balanceDue.amount).isZero()) view.status = 'CONFIRMED';
    if (view.status === 'CONFIRMED' && new Dec(view.balanceDue.amount).isZero()) view.status = 'PAID';
  };

  // ---- deadlines ----------------------------------------------------------------------------

  const balanceLine = () => view.schedule.find((i) => i.kind === 'BALANCE') ?? view.schedule[view.schedule.length - 1] ?? null;
  const unpaid = () => view.schedule.filter((i) => new Dec(i.paid).lessThan(new Dec(i.amount.amount)));

  const nextDeadline = (): { at: Instant; what: string } | null => {
    const candidates: Array<{ at: Instant; what: string }> = [];
    if (view.status === 'CONFIRMED') {
      for (const i of unpaid()) {
        if (!i.reminded && terms.reminderDaysBefore > 0) candidates.push({ at: reminderAt(i, terms.reminderDaysBefore), what: `reminder for ${i.id} (${i.amount.amount} ${cur} due ${i.dueDate})` });
        if (!overdueNotified.has(i.id)) candidates.push({ at: i.dueAt, what: `${i.id} due (${i.amount.amount} ${cur})` });
      }
      const bal = balanceLine();
      if (bal && unpaid().length) candidates.push({ at: bal.dueAt + terms.graceDays * 24 * HOUR_MS, what: `cancellation for non-payment unless paid (grace ${terms.graceDays} days)` });
    }
    if (view.status === 'CONFIRMED' || view.status === 'PAID') {
      for (const c of live()) {
        if (c.kind === 'FLIGHT' && c.status === 'HELD' && c.flight!.ticketingDeadline) {
          candidates.push({ at: c.flight!.ticketingDeadline - TICKETING_SAFETY_MARGIN_MS, what: `ticketing limit of ${c.description}` });
        }
      }
      candidates.push({ at: departureStart(), what: `departure ${view.departureDate}` });
    }
    if (view.status === 'TRAVELLING') candidates.push({ at: returnEnd(), what: `return ${view.returnDate}` });
    return candidates.reduce<{ at: Instant; what: string } | null>((best, c) => (best === null || c.at < best.at ? c : best), null);
  };

  const runDue = async () => {
    const now = Date.now();
    if (view.status === 'CONFIRMED') {
      for (const i of unpaid()) {
        if (!i.reminded && terms.reminderDaysBefore > 0 && now >= reminderAt(i, terms.reminderDaysBefore) && now < i.dueAt) {
          const to = (i.memberId && memberOf(i.memberId)?.email) || req.contactEmail || 'ops';
          await notify('REMINDER', `reminder:${i.id}:${i.dueDate}`, `Payment due on ${i.dueDate} for ${req.reference}`, `${money(i.amount).subtract(Money.of(i.paid, cur)).toFixed()} ${cur} is due on ${i.dueDate}.`, to);
          i.reminded = true;
          event('REMINDER', `reminder sent for ${i.id} due ${i.dueDate}`);
        }
        if (!overdueNotified.has(i.id) && now >= i.dueAt) {
          overdueNotified.add(i.id);
          i.reminded = true;
          await notify('PAYMENT_OVERDUE', `overdue:${i.id}:${i.dueDate}`, `Payment overdue on ${req.reference}`, `${i.id} of ${i.amount.amount} ${cur} was due on ${i.dueDate}.`);
          event('PAYMENT_OVERDUE', `${i.id} (${i.amount.amount} ${cur}) not paid by ${i.dueDate}`);
        }
      }
      const bal = balanceLine();
      if (bal && unpaid().length && now >= bal.dueAt + terms.graceDays * 24 * HOUR_MS) {
        const why = `final balance not paid by ${bal.dueDate} (+${terms.graceDays} days grace)`;
        // A group paying per member: only the members who did not pay are cancelled, when that is possible.
        const late = [...new Set(unpaid().map((i) => i.memberId).filter((id): id is string => id !== undefined && memberOf(id)?.status === 'ACTIVE'))];
        if (perMember() && late.length && !unpaid().some((i) => i.memberId === undefined) && memberCancelProblem(late) === null) {
          await cancelMembers(late, why, null);
        } else {
          await cancel(why, null, true);
          return;
        }
      }
    }
    if (view.status === 'CONFIRMED' || view.status === 'PAID') {
      for (const c of live()) {
        if (c.kind === 'FLIGHT' && c.status === 'HELD' && c.flight!.ticketingDeadline && now >= c.flight!.ticketingDeadline - TICKETING_SAFETY_MARGIN_MS) {
          await ticketIfPaid();
          if (c.status === 'HELD') await dropUnpaidFlight(c);
        }
      }
      if (now >= departureStart()) await setStatus('TRAVELLING', `travelling from ${view.departureDate}`);
    }
    if (view.status === 'TRAVELLING' && now >= returnEnd()) {
      await setStatus('COMPLETED', `back on ${view.returnDate}; in the customer's travel history`);
    }
  };

  // ---- handlers -----------------------------------------------------------------------------

  setHandler(lifecycleStatusQuery, () => view);
  setHandler(awaitHeldUpdate, async () => {
    await condition(() => settled);
    return view;
  });

  setHandler(
    recordPaymentUpdate,
    async (input) => {
      const outcome = await exclusive(async () => {
        const o = await takePayment(input);
        // Revision 2: a deposit that confirms the booking is published once, by the confirmation.
        if (!o.duplicate && !(v2 && view.status === 'HELD' && depositIn())) await publish();
        return o;
      });
      // A deposit that confirms the booking: answer once confirmation (and any ticketing) has run.
      await condition(() => (view.status !== 'HELD' && !busy) || !depositIn());
      return { ...outcome, status: view.status, balanceDue: view.balanceDue };
    },
    {
      validator: (input) => {
        if (paymentOutcomes[input.paymentId]) return;
        if (!OPEN_FOR_PAYMENT.includes(view.status)) refuse('BookingStateConflict', `Booking ${req.reference} is ${view.status} and cannot take payments`);
        if (input.amount.currency !== cur) refuse('PaymentCurrencyMismatch', `Payment is in ${input.amount.currency} but booking ${req.reference} is priced in ${cur}`);
        if (!/^\d+(\.\d+)?$/.test(input.amount.amount) || !new Dec(input.amount.amount).greaterThan(0)) refuse('PaymentInvalid', `Payment amount "${input.amount.amount}" must be a positive decimal`);
        if (!/^[a-z0-9][a-z0-9-]*$/.test(input.method)) refuse('PaymentInvalid', `Payment method "${input.method}" is not a known method`);
        if (input.memberId !== undefined) {
          if (!perMember()) refuse('PaymentInvalid', view.group ? `Group ${view.group.name} has a single payer: leave memberId out` : `Booking ${req.reference} is not a group booking: leave memberId out`);
          const m = memberOf(input.memberId);
          if (!m) refuse('PaymentInvalid', `No member "${input.memberId}" in group ${view.group!.name}`);
          if (m.status !== 'ACTIVE') refuse('BookingStateConflict', `Member ${input.memberId} was cancelled and cannot take payments`);
        }
      },
    },
  );

  setHandler(
    previewCancellationUpdate,
    async (input) =>
      exclusive(async () => {
        const q = input.memberIds ? quoteMembers(input.memberIds) : await quoteCancellation();
        cancellationQuotes[q.quoteId] = q;
        const { flightQuotes: _f, memberIds: _m, ...quote } = q as MemberQuote;
        return quote;
      }),
    {
      validator: (input) => {
        if (!CANCELLABLE.includes(view.status)) refuse('BookingStateConflict', `Booking ${req.reference} is ${view.status}: nothing to cancel`);
        if (input.memberIds) {
          const problem = memberCancelProblem(input.memberIds);
          if (problem) refuse('CancellationInvalid', problem);
        }
      },
    },
  );

  setHandler(
    acceptCancellationUpdate,
    async (input) =>
      exclusive(async () => {
        const done = input.quoteId ? cancellationOutcomes[input.quoteId] : undefined;
        if (done) return done;
        if (!CANCELLABLE.includes(view.status)) refuse('BookingStateConflict', `Booking ${req.reference} is already ${view.status}`);
        const q = input.quoteId ? cancellationQuotes[input.quoteId] : undefined;
        const usable = q && q.expiresAt > Date.now() && today() === calendarDateIn(q.quotedAt, tz) ? q : null;
        const reason = input.reason + (input.cancelledBy ? ` (by ${input.cancelledBy})` : '');
        if (input.memberIds) {
          const problem = memberCancelProblem(input.memberIds);
          if (problem) refuse('CancellationInvalid', problem);
          const outcome = await cancelMembers(input.memberIds, reason, usable?.memberIds ? (usable as MemberQuote) : null);
          if (input.quoteId) cancellationOutcomes[input.quoteId] = outcome;
          await publish();
          return outcome;
        }
        const outcome = await cancel(reason, usable?.memberIds ? null : usable);
        if (input.quoteId) cancellationOutcomes[input.quoteId] = outcome;
        await publish();
        return outcome;
      }),
    {
      validator: (input) => {
        if (input.quoteId && cancellationOutcomes[input.quoteId]) return;
        if (!CANCELLABLE.includes(view.status)) refuse('BookingStateConflict', `Booking ${req.reference} is ${view.status}: it cannot be cancelled`);
        if (!input.reason?.trim()) refuse('CancellationInvalid', 'A cancellation needs a reason');
        if (input.memberIds) {
          const problem = memberCancelProblem(input.memberIds);
          if (problem) refuse('CancellationInvalid', problem);
        }
        if (input.quoteId) {
          const q = cancellationQuotes[input.quoteId];
          if (!q) refuse('QuoteNotFound', `No cancellation quote ${input.quoteId} on booking ${req.reference}`);
          if (q.expiresAt <= Date.now()) refuse('QuoteExpired', `Cancellation quote ${input.quoteId} expired at ${new Date(q.expiresAt).toISOString()}: preview again`);
          const quoted = [...(q.memberIds ?? [])].sort().join(',');
          if (quoted !== [...(input.memberIds ?? [])].sort().join(',')) {
            refuse('CancellationInvalid', q.memberIds ? `Quote ${input.quoteId} is for cancelling members ${q.memberIds.join(', ')}: send the same memberIds` : `Quote ${input.quoteId} is for the whole booking: leave memberIds out or preview the members' cancellation`);
          }
        }
      },
    },
  );

  setHandler(
    previewAmendmentUpdate,
    async (input) =>
      exclusive(async () => {
        const q = await quoteAmendment(input.departureDate);
        amendmentQuotes[q.quoteId] = q;
        const { priced: _p, flightChanges: _f, ...quote } = q;
        return quote;
      }),
    {
      validator: (input) => {
        if (view.status !== 'CONFIRMED' && view.status !== 'PAID') refuse('BookingStateConflict', `Booking ${req.reference} is ${view.status}: only confirmed bookings can be amended`);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(input.departureDate)) refuse('AmendmentInvalid', `departureDate "${input.departureDate}" is not a date YYYY-MM-DD`);
        if (input.departureDate <= today()) refuse('AmendmentInvalid', `departureDate ${input.departureDate} must be after today (${today()})`);
        if (input.departureDate === view.departureDate) refuse('AmendmentInvalid', `The booking already departs on ${input.departureDate}`);
        if (perMember()) refuse('AmendmentUnavailable', `Group ${view.group!.name} pays per member: moving its dates means agreeing new shares with every member; cancel and re-book, or ask for a single payer`);
      },
    },
  );

  setHandler(
    acceptAmendmentUpdate,
    async (input) =>
      exclusive(async () => {
        if (amendmentsApplied.has(input.quoteId)) return view;
        const q = amendmentQuotes[input.quoteId];
        if (!q || q.expiresAt <= Date.now()) refuse('QuoteExpired', `Amendment quote ${input.quoteId} is no longer valid: preview again`);
        if (view.status !== 'CONFIRMED' && view.status !== 'PAID') refuse('BookingStateConflict', `Booking ${req.reference} is ${view.status}`);
        await amend(q);
        delete amendmentQuotes[input.quoteId];
        amendmentsApplied.add(input.quoteId);
        await publish();
        return view;
      }),
    {
      validator: (input) => {
        if (amendmentsApplied.has(input.quoteId)) return;
        const q = amendmentQuotes[input.quoteId];
        if (!q) refuse('QuoteNotFound', `No amendment quote ${input.quoteId} on booking ${req.reference}`);
        if (q.expiresAt <= Date.now()) refuse('QuoteExpired', `Amendment quote ${input.quoteId} expired at ${new Date(q.expiresAt).toISOString()}: preview again`);
        if (view.status !== 'CONFIRMED' && view.status !== 'PAID') refuse('BookingStateConflict', `Booking ${req.reference} is ${view.status}: only confirmed bookings can be amended`);
      },
    },
  );

  const nameChangeProblem = (input: { memberId: string; firstName: string; lastName: string }): string | null => {
    if (!view.group) return `Booking ${req.reference} is not a group booking`;
    if (!OPEN_FOR_PAYMENT.includes(view.status) || view.status === 'TRAVELLING') return `Booking ${req.reference} is ${view.status}: names can no longer be changed`;
    const m = memberOf(input.memberId);
    if (!m) return `No member "${input.memberId}" in group ${view.group.name}`;
    if (m.status !== 'ACTIVE') return `Member ${input.memberId} was cancelled`;
    if (!input.firstName?.trim() || !input.lastName?.trim()) return 'firstName and lastName are required';
    if (today() > view.group.nameChangeUntil) return `Names could be changed until ${view.group.nameChangeUntil} (${req.group?.nameChangeDaysBefore ?? DEFAULT_NAME_CHANGE_DAYS_BEFORE} days before departure)`;
    if (live().some((c) => c.kind === 'FLIGHT')) return 'The airline has the names booked on its order: a name change there is a new ticket, so cancel the member and add a new booking';
    return null;
  };

  setHandler(
    changeMemberNameUpdate,
    async (input) =>
      exclusive(async () => {
        const problem = nameChangeProblem(input);
        if (problem) refuse('NameChangeRefused', problem);
        const m = memberOf(input.memberId)!;
        if (m.firstName === input.firstName.trim() && m.lastName === input.lastName.trim()) return m;
        m.nameHistory.push({ firstName: m.firstName, lastName: m.lastName, changedAt: Date.now() });
        const was = `${m.firstName} ${m.lastName}`;
        m.firstName = input.firstName.trim();
        m.lastName = input.lastName.trim();
        event('NAME_CHANGED', `member ${m.id}: ${was} is now ${m.firstName} ${m.lastName}`);
        await publish();
        return m;
      }),
    {
      validator: (input) => {
        const problem = nameChangeProblem(input);
        if (problem) refuse('NameChangeRefused', problem);
      },
    },
  );

  const complaint = (id: string): Complaint => view.complaints.find((c) => c.id === id) ?? refuse('ComplaintNotFound', `No complaint ${id} on booking ${req.reference}`);

  setHandler(
    logComplaintUpdate,
    async (input) =>
      exclusive(async () => {
        const existing = view.complaints.find((c) => c.id === input.complaintId);
        if (existing) return existing;
        const c: Complaint = {
          id: input.complaintId,
          category: input.category,
          severity: input.severity,
          notes: [input.notes],
          status: 'OPEN',
          assignee: null,
          loggedAt: Date.now(),
          resolvedAt: null,
          resolution: null,
          goodwill: null,
        };
        view.complaints.push(c);
        event('COMPLAINT', `complaint ${c.id} (${c.category}, ${c.severity}) logged`);
        await publish();
        return c;
      }),
    {
      validator: (input) => {
        if (view.status === 'DRAFT') refuse('BookingStateConflict', `Booking ${req.reference} is still being priced`);
        if (!input.notes?.trim()) refuse('ComplaintInvalid', 'A complaint needs notes saying what went wrong');
      },
    },
  );

  setHandler(
    assignComplaintUpdate,
    async (input) =>
      exclusive(async () => {
        const c = complaint(input.complaintId);
        if (c.status === 'RESOLVED') refuse('BookingStateConflict', `Complaint ${c.id} is already resolved`);
        c.assignee = input.assignee;
        c.status = 'ASSIGNED';
        if (input.note) c.notes.push(input.note);
        event('COMPLAINT_ASSIGNED', `complaint ${c.id} assigned to ${input.assignee}`);
        await publish();
        return c;
      }),
    {
      validator: (input) => {
        if (complaint(input.complaintId).status === 'RESOLVED') refuse('BookingStateConflict', `Complaint ${input.complaintId} is already resolved`);
        if (!input.assignee?.trim()) refuse('ComplaintInvalid', 'assignee is required');
      },
    },
  );

  setHandler(
    resolveComplaintUpdate,
    async (input) =>
      exclusive(async () => {
        const c = complaint(input.complaintId);
        if (c.status === 'RESOLVED') return c;
        if (input.goodwill) {
          const key = `${workflowId}:goodwill:${c.id}`;
          const method = view.payments[view.payments.length - 1]?.method ?? 'bank-transfer';
          const ledgerEntryId = await post(goodwillEntry({ key, reference: req.reference, accountingDate: today(), kind: input.goodwill.kind, amount: input.goodwill.amount, method }));
          if (input.goodwill.kind === 'REFUND') {
            try {
              const r = await local.refundCustomerPayment({ idempotencyKey: key, reference: req.reference, paymentId: view.payments[view.payments.length - 1]?.paymentId ?? null, amount: input.goodwill.amount, reason: 'GOODWILL' });
              view.refunds.push({ refundId: `goodwill:${c.id}`, amount: input.goodwill.amount, reason: 'GOODWILL', at: Date.now(), providerRef: r.providerRef, ledgerEntryId });
            } catch (err) {
              manualReview(`goodwill refund for complaint ${c.id} failed: ${describe(err)}`);
            }
          }
          c.goodwill = { kind: input.goodwill.kind, amount: input.goodwill.amount, ledgerEntryId };
        }
        c.status = 'RESOLVED';
        c.resolution = input.resolution;
        c.resolvedAt = Date.now();
        event('COMPLAINT_RESOLVED', `complaint ${c.id} resolved${c.goodwill ? ` with goodwill ${c.goodwill.kind.toLowerCase()} of ${c.goodwill.amount.amount} ${cur}` : ''}`);
        await publish();
        return c;
      }),
    {
      validator: (input) => {
        const c = complaint(input.complaintId);
        if (c.status === 'RESOLVED') refuse('BookingStateConflict', `Complaint ${c.id} is already resolved`);
        if (!input.resolution?.trim()) refuse('ComplaintInvalid', 'resolution is required');
        const g = input.goodwill;
        if (g) {
          if (g.amount.currency !== cur) refuse('PaymentCurrencyMismatch', `Goodwill is in ${g.amount.currency} but the booking is in ${cur}`);
          if (!/^\d+(\.\d+)?$/.test(g.amount.amount) || !new Dec(g.amount.amount).greaterThan(0)) refuse('ComplaintInvalid', `goodwill amount "${g.amount.amount}" must be a positive decimal`);
          if (g.kind === 'REFUND' && view.payments.length === 0) refuse('ComplaintInvalid', 'A goodwill refund needs a payment to refund against: give a credit instead');
        }
      },
    },
  );

  // ---- main line ----------------------------------------------------------------------------

  // ---- a booking migrated from a legacy system: adopt its state --------------------------------

  const adopt = async (m: NonNullable<BookingRequest['migrated']>) => {
    view.openedAt = startOfDateUtc(m.bookedOn);
    view.components = m.components.map((c) => ({ ...c }));
    view.total = sum(view.components.map((c) => c.sell), cur).toJSON();
    view.schedule = m.schedule.map((i) => ({ ...i }));
    view.payments = m.payments.map((p) => ({ ...p }));
    recompute();
    event('MIGRATED', `carried over from ${m.source} (legacy booking ${m.legacyReference ?? '?'}), booked ${m.bookedOn}: ${view.components.length} components confirmed with their suppliers`);
    if (new Dec(view.paid.amount).greaterThan(0)) {
      await post(migrationOpeningEntry({ key: `${workflowId}:opening`, reference: req.reference, accountingDate: today(), paid: view.paid, source: m.source }));
    }
    const saleId = await post(
      saleEntry({ key: `${workflowId}:sale`, reference: req.reference, accountingDate: today(), channel: req.channel, components: view.components, depositsHeld: view.paid }),
    );
    salePosted = saleId !== null;
    await deferRevenue(view.components, null);
    await setStatus(new Dec(view.balanceDue.amount).isZero() ? 'PAID' : 'CONFIRMED', `migrated: paid ${view.paid.amount} ${cur}; ${view.balanceDue.amount} ${cur} still due`);
  };

  setCurrentDetails(`${req.reference}: ${req.migrated ? 'adopting a migrated booking' : `pricing ${req.components.length} components`}`);
  await exclusive(async () => {
    if (req.migrated) {
      await adopt(req.migrated);
      await publish();
      settled = true;
      return;
    }
    try {
      await holdAll();
      await setStatus('HELD', `held: ${view.total.amount} ${cur}, deposit ${view.schedule[0]?.amount.amount ?? '0'} ${cur} due before ${new Date(view.holdExpiresAt!).toISOString()}`);
    } catch (err) {
      for (const c of [...view.components].reverse()) if (c.supplierRef && c.status === 'HELD') await releaseComponent(c, 'release');
      view.failure = `Could not be held: ${describe(err)}`;
      await setStatus('FAILED', view.failure);
    }
    await publish();
    settled = true;
  });

  // Waiting for the deposit.
  while (view.status === 'HELD') {
    view.nextDeadline = { at: view.holdExpiresAt!, what: 'hold lapses unless the deposit is paid' };
    await condition(() => view.status !== 'HELD' || (depositIn() && !busy), Math.max(0, view.holdExpiresAt! - Date.now()));
    await exclusive(async () => {
      if (view.status !== 'HELD') return;
      if (depositIn()) await confirm();
      else if (Date.now() >= view.holdExpiresAt!) {
        for (const c of live()) await releaseComponent(c, 'lapse');
        await refund(view.paid, 'CANCELLATION', 'lapsed', 'liability:customer-deposits');
        view.failure = 'The deposit was not paid before the hold lapsed';
        closeSchedule();
        await setStatus('EXPIRED', view.failure);
      }
      view.nextDeadline = nextDeadline();
      await publish();
    });
  }

  // Confirmed: wait for payments, deadlines and travel.
  while (!TERMINAL_STATUSES.includes(view.status)) {
    view.nextDeadline = nextDeadline();
    kicked = false;
    const next = view.nextDeadline;
    waitingFor = `${view.status}|${next?.at ?? ''}`;
    if (next) await condition(() => kicked && !busy, Math.max(0, next.at - Date.now()));
    else await condition(() => kicked && !busy);
    waitingFor = null;
    await exclusive(async () => {
      if (TERMINAL_STATUSES.includes(view.status)) return;
      const before = view.version;
      await runDue();
      view.nextDeadline = nextDeadline();
      if (view.version !== before) await publish();
    });
  }
  view.nextDeadline = null;
  await exclusive(publish);

  // Complaints are still taken for a while after travel or a cancellation; a booking that never
  // got confirmed (expired, failed) has nothing to complain about and closes at once.
  const windowMs = COMPLAINT_WINDOW_DAYS * 24 * HOUR_MS;
  const windowEnds = view.status === 'COMPLETED' ? returnEnd() + windowMs : view.status === 'CANCELLED' ? Date.now() + windowMs : Date.now();
  if (windowEnds > Date.now()) await condition(() => false, windowEnds - Date.now());
  await condition(allHandlersFinished);
  return view;
}
