import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import express, { type Express } from 'express';
import request from 'supertest';
import { line, setUpRevaluationBooks } from '../../activities/__tests__/revaluation.contract';
import { PrismaLedger } from '../../activities/ledger.prisma';
import { createRevaluationActivities } from '../../activities/revaluation.activities';
import { PrismaFxRevaluation } from '../../activities/revaluation.prisma';
import type { Database } from '../../infra/database';
import { TemporalClientProvider } from '../../infra/temporal';
import { temporalTestServerPath } from '../../infra/tools';
import { openTestPglite } from '../../test/support/databases';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { errorHandler } from '../error-handler';
import { revaluationRoutes } from '../routes/revaluation.routes';
import { RevaluationDetailResponse, RevaluationRunListResponse, RevaluationRunView } from '../schemas/revaluation.schema';

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

describe('revaluation API (PGlite, time-skipping Temporal server, real worker)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;
  let app: Express;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    [env, bundle, db] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows/finance/revaluation.workflow'), logger: silent }),
      openTestPglite(),
    ]);
    await setUpRevaluationBooks(db.prisma, [
      ['USD', '2026-08-05', '0.7900'],
      ['USD', '2026-10-30', '0.8100'],
    ]);
    await new PrismaLedger(db.prisma).post({
      idempotencyKey: 'test:usd-sale',
      description: 'Tour sold in USD',
      accountingDate: '2026-08-05',
      lines: [line('asset:receivable:customers', 'DEBIT', '10000.00', 'USD'), line('liability:deferred-revenue:tours', 'CREDIT', '10000.00', 'USD')],
    });
    // A plain client: awaiting a result does not let the test server skip time.
    const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    app = express();
    app.use(express.json());
    app.use(revaluationRoutes({ prisma: db.prisma, temporal: TemporalClientProvider.fromClient(client), operatorTimeZone: 'Europe/London' }));
    app.use(errorHandler);
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUES.finance,
      workflowBundle: bundle,
      activities: createRevaluationActivities({ revaluation: new PrismaFxRevaluation(db.prisma) }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await db?.close();
  });

  it('runs a month end once and returns the same run when asked again', async () => {
    const first = await request(app).post('/finance/revaluations').send({ periodEnd: '2026-10-31' });
    expect(first.status).toBe(201);
    // The answers have the shapes the OpenAPI document gives them.
    RevaluationRunView.parse(first.body);
    expect(first.headers.location).toBe('/finance/revaluations/2026-10-31');
    expect(first.body).toMatchObject({ periodEnd: '2026-10-31', baseCurrency: 'GBP', balances: 1, totalGain: '200.00', totalLoss: '0.00' });
    expect(first.body.entryIds).toHaveLength(1);
    expect(first.body.reversalEntryIds).toHaveLength(1);
    // Finished, then reversed: both moments are shown (epoch ms).
    expect(first.body.completedAt).toBeGreaterThanOrEqual(first.body.createdAt);
    expect(first.body.reversedAt).toBeGreaterThanOrEqual(first.body.completedAt);
    // Asked again: the same run, answered 200 (not created now).
    const again = await request(app).post('/finance/revaluations').send({ periodEnd: '2026-10-31' });
    expect(again.status).toBe(200);
    expect(again.headers.location).toBe('/finance/revaluations/2026-10-31');
    expect(again.body).toEqual(first.body);
  });

  it('lists runs and shows one with its lines and the postings with their rates', async () => {
    const list = await request(app).get('/finance/revaluations');
    expect(list.status).toBe(200);
    RevaluationRunListResponse.parse(list.body);
    expect(list.body.runs.map((r: { periodEnd: string }) => r.periodEnd)).toEqual(['2026-10-31']);
    expect(list.body.runs[0]).toMatchObject({ completedAt: expect.any(Number), reversedAt: expect.any(Number) });

    const detail = await request(app).get('/finance/revaluations/2026-10-31');
    expect(detail.status).toBe(200);
    RevaluationDetailResponse.parse(detail.body);
    expect(detail.body.run).toEqual(list.body.runs[0]);
    expect(detail.body.lines).toEqual([
      { account: 'asset:receivable:customers', currency: 'USD', foreignBalance: '10000.00', carryingBase: '7900.00', closingRate: '0.81', closingRateDate: '2026-10-30', revaluedBase: '8100.00', difference: '200.00' },
    ]);
    expect(detail.body.postings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountingDate: '2026-10-31', account: 'asset:receivable:customers', side: 'DEBIT', amount: { amount: '200.00', currency: 'GBP' }, revalues: 'USD', translation: { base: { amount: '200.00', currency: 'GBP' }, rate: '1', source: 'IDENTITY', rateDate: '2026-10-31' } }),
        expect.objectContaining({ accountingDate: '2026-11-01', account: 'asset:receivable:customers', side: 'CREDIT', revalues: 'USD' }),
      ]),
    );
    expect(detail.body.postings).toHaveLength(4);

    const missing = await request(app).get('/finance/revaluations/2026-09-30');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ title: 'Not found', detail: 'No FX revaluation run for 2026-09-30' });
    const bad = await request(app).get('/finance/revaluations/2026-09-31?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { pointer: 'path:/periodEnd', detail: 'must be a calendar date written YYYY-MM-DD' },
    ]);
  });

  it('answers 422 naming the pair and date when a closing rate is missing, and refuses bad periods', async () => {
    const res = await request(app).post('/finance/revaluations').send({ periodEnd: '2026-09-30' });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ title: 'Revaluation failed', failureType: 'FxRevaluationRateMissing', missingRates: [{ from: 'USD', to: 'GBP', date: '2026-09-30', source: 'MANUAL' }] });
    expect(res.body.detail).toMatch(/No USD\/GBP rate for 2026-09-30/);

    const notMonthEnd = await request(app).post('/finance/revaluations').send({ periodEnd: '2026-10-30', extra: 1 });
    expect(notMonthEnd.status).toBe(422);
    expect(notMonthEnd.body.errors).toEqual([
      { pointer: '/periodEnd', detail: 'must be the last day of a month, e.g. "2026-11-30"' },
      { pointer: '/extra', detail: 'is not a known field' },
    ]);
    const future = await request(app).post('/finance/revaluations').send({ periodEnd: '2099-12-31' });
    expect(future.status).toBe(422);
    expect(future.body).toMatchObject({ title: 'Period not ended', errors: [{ pointer: '/periodEnd' }] });
  });
});
