import type { PrismaClient } from '../generated/prisma/client';
import { rawQuery, type RawSql } from './bulk-insert';

/** A response kept for replay: status, the headers that matter, and the body as sent. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyClaim {
  /** `${principal.kind}:${principal.id}`: keys are scoped to the caller. */
  principal: string;
  key: string;
  method: string;
  path: string;
  /** SHA-256 (hex) of method, path and the canonical JSON body. */
  bodyHash: string;
  now: Date;
  expiresAt: Date;
  /**
   * How long a first request may run (default 15 minutes): a key still IN_PROGRESS after that was
   * abandoned (its server stopped before answering).
   */
  leaseMs?: number;
  /** Take an abandoned key over (the route finds what the first run did by the key itself). */
  takeOver?: boolean;
}

/** How long a first request may run before its key counts as abandoned. */
export const DEFAULT_LEASE_MS = 15 * 60_000;

/**
 * What the first look at a key found: `started` (this caller inserted IN_PROGRESS, or took an
 * abandoned key over, and must run the route), `done` (replay), `in-progress` (another request
 * holds it), `abandoned` (its first request started at `since` and never answered), `mismatch`
 * (the key was used with another request).
 */
export type ClaimResult =
  | { kind: 'started'; takenOver?: boolean }
  | { kind: 'done'; response: StoredResponse; expiresAt: Date }
  | { kind: 'in-progress' }
  | { kind: 'abandoned'; since: Date }
  | { kind: 'mismatch' };

interface Row {
  body_hash: string;
  state: string;
  response_status: number | null;
  response_headers: unknown;
  response_body: string | null;
  created_at: Date;
  expires_at: Date;
}

/**
 * `Idempotency-Key` records (table `idempotency_records`). The primary key (principal, key) makes
 * the first insert win (`INSERT ... ON CONFLICT DO NOTHING`); expired rows count as absent.
 */
export class PrismaIdempotencyStore {
  /** Where the per-request statements run: the driver when given (no Prisma work on the hot path), else Prisma. */
  private readonly sql: RawSql;

  constructor(
    private readonly prisma: PrismaClient,
    sql?: RawSql,
  ) {
    this.sql = sql ?? prisma;
  }

  async claim(c: IdempotencyClaim): Promise<ClaimResult> {
    const leaseMs = c.leaseMs ?? DEFAULT_LEASE_MS;
    // Two rounds at most: an expired row found on the first is removed (or an abandoned one taken
    // over), then the claim made again.
    for (let round = 0; round < 2; round++) {
      const inserted = await rawQuery(
        this.sql,
        `INSERT INTO idempotency_records (principal, key, method, path, body_hash, state, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'IN_PROGRESS', $6, $7)
         ON CONFLICT (principal, key) DO NOTHING RETURNING 1 AS n`,
        [c.principal, c.key, c.method, c.path, c.bodyHash, c.now, c.expiresAt],
      );
      if (inserted.length === 1) return { kind: 'started' };
      const row = await this.find(c.principal, c.key);
      if (!row) continue; // deleted meanwhile (a 5xx): claim again
      if (row.expires_at.getTime() <= c.now.getTime()) {
        await rawQuery(this.sql, `DELETE FROM idempotency_records WHERE principal = $1 AND key = $2 AND expires_at <= $3 RETURNING 1 AS n`, [c.principal, c.key, c.now]);
        continue;
      }
      const seen = this.classify(row, c.bodyHash, c.now, leaseMs);
      if (seen.kind !== 'abandoned' || !c.takeOver) return seen;
      // Taken over only if still abandoned: of two callers doing this at once, one wins.
      const taken = await rawQuery(
        this.sql,
        `UPDATE idempotency_records SET created_at = $3, expires_at = $4
          WHERE principal = $1 AND key = $2 AND state = 'IN_PROGRESS' AND created_at = $5 RETURNING 1 AS n`,
        [c.principal, c.key, c.now, c.expiresAt, row.created_at],
      );
      if (taken.length === 1) return { kind: 'started', takenOver: true };
    }
    return { kind: 'in-progress' };
  }

  /** The current state of a key for a caller holding `bodyHash`: null when the row is gone or expired. */
  async look(principal: string, key: string, bodyHash: string, now: Date, leaseMs = DEFAULT_LEASE_MS): Promise<ClaimResult | null> {
    const row = await this.find(principal, key);
    if (!row || row.expires_at.getTime() <= now.getTime()) return null;
    return this.classify(row, bodyHash, now, leaseMs);
  }

  private classify(row: Row, bodyHash: string, now: Date, leaseMs: number): ClaimResult {
    if (row.body_hash !== bodyHash) return { kind: 'mismatch' };
    if (row.state !== 'DONE' || row.response_status === null) {
      return row.created_at.getTime() + leaseMs <= now.getTime() ? { kind: 'abandoned', since: row.created_at } : { kind: 'in-progress' };
    }
    return {
      kind: 'done',
      response: { status: row.response_status, headers: (row.response_headers ?? {}) as Record<string, string>, body: row.response_body ?? '' },
      expiresAt: row.expires_at,
    };
  }

  private async find(principal: string, key: string): Promise<Row | null> {
    const rows = await rawQuery<Row>(
      this.sql,
      `SELECT body_hash, state, response_status, response_headers, response_body, created_at, expires_at
         FROM idempotency_records WHERE principal = $1 AND key = $2`,
      [principal, key],
    );
    const row = rows[0];
    // The driver gives timestamptz as a Date; be exact about it either way.
    return row ? { ...row, created_at: new Date(row.created_at), expires_at: new Date(row.expires_at) } : null;
  }

  /**
   * Stores the answer of a claimed key. Answers stored in the same turn of the event loop go
   * together, one statement per caller (busy APIs finish many requests at once): each promise
   * settles when its statement has committed, so no answer is sent before it is stored.
   */
  complete(principal: string, key: string, response: StoredResponse, now: Date): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.completions.push({ principal, key, response, now, resolve, reject });
      if (this.completions.length === 1) setImmediate(() => void this.flushCompletions());
    });
  }

  private completions: Array<{ principal: string; key: string; response: StoredResponse; now: Date; resolve: () => void; reject: (err: unknown) => void }> = [];

  private async flushCompletions(): Promise<void> {
    const batch = this.completions;
    this.completions = [];
    // One statement per caller in the batch. The rows are reached through the primary key
    // (principal = $1 AND key = ANY($2)): joined on a record set instead, the planner chose a scan
    // of the whole table, whose cost grew with every key kept.
    const byPrincipal = new Map<string, typeof batch>();
    for (const c of batch) {
      const mine = byPrincipal.get(c.principal);
      if (mine) mine.push(c);
      else byPrincipal.set(c.principal, [c]);
    }
    await Promise.all(
      [...byPrincipal].map(async ([principal, mine]) => {
        try {
          await rawQuery(
            this.sql,
            `UPDATE idempotency_records r
                SET state = 'DONE', response_status = x.status, response_headers = x.headers::jsonb, response_body = x.body, completed_at = x.completed_at
               FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::timestamptz[]) AS x(key, status, headers, body, completed_at)
              WHERE r.principal = $1 AND r.key = ANY($2::text[]) AND r.key = x.key AND r.state = 'IN_PROGRESS' RETURNING 1 AS n`,
            [
              principal,
              mine.map((c) => c.key),
              mine.map((c) => c.response.status),
              mine.map((c) => JSON.stringify(c.response.headers)),
              mine.map((c) => c.response.body),
              mine.map((c) => c.now.toISOString()),
            ],
          );
          for (const c of mine) c.resolve();
        } catch (err) {
          for (const c of mine) c.reject(err);
        }
      }),
    );
  }

  /** Forgets an IN_PROGRESS key (the route failed with a 5xx): a retry runs the route again. */
  async release(principal: string, key: string): Promise<void> {
    await rawQuery(this.sql, `DELETE FROM idempotency_records WHERE principal = $1 AND key = $2 AND state = 'IN_PROGRESS' RETURNING 1 AS n`, [principal, key]);
  }

  /** Deletes every record expired at `now`; returns how many. */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    const { count } = await this.prisma.idempotencyRecord.deleteMany({ where: { expiresAt: { lte: now } } });
    return count;
  }
}
