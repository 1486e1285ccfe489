import { ApplicationFailure } from '@temporalio/common';
import { ChannelDirectory } from '../channel-directory.prisma';
import { ChannelConnectionError, channelPortFactory } from '../channel-ports';
import { TemporalInventoryChangeSink } from '../channel-sync-notifier';
import { compressRoomCounts, createChannelSyncActivities, summariseDrift, summariseLost } from '../channel-sync.activities';
import { OpenTravelXmlChannelManager } from '../../adapters/opentravel-xml/adapter';
import { addDays } from '../../domain/catalog/dates';
import { ChannelManagerError } from '../../domain/channels/model';
import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { RecordingChannel, addConnection, seedChannelHotel, sellUnits, silentLogger } from '../../workflows/channels/__tests__/inventory-sync.fixtures';

const D = '2030-05-01';
const day = (i: number) => addDays(D, i);

describe('compressRoomCounts', () => {
  it('merges consecutive nights of one room type with the same count into inclusive ranges', () => {
    expect(
      compressRoomCounts([
        { roomType: 'TWN', date: day(0), count: 1 },
        { roomType: 'DBL', date: day(2), count: 3 },
        { roomType: 'DBL', date: day(0), count: 3 },
        { roomType: 'DBL', date: day(1), count: 3 },
        { roomType: 'DBL', date: day(3), count: 0 },
        { roomType: 'DBL', date: day(5), count: 0 }, // gap on day 4: a new range
        { roomType: 'TWN', date: day(1), count: 1 },
      ]),
    ).toEqual([
      { roomType: 'DBL', start: day(0), end: day(2), count: 3 },
      { roomType: 'DBL', start: day(3), end: day(3), count: 0 },
      { roomType: 'DBL', start: day(5), end: day(5), count: 0 },
      { roomType: 'TWN', start: day(0), end: day(1), count: 1 },
    ]);
    expect(compressRoomCounts([])).toEqual([]);
  });
});

describe('channel sync activities on PGlite', () => {
  let db: Database;
  let productId: string;
  const channels: Record<string, RecordingChannel> = {};
  let acts: ReturnType<typeof createChannelSyncActivities>;
  const repairs: unknown[] = [];

  beforeAll(async () => {
    db = await openTestPglite();
    ({ productId } = await seedChannelHotel(db, { hotelCode: 'HACT', from: D, nights: 4, quantity: 5 }));
    await addConnection(db, 'ACT-A', { requestsPerSecond: 3 });
    channels['ACT-A'] = new RecordingChannel('ACT-A');
    acts = createChannelSyncActivities({
      db,
      ports: (code) => {
        const c = channels[code];
        return c ? Promise.resolve(c) : Promise.reject(new ChannelConnectionError(code, `Unknown channel connection ${code}`));
      },
      logger: silentLogger,
      clock: () => Date.parse('2030-04-01T10:00:00Z'),
      signalRepair: (repair) => (repairs.push(repair), Promise.resolve()),
    });
  });
  afterAll(() => db?.close());

  it('counts allotment − held − sold − released (>= 0, no row = 0) with stop-sells and versions, in one query', async () => {
    // DBL: day0 5−1−2 = 2; day1 released (0); day2 sold out; day4 has no inventory row.
    await db.query(`UPDATE inventory SET held = 1, sold = 2, version = version + 1 WHERE product_id = $1::uuid AND category = 'DBL' AND stay_date = $2::date`, [productId, day(0)]);
    await db.query(`UPDATE inventory SET released = allotment, version = version + 1 WHERE product_id = $1::uuid AND category = 'DBL' AND stay_date = $2::date`, [productId, day(1)]);
    await db.query(`UPDATE inventory SET sold = allotment, version = version + 3 WHERE product_id = $1::uuid AND category = 'DBL' AND stay_date = $2::date`, [productId, day(2)]);
    // Stop sales: the whole product on day1, TWN only on day3.
    await db.query(`INSERT INTO stop_sales (id, product_id, category, date_from, date_to, reason) VALUES (gen_random_uuid(), $1::uuid, NULL, $2::date, $2::date, 'renovation'), (gen_random_uuid(), $1::uuid, 'TWN', $3::date, $3::date, 'twin closed')`, [productId, day(1), day(3)]);
    const nights = ['DBL', 'TWN'].flatMap((roomType) => [0, 1, 2, 3, 4].map((i) => ({ roomType, date: day(i) })));
    const got = await new ChannelDirectory(db).itineraCounts(productId, nights);
    expect(got.nights.map((n) => [n.roomType, n.date, n.count, n.stopSell, n.version])).toEqual([
      ['DBL', day(0), 2, false, 2],
      ['DBL', day(1), 0, true, 2],
      ['DBL', day(2), 0, false, 4],
      ['DBL', day(3), 5, false, 1],
      ['DBL', day(4), 0, false, 0],
      ['TWN', day(0), 5, false, 1],
      ['TWN', day(1), 5, true, 1],
      ['TWN', day(2), 5, false, 1],
      ['TWN', day(3), 5, true, 1],
      ['TWN', day(4), 0, false, 0],
    ]);
    expect(got.maxVersion).toBe(4);
  });

  it('pushes compressed counts, records the acks, and flags the nights whose stop-sell the channel has not got', async () => {
    const nights = ['DBL', 'TWN'].flatMap((roomType) => [0, 1, 2, 3].map((i) => ({ roomType, date: day(i) })));
    const r = await acts.pushRoomCounts({ connection: 'ACT-A', hotelCode: 'HACT', nights, echoToken: 't-1' });
    expect(r).toMatchObject({ requests: 1, nights: 8, ranges: 4, maxVersion: 4, superseded: [] });
    expect(r.stopSellChanged).toEqual([{ roomType: 'DBL', date: day(1) }, { roomType: 'TWN', date: day(1) }, { roomType: 'TWN', date: day(3) }]);
    expect(channels['ACT-A']!.calls.at(-1)).toMatchObject({
      method: 'pushCounts',
      echoToken: 't-1',
      payload: {
        hotelCode: 'HACT',
        counts: [
          { roomType: 'DBL', start: day(0), end: day(0), count: 2 },
          { roomType: 'DBL', start: day(1), end: day(2), count: 0 },
          { roomType: 'DBL', start: day(3), end: day(3), count: 5 },
          { roomType: 'TWN', start: day(0), end: day(3), count: 5 },
        ],
      },
    });
    const states = await new ChannelDirectory(db).syncStates('ACT-A', 'HACT', day(0), day(3));
    expect(states.find((s) => s.roomType === 'DBL' && s.date === day(2))).toMatchObject({ pushedCount: 0, pushedVersion: 4, pushedStopSell: false, ackedAt: Date.parse('2030-04-01T10:00:00Z') });

    const s = await acts.pushStopSells({ connection: 'ACT-A', hotelCode: 'HACT', nights: r.stopSellChanged, echoToken: 't-2' });
    expect(s).toEqual({ requests: 1, statuses: 3 });
    expect(channels['ACT-A']!.stopSells.get(`TWN|${day(3)}`)).toBe(true);
    // Now acknowledged: pushing the same nights again flags nothing.
    const again = await acts.pushRoomCounts({ connection: 'ACT-A', hotelCode: 'HACT', nights, echoToken: 't-3' });
    expect(again.stopSellChanged).toEqual([]);
  });

  it('never records an older version over a newer acknowledgement: the night is reported superseded', async () => {
    await db.query(`UPDATE channel_sync_states SET pushed_version = 99, pushed_count = 4 WHERE connection_code = 'ACT-A' AND room_type = 'DBL' AND stay_date = $1::date`, [day(3)]);
    const r = await acts.pushRoomCounts({ connection: 'ACT-A', hotelCode: 'HACT', nights: [{ roomType: 'DBL', date: day(3) }, { roomType: 'TWN', date: day(3) }], echoToken: 't-4' });
    expect(r.superseded).toEqual([{ roomType: 'DBL', date: day(3) }]);
    const [dbl] = await new ChannelDirectory(db).syncStates('ACT-A', 'HACT', day(3), day(3));
    expect(dbl).toMatchObject({ roomType: 'DBL', pushedVersion: 99, pushedCount: 4 });
    // A newer sale (version 2 < 99 still) is also refused; after a real newer version it is recorded.
    await db.query(`UPDATE inventory SET version = 100 WHERE product_id = $1::uuid AND category = 'DBL' AND stay_date = $2::date`, [productId, day(3)]);
    await sellUnits(db, productId, 'DBL', day(3), 1);
    const r2 = await acts.pushRoomCounts({ connection: 'ACT-A', hotelCode: 'HACT', nights: [{ roomType: 'DBL', date: day(3) }], echoToken: 't-5' });
    expect(r2.superseded).toEqual([]);
    expect((await new ChannelDirectory(db).syncStates('ACT-A', 'HACT', day(3), day(3)))[0]).toMatchObject({ pushedVersion: 101, pushedCount: 4 });
  });

  it('classifies channel errors: refusals are non-retryable and recorded on the nights, outages retryable', async () => {
    const night = [{ roomType: 'TWN', date: day(0) }];
    channels['ACT-A']!.fault = new ChannelManagerError('rejected', 'Invalid room type', { problems: [{ type: '3', code: '402', message: 'Invalid room type' }] });
    const rejected = await acts.pushRoomCounts({ connection: 'ACT-A', hotelCode: 'HACT', nights: night, echoToken: 't-6' }).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(ApplicationFailure);
    expect(rejected).toMatchObject({ type: 'ChannelRejected', nonRetryable: true, message: 'ACT-A: Invalid room type' });
    expect((await new ChannelDirectory(db).syncStates('ACT-A', 'HACT', day(0), day(0))).find((s) => s.roomType === 'TWN')?.lastError).toBe('ACT-A: Invalid room type');
    channels['ACT-A']!.fault = new ChannelManagerError('rate-limited', 'Too many requests', { status: 429, retryAfterMs: 2000 });
    expect(await acts.pushRoomCounts({ connection: 'ACT-A', hotelCode: 'HACT', nights: night, echoToken: 't-7' }).catch((e: unknown) => e)).toMatchObject({ type: 'ChannelRateLimited', nonRetryable: false, nextRetryDelay: 2000 });
    channels['ACT-A']!.fault = new ChannelManagerError('unavailable', '503');
    expect(await acts.pushRoomCounts({ connection: 'ACT-A', hotelCode: 'HACT', nights: night, echoToken: 't-8' }).catch((e: unknown) => e)).toMatchObject({ type: 'ChannelUnavailable', nonRetryable: false });
    channels['ACT-A']!.fault = null;
    expect(await acts.pushRoomCounts({ connection: 'NOPE', hotelCode: 'HACT', nights: night, echoToken: 't-9' }).catch((e: unknown) => e)).toMatchObject({ type: 'ChannelConnectionInvalid', nonRetryable: true });
    expect(await acts.pushRoomCounts({ connection: 'ACT-A', hotelCode: 'NOHOTEL', nights: night, echoToken: 't-10' }).catch((e: unknown) => e)).toMatchObject({ type: 'ChannelPropertyUnknown', nonRetryable: true });
  });

  it('pushes the rate diff: missing or changed acks only, every occupancy of a changed night, compressed; nothing when in parity', async () => {
    const op1 = '11111111-1111-4111-8111-111111111111';
    const op2 = '22222222-2222-4222-8222-222222222222';
    for (const i of [0, 1, 2])
      for (const [guests, amount] of [[1, '100.00'], [2, '120.50']] as const)
        await db.query(`INSERT INTO channel_rates (hotel_code, room_type, rate_plan, stay_date, guests, amount, currency, operation_id) VALUES ('HACT', 'DBL', 'BAR', $1::date, $2, $3::numeric, 'EUR', $4::uuid)`, [day(i), guests, amount, op1]);
    const before = channels['ACT-A']!.callsOf('pushRates').length;
    expect(await acts.pushRateDiff({ connection: 'ACT-A', hotelCode: 'HACT', echoToken: 'r-1' })).toEqual({ requests: 1, nights: 3, more: false });
    expect(channels['ACT-A']!.callsOf('pushRates').at(-1)!.payload).toEqual({
      hotelCode: 'HACT',
      rates: [{ roomType: 'DBL', ratePlan: 'BAR', start: day(0), end: day(2), currency: 'EUR', amounts: [{ guests: 1, amount: '100.00' }, { guests: 2, amount: '120.50' }] }],
    });
    expect(await acts.pushRateDiff({ connection: 'ACT-A', hotelCode: 'HACT', echoToken: 'r-2' })).toEqual({ requests: 0, nights: 0, more: false });
    await db.query(`UPDATE channel_rates SET amount = 130, operation_id = $2::uuid WHERE stay_date = $1::date AND guests = 2`, [day(1), op2]);
    expect(await acts.pushRateDiff({ connection: 'ACT-A', hotelCode: 'HACT', echoToken: 'r-3', maxNights: 5 })).toEqual({ requests: 1, nights: 1, more: false });
    expect(channels['ACT-A']!.callsOf('pushRates').at(-1)!.payload).toEqual({
      hotelCode: 'HACT',
      rates: [{ roomType: 'DBL', ratePlan: 'BAR', start: day(1), end: day(1), currency: 'EUR', amounts: [{ guests: 1, amount: '100.00' }, { guests: 2, amount: '130.00' }] }],
    });
    expect(channels['ACT-A']!.callsOf('pushRates').length).toBe(before + 2);
    const acks = await db.query<{ amount: string; operation_id: string }>(`SELECT amount::text, operation_id::text FROM channel_rate_acks WHERE connection_code = 'ACT-A' AND stay_date = $1::date AND guests = 2`, [day(1)]);
    expect(acks).toEqual([{ amount: '130.0000', operation_id: op2 }]);
  });

  it('reconciles a (property, connection) end to end: repair signalled, entry recorded once, only counts returned', async () => {
    const ch = channels['ACT-A']!;
    ch.counts.set(`TWN|${day(2)}`, 9); // tampered on the channel
    await sellUnits(db, productId, 'TWN', day(0), 1); // never notified
    const runId = await acts.startReconciliationRun({ id: '33333333-3333-4333-8333-333333333333', startedAt: Date.parse('2030-04-01T10:00:00Z'), from: day(0), to: day(4) });
    expect(runId).toBe('33333333-3333-4333-8333-333333333333');
    // A retried start finds the same row.
    expect(await acts.startReconciliationRun({ id: runId, startedAt: Date.parse('2030-04-01T10:00:00Z'), from: day(0), to: day(4) })).toBe(runId);
    const reads = ch.callsOf('readCounts').length;

    const input = { runId, connection: 'ACT-A', hotelCode: 'HACT', from: day(0), to: day(4), echoToken: 'c-1' };
    const r = await acts.reconcileConnection(input);
    expect(r).toEqual({ checked: 10, drifted: 2, lost: 1, repaired: 2, error: null });
    expect(repairs).toEqual([{ hotelCode: 'HACT', connection: 'ACT-A', nights: [{ roomType: 'TWN', date: day(0) }, { roomType: 'TWN', date: day(2) }] }]);

    // A retry (the activity's result was lost) returns the recorded counts: no second read, signal or entry.
    expect(await acts.reconcileConnection({ ...input, echoToken: 'c-2' })).toEqual(r);
    expect(ch.callsOf('readCounts').length).toBe(reads + 1);
    expect(repairs).toHaveLength(1);

    await acts.recordReconciliationError({ runId, hotelCode: 'HACT', connection: 'ACT-B', error: 'ACT-B: HTTP 401' });
    await acts.recordReconciliationError({ runId, hotelCode: 'HACT', connection: 'ACT-B', error: 'ACT-B: HTTP 401' });
    await acts.finishReconciliationRun({ id: runId, endedAt: Date.parse('2030-04-01T10:01:00Z'), totals: { targets: 2, drifted: 2, lost: 1, errors: 1 } });
    const [run] = await db.query<{ checked: number; repaired: number; ended_at: Date; report: unknown }>(`SELECT checked, repaired, ended_at, report FROM channel_reconciliation_runs WHERE id = $1::uuid`, [runId]);
    expect(run).toEqual({
      checked: 10,
      repaired: 2,
      ended_at: new Date('2030-04-01T10:01:00Z'),
      report: {
        from: day(0),
        to: day(4),
        targets: 2,
        drifted: 2,
        lost: 1,
        errors: 1,
        connections: [
          {
            hotelCode: 'HACT',
            connection: 'ACT-A',
            checked: 10,
            drifted: 2,
            lost: 1,
            repaired: 2,
            error: null,
            driftedNights: { ranges: [`${day(0)} TWN channel 5 → itinera 4`, `${day(2)} TWN channel 9 → itinera 5`], more: 0 },
            lostNights: { ranges: [`${day(0)} TWN version 2, acked 1`], more: 0 },
          },
          { hotelCode: 'HACT', connection: 'ACT-B', checked: 0, drifted: 0, lost: 0, repaired: 0, error: 'ACT-B: HTTP 401', driftedNights: { ranges: [], more: 0 }, lostNights: { ranges: [], more: 0 } },
        ],
      },
    });
    await expect(acts.reconcileConnection({ ...input, runId: '44444444-4444-4444-8444-444444444444' })).rejects.toMatchObject({ type: 'ReconciliationRunUnknown', nonRetryable: true });
  });

  it('pages reconciliation targets by hotel code', async () => {
    expect(await acts.listReconciliationTargetsPage({ after: null, limit: 1 })).toEqual({ targets: [{ hotelCode: 'HACT', connections: ['ACT-A'] }], next: null });
    expect(await acts.listReconciliationTargetsPage({ after: 'HACT', limit: 5 })).toEqual({ targets: [], next: null });
  });
});

describe('reconciliation report lines', () => {
  it('compresses consecutive nights with the same values into ranges and lists at most the cap', () => {
    const drift = [
      { roomType: 'DBL', date: day(2), channel: 8, itinera: 7 },
      { roomType: 'DBL', date: day(0), channel: 8, itinera: 7 },
      { roomType: 'DBL', date: day(1), channel: 8, itinera: 7 },
      { roomType: 'DBL', date: day(3), channel: null, itinera: 7 },
      { roomType: 'STD', date: day(5), channel: 1, itinera: 0 },
      { roomType: 'STD', date: day(7), channel: 1, itinera: 0 }, // gap on day 6
    ];
    expect(summariseDrift(drift)).toEqual({
      ranges: [`${day(0)}..${day(2)} DBL channel 8 → itinera 7`, `${day(3)} DBL channel none → itinera 7`, `${day(5)} STD channel 1 → itinera 0`, `${day(7)} STD channel 1 → itinera 0`],
      more: 0,
    });
    expect(summariseDrift(drift, 2)).toEqual({ ranges: [`${day(0)}..${day(2)} DBL channel 8 → itinera 7`, `${day(3)} DBL channel none → itinera 7`], more: 2 });
    expect(
      summariseLost([
        { roomType: 'TWN', date: day(0), version: 2, pushedVersion: 1 },
        { roomType: 'TWN', date: day(1), version: 5, pushedVersion: 1 },
        { roomType: 'TWN', date: day(2), version: 3, pushedVersion: 2 },
      ]),
    ).toEqual({ ranges: [`${day(0)}..${day(1)} TWN version 2..5, acked 1`, `${day(2)} TWN version 3, acked 2`], more: 0 });
    expect(summariseDrift([])).toEqual({ ranges: [], more: 0 });
  });
});

describe('TemporalInventoryChangeSink and channelPortFactory', () => {
  let db: Database;
  let productId: string;
  beforeAll(async () => {
    db = await openTestPglite();
    ({ productId } = await seedChannelHotel(db, { hotelCode: 'HNOT', from: D, nights: 1, quantity: 1 }));
  });
  afterAll(() => db?.close());

  it('signals-with-start the property workflow; a product that is not a channel property is a no-op; failures are logged, never thrown', async () => {
    const calls: unknown[][] = [];
    const client = { workflow: { signalWithStart: (...args: unknown[]) => (calls.push(args), Promise.resolve()) } };
    const errors: unknown[] = [];
    const logger = { ...silentLogger, error: (o: unknown) => void errors.push(o) };
    const sink = new TemporalInventoryChangeSink({ get: () => Promise.resolve(client as never) }, db, logger);
    await sink.inventoryChanged({ productId, category: 'DBL', from: D, to: day(2), source: 'api' });
    await sink.inventoryChanged({ productId: '00000000-0000-4000-8000-000000000000', category: null, from: D, to: D, source: 'api' });
    expect(calls).toEqual([
      [
        'InventorySyncWorkflow',
        { workflowId: 'channel-sync-HNOT', taskQueue: 'channel-sync', args: ['HNOT'], signal: 'inventoryChanged', signalArgs: [{ category: 'DBL', from: D, to: day(2), source: 'api' }] },
      ],
    ]);
    const down = new TemporalInventoryChangeSink({ get: () => Promise.reject(new Error('Temporal is unreachable')) }, db, logger);
    await expect(down.inventoryChanged({ productId, category: null, from: D, to: D, source: 'booking' })).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it('builds one cached OpenTravel adapter per connection and refuses unknown, inactive and half-configured ones', async () => {
    await addConnection(db, 'PF-OK', { authKind: 'wsse', username: 'itinera', password: 's3cret' });
    await addConnection(db, 'PF-OFF', { active: false });
    await addConnection(db, 'PF-HALF', { authKind: 'wsse', username: 'itinera' });
    let now = 1_000;
    const ports = channelPortFactory(db, { timeoutMs: 2000, now: () => now });
    const a = await ports('PF-OK');
    expect(a).toBeInstanceOf(OpenTravelXmlChannelManager);
    expect(a.connection).toBe('PF-OK');
    expect(await ports('PF-OK')).toBe(a);
    now += 31_000;
    expect(await ports('PF-OK')).not.toBe(a);
    await expect(ports('NOPE')).rejects.toThrow(new ChannelConnectionError('NOPE', 'Unknown channel connection NOPE'));
    await expect(ports('PF-OFF')).rejects.toThrow('Channel connection PF-OFF is inactive');
    await expect(ports('PF-HALF')).rejects.toThrow('Channel connection PF-HALF uses WS-Security but has no username/password');
  });
});
