import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { PrismaChannelConfig } from '../channel-config.prisma';
import { ChannelRatesError, classifyParity, PrismaChannelRates } from '../channel-rates.prisma';
import { ackRates, hotelProduct } from './channel-rates.fixtures';

async function refusal(fn: () => Promise<unknown>): Promise<ChannelRatesError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ChannelRatesError) return err;
    throw err;
  }
  throw new Error('expected a ChannelRatesError');
}

const T0 = Date.parse('2027-03-01T10:00:00Z');
const MIN = 60_000;
const change = (over: Record<string, unknown> = {}) => ({
  hotelCode: 'HROMA',
  roomType: 'DBL',
  ratePlan: 'BAR',
  start: '2027-05-01',
  end: '2027-05-03',
  currency: 'EUR',
  amounts: [
    { guests: 1, amount: '100.00' },
    { guests: 2, amount: '120.50' },
  ],
  ...over,
});

describe('PrismaChannelRates (PGlite)', () => {
  let db: Database;
  let rates: PrismaChannelRates;

  beforeAll(async () => {
    db = await openTestPglite();
    rates = new PrismaChannelRates(db.prisma, { parityGraceMs: 10 * MIN });
    const config = new PrismaChannelConfig(db.prisma);
    await hotelProduct(db.prisma, 'ROMA');
    await config.createProperty({ hotelCode: 'HROMA', productCode: 'ROMA' });
    await config.createManager({ code: 'HUB', name: 'Hub' });
    await config.createConnection({ code: 'BOOKING', channelManagerCode: 'HUB', name: 'Booking', otaCode: 'BOOKING', endpoint: 'http://hub/b' });
    await config.createConnection({ code: 'EXPEDIA', channelManagerCode: 'HUB', name: 'Expedia', otaCode: 'EXPEDIA', endpoint: 'http://hub/e', properties: ['HROMA'] });
    await config.createConnection({ code: 'OFF', channelManagerCode: 'HUB', name: 'Off', otaCode: 'AIRBNB', endpoint: 'http://hub/a', active: false });
    // An active connection of an inactive channel manager carries nothing either.
    await config.createManager({ code: 'OLD', name: 'Old hub', active: false });
    await config.createConnection({ code: 'LEGACY', channelManagerCode: 'OLD', name: 'Legacy', otaCode: 'LEGACY', endpoint: 'http://old/l' });
  });
  afterAll(async () => db?.close());

  it('names each bad field and writes nothing for a refused change', async () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ hotelCode: undefined, roomType: '', ratePlan: 7 }, ['hotelCode', 'ratePlan', 'roomType']],
      [{ start: '2027-02-30', end: 'soon' }, ['end', 'start']],
      [{ start: '2027-05-03', end: '2027-05-01' }, ['end']],
      [{ start: '2027-01-01', end: '2028-01-02' }, ['end']],
      [{ currency: undefined }, ['currency']],
      [{ currency: 'EURO' }, ['currency']],
      [{ amounts: [] }, ['amounts']],
      [{ currency: 'JPY', amounts: [{ guests: 1, amount: '100.5' }] }, ['amounts/0/amount']],
      [{ amounts: [{ guests: 1, amount: 100 }, { guests: 2, amount: '-1.00' }, { guests: 3, amount: '0' }] }, ['amounts/0/amount', 'amounts/1/amount', 'amounts/2/amount']],
      [{ amounts: [{ guests: 2, amount: '1.00' }, { guests: 1, amount: '1.00' }, { guests: 0, amount: '1.00' }, { amount: '1.00' }] }, ['amounts/1/guests', 'amounts/2/guests', 'amounts/3/guests']],
      [{ amounts: [{ guests: 1, amount: '1.00', note: 'x' }], extra: true }, ['amounts/0/note', 'extra']],
      [{ roomType: 'SUITE' }, ['roomType']],
      [{ ratePlan: 'FLEX' }, ['ratePlan']],
      [{ roomType: 'SGL', amounts: [{ guests: 1, amount: '90.00' }, { guests: 2, amount: '99.00' }] }, ['amounts/1/guests']],
    ];
    for (const [over, expected] of cases) {
      const err = await refusal(() => rates.createRateOperation(change(over), T0));
      expect({ over, kind: err.kind, paths: err.problems.map((p) => p.path).sort() }).toEqual({ over, kind: 'invalid', paths: expected });
    }
    expect((await refusal(() => rates.createRateOperation(change({ hotelCode: 'HNONE' }), T0))).kind).toBe('unknown-property');
    expect(await db.prisma.channelRateOperation.count()).toBe(0);
    expect(await db.prisma.channelRate.count()).toBe(0);
  });

  it('writes the PENDING operation and exactly nights × occupancies rows; a later one replaces only its own rows', async () => {
    const first = await rates.createRateOperation(change(), T0);
    expect(first).toMatchObject({ hotelCode: 'HROMA', status: 'PENDING', nights: 3, rows: 6, channels: ['BOOKING', 'EXPEDIA'] });
    const stored = await db.prisma.channelRate.findMany({ orderBy: [{ stayDate: 'asc' }, { guests: 'asc' }] });
    expect(stored.map((r) => [r.stayDate.toISOString().slice(0, 10), r.guests, r.amount.toFixed(2), r.currency, r.operationId])).toEqual(
      ['2027-05-01', '2027-05-02', '2027-05-03'].flatMap((d) => [
        [d, 1, '100.00', 'EUR', first.operationId],
        [d, 2, '120.50', 'EUR', first.operationId],
      ]),
    );
    const view = await rates.getOperation(first.operationId);
    expect(view).toMatchObject({ status: 'PENDING', start: '2027-05-01', end: '2027-05-03', nights: 3, rows: 6, amounts: [{ guests: 1, amount: '100.00' }, { guests: 2, amount: '120.50' }], completedAt: null });

    // Same instant: creation instants still strictly increase, so "newer" is well defined.
    const second = await rates.createRateOperation(change({ start: '2027-05-03', end: '2027-05-04', amounts: [{ guests: 2, amount: '130.00' }] }), T0);
    expect(second.rows).toBe(2);
    expect(Date.parse(second.createdAt)).toBeGreaterThan(Date.parse(first.createdAt));
    const byKey = Object.fromEntries((await db.prisma.channelRate.findMany()).map((r) => [`${r.stayDate.toISOString().slice(0, 10)}/${r.guests}`, `${r.amount.toFixed(2)}@${r.operationId === first.operationId ? 1 : 2}`]));
    expect(byKey).toEqual({ '2027-05-01/1': '100.00@1', '2027-05-01/2': '120.50@1', '2027-05-02/1': '100.00@1', '2027-05-02/2': '120.50@1', '2027-05-03/1': '100.00@1', '2027-05-03/2': '130.00@2', '2027-05-04/2': '130.00@2' });
    // A refused change leaves everything as it was.
    await refusal(() => rates.createRateOperation(change({ amounts: [{ guests: 1, amount: '1.00' }, { guests: 4, amount: '2.00' }] }), T0));
    expect(await db.prisma.channelRate.count()).toBe(7);
    expect(await db.prisma.channelRateOperation.count()).toBe(2);
  });

  it('counts acknowledgements per connection: this operation or a newer one, active carriers only', async () => {
    const [first, second] = await db.prisma.channelRateOperation.findMany({ orderBy: { createdAt: 'asc' } });
    let progress = await rates.ackProgress(first!.id);
    expect(progress.connections).toEqual([
      { connection: 'BOOKING', acknowledged: 0, total: 6, done: false, lastAckAt: null, lastError: null },
      { connection: 'EXPEDIA', acknowledged: 0, total: 6, done: false, lastAckAt: null, lastError: null },
    ]);
    await ackRates(db.prisma, 'BOOKING', { hotelCode: 'HROMA' }, {}, new Date(T0 + MIN));
    await ackRates(db.prisma, 'EXPEDIA', { hotelCode: 'HROMA', to: '2027-05-02' }, {}, new Date(T0 + MIN));
    await db.prisma.channelSyncState.create({ data: { connectionCode: 'EXPEDIA', hotelCode: 'HROMA', roomType: 'DBL', stayDate: new Date('2027-05-03T00:00:00Z'), pushedCount: 3, pushedVersion: 1n, ackedAt: new Date(T0), lastError: 'unavailable: 503' } });
    progress = await rates.ackProgress(first!.id);
    // BOOKING: 5 rows of op 1 + 1 row (05-03/2) superseded by op 2 and acked as op 2 → 6 of 6.
    expect(progress.connections).toEqual([
      { connection: 'BOOKING', acknowledged: 6, total: 6, done: true, lastAckAt: T0 + MIN, lastError: null },
      { connection: 'EXPEDIA', acknowledged: 4, total: 6, done: false, lastAckAt: T0 + MIN, lastError: 'unavailable: 503' },
    ]);
    expect((await rates.ackProgress(second!.id)).connections.map((c) => [c.connection, c.acknowledged, c.total])).toEqual([
      ['BOOKING', 2, 2],
      ['EXPEDIA', 0, 2],
    ]);
    expect(await rates.recordProgress(first!.id, 'ACKNOWLEDGED', {}, T0 + 2 * MIN)).toBe(true);
    expect(await rates.recordProgress(first!.id, 'FAILED', {}, T0 + 3 * MIN)).toBe(false);
    expect(await rates.getOperation(first!.id)).toMatchObject({ status: 'ACKNOWLEDGED', completedAt: new Date(T0 + 2 * MIN).toISOString() });
    await expect(rates.ackProgress('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('reports parity per night, room type, plan and guests; breaks list only what is out of parity', async () => {
    const [, second] = await db.prisma.channelRateOperation.findMany({ orderBy: { createdAt: 'asc' } });
    // EXPEDIA shows an old price for 05-01 guests 1 (another operation's different amount).
    await ackRates(db.prisma, 'EXPEDIA', { hotelCode: 'HROMA', from: '2027-05-01', to: '2027-05-01', guests: 1 }, { amount: '95.00', operationId: second!.id }, new Date(T0 + MIN));

    const early = await rates.parity('HROMA', '2027-05-01', '2027-05-04', T0 + 5 * MIN);
    expect(early.connections).toEqual(['BOOKING', 'EXPEDIA']);
    const status = (r: typeof early, date: string, guests: number) => {
      const e = r.entries.find((x) => x.date === date && x.guests === guests)!;
      return [e.status, ...e.channels.map((c) => `${c.connection}:${c.status}:${c.reason}`)];
    };
    expect(early.entries).toHaveLength(7);
    expect(status(early, '2027-05-02', 1)).toEqual(['IN_PARITY', 'BOOKING:IN_PARITY:acknowledged', 'EXPEDIA:IN_PARITY:acknowledged']);
    expect(status(early, '2027-05-01', 1)).toEqual(['PENDING', 'BOOKING:IN_PARITY:acknowledged', 'EXPEDIA:PENDING:awaiting-ack']);
    expect(status(early, '2027-05-03', 1)).toEqual(['PENDING', 'BOOKING:IN_PARITY:acknowledged', 'EXPEDIA:PENDING:awaiting-ack']);
    expect(early.entries.find((e) => e.date === '2027-05-01' && e.guests === 1)!.channels[1]!.acknowledged).toMatchObject({ amount: '95.00', currency: 'EUR' });
    expect(early.entries[0]!.desired).toEqual({ amount: '100.00', currency: 'EUR', operationId: expect.any(String) });
    expect(early.summary).toEqual({ IN_PARITY: 3, PENDING: 4, OUT_OF_PARITY: 0 });
    expect((await rates.findParityBreaks({}, T0 + 5 * MIN)).breaks).toEqual([]);

    const late = await rates.parity('HROMA', '2027-05-01', '2027-05-04', T0 + 60 * MIN);
    expect(status(late, '2027-05-01', 1)).toEqual(['OUT_OF_PARITY', 'BOOKING:IN_PARITY:acknowledged', 'EXPEDIA:OUT_OF_PARITY:stale-rate']);
    expect(status(late, '2027-05-03', 2)).toEqual(['OUT_OF_PARITY', 'BOOKING:IN_PARITY:acknowledged', 'EXPEDIA:OUT_OF_PARITY:never-acknowledged']);
    const breaks = await rates.findParityBreaks({ from: '2027-05-01' }, T0 + 60 * MIN);
    expect(breaks.truncated).toBe(false);
    expect(breaks.breaks.map((b) => `${b.connection} ${b.date}/${b.guests} ${b.reason}`)).toEqual([
      'EXPEDIA 2027-05-01/1 stale-rate',
      'EXPEDIA 2027-05-03/1 never-acknowledged',
      'EXPEDIA 2027-05-03/2 never-acknowledged',
      'EXPEDIA 2027-05-04/2 never-acknowledged',
    ]);
    expect((await rates.findParityBreaks({ hotelCode: 'HOTHER', from: '2027-05-01' }, T0 + 60 * MIN)).breaks).toEqual([]);
    expect(await rates.findParityBreaks({ from: '2027-05-01', limit: 2 }, T0 + 60 * MIN)).toMatchObject({ truncated: true, breaks: [{ date: '2027-05-01' }, { date: '2027-05-03' }] });
    await expect(rates.parity('HROMA', '2027-05-04', '2027-05-01')).rejects.toMatchObject({ kind: 'invalid', problems: [{ path: 'to' }] });
    await expect(rates.parity('HNONE', '2027-05-01', '2027-05-04')).rejects.toMatchObject({ kind: 'unknown-property' });
  });

  it('classifies an ack of the desired operation with another amount as out of parity at once', () => {
    const desired = { amount: '100.00', currency: 'EUR', operationId: 'op-1', setAt: T0 };
    expect(classifyParity(desired, { amount: '100.0000', currency: 'EUR', operationId: 'op-0' }, T0, MIN)).toEqual({ status: 'IN_PARITY', reason: 'acknowledged' });
    expect(classifyParity(desired, { amount: '100.00', currency: 'USD', operationId: 'op-1' }, T0, MIN)).toEqual({ status: 'OUT_OF_PARITY', reason: 'acknowledged-different' });
    expect(classifyParity(desired, null, T0 + MIN, MIN)).toEqual({ status: 'OUT_OF_PARITY', reason: 'never-acknowledged' });
  });
});
