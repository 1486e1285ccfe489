import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { createApp } from '../app';
import type { Database } from '../../infra/database';
import type { DevServer } from '../../infra/dev-server';
import { financeDeps } from '../../infra/finance';
import { TemporalClientProvider } from '../../infra/temporal';
import { openTestPglite } from '../../test/support/databases';
import { connectClient, silentLogger, startTestDevServer, testAccess, withApiKey } from '../../test/support/api-harness';
import { superviseCrmWorker } from '../../workers/crm-worker';
import type { SupervisedWorker } from '../../workers/booking-worker';
import { migrationWorkflowId } from '../../workflows/migration/customer-migration.workflow';
import { MigrationIssuesResponse, MigrationMergesResponse, MigrationRunResponse, MigrationStartedResponse } from '../schemas/migration.schema';

const GOLDEN = path.resolve(__dirname, '../../test/fixtures/legacy-export/golden');

/**
 * The migration API on a Temporal dev server with the CRM worker wired as `npm start` wires it:
 * start a dry run, await its workflow, read the report, the issues a page at a time and the merges.
 */
describe('POST/GET /migrations', () => {
  let server: DevServer;
  let db: Database;
  let app: Express;
  let temporal: TemporalClientProvider;
  let worker: SupervisedWorker;
  let client: Client;

  beforeAll(async () => {
    [server, db] = await Promise.all([startTestDevServer(), openTestPglite()]);
    const target = { address: server.address, namespace: 'default' };
    temporal = new TemporalClientProvider(target);
    worker = superviseCrmWorker(target, { prisma: db.prisma, sql: db }, silentLogger, '5s');
    app = withApiKey(createApp({ db, bookings: new PrismaBookingStore(db.prisma), temporal, logger: silentLogger, operatorTimeZone: 'UTC', finance: financeDeps(db.prisma), access: testAccess(db) }), db);
    client = await connectClient(server.address);
    await worker.ready;
  });
  afterAll(async () => {
    await worker?.stop();
    await temporal?.close();
    await client?.connection.close();
    await server?.stop();
    await db?.close();
  });

  it('starts a dry run, then reports it with its issues and merges', async () => {
    const started = await request(app).post('/migrations').send({ sourceDir: GOLDEN, dryRun: true, today: '2026-12-01', runId: 'api-dry' }).expect(202);
    // The answers have the shapes the OpenAPI document gives them.
    MigrationStartedResponse.parse(started.body);
    expect(started.body).toMatchObject({ runId: 'api-dry', workflowId: migrationWorkflowId('api-dry'), dryRun: true, links: { progress: '/migrations/api-dry' } });
    expect(started.headers.location).toBe('/migrations/api-dry');
    await client.workflow.getHandle(migrationWorkflowId('api-dry')).result();

    const run = await request(app).get('/migrations/api-dry').expect(200);
    MigrationRunResponse.parse(run.body);
    expect(run.body).toMatchObject({ status: 'COMPLETED', dryRun: true, report: { customers: { read: 300, loaded: 277, archived: 13 }, errors: 10 } });
    expect(run.body.progress.steps.find((s: { name: string }) => s.name === 'duplicates')).toMatchObject({ state: 'DONE' });

    const first = await request(app).get('/migrations/api-dry/issues').query({ severity: 'ERROR', limit: 4 }).expect(200);
    MigrationIssuesResponse.parse(first.body);
    expect(first.body.issues).toHaveLength(4);
    const second = await request(app).get('/migrations/api-dry/issues').query({ severity: 'ERROR', limit: 100, after: first.body.next }).expect(200);
    expect(first.body.issues.length + second.body.issues.length).toBe(10);
    expect(second.body.next).toBeNull();
    const dates = await request(app).get('/migrations/api-dry/issues').query({ code: 'bad-date' }).expect(200);
    expect(dates.body.issues).toHaveLength(3);
    expect(dates.body.issues.every((i: { file: string; field: string }) => i.file === 'customers' && i.field === 'date_of_birth')).toBe(true);

    const merges = await request(app).get('/migrations/api-dry/merges').expect(200);
    MigrationMergesResponse.parse(merges.body);
    expect(merges.body.merges).toHaveLength(13);
  });

  it('a directory that is not there: the run fails at once and says why', async () => {
    await request(app).post('/migrations').send({ sourceDir: '/nowhere/export', runId: 'api-missing' }).expect(202);
    await expect(client.workflow.getHandle(migrationWorkflowId('api-missing')).result()).rejects.toThrow();
    const run = await request(app).get('/migrations/api-missing').expect(200);
    MigrationRunResponse.parse(run.body);
    expect(run.body.status).toBe('FAILED');
    expect(run.body.error).toMatch(/\/nowhere\/export is not a directory/);
  });

  it('bad requests are refused naming each field; unknown runs are 404', async () => {
    const bad = await request(app).post('/migrations').send({ sourceDir: '', chunkSize: 5, today: '2026-02-30', extra: 1 }).expect(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/chunkSize', '/extra', '/sourceDir', '/today']);
    const relative = await request(app).post('/migrations').send({ sourceDir: 'exports/crm' }).expect(422);
    expect(relative.body.errors).toEqual([{ pointer: '/sourceDir', detail: expect.stringMatching(/absolute path/) }]);
    await request(app).get('/migrations/no-such-run').expect(404);
    await request(app).get('/migrations/no-such-run/issues').expect(404);
    await request(app).get('/migrations/api-dry/issues').query({ severity: 'FATAL' }).expect(400);
  });
});
