import { ApplicationFailure } from '@temporalio/common';
import { RevenueError, type DeferComponentInput, type DeferredItemView, type PrismaDeferredRevenue, type RecognitionBatchResult, type RevenueErrorKind } from './revenue.prisma';

/**
 * Failure types of the deferred-revenue activities (`ApplicationFailure.type`), all
 * non-retryable: the request itself must change before it can succeed.
 */
export const RevenueFailureType = {
  /** Bad component or run parameters (unknown product type or channel, dates reversed, amount ≤ 0...); `details[0]` lists every problem. */
  DeferredRevenueInvalid: 'DeferredRevenueInvalid',
  /** The component was already deferred with other terms. */
  DeferredRevenueConflict: 'DeferredRevenueConflict',
  /** No such deferred component. */
  DeferredRevenueNotFound: 'DeferredRevenueNotFound',
  /** The component's state forbids the change (cancelled, already recognised, not awaiting a supplier). */
  DeferredRevenueStateConflict: 'DeferredRevenueStateConflict',
  /**
   * A foreign-currency component has no rate to carry it in the base currency on its booking
   * date: finance must import or enter the rate, then the deferral can be retried.
   */
  DeferredRevenueRateMissing: 'DeferredRevenueRateMissing',
} as const;
export type RevenueFailureType = (typeof RevenueFailureType)[keyof typeof RevenueFailureType];

const FAILURE_BY_KIND: Record<RevenueErrorKind, RevenueFailureType> = {
  'invalid-component': RevenueFailureType.DeferredRevenueInvalid,
  'invalid-request': RevenueFailureType.DeferredRevenueInvalid,
  'component-conflict': RevenueFailureType.DeferredRevenueConflict,
  'component-not-found': RevenueFailureType.DeferredRevenueNotFound,
  'invalid-state': RevenueFailureType.DeferredRevenueStateConflict,
  'rate-missing': RevenueFailureType.DeferredRevenueRateMissing,
};

/** A refusal becomes a non-retryable failure; anything else (database down) stays retryable. */
async function classified<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RevenueError) {
      throw ApplicationFailure.create({ type: FAILURE_BY_KIND[err.kind], message: err.message, nonRetryable: true, details: [err.problems] });
    }
    throw err;
  }
}

/**
 * Deferred-revenue activities (finance task queue). Every one is idempotent: deferral by
 * (bookingRef, componentId), recognition by the ledger key `revenue-recognition:<itemId>:<date>`.
 */
export function createRevenueActivities(ports: { revenue: PrismaDeferredRevenue }) {
  const { revenue } = ports;
  return {
    async deferRevenueComponent(input: DeferComponentInput): Promise<DeferredItemView> {
      return classified(async () => (await revenue.deferComponent(input)).item);
    },

    /** A booking's components at once: all deferred, or (one refused) none. */
    async deferRevenueComponents(inputs: DeferComponentInput[]): Promise<DeferredItemView[]> {
      return classified(async () => (await revenue.deferComponents(inputs)).map((r) => r.item));
    },

    /** One batch of the daily run; loop while `nextAfterId` is not null. */
    async recogniseRevenueBatch(input: { date: string; batchSize?: number; afterId?: string | null }): Promise<RecognitionBatchResult> {
      return classified(() => revenue.recogniseThrough(input.date, { batchSize: input.batchSize, afterId: input.afterId }));
    },

    async markComponentNoShow(input: { bookingRef: string; componentId: string }): Promise<DeferredItemView> {
      return classified(() => revenue.markNoShow(input.bookingRef, input.componentId));
    },

    async confirmSupplierNoShow(input: { bookingRef: string; componentId: string; confirmedAt: number }): Promise<DeferredItemView> {
      return classified(() => revenue.confirmSupplierNoShow(input.bookingRef, input.componentId, new Date(input.confirmedAt)));
    },

    /** `cancelledAt` (epoch ms, default now): pass the workflow's time so a retry records the same instant. */
    async cancelDeferredComponent(input: { bookingRef: string; componentId: string; cancelledAt?: number }): Promise<DeferredItemView> {
      return classified(() => revenue.cancelComponent(input.bookingRef, input.componentId, input.cancelledAt === undefined ? undefined : new Date(input.cancelledAt)));
    },
  };
}

export type RevenueActivities = ReturnType<typeof createRevenueActivities>;
