/**
 * Failure types activities raise as `ApplicationFailure.type`; workflows branch on these strings,
 * never on `instanceof`.
 */
export const FailureType = {
  /** The booking row does not exist: a bug or a hand-deleted row; retrying will not help. */
  BookingNotFound: 'BookingNotFound',
  /** The stored booking is in a state that forbids the requested change. */
  BookingStateConflict: 'BookingStateConflict',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
