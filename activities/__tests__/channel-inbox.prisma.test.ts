import { PrismaChannelInbox, type ApplyResult } from '../channel-inbox.prisma';
import { createChannelReservationActivities } from '../channel-reservation.activities';
import type { PrismaInventory } from '../inventory.prisma';
import type { ChannelManagerPort } from '../ports/channel-manager';
import type { InventoryChange } from '../ports/inventory-changes';
import type { InboundReservation, PushAck } from '../../domain/channels/model';
import type { Database } from '../../infra/database';
import { silentLogger } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { channelHotel, reservation } from './channel-inbox-fixtures';

const NOW = new Date('2027-05-01T12:00:00Z');

/** A channel that records what it was asked to cancel back. */
class FakePort {
  readonly cancelled: Array<{ connection: string; hotelCode: string; reservationId: string; echoToken: string }> = [];
  port(connection: string): ChannelManagerPort {
    return {
      connection,
      cancelReservation: (hotelCode: string, reservationId: string, _reason: string, echoToken: string): Promise<PushAck> => {
        this.cancelled.push({ connection, hotelCode, reservationId, echoToken });
        return Promise.resolve({ echoToken, warnings: [] });
      },
    } as unknown as ChannelManagerPort;
  }
}

describe('PrismaChannelInbox: store, apply in version order, overbooking race (PGlite)', () => {
  let db: Database;
  let inbox: PrismaChannelInbox;
  let inventory: PrismaInventory;

  beforeAll(async () => {
    db = await openTestPglite();
  });
  afterAll(() => db?.close());

  const setup = async (suffix: string, rooms: number, otas: string[] = ['BOOKING', 'EXPEDIA']) => {
    const h = await channelHotel(db, { suffix, rooms, from: '2027-06-01', to: '2027-06-10', otas });
    inventory = h.inventory;
    inbox = new PrismaChannelInbox(db.prisma, h.inventory);
    return h;
  };
  const store = async (managerCode: string, r: InboundReservation, messageId: string | null = null) => {
    const out = await inbox.store({ managerCode, messageId, bodySha256: 'a'.repeat(64), raw: '<xml/>', notification: { echoToken: `E-${r.version}`, timeStamp: r.lastModifiedAt, reservations: [r] }, now: NOW });
    if (out.kind !== 'stored') throw new Error('replay');
    return out;
  };
  const storeOne = async (managerCode: string, r: InboundReservation) => (await store(managerCode, r)).pending[0]!.notificationId;
  const sold = async (productId: string, date: string) => (await inventory.inventoryRows(productId, 'DBL', date, date))[0]!.sold;

  it('applies a new reservation once; the same version again is a duplicate and applying again changes nothing', async () => {
    const h = await setup('NEW', 3);
    const id = await storeOne(h.managerCode, reservation(h.hotelCode, 'R1', 1, 'new', { arrival: '2027-06-02', departure: '2027-06-04' }));
    const first = await inbox.apply(id, NOW);
    expect(first).toMatchObject({ outcome: 'APPLIED', cancelBack: null });
    expect(first.changes).toEqual([{ productId: h.productId, category: 'DBL', from: '2027-06-02', to: '2027-06-03', source: 'channel:BOOKING' }]);
    expect([await sold(h.productId, '2027-06-02'), await sold(h.productId, '2027-06-03'), await sold(h.productId, '2027-06-04')]).toEqual([1, 1, 0]);

    const dup = await store(h.managerCode, reservation(h.hotelCode, 'R1', 1, 'new', { arrival: '2027-06-02', departure: '2027-06-04' }));
    expect(dup).toMatchObject({ duplicates: 1, pending: [] });
    const again = await inbox.apply(id, NOW);
    expect(again).toMatchObject({ outcome: 'APPLIED', changes: [] });
    expect(await sold(h.productId, '2027-06-02')).toBe(1);
    const view = await inbox.getReservation(h.managerCode, 'R1');
    expect(view!.reservation).toMatchObject({ status: 'CONFIRMED', arrival: '2027-06-02', departure: '2027-06-04', total: { amount: '120.00', currency: 'EUR' }, guestName: 'Ada Lovelace' });
    expect(view!.notifications).toHaveLength(1);
  });

  it('modify before create: the modification is applied as the full state and the late create is STALE', async () => {
    const h = await setup('MBC', 3);
    const modify = await storeOne(h.managerCode, reservation(h.hotelCode, 'R2', 2, 'modified', { arrival: '2027-06-05', departure: '2027-06-07', quantity: 2 }));
    const create = await storeOne(h.managerCode, reservation(h.hotelCode, 'R2', 1, 'new', { arrival: '2027-06-02', departure: '2027-06-03' }));
    expect((await inbox.apply(modify, NOW)).outcome).toBe('APPLIED');
    const late = await inbox.apply(create, NOW);
    expect(late).toMatchObject({ outcome: 'STALE', changes: [] });
    expect(await sold(h.productId, '2027-06-02')).toBe(0);
    expect([await sold(h.productId, '2027-06-05'), await sold(h.productId, '2027-06-06')]).toEqual([2, 2]);
    const view = await inbox.getReservation(h.managerCode, 'R2');
    expect(view!.reservation).toMatchObject({ status: 'CONFIRMED', arrival: '2027-06-05', departure: '2027-06-07' });
    // History in version order: v1 (the late create) STALE, v2 APPLIED.
    expect(view!.notifications.map((n) => [n.action, n.outcome])).toEqual([['new', 'STALE'], ['modified', 'APPLIED']]);
  });

  it('cancel before create: CANCELLED, nothing taken; the late create is STALE and takes nothing', async () => {
    const h = await setup('CBC', 3);
    const cancel = await storeOne(h.managerCode, reservation(h.hotelCode, 'R3', 2, 'cancelled'));
    const create = await storeOne(h.managerCode, reservation(h.hotelCode, 'R3', 1, 'new'));
    expect((await inbox.apply(cancel, NOW)).outcome).toBe('APPLIED');
    expect((await inbox.apply(create, NOW)).outcome).toBe('STALE');
    expect(await sold(h.productId, '2027-06-02')).toBe(0);
    expect((await inbox.getReservation(h.managerCode, 'R3'))!.reservation!.status).toBe('CANCELLED');
  });

  it('a modification moves the rooms (new taken, old released); an unchanged stay keeps its sale even on the last room; a cancellation releases', async () => {
    const h = await setup('MOD', 1);
    expect((await inbox.apply(await storeOne(h.managerCode, reservation(h.hotelCode, 'R4', 1, 'new')), NOW)).outcome).toBe('APPLIED');
    // Same room and night, new amount: the only room stays sold to this reservation.
    expect((await inbox.apply(await storeOne(h.managerCode, reservation(h.hotelCode, 'R4', 2, 'modified', { amount: '99.00' })), NOW)).outcome).toBe('APPLIED');
    expect(await sold(h.productId, '2027-06-02')).toBe(1);
    const moved = await inbox.apply(await storeOne(h.managerCode, reservation(h.hotelCode, 'R4', 3, 'modified', { arrival: '2027-06-03', departure: '2027-06-04' })), NOW);
    expect(moved.outcome).toBe('APPLIED');
    expect([await sold(h.productId, '2027-06-02'), await sold(h.productId, '2027-06-03')]).toEqual([0, 1]);
    expect(moved.changes.map((c) => c.from).sort()).toEqual(['2027-06-02', '2027-06-03']);
    const cancelled = await inbox.apply(await storeOne(h.managerCode, reservation(h.hotelCode, 'R4', 4, 'cancelled', { arrival: '2027-06-03', departure: '2027-06-04' })), NOW);
    expect(cancelled.outcome).toBe('APPLIED');
    expect(await sold(h.productId, '2027-06-03')).toBe(0);
    expect((await inbox.getReservation(h.managerCode, 'R4'))!.reservation).toMatchObject({ status: 'CANCELLED', holdReferences: [] });
  });

  it('a modification that cannot be satisfied is REJECTED and leaves the old booking standing', async () => {
    const h = await setup('MRJ', 1);
    await inventory.sell({ reference: 'API-MRJ', productId: h.productId, category: 'DBL', from: '2027-06-05', nights: 1, quantity: 1, channel: 'api', now: NOW });
    await inbox.apply(await storeOne(h.managerCode, reservation(h.hotelCode, 'R5', 1, 'new')), NOW);
    const refused = await inbox.apply(await storeOne(h.managerCode, reservation(h.hotelCode, 'R5', 2, 'modified', { arrival: '2027-06-02', departure: '2027-06-06' })), NOW);
    expect(refused).toMatchObject({ outcome: 'REJECTED', cancelBack: null, changes: [] });
    expect(refused.detail).toMatch(/booking of version \d+ stands/);
    expect([await sold(h.productId, '2027-06-02'), await sold(h.productId, '2027-06-03'), await sold(h.productId, '2027-06-05')]).toEqual([1, 0, 1]);
    expect((await inbox.getReservation(h.managerCode, 'R5'))!.reservation).toMatchObject({ status: 'CONFIRMED', departure: '2027-06-03' });
  });

  it('overbooking race: the last room sold at once via an API hold and two channel notifications: exactly one stands, the refused channels are cancelled back', async () => {
    const h = await setup('RACE', 1, ['BOOKING']);
    const fake = new FakePort();
    const changes: InventoryChange[] = [];
    const acts = createChannelReservationActivities({
      inbox,
      inventorySink: { inventoryChanged: (c) => Promise.resolve(void changes.push(c)) },
      ports: (code) => Promise.resolve(fake.port(code)),
      logger: silentLogger,
      now: () => NOW.getTime(),
    });
    const a = await storeOne(h.managerCode, reservation(h.hotelCode, 'BK-1', 1, 'new', { ota: 'BOOKING' }));
    const b = await storeOne(h.managerCode, reservation(h.hotelCode, 'EX-1', 1, 'new', { ota: 'EXPEDIA' }));
    const process = async (id: string) => {
      const r: ApplyResult = await acts.applyChannelNotification({ notificationId: id });
      if (r.cancelBack) await acts.cancelChannelReservationBack(r.cancelBack);
      return r.outcome;
    };
    const api = inventory.hold({ reference: 'API-RACE', productId: h.productId, category: 'DBL', from: '2027-06-02', nights: 1, quantity: 1, channel: 'api', now: NOW, ttlSeconds: 900 }).then(
      () => 'HELD',
      (err: { kind?: string }) => `REFUSED:${err.kind}`,
    );
    const outcomes = await Promise.all([api, process(a), process(b)]);
    const winners = outcomes.filter((o) => o === 'HELD' || o === 'APPLIED');
    expect(winners).toHaveLength(1);
    const row = (await inventory.inventoryRows(h.productId, 'DBL', '2027-06-02', '2027-06-02'))[0]!;
    expect(row.held + row.sold).toBe(1);
    expect(row.available).toBe(0);

    const states = await inbox.listReservations({ hotelCode: h.hotelCode, limit: 10 });
    const rejected = states.filter((s) => s.status === 'REJECTED').map((s) => s.reservationId).sort();
    expect(rejected.length).toBe(outcomes.slice(1).filter((o) => o === 'REJECTED').length);
    // BOOKING has a connection: cancelled back through it; EXPEDIA has none: recorded, not sent.
    expect(fake.cancelled).toEqual(rejected.includes('BK-1') ? [{ connection: `${h.managerCode}-BOOKING`, hotelCode: h.hotelCode, reservationId: 'BK-1', echoToken: `cancel-${a}` }] : []);
    for (const id of rejected) {
      const view = await inbox.getReservation(h.managerCode, id);
      expect(view!.notifications[0]!.outcomeDetail).toMatch(id === 'BK-1' ? /cancel-back: cancelled back via CM-RACE-BOOKING/ : /cancel-back: not sent, no active connection of CM-RACE for EXPEDIA/);
    }
    // Applying a refused notification again neither sells nor cancels back a second time.
    for (const id of [a, b]) await process(id);
    expect(fake.cancelled.length).toBeLessThanOrEqual(1);
    expect((await inventory.inventoryRows(h.productId, 'DBL', '2027-06-02', '2027-06-02'))[0]!.sold + row.held).toBeLessThanOrEqual(1);
  });

  it('lists reservations routed to given advisors with the limit counted after that filter', async () => {
    const h = await setup('ADV', 2);
    const fake = new FakePort();
    const acts = createChannelReservationActivities({ inbox, inventorySink: { inventoryChanged: () => Promise.resolve() }, ports: (code) => Promise.resolve(fake.port(code)), logger: silentLogger });
    for (const [id, arrival, departure] of [['EARLY', '2027-06-02', '2027-06-03'], ['LATER', '2027-06-05', '2027-06-06']] as const) {
      const notificationId = await storeOne(h.managerCode, reservation(h.hotelCode, id, 1, 'new', { arrival, departure }));
      expect((await acts.applyChannelNotification({ notificationId })).outcome).toBe('APPLIED');
    }
    await db.prisma.channelReservation.updateMany({ where: { hotelCode: h.hotelCode, reservationId: 'EARLY' }, data: { advisorId: 'ADV-OTHER' } });
    await db.prisma.channelReservation.updateMany({ where: { hotelCode: h.hotelCode, reservationId: 'LATER' }, data: { advisorId: 'ADV-MINE' } });
    expect((await inbox.listReservations({ hotelCode: h.hotelCode, limit: 1 })).map((r) => r.reservationId)).toEqual(['EARLY']);
    // The first arrival is another advisor's: a limit of one still finds this advisor's.
    expect((await inbox.listReservations({ hotelCode: h.hotelCode, limit: 1, advisorIds: ['ADV-MINE'] })).map((r) => r.reservationId)).toEqual(['LATER']);
    expect(await inbox.listReservations({ hotelCode: h.hotelCode, limit: 10, advisorIds: [] })).toEqual([]);
  });

  it('the channel reservation always wins when it is alone against a sold-out night: REJECTED and cancelled back', async () => {
    const h = await setup('SOLD', 1, ['BOOKING']);
    await inventory.sell({ reference: 'API-SOLD', productId: h.productId, category: 'DBL', from: '2027-06-02', nights: 1, quantity: 1, channel: 'api', now: NOW });
    const fake = new FakePort();
    const acts = createChannelReservationActivities({ inbox, inventorySink: { inventoryChanged: () => Promise.resolve() }, ports: (code) => Promise.resolve(fake.port(code)), logger: silentLogger });
    const id = await storeOne(h.managerCode, reservation(h.hotelCode, 'BK-9', 1, 'new'));
    const r = await acts.applyChannelNotification({ notificationId: id });
    expect(r).toMatchObject({ outcome: 'REJECTED', cancelBack: { connectionCode: `${h.managerCode}-BOOKING`, reservationId: 'BK-9', echoToken: `cancel-${id}` } });
    await expect(acts.cancelChannelReservationBack(r.cancelBack!)).resolves.toMatchObject({ ok: true });
    expect(fake.cancelled).toHaveLength(1);
    expect((await acts.applyChannelNotification({ notificationId: id })).cancelBack).toBeNull();
    expect((await inbox.getReservation(h.managerCode, 'BK-9'))!.reservation!.status).toBe('REJECTED');
  });

  it('lists pending notifications for the sweep until they are applied', async () => {
    const h = await setup('SWEEP', 2);
    const id = await storeOne(h.managerCode, reservation(h.hotelCode, 'R-SW', 1, 'new'));
    const later = new Date(NOW.getTime() + 60_000);
    expect((await inbox.pendingNotifications(later)).map((p) => p.notificationId)).toContain(id);
    await inbox.apply(id, NOW);
    expect((await inbox.pendingNotifications(later)).map((p) => p.notificationId)).not.toContain(id);
  });
});
