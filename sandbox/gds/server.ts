import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { SandboxAirline } from './core';
import { duffelErrorBody, duffelFront, duffelTransportErrorJson } from './duffel-front';
import { FAULT_HEADER, FaultBook, type Fault, type FaultRule } from './faults';
import type { BusinessFault, FrontHandler } from './front';
import { ndcFront } from './ndc-front';

/**
 * The sandbox GDS over HTTP: one in-process SandboxAirline behind two wire fronts,
 *   /air/*  Duffel-style JSON (duffel-front.ts)
 *   /ndc/*  NDC XML (ndc-front.ts)
 * plus `GET /sandbox/health`, `GET /sandbox/orders` (read-only: every order with its idempotency
 * reference, for the crash-safety harness), `POST /sandbox/reset` and `POST /sandbox/clock` ({"offsetMs": n} or
 * {"now": epochMs}: time-skipping for end-to-end runs). Every answer carries `X-Sandbox: true`.
 *
 * Transport faults (latency, 5xx, 429, timeout) are applied here, before the front sees the
 * request; business faults (fare-changed, sold-out, fail-after-commit) reach the front through
 * `FrontContext.core` (see front.ts and faults.ts).
 */

export interface SandboxGdsOptions {
  /** 0 or absent: any free port. */
  port?: number;
  host?: string;
  /** Configured faults (the X-Sandbox-Fault header wins over them). */
  faults?: FaultRule[];
  /** The clock (epoch ms): Date.now by default. */
  now?: () => number;
  /** Replaces a wire front (tests pass fakes). */
  fronts?: { air?: FrontHandler; ndc?: FrontHandler };
  /** A `timeout` fault holds the socket this long at most, then drops it unanswered (default 60 s). */
  timeoutHoldMs?: number;
  /** Largest request body accepted (default 1 MiB). */
  maxBodyBytes?: number;
}

export interface SandboxGds {
  /** Root URL (`/air`, `/ndc`, `/sandbox` are below it). */
  url: string;
  /** The core itself (no faults): inspect seats and orders, move the clock. */
  core: SandboxAirline;
  faults: FaultBook;
  /** Requests received so far (sandbox control routes excluded). */
  requestCount(): number;
  close(): Promise<void>;
}

const XML_CONTENT = 'application/xml; charset=utf-8';
const JSON_CONTENT = 'application/json; charset=utf-8';

function send(res: http.ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** An error in the wire format of the path's front (JSON for /air and /sandbox, NDC-ish XML for /ndc). */
function sendError(res: http.ServerResponse, path: string, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (path.startsWith('/ndc')) {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- itinera sandbox GDS -->\n<ErrorRS sandbox="true"><Error><Code>${escapeXml(code)}</Code><StatusCode>${status}</StatusCode><DescText>${escapeXml(message)}</DescText></Error></ErrorRS>`;
    send(res, status, XML_CONTENT, xml, headers);
  } else if (path.startsWith('/air')) {
    // Duffel's own error shape (errors[].type/title/message/code, meta.status/request_id).
    const body = status === 429 || status >= 500 ? duffelTransportErrorJson(status, message) : JSON.stringify(duffelErrorBody(status, 'invalid_request_error', code, message));
    send(res, status, JSON_CONTENT, body, headers);
  } else {
    send(res, status, JSON_CONTENT, JSON.stringify({ errors: [{ code, title: message, status }], meta: { sandbox: true } }), headers);
  }
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startSandboxGds(options: SandboxGdsOptions = {}): Promise<SandboxGds> {
  const core = new SandboxAirline({ now: options.now ?? Date.now });
  const faults = new FaultBook(options.faults ?? []);
  const fronts: { air?: FrontHandler; ndc?: FrontHandler } = { air: duffelFront(), ndc: ndcFront(), ...options.fronts };
  const holdMs = options.timeoutHoldMs ?? 60_000;
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const closing = new AbortController();
  const sockets = new Set<Socket>();
  let requests = 0;
  let clockOffsetMs = 0;
  const baseNow = options.now ?? Date.now;

  const control = (req: http.IncomingMessage, res: http.ServerResponse, path: string, body: Buffer): void => {
    const json = (status: number, value: unknown) => send(res, status, JSON_CONTENT, JSON.stringify(value));
    if (req.method === 'GET' && path === '/sandbox/health') return json(200, { status: 'ok', sandbox: true, supplier: core.name, now: core.now() });
    // Sandbox-only and read-only: the orders by idempotency reference (crash-safety harness).
    if (req.method === 'GET' && path === '/sandbox/orders') return json(200, { sandbox: true, orders: core.orderLedger() });
    if (req.method === 'POST' && path === '/sandbox/reset') {
      core.reset();
      faults.resetCounters();
      return json(200, { status: 'reset', sandbox: true });
    }
    if (req.method === 'POST' && path === '/sandbox/clock') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        return sendError(res, path, 400, 'bad_json', 'body must be JSON {"offsetMs": n} or {"now": epochMs}');
      }
      const p = parsed as { offsetMs?: unknown; now?: unknown };
      if (Number.isSafeInteger(p.offsetMs)) clockOffsetMs = p.offsetMs as number;
      else if (Number.isSafeInteger(p.now)) clockOffsetMs = (p.now as number) - baseNow();
      else return sendError(res, path, 400, 'bad_clock', 'body must be {"offsetMs": n} or {"now": epochMs} (whole numbers)');
      core.setClock(() => baseNow() + clockOffsetMs);
      return json(200, { now: core.now(), offsetMs: clockOffsetMs, sandbox: true });
    }
    sendError(res, path, 404, 'not_found', `no sandbox endpoint ${req.method} ${path}`);
  };

  /** Applies a transport fault; true when the request was answered (or dropped) by it. */
  const transport = async (fault: Fault, req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<boolean> => {
    if (fault.latencyMs > 0) {
      const gone = new AbortController();
      const onClose = () => gone.abort();
      res.on('close', onClose);
      try {
        await delay(fault.latencyMs, undefined, { signal: AbortSignal.any([closing.signal, gone.signal]) });
      } catch {
        return true; // client gave up or server closing
      } finally {
        res.off('close', onClose);
      }
    }
    const a = fault.action;
    if (!a || a.kind === 'business') return false;
    if (a.kind === 'status') {
      sendError(res, path, a.status, 'sandbox_fault', `sandbox fault: status ${a.status}`);
    } else if (a.kind === 'rate-limit') {
      sendError(res, path, 429, 'rate_limited', `sandbox fault: rate limited, retry after ${a.retryAfterSeconds} s`, { 'retry-after': String(a.retryAfterSeconds) });
    } else {
      // timeout: never answer; drop the socket when the client gives up, the cap passes, or the server closes.
      const socket = req.socket;
      const timer = setTimeout(() => socket.destroy(), holdMs);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    }
    return true;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    res.setHeader('X-Sandbox', 'true');
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    const body = await readBody(req, maxBody);
    if (body === null) return sendError(res, path, 413, 'too_large', `request body over ${maxBody} bytes`);
    if (path.startsWith('/sandbox/')) return control(req, res, path, body);
    requests++;

    const header = req.headers[FAULT_HEADER];
    const picked = faults.pick(req.method ?? 'GET', path, Array.isArray(header) ? header.join(';') : header);
    if (!picked.ok) return sendError(res, path, 400, 'bad_fault_header', `X-Sandbox-Fault: ${picked.error}`);
    const fault = picked.fault;
    if (fault && (await transport(fault, req, res, path))) return;
    const business: BusinessFault | null = fault?.action?.kind === 'business' ? fault.action.fault : null;

    const prefix = path === '/air' || path.startsWith('/air/') ? 'air' : path === '/ndc' || path.startsWith('/ndc/') ? 'ndc' : null;
    if (!prefix) return sendError(res, path, 404, 'not_found', `no endpoint ${req.method} ${path} (the sandbox serves /air/*, /ndc/*, /sandbox/*)`);
    const front = fronts[prefix];
    if (!front) return sendError(res, path, 501, 'not_wired', `the /${prefix} front is not wired into this sandbox`);
    await front({ req, res, body, url, path: path.slice(prefix.length + 1) || '/', fault: business, core: core.faultsFor(business), now: () => core.now() });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const path = (req.url ?? '/').split('?')[0]!;
      sendError(res, path, 500, 'sandbox_error', e instanceof Error ? e.message : String(e));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    core,
    faults,
    requestCount: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
