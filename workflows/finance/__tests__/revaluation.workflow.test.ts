import { Client, WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { addManualRates, line, setUpRevaluationBooks } from '../../../activities/__tests__/revaluation.contract';
import { PrismaLedger } from '../../../activities/ledger.prisma';
import { createRevaluationActivities } from '../../../activities/revaluation.activities';
import { PrismaFxRevaluation, type RevaluationRunSummary } from '../../../activities/revaluation.prisma';
import type { Database } from '../../../infra/database';
import { temporalTestServerPath } from '../../../infra/tools';
import { openTestPglite } from '../../../test/support/databases';
import { monthEndRevaluationSchedule } from '../../../workers/schedules/revaluation.schedule';

const ZONE = 'Europe/London';
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

describe('MonthEndRevaluationWorkflow (time-skipping test server, real activities on PGlite)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;
  /**
   * A plain client: awaiting a result through it does not unlock time skipping, so the clock only
   * jumps where the test sleeps (the environment's own client lets it run on past the result).
   */
  let client: Client;
  const schedule = monthEndRevaluationSchedule(ZONE);
  const action = schedule.action as { workflowType: string | ((...args: never[]) => unknown); workflowId: string; taskQueue: string; args: unknown[] };
  const workflowType = typeof action.workflowType === 'string' ? action.workflowType : action.workflowType.name;

  beforeAll(async () => {
    [env, bundle, db] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('../revaluation.workflow'), logger: silent }),
      openTestPglite(),
    ]);
    client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    await setUpRevaluationBooks(db.prisma, [
      ['USD', '2026-11-10', '0.7900'],
      ['EUR', '2026-11-10', '0.8700'],
      ['USD', '2026-11-30', '0.8100'],
      ['EUR', '2026-11-30', '0.8600'],
      ['USD', '2026-12-31', '0.8000'],
      ['EUR', '2026-12-31', '0.8800'],
      // 31 January 2027 is a Sunday: Friday's publication is the closing rate.
      ['USD', '2027-01-29', '0.7700'],
      ['EUR', '2027-01-29', '0.8800'],
    ]);
    const ledger = new PrismaLedger(db.prisma);
    // USD 10,000.00 owed by a customer (GBP 7,900.00); EUR 5,000.00 owed to a supplier (GBP 4,350.00).
    await ledger.post({
      idempotencyKey: 'test:usd-sale',
      description: 'Tour sold in USD',
      accountingDate: '2026-11-10',
      lines: [line('asset:receivable:customers', 'DEBIT', '10000.00', 'USD'), line('liability:deferred-revenue:tours', 'CREDIT', '10000.00', 'USD')],
    });
    await ledger.post({
      idempotencyKey: 'test:eur-invoice',
      description: 'Hotel invoice in EUR',
      accountingDate: '2026-11-10',
      lines: [line('asset:prepaid:suppliers', 'DEBIT', '5000.00', 'EUR'), line('liability:payable:suppliers', 'CREDIT', '5000.00', 'EUR')],
    });
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.close();
  });

  const entryDates = async (ids: string[]) =>
    (await db.prisma.journalEntry.findMany({ where: { id: { in: ids } }, select: { accountingDate: true } })).map((e) => e.accountingDate.toISOString().slice(0, 10));

  it('revalues at each month end across a year end, as the schedule starts it, and reverses on the 1st', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: action.taskQueue,
      workflowBundle: bundle,
      activities: createRevaluationActivities({ revaluation: new PrismaFxRevaluation(db.prisma) }),
    });
    const { runs, again, entriesBefore, entriesAfter } = await worker.runUntil(async () => {
      const out: RevaluationRunSummary[] = [];
      for (const firstOfMonth of ['2026-12-01', '2027-01-01', '2027-02-01']) {
        // 00:30 in London in winter is 00:30 UTC: the schedule's calendar spec fires then.
        const fireAt = Date.parse(`${firstOfMonth}T00:30:00Z`);
        await env.sleep(fireAt - (await env.currentTimeMs()));
        const handle = await client.workflow.start(workflowType, {
          taskQueue: action.taskQueue,
          workflowId: `${action.workflowId}-${new Date(fireAt).toISOString()}`,
          args: action.args,
        });
        out.push((await handle.result()) as RevaluationRunSummary);
      }
      // Re-running a period (by hand, with the period named) changes nothing.
      const before = await db.prisma.journalEntry.count();
      const rerun = (await client.workflow.execute(workflowType, {
        taskQueue: action.taskQueue,
        workflowId: 'finance-revaluation-2026-12-31',
        args: [{ periodEnd: '2026-12-31', timeZone: ZONE }],
      })) as RevaluationRunSummary;
      return { runs: out, again: rerun, entriesBefore: before, entriesAfter: await db.prisma.journalEntry.count() };
    });

    expect(runs.map((r) => [r.periodEnd, r.balances, r.totalGain, r.totalLoss])).toEqual([
      // Nov: USD 10,000 x 0.81 = 8,100 vs 7,900 -> +200; EUR prepaid 5,000 x 0.86 = 4,300 vs 4,350 -> -50, payable -4,300 vs -4,350 -> +50.
      ['2026-11-30', 3, '250.00', '50.00'],
      // Dec (November reversed on 1 Dec, so carried at booking rates again): USD +100; EUR prepaid +50, payable -50.
      ['2026-12-31', 3, '150.00', '50.00'],
      // Jan: USD 7,700 vs 7,900 -> -200; EUR prepaid +50, payable -50.
      ['2027-01-31', 3, '50.00', '250.00'],
    ]);
    for (const [run, reversedOn] of [
      [runs[0]!, '2026-12-01'],
      [runs[1]!, '2027-01-01'],
      [runs[2]!, '2027-02-01'],
    ] as const) {
      expect(run.entryIds).toHaveLength(1);
      expect(run.reversalEntryIds).toHaveLength(1);
      expect(await entryDates(run.entryIds)).toEqual([run.periodEnd]);
      expect(await entryDates(run.reversalEntryIds)).toEqual([reversedOn]);
    }
    const ledger = new PrismaLedger(db.prisma);
    expect(await ledger.balance('revenue:fx:unrealised-gain', 'GBP', '2026-12-31')).toMatchObject({ net: '-150.00' });
    expect(await ledger.balance('revenue:fx:unrealised-gain', 'GBP', '2027-01-01')).toMatchObject({ net: '0.00' });

    expect(again).toEqual(runs[1]);
    expect(entriesAfter).toBe(entriesBefore);
  });

  it('fails with the activity failure type when a closing rate is missing, posting nothing', async () => {
    await addManualRates(db.prisma, []);
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: action.taskQueue,
      workflowBundle: bundle,
      activities: createRevaluationActivities({ revaluation: new PrismaFxRevaluation(db.prisma) }),
    });
    const entries = await db.prisma.journalEntry.count();
    const failure = await worker
      .runUntil(client.workflow.execute(workflowType, { taskQueue: action.taskQueue, workflowId: 'finance-revaluation-2027-03-31', args: [{ periodEnd: '2027-03-31', timeZone: ZONE }] }))
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({ type: 'FxRevaluationRateMissing', message: expect.stringMatching(/No EUR\/GBP rate for 2027-03-31.*No USD\/GBP rate for 2027-03-31/) });
    expect(await db.prisma.journalEntry.count()).toBe(entries);
    expect(await db.prisma.fxRevaluationRun.count({ where: { periodEnd: new Date('2027-03-31') } })).toBe(0);
  });
});
