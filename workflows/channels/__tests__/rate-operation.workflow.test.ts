import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ackRates, hotelProduct } from '../../../activities/__tests__/channel-rates.fixtures';
import { createChannelRateActivities } from '../../../activities/channel-rates.activities';
import { PrismaChannelConfig } from '../../../activities/channel-config.prisma';
import { PrismaChannelRates } from '../../../activities/channel-rates.prisma';
import type { Database } from '../../../infra/database';
import { temporalTestServerPath } from '../../../infra/tools';
import { openTestPglite } from '../../../test/support/databases';
import { TASK_QUEUES } from '../../task-queues';
import { rateOperationWorkflowId } from '../rate-operation.workflow';
import { InventorySyncWorkflow, RateOperationWorkflow, signalsQuery, type LaneTestActivities } from './rate-operation.test-workflows';

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

describe('RateOperationWorkflow (time-skipping test server, real activities on PGlite)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;
  let rates: PrismaChannelRates;

  beforeAll(async () => {
    [env, bundle, db] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('./rate-operation.test-workflows'), logger: silent }),
      openTestPglite(),
    ]);
    rates = new PrismaChannelRates(db.prisma);
    const config = new PrismaChannelConfig(db.prisma);
    await hotelProduct(db.prisma, 'ROMA');
    await hotelProduct(db.prisma, 'NAPOLI');
    await config.createProperty({ hotelCode: 'HROMA', productCode: 'ROMA' });
    await config.createProperty({ hotelCode: 'HNAP', productCode: 'NAPOLI' });
    await config.createManager({ code: 'HUB', name: 'Hub' });
    await config.createConnection({ code: 'BOOKING', channelManagerCode: 'HUB', name: 'Booking', otaCode: 'BOOKING', endpoint: 'http://hub/b' });
    await config.createConnection({ code: 'EXPEDIA', channelManagerCode: 'HUB', name: 'Expedia', otaCode: 'EXPEDIA', endpoint: 'http://hub/e' });
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.close();
  });

  const laneActivities: LaneTestActivities = {
    ackRatesFor: ({ hotelCode, connection }) => ackRates(db.prisma, connection, { hotelCode }),
  };
  const worker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUES.channels,
      workflowBundle: bundle,
      // The real notifier: signal-with-start of channel-sync-<hotel> from inside the activity.
      activities: { ...createChannelRateActivities({ rates }), ...laneActivities },
    });

  const operation = (hotelCode: string) =>
    rates.createRateOperation({ hotelCode, roomType: 'DBL', ratePlan: 'BAR', start: '2027-06-01', end: '2027-06-05', currency: 'EUR', amounts: [{ guests: 1, amount: '90.00' }, { guests: 2, amount: '110.00' }] });

  it('signals the property sync, watches the acks appear and ends ACKNOWLEDGED with per-channel detail', async () => {
    const op = await operation('HROMA');
    // The sync workflow is already running (started as F1 would), with both lanes: EXPEDIA acks a minute after BOOKING.
    const sync = await env.client.workflow.start(InventorySyncWorkflow, { workflowId: 'channel-sync-HROMA', taskQueue: TASK_QUEUES.channels, args: ['HROMA', ['BOOKING', 'EXPEDIA']] });
    const result = await (await worker()).runUntil(async () => {
      const handle = await env.client.workflow.start(RateOperationWorkflow, { workflowId: rateOperationWorkflowId(op.operationId), taskQueue: TASK_QUEUES.channels, args: [op.operationId] });
      const out = await handle.result();
      expect(await handle.query('progress')).toEqual(out);
      expect(await sync.query(signalsQuery)).toBe(1);
      return out;
    });
    expect(result).toMatchObject({
      operationId: op.operationId,
      hotelCode: 'HROMA',
      status: 'ACKNOWLEDGED',
      connections: {
        BOOKING: { status: 'ACKNOWLEDGED', acknowledged: 10, total: 10, error: null },
        EXPEDIA: { status: 'ACKNOWLEDGED', acknowledged: 10, total: 10, error: null },
      },
    });
    // It polled while EXPEDIA was still pending (2 s, 4 s, ... up to the minute EXPEDIA took).
    expect(result.checks).toBeGreaterThan(3);
    const stored = await rates.getOperation(op.operationId);
    expect(stored).toMatchObject({ status: 'ACKNOWLEDGED', detail: result.connections });
    expect(stored?.completedAt).not.toBeNull();
  });

  it('starts the sync workflow when it is not running, and ends FAILED at the deadline naming the channel that never acknowledged', async () => {
    const op = await operation('HNAP');
    const result = await (await worker()).runUntil(async () => {
      const handle = await env.client.workflow.start(RateOperationWorkflow, {
        workflowId: rateOperationWorkflowId(op.operationId),
        taskQueue: TASK_QUEUES.channels,
        args: [op.operationId, { deadlineMs: 60 * 60_000, renudgeMs: 20 * 60_000 }],
      });
      const out = await handle.result();
      // Started by the signal-with-start (only the BOOKING lane acks); nudged again while pending.
      expect(await env.client.workflow.getHandle('channel-sync-HNAP').query(signalsQuery)).toBeGreaterThanOrEqual(2);
      return out;
    });
    expect(result).toMatchObject({
      status: 'FAILED',
      connections: {
        BOOKING: { status: 'ACKNOWLEDGED', acknowledged: 10, total: 10, error: null },
        EXPEDIA: { status: 'FAILED', acknowledged: 0, total: 10, ackedAt: null, error: 'acknowledged 0 of 10 rates before the deadline' },
      },
    });
    expect(await rates.getOperation(op.operationId)).toMatchObject({ status: 'FAILED', detail: result.connections });
  });
});
