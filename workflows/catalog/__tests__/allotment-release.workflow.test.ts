import { Client, WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createInventoryActivities } from '../../../activities/inventory.activities';
import { PrismaInventory } from '../../../activities/inventory.prisma';
import type { ReleaseNotification, SupplierNotifier } from '../../../activities/ports/supplier-notifier';
import { addDays } from '../../../domain/catalog/dates';
import { calendarDateIn } from '../../../domain/time/instant';
import type { Database } from '../../../infra/database';
import { temporalTestServerPath } from '../../../infra/tools';
import { openTestPglite } from '../../../test/support/databases';
import { dailyAllotmentReleaseSchedule } from '../../../workers/schedules/allotment-release.schedule';
import { AllotmentReleaseWorkflow, CATALOG_OPERATIONS_TASK_QUEUE } from '../allotment-release.workflow';

/** Our port, recorded: what the suppliers were told. */
class RecordingNotifier implements SupplierNotifier {
  readonly sent: ReleaseNotification[] = [];
  notifyRelease(n: ReleaseNotification): Promise<void> {
    this.sent.push(n);
    return Promise.resolve();
  }
}

describe('dailyAllotmentReleaseSchedule', () => {
  it('runs AllotmentReleaseWorkflow at 00:15 every day in the zone, on the catalog queue, one buffered', () => {
    const d = dailyAllotmentReleaseSchedule('Asia/Tokyo');
    expect(d.scheduleId).toBe('catalog-daily-allotment-release');
    expect(d.spec).toEqual({ calendars: [{ hour: 0, minute: 15, second: 0, comment: 'daily at 00:15 operator time' }], timezone: 'Asia/Tokyo' });
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowId: 'catalog-daily-allotment-release', taskQueue: 'catalog-operations', args: [{ timeZone: 'Asia/Tokyo' }] });
    expect(d.action.workflowType).toBe(AllotmentReleaseWorkflow);
    expect(d.policies).toEqual({ overlap: 'BUFFER_ONE', catchupWindow: '1 day' });
  });
});

describe('AllotmentReleaseWorkflow (time-skipping test server, real activities on PGlite)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;
  let inventory: PrismaInventory;
  const notifier = new RecordingNotifier();

  beforeAll(async () => {
    [env, bundle, db] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('../allotment-release.workflow'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
      openTestPglite(),
    ]);
    inventory = new PrismaInventory(db.prisma);
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.close();
  });

  const worker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue: CATALOG_OPERATIONS_TASK_QUEUE,
      workflowBundle: bundle,
      activities: createInventoryActivities({ inventory, notifier, operatorTimeZone: 'Asia/Tokyo' }),
    });

  const hotel = async (code: string) => {
    const supplier = await db.prisma.supplier.create({
      data: { code: `S-${code}`, name: 'Hotel Roma', type: 'HOTEL', depositPercent: '0', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30, preferredPaymentMethod: 'BANK_TRANSFER', invoiceCurrency: 'EUR', paymentCurrency: 'EUR' },
    });
    return db.prisma.product.create({
      data: {
        supplierId: supplier.id,
        code: `P-${code}`,
        type: 'HOTEL',
        name: 'Hotel Roma',
        destination: 'IT-ROME',
        country: 'IT',
        currency: 'EUR',
        minPax: 1,
        maxPax: 4,
        categories: { create: [{ code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 2 }] },
      },
      include: { supplier: true },
    });
  };

  it('releases the unsold units exactly 21 days before arrival, not a day earlier, once, and notifies the supplier once', async () => {
    // Dates relative to the test server's clock; Tokyo (UTC+9, no DST): 00:15 there is 15:15 UTC
    // the day before, so "today" must come from the operator's zone.
    const today = calendarDateIn(await env.currentTimeMs(), 'Asia/Tokyo');
    const arrival = addDays(today, 30);
    const product = await hotel('REL');
    await inventory.createContract({
      code: 'C-REL-2027',
      supplierCode: product.supplier.code,
      productCode: product.code,
      category: 'DBL',
      validFrom: arrival,
      validTo: addDays(arrival, 1),
      quantity: 4,
      contractedPrice: '95.00',
      currency: 'EUR',
      basis: 'PER_ROOM_PER_NIGHT',
      release: { kind: 'DAYS_BEFORE', days: 21 },
      minGroupSize: 1,
      maxGroupSize: 4,
    });
    const base = { productId: product.id, category: 'DBL', from: arrival, nights: 1, channel: 'api', now: new Date(await env.currentTimeMs()) };
    await inventory.sell({ ...base, reference: 'ITN-SOLD', quantity: 1 });
    // A hold that lapses long before the release: the first run expires it, so its unit is released too.
    await inventory.hold({ ...base, reference: 'ITN-LAPSED', quantity: 2, ttlSeconds: 86_400 });

    const { action } = dailyAllotmentReleaseSchedule('Asia/Tokyo');
    const plainClient = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    const runs: Array<{ offset: number; again?: boolean }> = [{ offset: -23 }, { offset: -22 }, { offset: -21 }, { offset: -21, again: true }, { offset: -20 }];
    const seen = await (await worker()).runUntil(async () => {
      const out: Array<{ day: string; runDate: string; holdsExpired: number; unitsReleased: number; notificationsSent: number; released: number }> = [];
      for (const run of runs) {
        const day = addDays(arrival, run.offset);
        const at = Date.parse(`${day}T00:15:00+09:00`);
        if (!run.again) await env.sleep(at - (await env.currentTimeMs()));
        const result = await plainClient.workflow.execute(action.workflowType, {
          workflowId: `${action.workflowId}-${day}${run.again ? '-again' : ''}`,
          taskQueue: action.taskQueue,
          args: action.args,
        });
        const [row] = await inventory.inventoryRows(product.id, 'DBL', arrival, arrival);
        out.push({ day, runDate: result.runDate, holdsExpired: result.holdsExpired, unitsReleased: result.unitsReleased, notificationsSent: result.notificationsSent, released: row!.released });
      }
      return out;
    });

    expect(seen).toEqual([
      { day: addDays(arrival, -23), runDate: addDays(arrival, -23), holdsExpired: 1, unitsReleased: 0, notificationsSent: 0, released: 0 },
      { day: addDays(arrival, -22), runDate: addDays(arrival, -22), holdsExpired: 0, unitsReleased: 0, notificationsSent: 0, released: 0 },
      { day: addDays(arrival, -21), runDate: addDays(arrival, -21), holdsExpired: 0, unitsReleased: 3, notificationsSent: 1, released: 3 },
      { day: addDays(arrival, -21), runDate: addDays(arrival, -21), holdsExpired: 0, unitsReleased: 0, notificationsSent: 0, released: 3 },
      // The second night is released on its own day (arrival + 1 - 21).
      { day: addDays(arrival, -20), runDate: addDays(arrival, -20), holdsExpired: 0, unitsReleased: 4, notificationsSent: 1, released: 3 },
    ]);
    expect(notifier.sent).toEqual([
      { supplierCode: 'S-REL', contractCode: 'C-REL-2027', productCode: 'P-REL', category: 'DBL', lines: [{ stayDate: arrival, quantity: 3 }], idempotencyKey: expect.stringMatching(/^allotment-release:C-REL-2027:/) as unknown },
      { supplierCode: 'S-REL', contractCode: 'C-REL-2027', productCode: 'P-REL', category: 'DBL', lines: [{ stayDate: addDays(arrival, 1), quantity: 4 }], idempotencyKey: expect.stringMatching(/^allotment-release:C-REL-2027:/) as unknown },
    ]);
  });

  it('refuses a run date in the future and an unknown zone', async () => {
    const today = calendarDateIn(await env.currentTimeMs(), 'UTC');
    const failure = async (args: Parameters<typeof AllotmentReleaseWorkflow>, workflowId: string) =>
      (await worker()).runUntil(env.client.workflow.execute(AllotmentReleaseWorkflow, { workflowId, taskQueue: CATALOG_OPERATIONS_TASK_QUEUE, args })).catch((e: unknown) => e);

    const ahead = await failure([{ date: addDays(today, 2), timeZone: 'UTC' }], 'release-ahead');
    expect(ahead).toBeInstanceOf(WorkflowFailedError);
    expect((ahead as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidAllotmentReleaseRequest', message: expect.stringContaining('allotments are never released ahead of time') as unknown });
    const zone = await failure([{ timeZone: 'Mars/Olympus' }], 'release-bad-zone');
    expect((zone as WorkflowFailedError).cause).toMatchObject({ type: 'InvalidAllotmentReleaseRequest', message: 'Unknown IANA time zone: Mars/Olympus' });
    // An explicit past date is allowed (a catch-up by hand) and finds nothing left.
    await expect(
      (await worker()).runUntil(env.client.workflow.execute(AllotmentReleaseWorkflow, { workflowId: 'release-past', taskQueue: CATALOG_OPERATIONS_TASK_QUEUE, args: [{ date: addDays(today, -1), timeZone: 'UTC' }] })),
    ).resolves.toEqual({ runDate: addDays(today, -1), holdsExpired: 0, unitsReleased: 0, contractsReleased: 0, notificationsSent: 0 });
  });
});
