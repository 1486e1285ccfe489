import type { BusinessFault } from './front';

/**
 * Fault injection for the sandbox GDS, by configuration (server option / `injectFault`) or per
 * request with the header `X-Sandbox-Fault`, e.g.
 *
 *   X-Sandbox-Fault: status=503;times=2        two 503s, then the request goes through
 *   X-Sandbox-Fault: rate-limit=7              429 with Retry-After: 7
 *   X-Sandbox-Fault: latency=250;status=504    waits 250 ms, then 504
 *   X-Sandbox-Fault: timeout                   never answers (holds the socket up to a cap)
 *   X-Sandbox-Fault: fare-changed | sold-out | fail-after-commit
 *   X-Sandbox-Fault: fail-after-commit;times=1;key=booking-42
 *
 * Items are `;`-separated. At most one action (status, rate-limit, timeout or a business fault)
 * plus optional latency. `times=N` applies the fault to the first N matching requests only (a
 * retry then succeeds); the count is kept per header value, method and path (or per `key`).
 */

export const FAULT_HEADER = 'x-sandbox-fault';
export const FAULT_STATUSES = [500, 502, 503, 504] as const;
export type FaultStatus = (typeof FAULT_STATUSES)[number];

export type FaultAction =
  | { kind: 'status'; status: FaultStatus }
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'timeout' }
  | { kind: 'business'; fault: BusinessFault };

export interface Fault {
  /** Wait this long before doing anything else (0: none). */
  latencyMs: number;
  action: FaultAction | null;
  /** Apply to the first N matching requests only (null: every one). */
  times: number | null;
  /** Counter key shared by requests (null: header value + method + path). */
  key: string | null;
}

export type FaultParse = { ok: true; fault: Fault } | { ok: false; error: string };

const BUSINESS: readonly BusinessFault[] = ['fare-changed', 'sold-out', 'fail-after-commit'];
const MAX_LATENCY_MS = 120_000;
const wholeNumber = (text: string | undefined): number | null => (text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : null);

/** Parses `X-Sandbox-Fault` (or a configured fault string). Never throws. */
export function parseFault(text: string): FaultParse {
  const fault: Fault = { latencyMs: 0, action: null, times: null, key: null };
  const setAction = (action: FaultAction): string | null => {
    if (fault.action) return 'only one of status, rate-limit, timeout, fare-changed, sold-out, fail-after-commit per fault';
    fault.action = action;
    return null;
  };
  const items = text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) return { ok: false, error: 'empty fault' };
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : item.slice(eq + 1).trim();
    let problem: string | null = null;
    switch (name) {
      case 'latency': {
        const ms = wholeNumber(value);
        if (ms === null || ms > MAX_LATENCY_MS) return { ok: false, error: `latency=<ms> wants 0..${MAX_LATENCY_MS} (got "${value ?? ''}")` };
        fault.latencyMs = ms;
        break;
      }
      case 'status': {
        const status = wholeNumber(value);
        if (!FAULT_STATUSES.includes(status as FaultStatus)) return { ok: false, error: `status=<code> wants one of ${FAULT_STATUSES.join(', ')} (got "${value ?? ''}")` };
        problem = setAction({ kind: 'status', status: status as FaultStatus });
        break;
      }
      case 'rate-limit': {
        const seconds = value === undefined ? 1 : wholeNumber(value);
        if (seconds === null) return { ok: false, error: `rate-limit=<retryAfterSeconds> wants a whole number (got "${value ?? ''}")` };
        problem = setAction({ kind: 'rate-limit', retryAfterSeconds: seconds });
        break;
      }
      case 'timeout':
        if (value !== undefined) return { ok: false, error: 'timeout takes no value' };
        problem = setAction({ kind: 'timeout' });
        break;
      case 'times': {
        const n = wholeNumber(value);
        if (n === null || n < 1) return { ok: false, error: `times=<n> wants a whole number ≥ 1 (got "${value ?? ''}")` };
        fault.times = n;
        break;
      }
      case 'key':
        if (!value) return { ok: false, error: 'key=<name> wants a name' };
        fault.key = value;
        break;
      default:
        if (BUSINESS.includes(name as BusinessFault) && value === undefined) {
          problem = setAction({ kind: 'business', fault: name as BusinessFault });
          break;
        }
        return { ok: false, error: `unknown fault item "${item}" (latency, status, rate-limit, timeout, fare-changed, sold-out, fail-after-commit, times, key)` };
    }
    if (problem) return { ok: false, error: problem };
  }
  return { ok: true, fault };
}

/** A configured fault: applies to requests matching `method`/`path` (a prefix or a RegExp). */
export interface FaultRule {
  method?: string;
  path?: string | RegExp;
  /** A Fault, or its header text ("status=503;times=2"). */
  fault: Fault | string;
}

function toFault(f: Fault | string): Fault {
  if (typeof f !== 'string') return f;
  const parsed = parseFault(f);
  if (!parsed.ok) throw new RangeError(`Bad sandbox fault "${f}": ${parsed.error}`);
  return parsed.fault;
}

/**
 * Chooses the fault for each request: the header wins, else the first configured rule that
 * matches and has uses left. Counts uses for `times`.
 */
export class FaultBook {
  private rules: { method?: string; path?: string | RegExp; fault: Fault; used: number }[] = [];
  private readonly headerUses = new Map<string, number>();

  constructor(rules: FaultRule[] = []) {
    for (const r of rules) this.add(r);
  }

  add(rule: FaultRule): void {
    this.rules.push({ method: rule.method?.toUpperCase(), path: rule.path, fault: toFault(rule.fault), used: 0 });
  }

  /** Forgets configured rules and header counters. */
  clear(): void {
    this.rules = [];
    this.headerUses.clear();
  }

  /** Forgets header counters and rule uses, keeping the rules. */
  resetCounters(): void {
    this.headerUses.clear();
    for (const r of this.rules) r.used = 0;
  }

  /** The fault for this request (null: none); an unparsable header is returned as an error. */
  pick(method: string, path: string, header: string | undefined): FaultParse | { ok: true; fault: null } {
    if (header !== undefined && header.trim() !== '') {
      const parsed = parseFault(header);
      if (!parsed.ok) return parsed;
      const f = parsed.fault;
      if (f.times !== null) {
        const key = f.key ?? `${header.trim()}|${method}|${path}`;
        const used = this.headerUses.get(key) ?? 0;
        this.headerUses.set(key, used + 1);
        if (used >= f.times) return { ok: true, fault: null };
      }
      return parsed;
    }
    for (const r of this.rules) {
      if (r.method && r.method !== method.toUpperCase()) continue;
      if (r.path !== undefined && !(typeof r.path === 'string' ? path.startsWith(r.path) : r.path.test(path))) continue;
      if (r.fault.times !== null && r.used >= r.fault.times) continue;
      r.used++;
      return { ok: true, fault: r.fault };
    }
    return { ok: true, fault: null };
  }
}
