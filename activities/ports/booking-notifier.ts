import type { NoticeInput } from '../booking-lifecycle.types';

/**
 * Delivers booking notices (payment reminders, overdue and ticketing alerts, confirmations) to
 * customers and staff. The activity records each notice by its idempotency key and only then calls
 * `send`; a crash between the two re-sends once (at-least-once), so implementations should pass
 * `idempotencyKey` on where the channel can drop a repeat (Message-ID for e-mail). Throw to have
 * the activity retry.
 */
export interface BookingNotifier {
  /** Recorded with each notice ("log", "email"): at most 16 characters. */
  readonly channel: string;
  send(n: NoticeInput): Promise<void>;
}

/** The notice can never be delivered as written (no valid address, a subject on two lines): do not retry. */
export class BookingNoticeRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BookingNoticeRejected';
  }
}
