import { ApplicationFailure, log, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { FxImportActivities, FxImportReport } from '../../activities/fx-import.activities';
import { calendarDateIn, isIsoDate } from '../../domain/time/instant';

/** The ECB publishes around 16:00 CET on TARGET days: "today" is the calendar date in this zone. */
export const FX_PUBLICATION_TIME_ZONE = 'Europe/Berlin';

const { importRatesFromFeed } = proxyActivities<FxImportActivities>({
  startToCloseTimeout: '2 minutes',
  // A feed may be late or down: keep trying for up to six hours (16:30 -> 22:30 Berlin), backing off
  // from one minute to at most every 30 minutes. Malformed payloads, refused keys and unknown
  // feeds are non-retryable and end the attempt at once. Retrying is safe: the import is idempotent.
  scheduleToCloseTimeout: '6 hours',
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

export interface DailyFxImportInput {
  /** Feed names as registered on the finance worker ('ECB', 'TREASURY'). */
  feeds: string[];
  /** Publication date to import (YYYY-MM-DD); absent: today in {@link FX_PUBLICATION_TIME_ZONE} at workflow start. */
  date?: string;
}

export type FeedImportOutcome =
  | ({ status: 'imported' } & FxImportReport)
  | { feed: string; status: 'failed'; failureType: string; message: string };

export interface DailyFxImportResult {
  date: string;
  /** One per feed, in the order asked. */
  feeds: FeedImportOutcome[];
}

/** The type and message of the innermost application failure (an activity's last attempt), else the error's own. */
function failureOf(err: unknown): { failureType: string; message: string } {
  let found: { failureType: string; message: string } | undefined;
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure) found = { failureType: e.type ?? 'Error', message: e.message };
    else found ??= { failureType: e.name, message: e.message };
  }
  return found ?? { failureType: 'Error', message: String(err) };
}

/**
 * The daily FX rate import (schedule `finance-daily-fx-import`, weekdays 16:30 Berlin): imports
 * each configured feed's publication of the run date, one activity per feed, in parallel. A feed
 * that is still failing when its retries run out (a TARGET holiday, a key revoked, a malformed
 * payload) is reported as `failed` in the result without stopping the others; a republished rate
 * that differs from the stored one is reported among the feed's `conflicts` (the stored rate is
 * kept). The workflow itself fails only on a bad request.
 */
export async function DailyFxImportWorkflow(input: DailyFxImportInput): Promise<DailyFxImportResult> {
  if (!Array.isArray(input.feeds) || input.feeds.length === 0 || !input.feeds.every((f) => typeof f === 'string' && f.length > 0)) {
    throw ApplicationFailure.nonRetryable('feeds must be a non-empty list of feed names such as ["ECB", "TREASURY"]', 'InvalidFxImportRequest');
  }
  if (input.date !== undefined && !isIsoDate(input.date)) {
    throw ApplicationFailure.nonRetryable(`date must be a calendar date written YYYY-MM-DD (got "${input.date}")`, 'InvalidFxImportRequest');
  }
  // Workflow time, read once: replay gives the same date.
  const date = input.date ?? calendarDateIn(Date.now(), FX_PUBLICATION_TIME_ZONE);
  const feeds = [...new Set(input.feeds)];
  setCurrentDetails(`Importing ${feeds.join(', ')} rates for ${date}`);

  const outcomes = await Promise.all(
    feeds.map(async (feed): Promise<FeedImportOutcome> => {
      try {
        const report = await importRatesFromFeed({ feed, date });
        if (report.conflicts.length > 0) log.warn('Republished rates differ from the stored ones; stored rates kept', { feed, date, conflicts: report.conflicts.length });
        return { status: 'imported', ...report };
      } catch (err) {
        const failure = failureOf(err);
        log.warn('Rate import failed', { feed, date, ...failure });
        return { feed, status: 'failed', ...failure };
      }
    }),
  );

  const summary = outcomes.map((o) => (o.status === 'imported' ? `${o.feed} ${o.inserted} new, ${o.conflicts.length} conflicts` : `${o.feed} failed (${o.failureType})`));
  setCurrentDetails(`Rates for ${date}: ${summary.join('; ')}`);
  return { date, feeds: outcomes };
}
