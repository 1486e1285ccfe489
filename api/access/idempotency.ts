import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DEFAULT_LEASE_MS, type PrismaIdempotencyStore, type StoredResponse } from '../../activities/idempotency.prisma';
import { ProblemError, sendProblem, ValidationProblem } from '../problem';
import type { RoutePolicy } from './route-policy';

export interface IdempotencyDeps {
  store: PrismaIdempotencyStore;
  /** Clock (epoch ms); tests pass a controllable one. */
  clock?: () => number;
  /** How long a key is kept (default 24 h, the minimum issue 9 asks for). */
  ttlMs?: number;
  /** How long a request waits for another process's request with the same key (default 10 s), then 409. */
  waitMs?: number;
  /** How long a first request may run before its key counts as abandoned (default 15 minutes). */
  leaseMs?: number;
  /** Sleep between polls of the row (injected by tests; default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const DEFAULT_TTL_MS = 24 * 60 * 60_000;
const KEY = /^[\x20-\x7E]{1,255}$/;
/** The headers of the first answer a replay repeats. */
const RECENT_MAX = 10_000;
const KEPT_HEADERS = ['location', 'etag', 'content-type'] as const;

/** Whether a route honours `Idempotency-Key`: POSTs with a permission, unless the policy says otherwise. */
export function honoursIdempotencyKey(policy: RoutePolicy | undefined | null, method: string): boolean {
  if (!policy || method !== 'POST') return false;
  return policy.idempotent ?? typeof policy.access === 'object';
}

/** JSON with object keys sorted at every level: the same body hashes the same however it was written. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method}\n${path}\n${canonicalJson(body ?? null)}`).digest('hex');
}

/** How a request with a key ended, for the requests waiting on it in this process. */
type Outcome = { kind: 'response'; bodyHash: string; response: StoredResponse } | { kind: 'retry' };

function replay(res: Response, response: StoredResponse): void {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.setHeader('Idempotent-Replayed', 'true');
  // The trail tells a replay from the request that did the work (an auditor would otherwise see it twice).
  res.locals.auditDetail = 'replayed the answer of an earlier request with the same Idempotency-Key: nothing was done again';
  res.end(response.body);
}

function reuseProblem(res: Response, key: string): void {
  sendProblem(res, {
    status: 422,
    title: 'Idempotency key reused',
    detail: `Idempotency-Key ${JSON.stringify(key)} was already used with another request (different method, path or body); use a new key for a new request`,
    type: '/problems/idempotency-key-reuse',
    extra: { errors: [{ pointer: 'header:Idempotency-Key', detail: 'was used with a different request' }] },
  });
}

/**
 * `Idempotency-Key` on POSTs that create or pay (issue 9): the first request with a key runs the
 * route; the same key with the same request replays the stored answer (status, Location, ETag,
 * Content-Type, body) with `Idempotent-Replayed: true`; with another request → 422. While the first
 * is running, duplicates in this process share its outcome and duplicates elsewhere poll the row
 * (then 409). Only answers below 400 are kept `ttlMs`: a refusal (4xx) changed nothing and a 5xx
 * may not have finished, so the key is released and a corrected or later retry runs again.
 */
export function idempotency(deps: IdempotencyDeps): RequestHandler {
  const clock = deps.clock ?? Date.now;
  const ttlMs = deps.ttlMs ?? DEFAULT_TTL_MS;
  const waitMs = deps.waitMs ?? 10_000;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  /** One running request per scoped key in this process; duplicates await its outcome. */
  const running = new Map<string, Promise<Outcome>>();
  /**
   * Answers recently replayed from the database, by scoped key: a DONE row never changes until it
   * expires, so the rest of a burst of retries is replayed without a round trip each. Only replays
   * are kept, not every answer stored: most keys are never retried, and keeping each answer for
   * thousands of requests moved every one into the old generation (more major GC pauses under
   * load). Bounded (oldest dropped).
   */
  const recent = new Map<string, { bodyHash: string; response: StoredResponse; expiresAt: number }>();
  const remember = (scoped: string, bodyHash: string, response: StoredResponse, expiresAt: number) => {
    recent.delete(scoped);
    recent.set(scoped, { bodyHash, response, expiresAt });
    if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
  };

  return (req: Request, res: Response, next: NextFunction) => {
    if (!honoursIdempotencyKey(res.locals.route?.policy, req.method)) return next();
    const key = req.get(IDEMPOTENCY_HEADER);
    if (key === undefined) return next();
    if (!KEY.test(key) || !key.trim()) {
      return next(new ValidationProblem([{ pointer: 'header:Idempotency-Key', detail: 'must be 1-255 printable ASCII characters' }], 400, 'Invalid Idempotency-Key'));
    }
    const who = res.locals.principal;
    const principal = who ? `${who.kind}:${who.id}` : 'anonymous';
    const path = req.originalUrl.slice(0, 500);
    const bodyHash = requestHash(req.method, path, req.body);
    const scoped = `${principal}\n${key}`;
    const takeOver = res.locals.route?.policy.recoversByKey === true;

    const attempt = async (round: number): Promise<void> => {
      const known = recent.get(scoped);
      if (known && known.expiresAt > clock()) {
        if (known.bodyHash === bodyHash) replay(res, known.response);
        else reuseProblem(res, key);
        return;
      }
      if (known) recent.delete(scoped);
      const shared = running.get(scoped);
      if (shared) {
        const outcome = await shared;
        if (outcome.kind === 'response') {
          if (outcome.bodyHash === bodyHash) replay(res, outcome.response);
          else reuseProblem(res, key);
          return;
        }
        if (round < 3) return attempt(round + 1);
        throw inProgressProblem(key);
      }
      let settle!: (o: Outcome) => void;
      running.set(
        scoped,
        new Promise<Outcome>((resolve) => {
          settle = resolve;
        }),
      );
      let finished = false;
      const finish = (o: Outcome) => {
        if (finished) return;
        finished = true;
        running.delete(scoped);
        settle(o);
      };
      try {
        const now = new Date(clock());
        const claim = await deps.store.claim({ principal, key, method: req.method, path, bodyHash, now, expiresAt: new Date(now.getTime() + ttlMs), leaseMs, takeOver });
        if (claim.kind === 'started') {
          if (claim.takenOver) req.log?.warn({ idempotencyKey: key }, 'idempotency: the first request with this key never answered; running the route again');
          runRoute(principal, key, bodyHash, finish);
          return;
        }
        const result = claim.kind === 'in-progress' ? await waitForOther(principal, key, bodyHash) : claim;
        if (result === null) {
          finish({ kind: 'retry' });
          if (round < 3) return attempt(round + 1);
          throw inProgressProblem(key);
        }
        if (result.kind === 'done') {
          remember(scoped, bodyHash, result.response, result.expiresAt.getTime());
          finish({ kind: 'response', bodyHash, response: result.response });
          replay(res, result.response);
        } else if (result.kind === 'mismatch') {
          finish({ kind: 'retry' });
          reuseProblem(res, key);
        } else if (result.kind === 'abandoned') {
          finish({ kind: 'retry' });
          // A route that recovers by key takes it over on the next round.
          if (takeOver && round < 3) return attempt(round + 1);
          throw abandonedProblem(key, result.since);
        } else {
          finish({ kind: 'retry' });
          throw inProgressProblem(key);
        }
      } catch (err) {
        finish({ kind: 'retry' });
        throw err;
      }
    };

    /** Polls the row another process holds until it is DONE (or gone: null), with backoff, for at most `waitMs`. */
    const waitForOther = async (principal: string, key: string, hash: string) => {
      let waited = 0;
      for (let delay = 20; waited < waitMs; delay = Math.min(delay * 2, 500)) {
        await sleep(delay);
        waited += delay;
        const seen = await deps.store.look(principal, key, hash, new Date(clock()), leaseMs);
        if (!seen || seen.kind === 'started') return null;
        if (seen.kind !== 'in-progress') return seen;
      }
      return { kind: 'in-progress' as const };
    };

    /** Runs the route; its answer is stored (or the key released on a 5xx) before it is sent. */
    const runRoute = (principal: string, key: string, hash: string, finish: (o: Outcome) => void) => {
      const end = res.end.bind(res) as (...args: unknown[]) => Response;
      let ended = false;
      res.end = ((...args: unknown[]) => {
        if (ended) return res;
        ended = true;
        const chunk = typeof args[0] === 'function' ? undefined : args[0];
        const body = chunk === undefined || chunk === null ? '' : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
        const headers: Record<string, string> = {};
        for (const name of KEPT_HEADERS) {
          const value = res.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        const response: StoredResponse = { status: res.statusCode, headers, body };
        // A 202 from a route that finds its work by the key ("started, not finished yet": a booking
        // still being held) is no final answer: the key is released, so a retry runs again and
        // answers from the work's state then, instead of replaying "not yet" for 24 h.
        const kept = res.statusCode < 400 && !(takeOver && res.statusCode === 202);
        const store = kept ? deps.store.complete(principal, key, response, new Date(clock())) : deps.store.release(principal, key);
        store
          .catch((err: unknown) => {
            req.log?.error({ err, idempotencyKey: key }, 'idempotency: could not record the answer');
            return deps.store.release(principal, key).catch(() => undefined);
          })
          .finally(() => {
            finish({ kind: 'response', bodyHash: hash, response });
            end(...args);
          });
        return res;
      }) as Response['end'];
      next();
    };

    attempt(0).catch((err: unknown) => next(err));
  };
}

function abandonedProblem(key: string, since: Date): ProblemError {
  return new ProblemError(
    409,
    'Idempotency key abandoned',
    `The first request with Idempotency-Key ${JSON.stringify(key)} started at ${since.toISOString()} and never answered (its server stopped). It may or may not have taken effect: check, then retry with a new key`,
    '/problems/idempotency-key-abandoned',
    { errors: [{ pointer: 'header:Idempotency-Key', detail: 'belongs to a request that never answered' }], firstRequestAt: since.toISOString() },
  );
}

function inProgressProblem(key: string): ProblemError {
  return new ProblemError(
    409,
    'Idempotency key in progress',
    `A request with Idempotency-Key ${JSON.stringify(key)} is still being processed; retry shortly`,
    '/problems/idempotency-key-in-progress',
    { errors: [{ pointer: 'header:Idempotency-Key', detail: 'is in use by a request still running' }], retryAfterSeconds: 1 },
  );
}
