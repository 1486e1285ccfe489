import type { MoneyJson } from '../money/money';
import type { Instant } from '../time/instant';

/**
 * The channel-manager vocabulary (issue 6): what Itinera pushes to OTA channels through a
 * channel manager (availability, restrictions, room counts, rates) and what comes back (booking
 * notifications). Wire formats (OpenTravel XML) never leave their adapter; this is what they map to.
 *
 * Dates are calendar dates "YYYY-MM-DD" in the hotel's own calendar. Ranges of nights pushed to a
 * channel are INCLUSIVE (`start`..`end`, the OTA Start/End convention); a reservation's stay is
 * `arrival`..`departure` with `departure` EXCLUSIVE (the check-out day).
 */

/** "YYYY-MM-DD". */
export type IsoDate = string;

// ---------------------------------------------------------------- outbound: Itinera → channels

export interface StayRestrictions {
  /** Closed: nothing may be sold for these nights (close-out / stop-sell). */
  stopSell: boolean;
  closedToArrival: boolean;
  closedToDeparture: boolean;
  /** Minimum / maximum length of stay in nights, null = none. */
  minStay: number | null;
  maxStay: number | null;
}

/** Availability status and restrictions for a room type (and optionally one rate plan) over inclusive nights. */
export interface AvailabilityStatus {
  roomType: string;
  /** null = every rate plan of the room type. */
  ratePlan: string | null;
  start: IsoDate;
  end: IsoDate;
  restrictions: StayRestrictions;
}

/** Rooms left to sell for a room type over inclusive nights. */
export interface RoomCount {
  roomType: string;
  start: IsoDate;
  end: IsoDate;
  /** Rooms available to sell (>= 0). */
  count: number;
}

/** A price for a number of guests (occupancy-based pricing): amount per room per night. */
export interface OccupancyAmount {
  guests: number;
  /** Decimal string in `currency`. */
  amount: string;
}

export interface RateAmount {
  roomType: string;
  ratePlan: string;
  start: IsoDate;
  end: IsoDate;
  currency: string;
  /** One per occupancy, ascending by guests, no duplicates. */
  amounts: OccupancyAmount[];
}

/** One push to one channel for one property: any mix of statuses, counts and rates. */
export interface AvailabilityPush {
  hotelCode: string;
  statuses: AvailabilityStatus[];
}
export interface CountPush {
  hotelCode: string;
  counts: RoomCount[];
}
export interface RatePush {
  hotelCode: string;
  rates: RateAmount[];
}

/** A warning the channel returned with Success (OTA Warnings element). */
export interface ChannelWarning {
  code: string;
  message: string;
}

/** What a channel answered to a push that it accepted. */
export interface PushAck {
  /** The EchoToken we sent, echoed back (proves this ack answers this request). */
  echoToken: string;
  warnings: ChannelWarning[];
}

/** A channel's own view of a property's rooms, read back for reconciliation (OTA_HotelInvCountRQ). */
export interface ChannelInventorySnapshot {
  hotelCode: string;
  /** Per room type and night (one entry per night, inclusive range expanded). */
  counts: { roomType: string; date: IsoDate; count: number }[];
}

// ---------------------------------------------------------------- inbound: channels → Itinera

/** The three things a reservation notification can say, whatever the ResStatus word. */
export type ReservationAction = 'new' | 'modified' | 'cancelled';

export interface ReservationGuest {
  givenName: string;
  surname: string;
  email: string | null;
  phone: string | null;
}

export interface ReservationRoomStay {
  roomType: string;
  ratePlan: string;
  arrival: IsoDate;
  /** Exclusive: the check-out day. */
  departure: IsoDate;
  /** Rooms of this type booked for the stay. */
  quantity: number;
  adults: number;
  children: number;
  /** Total of this room stay (all rooms, all nights). */
  total: MoneyJson;
}

/** An OTA reservation as the channel manager notified it (OTA_HotelResNotifRQ, one HotelReservation). */
export interface InboundReservation {
  /** The channel's reservation id (HotelReservationID / UniqueID). */
  reservationId: string;
  /**
   * Orders notifications of the same reservation: LastModifyDateTime (else CreateDateTime) in
   * epoch ms. An older version never overwrites a newer one.
   */
  version: number;
  action: ReservationAction;
  /** The ResStatus word verbatim ("Commit", "Book", "Modify", "Reserved", "Cancelled"...). */
  statusWord: string;
  /** The OTA the guest booked on ("BOOKING", "EXPEDIA"...), for revenue by channel. */
  originatingChannel: string;
  hotelCode: string;
  roomStays: ReservationRoomStay[];
  guest: ReservationGuest;
  /** Sum of the room stays. */
  total: MoneyJson;
  createdAt: Instant;
  lastModifiedAt: Instant;
}

/** One OTA_HotelResNotifRQ: the echo token to return and its reservations. */
export interface ReservationNotification {
  echoToken: string | null;
  /** RQ TimeStamp, when given. */
  timeStamp: Instant | null;
  reservations: InboundReservation[];
}

/**
 * A problem to answer in an OTA Errors element: `code` from the OTA Error Codes (EWT/ERR) list
 * (e.g. 392 invalid hotel code, 402 invalid room type, 15 invalid date, 61 invalid currency code,
 * 321 required field missing, 448 system error, 450 unable to process), `type` from the OTA Error
 * Warning Type list (3 = biz rule, 10 = required field missing, 12 = processing exception).
 */
export interface OtaProblem {
  type: string;
  code: string;
  message: string;
}

// ---------------------------------------------------------------- errors

export const CHANNEL_ERROR_KINDS = [
  /** 5xx, connection refused, reset. Retryable. */
  'unavailable',
  /** No answer in time. Retryable; the push may or may not have been applied (pushes are idempotent). */
  'timeout',
  /** 429: retry after `retryAfterMs`. */
  'rate-limited',
  /** 401/403 or a WS-Security fault: fix the credentials. Not retryable. */
  'unauthorized',
  /** The channel answered with OTA Errors (unknown hotel/room/rate, bad dates...). Not retryable. */
  'rejected',
  /** The response is not the XML we expect. Retryable once or twice at most. */
  'malformed-response',
] as const;
export type ChannelErrorKind = (typeof CHANNEL_ERROR_KINDS)[number];

/** A channel manager call that failed: `kind` says whether retrying helps. */
export class ChannelManagerError extends Error {
  constructor(
    readonly kind: ChannelErrorKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; problems?: OtaProblem[] } = {},
  ) {
    super(message);
    this.name = 'ChannelManagerError';
  }
}

/** Retryable kinds: a Temporal activity rethrows the others as non-retryable failures. */
export function isRetryableChannelError(kind: ChannelErrorKind): boolean {
  return kind === 'unavailable' || kind === 'timeout' || kind === 'rate-limited' || kind === 'malformed-response';
}
