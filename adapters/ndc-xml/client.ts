import { FlightSupplierError } from '../../domain/flights/model';

export interface NdcRequest {
  baseUrl: string;
  /** `17.2` | `19.2` | `21.3`: part of the URL, `{baseUrl}/ndc/{version}/{message}`. */
  version: string;
  /** Message name without RQ: `AirShopping`, `OrderCreate`... */
  message: string;
  xml: string;
  apiKey?: string;
  timeoutMs: number;
}

export interface NdcReply {
  status: number;
  xml: string;
}

/** `Retry-After` as ms: delta-seconds or an HTTP date (relative to `now`); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

const excerpt = (text: string) => {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
};

/**
 * POSTs one NDC message and returns the answer's XML. Transport failures become
 * FlightSupplierErrors here: 429 → rate-limited (Retry-After), 5xx / connection refused →
 * unavailable, no complete answer within `timeoutMs` → timeout, 401/403 → auth. Other 4xx answers
 * and 2xx answers are returned: NDC puts its `<Error>` elements in the body, the mapper reads them.
 */
export async function postNdc(req: NdcRequest): Promise<NdcReply> {
  const url = `${req.baseUrl.replace(/\/+$/, '')}/ndc/${req.version}/${req.message}`;
  const signal = AbortSignal.timeout(req.timeoutMs);
  const headers: Record<string, string> = { 'content-type': 'application/xml; charset=utf-8', accept: 'application/xml' };
  if (req.apiKey) headers['authorization'] = `Bearer ${req.apiKey}`;
  try {
    const res = await fetch(url, { method: 'POST', body: req.xml, headers, signal });
    const body = await res.text();
    if (res.status === 429) {
      const wait = retryAfterMs(res.headers.get('retry-after'));
      throw new FlightSupplierError('rate-limited', `NDC ${req.message} at ${url}: 429 rate limited`, { status: 429, ...(wait !== undefined ? { retryAfterMs: wait } : {}) });
    }
    if (res.status >= 500 || res.status === 408) {
      throw new FlightSupplierError('unavailable', `NDC ${req.message} at ${url} answered ${res.status}: ${excerpt(body)}`, { status: res.status });
    }
    if (res.status === 401 || res.status === 403) {
      throw new FlightSupplierError('auth', `NDC ${req.message} at ${url} refused the credentials (${res.status})`, { status: res.status });
    }
    return { status: res.status, xml: body };
  } catch (err) {
    if (err instanceof FlightSupplierError) throw err;
    if (signal.aborted) throw new FlightSupplierError('timeout', `NDC ${req.message} at ${url}: no complete answer within ${req.timeoutMs} ms`, {});
    const reason = err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
    throw new FlightSupplierError('unavailable', `Cannot reach NDC ${req.message} at ${url}: ${reason}`, {});
  }
}
