import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PrismaCustomerStore } from '../../../activities/customers.prisma';
import { createMigrationActivities } from '../../../activities/migration/migration.activities';
import type { MigrationOptions, MigrationReport } from '../../../activities/migration/migration.types';
import { bookingWorkflowId } from '../../../domain/booking/draft';
import type { LifecycleView } from '../../../domain/booking/model';
import { DEFAULT_DEDUP_CONFIG } from '../../../domain/customers/model';
import { DAY_MS, HOUR_MS } from '../../../domain/time/instant';
import { lifecycleStatusQuery } from '../../booking/messages';
import { startLifecycleRig, type LifecycleRig } from '../../booking/__tests__/lifecycle.rig';
import { lifecycleTools, type Handle } from '../../booking/__tests__/lifecycle.tools';
import { TASK_QUEUES } from '../../task-queues';
import { migrationWorkflowId, type CustomerMigrationWorkflow } from '../customer-migration.workflow';

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
const GOLDEN = path.resolve(__dirname, '../../../test/fixtures/legacy-export/golden');

/**
 * In-flight legacy bookings become booking workflows that carry on where the legacy system left
 * off: the golden export's 17 confirmed bookings, on the booking lifecycle's own rig (real
 * lifecycle, ledger and revenue activities on PGlite, time-skipping server).
 */
describe('migrated in-flight bookings (time-skipping test server, real workers on PGlite)', () => {
  let rig: LifecycleRig;
  let crm: Worker;
  let crmRun: Promise<void>;
  const tools = lifecycleTools(() => rig);
  const options: MigrationOptions = { sourceDir: GOLDEN, system: 'gold', dryRun: false, today: '2026-12-01', dayFirst: true, dedup: DEFAULT_DEDUP_CONFIG, chunkSize: 250, timeZone: 'UTC' };

  beforeAll(async () => {
    // Seventeen bookings start at once, each posting its opening entries in local activities: a cached worker.
    rig = await startLifecycleRig({ maxCachedWorkflows: 50 });
    crm = await Worker.create({
      connection: rig.env.nativeConnection,
      taskQueue: TASK_QUEUES.crm,
      workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('../customer-migration.workflow'), logger: silent }),
      activities: createMigrationActivities({ prisma: rig.db.prisma, store: new PrismaCustomerStore(rig.db.prisma), customersPerLoad: 100 }),
    });
    crmRun = crm.run();
  });
  afterAll(async () => {
    crm?.shutdown();
    await crmRun;
    await rig?.stop();
  });

  const migrate = (runId: string): Promise<MigrationReport> =>
    rig.client.workflow.execute<typeof CustomerMigrationWorkflow>('CustomerMigrationWorkflow', { taskQueue: TASK_QUEUES.crm, workflowId: migrationWorkflowId(runId), args: [{ runId, options }] });
  const handleOf = (reference: string) => rig.client.workflow.getHandle(bookingWorkflowId(reference)) as Handle;

  it('starts one workflow per booking, and Itinera totals match the legacy ones to the cent; a re-run starts none', async () => {
    const report = await migrate('inflight-1');
    expect(report.bookings.started).toBe(17);
    expect(report.bookings.legacy).toEqual({
      EUR: { count: 8, total: '35099.10', balanceDue: '19497.38' },
      GBP: { count: 7, total: '39548.88', balanceDue: '30640.35' },
      USD: { count: 2, total: '10368.66', balanceDue: '5942.95' },
    });
    expect(report.bookings.itinera).toEqual(report.bookings.legacy);
    expect(report.bookings.matches).toBe(true);

    const again = await migrate('inflight-2');
    expect(again.bookings).toMatchObject({ started: 0, existing: 17, matches: true });
  });

  it('a deposit-paid booking continues its payment plan: reminded, paid, travelled, completed, in the ledger as any booking', async () => {
    // IF000008: GBP 1585.92, deposit 317.18 paid, balance 1268.74 due 2027-09-22, travels 2027-11-13.
    const handle = handleOf('IF000008');
    const view = (await handle.query(lifecycleStatusQuery)) as LifecycleView;
    expect(view).toMatchObject({ status: 'CONFIRMED', total: { amount: '1585.92' }, paid: { amount: '317.18' }, balanceDue: { amount: '1268.74' } });
    const legacy = (JSON.parse(readFileSync(path.join(GOLDEN, 'bookings.json'), 'utf8')) as { booking_reference: string; customer_id: string }[]).find((b) => b.booking_reference === 'IF000008')!;
    const owner = await rig.db.prisma.customerLegacyId.findUniqueOrThrow({ where: { system_legacyId: { system: 'gold', legacyId: legacy.customer_id } } });
    expect(view.customerId).toBe(owner.customerId);
    expect(view.components.every((c) => c.status === 'CONFIRMED' || c.status === 'TICKETED')).toBe(true);
    expect(view.nextDeadline?.at).toBe(Date.parse('2027-09-15T23:59:59.999Z'));

    // Opening deposit and sale: the receivable is exactly what is still due.
    expect(await tools.ledgerNet('IF000008')).toMatchObject({ 'asset:receivable:customers': '1268.74', 'liability:customer-deposits': '0.00', 'equity:opening-balances': '317.18' });

    await tools.skipTo(Date.parse('2027-09-16T01:00:00Z'));
    expect(rig.notices.some((n) => n.reference === 'IF000008' && n.kind === 'REMINDER')).toBe(true);
    const paid = await tools.pay(handle, '1268.74', 'final-IF000008');
    expect(paid).toMatchObject({ status: 'PAID', balanceDue: { amount: '0.00' } });
    expect((await tools.ledgerNet('IF000008'))['asset:receivable:customers']).toBe('0.00');

    await tools.skipTo(Date.parse('2027-11-21T23:59:59.999Z') + 30 * DAY_MS + HOUR_MS);
    const done = (await handle.result()) as LifecycleView;
    expect(done.status).toBe('COMPLETED');
    await tools.record('migrated-deposit-paid', handle);
  });

  it('an unpaid balance runs out its grace period and the booking is cancelled for non-payment', async () => {
    // IF000013: EUR, balance 3675.94 due 2027-09-26; travel 2027-11-25. Nobody pays.
    const handle = handleOf('IF000013');
    await tools.skipTo(Date.parse('2027-10-01T00:00:00Z'));
    const view = (await handle.query(lifecycleStatusQuery)) as LifecycleView;
    expect(view.status).toBe('CANCELLED');
    expect(view.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['MIGRATED', 'CANCELLED']));
  });
});
