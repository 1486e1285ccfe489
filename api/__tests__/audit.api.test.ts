import express, { type Express } from 'express';
import request from 'supertest';
import { PrismaAuditLog } from '../../activities/audit-log.prisma';
import type { Database } from '../../infra/database';
import type { Logger } from '../../infra/logger';
import { openTestPglite } from '../../test/support/databases';
import type { AuditRecord } from '../access/audit-sink';
import { errorHandler } from '../error-handler';
import { AuditEventView } from '../openapi/responses';
import { PageView } from '../schemas/answer.schema';
import { auditRoutes } from '../routes/audit.routes';

const event = (n: number, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  at: new Date(Date.parse('2026-11-01T00:00:00Z') + n * 60_000),
  actorKind: 'user',
  actorId: n % 2 ? 'u-odd' : 'u-even',
  actorName: 'someone@example.com',
  role: 'FINANCE',
  ip: '10.0.0.1',
  requestId: `req-${n}`,
  method: 'PUT',
  path: '/finance/settings',
  action: 'PUT /finance/settings',
  resourceType: 'finance/settings',
  resourceId: null,
  outcome: 'success',
  status: 200,
  category: 'master-data',
  ...extra,
});

describe('audit log and GET /audit (embedded PGlite)', () => {
  let db: Database;
  let log: PrismaAuditLog;
  let app: Express;
  const logged: Array<{ level: string; obj: unknown }> = [];
  const logger = {
    warn: (obj: unknown) => void logged.push({ level: 'warn', obj }),
    error: (obj: unknown) => void logged.push({ level: 'error', obj }),
  } as unknown as Logger;

  beforeAll(async () => {
    db = await openTestPglite();
    log = new PrismaAuditLog(db.prisma, { logger, batchSize: 5, flushMs: 60_000 });
    app = express();
    app.use(auditRoutes({ audit: log }));
    app.use(errorHandler);
  });
  afterAll(async () => {
    await log.flush();
    await db?.close();
  });

  it('buffers records, writes a batch when it is full, and everything on flush', async () => {
    for (let n = 1; n <= 4; n++) await log.record(event(n));
    expect(await db.prisma.auditEvent.count()).toBe(0);
    await log.record(event(5));
    await log.flush();
    expect(await db.prisma.auditEvent.count()).toBe(5);
    for (let n = 6; n <= 12; n++) await log.record(event(n));
    await log.flush();
    expect(await db.prisma.auditEvent.count()).toBe(12);
  });

  it('stores before/after redacted', async () => {
    await log.record(
      event(13, {
        method: 'POST',
        path: '/auth/password',
        action: 'POST /auth/password',
        category: 'access',
        after: { request: { currentPassword: 'old-secret', password: 'new-secret', code: '654321' }, response: { ok: true } },
      }),
    );
    await log.flush();
    const row = await db.prisma.auditEvent.findFirst({ where: { requestId: 'req-13' } });
    expect(row!.after).toEqual({ request: { currentPassword: '[redacted]', password: '[redacted]', code: '[redacted]' }, response: { ok: true } });
    expect(JSON.stringify({ ...row, id: String(row!.id) })).not.toContain('secret');
  });

  it('logs, and does not silently drop, a record the database refuses; the rest of the batch is stored', async () => {
    logged.length = 0;
    const before = await db.prisma.auditEvent.count();
    await log.record(event(14));
    await log.record(event(15, { outcome: 'x'.repeat(40) as AuditRecord['outcome'] }));
    await log.flush();
    expect(await db.prisma.auditEvent.count()).toBe(before + 1);
    expect(logged.filter((l) => l.level === 'error')).toEqual([{ level: 'error', obj: expect.objectContaining({ auditEvent: expect.objectContaining({ requestId: 'req-15' }) }) }]);
  });

  it('filters and pages newest first', async () => {
    const first = await request(app).get('/audit').query({ actor: 'u-odd', limit: 3 }).expect(200);
    PageView(AuditEventView).parse(first.body);
    expect(first.body.items.map((e: { requestId: string }) => e.requestId)).toEqual(['req-13', 'req-11', 'req-9']);
    const second = await request(app).get('/audit').query({ actor: 'u-odd', limit: 3, cursor: first.body.nextCursor }).expect(200);
    expect(second.body.items.map((e: { requestId: string }) => e.requestId)).toEqual(['req-7', 'req-5', 'req-3']);
    const last = await request(app).get('/audit').query({ actor: 'u-odd', limit: 3, cursor: second.body.nextCursor }).expect(200);
    expect(last.body).toEqual({ items: [expect.objectContaining({ requestId: 'req-1' })], nextCursor: null });
    PageView(AuditEventView).parse(last.body);

    const window = await request(app).get('/audit').query({ from: '2026-11-01T00:02:00Z', to: '2026-11-01T00:04:00Z' }).expect(200);
    expect(window.body.items.map((e: { requestId: string }) => e.requestId)).toEqual(['req-3', 'req-2']);
    const access = await request(app).get('/audit').query({ category: 'access', outcome: 'success' }).expect(200);
    expect(PageView(AuditEventView).parse(access.body).items).toHaveLength(1);
  });

  it('answers CSV with ?format=csv', async () => {
    const csv = await request(app).get('/audit').query({ action: 'POST /auth/password', format: 'csv' }).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('id,at,actorKind,actorId,actorName,role,ip,requestId,method,path,action,resourceType,resourceId,outcome,status,category,detail,before,after');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('POST /auth/password');
    expect(lines[1]).toContain('[redacted]');
  });

  it('refuses bad filters naming the parameter', async () => {
    const res = await request(app).get('/audit').query({ limit: 501, category: 'nope', from: 'yesterday' }).expect(400);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['query:/category', 'query:/from', 'query:/limit']);
    const cursor = await request(app).get('/audit').query({ cursor: 'bm90LW91cnM' }).expect(400);
    expect(cursor.body.errors).toEqual([{ pointer: 'query:/cursor', detail: expect.any(String) }]);
  });
});
