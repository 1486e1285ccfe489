import type { MoneyJson } from '../../domain/money/money';

/** One refund asked of the payment provider. */
export interface RefundRequest {
  /** `<workflowId>:refund:<id>`: the provider pays at most once per key (a retry gets the first answer). */
  idempotencyKey: string;
  /** The payment the money goes back against; null for a goodwill payout without one. */
  paymentId: string | null;
  /** What goes back to the customer: positive, in the currency's minor units. */
  amount: MoneyJson;
  /** Booking reference (shown on the customer's statement). */
  reference: string;
  /** Why (CANCELLATION, OVERPAYMENT, GOODWILL...): kept with the provider's record. */
  reason: string;
}

export type PaymentGatewayErrorKind = 'refused' | 'unavailable';

/**
 * A refusal or outage of the payment provider. `refused`: the provider will never accept this
 * request as made (unknown payment, amount above what it captured, invalid amount, key reused for
 * another refund): retrying changes nothing. `unavailable`: timeout, 5xx, rate limit: retry.
 */
export class PaymentGatewayError extends Error {
  constructor(
    readonly kind: PaymentGatewayErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'PaymentGatewayError';
  }
}

/**
 * Money back to customers through the payment service provider. Idempotent by `idempotencyKey`:
 * the same key returns the first refund's `providerRef` and moves no money again; another refund
 * under a used key is `refused`. Throws PaymentGatewayError; any other error counts as unavailable.
 */
export interface PaymentGateway {
  refund(r: RefundRequest): Promise<{ providerRef: string }>;
}
