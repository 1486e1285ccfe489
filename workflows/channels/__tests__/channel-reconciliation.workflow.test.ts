import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ChannelConnectionError } from '../../../activities/channel-ports';
import { TemporalInventoryChangeSink } from '../../../activities/channel-sync-notifier';
import { createChannelSyncActivities } from '../../../activities/channel-sync.activities';
import { addDays } from '../../../domain/catalog/dates';
import { ChannelManagerError } from '../../../domain/channels/model';
import type { Database } from '../../../infra/database';
import { temporalTestServerPath } from '../../../infra/tools';
import { openTestPglite } from '../../../test/support/databases';
import { channelReconciliationSchedule } from '../../../workers/schedules/channel-reconciliation.schedule';
import { CHANNEL_RECONCILIATION_TASK_QUEUE, ChannelReconciliationWorkflow } from '../channel-reconciliation.workflow';
import { RecordingChannel, addConnection, callTime, seedChannelHotel, sellUnits, silentLogger } from './inventory-sync.fixtures';

describe('channelReconciliationSchedule', () => {
  it('runs ChannelReconciliationWorkflow every 6 hours on the channel-sync queue, skipping overlaps', () => {
    const d = channelReconciliationSchedule();
    expect(d.scheduleId).toBe('channel-reconciliation');
    expect(d.spec).toEqual({ intervals: [{ every: '6 hours', offset: '40 minutes' }] });
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowId: 'channel-reconciliation', taskQueue: 'channel-sync', args: [{ horizonDays: 90 }] });
    expect(d.action.workflowType).toBe(ChannelReconciliationWorkflow);
    expect(d.policies).toEqual({ overlap: 'SKIP', catchupWindow: '6 hours' });
  });
});

describe('ChannelReconciliationWorkflow (time-skipping test server, real activities on PGlite)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;

  beforeAll(async () => {
    [env, bundle, db] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('./inventory-sync.bundle'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
      openTestPglite(),
    ]);
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.close();
  });

  it('finds drifted nights and lost notifications, repairs them through the property lane, and records the run', async () => {
    const today = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
    const first = addDays(today, 2);
    const day = (i: number) => addDays(first, i);
    const { productId } = await seedChannelHotel(db, { hotelCode: 'HREC', from: first, nights: 5, quantity: 3 });
    await addConnection(db, 'REC-A', { requestsPerSecond: 5 });
    await addConnection(db, 'REC-DOWN', { requestsPerSecond: 5 });
    const a = new RecordingChannel('REC-A');
    const down = new RecordingChannel('REC-DOWN');
    down.fault = new ChannelManagerError('unauthorized', 'HTTP 401');
    const channels: Record<string, RecordingChannel> = { 'REC-A': a, 'REC-DOWN': down };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: CHANNEL_RECONCILIATION_TASK_QUEUE,
      workflowBundle: bundle,
      activities: createChannelSyncActivities({
        db,
        ports: (code) => (channels[code] ? Promise.resolve(channels[code]) : Promise.reject(new ChannelConnectionError(code, `Unknown channel connection ${code}`))),
        logger: silentLogger,
        clock: callTime,
      }),
    });
    const sink = new TemporalInventoryChangeSink({ get: () => Promise.resolve(env.client) }, db, silentLogger);

    await worker.runUntil(async () => {
      // The channel gets the initial state the normal way.
      await sink.inventoryChanged({ productId, category: null, from: day(0), to: day(4), source: 'api' });
      await env.sleep(2_000);
      expect(a.counts.get(`DBL|${day(1)}`)).toBe(3);
      // Drift: the channel changed a count by itself; a sale whose notification was lost.
      a.counts.set(`DBL|${day(1)}`, 1);
      await sellUnits(db, productId, 'TWN', day(3), 2);

      const result = await env.client.workflow.execute(ChannelReconciliationWorkflow, { workflowId: 'recon-1', taskQueue: CHANNEL_RECONCILIATION_TASK_QUEUE, args: [{ horizonDays: 30 }] });
      expect(result).toMatchObject({ from: today, to: addDays(today, 29), checked: 60, repaired: 2 });
      const rec = result.connections.find((c) => c.connection === 'REC-A')!;
      expect(rec.drifted).toEqual([
        { roomType: 'DBL', date: day(1), channel: 1, itinera: 3 },
        { roomType: 'TWN', date: day(3), channel: 3, itinera: 1 },
      ]);
      expect(rec.lostNotifications).toEqual([{ roomType: 'TWN', date: day(3), version: 2, pushedVersion: 1 }]);
      expect(result.connections.find((c) => c.connection === 'REC-DOWN')).toMatchObject({ checked: 0, repaired: 0, error: 'REC-DOWN: HTTP 401' });

      // The repair went through the lane: the channel has Itinera's counts again.
      await env.sleep(2_000);
      expect(a.counts.get(`DBL|${day(1)}`)).toBe(3);
      expect(a.counts.get(`TWN|${day(3)}`)).toBe(1);

      const [run] = await db.query<{ checked: number; repaired: number; ended_at: Date | null; report: { from: string; connections: { connection: string; repaired: number }[] } }>(
        `SELECT checked, repaired, ended_at, report FROM channel_reconciliation_runs WHERE id = $1::uuid`,
        [result.runId],
      );
      expect(run).toMatchObject({ checked: 60, repaired: 2, report: { from: today } });
      expect(run!.ended_at).not.toBeNull();
      expect(run!.report.connections.map((c) => [c.connection, c.repaired])).toEqual([['REC-A', 2], ['REC-DOWN', 0]]);

      // A second run finds nothing to repair.
      const again = await env.client.workflow.execute(ChannelReconciliationWorkflow, { workflowId: 'recon-2', taskQueue: CHANNEL_RECONCILIATION_TASK_QUEUE, args: [{}] });
      expect(again.connections.find((c) => c.connection === 'REC-A')).toMatchObject({ checked: 180, drifted: [], lostNotifications: [], repaired: 0 });

      const bad = await env.client.workflow.execute(ChannelReconciliationWorkflow, { workflowId: 'recon-bad', taskQueue: CHANNEL_RECONCILIATION_TASK_QUEUE, args: [{ horizonDays: 0 }] }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(WorkflowFailedError);
      expect((bad as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidReconciliationRequest' });
    });
  });
});
