import type { BookingStatus } from '../../domain/booking/draft';
import type { MoneyJson } from '../../domain/money/money';
import type { Instant } from '../../domain/time/instant';

/** A booking as written by the booking workflow. */
export interface NewBookingRecord {
  reference: string;
  workflowId: string;
  customerId: string;
  advisorId: string | null;
  productCode: string;
  travelDate: string;
  price: MoneyJson;
  expiresAt: Instant;
}

export interface StoredBooking extends NewBookingRecord {
  status: BookingStatus;
  createdAt: Instant;
  updatedAt: Instant;
}

/**
 * Where bookings are kept. Every write is idempotent, because activities are retried: saving the
 * same draft twice stores it once, and a status change applied twice changes it once.
 */
export interface BookingStore {
  /** Stores a new draft, or returns the stored one when `reference` already exists. */
  saveDraft(record: NewBookingRecord): Promise<StoredBooking>;
  /** Moves a booking from one status to another; a booking already in `to` is left as it is. */
  transition(reference: string, from: BookingStatus, to: BookingStatus): Promise<StoredBooking>;
  findByReference(reference: string): Promise<StoredBooking | null>;
}

/** Raised by a store for a request that can never succeed, whatever the retries. */
export class BookingStoreError extends Error {
  constructor(
    readonly kind: 'not-found' | 'state-conflict',
    message: string,
  ) {
    super(message);
    this.name = 'BookingStoreError';
  }
}
