/**
 * Faults a sandbox channel can inject, per channel (`SandboxChannelHub.setFault`, `PUT
 * /control/faults/:channel`) or for one request with the header `X-Sandbox-Fault`:
 *
 *   { kind: 'latency', ms }                          answer after `ms`
 *   { kind: 'error', status: 500|503, probability? }   fail before touching state (seeded PRNG: repeatable)
 *   { kind: 'lost-ack', drop? }                       apply the change, then answer 500 (or drop the socket)
 *   { kind: 'rate-limit', perSecond }                 429 + Retry-After when a property's requests
 *                                                     on the channel exceed `perSecond` in any 1 s window
 *
 * `times` (optional, any kind) limits a configured fault to its next N applications.
 * The header takes JSON (`{"kind":"error","status":503}` or an array) or the short form
 * `latency=200;error=503;probability=0.5;lost-ack;rate-limit=5` (`lost-ack=drop` drops the socket).
 */

export type SandboxChannelFault = (
  | { kind: 'latency'; ms: number }
  | { kind: 'error'; status: 500 | 503; probability?: number }
  | { kind: 'lost-ack'; drop?: boolean }
  | { kind: 'rate-limit'; perSecond: number }
) & { times?: number };

export const FAULT_HEADER = 'x-sandbox-fault';
const MAX_LATENCY_MS = 120_000;

export type FaultCheck = { ok: true; faults: SandboxChannelFault[] } | { ok: false; error: string };

/** Checks one fault (from JSON); returns the problem or null. */
function problemWith(f: unknown): string | null {
  if (f === null || typeof f !== 'object') return 'a fault is an object with a kind';
  const o = f as Record<string, unknown>;
  const whole = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (o.times !== undefined && !(whole(o.times) && (o.times as number) > 0)) return 'times must be a whole number >= 1';
  switch (o.kind) {
    case 'latency':
      return whole(o.ms) && (o.ms as number) <= MAX_LATENCY_MS ? null : `latency wants ms 0..${MAX_LATENCY_MS}`;
    case 'error':
      if (o.status !== 500 && o.status !== 503) return 'error wants status 500 or 503';
      return o.probability === undefined || (typeof o.probability === 'number' && o.probability >= 0 && o.probability <= 1) ? null : 'probability must be 0..1';
    case 'lost-ack':
      return o.drop === undefined || typeof o.drop === 'boolean' ? null : 'lost-ack drop must be true or false';
    case 'rate-limit':
      return whole(o.perSecond) && (o.perSecond as number) > 0 ? null : 'rate-limit wants perSecond >= 1';
    default:
      return `unknown fault kind ${JSON.stringify(o.kind)} (latency, error, lost-ack, rate-limit)`;
  }
}

/** Checks faults given as one object, an array, or null (none). */
export function checkFaults(value: unknown): FaultCheck {
  if (value === null) return { ok: true, faults: [] };
  const list = Array.isArray(value) ? value : [value];
  for (const f of list) {
    const p = problemWith(f);
    if (p) return { ok: false, error: p };
  }
  return { ok: true, faults: list as SandboxChannelFault[] };
}

/** Parses the X-Sandbox-Fault header (JSON or the short form). Never throws. */
export function parseFaultHeader(header: string): FaultCheck {
  const trimmed = header.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return checkFaults(JSON.parse(trimmed));
    } catch {
      return { ok: false, error: 'X-Sandbox-Fault is not valid JSON' };
    }
  }
  const faults: SandboxChannelFault[] = [];
  for (const item of trimmed.split(';').map((s) => s.trim()).filter(Boolean)) {
    const [name = '', value] = item.split('=').map((s) => s.trim());
    const n = Number(value);
    if (name === 'latency') faults.push({ kind: 'latency', ms: n });
    else if (name === 'error') faults.push({ kind: 'error', status: n as 500 | 503 });
    else if (name === 'probability') {
      const last = faults.at(-1);
      if (last?.kind !== 'error') return { ok: false, error: 'probability must follow error=<status>' };
      last.probability = n;
    } else if (name === 'lost-ack') faults.push({ kind: 'lost-ack', ...(value === 'drop' ? { drop: true } : {}) });
    else if (name === 'rate-limit') faults.push({ kind: 'rate-limit', perSecond: n });
    else return { ok: false, error: `unknown fault "${name}" (latency, error, probability, lost-ack, rate-limit)` };
  }
  if (!faults.length) return { ok: false, error: 'empty X-Sandbox-Fault' };
  return checkFaults(faults);
}

/** mulberry32: a small seeded PRNG so probabilistic faults repeat run after run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Admitted request times per channel+hotel over a sliding 1 s window. */
export class SlidingWindowLimiter {
  private readonly admitted = new Map<string, number[]>();

  /** Admits (and records) the request, or returns how long to wait in ms. */
  admit(key: string, perSecond: number, now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    const times = (this.admitted.get(key) ?? []).filter((t) => t > now - 1000);
    if (times.length >= perSecond) {
      this.admitted.set(key, times);
      return { ok: false, retryAfterMs: Math.max(1, times[0]! + 1000 - now) };
    }
    times.push(now);
    this.admitted.set(key, times);
    return { ok: true };
  }
}
