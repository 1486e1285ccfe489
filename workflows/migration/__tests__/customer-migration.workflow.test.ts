import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, WorkflowFailedError } from '@temporalio/client';
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
import { migrationProgressQuery, migrationWorkflowId, type CustomerMigrationWorkflow } from '../customer-migration.workflow';

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/**
 * A small legacy export with one of each case: a duplicate pair (email case, Jon/John, phone
 * format), spouses sharing an email (kept apart), a customer whose last trip ended 12 years ago
 * (archived), one with an unknown advisor (loaded without one), a loyalty mismatch, an
 * expired passport, a malformed trips row, a trip of an unknown customer and an advisor without a name.
 */
function writeExport(dir: string) {
  const files: Record<string, string> = {
    'advisors.csv': 'advisor_id,name,email,branch\nADV1,Alice Advisor,alice@agency.example,LON\nADV2,Bob Booker,bob@agency.example,MAN\nADV3,,,\n',
    'customers.csv': [
      'customer_id,title,first_name,last_name,date_of_birth,email,phone,country,advisor_id,created_on,loyalty_tier,loyalty_balance,household_id',
      'C1,Mr,John,Smith,1970-04-12,john.smith@example.com,+44 20 7946 0001,GB,ADV1,2004-01-10,GOLD,300,',
      'C2,,Jon,Smith,12/04/1970,JOHN.SMITH@Example.com,020 7946 0001,GB,ADV2,2011-05-02,,,',
      'C3,Mrs,Mary,Jones,1965-02-01,jones.family@example.com,,GB,ADV1,2005-03-03,SILVER,100,H1',
      'C4,Mr,Peter,Jones,1963-07-19,jones.family@example.com,,GB,ADV1,2005-03-03,,,H1',
      'C5,Ms,Zoë,Ørsted,1950-09-30,zoe@example.dk,,DK,ADV2,2003-06-01,,,',
      'C6,Dr,Hans,Müller,1958-11-11,hans@example.de,,DE,ADV9,2002-02-02,,,',
    ].join('\n'),
    'trips.csv': [
      'trip_id,customer_id,booking_reference,start_date,end_date,destinations,products,pax,value,currency,payment_status,advisor_id',
      'T1,C1,LEG0001,2004-02-01,2004-02-15,Barbados;St Lucia,Caribbean cruise,2,4200.00,GBP,PAID,ADV1',
      'T2,C2,LEG0002,2023-06-01,2023-06-08,Rome,City break,2,1800.00,GBP,PAID,ADV2',
      'T3,C3,LEG0003,2022-05-01,2022-05-08,Basel;Amsterdam,Rhine cruise,2,3100.00,EUR,PAID,ADV1',
      'T4,C4,LEG0003,2022-05-01,2022-05-08,Basel;Amsterdam,Rhine cruise,2,3100.00,EUR,PAID,ADV1',
      'T5,C5,LEG0005,2009-08-01,2014-08-20,Serengeti,Safari,1,6000.00,USD,PAID,ADV2',
      'T6,C6,LEG0006,2021-12-01,2021-12-10,Vienna,Christmas markets,1,900.00,EUR,PAID,',
      'T7,C99,LEG0007,2020-01-01,2020-01-05,Paris,City break,1,500.00,EUR,PAID,',
      'T8,C1,"LEG0008,2021-01-01,2021-01-02',
    ].join('\n'),
    'loyalty.csv': ['transaction_id,customer_id,date,points', 'L1,C1,2004-02-16,200', 'L2,C2,2023-06-09,100', 'L3,C3,2022-05-09,150'].join('\n'),
    'passports.csv': ['customer_id,number,country,expires_on', 'C1,123456789,GB,2031-01-01', 'C2,PX-99887,GB,2019-01-01', 'C5,DK1234567,DK,2030-05-05'].join('\n'),
    'consents.csv': ['customer_id,purpose,granted,date,source', 'C1,MARKETING_EMAIL,Y,2010-01-01,web form', 'C1,MARKETING_EMAIL,N,2020-01-01,phone call'].join('\n'),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), `${text}\n`);
}

describe('CustomerMigrationWorkflow (time-skipping test server, real activities on PGlite)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;
  let client: Client;
  let dir: string;

  beforeAll(async () => {
    [env, bundle, db] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('../customer-migration.workflow'), logger: silent }),
      openTestPglite(),
    ]);
    client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'itinera-legacy-'));
    writeExport(dir);
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const options = (over: Partial<MigrationOptions> = {}): MigrationOptions => ({
    sourceDir: dir,
    system: 'crm1',
    dryRun: false,
    today: '2026-11-29',
    dayFirst: true,
    dedup: DEFAULT_DEDUP_CONFIG,
    chunkSize: 3,
    timeZone: 'Europe/London',
    ...over,
  });

  async function run(runId: string, opts: MigrationOptions, activities = createMigrationActivities({ prisma: db.prisma, sql: db, store: new PrismaCustomerStore(db.prisma, { sql: db }), customersPerLoad: 2 })) {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.crm, workflowBundle: bundle, activities });
    return worker.runUntil(async () => {
      const handle = await client.workflow.start<typeof CustomerMigrationWorkflow>('CustomerMigrationWorkflow', {
        taskQueue: TASK_QUEUES.crm,
        workflowId: migrationWorkflowId(runId),
        args: [{ runId, options: opts }],
      });
      const report: MigrationReport = await handle.result();
      const progress = await handle.query(migrationProgressQuery);
      return { report, progress };
    });
  }

  const customerData = async () => ({
    customers: await db.prisma.customer.count(),
    trips: await db.prisma.customerTrip.count(),
    issues: await db.prisma.migrationRowIssue.count({ where: { runId: 'dry' } }),
  });

  it('a dry run reports everything and writes no customer data', async () => {
    const { report, progress } = await run('dry', options({ dryRun: true }));
    expect(progress.status).toBe('COMPLETED');
    expect(progress.steps.filter((s) => s.state === 'SKIPPED').map((s) => s.name)).toEqual(['check bookings', 'load passports', 'load trips', 'load loyalty', 'load consents', 'figures', 'start bookings', 'reconcile bookings']);
    expect(report.customers).toMatchObject({ read: 6, staged: 6, duplicateClusters: 1, merged: 1, loaded: 5, archived: 1, active: 4, created: 0 });
    expect(report.expiredPassports).toBe(1);
    expect(report.issues['ERROR:unknown-customer']).toBe(1);
    expect(report.issues['ERROR:malformed-row']).toBeGreaterThanOrEqual(1);
    expect(report.issues['WARNING:unknown-advisor']).toBe(1);
    // The advisors file's own problems count in the report like every other file's.
    const advisorIssues = await db.prisma.migrationRowIssue.count({ where: { runId: 'dry', file: 'advisors' } });
    expect(advisorIssues).toBe(1);
    const data = await customerData();
    expect(data.customers).toBe(0);
    expect(data.trips).toBe(0);
    expect(await db.prisma.advisor.count()).toBe(0);
    expect(data.issues).toBe(report.errors + report.warnings);
    // Staging is scratch: nothing of the run is left there.
    expect(await db.prisma.migrationStagedCustomer.count()).toBe(0);
  });

  it('migrates: merges the duplicate pair keeping every history row, archives the lapsed customer, keeps spouses apart; a re-run changes nothing', async () => {
    const { report } = await run('real-1', options());
    expect(report.customers).toMatchObject({ loaded: 5, created: 5, archived: 1, merged: 1, duplicateClusters: 1 });

    const smith = await db.prisma.customer.findUniqueOrThrow({ where: { id: customerIdForLegacy('crm1', 'C2') }, include: { trips: true, legacyIds: true, emails: true, phones: true, passports: true } });
    // C2 is the survivor (latest trip, 2023); C1's 2004 cruise comes along.
    expect(smith.trips.map((t) => t.reference).sort()).toEqual(['LEG0001', 'LEG0002']);
    expect(smith.legacyIds.map((l) => l.legacyId).sort()).toEqual(['C1', 'C2']);
    expect(smith.emails).toHaveLength(1);
    expect(smith.phones.map((p) => p.e164)).toEqual(['+442079460001']);
    expect(smith.passports).toHaveLength(2);
    expect(smith.tripCount).toBe(2);
    expect(smith.loyaltyPoints).toBe(300);
    expect(await db.prisma.customer.findUnique({ where: { id: customerIdForLegacy('crm1', 'C1') } })).toBeNull();

    const jones = await db.prisma.customer.findMany({ where: { householdId: 'crm1:H1' }, orderBy: { firstName: 'asc' } });
    expect(jones.map((c) => c.firstName)).toEqual(['Mary', 'Peter']);

    const zoe = await db.prisma.customer.findUniqueOrThrow({ where: { id: customerIdForLegacy('crm1', 'C5') } });
    expect(zoe.status).toBe('ARCHIVED');
    const hans = await db.prisma.customer.findUniqueOrThrow({ where: { id: customerIdForLegacy('crm1', 'C6') } });
    expect(hans.status).toBe('ACTIVE');
    expect(hans.advisorId).toBeNull();

    expect(report.loyaltyMismatches).toBe(1);
    const mismatch = await db.prisma.migrationRowIssue.findFirstOrThrow({ where: { runId: 'real-1', code: 'loyalty-mismatch' } });
    expect(mismatch.message).toContain('C3');

    const merges = await db.prisma.migrationMerge.findMany({ where: { runId: 'real-1' } });
    expect(merges).toEqual([expect.objectContaining({ survivorLegacyId: 'C2', mergedLegacyIds: ['C1'] })]);

    const before = { customers: await db.prisma.customer.count(), trips: await db.prisma.customerTrip.count(), loyalty: await db.prisma.loyaltyTransaction.count(), consents: await db.prisma.customerConsent.count() };
    const again = await run('real-2', options());
    expect(again.report.customers).toMatchObject({ loaded: 5, created: 0, unchanged: 5 });
    expect({ customers: await db.prisma.customer.count(), trips: await db.prisma.customerTrip.count(), loyalty: await db.prisma.loyaltyTransaction.count(), consents: await db.prisma.customerConsent.count() }).toEqual(before);
    expect(again.report.files.find((f) => f.file === 'trips')).toMatchObject({ created: 0, existing: 6 });
  });

  it('a chunk that fails part-way is retried from its checkpoint and counted once', async () => {
    const base = createMigrationActivities({ prisma: db.prisma, sql: db, store: new PrismaCustomerStore(db.prisma, { sql: db }), customersPerLoad: 2 });
    let failed = 0;
    const flaky = {
      ...base,
      async stageChunk(input: Parameters<typeof base.stageChunk>[0]) {
        const result = await base.stageChunk(input);
        // The chunk committed, then the worker "died" before reporting: the retry must not count it twice.
        if (input.file.file === 'trips' && input.chunk === 1 && failed++ === 0) throw new Error('worker lost after commit');
        return result;
      },
    };
    const { report } = await run('flaky', options({ dryRun: true }), flaky);
    expect(failed).toBe(2);
    expect(report.files.find((f) => f.file === 'trips')).toMatchObject({ records: 8, accepted: 6 });
    expect(report.customers).toMatchObject({ loaded: 5, archived: 1 });
  });

  it('loads each history chunk from the records its check kept; a chunk without them is read and checked again, loading the same rows', async () => {
    const base = createMigrationActivities({ prisma: db.prisma, sql: db, store: new PrismaCustomerStore(db.prisma, { sql: db }), customersPerLoad: 2 });
    const kept: Record<string, number> = {};
    let reread = 0;
    const dropping = {
      ...base,
      async loadHistoryChunk(input: Parameters<typeof base.loadHistoryChunk>[0]) {
        const [row] = await db.query<{ checked: string | null }>(`SELECT checked FROM migration_chunks WHERE run_id = $1 AND file = $2 AND chunk = $3`, [input.runId, input.file.file, input.chunk]);
        kept[input.file.file] = (kept[input.file.file] ?? 0) + (JSON.parse(row?.checked ?? '[]') as unknown[]).length;
        // Every second chunk loses its kept records, as a chunk checked by an older version would have none.
        if (input.chunk % 2 === 1) {
          await db.query(`UPDATE migration_chunks SET checked = NULL WHERE run_id = $1 AND file = $2 AND chunk = $3`, [input.runId, input.file.file, input.chunk]);
          reread++;
        }
        return base.loadHistoryChunk(input);
      },
    };
    const { report } = await run('kept-records', options({ system: 'crm2' }), dropping);
    expect(reread).toBeGreaterThan(0);
    // The check kept exactly the accepted records of each history file, and the load wrote each once.
    for (const file of ['trips', 'loyalty', 'consents', 'passports'] as const) {
      const f = report.files.find((x) => x.file === file)!;
      expect(kept[file]).toBe(f.accepted);
      expect({ file, created: f.created, existing: f.existing }).toEqual({ file, created: f.accepted, existing: 0 });
    }
    const trips = await db.prisma.customerTrip.findMany({ where: { sourceKey: { startsWith: 'legacy:crm2:' } }, orderBy: { sourceKey: 'asc' } });
    const crm1 = await db.prisma.customerTrip.findMany({ where: { sourceKey: { startsWith: 'legacy:crm1:' } }, orderBy: { sourceKey: 'asc' } });
    expect(trips).toHaveLength(6);
    const shape = (t: (typeof trips)[number]) => ({ reference: t.reference, start: t.startDate, end: t.endDate, value: t.value.toString(), currency: t.currency, pax: t.pax, status: t.paymentStatus, destinations: t.destinations, components: t.components });
    expect(trips.map(shape)).toEqual(crm1.map(shape));
    // Staging, kept records included, is gone once the run ends.
    expect(await db.query(`SELECT 1 FROM migration_chunks WHERE run_id = 'kept-records'`, [])).toEqual([]);
  });

  it('an export without customers fails at once with a clear reason, recorded on the run', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'itinera-legacy-empty-'));
    try {
      const err = await run('no-customers', options({ sourceDir: empty })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(((err as WorkflowFailedError).cause as Error).message).toMatch(/no customers\.csv/);
      const runRow = await db.prisma.migrationRun.findUniqueOrThrow({ where: { id: 'no-customers' } });
      expect(runRow.status).toBe('FAILED');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
