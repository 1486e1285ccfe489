import { ApplicationFailure, proxyActivities, setCurrentDetails, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type { RevaluationActivities } from '../../activities/revaluation.activities';
import type { RevaluationRunSummary } from '../../activities/revaluation.prisma';
import { previousMonthEnd } from '../../domain/fx/revaluation';
import { isIsoDate, isTimeZone } from '../../domain/time/instant';

const retry: RetryPolicy = { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' };

const { revalueForeignBalances } = proxyActivities<RevaluationActivities>({
  // 100k balances take well under a minute; the heartbeat (one per chunk) detects a lost worker
  // early, and a retry resumes the run by its per-chunk ledger keys.
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry,
});
const { reverseFxRevaluation } = proxyActivities<RevaluationActivities>({ startToCloseTimeout: '15 minutes', retry });

export interface MonthEndRevaluationInput {
  /** The period end to revalue at (YYYY-MM-DD); absent: the last day of the month before the start. */
  periodEnd?: string;
  /** The operator's IANA zone, whose calendar decides which month has just ended. */
  timeZone: string;
}

/** Raised by the workflow itself for a request it cannot act on. */
export const InvalidRevaluationRequest = 'InvalidRevaluationRequest';

/**
 * Month-end FX revaluation (schedule `finance-month-end-revaluation`, 00:30 on the 1st, operator
 * time): revalues every monetary foreign-currency balance at the closing rate of the period end,
 * posting unrealised gains and losses dated the period end, then reverses those entries on the
 * first day of the next period. Both steps are idempotent, so re-running a period changes nothing.
 *
 * The period, when not given, is read once from workflow time: the calendar month that ended
 * before the start in `timeZone`. Activity refusals (missing closing rate, no finance settings,
 * closed period) fail the workflow with the activity's failure type.
 */
export async function MonthEndRevaluationWorkflow(input: MonthEndRevaluationInput): Promise<RevaluationRunSummary> {
  if (!isTimeZone(input.timeZone)) throw ApplicationFailure.nonRetryable(`Unknown IANA time zone: ${input.timeZone}`, InvalidRevaluationRequest);
  if (input.periodEnd !== undefined && !isIsoDate(input.periodEnd)) {
    throw ApplicationFailure.nonRetryable(`periodEnd must be a calendar date written YYYY-MM-DD (got "${input.periodEnd}")`, InvalidRevaluationRequest);
  }
  const periodEnd = input.periodEnd ?? previousMonthEnd(Date.now(), input.timeZone);
  try {
    setCurrentDetails(`Revaluing foreign balances at ${periodEnd}`);
    const run = await revalueForeignBalances({ periodEnd, startedBy: `workflow:${workflowInfo().workflowId}`.slice(0, 120) });
    setCurrentDetails(`Revalued ${run.balances} balances at ${periodEnd}: gain ${run.totalGain}, loss ${run.totalLoss} ${run.baseCurrency}; reversing`);
    const reversed = await reverseFxRevaluation({ periodEnd });
    setCurrentDetails(`Revalued ${reversed.balances} balances at ${periodEnd} and reversed the entries the next day`);
    return reversed;
  } catch (err) {
    // Surface the activity's failure type on the workflow itself, so callers branch on one `type`.
    const cause = (err as { cause?: { type?: unknown; message?: unknown; details?: unknown } }).cause;
    if (typeof cause?.type === 'string') {
      throw ApplicationFailure.create({ type: cause.type, message: String(cause.message), nonRetryable: true, details: Array.isArray(cause.details) ? cause.details : [] });
    }
    throw err;
  }
}
