import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { PrismaCustomerStore } from '../../../activities/customers.prisma';
import { createMigrationActivities } from '../../../activities/migration/migration.activities';
import type { MigrationOptions, MigrationReport } from '../../../activities/migration/migration.types';
import { customerIdForLegacy } from '../../../domain/customers/ids';
import { DEFAULT_DEDUP_CONFIG } from '../../../domain/customers/model';
import type { Database } from '../../../infra/database';
import { temporalTestServerPath } from '../../../infra/tools';
import { openTestPglite } from '../../../test/support/databases';
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
describe('golden legacy migration (time-skipping test server, real activities on PGlite)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;
  let client: Client;
  const manifest = JSON.parse(readFileSync(path.join(GOLDEN, 'manifest.json'), 'utf8')) as Manifest;
  const options: MigrationOptions = { sourceDir: GOLDEN, system: 'gold', dryRun: false, today: '2026-12-01', dayFirst: true, dedup: DEFAULT_DEDUP_CONFIG, chunkSize: 250, timeZone: 'Europe/London' };

  beforeAll(async () => {
    [env, bundle, db] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('../customer-migration.workflow'), logger: silent }),
      openTestPglite(),
    ]);
    client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.close();
  });

  async function migrate(runId: string, opts: MigrationOptions): Promise<MigrationReport> {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUES.crm,
      workflowBundle: bundle,
      activities: createMigrationActivities({ prisma: db.prisma, store: new PrismaCustomerStore(db.prisma), customersPerLoad: 100 }),
    });
    return worker.runUntil(
      client.workflow.execute<typeof CustomerMigrationWorkflow>('CustomerMigrationWorkflow', { taskQueue: TASK_QUEUES.crm, workflowId: migrationWorkflowId(runId), args: [{ runId, options: opts }] }),
    );
  }

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
    expect(await db.prisma.customer.count()).toBe(0);
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

    expect(await db.prisma.customer.count()).toBe(277);
    expect(await db.prisma.customer.count({ where: { status: 'ARCHIVED' } })).toBe(13);
    expect(await db.prisma.customerTrip.count()).toBe(1194);
    expect(await db.prisma.customerLegacyId.count()).toBe(293);
    expect(await db.prisma.advisor.count()).toBe(12);

    // Every trip of every member of a duplicate cluster now belongs to the one merged customer.
    const trips = parse(readFileSync(path.join(GOLDEN, 'trips.csv')), { columns: true, skip_empty_lines: true, relax_column_count: true }) as { customer_id: string }[];
    const tripsOf = (id: string) => trips.filter((t) => t.customer_id === id).length;
    for (const cluster of manifest.duplicates) {
      const owners = await db.prisma.customerLegacyId.findMany({ where: { system: 'gold', legacyId: { in: cluster.members } } });
      expect(new Set(owners.map((o) => o.customerId)).size).toBe(1);
      expect(owners).toHaveLength(cluster.members.length);
      const customerId = owners[0]!.customerId;
      const expected = cluster.members.reduce((n, m) => n + tripsOf(m), 0);
      expect(await db.prisma.customerTrip.count({ where: { customerId } })).toBe(expected);
      const merge = await db.prisma.migrationMerge.findFirstOrThrow({ where: { runId: 'golden-1', customerId } });
      expect([merge.survivorLegacyId, ...merge.mergedLegacyIds].sort()).toEqual([...cluster.members].sort());
    }
    // Spouses sharing an email stay two customers.
    for (const pair of manifest.spousePairs) {
      const ids = [pair.a, pair.b].map((m) => customerIdForLegacy('gold', m));
      const both = await db.prisma.customer.findMany({ where: { id: { in: ids } }, include: { emails: true } });
      expect(both).toHaveLength(2);
      for (const c of both) expect(c.emails.map((e) => e.normalized)).toContain(pair.sharedEmail.toLowerCase());
    }
    // The customers to archive are archived (under whichever id survived their cluster).
    for (const legacyId of manifest.toArchive) {
      const owner = await db.prisma.customerLegacyId.findUniqueOrThrow({ where: { system_legacyId: { system: 'gold', legacyId } }, include: { customer: true } });
      expect(owner.customer.status).toBe('ARCHIVED');
    }
    // No card number was stored anywhere a payment method lives.
    const methods = await db.prisma.customerPaymentMethod.findMany();
    expect(methods.every((m) => !/\d{13,19}/.test(m.token.replace(/[\s-]/g, '')))).toBe(true);

    const again = await migrate('golden-2', options);
    expectGoldenCounts(again);
    expect(again.customers).toMatchObject({ created: 0, updated: 0, unchanged: 277 });
    expect(again.files.find((x) => x.file === 'trips')).toMatchObject({ created: 0, existing: 1194 });
    expect(await db.prisma.customer.count()).toBe(277);
    expect(await db.prisma.customerTrip.count()).toBe(1194);
    expect(await db.prisma.loyaltyTransaction.count()).toBe(500);
  });
});
