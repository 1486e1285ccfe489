import { ApplicationFailure } from '@temporalio/common';
import { log } from '@temporalio/activity';
import type { BookingStore, NewBookingRecord, StoredBooking } from './ports/booking-store';
import { BookingStoreError } from './ports/booking-store';
import { FailureType } from './failures';

export interface BookingActivityPorts {
  bookings: BookingStore;
}

/** Turns a store's typed error into a failure the workflow can branch on. */
function classify(err: unknown): never {
  if (err instanceof BookingStoreError) {
    throw ApplicationFailure.create({
      type: err.kind === 'not-found' ? FailureType.BookingNotFound : FailureType.BookingStateConflict,
      message: err.message,
      nonRetryable: true,
    });
  }
  throw err; // connection problems and the like: retryable
}

/** Activities of the booking workflow, bound to their ports by the composition root. */
export function createBookingActivities(ports: BookingActivityPorts) {
  return {
    /** Stores the draft; a retry after a lost acknowledgement returns the row already written. */
    async recordBookingDraft(record: NewBookingRecord): Promise<StoredBooking> {
      try {
        const stored = await ports.bookings.saveDraft(record);
        log.info('booking draft recorded', { reference: record.reference });
        return stored;
      } catch (err) {
        return classify(err);
      }
    },

    /** Marks a lapsed draft as expired. */
    async expireBookingDraft(reference: string): Promise<StoredBooking> {
      try {
        return await ports.bookings.transition(reference, 'DRAFT', 'EXPIRED');
      } catch (err) {
        return classify(err);
      }
    },
  };
}

export type BookingActivities = ReturnType<typeof createBookingActivities>;
