import { ApplicationFailure, continueAsNew, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { RecognitionFailure } from '../../activities/revenue.prisma';
import type { RevenueActivities } from '../../activities/revenue.activities';
import { addByCurrency, recognitionDateFor } from '../../domain/revenue/recognition';
import { isIsoDate, isTimeZone } from '../../domain/time/instant';

const { recogniseRevenueBatch } = proxyActivities<RevenueActivities>({
  startToCloseTimeout: '5 minutes',
  // A database outage must not skip a day: keep retrying, at most once a minute. Retrying a batch
  // is safe (ledger keys `revenue-recognition:<itemId>:<date>`).
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface DailyRevenueRecognitionInput {
  /** Recognise through this date (YYYY-MM-DD); absent: "today" in `timeZone` when the run starts. */
  date?: string;
  /** The operator's IANA zone, whose calendar decides "today". */
  timeZone: string;
  /** Items per activity call (default 200): bounds each activity's memory and duration. */
  batchSize?: number;
  /** Set by the workflow itself when it continues as new mid-run. */
  resume?: { afterId: string; totals: DailyRevenueRecognitionResult };
}

export interface DailyRevenueRecognitionResult {
  date: string;
  itemsRecognised: number;
  entriesPosted: number;
  /** Revenue recognised by the run per currency, decimal strings with the currency's decimals. */
  amountsByCurrency: Record<string, string>;
  /** Items the ledger refused (closed period, missing account or rate): caught up by a later run once fixed. */
  failures: RecognitionFailure[];
}

/** At most this many failures are carried in the result and workflow history. */
const MAX_REPORTED_FAILURES = 100;

/**
 * The daily revenue recognition run (schedule `finance-daily-revenue-recognition`, 01:00 operator
 * time). Recognises, for every open deferred item, what is due through the run date and is not yet
 * recognised, in batches of activities until the cursor runs out.
 *
 * The run date, when not given, is the operator's calendar date at workflow start
 * ({@link recognitionDateFor}, read once from workflow time): at 01:00 that is the day just begun,
 * so each service day's share is released on that day. Recognition is cumulative, so a missed or
 * failed day is caught up by the next run (dated that run's date).
 */
export async function DailyRevenueRecognitionWorkflow(input: DailyRevenueRecognitionInput): Promise<DailyRevenueRecognitionResult> {
  if (!isTimeZone(input.timeZone)) throw ApplicationFailure.nonRetryable(`Unknown IANA time zone: ${input.timeZone}`, 'InvalidRecognitionRequest');
  if (input.date !== undefined && !isIsoDate(input.date)) {
    throw ApplicationFailure.nonRetryable(`date must be a calendar date written YYYY-MM-DD (got "${input.date}")`, 'InvalidRecognitionRequest');
  }
  const date = input.resume?.totals.date ?? input.date ?? recognitionDateFor(Date.now(), input.timeZone);
  const totals: DailyRevenueRecognitionResult = input.resume?.totals ?? { date, itemsRecognised: 0, entriesPosted: 0, amountsByCurrency: {}, failures: [] };
  let afterId: string | null = input.resume?.afterId ?? null;

  do {
    setCurrentDetails(`Recognising revenue through ${date}: ${totals.itemsRecognised} items so far`);
    const batch = await recogniseRevenueBatch({ date, batchSize: input.batchSize, afterId });
    totals.itemsRecognised += batch.itemsRecognised;
    totals.entriesPosted += batch.entriesPosted;
    totals.amountsByCurrency = addByCurrency(totals.amountsByCurrency, batch.amountsByCurrency);
    totals.failures.push(...batch.failures.slice(0, Math.max(0, MAX_REPORTED_FAILURES - totals.failures.length)));
    afterId = batch.nextAfterId;
    if (afterId && workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof DailyRevenueRecognitionWorkflow>({ ...input, date, resume: { afterId, totals } });
    }
  } while (afterId);

  setCurrentDetails(`Recognised revenue through ${date}: ${totals.itemsRecognised} items, ${totals.failures.length} refused`);
  return totals;
}
