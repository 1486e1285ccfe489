import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import request from 'supertest';
import { ackRates, hotelProduct } from '../../activities/__tests__/channel-rates.fixtures';
import { PrismaChannelConfig } from '../../activities/channel-config.prisma';
import { PrismaChannelRates } from '../../activities/channel-rates.prisma';
import type { Database } from '../../infra/database';
import { createLogger } from '../../infra/logger';
import { TemporalClientProvider } from '../../infra/temporal';
import { openTestPglite } from '../../test/support/databases';
import { errorHandler } from '../error-handler';
import { channelRoutes } from '../routes/channels.routes';
import {
  ChannelConnectionListResponse,
  ChannelConnectionView,
  ChannelManagerListResponse,
  ChannelManagerView,
  ChannelPropertyListResponse,
  ChannelPropertyView,
  CreatedChannelManagerResponse,
  ParityBreaksResponse,
  ParityReportResponse,
  RateOperationStartedResponse,
  RateOperationView,
  SyncStateResponse,
} from '../schemas/channels.schema';

const NOW = Date.parse('2027-05-01T08:00:00Z');
let now = NOW;

/**
 * A Temporal client that records workflow starts: starting RateOperationWorkflow itself is covered
 * by workflows/channels/__tests__/rate-operation.workflow.test.ts.
 */
function recordingClient() {
  const started: Array<{ type: string; options: Record<string, unknown> }> = [];
  const queries: Record<string, unknown> = {};
  const signals: string[] = [];
  const client = {
    options: { namespace: 'default' },
    workflow: {
      start: (type: string, options: Record<string, unknown>) => {
        started.push({ type, options });
        return Promise.resolve({ workflowId: options.workflowId });
      },
      getHandle: (workflowId: string) => ({
        signal: (name: string) => (signals.push(`${workflowId} ${name}`), Promise.resolve()),
        query: (name: string) => (workflowId in queries ? Promise.resolve(queries[workflowId]) : Promise.reject(new Error(`workflow ${workflowId} not found (${name})`))),
      }),
    },
  };
  return { client: client as unknown as Client, started, queries, signals };
}

describe('channel admin API (PGlite, supertest)', () => {
  let db: Database;
  let app: Express;
  let down: Express;
  const temporal = recordingClient();

  beforeAll(async () => {
    db = await openTestPglite();
    await hotelProduct(db.prisma, 'ROMA');
    const deps = { prisma: db.prisma, config: new PrismaChannelConfig(db.prisma), rates: new PrismaChannelRates(db.prisma), clock: () => now };
    const build = (provider: TemporalClientProvider) => {
      const a = express();
      a.use(pinoHttp({ logger: createLogger('silent') }));
      a.use(express.json());
      a.use(channelRoutes({ ...deps, temporal: provider }));
      a.use(errorHandler);
      return a;
    };
    app = build(TemporalClientProvider.fromClient(temporal.client));
    down = build(new TemporalClientProvider({ address: '127.0.0.1:1', namespace: 'default' }));
  });
  afterAll(async () => db?.close());

  it('creates a channel manager, shows its secret once, and answers problems for bad input and duplicates', async () => {
    const created = await request(app).post('/channel-managers').send({ code: 'SMX', name: 'SiteMinder', wsse: { username: 'itn', password: 'pw-1' } }).expect(201);
    // The answers have the shapes the OpenAPI document gives them.
    CreatedChannelManagerResponse.parse(created.body);
    expect(created.headers.location).toBe('/channel-managers/SMX');
    expect(created.body.webhookSecret).toMatch(/^whsec_/);
    const read = await request(app).get('/channel-managers/SMX').expect(200);
    ChannelManagerView.parse(read.body);
    expect(read.body).toMatchObject({ code: 'SMX', hasWebhookSecret: true, wsse: { username: 'itn' }, connections: [] });
    const list = await request(app).get('/channel-managers').expect(200);
    ChannelManagerListResponse.parse(list.body);
    for (const text of [JSON.stringify(read.body), JSON.stringify(list.body)]) {
      expect(text).not.toContain(created.body.webhookSecret);
      expect(text).not.toContain('pw-1');
    }
    const bad = await request(app).post('/channel-managers').send({ code: '', name: 'x', webhookSecret: 'nope' }).expect(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors).toEqual([
      { pointer: '/code', detail: 'must not be empty' },
      { pointer: '/webhookSecret', detail: 'must be "whsec_" followed by base64' },
    ]);
    expect((await request(app).post('/channel-managers').send({ code: 'SMX', name: 'again' }).expect(409)).body.errors).toEqual([{ pointer: '/code', detail: 'SMX is taken' }]);
    await request(app).get('/channel-managers/NOPE').expect(404);
    expect((await request(app).get('/channel-managers/bad%20code').expect(400)).body.errors[0].pointer).toBe('path:/code');
  });

  it('manages properties and connections; passwords never come back', async () => {
    const prop = await request(app).post('/channel-properties').send({ hotelCode: 'HROMA', productCode: 'ROMA' }).expect(201);
    ChannelPropertyView.parse(prop.body);
    ChannelPropertyView.parse((await request(app).get('/channel-properties/HROMA').expect(200)).body);
    expect(prop.body).toMatchObject({ hotelCode: 'HROMA', productCode: 'ROMA', roomTypes: [{ code: 'DBL' }, { code: 'SGL' }] });
    expect((await request(app).post('/channel-properties').send({ hotelCode: 'HX', productCode: 'NOPE' }).expect(422)).body.errors).toEqual([{ pointer: '/productCode', detail: 'no product NOPE' }]);
    await request(app).post('/channel-properties').send({ hotelCode: 'HROMA', productCode: 'ROMA' }).expect(409);
    await request(app).get('/channel-properties/HNONE').expect(404);
    expect(ChannelPropertyListResponse.parse((await request(app).get('/channel-properties').expect(200)).body).channelProperties).toHaveLength(1);

    const conn = await request(app)
      .post('/channel-connections')
      .send({ code: 'BOOKING', channelManagerCode: 'SMX', name: 'Booking.com', otaCode: 'BOOKING', endpoint: 'https://hub/b', auth: { kind: 'wsse', username: 'u', password: 'pw-conn' } })
      .expect(201);
    expect(conn.headers.location).toBe('/channel-connections/BOOKING');
    ChannelConnectionView.parse(conn.body);
    await request(app).post('/channel-connections').send({ code: 'EXPEDIA', channelManagerCode: 'SMX', name: 'Expedia', otaCode: 'EXPEDIA', endpoint: 'https://hub/e', properties: ['HROMA'] }).expect(201);
    const bad = await request(app).post('/channel-connections').send({ code: 'X', channelManagerCode: 'SMX', name: 'x', otaCode: 'X', endpoint: 'mailto:x@y', requestsPerSecond: 500 }).expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/endpoint', '/requestsPerSecond']);
    // The running sync workflows of the properties carried are told to re-read their connections.
    expect(temporal.signals).toEqual(['channel-sync-HROMA connectionsChanged', 'channel-sync-HROMA connectionsChanged']);
    const patched = await request(app).patch('/channel-connections/BOOKING').send({ requestsPerSecond: 10 }).expect(200);
    ChannelConnectionView.parse(patched.body);
    ChannelConnectionView.parse((await request(app).get('/channel-connections/BOOKING').expect(200)).body);
    expect(patched.body).toMatchObject({ requestsPerSecond: 10, auth: { kind: 'wsse', username: 'u' } });
    await request(app).patch('/channel-connections/NOPE').send({ active: false }).expect(404);
    const all = await request(app).get('/channel-connections?hotel=HROMA').expect(200);
    ChannelConnectionListResponse.parse(all.body);
    expect(all.body.channelConnections.map((c: { code: string }) => c.code)).toEqual(['BOOKING', 'EXPEDIA']);
    expect(JSON.stringify([all.body, (await request(app).get('/channel-connections/BOOKING').expect(200)).body, patched.body, conn.body])).not.toContain('pw-conn');
    expect((await request(app).get('/channel-connections?colour=red').expect(400)).body.errors[0].pointer).toBe('query:/colour');
  });

  it('PUT rates stores one operation, starts channel-rates-<id> on the channel queue and answers 202; bad input writes nothing', async () => {
    const body = { roomType: 'DBL', ratePlan: 'BAR', start: '2027-05-01', end: '2027-05-02', currency: 'EUR', amounts: [{ guests: 1, amount: '80.00' }, { guests: 2, amount: '95.00' }] };
    const res = await request(app).put('/channel-properties/HROMA/rates').send(body).expect(202);
    RateOperationStartedResponse.parse(res.body);
    expect(res.body).toEqual({ operationId: expect.any(String), status: 'PENDING', nights: 2, rows: 4, channels: ['BOOKING', 'EXPEDIA'] });
    expect(res.headers.location).toBe(`/channel-rate-operations/${res.body.operationId}`);
    expect(temporal.started).toEqual([{ type: 'RateOperationWorkflow', options: expect.objectContaining({ workflowId: `channel-rates-${res.body.operationId}`, taskQueue: 'channel-sync', args: [res.body.operationId] }) }]);
    expect(await db.prisma.channelRate.count()).toBe(4);

    const op = await request(app).get(res.headers.location!).expect(200);
    RateOperationView.parse(op.body);
    expect(op.body).toMatchObject({ id: res.body.operationId, hotelCode: 'HROMA', status: 'PENDING', nights: 2, rows: 4 });
    await request(app).get('/channel-rate-operations/00000000-0000-4000-8000-000000000000').expect(404);

    const bad = await request(app).put('/channel-properties/HROMA/rates').send({ ...body, currency: undefined, end: '2027-04-30', amounts: [{ guests: 9, amount: '1' }] }).expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/end', '/currency']);
    const unknownPlan = await request(app).put('/channel-properties/HROMA/rates').send({ ...body, ratePlan: 'FLEX', amounts: [{ guests: 9, amount: '1.00' }] }).expect(422);
    expect(unknownPlan.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/ratePlan', '/amounts/0/guests']);
    await request(app).put('/channel-properties/HNONE/rates').send(body).expect(404);
    await request(app).put('/channel-properties/HROMA/rates').send({ ...body, hotelCode: 'OTHER' }).expect(422);
    expect(temporal.started).toHaveLength(1);
    expect(await db.prisma.channelRateOperation.count()).toBe(1);
    expect(await db.prisma.channelRate.count()).toBe(4);
  });

  it('answers 503 when Temporal is unreachable and records the operation FAILED', async () => {
    const res = await request(down).put('/channel-properties/HROMA/rates').send({ roomType: 'SGL', ratePlan: 'BAR', start: '2027-05-01', end: '2027-05-01', currency: 'EUR', amounts: [{ guests: 1, amount: '70.00' }] }).expect(503);
    expect(res.body.type).toBe('/problems/temporal-unavailable');
    const op = await db.prisma.channelRateOperation.findFirstOrThrow({ where: { roomType: 'SGL' } });
    expect(op.status).toBe('FAILED');
  });

  it('reports parity, parity breaks and the sync summary', async () => {
    await ackRates(db.prisma, 'BOOKING', { hotelCode: 'HROMA' }, {}, new Date(NOW));
    await ackRates(db.prisma, 'EXPEDIA', { hotelCode: 'HROMA', guests: 1 }, { amount: '75.00', operationId: '00000000-0000-4000-8000-000000000001' }, new Date(NOW));
    await ackRates(db.prisma, 'EXPEDIA', { hotelCode: 'HROMA', guests: 2 }, {}, new Date(NOW));
    const parity = await request(app).get('/channel-properties/HROMA/parity?from=2027-05-01&to=2027-05-01').expect(200);
    ParityReportResponse.parse(parity.body);
    // The operations were created at NOW: EXPEDIA's different guests-1 rates are still in flight.
    expect(parity.body.summary).toEqual({ IN_PARITY: 1, PENDING: 2, OUT_OF_PARITY: 0 });
    expect(parity.body.entries.map((e: { roomType: string; guests: number; status: string }) => `${e.roomType}/${e.guests}:${e.status}`)).toEqual(['DBL/1:PENDING', 'DBL/2:IN_PARITY', 'SGL/1:PENDING']);
    const defaults = await request(app).get('/channel-properties/HROMA/parity').expect(200);
    expect([defaults.body.from, defaults.body.to]).toEqual(['2027-05-01', '2027-05-31']);
    expect((await request(app).get('/channel-properties/HROMA/parity?from=2027-05-03&to=2027-05-01').expect(400)).body.errors).toEqual([{ pointer: 'query:/to', detail: '2027-05-01 is before from 2027-05-03' }]);
    expect((await request(app).get('/channel-properties/HROMA/parity?from=tomorrow').expect(400)).body.errors[0].pointer).toBe('query:/from');
    await request(app).get('/channel-properties/HNONE/parity').expect(404);
    expect((await request(app).get('/channel-parity-breaks?hotel=HROMA').expect(200)).body).toMatchObject({ truncated: false, breaks: [] });
    now = NOW + 60 * 60_000; // past the 10-minute grace period
    const breaks = await request(app).get('/channel-parity-breaks').expect(200);
    ParityBreaksResponse.parse(breaks.body);
    expect(breaks.body.breaks.map((b: { connection: string; date: string; roomType: string; reason: string; acknowledged: { amount: string } }) => `${b.connection} ${b.date} ${b.roomType} ${b.reason} ${b.acknowledged.amount}`)).toEqual([
      'EXPEDIA 2027-05-01 DBL stale-rate 75.00',
      'EXPEDIA 2027-05-01 SGL stale-rate 75.00',
      'EXPEDIA 2027-05-02 DBL stale-rate 75.00',
    ]);
    expect((await request(app).get('/channel-parity-breaks?limit=0').expect(400)).body.errors[0].pointer).toBe('query:/limit');

    const sync = await request(app).get('/channel-properties/HROMA/sync').expect(200);
    SyncStateResponse.parse(sync.body);
    expect(sync.body).toMatchObject({ hotelCode: 'HROMA', pendingRateOperations: 1, workflow: { workflowId: 'channel-sync-HROMA', status: null } });
    expect(sync.body.connections).toEqual([
      { connection: 'BOOKING', lastAckAt: null, nightsAcknowledged: 0, roomTypeNights: 0, lastError: null, rateRowsAcknowledged: 5, lastRateAckAt: new Date(NOW).toISOString() },
      { connection: 'EXPEDIA', lastAckAt: null, nightsAcknowledged: 0, roomTypeNights: 0, lastError: null, rateRowsAcknowledged: 5, lastRateAckAt: new Date(NOW).toISOString() },
    ]);
    temporal.queries['channel-sync-HROMA'] = { lanes: 2 };
    expect((await request(app).get('/channel-properties/HROMA/sync').expect(200)).body.workflow).toEqual({ workflowId: 'channel-sync-HROMA', status: { lanes: 2 } });
    await request(app).get('/channel-properties/HNONE/sync').expect(404);
  });
});
