import express, { type Express } from 'express';
import request from 'supertest';
import { PrismaAtolStore } from '../../../activities/atol.prisma';
import { PrismaCatalog } from '../../../activities/catalog.prisma';
import { PrismaChannelConfig } from '../../../activities/channel-config.prisma';
import { seedChartOfAccounts } from '../../../activities/chart-seed.prisma';
import { PrismaCustomerStore } from '../../../activities/customers.prisma';
import { PrismaFinanceConfig } from '../../../activities/finance-config.prisma';
import { PrismaInventory } from '../../../activities/inventory.prisma';
import { PrismaLedger } from '../../../activities/ledger.prisma';
import { travelChartOfAccounts } from '../../../domain/ledger/chart';
import type { Database } from '../../../infra/database';
import { openTestPglite } from '../../../test/support/databases';
import { errorHandler } from '../../error-handler';
import { atolRoutes } from '../../routes/atol.routes';
import type { AuditRecord } from '../audit-sink';
import { auditTrail } from '../audit-trail';
import { etagOfJson, etags, masterDataLoaders } from '../etags';
import { routePolicy } from '../route-match';

describe('ETag and If-Match on master data (embedded PGlite)', () => {
  let db: Database;
  let app: Express;
  const audited: AuditRecord[] = [];

  beforeAll(async () => {
    db = await openTestPglite();
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
    const atol = new PrismaAtolStore(db.prisma, new PrismaLedger(db.prisma));
    const loaders = masterDataLoaders({
      prisma: db.prisma,
      catalog: new PrismaCatalog(db.prisma),
      inventory: new PrismaInventory(db.prisma),
      customers: new PrismaCustomerStore(db.prisma),
      financeConfig: new PrismaFinanceConfig(db.prisma),
      atol,
      channelConfig: new PrismaChannelConfig(db.prisma),
      operatorTimeZone: 'Europe/London',
    });
    app = express();
    app.use(express.json());
    // The real route policy table: the licence routes are master data there.
    app.use(routePolicy());
    app.use((_req, res, next) => {
      res.locals.principal = { kind: 'user', id: 'u-fin', name: 'fin@example.com', role: 'FINANCE', permissions: new Set(), branch: null, allBranches: true, advisorId: null };
      next();
    });
    app.use(auditTrail({ audit: { record: async (e) => void audited.push(e) } }));
    app.use(etags({ prisma: db.prisma, loaders }));
    app.use(atolRoutes({ atol }));
    app.use(errorHandler);
    await request(app).post('/finance/atol/licences').send({ number: '7001', holder: 'Itinera Travel, Ltd', turnoverBand: 'UP_TO_5M', validFrom: '2026-01-01' }).expect(201);
  });
  afterAll(() => db?.close());

  it('answers a strong ETag of the JSON on GET and 304 for If-None-Match', async () => {
    const got = await request(app).get('/finance/atol/licences/7001').expect(200);
    expect(got.headers.etag).toBe(etagOfJson(got.body));
    expect(got.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    await request(app).get('/finance/atol/licences/7001').set('If-None-Match', got.headers.etag!).expect(304);
    await request(app).get('/finance/atol/licences/7001').set('If-None-Match', '"stale"').expect(200);
  });

  it('refuses a write whose If-Match is stale (412), changing nothing', async () => {
    const res = await request(app).patch('/finance/atol/licences/7001').set('If-Match', '"stale"').send({ turnoverBand: 'OVER_50M' }).expect(412);
    expect(res.body).toMatchObject({ type: '/problems/precondition-failed', errors: [{ pointer: 'header:If-Match' }] });
    expect((await request(app).get('/finance/atol/licences/7001').expect(200)).body.turnoverBand).toBe('UP_TO_5M');
    await request(app).patch('/finance/atol/licences/9999').set('If-Match', '*').send({ turnoverBand: 'OVER_50M' }).expect(412);
  });

  it('applies a write with the current ETag, answers the new ETag (the one GET answers) and audits before/after', async () => {
    const current = await request(app).get('/finance/atol/licences/7001').expect(200);
    audited.length = 0;
    const patched = await request(app).patch('/finance/atol/licences/7001').set('If-Match', current.headers.etag!).send({ turnoverBand: 'OVER_50M' }).expect(200);
    const after = await request(app).get('/finance/atol/licences/7001').expect(200);
    expect(patched.headers.etag).toBe(after.headers.etag);
    expect(patched.headers.etag).not.toBe(current.headers.etag);
    // The old ETag no longer matches.
    await request(app).patch('/finance/atol/licences/7001').set('If-Match', current.headers.etag!).send({ turnoverBand: 'UP_TO_5M' }).expect(412);
    const record = audited.find((e) => e.status === 200)!;
    expect(record).toMatchObject({
      action: 'PATCH /finance/atol/licences/:number',
      category: 'master-data',
      resourceType: 'finance/atol/licences',
      resourceId: '7001',
      actorId: 'u-fin',
      outcome: 'success',
      before: current.body,
      after: { request: { turnoverBand: 'OVER_50M' }, response: patched.body },
    });
    expect(audited.find((e) => e.status === 412)).toMatchObject({ outcome: 'failed', before: after.body });
  });

  it('lets a write without If-Match proceed (honoured, not required)', async () => {
    const res = await request(app).patch('/finance/atol/licences/7001').send({ turnoverBand: 'UP_TO_5M' }).expect(200);
    expect(res.headers.etag).toBe(etagOfJson(res.body));
  });
});
