import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { PrismaChannelInbox, type NotificationRef } from '../../../activities/channel-inbox.prisma';
import { channelReservationWorkflowId, createChannelInboxSweepActivities, createChannelReservationActivities, handOverNotifications } from '../../../activities/channel-reservation.activities';
import type { ChannelManagerPort } from '../../../activities/ports/channel-manager';
import type { InventoryChange } from '../../../activities/ports/inventory-changes';
import { channelHotel, reservation } from '../../../activities/__tests__/channel-inbox-fixtures';
import type { InboundReservation } from '../../../domain/channels/model';
import type { Database } from '../../../infra/database';
import { temporalTestServerPath } from '../../../infra/tools';
import { silentLogger } from '../../../test/support/api-harness';
import { openTestPglite } from '../../../test/support/databases';
import { TASK_QUEUES } from '../../task-queues';
import type { ChannelReservationProgress, ChannelReservationWorkflow } from '../channel-reservation.workflow';

describe('ChannelReservationWorkflow (time-skipping test server, real activities on PGlite)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;

  beforeAll(async () => {
    [env, bundle, db] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('../channel-reservation.workflow'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
      openTestPglite(),
    ]);
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.close();
  });

  it('applies out-of-order signals by version (modify before create, duplicate signal), completes when idle, and a later signal starts a new run', async () => {
    const h = await channelHotel(db, { suffix: 'WF', rooms: 2, from: '2027-06-01', to: '2027-06-10', otas: ['BOOKING'] });
    const inbox = new PrismaChannelInbox(db.prisma, h.inventory);
    const changes: InventoryChange[] = [];
    // A worker runs once (runUntil shuts it down): one per run.
    const worker = () =>
      Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUES.channels,
      workflowBundle: bundle,
      activities: createChannelReservationActivities({
        inbox,
        inventorySink: { inventoryChanged: (c) => Promise.resolve(void changes.push(c)) },
        ports: () => Promise.reject(new Error('no cancel-back expected')) as Promise<ChannelManagerPort>,
        logger: silentLogger,
      }),
      });
    const store = async (r: InboundReservation): Promise<NotificationRef> => {
      const out = await inbox.store({ managerCode: h.managerCode, messageId: null, bodySha256: '0'.repeat(64), raw: '<x/>', notification: { echoToken: null, timeStamp: null, reservations: [r] }, now: new Date() });
      if (out.kind !== 'stored') throw new Error('replay');
      return out.pending[0]!;
    };
    const create = await store(reservation(h.hotelCode, 'WF-1', 1, 'new', { arrival: '2027-06-02', departure: '2027-06-03' }));
    const modify = await store(reservation(h.hotelCode, 'WF-1', 2, 'modified', { arrival: '2027-06-04', departure: '2027-06-06' }));
    const cancel = await store(reservation(h.hotelCode, 'WF-1', 3, 'cancelled', { arrival: '2027-06-04', departure: '2027-06-06' }));
    const workflowId = channelReservationWorkflowId(h.managerCode, 'WF-1');
    const sold = async (date: string) => (await h.inventory.inventoryRows(h.productId, 'DBL', date, date))[0]!.sold;

    const firstRun = await (await worker()).runUntil(async () => {
      // The modification arrives first, then the create, then the modification again (a redelivery).
      for (const ref of [modify, create, modify]) expect(await handOverNotifications(env.client, [ref], silentLogger)).toEqual([]);
      return env.client.workflow.getHandle<typeof ChannelReservationWorkflow>(workflowId).result();
    });
    expect(firstRun).toEqual<ChannelReservationProgress>({
      queued: [],
      applied: [
        { notificationId: modify.notificationId, outcome: 'APPLIED', detail: expect.stringContaining('Booked') as unknown as string },
        { notificationId: create.notificationId, outcome: 'STALE', detail: expect.stringContaining('not newer') as unknown as string },
      ],
    });
    expect([await sold('2027-06-02'), await sold('2027-06-04'), await sold('2027-06-05')]).toEqual([0, 1, 1]);
    // The stale create changed nothing here, but its channel may show its own counts: the nights of
    // every stored version of the reservation are pushed again (versions 1, 2 and the pending 3).
    expect(changes.map((c) => [c.from, c.to, c.source])).toEqual([
      ['2027-06-04', '2027-06-05', 'channel:BOOKING'],
      ['2027-06-02', '2027-06-02', 'channel-resync:BOOKING'],
      ['2027-06-04', '2027-06-05', 'channel-resync:BOOKING'],
      ['2027-06-04', '2027-06-05', 'channel-resync:BOOKING'],
    ]);

    // The workflow completed after its quiet period; the next notification starts a new run on the same id.
    const secondRun = await (await worker()).runUntil(async () => {
      expect(await handOverNotifications(env.client, [cancel], silentLogger)).toEqual([]);
      return env.client.workflow.getHandle<typeof ChannelReservationWorkflow>(workflowId).result();
    });
    expect(secondRun.applied.map((a) => [a.notificationId, a.outcome])).toEqual([[cancel.notificationId, 'APPLIED']]);
    expect([await sold('2027-06-04'), await sold('2027-06-05')]).toEqual([0, 0]);
    expect((await inbox.getReservation(h.managerCode, 'WF-1'))!.reservation!.status).toBe('CANCELLED');
  });
  it('the sweep hands over a notification whose hand-over was lost, and it gets applied', async () => {
    const h = await channelHotel(db, { suffix: 'SWP', rooms: 1, from: '2027-06-01', to: '2027-06-10' });
    const inbox = new PrismaChannelInbox(db.prisma, h.inventory);
    const out = await inbox.store({
      managerCode: h.managerCode,
      messageId: 'lost-1',
      bodySha256: '1'.repeat(64),
      raw: '<x/>',
      notification: { echoToken: null, timeStamp: null, reservations: [reservation(h.hotelCode, 'SWP-1', 1, 'new')] },
      now: new Date(Date.now() - 120_000),
    });
    if (out.kind !== 'stored') throw new Error('replay');
    const sweep = createChannelInboxSweepActivities({ inbox, temporal: { get: () => Promise.resolve(env.client) }, logger: silentLogger });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUES.channels,
      workflowBundle: bundle,
      activities: createChannelReservationActivities({ inbox, inventorySink: { inventoryChanged: () => Promise.resolve() }, ports: () => Promise.reject(new Error('unused')) as Promise<ChannelManagerPort>, logger: silentLogger }),
    });
    const run = await worker.runUntil(async () => {
      const swept = await sweep.resubmitPendingNotifications({ olderThanMs: 60_000 });
      expect(swept.failed).toBe(0);
      expect(swept.resubmitted).toBeGreaterThanOrEqual(1);
      return env.client.workflow.getHandle<typeof ChannelReservationWorkflow>(channelReservationWorkflowId(h.managerCode, 'SWP-1')).result();
    });
    expect(run.applied.map((a) => a.outcome)).toEqual(['APPLIED']);
    expect(await inbox.pendingNotifications(new Date())).toEqual([]);
    expect((await h.inventory.inventoryRows(h.productId, 'DBL', '2027-06-02', '2027-06-02'))[0]!.sold).toBe(1);
  });
});
