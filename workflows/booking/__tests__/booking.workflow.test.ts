import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { BookingActivities } from '../../../activities/booking.activities';
import type { NewBookingRecord, StoredBooking } from '../../../activities/ports/booking-store';
import { DAY_MS } from '../../../domain/time/instant';
import type { BookingDraft } from '../../../domain/booking/draft';
import { registerSearchAttributes } from '../../../infra/search-attributes';
import { temporalTestServerPath } from '../../../infra/tools';
import { WORKFLOWS_PATH } from '../../../workers/booking-worker';
import { BookingWorkflow } from '../booking.workflow';
import { awaitRecordedUpdate, statusQuery } from '../messages';

/** Fake activities over an in-memory map: workflow tests exercise orchestration only. */
function fakeActivities(opts: { failFirstRecords?: number } = {}) {
  const rows = new Map<string, StoredBooking>();
  const calls: string[] = [];
  let failuresLeft = opts.failFirstRecords ?? 0;
  const activities: BookingActivities = {
    async recordBookingDraft(record: NewBookingRecord) {
      calls.push(`record:${record.reference}`);
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error('connection refused (simulated database outage)');
      }
      const row: StoredBooking = rows.get(record.reference) ?? { ...record, status: 'DRAFT', createdAt: 0, updatedAt: 0 };
      rows.set(record.reference, row);
      return row;
    },
    async expireBookingDraft(reference: string) {
      calls.push(`expire:${reference}`);
      const row = rows.get(reference)!;
      row.status = 'EXPIRED';
      return row;
    },
  };
  return { activities, rows, calls };
}

describe('BookingWorkflow (time-skipping test server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let counter = 0;

  beforeAll(async () => {
    [env, bundle] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
    ]);
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  });
  afterAll(() => env?.teardown());

  function draft(overrides: Partial<BookingDraft> = {}): BookingDraft {
    counter++;
    return {
      reference: `ITN-TEST${String(counter).padStart(4, '0')}`,
      customerId: 'C-1001',
      advisorId: 'ADV-7',
      productCode: 'TOUR-PERU-12D',
      travelDate: new Date(Date.now() + 400 * DAY_MS).toISOString().slice(0, 10),
      price: { amount: '4599.00', currency: 'EUR' },
      ...overrides,
    };
  }

  function worker(activities: BookingActivities, taskQueue: string) {
    return Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  }

  it('stores the draft, then lets it lapse after its 30-day hold', async () => {
    const fake = fakeActivities();
    const input = draft();
    const w = await worker(fake.activities, 'lapse');
    const result = await w.runUntil(async () => {
      const startedAt = await env.currentTimeMs();
      const handle = await env.client.workflow.start(BookingWorkflow, { workflowId: `booking-${input.reference}`, taskQueue: 'lapse', args: [input] });
      const view = await handle.result();
      return { view, elapsed: (await env.currentTimeMs()) - startedAt };
    });
    expect(result.view).toMatchObject({ reference: input.reference, status: 'EXPIRED', recorded: true });
    expect(result.view.expiresAt - result.view.openedAt).toBe(30 * DAY_MS);
    expect(result.elapsed).toBeGreaterThanOrEqual(30 * DAY_MS);
    expect(fake.calls).toEqual([`record:${input.reference}`, `expire:${input.reference}`]);
    expect(fake.rows.get(input.reference)?.status).toBe('EXPIRED');
  });

  it('never holds a draft past the start of its travel date', async () => {
    const fake = fakeActivities();
    const travelDate = new Date((await env.currentTimeMs()) + 5 * DAY_MS).toISOString().slice(0, 10);
    const input = draft({ travelDate, holdDays: 90 });
    const w = await worker(fake.activities, 'travel-first');
    const view = await w.runUntil(
      env.client.workflow.execute(BookingWorkflow, { workflowId: `booking-${input.reference}`, taskQueue: 'travel-first', args: [input] }),
    );
    expect(view.status).toBe('EXPIRED');
    expect(view.expiresAt).toBe(Date.parse(`${travelDate}T00:00:00Z`));
  });

  it('answers the status query while it waits, and awaitRecorded once stored', async () => {
    const fake = fakeActivities();
    const input = draft();
    const w = await worker(fake.activities, 'query');
    await w.runUntil(async () => {
      const handle = await env.client.workflow.start(BookingWorkflow, { workflowId: `booking-${input.reference}`, taskQueue: 'query', args: [input] });
      const recorded = await handle.executeUpdate(awaitRecordedUpdate);
      expect(recorded).toMatchObject({ status: 'DRAFT', recorded: true, price: input.price });
      const view = await handle.query(statusQuery);
      expect(view).toEqual(recorded);
      await handle.terminate('test done');
    });
  });

  it('keeps retrying the store through a database outage and loses nothing', async () => {
    const fake = fakeActivities({ failFirstRecords: 2 });
    const input = draft();
    const w = await worker(fake.activities, 'outage');
    const view = await w.runUntil(
      env.client.workflow.execute(BookingWorkflow, { workflowId: `booking-${input.reference}`, taskQueue: 'outage', args: [input] }),
    );
    expect(view.status).toBe('EXPIRED');
    expect(fake.calls.filter((c) => c.startsWith('record:'))).toHaveLength(3);
    expect(fake.rows.size).toBe(1);
  });
});
