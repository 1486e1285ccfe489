import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ChannelConnectionError } from '../../../activities/channel-ports';
import { TemporalInventoryChangeSink } from '../../../activities/channel-sync-notifier';
import { createChannelSyncActivities, type ReconciliationReportEntry } from '../../../activities/channel-sync.activities';
import { addDays } from '../../../domain/catalog/dates';
import type { ChannelManagerPort } from '../../../activities/ports/channel-manager';
import { ChannelManagerError, type AvailabilityPush, type ChannelInventorySnapshot, type CountPush, type PushAck, type RatePush } from '../../../domain/channels/model';
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

  function workerFor(channels: Record<string, ChannelManagerPort>): Promise<Worker> {
    return Worker.create({
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
  }

  it('finds drifted nights and lost notifications, repairs them through the property lane, and records the run', async () => {
    const today = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
    const first = addDays(today, 2);
    const day = (i: number) => addDays(first, i);
    const { productId } = await seedChannelHotel(db, { hotelCode: 'HREC', from: first, nights: 5, quantity: 3 });
    await addConnection(db, 'REC-A', { requestsPerSecond: 5, properties: ['HREC'] });
    await addConnection(db, 'REC-DOWN', { requestsPerSecond: 5, properties: ['HREC'] });
    const a = new RecordingChannel('REC-A');
    const down = new RecordingChannel('REC-DOWN');
    down.fault = new ChannelManagerError('unauthorized', 'HTTP 401');
    const channels: Record<string, RecordingChannel> = { 'REC-A': a, 'REC-DOWN': down };
    const worker = await workerFor(channels);
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
      expect(result).toEqual({ runId: expect.any(String), from: today, to: addDays(today, 29), targets: 2, done: 2, checked: 60, drifted: 2, lost: 1, repaired: 2, errors: 1 });

      // The repair went through the lane: the channel has Itinera's counts again.
      await env.sleep(2_000);
      expect(a.counts.get(`DBL|${day(1)}`)).toBe(3);
      expect(a.counts.get(`TWN|${day(3)}`)).toBe(1);

      const [run] = await db.query<{ checked: number; repaired: number; ended_at: Date | null; report: { from: string; to: string; targets: number; errors: number; connections: ReconciliationReportEntry[] } }>(
        `SELECT checked, repaired, ended_at, report FROM channel_reconciliation_runs WHERE id = $1::uuid`,
        [result.runId],
      );
      expect(run).toMatchObject({ checked: 60, repaired: 2, report: { from: today, to: addDays(today, 29), targets: 2, errors: 1 } });
      expect(run!.ended_at).not.toBeNull();
      expect(run!.report.connections).toEqual([
        {
          hotelCode: 'HREC',
          connection: 'REC-A',
          checked: 30 * 2,
          drifted: 2,
          lost: 1,
          repaired: 2,
          error: null,
          driftedNights: { ranges: [`${day(1)} DBL channel 1 → itinera 3`, `${day(3)} TWN channel 3 → itinera 1`], more: 0 },
          lostNights: { ranges: [`${day(3)} TWN version 2, acked 1`], more: 0 },
        },
        { hotelCode: 'HREC', connection: 'REC-DOWN', checked: 0, drifted: 0, lost: 0, repaired: 0, error: 'REC-DOWN: HTTP 401', driftedNights: { ranges: [], more: 0 }, lostNights: { ranges: [], more: 0 } },
      ]);

      // A second run finds nothing to repair.
      const again = await env.client.workflow.execute(ChannelReconciliationWorkflow, { workflowId: 'recon-2', taskQueue: CHANNEL_RECONCILIATION_TASK_QUEUE, args: [{}] });
      expect(again).toMatchObject({ targets: 2, checked: 180, drifted: 0, lost: 0, repaired: 0, errors: 1 });

      const bad = await env.client.workflow.execute(ChannelReconciliationWorkflow, { workflowId: 'recon-bad', taskQueue: CHANNEL_RECONCILIATION_TASK_QUEUE, args: [{ horizonDays: 0 }] }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(WorkflowFailedError);
      expect((bad as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidReconciliationRequest' });
    });
  });

  it('keeps every workflow payload small on a large drift: 2 properties × 2 connections × 365 nights, paged with continue-as-new', async () => {
    await db.query(`UPDATE channel_connections SET active = false WHERE code LIKE 'REC-%'`, []);
    const today = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
    const last = addDays(today, 364);
    const hotels = ['HBIG1', 'HBIG2'];
    for (const hotelCode of hotels) await seedChannelHotel(db, { hotelCode, from: today, nights: 365, quantity: 3 });
    await addConnection(db, 'BIG-A', { requestsPerSecond: 5, properties: hotels });
    await addConnection(db, 'BIG-B', { requestsPerSecond: 5, properties: hotels });
    // BIG-A has never been told anything (one range per room type); BIG-B shows 0/1 alternately, so nothing compresses.
    const a = new PerHotelChannel('BIG-A');
    const b = new PerHotelChannel('BIG-B');
    for (const hotelCode of hotels) for (const roomType of ['DBL', 'TWN']) for (let i = 0; i < 365; i++) b.of(hotelCode).counts.set(`${roomType}|${addDays(today, i)}`, i % 2);
    const worker = await workerFor({ 'BIG-A': a, 'BIG-B': b });

    await worker.runUntil(async () => {
      const result = await env.client.workflow.execute(ChannelReconciliationWorkflow, { workflowId: 'recon-big', taskQueue: CHANNEL_RECONCILIATION_TASK_QUEUE, args: [{ horizonDays: 365, pageSize: 1 }] });
      const nights = 2 * 2 * 2 * 365;
      expect(result).toEqual({ runId: expect.any(String), from: today, to: last, targets: 4, done: 4, checked: nights, drifted: nights, lost: nights, repaired: nights, errors: 0 });

      // Two pages → two runs; no payload in either history (inputs, activity inputs/results, continue-as-new, result) exceeds 2 KB.
      const first = await env.client.workflow.getHandle('recon-big', result.runId).fetchHistory();
      const latest = await env.client.workflow.getHandle('recon-big').fetchHistory();
      expect(first.events!.some((e) => e.workflowExecutionContinuedAsNewEventAttributes)).toBe(true);
      expect(latest.events!.some((e) => e.workflowExecutionCompletedEventAttributes)).toBe(true);
      const sizes = [...payloadSizes(first), ...payloadSizes(latest)];
      expect(sizes.length).toBeGreaterThan(10);
      expect(Math.max(...sizes)).toBeLessThan(2048);

      // The repairs went to each property's lane in signals of at most 500 nights.
      const sync = await env.client.workflow.getHandle('channel-sync-HBIG1').fetchHistory();
      const signals = sync.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'repairNights');
      expect(signals).toHaveLength(4); // 2 connections × ⌈730 / 500⌉
      expect(Math.max(...payloadSizes({ events: signals }))).toBeLessThan(32 * 1024);

      // The report row: every connection listed, nights compressed into ranges, at most 200 of them.
      const [run] = await db.query<{ checked: number; repaired: number; size: number; report: { targets: number; connections: ReconciliationReportEntry[] } }>(
        `SELECT checked, repaired, length(report::text) AS size, report FROM channel_reconciliation_runs WHERE id = $1::uuid`,
        [result.runId],
      );
      expect(run).toMatchObject({ checked: nights, repaired: nights, report: { targets: 4 } });
      expect(run!.report.connections.map((c) => `${c.hotelCode}/${c.connection}`)).toEqual(['HBIG1/BIG-A', 'HBIG1/BIG-B', 'HBIG2/BIG-A', 'HBIG2/BIG-B']);
      const entry = (h: string, c: string) => run!.report.connections.find((e) => e.hotelCode === h && e.connection === c)!;
      expect(entry('HBIG1', 'BIG-A')).toEqual({
        hotelCode: 'HBIG1',
        connection: 'BIG-A',
        checked: 730,
        drifted: 730,
        lost: 730,
        repaired: 730,
        error: null,
        driftedNights: { ranges: [`${today}..${last} DBL channel none → itinera 3`, `${today}..${last} TWN channel none → itinera 3`], more: 0 },
        lostNights: { ranges: [`${today}..${last} DBL version 1, acked 0`, `${today}..${last} TWN version 1, acked 0`], more: 0 },
      });
      const alternating = entry('HBIG2', 'BIG-B');
      expect(alternating.driftedNights.ranges).toHaveLength(200);
      expect(alternating.driftedNights.more).toBe(730 - 200);
      expect(alternating.driftedNights.ranges.slice(0, 2)).toEqual([`${today} DBL channel 0 → itinera 3`, `${addDays(today, 1)} DBL channel 1 → itinera 3`]);
      expect(alternating.lostNights).toEqual({ ranges: [`${today}..${last} DBL version 1, acked 0`, `${today}..${last} TWN version 1, acked 0`], more: 0 });
      expect(run!.size).toBeLessThan(40_000);

      // And the lanes repaired every channel.
      await env.sleep(5_000);
      for (const ch of [a, b]) for (const hotelCode of hotels) for (const roomType of ['DBL', 'TWN']) for (const i of [0, 1, 200, 364]) expect(ch.of(hotelCode).counts.get(`${roomType}|${addDays(today, i)}`)).toBe(3);
    });
  });
});

/** One RecordingChannel per hotel behind one connection (RecordingChannel itself ignores the hotel code). */
class PerHotelChannel implements ChannelManagerPort {
  private readonly hotels = new Map<string, RecordingChannel>();
  constructor(readonly connection: string) {}
  of(hotelCode: string): RecordingChannel {
    let ch = this.hotels.get(hotelCode);
    if (!ch) this.hotels.set(hotelCode, (ch = new RecordingChannel(this.connection)));
    return ch;
  }
  pushCounts(push: CountPush, echoToken: string): Promise<PushAck> {
    return this.of(push.hotelCode).pushCounts(push, echoToken);
  }
  pushAvailability(push: AvailabilityPush, echoToken: string): Promise<PushAck> {
    return this.of(push.hotelCode).pushAvailability(push, echoToken);
  }
  pushRates(push: RatePush, echoToken: string): Promise<PushAck> {
    return this.of(push.hotelCode).pushRates(push, echoToken);
  }
  readCounts(hotelCode: string, start: string, end: string, echoToken: string): Promise<ChannelInventorySnapshot> {
    return this.of(hotelCode).readCounts(hotelCode, start, end, echoToken);
  }
  cancelReservation(): Promise<PushAck> {
    return Promise.reject(new Error('not used'));
  }
}

/** The byte size of every payload in a history's events (inputs, results, signal arguments…). */
function payloadSizes(history: { events?: unknown[] | null }): number[] {
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.payloads)) for (const p of o.payloads as { data?: Uint8Array | null }[]) out.push(p.data?.length ?? 0);
    for (const [k, child] of Object.entries(o)) if (k !== 'payloads') walk(child);
  };
  walk(history.events ?? []);
  return out;
}
