import {
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BookingActivities } from '../../activities/booking.activities';
import { draftExpiry, type BookingDraft } from '../../domain/booking/draft';
import type { BookingRequest, LifecycleView } from '../../domain/booking/model';
import { bookingLifecycle } from './lifecycle';
import { awaitRecordedUpdate, statusQuery, type BookingView } from './messages';
import { BookingStatus } from './search-attributes';

const activities = proxyActivities<BookingActivities>({
  startToCloseTimeout: '30 seconds',
  // A database outage must not lose the booking: keep retrying, at most once a minute.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Release 2026-11-29 grew the draft slice into the whole booking lifecycle. Bookings opened before
 * (history without this marker) replay and finish as drafts; every booking opened since runs
 * `bookingLifecycle`. Remove the draft branch once the query in workflows/PATCHES.md returns 0.
 */
export const LIFECYCLE_PATCH = '2026-11-29-booking-lifecycle';

/**
 * One booking (workflow id `booking-<reference>`): the lifecycle for bookings opened since
 * 2026-11-29 (see lifecycle.ts), the first slice's draft for older ones.
 */
export async function BookingWorkflow(input: BookingRequest | BookingDraft): Promise<LifecycleView | BookingView> {
  if (patched(LIFECYCLE_PATCH)) return bookingLifecycle(input as BookingRequest);
  return draftSlice(input as BookingDraft);
}

/**
 * The first slice: one booking from draft onwards.
 *
 * This first slice stores the draft through an activity, answers the `status` query and the
 * `awaitRecorded` update, and lets an unconfirmed draft lapse when its hold runs out (30 days by
 * default, never past the travel date). Search attributes `BookingReference`, `CustomerId`,
 * `AdvisorId` and `TravelDate` are set by the starter; the workflow keeps `BookingStatus` current.
 */
async function draftSlice(draft: BookingDraft): Promise<BookingView> {
  // Workflow time: deterministic, and skipped ahead by the test server.
  const openedAt = Date.now();
  const view: BookingView = {
    reference: draft.reference,
    status: 'DRAFT',
    customerId: draft.customerId,
    advisorId: draft.advisorId ?? null,
    productCode: draft.productCode,
    travelDate: draft.travelDate,
    price: draft.price,
    openedAt,
    expiresAt: draftExpiry(openedAt, draft.travelDate, draft.holdDays),
    recorded: false,
  };

  setHandler(statusQuery, () => view);
  setHandler(awaitRecordedUpdate, async () => {
    await condition(() => view.recorded);
    return view;
  });

  setCurrentDetails(`Draft ${draft.reference}: storing`);
  await activities.recordBookingDraft({
    reference: draft.reference,
    workflowId: workflowInfo().workflowId,
    customerId: draft.customerId,
    advisorId: draft.advisorId ?? null,
    productCode: draft.productCode,
    travelDate: draft.travelDate,
    price: draft.price,
    expiresAt: view.expiresAt,
  });
  view.recorded = true;
  upsertSearchAttributes([{ key: BookingStatus, value: view.status }]);
  setCurrentDetails(
    `Draft ${draft.reference}: ${draft.price.amount} ${draft.price.currency}, travel ${draft.travelDate}; ` +
      `lapses at ${new Date(view.expiresAt).toISOString()}`,
  );

  // Nothing confirms a draft yet (the full lifecycle issue adds holds and payments): wait out the hold.
  const lapsed = !(await condition(() => view.status !== 'DRAFT', Math.max(0, view.expiresAt - Date.now())));
  if (lapsed) {
    await activities.expireBookingDraft(draft.reference);
    view.status = 'EXPIRED';
    upsertSearchAttributes([{ key: BookingStatus, value: view.status }]);
    setCurrentDetails(`Draft ${draft.reference}: expired unconfirmed`);
  }
  // Let any update handler still running return its result before the workflow completes.
  await condition(allHandlersFinished);
  return view;
}
