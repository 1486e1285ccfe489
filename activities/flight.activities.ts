import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  FlightSupplierError,
  type CancellationQuote,
  type ChangeQuote,
  type ChangeRequest,
  type CreateOrderRequest,
  type FlightOrder,
  type FlightSearch,
  type FlightSupplierErrorKind,
  type Offer,
  type PricedOffer,
  liveTickets,
} from '../domain/flights/model';
import type { MoneyJson } from '../domain/money/money';
import type { FlightSupplier } from './ports/flight-supplier';
import { offerOfHeldOrder } from '../domain/flights/ticketing';

/**
 * Failure types of the flight activities (`ApplicationFailure.type`, kept beside the activities
 * until they move into `failures.ts`). Workflows branch on these strings, never on `instanceof`.
 */
export const FlightFailureType = {
  /** 429: retryable; the failure's `nextRetryDelay` is the supplier's Retry-After. */
  FlightSupplierRateLimited: 'FlightSupplierRateLimited',
  /** 5xx, 503/504, connection refused: retryable with the workflow's backoff. */
  FlightSupplierUnavailable: 'FlightSupplierUnavailable',
  /** No answer in time: retryable (writes look their result up by reference before trying again). */
  FlightSupplierTimeout: 'FlightSupplierTimeout',
  /** The price moved: not retryable; `details[0].newTotal` is the new total, the workflow re-quotes the customer. */
  FlightFareChanged: 'FlightFareChanged',
  /** No seats left at order time: not retryable, search again. */
  FlightSoldOut: 'FlightSoldOut',
  /** The offer id is no longer valid: not retryable, search again. */
  FlightOfferExpired: 'FlightOfferExpired',
  /** A change or cancellation quote expired or was superseded: not retryable, quote again. */
  FlightQuoteExpired: 'FlightQuoteExpired',
  /** The supplier refused our request as invalid: not retryable, the request must change. */
  FlightRequestInvalid: 'FlightRequestInvalid',
  /** The fare does not allow the change or refund: not retryable. */
  FlightActionNotAllowed: 'FlightActionNotAllowed',
  /** Payment refused: not retryable. */
  FlightPaymentDeclined: 'FlightPaymentDeclined',
  /** Order, offer or quote unknown to the supplier: not retryable. */
  FlightNotFound: 'FlightNotFound',
  /** Credentials refused: not retryable, alert operations. */
  FlightSupplierAuthRejected: 'FlightSupplierAuthRejected',
  /** The supplier's answer did not parse or validate (`details[0].path` names the field): not retryable, alert. */
  FlightSupplierMalformedResponse: 'FlightSupplierMalformedResponse',
  /** No supplier of that name is configured on this worker: not retryable. */
  FlightSupplierUnknown: 'FlightSupplierUnknown',
} as const;
export type FlightFailureType = (typeof FlightFailureType)[keyof typeof FlightFailureType];

const FAILURE_BY_KIND: Record<FlightSupplierErrorKind, FlightFailureType> = {
  'rate-limited': FlightFailureType.FlightSupplierRateLimited,
  unavailable: FlightFailureType.FlightSupplierUnavailable,
  timeout: FlightFailureType.FlightSupplierTimeout,
  'fare-changed': FlightFailureType.FlightFareChanged,
  'sold-out': FlightFailureType.FlightSoldOut,
  'offer-expired': FlightFailureType.FlightOfferExpired,
  'quote-expired': FlightFailureType.FlightQuoteExpired,
  'invalid-request': FlightFailureType.FlightRequestInvalid,
  'not-allowed': FlightFailureType.FlightActionNotAllowed,
  'payment-declined': FlightFailureType.FlightPaymentDeclined,
  'not-found': FlightFailureType.FlightNotFound,
  auth: FlightFailureType.FlightSupplierAuthRejected,
  'malformed-response': FlightFailureType.FlightSupplierMalformedResponse,
};

/** Failure types a retry cannot fix: the workflow's retry policy lists them as non-retryable too. */
export const NON_RETRYABLE_FLIGHT_FAILURES: readonly FlightFailureType[] = Object.values(FlightFailureType).filter(
  (t) => t !== FlightFailureType.FlightSupplierRateLimited && t !== FlightFailureType.FlightSupplierUnavailable && t !== FlightFailureType.FlightSupplierTimeout,
);

/** A supplier error as a typed failure: retryable kinds stay retryable (429 with the supplier's delay), the rest end the activity. */
export function flightSupplierFailure(supplier: string, err: FlightSupplierError): ApplicationFailure {
  return ApplicationFailure.create({
    type: FAILURE_BY_KIND[err.kind],
    message: `${supplier}: ${err.message}`,
    nonRetryable: !err.retryable,
    details: [{ kind: err.kind, ...err.details }],
    nextRetryDelay: err.kind === 'rate-limited' && err.details.retryAfterMs !== undefined && err.details.retryAfterMs >= 0 ? err.details.retryAfterMs : undefined,
  });
}

/** Supplier errors become typed failures; anything else (a bug, a socket error the adapter missed) is rethrown and stays retryable. */
function classify(supplier: string, err: unknown): never {
  if (err instanceof FlightSupplierError) throw flightSupplierFailure(supplier, err);
  throw err;
}

/** Heartbeats before, every `intervalMs` while awaiting, and after a long supplier call. */
async function withHeartbeat<T>(intervalMs: number, step: string, call: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat({ step, phase: 'started' });
  const timer = setInterval(() => ctx.heartbeat({ step, phase: 'waiting' }), intervalMs);
  try {
    const result = await call();
    ctx.heartbeat({ step, phase: 'done' });
    return result;
  } finally {
    clearInterval(timer);
  }
}

/** Only live (ISSUED) e-tickets count: exchanged, void or refunded ones stay on the order as history. */
const isTicketed = (order: FlightOrder) => order.status === 'TICKETED' || liveTickets(order.documents).length > 0;

export interface SupplierInput {
  /** A key of the worker's supplier registry ("duffel-sandbox", "ndc-sandbox"). */
  supplier: string;
}
export type SearchFlightsInput = SupplierInput & { search: FlightSearch };
export type PriceFlightOfferInput = SupplierInput & { offerId: string };
export type CreateFlightOrderInput = SupplierInput & CreateOrderRequest;
export type PriceAndHoldFlightInput = SupplierInput & { offerId: string; passengers: CreateOrderRequest['passengers']; reference: string };
export type PayFlightOrderInput = SupplierInput & { orderId: string; amount: MoneyJson; reference: string };
export type GetFlightOrderInput = SupplierInput & { orderId: string };
export type QuoteFlightChangeInput = SupplierInput & ChangeRequest;
export type ConfirmFlightChangeInput = SupplierInput & { quoteId: string; payment: MoneyJson; reference: string };
export type QuoteFlightCancellationInput = SupplierInput & { orderId: string };
export type ConfirmFlightCancellationInput = SupplierInput & { quoteId: string; reference: string };

/**
 * Flight activities over the FlightSupplier port, one per supplier call; each input names its
 * supplier. Writes are idempotent by their `reference` (`<workflowId>:<step>`): a create or a
 * payment whose outcome was ambiguous (timeout, 5xx after the supplier committed) is looked up
 * before being tried again, so a retry never makes a second order or a second charge.
 */
export function createFlightActivities(ports: { suppliers: Record<string, FlightSupplier>; heartbeatIntervalMs?: number }) {
  const heartbeatMs = ports.heartbeatIntervalMs ?? 5_000;

  function supplierOf(name: string): FlightSupplier {
    if (!Object.hasOwn(ports.suppliers, name)) {
      throw ApplicationFailure.create({
        type: FlightFailureType.FlightSupplierUnknown,
        message: `No flight supplier "${name}" is configured (configured: ${Object.keys(ports.suppliers).sort().join(', ') || 'none'})`,
        nonRetryable: true,
      });
    }
    return ports.suppliers[name]!;
  }

  async function call<T>(name: string, fn: (s: FlightSupplier) => Promise<T>): Promise<T> {
    const supplier = supplierOf(name);
    try {
      return await fn(supplier);
    } catch (err) {
      return classify(name, err);
    }
  }

  return {
    /** Searches one supplier; heartbeats while it answers. */
    async searchFlights({ supplier, search }: SearchFlightsInput): Promise<Offer[]> {
      return call(supplier, (s) => withHeartbeat(heartbeatMs, 'search', () => s.search(search)));
    },

    /** Re-prices an offer before ordering; `priceChanged` tells the workflow to re-quote. */
    async priceFlightOffer({ supplier, offerId }: PriceFlightOfferInput): Promise<PricedOffer> {
      return call(supplier, (s) => s.price(offerId));
    },

    /**
     * Creates the order unless one already exists for the reference: every attempt looks the
     * reference up first, so a create that committed before timing out is returned, not repeated.
     */
    async createFlightOrder({ supplier, ...request }: CreateFlightOrderInput): Promise<FlightOrder> {
      const { attempt } = Context.current().info;
      return call(supplier, (s) =>
        withHeartbeat(heartbeatMs, 'create-order', async () => {
          const existing = await s.findOrderByReference(request.reference);
          if (existing) {
            Context.current().log.info('Flight order already created for this reference', { reference: request.reference, orderId: existing.id, attempt });
            return existing;
          }
          return s.createOrder(request);
        }),
      );
    },

    /**
     * Prices an offer and, when its fare can be held (no instant payment), holds it as an order in
     * one call: what a booking does first with each flight. The hold is idempotent by `reference`
     * like `createFlightOrder`; `order` is null for a fare that must be paid at once (ordered at
     * confirmation instead).
     */
    async priceAndHoldFlight({ supplier, offerId, passengers, reference }: PriceAndHoldFlightInput): Promise<{ priced: PricedOffer; order: FlightOrder | null }> {
      return call(supplier, (s) =>
        withHeartbeat(heartbeatMs, 'price-and-hold', async () => {
          // A retry after the hold was made: the offer is spent (an offer is ordered once), and the
          // held order itself says what was bought and at what price.
          const existing = await s.findOrderByReference(reference);
          if (existing) return { priced: { offer: offerOfHeldOrder(existing, offerId), priceChanged: false, previousTotal: null }, order: existing };
          const priced = await s.price(offerId);
          if (priced.offer.instantPaymentRequired) return { priced, order: null };
          return { priced, order: await s.createOrder({ offerId, passengers, payment: { kind: 'hold' }, reference }) };
        }),
      );
    },

    /** Pays a held order and has it ticketed, unless it is already ticketed (a retried payment returns the order). */
    async payFlightOrder({ supplier, orderId, amount, reference }: PayFlightOrderInput): Promise<FlightOrder> {
      return call(supplier, (s) =>
        withHeartbeat(heartbeatMs, 'pay-order', async () => {
          const order = await s.getOrder(orderId);
          if (isTicketed(order)) return order;
          return s.payOrder(orderId, amount, reference);
        }),
      );
    },

    async getFlightOrder({ supplier, orderId }: GetFlightOrderInput): Promise<FlightOrder> {
      return call(supplier, (s) => s.getOrder(orderId));
    },

    async quoteFlightChange({ supplier, ...request }: QuoteFlightChangeInput): Promise<ChangeQuote> {
      return call(supplier, (s) => s.quoteChange(request));
    },

    /** Idempotent by `reference` on the supplier side. */
    async confirmFlightChange({ supplier, quoteId, payment, reference }: ConfirmFlightChangeInput): Promise<FlightOrder> {
      return call(supplier, (s) => withHeartbeat(heartbeatMs, 'confirm-change', () => s.confirmChange(quoteId, payment, reference)));
    },

    async quoteFlightCancellation({ supplier, orderId }: QuoteFlightCancellationInput): Promise<CancellationQuote> {
      return call(supplier, (s) => s.quoteCancellation(orderId));
    },

    /** Idempotent by `reference` on the supplier side. */
    async confirmFlightCancellation({ supplier, quoteId, reference }: ConfirmFlightCancellationInput): Promise<FlightOrder> {
      return call(supplier, (s) => withHeartbeat(heartbeatMs, 'confirm-cancellation', () => s.confirmCancellation(quoteId, reference)));
    },
  };
}

export type FlightActivities = ReturnType<typeof createFlightActivities>;
