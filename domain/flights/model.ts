import type { MoneyJson } from '../money/money';
import type { Instant } from '../time/instant';

/**
 * Flight supply in Itinera's own words, whatever the wire (Duffel-style JSON, NDC XML): what the
 * `FlightSupplier` port takes and returns. Plain JSON so it can cross workflow boundaries:
 * amounts as {amount, currency} decimal strings, instants as epoch ms (UTC), calendar dates
 * `YYYY-MM-DD`, local times `YYYY-MM-DDTHH:mm` always paired with their airport's IANA zone.
 */

export const PASSENGER_TYPES = ['ADT', 'CHD', 'INF'] as const;
/** Adult (12+), child (2–11), infant (under 2, on a lap). */
export type PassengerType = (typeof PASSENGER_TYPES)[number];

export const CABINS = ['ECONOMY', 'PREMIUM_ECONOMY', 'BUSINESS', 'FIRST'] as const;
export type Cabin = (typeof CABINS)[number];

export interface SearchSlice {
  /** IATA airport (or city) code, e.g. "LHR". */
  origin: string;
  destination: string;
  /** Local departure date at the origin. */
  departureDate: string;
}

export interface FlightSearch {
  /** One slice one way; two for a return; more for an open jaw / multi-city. */
  slices: SearchSlice[];
  /** One entry per traveller (ages only matter for children and infants). */
  passengers: { type: PassengerType; age?: number }[];
  cabin: Cabin;
  /** Most offers wanted (the supplier may return fewer). */
  maxOffers?: number;
}

/** A point in time at an airport: the local wall-clock time, its zone, and the UTC instant. */
export interface AirportTime {
  airport: string;
  /** IANA zone of the airport ("Europe/London"). */
  timeZone: string;
  /** Local wall-clock time at the airport, `YYYY-MM-DDTHH:mm` (no offset). */
  local: string;
  /** The same moment in UTC, epoch ms. */
  at: Instant;
}

export interface Segment {
  /** Marketing carrier IATA code ("BA") and flight number ("117"). */
  carrier: string;
  flightNumber: string;
  /** Operating carrier when it differs (codeshare). */
  operatingCarrier?: string;
  departure: AirportTime;
  arrival: AirportTime;
  /** Minutes in the air and on the ground at stops of this segment (arrival.at − departure.at). */
  durationMinutes: number;
  cabin: Cabin;
  /** Reservation booking designator ("Y", "J", "M"). */
  bookingClass: string;
  /** Technical stops inside this one flight number (not connections). */
  stops: number;
  aircraft?: string;
}

export interface Slice {
  origin: string;
  destination: string;
  segments: Segment[];
  /** First departure to last arrival, in minutes (connections included). */
  durationMinutes: number;
}

export interface TaxLine {
  /** Tax code ("GB" APD, "UB" PSC, "YQ" carrier surcharge). */
  code: string;
  amount: MoneyJson;
}

export interface Fare {
  /** Fare basis code per passenger type ("YLOWGB"). */
  fareBasis: string;
  base: MoneyJson;
  taxes: TaxLine[];
  /** base + sum(taxes), exactly, in minor units. */
  total: MoneyJson;
}

/** The fare each traveller of one passenger type pays, and how many travellers pay it. */
export interface PassengerFare {
  passengerType: PassengerType;
  count: number;
  fare: Fare;
}

export interface Penalty {
  allowed: boolean;
  /** Fee when allowed (null = free, or unknown when `allowed` is false). */
  fee: MoneyJson | null;
}

export interface FareConditions {
  change: Penalty;
  refund: Penalty;
}

export interface Offer {
  /** The supplier's offer id: opaque, valid until `expiresAt`. */
  id: string;
  /** Which supplier/adapter it came from ("duffel-sandbox", "ndc-sandbox"). */
  supplier: string;
  slices: Slice[];
  /** Per passenger type: the fare each traveller of that type pays. */
  fares: PassengerFare[];
  /** All travellers together: sum of fares × counts. */
  total: MoneyJson;
  base: MoneyJson;
  taxTotal: MoneyJson;
  /** Seats left per booking class on this offer's flights, when the supplier tells. */
  seatsLeft: { bookingClass: string; seats: number }[];
  conditions: FareConditions;
  /** After this the offer id is no longer valid: search again. */
  expiresAt: Instant;
  /** True when the fare must be paid (and ticketed) at booking; false allows a hold. */
  instantPaymentRequired: boolean;
  /** Latest moment to pay and ticket a held order, when the fare allows a hold. */
  ticketingDeadline: Instant | null;
  /** Validating carrier (who issues the tickets). */
  validatingCarrier: string;
}

export interface Passport {
  number: string;
  /** ISO 3166-1 alpha-2 issuing country. */
  issuingCountry: string;
  expiresOn: string;
  nationality?: string;
}

export interface OrderPassenger {
  /** Itinera's own passenger id (stable across retries). */
  id: string;
  type: PassengerType;
  title?: 'MR' | 'MRS' | 'MS' | 'MISS' | 'MSTR' | 'DR';
  givenName: string;
  familyName: string;
  bornOn: string;
  gender?: 'M' | 'F' | 'X';
  email?: string;
  phone?: string;
  passport?: Passport;
  /** INF only: the adult (passenger id) the infant travels with. */
  infantOf?: string;
}

export interface CreateOrderRequest {
  offerId: string;
  passengers: OrderPassenger[];
  /** Pay now (instant order, tickets issued) or hold (pay later before the deadline). */
  payment: { kind: 'instant'; amount: MoneyJson } | { kind: 'hold' };
  /**
   * Caller's idempotency reference (`<workflowId>:create-flight-order`): a retried create with
   * the same reference never makes a second order; `findOrderByReference` resolves a timeout.
   */
  reference: string;
}

export const DOCUMENT_TYPES = ['ETICKET', 'EMD'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/**
 * Where a document stands. Documents are never deleted from an order; they keep their history:
 * - `ISSUED`: live, valid for travel (or for the service an EMD pays for).
 * - `EXCHANGED`: replaced by a new document in a change; `exchangedFor` names the new one.
 * - `VOID`: cancelled within the void window (same day as issue); no sale is reported.
 * - `REFUNDED`: cancelled after the void window; money went back to the form of payment.
 */
export const DOCUMENT_STATUSES = ['ISSUED', 'EXCHANGED', 'VOID', 'REFUNDED'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export interface TravelDocument {
  type: DocumentType;
  /** 13-digit ticket / EMD number ("1252123456789"). */
  number: string;
  passengerId: string;
  /** EMD only: what it pays for (seat, bag, change fee). */
  reason?: string;
  amount?: MoneyJson;
  /**
   * Absent means `ISSUED`: wire formats without a document status (Duffel-style orders list only
   * the current documents) need not set it. Read it through `documentStatus()`.
   */
  status?: DocumentStatus;
  /** EXCHANGED only: the number of the document issued in its place (same passenger). */
  exchangedFor?: string;
  /**
   * The supplier's own status word (coupon / ticket document status), kept verbatim when it
   * differs from `status`, e.g. an unknown carrier code mapped to `ISSUED` (carrier codes are an open set).
   */
  supplierStatus?: string;
}

/** A document's status; absent means ISSUED. */
export const documentStatus = (d: Pick<TravelDocument, 'status'>): DocumentStatus => d.status ?? 'ISSUED';

/** The documents still valid (ISSUED): what "the tickets" of an order are, for display, counts and ticketed checks. */
export function liveDocuments<D extends Pick<TravelDocument, 'status'>>(docs: readonly D[]): D[] {
  return docs.filter((d) => documentStatus(d) === 'ISSUED');
}

/** The live e-tickets of an order (EMDs and exchanged/void/refunded tickets left out). */
export function liveTickets<D extends Pick<TravelDocument, 'status' | 'type'>>(docs: readonly D[]): D[] {
  return liveDocuments(docs).filter((d) => d.type === 'ETICKET');
}

/** Open set: suppliers use their own words; unknown ones keep their raw value in `supplierStatus`. */
export type OrderStatus = 'HELD' | 'CONFIRMED' | 'TICKETED' | 'CANCELLED' | 'CHANGED' | 'UNKNOWN';

export interface FlightOrder {
  id: string;
  supplier: string;
  /** Airline record locator (PNR). */
  bookingReference: string;
  /** The caller's idempotency reference, echoed (metadata on the supplier side). */
  reference: string | null;
  status: OrderStatus;
  /** The supplier's own status word, kept verbatim (carrier-defined, an open set). */
  supplierStatus: string;
  slices: Slice[];
  passengers: OrderPassenger[];
  total: MoneyJson;
  base: MoneyJson;
  taxTotal: MoneyJson;
  /**
   * Per passenger type, with itemised taxes, so the ledger can split taxes by code. When the
   * supplier gives only order totals, the adapter splits them evenly per traveller (remainder
   * on the first) with a single tax line.
   */
  fares: PassengerFare[];
  /** Held orders: pay by then or the space is released. */
  paymentDeadline: Instant | null;
  /** Held orders: the price is guaranteed until then (reprice after). */
  priceGuaranteeExpiresAt: Instant | null;
  documents: TravelDocument[];
  conditions: FareConditions;
  validatingCarrier: string;
  createdAt: Instant;
}

export interface PricedOffer {
  offer: Offer;
  /** True when the price differs from the one searched: the caller must re-quote to the customer. */
  priceChanged: boolean;
  previousTotal: MoneyJson | null;
}

export interface ChangeRequest {
  orderId: string;
  /** Replace these slices (by index) with new search slices. */
  slices: { replaceIndex: number; with: SearchSlice }[];
}

export interface ChangeQuote {
  id: string;
  orderId: string;
  newSlices: Slice[];
  /** Fare difference (may be 0; never negative here: a cheaper fare's residual is not refunded). */
  fareDifference: MoneyJson;
  /** The airline's change fee. */
  penalty: MoneyJson;
  /** fareDifference + penalty. */
  totalDue: MoneyJson;
  expiresAt: Instant;
}

export interface CancellationQuote {
  id: string;
  orderId: string;
  /** What comes back (paid − penalty, never negative). */
  refundAmount: MoneyJson;
  penalty: MoneyJson;
  /** Where the refund goes ("original_form_of_payment", "voucher"...). */
  refundTo: string;
  expiresAt: Instant;
}

/** How a supplier call failed, in the port's words; adapters map every wire error to one. */
export const FLIGHT_SUPPLIER_ERROR_KINDS = [
  'invalid-request', // our request was refused as invalid (fix it; non-retryable)
  'offer-expired', // search again (non-retryable)
  'fare-changed', // price differs at pricing/order time: re-quote (non-retryable)
  'sold-out', // no seats at order time (non-retryable)
  'not-found', // order/offer/quote unknown (non-retryable)
  'quote-expired', // cancellation/change quote expired or superseded (non-retryable)
  'payment-declined', // (non-retryable)
  'not-allowed', // change/refund not allowed by the fare (non-retryable)
  'rate-limited', // 429: retry after `retryAfterMs` (retryable)
  'unavailable', // 5xx, 503/504, connection refused (retryable)
  'timeout', // no answer in time: AMBIGUOUS for writes (retryable after a look-up)
  'malformed-response', // the supplier's answer did not parse or validate (non-retryable, alert)
  'auth', // credentials refused (non-retryable, alert)
] as const;
export type FlightSupplierErrorKind = (typeof FLIGHT_SUPPLIER_ERROR_KINDS)[number];

export class FlightSupplierError extends Error {
  constructor(
    readonly kind: FlightSupplierErrorKind,
    message: string,
    readonly details: {
      /** JSON path / XPath-ish path of the offending field in a malformed response. */
      path?: string;
      /** Supplier's own error code / title. */
      supplierCode?: string;
      retryAfterMs?: number;
      /** HTTP status when there was one. */
      status?: number;
      /** fare-changed: the new total. */
      newTotal?: MoneyJson;
    } = {},
  ) {
    super(message);
    this.name = 'FlightSupplierError';
  }

  get retryable(): boolean {
    return this.kind === 'rate-limited' || this.kind === 'unavailable' || this.kind === 'timeout';
  }
}
