import { FlightSupplierError, type FlightSupplierErrorKind } from '../../domain/flights/model';
import { WireErrorBody } from './wire.schema';

/**
 * Transport for a Duffel-style API: bearer token, `Duffel-Version: v2`, JSON in and out, one
 * timeout over the whole exchange (body included), `Idempotency-Key` on creating POSTs. Every
 * failure becomes a FlightSupplierError; there is no retry loop here (Temporal retries the
 * activity), but a 429's Retry-After is passed on as `details.retryAfterMs`.
 */

export interface DuffelClientConfig {
  baseUrl: string;
  accessToken: string;
  timeoutMs: number;
  /** Clock for HTTP-date Retry-After values (default Date.now). */
  now?: () => number;
}

export interface DuffelCall {
  method: 'GET' | 'POST';
  /** Below the base URL, e.g. `/air/offers`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  idempotencyKey?: string;
}

export const DUFFEL_VERSION = 'v2';

/** Retry-After (delta seconds or HTTP date) → ms, or undefined when absent/unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Duffel error codes we know, by kind; anything else falls back on the HTTP status. */
const CODE_KINDS: [RegExp, FlightSupplierErrorKind][] = [
  [/^(offer_no_longer_available|offer_expired|offer_request_expired)$/, 'offer-expired'],
  [/^price_changed$/, 'fare-changed'],
  [/^(no_seats_available|seats_unavailable|insufficient_seats|sold_out)$/, 'sold-out'],
  [/^order_(cancellation|change)(_offer)?_(expired|superseded)$|^quote_(expired|superseded)$/, 'quote-expired'],
  [/^(payment_declined|insufficient_balance|payment_failed)$/, 'payment-declined'],
  [/^(not_allowed|order_not_cancellable|order_not_changeable|refund_not_allowed|change_not_allowed|already_cancelled)$/, 'not-allowed'],
  [/^not_found$/, 'not-found'],
  [/^(rate_limit_exceeded)$/, 'rate-limited'],
  [/^(unauthorized|forbidden|access_token_not_found|invalid_authorization_header)$/, 'auth'],
];

function kindOfStatus(status: number): FlightSupplierErrorKind {
  if (status === 429) return 'rate-limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 408 || status >= 500) return 'unavailable';
  return 'invalid-request';
}

/** A non-2xx answer → FlightSupplierError (kind from the Duffel error code, else from the status). */
export function errorFromResponse(status: number, text: string, headers: { get(name: string): string | null }, now: number, where: string): FlightSupplierError {
  let body: WireErrorBody | undefined;
  try {
    const parsed = WireErrorBody.safeParse(JSON.parse(text));
    if (parsed.success) body = parsed.data;
  } catch {
    // not JSON (a proxy's HTML page): the status decides
  }
  const first = body?.errors[0];
  let kind = kindOfStatus(status);
  // Transport-level statuses decide on their own; a Duffel code refines a 4xx.
  if (first && status < 500 && status !== 429 && status !== 401 && status !== 403) {
    kind = CODE_KINDS.find(([re]) => re.test(first.code))?.[1] ?? (status === 404 ? 'not-found' : 'invalid-request');
  }
  const details: FlightSupplierError['details'] = { status };
  if (first) details.supplierCode = first.code;
  if (kind === 'rate-limited') {
    const ms = retryAfterMs(headers.get('retry-after'), now);
    if (ms !== undefined) details.retryAfterMs = ms;
  }
  const reason = first ? `${first.code}: ${first.message ?? first.title ?? ''}` : text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return new FlightSupplierError(kind, `Duffel ${where} answered ${status}${reason ? ` (${reason})` : ''}`, details);
}

export function duffelUrl(baseUrl: string, call: Pick<DuffelCall, 'path' | 'query'>): URL {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${call.path}`);
  for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

/** Performs one call; resolves the 2xx body text (parsed and validated by the mapper). */
export async function duffelRequest(cfg: DuffelClientConfig, call: DuffelCall): Promise<string> {
  const url = duffelUrl(cfg.baseUrl, call);
  const where = `${call.method} ${url.pathname}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), cfg.timeoutMs);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-encoding': 'identity',
    authorization: `Bearer ${cfg.accessToken}`,
    'duffel-version': DUFFEL_VERSION,
  };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
  try {
    const res = await fetch(url, { method: call.method, headers, body: call.body === undefined ? undefined : JSON.stringify(call.body), signal: controller.signal });
    const text = await res.text();
    if (res.ok) return text;
    throw errorFromResponse(res.status, text, res.headers, (cfg.now ?? Date.now)(), where);
  } catch (err) {
    if (err instanceof FlightSupplierError) throw err;
    if (controller.signal.aborted) {
      throw new FlightSupplierError('timeout', `Duffel ${where}: no complete answer within ${cfg.timeoutMs} ms`);
    }
    const cause = err instanceof Error && err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err instanceof Error ? err.message : String(err);
    throw new FlightSupplierError('unavailable', `Cannot reach Duffel at ${where}: ${cause}`);
  } finally {
    clearTimeout(timer);
  }
}
