import type { AuditRecord, AuditSink } from '../api/access/audit-sink';
import { bulkInsert, type RawSql } from './bulk-insert';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../infra/logger';
import { decodeCursor, encodeCursor } from './keyset-cursor';

/** Keys whose values never reach the audit trail, whatever their depth (compared case-insensitively). */
const SECRET_KEYS = new Set(['password', 'currentpassword', 'newpassword', 'recoverycode', 'recoverycodes', 'refreshtoken', 'accesstoken', 'token', 'secret', 'totpsecret', 'cardnumber', 'pan', 'cvv', 'cvc', 'apikey', 'key'].map((k) => k.toLowerCase()));
export const REDACTED = '[redacted]';
/** Before/after larger than this (JSON characters) are kept as a truncated preview. */
const MAX_JSON = 16_000;
const PREVIEW = 2_000;

/**
 * A copy of `value` with secrets replaced by "[redacted]" at any depth. `code` is redacted when it
 * is a one-time code (6-8 digits, as TOTP codes are) or on sign-in actions; supplier and product
 * codes stay readable, since master-data audits need them.
 */
export function redact(value: unknown, authAction = false, depth = 0): unknown {
  if (depth > 20) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redact(v, authAction, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const lower = k.toLowerCase();
    const secret = SECRET_KEYS.has(lower) || (lower === 'code' && (authAction || (typeof v === 'string' && /^\d{6,8}$/.test(v))));
    out[k] = secret && v !== undefined && v !== null ? REDACTED : redact(v, authAction, depth + 1);
  }
  return out;
}

/** A JSON value small enough for the trail: bigger ones become `{truncated, size, preview}`. */
export function bounded(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  if (text === undefined) return undefined;
  if (text.length <= MAX_JSON) return JSON.parse(text) as unknown;
  return { truncated: true, size: text.length, preview: text.slice(0, PREVIEW) };
}

const cut = (s: string | null | undefined, max: number): string | null => (s == null ? null : s.length > max ? s.slice(0, max) : s);

export interface AuditQuery {
  from?: Date;
  to?: Date;
  actorId?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  category?: AuditRecord['category'];
  outcome?: AuditRecord['outcome'];
  /** At most this many (default 100, max 500). */
  limit?: number;
  cursor?: string;
}

export interface AuditEventView {
  id: string;
  at: string;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  role: string | null;
  ip: string | null;
  requestId: string | null;
  method: string;
  path: string;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: string;
  status: number;
  category: string;
  before: unknown;
  after: unknown;
  detail: string | null;
}

export class InvalidAuditCursor extends Error {
  constructor() {
    super('cursor is not one this endpoint returned');
    this.name = 'InvalidAuditCursor';
  }
}

export interface AuditLogOptions {
  logger?: Logger;
  /** Flush the buffer this long after the first unflushed record (default 50 ms). */
  flushMs?: number;
  /** Flush as soon as this many records wait (default 100). */
  batchSize?: number;
  /** Clock for `at` when a record has none (default Date.now). */
  clock?: () => number;
  /** The driver, for the batch inserts (no Prisma work on a batch's JSON); else Prisma. */
  sql?: RawSql;
}

/**
 * The audit trail (`audit_events`). `record` only buffers (no latency on the response path); the
 * buffer is written in batches every `flushMs` or `batchSize` records, and by `flush()` (tests,
 * shutdown). A batch the database refuses is retried row by row, and each row that still fails is
 * logged in full at error level: nothing is lost silently.
 */
const AUDIT_COLUMNS: Record<string, string> = {
  at: 'timestamptz',
  actor_kind: 'text',
  actor_id: 'text',
  actor_name: 'text',
  role: 'text',
  ip: 'text',
  request_id: 'text',
  method: 'text',
  path: 'text',
  action: 'text',
  resource_type: 'text',
  resource_id: 'text',
  outcome: 'text',
  status: 'int',
  category: 'text',
  before: 'jsonb',
  after: 'jsonb',
  detail: 'text',
};

/** A buffered event as the row `bulkInsert` writes (JSON null for no before/after). */
function auditRow(e: Prisma.AuditEventCreateManyInput): Record<string, unknown> {
  const json = (v: unknown) => (v === undefined || v === Prisma.JsonNull || v === Prisma.DbNull ? null : v);
  return {
    at: e.at instanceof Date ? e.at.toISOString() : (e.at ?? new Date().toISOString()),
    actor_kind: e.actorKind,
    actor_id: e.actorId ?? null,
    actor_name: e.actorName ?? null,
    role: e.role ?? null,
    ip: e.ip ?? null,
    request_id: e.requestId ?? null,
    method: e.method,
    path: e.path,
    action: e.action,
    resource_type: e.resourceType ?? null,
    resource_id: e.resourceId ?? null,
    outcome: e.outcome,
    status: e.status,
    category: e.category,
    before: json(e.before),
    after: json(e.after),
    detail: e.detail ?? null,
  };
}

export class PrismaAuditLog implements AuditSink {
  private buffer: Prisma.AuditEventCreateManyInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly clock: () => number;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: AuditLogOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 50;
    this.batchSize = options.batchSize ?? 100;
    this.clock = options.clock ?? Date.now;
  }

  record(event: AuditRecord): Promise<void> {
    const authAction = event.action.startsWith('auth.') || event.path.startsWith('/auth/');
    const before = bounded(redact(event.before, authAction));
    const after = bounded(redact(event.after, authAction));
    this.buffer.push({
      at: event.at ?? new Date(this.clock()),
      actorKind: event.actorKind,
      actorId: cut(event.actorId, 64),
      actorName: cut(event.actorName, 254),
      role: cut(event.role, 16),
      ip: cut(event.ip, 64),
      requestId: cut(event.requestId, 128),
      method: cut(event.method, 8) ?? '',
      path: cut(event.path, 500) ?? '',
      action: cut(event.action, 200) ?? '',
      resourceType: cut(event.resourceType, 64),
      resourceId: cut(event.resourceId, 200),
      outcome: event.outcome,
      status: event.status,
      category: event.category,
      before: before === undefined || before === null ? Prisma.DbNull : (before as Prisma.InputJsonValue),
      after: after === undefined || after === null ? Prisma.DbNull : (after as Prisma.InputJsonValue),
      detail: cut(event.detail, 1000),
    });
    if (this.buffer.length >= this.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
    return Promise.resolve();
  }

  /** Writes everything buffered so far; resolves once it is stored (or logged as lost). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.buffer;
    this.buffer = [];
    // Batches are written one after the other, so the trail keeps the order events happened in.
    this.inFlight = this.inFlight.then(() => (batch.length ? this.write(batch) : undefined));
    return this.inFlight;
  }

  private async write(batch: Prisma.AuditEventCreateManyInput[]): Promise<void> {
    try {
      // One statement, the rows as one JSON parameter: no per-row work in the client on the hot path.
      await bulkInsert(this.options.sql ?? this.prisma, 'audit_events', AUDIT_COLUMNS, batch.map(auditRow));
      return;
    } catch (err) {
      this.options.logger?.warn({ err, count: batch.length }, 'audit: batch insert failed; writing rows one by one');
    }
    for (const row of batch) {
      try {
        await this.prisma.auditEvent.create({ data: row });
      } catch (err) {
        this.options.logger?.error({ err, auditEvent: row }, 'audit: event could not be stored');
      }
    }
  }

  /** Events newest first, filtered, in keyset pages (`nextCursor`). */
  async search(q: AuditQuery): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 500);
    const where: Prisma.AuditEventWhereInput[] = [];
    if (q.from || q.to) where.push({ at: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } });
    if (q.actorId) where.push({ actorId: q.actorId });
    if (q.action) where.push({ action: q.action });
    if (q.resourceType) where.push({ resourceType: q.resourceType });
    if (q.resourceId) where.push({ resourceId: q.resourceId });
    if (q.category) where.push({ category: q.category });
    if (q.outcome) where.push({ outcome: q.outcome });
    if (q.cursor) {
      const parts = decodeCursor(q.cursor, 2);
      const at = parts ? new Date(parts[0]!) : null;
      if (!parts || !at || Number.isNaN(at.getTime()) || !/^\d+$/.test(parts[1]!)) throw new InvalidAuditCursor();
      const id = BigInt(parts[1]!);
      where.push({ OR: [{ at: { lt: at } }, { at, id: { lt: id } }] });
    }
    const rows = await this.prisma.auditEvent.findMany({ where: { AND: where }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        id: r.id.toString(),
        at: r.at.toISOString(),
        actorKind: r.actorKind,
        actorId: r.actorId,
        actorName: r.actorName,
        role: r.role,
        ip: r.ip,
        requestId: r.requestId,
        method: r.method,
        path: r.path,
        action: r.action,
        resourceType: r.resourceType,
        resourceId: r.resourceId,
        outcome: r.outcome,
        status: r.status,
        category: r.category,
        before: r.before,
        after: r.after,
        detail: r.detail,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor([last.at.toISOString(), last.id.toString()]) : null,
    };
  }
}
