import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { EcbFeedRejectedError, EcbFeedUnavailableError } from '../adapters/ecb-xml/client';
import { EcbFeedMalformedError } from '../adapters/ecb-xml/mapper';
import { TreasuryFeedRejectedError, TreasuryFeedUnavailableError, TreasuryRatesNotPublishedError } from '../adapters/treasury-json/client';
import { TreasuryFeedMalformedError } from '../adapters/treasury-json/mapper';
import type { RateQuote } from '../domain/fx/rates';
import { isIsoDate } from '../domain/time/instant';
import type { FxRates } from './fx-rates.prisma';
import type { FxRateFeed } from './ports/fx-rate-feed';

/**
 * Failure types of the FX import activities (`ApplicationFailure.type`, kept beside the
 * activities until they move into `failures.ts`). The workflow reports them per feed.
 */
export const FxImportFailureType = {
  /** The feed is down, slow or answered 5xx/429: retryable, the workflow's retry policy backs off. */
  FxFeedUnavailable: 'FxFeedUnavailable',
  /** The feed has not published the date asked yet (ECB ~16:00 CET, a late treasury API): retryable and BENIGN. */
  FxRatesNotPublished: 'FxRatesNotPublished',
  /** The feed serves only later publications than the date asked (a daily file moved on): not retryable, backfill from a history file. */
  FxRatesNoLongerServed: 'FxRatesNoLongerServed',
  /** The payload is not the feed's documented format; `details[0]` lists every problem. Not retryable. */
  FxFeedMalformed: 'FxFeedMalformed',
  /** The feed refused the request (401/403 key, 400 parameters): not retryable, configuration must change. */
  FxFeedRejected: 'FxFeedRejected',
  /** No feed of that name is configured on this worker. Not retryable. */
  FxFeedUnknown: 'FxFeedUnknown',
  /** The request itself is wrong (date not YYYY-MM-DD). Not retryable. */
  FxImportInvalidRequest: 'FxImportInvalidRequest',
} as const;
export type FxImportFailureType = (typeof FxImportFailureType)[keyof typeof FxImportFailureType];

export interface ImportRatesFromFeedInput {
  /** A key of the worker's feed registry: 'ECB', 'TREASURY'. */
  feed: string;
  /** Import this publication date (YYYY-MM-DD); absent: whatever the feed publishes now. */
  date?: string;
}

/** A republished rate that differs from the one stored: the stored one is kept, finance decides. */
export interface FxRateConflict {
  base: string;
  quote: string;
  rateDate: string;
  published: string;
  stored: string;
}

export interface FxImportReport {
  feed: string;
  /** The source name the quotes were stored under. */
  source: string;
  inserted: number;
  unchanged: number;
  conflicts: FxRateConflict[];
  /** The newest publication date imported; null when the feed returned no quote. */
  rateDate: string | null;
}


const fail = (type: FxImportFailureType, message: string, nonRetryable: boolean, details?: unknown[]) =>
  ApplicationFailure.create({ type, message, nonRetryable, details, category: type === FxImportFailureType.FxRatesNotPublished ? ApplicationFailureCategory.BENIGN : undefined });

/** Adapter errors -> typed failures; anything else (database down) is rethrown and stays retryable. */
function classify(feed: string, err: unknown): never {
  const msg = (e: Error) => `${feed}: ${e.message}`;
  if (err instanceof EcbFeedMalformedError || err instanceof TreasuryFeedMalformedError) throw fail(FxImportFailureType.FxFeedMalformed, msg(err), true, [err.problems]);
  if (err instanceof TreasuryFeedRejectedError || err instanceof EcbFeedRejectedError) throw fail(FxImportFailureType.FxFeedRejected, msg(err), true, [{ status: err.status }]);
  if (err instanceof TreasuryRatesNotPublishedError) throw fail(FxImportFailureType.FxRatesNotPublished, msg(err), false);
  if (err instanceof EcbFeedUnavailableError || err instanceof TreasuryFeedUnavailableError) throw fail(FxImportFailureType.FxFeedUnavailable, msg(err), false);
  throw err;
}

const maxDate = (quotes: readonly RateQuote[]) => quotes.reduce<string | null>((max, q) => (max === null || q.rateDate > max ? q.rateDate : max), null);

/** The quotes of `date` (or everything published now): asks a dated feed, else filters what it publishes. */
async function quotesFor(feed: FxRateFeed, name: string, date: string | undefined): Promise<RateQuote[]> {
  if (date === undefined) return feed.latest();
  if (feed.ratesOn) return feed.ratesOn(date);
  const all = await feed.latest();
  const ofDate = all.filter((q) => q.rateDate === date);
  if (ofDate.length > 0) return ofDate;
  const newest = maxDate(all);
  if (newest === null || newest < date) {
    throw fail(FxImportFailureType.FxRatesNotPublished, `${name}: no publication for ${date} yet (latest: ${newest ?? 'none'})`, false);
  }
  throw fail(FxImportFailureType.FxRatesNoLongerServed, `${name}: the feed now serves ${newest}; ${date} is not among its publications (backfill it from a history file)`, true);
}

function importedBy(): string {
  try {
    const workflowId = Context.current().info.workflowExecution?.workflowId;
    return workflowId ? `workflow:${workflowId}`.slice(0, 64) : 'fx-import';
  } catch {
    return 'fx-import'; // called outside an activity (a script)
  }
}

/**
 * FX import activities (finance task queue). Idempotent: re-importing a publication inserts
 * nothing and reports the quotes as unchanged (PrismaFxRates.importQuotes), so retries are safe.
 */
export function createFxImportActivities(ports: { fxRates: FxRates; feeds: Record<string, FxRateFeed> }) {
  return {
    /** Imports one feed's publication (of `date`, or the latest); conflicts are reported, never thrown. */
    async importRatesFromFeed(input: ImportRatesFromFeedInput): Promise<FxImportReport> {
      const feed = Object.hasOwn(ports.feeds, input.feed) ? ports.feeds[input.feed] : undefined;
      if (!feed) {
        throw fail(FxImportFailureType.FxFeedUnknown, `No rate feed "${input.feed}" is configured (configured: ${Object.keys(ports.feeds).sort().join(', ') || 'none'})`, true);
      }
      if (input.date !== undefined && !isIsoDate(input.date)) {
        throw fail(FxImportFailureType.FxImportInvalidRequest, `date must be a calendar date written YYYY-MM-DD (got "${input.date}")`, true);
      }
      let quotes: RateQuote[];
      try {
        quotes = await quotesFor(feed, input.feed, input.date);
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        return classify(input.feed, err);
      }
      const report = await ports.fxRates.importQuotes(quotes, importedBy());
      return {
        feed: input.feed,
        source: feed.source,
        inserted: report.inserted,
        unchanged: report.unchanged,
        conflicts: report.conflicts.map((c) => ({ base: c.quote.base, quote: c.quote.quote, rateDate: c.quote.rateDate, published: c.quote.rate, stored: c.stored })),
        rateDate: maxDate(quotes),
      };
    },
  };
}

export type FxImportActivities = ReturnType<typeof createFxImportActivities>;
