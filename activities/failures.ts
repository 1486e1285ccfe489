/**
 * Failure types activities raise as `ApplicationFailure.type`; workflows branch on these strings,
 * never on `instanceof`.
 */
export const FailureType = {
  /** The booking row does not exist: a bug or a hand-deleted row; retrying will not help. */
  BookingNotFound: 'BookingNotFound',
  /** The stored booking is in a state that forbids the requested change. */
  BookingStateConflict: 'BookingStateConflict',
  /** The journal entry is malformed or unbalanced; `details[0]` lists every problem. */
  LedgerEntryInvalid: 'LedgerEntryInvalid',
  /** An account is unknown, inactive, or holds another currency. */
  LedgerAccountRejected: 'LedgerAccountRejected',
  /** The accounting date falls in a closed period: finance must reopen it or the date must move. */
  LedgerPeriodClosed: 'LedgerPeriodClosed',
  /** The idempotency key was used before for a different entry: a bug in the caller's key. */
  LedgerIdempotencyConflict: 'LedgerIdempotencyConflict',
  /** The entry to reverse does not exist or was already reversed. */
  LedgerReversalRefused: 'LedgerReversalRefused',
  /** A foreign-currency line has no rate to translate it into the base currency on its date. */
  LedgerRateMissing: 'LedgerRateMissing',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
