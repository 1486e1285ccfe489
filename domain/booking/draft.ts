import { LIFECYCLE_STATUSES, type LifecycleStatus } from './model';
import type { MoneyJson } from '../money/money';
import { DAY_MS, startOfDateUtc, type Instant } from '../time/instant';

/** Every stored booking status: the first slice's drafts and the lifecycle's (domain/booking/model.ts). */
export const BOOKING_STATUSES = LIFECYCLE_STATUSES;
export type BookingStatus = LifecycleStatus;

/**
 * Booking references are what advisors read out on the phone: `ITN-` and 8 characters of
 * Crockford base32 (no I, L, O, U), so there is no 0/O or 1/I confusion.
 */
export const REFERENCE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const REFERENCE_PATTERN = /^ITN-[0-9A-HJKMNP-TV-Z]{8}$/;

/** Builds a reference from 8 random bytes supplied by the caller (domain code draws no randomness). */
export function referenceFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 8) throw new RangeError('A booking reference needs 8 random bytes');
  let out = 'ITN-';
  for (let i = 0; i < 8; i++) out += REFERENCE_ALPHABET[bytes[i]! % 32];
  return out;
}

export function bookingWorkflowId(reference: string): string {
  return `booking-${reference}`;
}

/** How long an unconfirmed draft is held before it lapses, unless travel comes first. */
export const DEFAULT_DRAFT_HOLD_DAYS = 30;

/** What an advisor submits to open a booking: plain JSON, safe for workflow input. */
export interface BookingDraft {
  reference: string;
  customerId: string;
  advisorId?: string;
  productCode: string;
  /** Departure date, YYYY-MM-DD, in the destination's calendar. */
  travelDate: string;
  price: MoneyJson;
  /** Days the draft is held; defaults to {@link DEFAULT_DRAFT_HOLD_DAYS}. */
  holdDays?: number;
}

/**
 * When a draft lapses: `holdDays` after it was opened, but never later than the start of the
 * travel date (a quote cannot outlive the trip it prices).
 */
export function draftExpiry(openedAt: Instant, travelDate: string, holdDays = DEFAULT_DRAFT_HOLD_DAYS): Instant {
  if (!Number.isInteger(holdDays) || holdDays < 1) throw new RangeError(`holdDays must be a positive integer (got ${holdDays})`);
  return Math.min(openedAt + holdDays * DAY_MS, startOfDateUtc(travelDate));
}
