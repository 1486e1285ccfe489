import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ChannelConnectionError } from '../../../activities/channel-ports';
import { TemporalInventoryChangeSink } from '../../../activities/channel-sync-notifier';
import { createChannelSyncActivities } from '../../../activities/channel-sync.activities';
import { ChannelDirectory } from '../../../activities/channel-directory.prisma';
import { addDays } from '../../../domain/catalog/dates';
import { ChannelManagerError } from '../../../domain/channels/model';
import type { Database } from '../../../infra/database';
import { temporalTestServerPath } from '../../../infra/tools';
import { openTestPglite } from '../../../test/support/databases';
import { CHANNEL_SYNC_TASK_QUEUE, InventorySyncWorkflow, inventorySyncWorkflowId, ratesChangedSignal, repairNightsSignal, syncStatusQuery, type InventorySyncStatus } from '../inventory-sync.workflow';
import { RecordingChannel, addConnection, callTime, seedChannelHotel, sellUnits, silentLogger, type RecordedCall } from './inventory-sync.fixtures';

const HOTEL = 'HSYNC';
const NIGHTS = 12;

/** The most calls any 1-second window (by recorded workflow time) holds. */
function maxPerSecond(calls: RecordedCall[]): number {
  const times = calls.map((c) => c.at).sort((a, b) => a - b);
  let max = 0;
  for (let i = 0; i < times.length; i++) max = Math.max(max, times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length);
  return max;
}

describe('InventorySyncWorkflow (time-skipping test server, real activities on PGlite, recording channels)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;
  let productId: string;
  let first: string;
  const day = (i: number) => addDays(first, i);
  const channels = { 'SYNC-A': new RecordingChannel('SYNC-A'), 'SYNC-B': new RecordingChannel('SYNC-B'), 'SYNC-C': new RecordingChannel('SYNC-C') };
  let sink: TemporalInventoryChangeSink;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    [env, bundle, db] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('./inventory-sync.bundle'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
      openTestPglite(),
    ]);
    first = addDays(new Date(await env.currentTimeMs()).toISOString().slice(0, 10), 10);
    ({ productId } = await seedChannelHotel(db, { hotelCode: HOTEL, from: first, nights: NIGHTS, quantity: 5 }));
    await addConnection(db, 'SYNC-A', { requestsPerSecond: 2, properties: [HOTEL] });
    await addConnection(db, 'SYNC-B', { requestsPerSecond: 5, properties: [HOTEL] });
    await addConnection(db, 'SYNC-C', { requestsPerSecond: 5, properties: [HOTEL] });
    await addConnection(db, 'SYNC-OTHER', { properties: ['ELSEWHERE'] });
    sink = new TemporalInventoryChangeSink({ get: () => Promise.resolve(env.client) }, db, silentLogger);
    // One worker for the whole file: the sync workflow lives across the tests.
    worker = await createWorker();
    running = worker.run();
  });
  afterAll(async () => {
    if (worker) {
      worker.shutdown();
      await running;
    }
    await env?.teardown();
    await db?.close();
  });

  const createWorker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue: CHANNEL_SYNC_TASK_QUEUE,
      workflowBundle: bundle,
      activities: createChannelSyncActivities({
        db,
        ports: (code) => {
          const c = channels[code as keyof typeof channels];
          return c ? Promise.resolve(c) : Promise.reject(new ChannelConnectionError(code, `Unknown channel connection ${code}`));
        },
        logger: silentLogger,
        clock: callTime,
      }),
    });
  const status = () => env.client.workflow.getHandle(inventorySyncWorkflowId(HOTEL)).query(syncStatusQuery);
  const lane = (s: InventorySyncStatus, c: string) => s.lanes.find((l) => l.connection === c);
  const itineraCounts = async () => {
    const nights = ['DBL', 'TWN'].flatMap((roomType) => Array.from({ length: NIGHTS }, (_, i) => ({ roomType, date: day(i) })));
    return new Map((await new ChannelDirectory(db).itineraCounts(productId, nights)).nights.map((n) => [`${n.roomType}|${n.date}`, n.count]));
  };

  it('coalesces bursts, paces each lane to its requests per second, keeps a failing channel from delaying the others, and catches it up with the newest counts', async () => {
    const [a, b, c] = [channels['SYNC-A'], channels['SYNC-B'], channels['SYNC-C']];
    b.fault = new ChannelManagerError('unavailable', 'HTTP 503 from the channel');
    c.fault = new ChannelManagerError('rejected', 'Invalid hotel code', { problems: [{ type: '3', code: '392', message: 'Invalid hotel code' }] });

    // A burst: 10 sales on 10 nights, each notified at once.
    for (let i = 0; i < 10; i++) {
      await sellUnits(db, productId, 'DBL', day(i), 1);
      await sink.inventoryChanged({ productId, category: 'DBL', from: day(i), to: day(i), source: 'api' });
    }
    await env.sleep(3_000);
    const burst = a.callsOf('pushCounts');
    expect(burst.length).toBeGreaterThanOrEqual(1);
    expect(burst.length).toBeLessThanOrEqual(3);
    for (let i = 0; i < 10; i++) expect(a.counts.get(`DBL|${day(i)}`)).toBe(4);

    const s1 = await status();
    expect(s1.lanes.map((l) => l.connection)).toEqual(['SYNC-A', 'SYNC-B', 'SYNC-C']);
    // A is done while B is still retrying (unavailable) and C gave up on a refusal.
    expect(lane(s1, 'SYNC-A')).toMatchObject({ pendingNights: 0, inFlight: false, lastError: null });
    expect(lane(s1, 'SYNC-B')).toMatchObject({ inFlight: true, pushes: 0, lastError: null });
    expect(lane(s1, 'SYNC-C')).toMatchObject({ inFlight: false, pushes: 0, lastError: { type: 'ChannelRejected', message: 'SYNC-C: Invalid hotel code' } });
    expect(b.callsOf('pushCounts').length).toBeGreaterThanOrEqual(2); // retried

    // A steady stream: a sale every 100 ms for 3 s on TWN.
    const before = a.calls.length;
    for (let k = 0; k < 30; k++) {
      await sellUnits(db, productId, 'TWN', day(k % NIGHTS), 1);
      await sink.inventoryChanged({ productId, category: 'TWN', from: day(k % NIGHTS), to: day(k % NIGHTS), source: 'api' });
      await env.sleep(100);
    }
    await env.sleep(3_000);
    const stream = a.calls.slice(before);
    expect(stream.length).toBeGreaterThanOrEqual(4); // pacing actually had work to hold back
    expect(stream.length).toBeLessThan(30); // coalesced, not one push per change
    expect(maxPerSecond(a.calls)).toBeLessThanOrEqual(2);
    expect(a.maxConcurrent).toBe(1);
    const expected = await itineraCounts();
    for (const [k, n] of expected) if (k.startsWith('TWN') || a.counts.has(k)) expect([k, a.counts.get(k)]).toEqual([k, n]);

    // B comes back: its lane catches up with the CURRENT counts in a few pushes.
    const bBefore = b.callsOf('pushCounts').length;
    b.fault = null;
    await env.sleep(40_000);
    const bPushes = b.callsOf('pushCounts').length - bBefore;
    expect(bPushes).toBeGreaterThanOrEqual(1);
    expect(bPushes).toBeLessThanOrEqual(3);
    for (const [k, n] of expected) if (k.startsWith('TWN') || k < `DBL|${day(10)}`) expect([k, b.counts.get(k)]).toEqual([k, n]);
    expect(maxPerSecond(b.calls.slice(bBefore))).toBeLessThanOrEqual(5);
    const s2 = await status();
    expect(lane(s2, 'SYNC-B')).toMatchObject({ inFlight: false, pendingNights: 0, lastError: null });
    // Acknowledged state matches what the channel has.
    const states = await new ChannelDirectory(db).syncStates('SYNC-B', HOTEL, day(0), day(NIGHTS - 1));
    for (const st of states) expect([st.roomType, st.date, st.pushedCount]).toEqual([st.roomType, st.date, expected.get(`${st.roomType}|${st.date}`)]);
  });

  it('pushes rate diffs through the same paced lane on ratesChanged, idempotently', async () => {
    const a = channels['SYNC-A'];
    const op = '33333333-3333-4333-8333-333333333333';
    for (const i of [0, 1, 2]) await db.query(`INSERT INTO channel_rates (hotel_code, room_type, rate_plan, stay_date, guests, amount, currency, operation_id) VALUES ($1, 'DBL', 'BAR', $2::date, 2, 150, 'EUR', $3::uuid)`, [HOTEL, day(i), op]);
    const handle = env.client.workflow.getHandle(inventorySyncWorkflowId(HOTEL));
    await handle.signal(ratesChangedSignal, { operationId: op });
    await env.sleep(2_000);
    expect(a.callsOf('pushRates').map((c) => c.payload)).toEqual([
      { hotelCode: HOTEL, rates: [{ roomType: 'DBL', ratePlan: 'BAR', start: day(0), end: day(2), currency: 'EUR', amounts: [{ guests: 2, amount: '150.00' }] }] },
    ]);
    // In parity: a second signal sends nothing.
    await handle.signal(ratesChangedSignal, {});
    await env.sleep(2_000);
    expect(a.callsOf('pushRates')).toHaveLength(1);
    await db.query(`UPDATE channel_rates SET amount = 155 WHERE hotel_code = $1 AND stay_date = $2::date`, [HOTEL, day(1)]);
    await handle.signal(ratesChangedSignal, {});
    await env.sleep(2_000);
    expect(a.callsOf('pushRates').at(-1)!.payload).toEqual({ hotelCode: HOTEL, rates: [{ roomType: 'DBL', ratePlan: 'BAR', start: day(1), end: day(1), currency: 'EUR', amounts: [{ guests: 2, amount: '155.00' }] }] });
    expect(maxPerSecond(a.calls)).toBeLessThanOrEqual(2);
    expect(channels['SYNC-B'].rates.get(`DBL|BAR|${day(1)}|2`)).toBe('155.00 EUR');
    expect(lane(await status(), 'SYNC-C')?.lastError?.type).toBe('ChannelRejected');
  });

  it('ends after an idle hour and is started again by the next change or repair, nothing lost', async () => {
    const a = channels['SYNC-A'];
    const handle = env.client.workflow.getHandle(inventorySyncWorkflowId(HOTEL));
    await env.sleep(2 * 3_600_000);
    await expect(handle.result()).resolves.toEqual({ ended: 'idle' });
    // A repair arriving first (before the lanes exist) is kept and applied.
    a.counts.set(`DBL|${day(11)}`, 99);
    await env.client.workflow.signalWithStart(InventorySyncWorkflow, {
      workflowId: inventorySyncWorkflowId(HOTEL),
      taskQueue: CHANNEL_SYNC_TASK_QUEUE,
      args: [HOTEL],
      signal: repairNightsSignal,
      signalArgs: [{ connection: 'SYNC-A', nights: [{ roomType: 'DBL', date: day(11) }] }],
    });
    await env.sleep(2_000);
    expect(a.counts.get(`DBL|${day(11)}`)).toBe(5);
    expect(lane(await status(), 'SYNC-A')).toMatchObject({ pendingNights: 0, pushes: 1 });
  });
});
