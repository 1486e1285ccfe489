import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { EcbFeedUnavailableError } from '../../adapters/ecb-xml/client';
import { EcbFeedMalformedError } from '../../adapters/ecb-xml/mapper';
import { TreasuryFeedRejectedError, TreasuryFeedUnavailableError, TreasuryRatesNotPublishedError } from '../../adapters/treasury-json/client';
import { TreasuryFeedMalformedError } from '../../adapters/treasury-json/mapper';
import type { RateQuote } from '../../domain/fx/rates';
import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { createFxImportActivities, FxImportFailureType, type ImportRatesFromFeedInput } from '../fx-import.activities';
import { PrismaFxRates } from '../fx-rates.prisma';
import type { FxRateFeed } from '../ports/fx-rate-feed';

const q = (quote: string, rate: string, rateDate: string, source = 'CB'): RateQuote => ({ source, base: 'EUR', quote, rate, rateDate });

/** A feed that publishes what the test says, or fails as told (the port, no HTTP). */
class ScriptedFeed implements FxRateFeed {
  quotes: RateQuote[] = [];
  error: unknown = null;
  constructor(readonly source: string) {}
  async latest(): Promise<RateQuote[]> {
    if (this.error) throw this.error;
    return this.quotes;
  }
}

/** A feed that can be asked for one date, like the treasury adapter. */
class DatedFeed extends ScriptedFeed {
  asked: string[] = [];
  async ratesOn(date: string): Promise<RateQuote[]> {
    this.asked.push(date);
    return (await this.latest()).filter((x) => x.rateDate <= date);
  }
}

describe('importRatesFromFeed (MockActivityEnvironment, PGlite)', () => {
  let db: Database;
  const central = new ScriptedFeed('CB');
  const treasury = new DatedFeed('TRSY');
  let run: (input: ImportRatesFromFeedInput) => Promise<unknown>;

  beforeAll(async () => {
    db = await openTestPglite();
    const { importRatesFromFeed } = createFxImportActivities({ fxRates: new PrismaFxRates(db.prisma), feeds: { CB: central, TREASURY: treasury } });
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'finance-daily-fx-import-test', runId: 'r1' } });
    run = (input) => env.run(importRatesFromFeed, input);
  });
  afterAll(() => db?.close());

  const failureOf = (input: ImportRatesFromFeedInput) =>
    run(input).then(
      () => {
        throw new Error('expected a failure');
      },
      (err: unknown) => {
        expect(err).toBeInstanceOf(ApplicationFailure);
        const f = err as ApplicationFailure;
        return { type: f.type, nonRetryable: f.nonRetryable, category: f.category, message: f.message, details: f.details };
      },
    );

  it('imports the latest publication, idempotently, and reports a republished different rate as a conflict', async () => {
    central.quotes = [q('USD', '1.0512', '2026-11-27'), q('GBP', '0.83215', '2026-11-27'), q('USD', '1.0498', '2026-11-26')];
    expect(await run({ feed: 'CB' })).toEqual({ feed: 'CB', source: 'CB', inserted: 3, unchanged: 0, conflicts: [], rateDate: '2026-11-27' });
    expect(await run({ feed: 'CB' })).toEqual({ feed: 'CB', source: 'CB', inserted: 0, unchanged: 3, conflicts: [], rateDate: '2026-11-27' });
    central.quotes = [q('USD', '1.0513', '2026-11-27'), q('GBP', '0.832150', '2026-11-27'), q('JPY', '158.37', '2026-11-27')];
    expect(await run({ feed: 'CB', date: '2026-11-27' })).toEqual({
      feed: 'CB',
      source: 'CB',
      inserted: 1,
      unchanged: 1,
      conflicts: [{ base: 'EUR', quote: 'USD', rateDate: '2026-11-27', published: '1.0513', stored: '1.0512' }],
      rateDate: '2026-11-27',
    });
    const row = await db.prisma.fxRate.findFirst({ where: { source: 'CB', quoteCurrency: 'JPY' } });
    expect(row?.importedBy).toBe('workflow:finance-daily-fx-import-test');
    expect(row?.rate.toFixed()).toBe('158.37');
  });

  it('with a date: imports only that publication; not published yet is retryable and benign; moved on is final', async () => {
    central.quotes = [q('CHF', '0.9302', '2026-11-27'), q('CHF', '0.9311', '2026-11-26')];
    expect(await run({ feed: 'CB', date: '2026-11-26' })).toMatchObject({ inserted: 1, rateDate: '2026-11-26' });
    expect(await failureOf({ feed: 'CB', date: '2026-11-30' })).toMatchObject({
      type: FxImportFailureType.FxRatesNotPublished,
      nonRetryable: false,
      category: 'BENIGN',
      message: 'CB: no publication for 2026-11-30 yet (latest: 2026-11-27)',
    });
    expect(await failureOf({ feed: 'CB', date: '2026-11-20' })).toMatchObject({ type: FxImportFailureType.FxRatesNoLongerServed, nonRetryable: true });

    treasury.quotes = [{ source: 'TRSY', base: 'GBP', quote: 'USD', rate: '1.2654', rateDate: '2026-11-27' }];
    expect(await run({ feed: 'TREASURY', date: '2026-11-27' })).toEqual({ feed: 'TREASURY', source: 'TRSY', inserted: 1, unchanged: 0, conflicts: [], rateDate: '2026-11-27' });
    expect(treasury.asked).toEqual(['2026-11-27']);
  });

  it('classifies adapter errors: malformed and refused are final, unavailable and not-yet-published retryable', async () => {
    const cases: Array<[unknown, string, boolean]> = [
      [new EcbFeedUnavailableError('The ECB feed answered 503'), FxImportFailureType.FxFeedUnavailable, false],
      [new TreasuryFeedUnavailableError('timeout', undefined), FxImportFailureType.FxFeedUnavailable, false],
      [new TreasuryRatesNotPublishedError('no rates yet', '2026-11-27'), FxImportFailureType.FxRatesNotPublished, false],
      [new EcbFeedMalformedError(['time must be YYYY-MM-DD']), FxImportFailureType.FxFeedMalformed, true],
      [new TreasuryFeedMalformedError(['rates.usd: "usd" is not an ISO 4217 currency code']), FxImportFailureType.FxFeedMalformed, true],
      [new TreasuryFeedRejectedError('refused with 401', 401), FxImportFailureType.FxFeedRejected, true],
    ];
    for (const [error, type, nonRetryable] of cases) {
      treasury.error = error;
      const failure = await failureOf({ feed: 'TREASURY' });
      expect({ type: failure.type, nonRetryable: failure.nonRetryable, message: failure.message }).toEqual({ type, nonRetryable, message: `TREASURY: ${(error as Error).message}` });
    }
    treasury.error = new TreasuryFeedMalformedError(['rates.EUR: rate for EUR must be greater than zero (got -1)']);
    expect((await failureOf({ feed: 'TREASURY' })).details).toEqual([['rates.EUR: rate for EUR must be greater than zero (got -1)']]);

    treasury.error = new Error('socket hang up');
    await expect(run({ feed: 'TREASURY' })).rejects.toThrow('socket hang up');
    treasury.error = null;

    expect(await failureOf({ feed: 'BOE' })).toMatchObject({ type: FxImportFailureType.FxFeedUnknown, nonRetryable: true, message: 'No rate feed "BOE" is configured (configured: CB, TREASURY)' });
    expect(await failureOf({ feed: 'constructor' })).toMatchObject({ type: FxImportFailureType.FxFeedUnknown });
    expect(await failureOf({ feed: 'CB', date: '27/11/2026' })).toMatchObject({ type: FxImportFailureType.FxImportInvalidRequest, nonRetryable: true });
  });
});
