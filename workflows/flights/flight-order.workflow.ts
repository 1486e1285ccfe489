import { ActivityFailure, ApplicationFailure, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { FlightActivities, FlightFailureType } from '../../activities/flight.activities';
import type { CreateOrderRequest, FlightOrder, OrderPassenger } from '../../domain/flights/model';
import type { MoneyJson } from '../../domain/money/money';

/** Failure types this workflow names: checked against the activities' list at compile time (type import only). */
const FARE_CHANGED = 'FlightFareChanged' satisfies FlightFailureType;
const SEARCH_AGAIN_TYPES: readonly string[] = ['FlightSoldOut', 'FlightOfferExpired'] satisfies FlightFailureType[];
const NON_RETRYABLE: FlightFailureType[] = [
  'FlightFareChanged',
  'FlightSoldOut',
  'FlightOfferExpired',
  'FlightQuoteExpired',
  'FlightRequestInvalid',
  'FlightActionNotAllowed',
  'FlightPaymentDeclined',
  'FlightNotFound',
  'FlightSupplierAuthRejected',
  'FlightSupplierMalformedResponse',
  'FlightSupplierUnknown',
];

// Supplier hiccups (5xx, timeouts, 429) are retried from 1 s, doubling to at most 1 minute, ten
// attempts in all; a 429's Retry-After overrides the next interval (the failure's nextRetryDelay).
// Retrying a create is safe: the activity looks its reference up before creating again.
const { priceFlightOffer, createFlightOrder } = proxyActivities<FlightActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
});

export interface FlightOrderInput {
  /** Supplier name as registered on the worker ("duffel-sandbox", "ndc-sandbox"). */
  supplier: string;
  offerId: string;
  passengers: OrderPassenger[];
  payment: CreateOrderRequest['payment'];
  /** Itinera's booking reference (shown in the workflow's details; the order's idempotency key is `<workflowId>:create-flight-order`). */
  reference: string;
}

export type FlightOrderResult =
  /** The order exists (held or ticketed): exactly one, however many attempts it took. */
  | { status: 'ORDERED'; order: FlightOrder }
  /** The price moved since the customer saw it: no order was made; re-quote `newTotal`. */
  | { status: 'REQUOTE'; newTotal: MoneyJson | null; previousTotal: MoneyJson | null }
  /** Sold out or the offer expired: no order was made; search again. */
  | { status: 'SEARCH_AGAIN'; failureType: string; message: string };

/** The activity's own failure (an ApplicationFailure) when `err` is an activity failure, else null. */
function applicationCause(err: unknown): ApplicationFailure | null {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : null;
}

function fareChangedTotal(failure: ApplicationFailure): MoneyJson | null {
  const detail = failure.details?.[0] as { newTotal?: MoneyJson } | undefined;
  return detail?.newTotal ?? null;
}

/**
 * Prices an offer, then orders it (a child-workflow-sized step of a booking). A price change, at
 * pricing or at order time, ends with REQUOTE and no order; sold out or expired with SEARCH_AGAIN.
 * Any other non-retryable supplier failure fails the workflow with the activity's failure type.
 */
export async function FlightOrderWorkflow(input: FlightOrderInput): Promise<FlightOrderResult> {
  const { workflowId } = workflowInfo();
  setCurrentDetails(`Booking ${input.reference}: pricing offer ${input.offerId} with ${input.supplier}`);

  const outcome = (err: unknown): FlightOrderResult => {
    const cause = applicationCause(err);
    if (cause?.type === FARE_CHANGED) return { status: 'REQUOTE', newTotal: fareChangedTotal(cause), previousTotal: null };
    if (cause?.type && SEARCH_AGAIN_TYPES.includes(cause.type)) return { status: 'SEARCH_AGAIN', failureType: cause.type, message: cause.message };
    throw err;
  };

  let priced;
  try {
    priced = await priceFlightOffer({ supplier: input.supplier, offerId: input.offerId });
  } catch (err) {
    return outcome(err);
  }
  if (priced.priceChanged) {
    setCurrentDetails(`Booking ${input.reference}: price changed to ${priced.offer.total.amount} ${priced.offer.total.currency}, re-quote`);
    return { status: 'REQUOTE', newTotal: priced.offer.total, previousTotal: priced.previousTotal };
  }

  setCurrentDetails(`Booking ${input.reference}: ordering offer ${input.offerId}`);
  try {
    const order = await createFlightOrder({
      supplier: input.supplier,
      offerId: input.offerId,
      passengers: input.passengers,
      payment: input.payment,
      reference: `${workflowId}:create-flight-order`,
    });
    setCurrentDetails(`Booking ${input.reference}: order ${order.id} (${order.bookingReference}) ${order.status}`);
    return { status: 'ORDERED', order };
  } catch (err) {
    return outcome(err);
  }
}
