import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ledgerFailure } from './ledger.activities';
import { LedgerError } from './ports/ledger';
import { RevaluationError, type FxRevaluation, type RevaluationErrorKind, type RevaluationRunSummary } from './revaluation.prisma';

/**
 * Failure types of the month-end revaluation activities (kept here, beside the activities, until
 * they move into `failures.ts`). All are non-retryable: finance must act first.
 */
export const RevaluationFailureType = {
  /** No closing rate for a currency on the period end (nor in the 7 days before); `details[0]` lists each pair and date. */
  FxRevaluationRateMissing: 'FxRevaluationRateMissing',
  /** Finance settings (base currency, rate source) are missing. */
  FxRevaluationNotConfigured: 'FxRevaluationNotConfigured',
  /** Foreign postings up to the period end have no base-currency translation to carry them at. */
  FxRevaluationUntranslated: 'FxRevaluationUntranslated',
  /** The period end is not a calendar date. */
  FxRevaluationInvalidPeriod: 'FxRevaluationInvalidPeriod',
  /** Reversal asked for a period that has no run, or whose run has not finished. */
  FxRevaluationRunNotFinished: 'FxRevaluationRunNotFinished',
} as const;
export type RevaluationFailureType = (typeof RevaluationFailureType)[keyof typeof RevaluationFailureType];

const FAILURE_BY_KIND: Record<RevaluationErrorKind, RevaluationFailureType> = {
  'rate-missing': RevaluationFailureType.FxRevaluationRateMissing,
  'not-configured': RevaluationFailureType.FxRevaluationNotConfigured,
  untranslated: RevaluationFailureType.FxRevaluationUntranslated,
  'invalid-period': RevaluationFailureType.FxRevaluationInvalidPeriod,
  'run-not-found': RevaluationFailureType.FxRevaluationRunNotFinished,
  'run-incomplete': RevaluationFailureType.FxRevaluationRunNotFinished,
};


/** Refusals become non-retryable typed failures; anything else (database down) stays retryable. */
function classify(err: unknown): never {
  if (err instanceof RevaluationError) {
    throw ApplicationFailure.create({ type: FAILURE_BY_KIND[err.kind], message: err.message, nonRetryable: true, details: [err.details] });
  }
  if (err instanceof LedgerError) {
    throw ledgerFailure(err);
  }
  throw err;
}

/** Month-end revaluation activities; both are idempotent (keys `fx-revaluation:<P>:<n>[:reversal]`). */
export function createRevaluationActivities(ports: { revaluation: FxRevaluation }) {
  return {
    /** Revalues every monetary foreign balance at the period end (resuming an unfinished run); heartbeats after each chunk. */
    async revalueForeignBalances(input: { periodEnd: string; startedBy?: string }): Promise<RevaluationRunSummary> {
      const ctx = Context.current();
      try {
        return await ports.revaluation.run(input.periodEnd, {
          startedBy: input.startedBy,
          onChunk: (entries, balances) => ctx.heartbeat({ entries, balances }),
        });
      } catch (err) {
        return classify(err);
      }
    },

    /** Reverses the run's entries on the first day of the next period. */
    async reverseFxRevaluation(input: { periodEnd: string }): Promise<RevaluationRunSummary> {
      try {
        return await ports.revaluation.reverse(input.periodEnd);
      } catch (err) {
        return classify(err);
      }
    },
  };
}

export type RevaluationActivities = ReturnType<typeof createRevaluationActivities>;
