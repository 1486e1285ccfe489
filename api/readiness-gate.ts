import type { ReadinessReport } from '../domain/finance/readiness';
import { ProblemError } from './problem';

/**
 * Refuses bookings until finance go-live readiness passes. A passing check is trusted for `ttlMs`
 * (the check posts rolled-back samples; running it per booking would be wasteful); a failing one
 * is checked again on the next booking, so a fix takes effect at once. Configuration changes made
 * through the API forget the cached pass.
 */
export class ReadinessGate {
  private passedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<ReadinessReport> | null = null;

  constructor(
    private readonly check: () => Promise<ReadinessReport>,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  remember(report: ReadinessReport): void {
    this.passedAt = report.ready ? this.now() : Number.NEGATIVE_INFINITY;
  }

  forget(): void {
    this.passedAt = Number.NEGATIVE_INFINITY;
  }

  /** Throws a 409 problem listing every readiness failure. */
  async assertReady(): Promise<void> {
    if (this.now() - this.passedAt < this.ttlMs) return;
    this.inFlight ??= this.check().finally(() => (this.inFlight = null));
    const report = await this.inFlight;
    this.remember(report);
    if (!report.ready) {
      throw new ProblemError(
        409,
        'Finance set-up not ready',
        `Bookings are refused until finance go-live readiness passes (GET /finance/readiness): ${report.failures.map((f) => f.detail).join('; ')}`,
        '/problems/finance-not-ready',
        { failures: report.failures },
      );
    }
  }
}
