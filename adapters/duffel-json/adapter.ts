import type { FlightSupplier } from '../../activities/ports/flight-supplier';
import {
  FlightSupplierError,
  type CancellationQuote,
  type ChangeQuote,
  type ChangeRequest,
  type CreateOrderRequest,
  type FlightOrder,
  type FlightSearch,
  type Offer,
  type PassengerType,
  type PricedOffer,
} from '../../domain/flights/model';
import { Dec, type MoneyJson } from '../../domain/money/money';
import { duffelRequest, type DuffelCall, type DuffelClientConfig } from './client';
import {
  mapCancellationQuote,
  mapChangeOffer,
  mapOffer,
  mapOffersPage,
  mapOrder,
  offerPassengers,
  paidOn,
  parseWire,
  toCreateOrderBody,
  toOfferRequestBody,
  META_REFERENCE,
} from './mapper';
import {
  OfferRequestResponse,
  OfferResponse,
  OrderCancellationResponse,
  OrderChangeRequestResponse,
  OrderChangeResponse,
  OrderResponse,
  OrdersPageResponse,
  PaymentResponse,
} from './wire.schema';

export interface DuffelJsonConfig {
  /** API root (`https://api.duffel.com`, or the sandbox GDS URL); `/air/...` is appended. */
  baseUrl: string;
  accessToken: string;
  /** Per request, body included (default 20 s: offer requests are slow). */
  timeoutMs?: number;
  /** The `supplier` offers and orders carry (default "duffel"). */
  name?: string;
  /** Offers per page when searching (default 50, Duffel's maximum is 200). */
  pageSize?: number;
  /** Clock for Retry-After dates (default Date.now). */
  now?: () => number;
}

const DEFAULT_MAX_OFFERS = 50;

/**
 * {@link FlightSupplier} over a Duffel-style JSON API: offer requests + paginated offers, offer
 * refresh, instant/hold orders with metadata carrying our idempotency reference, payments for held
 * orders, order cancellations (quote → confirm) and order change requests (offer → change → confirm).
 */
export class DuffelJsonFlightSupplier implements FlightSupplier {
  readonly name: string;
  private readonly client: DuffelClientConfig;
  private readonly pageSize: number;
  /** Totals seen at search, to tell a re-price that moved (Duffel returns only the current price). */
  private readonly searched = new Map<string, MoneyJson>();
  /** The offer passengers (wire ids, types) of offers seen, so a create needs no extra fetch. */
  private readonly offerPax = new Map<string, { id: string; type: PassengerType }[]>();

  constructor(config: DuffelJsonConfig) {
    const problems: string[] = [];
    try {
      const url = new URL(config.baseUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`baseUrl must be http(s) (got "${config.baseUrl}")`);
    } catch {
      problems.push(`baseUrl must be an http(s) URL (got "${config.baseUrl}")`);
    }
    if (!config.accessToken?.trim()) problems.push('accessToken must not be empty');
    const timeoutMs = config.timeoutMs ?? 20_000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) problems.push(`timeoutMs must be a positive whole number (got ${timeoutMs})`);
    const pageSize = config.pageSize ?? 50;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200) problems.push(`pageSize must be 1..200 (got ${pageSize})`);
    if (problems.length) throw new RangeError(`Duffel flight supplier configuration: ${problems.join('; ')}`);
    this.name = config.name ?? 'duffel';
    this.pageSize = pageSize;
    this.client = { baseUrl: config.baseUrl, accessToken: config.accessToken, timeoutMs, now: config.now };
  }

  private call(call: DuffelCall): Promise<string> {
    return duffelRequest(this.client, call);
  }

  async search(request: FlightSearch): Promise<Offer[]> {
    const max = request.maxOffers ?? DEFAULT_MAX_OFFERS;
    const created = parseWire(
      OfferRequestResponse,
      await this.call({ method: 'POST', path: '/air/offer_requests', query: { return_offers: 'false' }, body: toOfferRequestBody(request) }),
      'offer request',
    );
    const offers: Offer[] = [];
    let after: string | null = null;
    do {
      const text = await this.call({
        method: 'GET',
        path: '/air/offers',
        query: { offer_request_id: created.data.id, limit: Math.min(this.pageSize, max - offers.length), after: after ?? undefined, sort: 'total_amount' },
      });
      const page = mapOffersPage(text, this.name);
      page.offers.forEach((o, i) => {
        offers.push(o);
        this.offerPax.set(o.id, page.passengers[i]!);
      });
      after = page.offers.length ? page.meta.after : null;
    } while (after && offers.length < max);
    for (const o of offers) this.searched.set(o.id, o.total);
    return offers.slice(0, max);
  }

  async price(offerId: string): Promise<PricedOffer> {
    const w = parseWire(OfferResponse, await this.call({ method: 'GET', path: `/air/offers/${encodeURIComponent(offerId)}` }), 'offer');
    const offer = mapOffer(w.data, 'data', this.name);
    this.offerPax.set(offerId, offerPassengers(w.data, 'data'));
    const before = this.searched.get(offerId) ?? null;
    const priceChanged = before !== null && (before.amount !== offer.total.amount || before.currency !== offer.total.currency);
    this.searched.set(offerId, offer.total);
    return { offer, priceChanged, previousTotal: priceChanged ? before : null };
  }

  async createOrder(request: CreateOrderRequest): Promise<FlightOrder> {
    let pax = this.offerPax.get(request.offerId);
    if (!pax) {
      try {
        const offer = parseWire(OfferResponse, await this.call({ method: 'GET', path: `/air/offers/${encodeURIComponent(request.offerId)}` }), 'offer');
        pax = offerPassengers(offer.data, 'data');
      } catch (err) {
        // A booked offer is gone: a retried create must find the order it made, not fail.
        if (err instanceof FlightSupplierError && (err.kind === 'not-found' || err.kind === 'offer-expired')) {
          const existing = await this.findOrderByReference(request.reference);
          if (existing) return existing;
        }
        throw err;
      }
    }
    const body = toCreateOrderBody(request, pax);
    try {
      const text = await this.call({ method: 'POST', path: '/air/orders', body, idempotencyKey: request.reference });
      return mapOrder(parseWire(OrderResponse, text, 'order').data, 'data', this.name);
    } catch (err) {
      // Duffel's price_changed names no amount: the refreshed offer has it.
      if (err instanceof FlightSupplierError && err.kind === 'fare-changed' && !err.details.newTotal) {
        const fresh = await this.price(request.offerId).catch(() => null);
        if (fresh) throw new FlightSupplierError('fare-changed', err.message, { ...err.details, newTotal: fresh.offer.total });
      }
      throw err;
    }
  }

  async findOrderByReference(reference: string): Promise<FlightOrder | null> {
    const text = await this.call({ method: 'GET', path: '/air/orders', query: { [`metadata[${META_REFERENCE}]`]: reference, limit: 2 } });
    const page = parseWire(OrdersPageResponse, text, 'orders page');
    const orders = page.data.map((w, i) => mapOrder(w, `data[${i}]`, this.name)).filter((o) => o.reference === reference);
    if (orders.length > 1) throw new FlightSupplierError('malformed-response', `Duffel lists ${orders.length} orders with reference ${reference}`, { path: 'data' });
    return orders[0] ?? null;
  }

  async getOrder(orderId: string): Promise<FlightOrder> {
    const text = await this.call({ method: 'GET', path: `/air/orders/${encodeURIComponent(orderId)}` });
    return mapOrder(parseWire(OrderResponse, text, 'order').data, 'data', this.name);
  }

  async payOrder(orderId: string, amount: MoneyJson, reference: string): Promise<FlightOrder> {
    const text = await this.call({
      method: 'POST',
      path: '/air/payments',
      body: { data: { order_id: orderId, payment: { type: 'balance', amount: amount.amount, currency: amount.currency } } },
      idempotencyKey: reference,
    });
    parseWire(PaymentResponse, text, 'payment');
    return this.getOrder(orderId);
  }

  async quoteChange(request: ChangeRequest): Promise<ChangeQuote> {
    const order = parseWire(OrderResponse, await this.call({ method: 'GET', path: `/air/orders/${encodeURIComponent(request.orderId)}` }), 'order').data;
    const remove = request.slices.map((s) => {
      const slice = order.slices[s.replaceIndex];
      if (!slice) throw new FlightSupplierError('invalid-request', `Order ${request.orderId} has no slice ${s.replaceIndex}`);
      return { slice_id: slice.id };
    });
    const cabin = order.slices[0]!.segments[0]!.passengers[0]!.cabin_class;
    const text = await this.call({
      method: 'POST',
      path: '/air/order_change_requests',
      body: {
        data: {
          order_id: request.orderId,
          slices: { remove, add: request.slices.map((s) => ({ origin: s.with.origin, destination: s.with.destination, departure_date: s.with.departureDate, cabin_class: cabin })) },
        },
      },
    });
    const change = parseWire(OrderChangeRequestResponse, text, 'order change request').data;
    if (!change.order_change_offers.length) throw new FlightSupplierError('sold-out', `Duffel has no change offers for order ${request.orderId}`);
    const mapped = mapOrder(order, 'data', this.name);
    const current = order.slices.map((s, i) => ({ id: s.id, slice: mapped.slices[i]! }));
    const quotes = change.order_change_offers.map((o, i) => mapChangeOffer(o, request.orderId, `data.order_change_offers[${i}]`, current));
    return quotes.reduce((best, q) => (new Dec(q.totalDue.amount).lessThan(best.totalDue.amount) ? q : best));
  }

  async confirmChange(quoteId: string, payment: MoneyJson, reference: string): Promise<FlightOrder> {
    const created = parseWire(
      OrderChangeResponse,
      await this.call({ method: 'POST', path: '/air/order_changes', body: { data: { selected_order_change_offer: quoteId } }, idempotencyKey: `${reference}:select` }),
      'order change',
    ).data;
    parseWire(
      OrderChangeResponse,
      await this.call({
        method: 'POST',
        path: `/air/order_changes/${encodeURIComponent(created.id)}/actions/confirm`,
        body: { data: { payment: { type: 'balance', amount: payment.amount, currency: payment.currency } } },
        idempotencyKey: reference,
      }),
      'order change confirmation',
    );
    return this.getOrder(created.order_id);
  }

  async quoteCancellation(orderId: string): Promise<CancellationQuote> {
    const order = await this.getOrder(orderId);
    const text = await this.call({ method: 'POST', path: '/air/order_cancellations', body: { data: { order_id: orderId } } });
    return mapCancellationQuote(parseWire(OrderCancellationResponse, text, 'order cancellation').data, paidOn(order), 'data');
  }

  async confirmCancellation(quoteId: string, reference: string): Promise<FlightOrder> {
    const text = await this.call({ method: 'POST', path: `/air/order_cancellations/${encodeURIComponent(quoteId)}/actions/confirm`, idempotencyKey: reference });
    const confirmed = parseWire(OrderCancellationResponse, text, 'order cancellation confirmation').data;
    return this.getOrder(confirmed.order_id);
  }
}
