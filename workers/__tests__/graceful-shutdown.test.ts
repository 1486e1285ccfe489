import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { NoticeInput } from '../../activities/booking-lifecycle.types';
import type { BookingNotifier } from '../../activities/ports/booking-notifier';
import { PrismaCatalog } from '../../activities/catalog.prisma';
import { bookingWorkflowId, referenceFromBytes } from '../../domain/booking/draft';
import type { BookingRequest, LifecycleView } from '../../domain/booking/model';
import { addDays } from '../../domain/catalog/dates';
import { calendarDateIn } from '../../domain/time/instant';
import type { Database } from '../../infra/database';
import { seedDemoCatalog } from '../../infra/demo-catalog';
import type { DevServer } from '../../infra/dev-server';
import { connectClient, prepareReadyFinance, silentLogger, startTestDevServer } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { awaitHeldUpdate, lifecycleStatusQuery, recordPaymentUpdate, type PaymentOutcome } from '../../workflows/booking/messages';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { bookingWorkerPorts, superviseBookingWorker, type SupervisedWorker } from '../booking-worker';
import { superviseFinanceWorker } from '../finance-worker';

/** A notifier whose first CONFIRMED notice blocks until the test lets it finish: an activity "in flight". */
function blockingNotifier() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inFlight = new Promise<void>((r) => (entered = r));
  const sent: NoticeInput[] = [];
  const notifier: BookingNotifier = {
    channel: 'test',
    async send(n) {
      if (n.kind === 'CONFIRMED') {
        entered();
        await released;
      }
      sent.push(n);
    },
  };
  return { notifier, release, inFlight, sent };
}

/** The local activity types whose results are recorded in the history (one marker each). */
function localActivityMarkers(history: Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>): string[] {
  return (history.events ?? []).flatMap((e) => {
    const payloads = e.markerRecordedEventAttributes?.details?.data?.payloads ?? [];
    return payloads.map((p) => (JSON.parse(Buffer.from(p.data ?? []).toString('utf8')) as { activity_type?: string }).activity_type ?? '?');
  });
}

describe('booking worker shutdown (dev server, real lifecycle activities on PGlite)', () => {
  let server: DevServer;
  let client: Client;
  let db: Database;
  let finance: SupervisedWorker;
  const today = calendarDateIn(Date.now(), 'UTC');
  // Inside the demo hotel contracts (today+1..today+120), before their 21-day release.
  const departure = addDays(today, 50);

  beforeAll(async () => {
    [server, db] = await Promise.all([startTestDevServer(), openTestPglite()]);
    await prepareReadyFinance(db);
    await seedDemoCatalog(db, today, silentLogger);
    client = await connectClient(server.address);
    // Confirmation defers revenue on the finance queue: that worker stays up throughout.
    finance = superviseFinanceWorker({ address: server.address, namespace: 'default' }, { prisma: db.prisma, driver: db, operatorTimeZone: 'UTC', feeds: {} }, silentLogger, '5s');
    await finance.ready;
  }, 120_000);
  afterAll(async () => {
    await finance?.stop();
    await client?.connection.close();
    await db?.close();
    await server?.stop();
  });

  it('drains: a notice being sent when shutdown starts completes and is recorded; the booking goes on under a new worker', async () => {
    const catalog = new PrismaCatalog(db.prisma);
    const hotel = (await catalog.listProducts({ type: 'HOTEL', limit: 1 })).items[0]!;
    const category = hotel.categories[0]!.code;
    const ratePlan = hotel.rates.find((r) => r.category === category)!.ratePlan;
    const reference = referenceFromBytes(randomBytes(8));
    const request: BookingRequest = {
      reference,
      customerId: 'C-DRAIN',
      channel: 'direct',
      currency: 'GBP',
      departureDate: departure,
      returnDate: addDays(departure, 2),
      components: [{ id: 'hotel', kind: 'HOTEL', supplierCode: hotel.supplierCode, productCode: hotel.code, category, ratePlan, startDate: departure, nights: 2, units: [{ adults: 2, childAges: [] }] }],
      timeZone: 'UTC',
    };

    const fake = blockingNotifier();
    const target = { address: server.address, namespace: 'default' };
    const first = superviseBookingWorker(target, bookingWorkerPorts(db, { operatorTimeZone: 'UTC', logger: silentLogger, notifier: fake.notifier }), silentLogger, '20s');
    await first.ready;
    const handle = await client.workflow.start('BookingWorkflow', { workflowId: bookingWorkflowId(reference), taskQueue: TASK_QUEUES.bookingOrchestration, args: [request] });
    const held: LifecycleView = await handle.executeUpdate(awaitHeldUpdate);
    expect(held.status).toBe('HELD');

    // The deposit confirms the booking; the confirmation notice is where the worker gets stuck.
    const deposit = held.schedule[0]!.amount;
    const paying: Promise<PaymentOutcome> = handle.executeUpdate(recordPaymentUpdate, { args: [{ paymentId: 'dep-1', amount: deposit, method: 'card' }] });
    paying.catch(() => undefined); // awaited below, once a worker runs again
    await fake.inFlight;

    let stopped = false;
    const stopping = first.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false); // still draining: the notice has not been sent yet
    fake.release();
    await stopping;

    // The notice went out once, is stored, and its completion reached the server before the worker stopped.
    expect(fake.sent.filter((n) => n.kind === 'CONFIRMED').map((n) => n.reference)).toEqual([reference]);
    expect(await db.prisma.bookingNotice.count({ where: { bookingRef: reference, kind: 'CONFIRMED' } })).toBe(1);
    expect(localActivityMarkers(await handle.fetchHistory())).toContain('sendBookingNotice');

    // A fresh worker picks the booking up where the drained one left it: the payment completes.
    const second = superviseBookingWorker(target, bookingWorkerPorts(db, { operatorTimeZone: 'UTC', logger: silentLogger, notifier: fake.notifier }), silentLogger, '5s');
    try {
      const outcome = await paying;
      expect(outcome).toMatchObject({ duplicate: false, status: 'CONFIRMED', payment: { paymentId: 'dep-1', amount: deposit } });
      const view = await handle.query(lifecycleStatusQuery);
      expect(view).toMatchObject({ status: 'CONFIRMED', paid: deposit });
      expect(view.components.map((c) => c.status)).toEqual(['CONFIRMED']);
      // Not sent again by the new worker.
      expect(fake.sent.filter((n) => n.kind === 'CONFIRMED')).toHaveLength(1);
    } finally {
      await second.stop();
    }
    await handle.terminate('test done');
  });
});
