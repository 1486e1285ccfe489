import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { PrismaCustomerStore } from '../../../activities/customers.prisma';
import { createMigrationActivities, migratedBookingReference } from '../../../activities/migration/migration.activities';
import type { MigrationOptions, MigrationReport } from '../../../activities/migration/migration.types';
import { bookingWorkflowId } from '../../../domain/booking/draft';
import type { LifecycleView } from '../../../domain/booking/model';
import { customerIdForLegacy } from '../../../domain/customers/ids';
import { DEFAULT_DEDUP_CONFIG } from '../../../domain/customers/model';
import { DAY_MS, HOUR_MS } from '../../../domain/time/instant';
import { lifecycleStatusQuery } from '../../booking/messages';
import { startLifecycleRig, type LifecycleRig } from '../../booking/__tests__/lifecycle.rig';
import { lifecycleTools, type Handle } from '../../booking/__tests__/lifecycle.tools';
import { TASK_QUEUES } from '../../task-queues';
import { migrationWorkflowId, type CustomerMigrationWorkflow } from '../customer-migration.workflow';

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
const GOLDEN = path.resolve(__dirname, '../../../test/fixtures/legacy-export/golden');

interface Manifest {
  duplicates: { kind: 'pair' | 'triple'; members: string[] }[];
  spousePairs: { a: string; b: string; sharedEmail: string }[];
  toArchive: string[];
}

/**
 * The golden migration: the 300-customer legacy export in test/fixtures/legacy-export/golden
 * (written for this project, with planted duplicates, spouses sharing an email, expired
 * passports, loyalty mismatches, 20-year-old trips, bad rows). The counts below are the ones its
 * EXPECTED.md derives from what was planted, written out here so a change in any rule shows.
 */
describe('golden legacy migration (time-skipping test server, real workers on PGlite)', () => {
  let rig: LifecycleRig;
  let crm: Worker;
  let crmRun: Promise<void>;
  const tools = lifecycleTools(() => rig);
  const manifest = JSON.parse(readFileSync(path.join(GOLDEN, 'manifest.json'), 'utf8')) as Manifest;
  const options: MigrationOptions = { sourceDir: GOLDEN, system: 'gold', dryRun: false, today: '2026-12-01', dayFirst: true, dedup: DEFAULT_DEDUP_CONFIG, chunkSize: 250, timeZone: 'UTC' };

  beforeAll(async () => {
    // The booking worker of the lifecycle rig takes the migrated in-flight bookings; seventeen start at once, each posting its opening entries in local activities: a cached worker.
    rig = await startLifecycleRig({ maxCachedWorkflows: 50 });
    crm = await Worker.create({
      connection: rig.env.nativeConnection,
      taskQueue: TASK_QUEUES.crm,
      workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('../customer-migration.workflow'), logger: silent }),
      activities: createMigrationActivities({ prisma: rig.db.prisma, sql: rig.db, store: new PrismaCustomerStore(rig.db.prisma, { sql: rig.db }), customersPerLoad: 100 }),
    });
    crmRun = crm.run();
  });
  afterAll(async () => {
    crm?.shutdown();
    await crmRun;
    await rig?.stop();
  });

  const migrate = (runId: string, opts: MigrationOptions): Promise<MigrationReport> =>
    rig.client.workflow.execute<typeof CustomerMigrationWorkflow>('CustomerMigrationWorkflow', { taskQueue: TASK_QUEUES.crm, workflowId: migrationWorkflowId(runId), args: [{ runId, options: opts }] });
  /** A migrated booking by its legacy reference. */
  const handleOf = (legacyReference: string) => rig.client.workflow.getHandle(bookingWorkflowId(migratedBookingReference('gold', legacyReference))) as Handle;

  const expectGoldenCounts = (r: MigrationReport) => {
    expect(r.customers).toMatchObject({ read: 300, staged: 293, duplicateClusters: 13, merged: 16, loaded: 277, archived: 13, active: 264 });
    expect(r.issues).toEqual({
      'ERROR:malformed-row': 2,
      'ERROR:bad-date': 3,
      'ERROR:impossible-birth-date': 2,
      'ERROR:unknown-customer': 3,
      'WARNING:bad-encoding': 1,
      'WARNING:card-number': 2,
      'WARNING:expired-passport': 80,
      'WARNING:loyalty-mismatch': 9,
    });
    expect(r.errors).toBe(10);
    expect(r.advisors).toBe(12);
    expect(r.expiredPassports).toBe(80);
    expect(r.loyaltyMismatches).toBe(9);
    const file = (f: string) => r.files.find((x) => x.file === f);
    expect(file('customers')).toMatchObject({ records: 300, accepted: 293, refused: 7 });
    expect(file('trips')).toMatchObject({ records: 1197, accepted: 1194, refused: 3 });
    expect(file('passports')).toMatchObject({ accepted: 293 });
    expect(file('loyalty')).toMatchObject({ accepted: 500 });
    expect(file('consents')).toMatchObject({ accepted: 358 });
    expect(file('bookings')).toMatchObject({ accepted: 17 });
  };

  it('a dry run reports the exact expected counts and writes nothing', async () => {
    const report = await migrate('golden-dry', { ...options, dryRun: true });
    expectGoldenCounts(report);
    expect(await rig.db.prisma.customer.count()).toBe(0);
    expect(report.bookings).toMatchObject({ started: 0, itinera: null, matches: null });
    expect(await rig.db.prisma.booking.count()).toBe(0);
  });

  it('loads the export with the exact expected counts; merges keep every history row; a re-run is idempotent', async () => {
    const report = await migrate('golden-1', options);
    expectGoldenCounts(report);
    expect(report.customers).toMatchObject({ created: 277, updated: 0, unchanged: 0 });
    const file = (f: string) => report.files.find((x) => x.file === f);
    expect(file('trips')).toMatchObject({ created: 1194, existing: 0 });
    expect(file('passports')).toMatchObject({ created: 293 });
    expect(file('loyalty')).toMatchObject({ created: 500 });
    expect(file('consents')).toMatchObject({ created: 358 });

    expect(await rig.db.prisma.customer.count()).toBe(277);
    expect(await rig.db.prisma.customer.count({ where: { status: 'ARCHIVED' } })).toBe(13);
    expect(await rig.db.prisma.customerTrip.count()).toBe(1194);
    expect(await rig.db.prisma.customerLegacyId.count()).toBe(293);
    expect(await rig.db.prisma.advisor.count()).toBe(12);
    // In-flight bookings: one workflow each, and Itinera's totals equal the legacy ones to the cent.
    expect(report.bookings.started).toBe(17);
    expect(report.bookings.legacy).toEqual({
      EUR: { count: 8, total: '35099.10', balanceDue: '19497.38' },
      GBP: { count: 7, total: '39548.88', balanceDue: '30640.35' },
      USD: { count: 2, total: '10368.66', balanceDue: '5942.95' },
    });
    expect(report.bookings.itinera).toEqual(report.bookings.legacy);
    expect(report.bookings.matches).toBe(true);

    // Every trip of every member of a duplicate cluster now belongs to the one merged customer.
    const trips = parse(readFileSync(path.join(GOLDEN, 'trips.csv')), { columns: true, skip_empty_lines: true, relax_column_count: true }) as { customer_id: string }[];
    const tripsOf = (id: string) => trips.filter((t) => t.customer_id === id).length;
    for (const cluster of manifest.duplicates) {
      const owners = await rig.db.prisma.customerLegacyId.findMany({ where: { system: 'gold', legacyId: { in: cluster.members } } });
      expect(new Set(owners.map((o) => o.customerId)).size).toBe(1);
      expect(owners).toHaveLength(cluster.members.length);
      const customerId = owners[0]!.customerId;
      const expected = cluster.members.reduce((n, m) => n + tripsOf(m), 0);
      expect(await rig.db.prisma.customerTrip.count({ where: { customerId } })).toBe(expected);
      const merge = await rig.db.prisma.migrationMerge.findFirstOrThrow({ where: { runId: 'golden-1', customerId } });
      expect([merge.survivorLegacyId, ...merge.mergedLegacyIds].sort()).toEqual([...cluster.members].sort());
    }
    // Spouses sharing an email stay two customers.
    for (const pair of manifest.spousePairs) {
      const ids = [pair.a, pair.b].map((m) => customerIdForLegacy('gold', m));
      const both = await rig.db.prisma.customer.findMany({ where: { id: { in: ids } }, include: { emails: true } });
      expect(both).toHaveLength(2);
      for (const c of both) expect(c.emails.map((e) => e.normalized)).toContain(pair.sharedEmail.toLowerCase());
    }
    // The customers to archive are archived (under whichever id survived their cluster).
    for (const legacyId of manifest.toArchive) {
      const owner = await rig.db.prisma.customerLegacyId.findUniqueOrThrow({ where: { system_legacyId: { system: 'gold', legacyId } }, include: { customer: true } });
      expect(owner.customer.status).toBe('ARCHIVED');
    }
    // No card number was stored anywhere a payment method lives.
    const methods = await rig.db.prisma.customerPaymentMethod.findMany();
    expect(methods.every((m) => !/\d{13,19}/.test(m.token.replace(/[\s-]/g, '')))).toBe(true);

    const again = await migrate('golden-2', options);
    expectGoldenCounts(again);
    expect(again.customers).toMatchObject({ created: 0, updated: 0, unchanged: 277 });
    expect(again.files.find((x) => x.file === 'trips')).toMatchObject({ created: 0, existing: 1194 });
    expect(await rig.db.prisma.customer.count()).toBe(277);
    expect(await rig.db.prisma.customerTrip.count()).toBe(1194);
    expect(await rig.db.prisma.loyaltyTransaction.count()).toBe(500);
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
    expect(await tools.ledgerNet(migratedBookingReference('gold', 'IF000008'))).toMatchObject({ 'asset:receivable:customers': '1268.74', 'liability:customer-deposits': '0.00', 'equity:opening-balances': '317.18' });

    await tools.skipTo(Date.parse('2027-09-16T01:00:00Z'));
    expect(rig.notices.some((n) => n.reference === migratedBookingReference('gold', 'IF000008') && n.kind === 'REMINDER')).toBe(true);
    const paid = await tools.pay(handle, '1268.74', 'final-IF000008');
    expect(paid).toMatchObject({ status: 'PAID', balanceDue: { amount: '0.00' } });
    expect((await tools.ledgerNet(migratedBookingReference('gold', 'IF000008')))['asset:receivable:customers']).toBe('0.00');

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
