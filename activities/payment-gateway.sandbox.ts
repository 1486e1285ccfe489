import { randomBytes } from 'node:crypto';
import { isCurrencyCode, minorUnits } from '../domain/money/currency';
import { checkAmount, Dec } from '../domain/money/money';
import type { PrismaClient } from '../generated/prisma/client';
import { PaymentGatewayError, type PaymentGateway, type RefundRequest } from './ports/payment-gateway';

/**
 * The payment provider of development, demos and tests: a refund is "paid" by recording it in
 * `payment_refunds`, whose unique idempotency key makes a retried refund return the first
 * providerRef (and the rows are what the chaos harness counts). It refuses what a real provider
 * would: a non-positive or badly scaled amount, and a key reused for another refund. `refuse`, when
 * given, refuses more (tests: a payment id the provider does not know).
 */
export class SandboxPaymentGateway implements PaymentGateway {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly refuse: (r: RefundRequest) => string | null = () => null,
  ) {}

  async refund(r: RefundRequest): Promise<{ providerRef: string }> {
    const problems = [
      ...(isCurrencyCode(r.amount.currency) ? checkAmount(r.amount.amount, r.amount.currency).map((p) => p.message) : [`"${r.amount.currency}" is not a currency code`]),
      ...(r.idempotencyKey.length === 0 || r.idempotencyKey.length > 200 ? ['idempotencyKey must be 1 to 200 characters'] : []),
      ...(r.reference.length === 0 || r.reference.length > 16 ? ['reference must be 1 to 16 characters'] : []),
      ...(r.paymentId !== null && (r.paymentId.length === 0 || r.paymentId.length > 128) ? ['paymentId must be 1 to 128 characters'] : []),
      ...(r.reason.length === 0 || r.reason.length > 32 ? ['reason must be 1 to 32 characters'] : []),
    ];
    if (problems.length === 0 && !new Dec(r.amount.amount).greaterThan(0)) problems.push(`amount must be positive (got ${r.amount.amount})`);
    if (problems.length) throw new PaymentGatewayError('refused', `Refund ${r.idempotencyKey} refused: ${problems.join('; ')}`);

    const existing = await this.prisma.paymentRefund.findUnique({ where: { idempotencyKey: r.idempotencyKey } });
    if (existing) return this.replay(existing, r);
    const refusal = this.refuse(r);
    if (refusal) throw new PaymentGatewayError('refused', `Refund ${r.idempotencyKey} refused: ${refusal}`);

    const providerRef = `re_${randomBytes(12).toString('hex')}`;
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO payment_refunds (id, idempotency_key, booking_ref, payment_id, amount, currency, reason, provider_ref)
      VALUES (gen_random_uuid(), ${r.idempotencyKey}, ${r.reference}, ${r.paymentId}, ${r.amount.amount}::numeric, ${r.amount.currency}, ${r.reason}, ${providerRef})
      ON CONFLICT (idempotency_key) DO NOTHING`;
    if (inserted === 1) return { providerRef };
    // A concurrent call with the same key won the insert: answer as it did.
    return this.replay(await this.prisma.paymentRefund.findUniqueOrThrow({ where: { idempotencyKey: r.idempotencyKey } }), r);
  }

  private replay(row: { bookingRef: string; paymentId: string | null; amount: { toString(): string }; currency: string; providerRef: string }, r: RefundRequest): { providerRef: string } {
    const same =
      row.bookingRef === r.reference && row.paymentId === r.paymentId && row.currency === r.amount.currency && new Dec(row.amount.toString()).equals(new Dec(r.amount.amount));
    if (!same) {
      const stored = new Dec(row.amount.toString()).toFixed(minorUnits(row.currency));
      throw new PaymentGatewayError('refused', `Refund key ${r.idempotencyKey} was used for ${stored} ${row.currency} on ${row.bookingRef}; a different refund needs its own key`);
    }
    return { providerRef: row.providerRef };
  }
}
