import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { BookingStore, NewBookingRecord, StoredBooking } from '../../activities/ports/booking-store';
import { bookingWorkflowId, referenceFromBytes } from '../../domain/booking/draft';
import type { DevServer } from '../../infra/dev-server';
import { connectClient, silentLogger, startTestDevServer } from '../../test/support/api-harness';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { superviseBookingWorker } from '../booking-worker';

/** A store whose first save blocks until the test lets it finish: an activity "in flight". */
function blockingStore() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inFlight = new Promise<void>((r) => (entered = r));
  const saved: NewBookingRecord[] = [];
  const store: BookingStore = {
    async saveDraft(record) {
      entered();
      await released;
      saved.push(record);
      return { ...record, status: 'DRAFT', createdAt: 0, updatedAt: 0 } satisfies StoredBooking;
    },
    async transition() {
      throw new Error('not used');
    },
    async findByReference() {
      return null;
    },
  };
  return { store, release, inFlight, saved };
}

describe('worker shutdown (dev server)', () => {
  let server: DevServer;
  let client: Client;

  beforeAll(async () => {
    server = await startTestDevServer();
    client = await connectClient(server.address);
  });
  afterAll(async () => {
    await client?.connection.close();
    await server?.stop();
  });

  it('drains: an activity running when shutdown starts completes and is recorded', async () => {
    const fake = blockingStore();
    const worker = superviseBookingWorker({ address: server.address, namespace: 'default' }, { bookings: fake.store }, silentLogger, '20s');
    await worker.ready;
    const reference = referenceFromBytes(randomBytes(8));
    const handle = await client.workflow.start('BookingWorkflow', {
      workflowId: bookingWorkflowId(reference),
      taskQueue: TASK_QUEUES.bookingOrchestration,
      args: [{ reference, customerId: 'C-DRAIN', productCode: 'P', travelDate: `${new Date().getUTCFullYear() + 1}-01-10`, price: { amount: '10.00', currency: 'EUR' } }],
    });
    await fake.inFlight;

    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false); // still draining: the activity has not finished
    fake.release();
    await stopping;

    expect(fake.saved.map((r) => r.reference)).toEqual([reference]);
    // The completion reached the server: the history shows the activity completed.
    const history = await handle.fetchHistory();
    const completed = history.events?.filter((e) => e.activityTaskCompletedEventAttributes) ?? [];
    expect(completed).toHaveLength(1);
    await handle.terminate('test done');
  });
});
