import { Client, WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { seedChartOfAccounts } from '../../../activities/chart-seed.prisma';
import { PrismaLedger } from '../../../activities/ledger.prisma';
import { createRevenueActivities } from '../../../activities/revenue.activities';
import { PrismaDeferredRevenue } from '../../../activities/revenue.prisma';
import { travelChartOfAccounts } from '../../../domain/ledger/chart';
import type { Database } from '../../../infra/database';
import { temporalTestServerPath } from '../../../infra/tools';
import { openTestPglite } from '../../../test/support/databases';
import { TASK_QUEUES } from '../../task-queues';
import { dailyRevenueRecognitionSchedule } from '../../../workers/schedules/revenue-recognition.schedule';
import { DailyRevenueRecognitionWorkflow } from '../revenue-recognition.workflow';


describe('dailyRevenueRecognitionSchedule', () => {
  it('runs DailyRevenueRecognitionWorkflow at 01:00 every day in the zone, on the finance queue, one buffered', () => {
    const d = dailyRevenueRecognitionSchedule('Asia/Tokyo');
    expect(d.scheduleId).toBe('finance-daily-revenue-recognition');
    expect(d.spec).toEqual({ calendars: [{ hour: 1, minute: 0, second: 0, comment: 'daily at 01:00 operator time' }], timezone: 'Asia/Tokyo' });
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowId: 'finance-daily-revenue-recognition', taskQueue: 'finance-operations', args: [{ timeZone: 'Asia/Tokyo' }] });
    expect(d.action.workflowType).toBe(DailyRevenueRecognitionWorkflow);
    expect(d.policies).toEqual({ overlap: 'BUFFER_ONE', catchupWindow: '1 day' });
  });
});

describe('DailyRevenueRecognitionWorkflow (time-skipping test server, real activities on PGlite)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;
  let ledger: PrismaLedger;
  let revenue: PrismaDeferredRevenue;

  beforeAll(async () => {
    [env, bundle, db] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('../revenue-recognition.workflow'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
      openTestPglite(),
    ]);
    ledger = new PrismaLedger(db.prisma);
    revenue = new PrismaDeferredRevenue(db.prisma, ledger);
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.close();
  });

  const worker = () =>
    Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.finance, workflowBundle: bundle, activities: createRevenueActivities({ revenue }) });
  const net = async (account: string, asOf: string) => (await ledger.balance(account, 'GBP', asOf)).net;

  it('releases a 10-day tour at 100.00 a day when started at 01:00 each day as the schedule would', async () => {
    // Dates relative to the test server's clock, so the test never ages; Tokyo (UTC+9, no DST):
    // 01:00 there is 16:00 UTC the day before, so "today" must come from the operator's zone.
    const day = (offset: number) => new Date(Date.parse(firstDay) + offset * 86_400_000).toISOString().slice(0, 10);
    const firstDay = new Date((await env.currentTimeMs()) + 30 * 86_400_000).toISOString().slice(0, 10);
    // The sale: the customer's money is deferred revenue until the tour runs.
    await ledger.post({
      idempotencyKey: 'test-sale:ITN-TOUR0001:deposit',
      description: 'Tour sold',
      accountingDate: day(-10),
      lines: [
        { account: 'asset:receivable:customers', side: 'DEBIT', amount: { amount: '1000.00', currency: 'GBP' } },
        { account: 'liability:deferred-revenue:tours', side: 'CREDIT', amount: { amount: '1000.00', currency: 'GBP' } },
      ],
    });
    await revenue.deferComponent({
      bookingRef: 'ITN-TOUR0001',
      componentId: 'tour',
      productType: 'tours',
      channel: 'online',
      amount: { amount: '1000.00', currency: 'GBP' },
      serviceStart: day(0),
      serviceEnd: day(9),
    });
    const { action } = dailyRevenueRecognitionSchedule('Asia/Tokyo');
    const offsets = Array.from({ length: 13 }, (_, i) => i - 2);

    // A client that does not unlock time skipping while it waits: the test server would otherwise
    // run on to the finished workflow's execution timeout. Only env.sleep moves the clock.
    const plainClient = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    const seen = await (await worker()).runUntil(async () => {
      const out: Array<{ day: string; date: string; items: number; deferred: string; revenue: string }> = [];
      for (const offset of offsets) {
        await env.sleep(Date.parse(`${day(offset)}T01:00:00+09:00`) - (await env.currentTimeMs()));
        const result = await plainClient.workflow.execute(action.workflowType, {
          workflowId: `${action.workflowId}-${day(offset)}`,
          taskQueue: action.taskQueue,
          args: action.args,
        });
        out.push({ day: day(offset), date: result.date, items: result.itemsRecognised, deferred: await net('liability:deferred-revenue:tours', day(offset)), revenue: await net('revenue:tours:online', day(offset)) });
      }
      return out;
    });

    expect(seen).toEqual(
      offsets.map((offset) => {
        const released = Math.max(0, Math.min(10, offset + 1));
        return {
          day: day(offset),
          date: day(offset),
          items: offset >= 0 && offset <= 9 ? 1 : 0,
          deferred: released === 10 ? '0.00' : `-${1000 - 100 * released}.00`,
          revenue: released ? `-${100 * released}.00` : '0.00',
        };
      }),
    );
  });

  it('recognises through an explicit date in batches, and refuses an unknown zone', async () => {
    for (const componentId of ['a', 'b', 'c']) {
      await revenue.deferComponent({ bookingRef: 'ITN-BATCH001', componentId, productType: 'transfers', channel: 'agent', amount: { amount: '12.34', currency: 'GBP' }, serviceStart: '2027-04-02', serviceEnd: '2027-04-02' });
    }
    const result = await (await worker()).runUntil(
      env.client.workflow.execute(DailyRevenueRecognitionWorkflow, { workflowId: 'revenue-explicit-date', taskQueue: TASK_QUEUES.finance, args: [{ date: '2027-04-02', timeZone: 'Europe/London', batchSize: 1 }] }),
    );
    expect(result).toEqual({ date: '2027-04-02', itemsRecognised: 3, entriesPosted: 3, amountsByCurrency: { GBP: '37.02' }, failures: [] });

    const err = await (await worker())
      .runUntil(env.client.workflow.execute(DailyRevenueRecognitionWorkflow, { workflowId: 'revenue-bad-zone', taskQueue: TASK_QUEUES.finance, args: [{ timeZone: 'Mars/Olympus' }] }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidRecognitionRequest', message: 'Unknown IANA time zone: Mars/Olympus' });
  });
});
