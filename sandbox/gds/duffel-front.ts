import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import {
  offerTravellers,
  renderCancellation,
  renderChangeOffer,
  renderOffer,
  renderOrder,
  renderOrderChange,
  sliceIndexOf,
  formatPath,
  META_REFERENCE,
} from '../../adapters/duffel-json/mapper';
import {
  WireCancellationBody,
  WireChangeRequestBody,
  WireConfirmChangeBody,
  WireCreateOrderBody,
  WireOfferRequestBody,
  WireOrderChangeBody,
  WirePaymentBody,
} from '../../adapters/duffel-json/wire.schema';
import {
  documentStatus,
  FlightSupplierError,
  type CancellationQuote,
  type Cabin,
  type ChangeQuote,
  type FlightSearch,
  type Offer,
  type OrderPassenger,
  type PassengerType,
  type Slice,
} from '../../domain/flights/model';
import { Dec, type MoneyJson } from '../../domain/money/money';
import type { FrontContext, FrontHandler } from './front';

/**
 * The sandbox GDS's Duffel-style front (`/air/*`, like Duffel's test mode): the same public
 * shapes the duffel-json adapter reads, answered from the core's FlightSupplier methods. Business
 * faults are already applied to `ctx.core`; this front only maps FlightSupplierError kinds to
 * Duffel error bodies (`{ errors: [{ type, title, message, code, documentation_url }], meta: { status,
 * request_id } }`). `duffelTransportErrorJson` gives the same shape for the server's transport faults.
 *
 * Wire state the core has no words for lives here, per front instance: offer requests (for
 * paginated listing), order metadata by reference, and the quotes behind change/cancel ids.
 */

const CABIN_OF: Record<string, Cabin> = { economy: 'ECONOMY', premium_economy: 'PREMIUM_ECONOMY', business: 'BUSINESS', first: 'FIRST' };
const TYPE_OF: Record<string, PassengerType> = { adult: 'ADT', child: 'CHD', infant_without_seat: 'INF' };

class WireRefusal extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    message: string,
    readonly pointer?: string,
  ) {
    super(message);
  }
}

/** FlightSupplierError kind → HTTP status, Duffel error type and code. */
const KIND_WIRE: Record<FlightSupplierError['kind'], [number, string, string]> = {
  'invalid-request': [422, 'validation_error', 'validation_format'],
  'offer-expired': [422, 'invalid_state_error', 'offer_no_longer_available'],
  'fare-changed': [422, 'invalid_state_error', 'price_changed'],
  'sold-out': [422, 'airline_error', 'seats_unavailable'],
  'not-found': [404, 'invalid_request_error', 'not_found'],
  'quote-expired': [422, 'invalid_state_error', 'quote_expired'],
  'payment-declined': [422, 'invalid_state_error', 'payment_declined'],
  'not-allowed': [422, 'invalid_state_error', 'not_allowed'],
  'rate-limited': [429, 'rate_limit_error', 'rate_limit_exceeded'],
  unavailable: [503, 'api_error', 'service_unavailable'],
  timeout: [504, 'api_error', 'gateway_timeout'],
  'malformed-response': [502, 'airline_error', 'airline_unknown'],
  auth: [401, 'authentication_error', 'unauthorized'],
};

/** Transport-level statuses (what a fault or a failing upstream answers) → Duffel error type and code. */
const STATUS_WIRE: Record<number, [string, string, string]> = {
  429: ['rate_limit_error', 'rate_limit_exceeded', 'Rate limit exceeded'],
  500: ['api_error', 'internal_server_error', 'Internal server error'],
  502: ['api_error', 'bad_gateway', 'Bad gateway'],
  503: ['api_error', 'service_unavailable', 'Service unavailable'],
  504: ['api_error', 'gateway_timeout', 'Gateway timeout'],
};

let requestSerial = 0;

/** One Duffel error body: `{ errors: [{ type, title, message, code, documentation_url, source? }], meta: { status, request_id } }`. */
export function duffelErrorBody(status: number, type: string, code: string, message: string, opts: { title?: string; pointer?: string } = {}) {
  const error: { type: string; title: string; message: string; code: string; documentation_url: string; source?: { pointer: string } } = {
    type,
    title: opts.title ?? code.charAt(0).toUpperCase() + code.slice(1).replace(/_/g, ' '),
    message,
    code,
    documentation_url: `https://duffel.com/docs/api/overview/errors#${code}`,
  };
  if (opts.pointer) error.source = { pointer: opts.pointer };
  return { errors: [error], meta: { status, request_id: `req_sbx_${++requestSerial}` } };
}

/**
 * The Duffel-shaped JSON text for a transport fault on `/air/*` (429, 500, 502, 503, 504; any other
 * status is an `api_error`): what `server.ts` answers when it injects one, so the adapter reads the
 * same error bodies as from Duffel. `message` is the human text (`sandbox fault: status 503`).
 */
export function duffelTransportErrorJson(status: number, message: string): string {
  const [type, code, title] = STATUS_WIRE[status] ?? ['api_error', 'unexpected_error', 'Unexpected error'];
  return JSON.stringify(duffelErrorBody(status, type, code, message, { title }));
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, code: string, message: string, pointer?: string, headers: Record<string, string> = {}): void {
  send(res, status, duffelErrorBody(status, type, code, message, { pointer }), headers);
}

function readBody<S extends z.ZodType>(ctx: FrontContext, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(ctx.body.toString('utf8') || 'null');
  } catch {
    throw new WireRefusal(400, 'invalid_request_error', 'malformed_json', 'the request body is not valid JSON');
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = formatPath(issue.path);
  throw new WireRefusal(422, 'validation_error', 'validation_format', `${path}: ${issue.message}`, `/${issue.path.map(String).join('/')}`);
}

const iso = (at: number) => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
const cursor = (index: number) => Buffer.from(`i:${index}`).toString('base64url');
function fromCursor(text: string | null): number {
  if (!text) return 0;
  const m = /^i:(\d+)$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!m) throw new WireRefusal(422, 'validation_error', 'invalid_cursor', `"${text}" is not a cursor this API issued`);
  return Number(m[1]);
}

interface OfferRequestRecord {
  id: string;
  createdAt: number;
  cabin: string;
  offers: Offer[];
  passengers: { id: string; type: string | null; age: number | null }[];
}

interface ChangeRecord {
  quote: ChangeQuote;
  newTotal: MoneyJson;
  removed: { slice: Slice; index: number }[];
}

/** The `/air/*` front; one instance per sandbox server (it holds the wire-only state above). */
export function duffelFront(): FrontHandler {
  const offerRequests = new Map<string, OfferRequestRecord>();
  const metadataByReference = new Map<string, Record<string, string>>();
  const cancellations = new Map<string, { quote: CancellationQuote; createdAt: number }>();
  const changes = new Map<string, ChangeRecord>();
  const orderChanges = new Map<string, string>(); // order change id → change quote id
  let serial = 0;

  const cancelledAt = new Map<string, number>();
  // Duffel-style orders list only the documents the order holds now (no document status on the
  // wire): exchanged tickets are left out; a cancelled order keeps its (now void/refunded) ones.
  const renderOrderOf = (order: Parameters<typeof renderOrder>[0]) =>
    renderOrder(
      { ...order, documents: order.documents.filter((d) => documentStatus(d) !== 'EXCHANGED') },
      (order.reference && metadataByReference.get(order.reference)) || null,
      cancelledAt.get(order.id),
    );

  const routes: { method: string; pattern: RegExp; handle: (ctx: FrontContext, m: RegExpExecArray) => Promise<void> }[] = [
    {
      method: 'POST',
      pattern: /^\/offer_requests$/,
      handle: async (ctx) => {
        const body = readBody(ctx, WireOfferRequestBody).data;
        const search: FlightSearch = {
          slices: body.slices.map((s) => ({ origin: s.origin, destination: s.destination, departureDate: s.departure_date })),
          passengers: body.passengers.map((p, i) => {
            if (p.type) return p.age == null ? { type: TYPE_OF[p.type]! } : { type: TYPE_OF[p.type]!, age: p.age };
            if (p.age == null) throw new WireRefusal(422, 'validation_error', 'validation_required', `data.passengers[${i}]: a type or an age is required`, `/data/passengers/${i}`);
            return { type: p.age < 2 ? 'INF' : p.age < 12 ? 'CHD' : 'ADT', age: p.age };
          }),
          cabin: CABIN_OF[body.cabin_class]!,
        };
        const offers = await ctx.core.search(search);
        const rec: OfferRequestRecord = {
          id: `orq_sbx_${++serial}`,
          createdAt: ctx.now(),
          cabin: body.cabin_class,
          offers,
          passengers: body.passengers.map((p, i) => ({ id: `pas_${i + 1}_orq_sbx_${serial}`, type: p.type ?? null, age: p.age ?? null })),
        };
        offerRequests.set(rec.id, rec);
        const withOffers = ctx.url.searchParams.get('return_offers') !== 'false';
        send(ctx.res, 201, {
          data: {
            id: rec.id,
            live_mode: false,
            created_at: iso(rec.createdAt),
            cabin_class: rec.cabin,
            slices: body.slices.map((s) => ({ origin: { iata_code: s.origin }, destination: { iata_code: s.destination }, departure_date: s.departure_date })),
            passengers: rec.passengers,
            offers: withOffers ? offers.map((o) => renderOffer(o, rec.createdAt)) : [],
          },
        });
      },
    },
    {
      method: 'GET',
      pattern: /^\/offers$/,
      handle: async (ctx) => {
        const q = ctx.url.searchParams;
        const rec = offerRequests.get(q.get('offer_request_id') ?? '');
        if (!rec) throw new WireRefusal(404, 'invalid_request_error', 'not_found', `no offer request ${q.get('offer_request_id') ?? '(none given)'}`);
        const limit = q.has('limit') ? Number(q.get('limit')) : 50;
        if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new WireRefusal(422, 'validation_error', 'validation_format', 'limit must be 1..200');
        const start = fromCursor(q.get('after'));
        const sorted = q.get('sort') === 'total_amount' ? [...rec.offers].sort((a, b) => new Dec(a.total.amount).comparedTo(b.total.amount)) : rec.offers;
        const slice = sorted.slice(start, start + limit);
        const end = start + slice.length;
        send(ctx.res, 200, {
          data: slice.map((o) => renderOffer(o, rec.createdAt)),
          meta: { limit, after: end < sorted.length ? cursor(end) : null, before: start > 0 ? cursor(Math.max(0, start - limit)) : null },
        });
      },
    },
    {
      method: 'GET',
      pattern: /^\/offers\/([^/]+)$/,
      handle: async (ctx, m) => {
        const priced = await ctx.core.price(decodeURIComponent(m[1]!));
        send(ctx.res, 200, { data: renderOffer(priced.offer, ctx.now()) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/orders$/,
      handle: async (ctx) => {
        const body = readBody(ctx, WireCreateOrderBody).data;
        const offerId = body.selected_offers[0]!;
        const reference = body.metadata?.[META_REFERENCE] ?? (ctx.req.headers['idempotency-key'] as string | undefined);
        if (!reference) throw new WireRefusal(422, 'validation_error', 'validation_required', 'an Idempotency-Key header or metadata.itinera_reference is required', '/data/metadata');
        // Idempotency-Key replay: the order this key already made (its offer is gone by now).
        const existing = await ctx.core.findOrderByReference(reference);
        if (existing) return send(ctx.res, 201, { data: renderOrderOf(existing) });
        const offer = await ctx.core.getOffer(offerId);
        const typeOf = new Map(offerTravellers(offer).map((t) => [t.id, t.type]));
        const passengers: OrderPassenger[] = body.passengers.map((p, i) => {
          const type = typeOf.get(p.id);
          if (!type) throw new WireRefusal(422, 'validation_error', 'validation_format', `data.passengers[${i}].id: ${p.id} is not a passenger of offer ${offerId}`, `/data/passengers/${i}/id`);
          const out: OrderPassenger = { id: p.id, type, givenName: p.given_name, familyName: p.family_name, bornOn: p.born_on };
          if (p.title) out.title = p.title.toUpperCase() as OrderPassenger['title'];
          if (p.gender) out.gender = p.gender.toUpperCase() as OrderPassenger['gender'];
          if (p.email) out.email = p.email;
          if (p.phone_number) out.phone = p.phone_number;
          const doc = p.identity_documents[0];
          if (doc) out.passport = { number: doc.unique_identifier, issuingCountry: doc.issuing_country_code, expiresOn: doc.expires_on, ...(doc.nationality ? { nationality: doc.nationality } : {}) };
          return out;
        });
        body.passengers.forEach((p) => {
          const infant = p.infant_passenger_id && passengers.find((x) => x.id === p.infant_passenger_id);
          if (infant) infant.infantOf = p.id;
        });
        let payment: { kind: 'instant'; amount: MoneyJson } | { kind: 'hold' } = { kind: 'hold' };
        if (body.type === 'instant') {
          const p = body.payments?.[0];
          if (!p) throw new WireRefusal(422, 'validation_error', 'validation_required', 'data.payments: an instant order needs a payment', '/data/payments');
          payment = { kind: 'instant', amount: { amount: p.amount, currency: p.currency } };
        }
        metadataByReference.set(reference, { ...(body.metadata ?? {}), [META_REFERENCE]: reference });
        const order = await ctx.core.createOrder({ offerId, passengers, payment, reference });
        send(ctx.res, 201, { data: renderOrderOf(order) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/orders$/,
      handle: async (ctx) => {
        const reference = ctx.url.searchParams.get(`metadata[${META_REFERENCE}]`);
        if (!reference) throw new WireRefusal(422, 'validation_error', 'validation_required', `this sandbox lists orders by metadata[${META_REFERENCE}] only`);
        const order = await ctx.core.findOrderByReference(reference);
        send(ctx.res, 200, { data: order ? [renderOrderOf(order)] : [], meta: { limit: 50, after: null, before: null } });
      },
    },
    {
      method: 'GET',
      pattern: /^\/orders\/([^/]+)$/,
      handle: async (ctx, m) => {
        send(ctx.res, 200, { data: renderOrderOf(await ctx.core.getOrder(decodeURIComponent(m[1]!))) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/payments$/,
      handle: async (ctx) => {
        const body = readBody(ctx, WirePaymentBody).data;
        const reference = (ctx.req.headers['idempotency-key'] as string | undefined) ?? `payment:${body.order_id}`;
        await ctx.core.payOrder(body.order_id, { amount: body.payment.amount, currency: body.payment.currency }, reference);
        send(ctx.res, 201, {
          data: { id: `pay_sbx_${++serial}`, type: body.payment.type, amount: body.payment.amount, currency: body.payment.currency, order_id: body.order_id, created_at: iso(ctx.now()), live_mode: false },
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/order_cancellations$/,
      handle: async (ctx) => {
        const body = readBody(ctx, WireCancellationBody).data;
        const quote = await ctx.core.quoteCancellation(body.order_id);
        const createdAt = ctx.now();
        cancellations.set(quote.id, { quote, createdAt });
        send(ctx.res, 201, { data: renderCancellation(quote, createdAt, null) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/order_cancellations\/([^/]+)\/actions\/confirm$/,
      handle: async (ctx, m) => {
        const id = decodeURIComponent(m[1]!);
        const rec = cancellations.get(id);
        if (!rec) throw new WireRefusal(404, 'invalid_request_error', 'not_found', `no order cancellation ${id}`);
        const reference = (ctx.req.headers['idempotency-key'] as string | undefined) ?? `cancel:${id}`;
        const order = await ctx.core.confirmCancellation(id, reference);
        if (!cancelledAt.has(order.id)) cancelledAt.set(order.id, ctx.now());
        send(ctx.res, 200, { data: renderCancellation(rec.quote, rec.createdAt, cancelledAt.get(order.id)!) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/order_change_requests$/,
      handle: async (ctx) => {
        const body = readBody(ctx, WireChangeRequestBody).data;
        const { remove, add } = body.slices;
        if (remove.length !== add.length) throw new WireRefusal(422, 'validation_error', 'validation_format', 'data.slices: this sandbox replaces slices one for one (as many add as remove)', '/data/slices');
        const order = await ctx.core.getOrder(body.order_id);
        const removed = remove.map((r, i) => {
          const index = sliceIndexOf(r.slice_id, body.order_id);
          const slice = index == null ? undefined : order.slices[index];
          if (index == null || !slice) throw new WireRefusal(422, 'validation_error', 'validation_format', `data.slices.remove[${i}].slice_id: ${r.slice_id} is not a slice of order ${body.order_id}`, `/data/slices/remove/${i}/slice_id`);
          return { slice, index };
        });
        const quote = await ctx.core.quoteChange({
          orderId: body.order_id,
          slices: removed.map((r, i) => ({ replaceIndex: r.index, with: { origin: add[i]!.origin, destination: add[i]!.destination, departureDate: add[i]!.departure_date } })),
        });
        const newTotal = { amount: new Dec(order.total.amount).plus(quote.fareDifference.amount).toFixed(), currency: order.total.currency };
        changes.set(quote.id, { quote, newTotal: fixTo(newTotal, order.total.amount), removed });
        send(ctx.res, 201, {
          data: { id: `ocr_sbx_${++serial}`, order_id: body.order_id, created_at: iso(ctx.now()), live_mode: false, order_change_offers: [renderChangeOffer(quote, removed, changes.get(quote.id)!.newTotal)] },
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/order_changes$/,
      handle: async (ctx) => {
        const body = readBody(ctx, WireOrderChangeBody).data;
        const rec = changes.get(body.selected_order_change_offer);
        if (!rec) throw new WireRefusal(404, 'invalid_request_error', 'not_found', `no order change offer ${body.selected_order_change_offer}`);
        const id = `oce_sbx_${++serial}`;
        orderChanges.set(id, rec.quote.id);
        send(ctx.res, 201, { data: renderOrderChange(id, rec.quote, rec.newTotal, null) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/order_changes\/([^/]+)\/actions\/confirm$/,
      handle: async (ctx, m) => {
        const id = decodeURIComponent(m[1]!);
        const rec = changes.get(orderChanges.get(id) ?? '');
        if (!rec) throw new WireRefusal(404, 'invalid_request_error', 'not_found', `no order change ${id}`);
        const body = readBody(ctx, WireConfirmChangeBody).data;
        const reference = (ctx.req.headers['idempotency-key'] as string | undefined) ?? `change:${id}`;
        await ctx.core.confirmChange(rec.quote.id, { amount: body.payment.amount, currency: body.payment.currency }, reference);
        send(ctx.res, 200, { data: renderOrderChange(id, rec.quote, rec.newTotal, ctx.now()) });
      },
    },
  ];

  return async (ctx) => {
    try {
      const auth = ctx.req.headers.authorization;
      if (!auth || !/^Bearer \S+$/.test(auth)) throw new WireRefusal(401, 'authentication_error', 'access_token_not_found', 'an Authorization: Bearer <token> header is required');
      const version = ctx.req.headers['duffel-version'];
      if (version !== 'v2') throw new WireRefusal(400, 'invalid_request_error', 'unsupported_version', `Duffel-Version must be v2 (got ${String(version ?? 'none')})`);
      for (const route of routes) {
        const m = route.pattern.exec(ctx.path);
        if (m && route.method === ctx.req.method) return await route.handle(ctx, m);
      }
      throw new WireRefusal(404, 'invalid_request_error', 'not_found', `no route ${ctx.req.method ?? ''} /air${ctx.path}`);
    } catch (err) {
      if (err instanceof WireRefusal) return sendError(ctx.res, err.status, err.type, err.code, err.message, err.pointer);
      if (err instanceof FlightSupplierError) {
        const [kindStatus, kindType, kindCode] = KIND_WIRE[err.kind];
        const status = err.kind === 'unavailable' && err.details.status && err.details.status >= 500 ? err.details.status : kindStatus;
        // An 'unavailable' with its own 5xx (fail-after-commit's 500) says so the way Duffel would.
        const [type, code] = status !== kindStatus && STATUS_WIRE[status] ? STATUS_WIRE[status] : [kindType, kindCode];
        const headers: Record<string, string> = err.kind === 'rate-limited' && err.details.retryAfterMs != null ? { 'retry-after': String(Math.ceil(err.details.retryAfterMs / 1000)) } : {};
        return sendError(ctx.res, status, type, code, err.message, err.details.path ? `/${err.details.path.replace(/[.[\]]+/g, '/').replace(/\/$/, '')}` : undefined, headers);
      }
      throw err;
    }
  };
}

/** `amount` written with as many decimals as `like` (the order's currency exponent). */
function fixTo(m: MoneyJson, like: string): MoneyJson {
  const places = like.includes('.') ? like.split('.')[1]!.length : 0;
  return { amount: new Dec(m.amount).toFixed(places), currency: m.currency };
}
