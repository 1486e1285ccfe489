import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createFxImportActivities } from '../../../activities/fx-import.activities';
import { PrismaFxRates } from '../../../activities/fx-rates.prisma';
import { EcbXmlFxRateFeed } from '../../../adapters/ecb-xml/adapter';
import { createTreasuryFeed } from '../../../adapters/treasury-json/adapter';
import { calendarDateIn } from '../../../domain/time/instant';
import type { Database } from '../../../infra/database';
import { temporalTestServerPath } from '../../../infra/tools';
import { startTreasuryRatesServer, type TreasurySandbox } from '../../../sandbox/treasury-rates-server';
import { openTestPglite } from '../../../test/support/databases';
import { TASK_QUEUES } from '../../task-queues';
import { dailyFxImportSchedule } from '../../../workers/schedules/fx-import.schedule';
import { DailyFxImportWorkflow, type DailyFxImportInput, type DailyFxImportResult } from '../fx-import.workflow';

const ECB_XML = readFileSync(path.join(__dirname, '../../../adapters/ecb-xml/__fixtures__/eurofxref-daily.xml'), 'utf8'); // 30 rates of 2026-11-27
const DAY = '2026-11-27';

describe('dailyFxImportSchedule', () => {
  it('runs DailyFxImportWorkflow on weekdays at 16:30 Berlin on the finance queue, skipping overlaps', () => {
    const d = dailyFxImportSchedule(['ECB', 'TREASURY']);
    expect(d.scheduleId).toBe('finance-daily-fx-import');
    expect(d.spec).toEqual({
      calendars: [{ dayOfWeek: { start: 'MONDAY', end: 'FRIDAY' }, hour: 16, minute: 30, second: 0, comment: 'weekdays 16:30 Berlin, after the ECB publication' }],
      timezone: 'Europe/Berlin',
    });
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowId: 'finance-daily-fx-import', taskQueue: 'finance-operations', args: [{ feeds: ['ECB', 'TREASURY'] }] });
    expect(d.action.workflowType).toBe(DailyFxImportWorkflow);
    expect(d.policies).toEqual({ overlap: 'SKIP', catchupWindow: '6 hours' });
  });
});

describe('DailyFxImportWorkflow (time-skipping test server, real activities and HTTP feeds, PGlite)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;
  let treasury: TreasurySandbox;
  let ecb: http.Server;
  let ecbUrl: string;
  const ecbState = { failuresLeft: 0, requests: 0 };
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    ecb = http.createServer((_req, res) => {
      ecbState.requests++;
      const down = ecbState.failuresLeft-- > 0;
      res.writeHead(down ? 503 : 200, { 'content-type': 'text/xml' });
      res.end(down ? 'Service Unavailable' : ECB_XML);
    });
    [env, bundle, db, treasury] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('../fx-import.workflow'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
      openTestPglite(),
      startTreasuryRatesServer({ apiKey: 'test-key', rates: { [DAY]: { GBP: { USD: '1.2654', EUR: '1.1612', LBP: '98765432.1234567891' } } } }),
      new Promise<void>((r) => ecb.listen(0, '127.0.0.1', () => r())),
    ]);
    ecbUrl = `http://127.0.0.1:${(ecb.address() as AddressInfo).port}/eurofxref-daily.xml`;
    const feeds = {
      ECB: new EcbXmlFxRateFeed(ecbUrl),
      TREASURY: createTreasuryFeed({ baseUrl: treasury.url, apiKey: 'test-key', base: 'GBP' }),
      'TREASURY-REVOKED': createTreasuryFeed({ baseUrl: treasury.url, apiKey: 'revoked-key', base: 'GBP' }),
    };
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUES.finance,
      workflowBundle: bundle,
      activities: createFxImportActivities({ fxRates: new PrismaFxRates(db.prisma), feeds }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    if (worker) {
      worker.shutdown();
      await running;
    }
    await env?.teardown();
    await db?.close();
    await treasury?.close();
    await new Promise((r) => ecb?.close(r));
  });

  const run = (workflowId: string, input: DailyFxImportInput) =>
    env.client.workflow.execute(DailyFxImportWorkflow, { workflowId, taskQueue: TASK_QUEUES.finance, args: [input] });
  const stored = (source: string) => db.prisma.fxRate.findMany({ where: { source, rateDate: new Date(`${DAY}T00:00:00Z`) }, orderBy: { quoteCurrency: 'asc' } });

  it('retries a feed that is down twice and one that is late, on skipped time, then stores both publications', async () => {
    ecbState.failuresLeft = 2;
    treasury.failNext(2, 404); // "no rates for that date yet"
    const [realStart, workflowStart] = [Date.now(), await env.currentTimeMs()];

    const result = await run('fx-import-retries', { feeds: ['ECB', 'TREASURY'], date: DAY });

    expect(result).toEqual<DailyFxImportResult>({
      date: DAY,
      feeds: [
        { status: 'imported', feed: 'ECB', source: 'ECB', inserted: 30, unchanged: 0, conflicts: [], rateDate: DAY },
        { status: 'imported', feed: 'TREASURY', source: 'TREASURY', inserted: 3, unchanged: 0, conflicts: [], rateDate: DAY },
      ],
    });
    expect(ecbState.requests).toBe(3);
    // Backoff of 1 then 2 minutes passed on the test server's clock, not the real one.
    expect((await env.currentTimeMs()) - workflowStart).toBeGreaterThanOrEqual(3 * 60_000);
    expect(Date.now() - realStart).toBeLessThan(60_000);

    const ecbRows = await stored('ECB');
    expect(ecbRows).toHaveLength(30);
    expect(ecbRows.find((r) => r.quoteCurrency === 'GBP')).toMatchObject({ baseCurrency: 'EUR', importedBy: 'workflow:fx-import-retries' });
    expect(ecbRows.find((r) => r.quoteCurrency === 'GBP')!.rate.toFixed()).toBe('0.83215');
    expect((await stored('TREASURY')).map((r) => `${r.baseCurrency}/${r.quoteCurrency} ${r.rate.toFixed()}`)).toEqual(['GBP/EUR 1.1612', 'GBP/LBP 98765432.1234567891', 'GBP/USD 1.2654']);
  });

  it('reports a republished different rate as a conflict and a refused key as a failed feed, without failing the run', async () => {
    treasury.publish(DAY, 'GBP', { USD: '1.2655', EUR: '1.1612', LBP: '98765432.1234567891' });
    const conflict = await run('fx-import-conflict', { feeds: ['TREASURY', 'ECB', 'TREASURY'], date: DAY });
    expect(conflict.feeds).toEqual([
      { status: 'imported', feed: 'TREASURY', source: 'TREASURY', inserted: 0, unchanged: 2, conflicts: [{ base: 'GBP', quote: 'USD', rateDate: DAY, published: '1.2655', stored: '1.2654' }], rateDate: DAY },
      { status: 'imported', feed: 'ECB', source: 'ECB', inserted: 0, unchanged: 30, conflicts: [], rateDate: DAY },
    ]);

    const refused = await run('fx-import-refused', { feeds: ['TREASURY-REVOKED', 'BOE'], date: DAY });
    expect(refused.feeds).toEqual([
      { status: 'failed', feed: 'TREASURY-REVOKED', failureType: 'FxFeedRejected', message: expect.stringContaining('refused the request with 401 (check the API key') },
      { status: 'failed', feed: 'BOE', failureType: 'FxFeedUnknown', message: 'No rate feed "BOE" is configured (configured: ECB, TREASURY, TREASURY-REVOKED)' },
    ]);
    expect((await stored('TREASURY')).find((r) => r.quoteCurrency === 'USD')!.rate.toFixed()).toBe('1.2654');
  });

  it('without a date imports "today" in Berlin; a feed still not published after hours of retries is reported failed', async () => {
    const workflowStart = await env.currentTimeMs();
    const today = calendarDateIn(workflowStart, 'Europe/Berlin'); // after the fixtures' 2026-11-27
    const result = await run('fx-import-never-published', { feeds: ['ECB', 'TREASURY'] });
    expect(result).toEqual<DailyFxImportResult>({
      date: today,
      feeds: [
        { status: 'failed', feed: 'ECB', failureType: 'FxRatesNotPublished', message: `ECB: no publication for ${today} yet (latest: ${DAY})` },
        { status: 'failed', feed: 'TREASURY', failureType: 'FxRatesNotPublished', message: `TREASURY: The treasury API has no GBP rates for ${today} yet (its latest publication is ${DAY})` },
      ],
    });
    // Retried for hours on skipped time; the server gives up once the next retry would pass the 6-hour limit.
    const skipped = (await env.currentTimeMs()) - workflowStart;
    expect(skipped).toBeGreaterThanOrEqual(5 * 3_600_000);
    expect(skipped).toBeLessThanOrEqual(6 * 3_600_000 + 60_000);
  });

  it('refuses a request without feeds or with a malformed date', async () => {
    const requests: Array<[string, DailyFxImportInput]> = [
      ['fx-import-no-feeds', { feeds: [] }],
      ['fx-import-bad-date', { feeds: ['ECB'], date: '2026-13-01' }],
    ];
    for (const [id, input] of requests) {
      const err = await run(id, input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidFxImportRequest' });
    }
  });
});
