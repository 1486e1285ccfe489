import { ChannelManagerError } from '../../domain/channels/model';
import type { OtaMessage } from './builder';
import { faultError } from './mapper';
import { parseOta, serialise, XmlSyntaxError, type OtaDocument, type WsseCredentials } from './xml';

export interface OtaPost {
  endpoint: string;
  message: OtaMessage;
  /** Credentials → SOAP 1.1 envelope with a wsse:Security UsernameToken; null → bare OTA XML. */
  wsse: WsseCredentials | null;
  timeoutMs: number;
  fetch: typeof fetch;
  now: () => number;
}

export interface OtaReply {
  status: number;
  doc: OtaDocument;
}

/** `Retry-After` as ms: delta-seconds or an HTTP date (relative to `now`); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

const excerpt = (body: string) => {
  const t = body.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
};

/**
 * POSTs one OTA message (Content-Type text/xml) and returns the parsed answer (SOAP Body unwrapped).
 * Transport failures become ChannelManagerErrors: 429 → rate-limited (Retry-After), 401/403 →
 * unauthorized, a SOAP Fault (whatever the status) → by its code (mapper.faultError), 5xx/408 or a
 * refused connection → unavailable, no complete answer within `timeoutMs` → timeout, a body that
 * is not XML → malformed-response (on a 2xx) or rejected (on another 4xx).
 */
export async function postOta(req: OtaPost): Promise<OtaReply> {
  const what = `${req.message.rootName} to ${req.endpoint}`;
  const xml = req.wsse ? serialise(req.message.rootName, req.message.root, { soap: '1.1', wsse: req.wsse }) : serialise(req.message.rootName, req.message.root);
  const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8', accept: 'text/xml, application/xml' };
  if (req.wsse) headers['soapaction'] = `"${req.message.rootName}"`;
  const signal = AbortSignal.timeout(req.timeoutMs);
  let status: number;
  let body: string;
  let retryAfter: string | null;
  try {
    const res = await req.fetch(req.endpoint, { method: 'POST', body: xml, headers, signal });
    status = res.status;
    retryAfter = res.headers.get('retry-after');
    body = await res.text();
  } catch (err) {
    if (signal.aborted) throw new ChannelManagerError('timeout', `${what}: no complete answer within ${req.timeoutMs} ms`);
    const reason = err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
    throw new ChannelManagerError('unavailable', `Cannot reach the channel manager with ${what}: ${reason}`);
  }
  if (status === 429) {
    const wait = retryAfterMs(retryAfter, req.now());
    throw new ChannelManagerError('rate-limited', `${what}: 429 rate limited`, { status, ...(wait !== undefined ? { retryAfterMs: wait } : {}) });
  }
  if (status === 401 || status === 403) throw new ChannelManagerError('unauthorized', `${what}: the channel manager refused the credentials (${status})`, { status });
  let doc: OtaDocument;
  try {
    doc = parseOta(body);
  } catch (err) {
    if (!(err instanceof XmlSyntaxError)) throw err;
    if (status >= 500 || status === 408) throw new ChannelManagerError('unavailable', `${what} answered ${status}: ${excerpt(body)}`, { status });
    if (status >= 400) throw new ChannelManagerError('rejected', `${what} answered ${status}: ${excerpt(body)}`, { status });
    throw new ChannelManagerError('malformed-response', `${what}: the answer is not OTA XML: ${err.message} (at ${err.path})`, { status });
  }
  if (doc.fault) throw faultError(doc.fault, status);
  if (status >= 500 || status === 408) throw new ChannelManagerError('unavailable', `${what} answered ${status}: ${excerpt(body)}`, { status });
  return { status, doc };
}
