import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FAULT_HEADER, SlidingWindowLimiter, checkFaults, parseFaultHeader, seededRandom, type SandboxChannelFault } from './faults';
import { interpret, isMessageType, type PropertyCatalog } from './messages';
import { buildResponse, buildSoapFault, contentTypeFor, parseRequest, problem, responseName, wsseMatches, type EnvelopeStyle, type SandboxOtaProblem } from './ota-xml';
import { actionOf, buildReservationNotification, checkReservationInput, signWebhook, staysOf, type SandboxReservationInput } from './reservations';
import { ChannelState, type CancelledBack, type ChannelSale, type SandboxRate, type SandboxRestrictions } from './state';

/**
 * The SANDBOX channel manager: a hub with several OTA channels (BOOKING, EXPEDIA, ...), each
 * keeping its own inventory, restrictions and rates from the OpenTravel pushes it receives at
 * `POST /channels/:channel/ota` (bare OTA XML or SOAP 1.1/1.2, optional WS-Security per channel),
 * answering OTA_*RS with Success/Warnings/Errors and the EchoToken echoed. It generates signed
 * OTA_HotelResNotifRQ webhooks to Itinera (`sendReservation`, `redeliver`) and injects faults
 * (faults.ts). Every request is logged with the injected clock's time.
 *
 * Control API (JSON, for when it runs as its own process, scripts/sandbox-channels.ts):
 *   GET  /sandbox/health
 *   GET  /channels/:channel/state?hotel=H     counts, restrictions, rates, cancelled-back, sales
 *   GET  /channels/:channel/requests          the request log
 *   PUT  /control/faults/:channel             body: a fault, an array of faults, or null
 *   POST /control/reservations                body: SandboxReservationInput → {status, body, messageId}
 *   POST /control/redeliveries                body: {messageId, timestampSkewMs?, signWith?}
 */

/** The channels a hub runs when none are named. */
export const DEFAULT_SANDBOX_CHANNELS = ['BOOKING', 'EXPEDIA', 'AIRBNB', 'AGODA', 'HOTELBEDS'];

export interface SandboxChannelHubOptions {
  channels: string[];
  webhook?: { url: string; secret: string; managerCode: string };
  /** Epoch ms; Date.now by default. Timestamps in responses, the request log and webhooks use it. */
  clock?: () => number;
  /** Channels that require a WS-Security UsernameToken (PasswordText or PasswordDigest). */
  credentials?: Record<string, { username: string; password: string }>;
  /** Mapped hotels/room types/rate plans; when given, unknown codes are answered with 392/402/249. */
  properties?: PropertyCatalog;
  /** Seed of the PRNG behind probabilistic faults (default 1). */
  seed?: number;
  /** Largest request body (default 1 MiB). */
  maxBodyBytes?: number;
  /** Webhook POST timeout (default 10 s). */
  webhookTimeoutMs?: number;
}

export type RequestOutcome = 'success' | 'errors' | 'unauthorized' | 'fault' | 'rate-limited' | 'lost-ack';

export interface RequestLogEntry {
  at: number;
  channel: string;
  messageType: string | null;
  hotelCode: string | null;
  echoToken: string | null;
  status: number;
  outcome: RequestOutcome;
}

export interface WebhookDelivery {
  status: number;
  /** The OTA_HotelResNotifRS text Itinera answered. */
  body: string;
  messageId: string;
}

/** A notification built (and the channel's own counts moved) but not sent yet: deliver it in any order. */
export interface PreparedReservation {
  messageId: string;
  channel: string;
  reservationId: string;
  body: string;
  envelope: 'bare' | 'soap';
  /** The channel's own record of the sale (sellable=false: the channel oversold through its own delay). */
  sale: ChannelSale;
}

const SOAP_ACTION = 'http://www.opentravel.org/OTA/2003/05/HotelResNotif';

function readBody(req: http.IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => resolve(size > max ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class SandboxChannelHub {
  private readonly states = new Map<string, ChannelState>();
  private readonly faults = new Map<string, SandboxChannelFault[]>();
  private readonly log: RequestLogEntry[] = [];
  private readonly limiter = new SlidingWindowLimiter();
  private readonly random: () => number;
  private readonly clock: () => number;
  private readonly prepared = new Map<string, PreparedReservation>();
  /** The last room stays and guest sent per channel and reservation (a cancellation repeats them). */
  private readonly lastReservation = new Map<string, Pick<SandboxReservationInput, 'roomStays' | 'guest'>>();
  private readonly sockets = new Set<Socket>();
  private server: http.Server | null = null;
  private seq = 0;
  private closing = new AbortController();

  constructor(private readonly options: SandboxChannelHubOptions) {
    if (!options.channels.length) throw new RangeError('the sandbox channel hub needs at least one channel');
    for (const code of options.channels) {
      if (!/^[A-Za-z0-9_-]{1,40}$/.test(code)) throw new RangeError(`channel code "${code}" must be 1-40 letters, digits, _ or -`);
      if (this.states.has(code)) throw new RangeError(`channel ${code} is listed twice`);
      this.states.set(code, new ChannelState(code));
    }
    for (const code of Object.keys(options.credentials ?? {})) if (!this.states.has(code)) throw new RangeError(`credentials for unknown channel ${code}`);
    this.clock = options.clock ?? Date.now;
    this.random = seededRandom(options.seed ?? 1);
  }

  get channels(): string[] {
    return [...this.states.keys()];
  }

  // ---------------------------------------------------------------- state, for tests and benches

  private state(channel: string): ChannelState {
    const s = this.states.get(channel);
    if (!s) throw new RangeError(`no sandbox channel ${channel} (channels: ${this.channels.join(', ')})`);
    return s;
  }
  count(channel: string, hotelCode: string, roomType: string, date: string): number | undefined {
    return this.state(channel).count(hotelCode, roomType, date);
  }
  /** The rate plan's own restrictions when pushed, else the room type's; undefined when none pushed. */
  restrictions(channel: string, hotelCode: string, roomType: string, date: string, ratePlan: string | null = null): SandboxRestrictions | undefined {
    return this.state(channel).restrictions(hotelCode, roomType, date, ratePlan);
  }
  rate(channel: string, hotelCode: string, roomType: string, ratePlan: string, date: string, guests: number): string | undefined {
    return this.state(channel).rate(hotelCode, roomType, ratePlan, date, guests)?.amount;
  }
  rateWithCurrency(channel: string, hotelCode: string, roomType: string, ratePlan: string, date: string, guests: number): SandboxRate | undefined {
    return this.state(channel).rate(hotelCode, roomType, ratePlan, date, guests);
  }
  /** Reservations Itinera cancelled back to this channel (OTA_HotelResNotifRQ ResStatus Cancel), once each. */
  cancelledBack(channel: string): CancelledBack[] {
    return [...this.state(channel).cancelledBack];
  }
  /** Bookings the channel took itself, latest state of each. */
  sales(channel: string): ChannelSale[] {
    return [...this.state(channel).sales.values()];
  }
  snapshot(channel: string, hotelCode: string) {
    return this.state(channel).snapshot(hotelCode);
  }
  requestLog(channel?: string): RequestLogEntry[] {
    return this.log.filter((e) => channel === undefined || e.channel === channel);
  }
  /** Most requests for one property on one channel inside any `windowMs` window (rate-limit checks). */
  peakRequests(channel: string, hotelCode: string, windowMs = 1000): number {
    const times = this.log.filter((e) => e.channel === channel && e.hotelCode === hotelCode).map((e) => e.at);
    let best = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! >= windowMs) i++;
      best = Math.max(best, j - i + 1);
    }
    return best;
  }

  // ---------------------------------------------------------------- faults

  setFault(channel: string, fault: SandboxChannelFault | SandboxChannelFault[] | null): void {
    this.state(channel);
    const checked = checkFaults(fault);
    if (!checked.ok) throw new RangeError(`sandbox fault for ${channel}: ${checked.error}`);
    if (checked.faults.length) this.faults.set(channel, checked.faults.map((f) => ({ ...f })));
    else this.faults.delete(channel);
  }

  /** Marks one application of a configured fault; drops it when its `times` run out. */
  private used(channel: string, fault: SandboxChannelFault): void {
    if (fault.times === undefined) return;
    fault.times--;
    if (fault.times <= 0) {
      const left = (this.faults.get(channel) ?? []).filter((f) => f !== fault);
      if (left.length) this.faults.set(channel, left);
      else this.faults.delete(channel);
    }
  }

  // ---------------------------------------------------------------- HTTP

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('the sandbox channel hub is already listening');
    this.closing = new AbortController();
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => this.json(res, 500, { error: e instanceof Error ? e.message : String(e), sandbox: true }));
    });
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.closing.abort();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private send(res: http.ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'x-sandbox': 'true' });
    res.end(body);
  }
  private json(res: http.ServerResponse, status: number, value: unknown): void {
    this.send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const body = await readBody(req, this.options.maxBodyBytes ?? 1024 * 1024);
    if (body === null) return this.json(res, 413, { error: 'request body too large', sandbox: true });
    const method = req.method ?? 'GET';
    if (parts[0] === 'channels' && parts.length === 3 && parts[2] === 'ota' && method === 'POST') return this.ota(req, res, parts[1]!, body);
    return this.control(method, parts, url, body, res);
  }

  private async control(method: string, parts: string[], url: URL, body: string, res: http.ServerResponse): Promise<void> {
    const bad = (message: string, status = 400) => this.json(res, status, { error: message, sandbox: true });
    const parseJson = (): { ok: true; value: unknown } | { ok: false } => {
      try {
        return { ok: true, value: JSON.parse(body || 'null') as unknown };
      } catch {
        bad('body must be JSON');
        return { ok: false };
      }
    };
    const isChannelRoute = parts[0] === 'channels' && parts.length === 3;
    const isFaultRoute = parts[0] === 'control' && parts[1] === 'faults' && parts.length === 3;
    const shape = isChannelRoute ? ['channels', ':channel', parts[2]] : isFaultRoute ? ['control', 'faults', ':channel'] : parts;
    const route = `${method} /${shape.join('/')}`;
    if (route === 'GET /sandbox/health') return this.json(res, 200, { status: 'ok', sandbox: true, channels: this.channels, now: this.clock() });
    const channel = isChannelRoute ? parts[1] : isFaultRoute ? parts[2] : undefined;
    if ((route === 'GET /channels/:channel/state' || route === 'GET /channels/:channel/requests' || route === 'PUT /control/faults/:channel') && !this.states.has(channel ?? '')) {
      return bad(`no sandbox channel ${channel ?? ''} (channels: ${this.channels.join(', ')})`, 404);
    }
    switch (route) {
      case 'GET /channels/:channel/state': {
        const hotel = url.searchParams.get('hotel');
        if (!hotel) return bad('query parameter hotel is required');
        return this.json(res, 200, this.snapshot(channel!, hotel));
      }
      case 'GET /channels/:channel/requests':
        return this.json(res, 200, this.requestLog(channel!));
      case 'PUT /control/faults/:channel': {
        const parsed = parseJson();
        if (!parsed.ok) return;
        const checked = checkFaults(parsed.value);
        if (!checked.ok) return bad(checked.error);
        this.setFault(channel!, checked.faults);
        return this.json(res, 200, { channel, faults: checked.faults, sandbox: true });
      }
      case 'POST /control/reservations': {
        const parsed = parseJson();
        if (!parsed.ok) return;
        try {
          return this.json(res, 200, await this.sendReservation(parsed.value as SandboxReservationInput));
        } catch (e) {
          return bad(e instanceof Error ? e.message : String(e), e instanceof TypeError || e instanceof RangeError ? 400 : 502);
        }
      }
      case 'POST /control/redeliveries': {
        const parsed = parseJson();
        if (!parsed.ok) return;
        const v = (parsed.value ?? {}) as { messageId?: unknown; timestampSkewMs?: unknown; signWith?: unknown };
        if (typeof v.messageId !== 'string') return bad('messageId is required');
        try {
          return this.json(res, 200, await this.redeliver(v.messageId, { timestampSkewMs: typeof v.timestampSkewMs === 'number' ? v.timestampSkewMs : undefined, signWith: typeof v.signWith === 'string' ? v.signWith : undefined }));
        } catch (e) {
          return bad(e instanceof Error ? e.message : String(e), e instanceof RangeError ? 404 : 502);
        }
      }
      default:
        return bad(`no sandbox endpoint ${method} /${parts.join('/')}`, 404);
    }
  }

  private async ota(req: http.IncomingMessage, res: http.ServerResponse, channel: string, body: string): Promise<void> {
    const state = this.states.get(channel);
    if (!state) return this.json(res, 404, { error: `no sandbox channel ${channel} (channels: ${this.channels.join(', ')})`, sandbox: true });
    const at = this.clock();
    const parsed = parseRequest(body);
    const style: EnvelopeStyle = parsed.style;
    const rootName = parsed.rootName;
    const echoToken = parsed.ok ? (typeof parsed.root['@EchoToken'] === 'string' ? parsed.root['@EchoToken'] : null) : parsed.echoToken;
    const interpreted = parsed.ok && isMessageType(parsed.rootName) ? interpret(parsed.rootName, parsed.root, this.options.properties) : null;
    const entry: RequestLogEntry = { at, channel, messageType: rootName, hotelCode: interpreted?.hotelCode ?? null, echoToken, status: 0, outcome: 'success' };
    this.log.push(entry);
    const answer = (status: number, outcome: RequestOutcome, text: string, contentType = contentTypeFor(style), headers: Record<string, string> = {}) => {
      entry.status = status;
      entry.outcome = outcome;
      this.send(res, status, contentType, text, headers);
    };
    const ota = (errors: SandboxOtaProblem[], warnings: SandboxOtaProblem[] = [], content?: Record<string, unknown>) =>
      buildResponse({ rootName: responseName(rootName), echoToken, timeStamp: this.clock(), errors, warnings, content }, style);

    // Faults: the configured ones, then the one-off header.
    const header = req.headers[FAULT_HEADER];
    const oneOff = typeof header === 'string' ? parseFaultHeader(header) : { ok: true as const, faults: [] };
    if (!oneOff.ok) return answer(400, 'fault', `X-Sandbox-Fault: ${oneOff.error}`, 'text/plain; charset=utf-8');
    const faults = [...(this.faults.get(channel) ?? []), ...oneOff.faults];
    const configured = new Set(this.faults.get(channel) ?? []);
    const use = (f: SandboxChannelFault) => {
      if (configured.has(f)) this.used(channel, f);
    };

    const latency = faults.filter((f) => f.kind === 'latency').reduce((ms, f) => ms + f.ms, 0);
    faults.filter((f) => f.kind === 'latency').forEach(use);
    if (latency > 0 && !(await this.wait(latency, res))) {
      entry.outcome = 'fault';
      return;
    }

    for (const f of faults) {
      if (f.kind !== 'error') continue;
      if (this.random() < (f.probability ?? 1)) {
        use(f);
        return answer(f.status, 'fault', `sandbox channel ${channel}: injected ${f.status}`, 'text/plain; charset=utf-8');
      }
    }

    const required = this.options.credentials?.[channel];
    if (required && !wsseMatches(parsed.ok ? parsed.wsse : null, required)) {
      const reason = `sandbox channel ${channel}: WS-Security UsernameToken missing or wrong`;
      if (style === 'bare') return answer(401, 'unauthorized', ota([problem.unauthorized(reason)]));
      return answer(401, 'unauthorized', buildSoapFault(style, 'wsse:FailedAuthentication', reason));
    }

    for (const f of faults) {
      if (f.kind !== 'rate-limit') continue;
      const verdict = this.limiter.admit(`${channel}|${entry.hotelCode ?? ''}`, f.perSecond, at);
      if (!verdict.ok) {
        use(f);
        const seconds = Math.ceil(verdict.retryAfterMs / 1000);
        return answer(429, 'rate-limited', `sandbox channel ${channel}: over ${f.perSecond} requests/s for hotel ${entry.hotelCode ?? '?'}`, 'text/plain; charset=utf-8', {
          'retry-after': String(seconds),
          'retry-after-ms': String(verdict.retryAfterMs),
        });
      }
    }

    if (!parsed.ok) return answer(200, 'errors', ota([problem.unableToProcess(parsed.message)]));
    if (!interpreted) return answer(200, 'errors', ota([problem.unableToProcess(`${parsed.rootName} is not a message this sandbox channel handles`)]));
    if (interpreted.problems.length) return answer(200, 'errors', ota(interpreted.problems, interpreted.warnings));
    const content = interpreted.apply(state, at);

    const lost = faults.find((f) => f.kind === 'lost-ack');
    if (lost?.kind === 'lost-ack') {
      use(lost);
      entry.status = lost.drop ? 0 : 500;
      entry.outcome = 'lost-ack';
      if (lost.drop) {
        req.socket.destroy();
        return;
      }
      return answer(500, 'lost-ack', `sandbox channel ${channel}: change applied, acknowledgement lost`, 'text/plain; charset=utf-8');
    }
    return answer(200, 'success', ota([], interpreted.warnings, content));
  }

  /** Waits (real time) unless the client goes away or the hub closes; false when it should not answer. */
  private async wait(ms: number, res: http.ServerResponse): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        res.off('close', onClose);
        this.closing.signal.removeEventListener('abort', onClose);
        resolve(ok);
      };
      const onClose = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      res.on('close', onClose);
      this.closing.signal.addEventListener('abort', onClose);
    });
  }

  // ---------------------------------------------------------------- outbound webhooks

  /**
   * Records the booking on its channel (its own counts move now, like a real OTA's) and builds the
   * signed-to-be notification without sending it: deliver prepared messages in any order (a modify
   * before its create, duplicates...).
   */
  prepareReservation(given: SandboxReservationInput): PreparedReservation {
    const state = this.state(given.channel);
    // Like SiteMinder and most channel managers, a cancellation repeats the reservation's last
    // room stays and guest: a cancel sent here without them gets the ones last sent.
    const key = `${given.channel}|${given.reservationId}`;
    const last = this.lastReservation.get(key);
    const input = actionOf(given.status) === 'cancelled' && given.roomStays.length === 0 && last ? { ...given, roomStays: last.roomStays, guest: last.guest } : given;
    if (input.roomStays.length) this.lastReservation.set(key, { roomStays: input.roomStays, guest: input.guest });
    checkReservationInput(input);
    const webhook = this.requireWebhook();
    const now = this.clock();
    const messageId = input.messageId ?? `msg_${input.channel}_${input.reservationId}_${++this.seq}`;
    if (this.prepared.has(messageId)) throw new RangeError(`message ${messageId} was already prepared; use redeliver`);
    const sale = state.recordSale({ reservationId: input.reservationId, hotelCode: input.hotelCode, status: input.status, stays: staysOf(input), at: now }, actionOf(input.status));
    const prepared: PreparedReservation = {
      messageId,
      channel: input.channel,
      reservationId: input.reservationId,
      body: buildReservationNotification(input, webhook.managerCode, now),
      envelope: input.envelope ?? 'bare',
      sale,
    };
    this.prepared.set(messageId, prepared);
    return prepared;
  }

  /** Prepares and delivers a reservation notification. */
  async sendReservation(input: SandboxReservationInput): Promise<WebhookDelivery> {
    const prepared = this.prepareReservation(input);
    return this.deliver(prepared, { timestampSkewMs: input.timestampSkewMs, signWith: input.signWith });
  }

  /** POSTs a prepared notification, signed now (Standard Webhooks). */
  async deliver(prepared: PreparedReservation, opts: { timestampSkewMs?: number; signWith?: string } = {}): Promise<WebhookDelivery> {
    const webhook = this.requireWebhook();
    const headers = signWebhook(opts.signWith ?? webhook.secret, prepared.messageId, this.clock() + (opts.timestampSkewMs ?? 0), prepared.body);
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'text/xml; charset=utf-8',
        ...(prepared.envelope === 'soap' ? { soapaction: `"${SOAP_ACTION}"` } : {}),
        'x-sandbox': 'true',
      },
      body: prepared.body,
      signal: AbortSignal.timeout(this.options.webhookTimeoutMs ?? 10_000),
    });
    return { status: response.status, body: await response.text(), messageId: prepared.messageId };
  }

  /** Sends an earlier message again: same webhook-id and body, new timestamp and signature. */
  async redeliver(messageId: string, opts: { timestampSkewMs?: number; signWith?: string } = {}): Promise<WebhookDelivery> {
    const prepared = this.prepared.get(messageId);
    if (!prepared) throw new RangeError(`no sandbox message ${messageId} to redeliver`);
    return this.deliver(prepared, opts);
  }

  /** The message as prepared (body, id), e.g. to assert a redelivery is byte-identical. */
  message(messageId: string): PreparedReservation | undefined {
    return this.prepared.get(messageId);
  }

  private requireWebhook(): NonNullable<SandboxChannelHubOptions['webhook']> {
    const webhook = this.options.webhook;
    if (!webhook) throw new Error('the sandbox channel hub has no webhook configured (options.webhook: url, secret, managerCode)');
    return webhook;
  }
}
