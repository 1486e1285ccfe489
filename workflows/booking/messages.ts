import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { BookingStatus } from '../../domain/booking/draft';
import type { MoneyJson } from '../../domain/money/money';

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
