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
  type PricedOffer,
} from '../../domain/flights/model';
import type { MoneyJson } from '../../domain/money/money';
import * as rq from './builder';
import { postNdc } from './client';
import { mapAirShoppingRS, mapChangeQuoteRS, mapOfferPriceRS, mapOrderRS, mapRefundQuoteRS } from './mapper';
import { NDC_VERSIONS, type NdcVersion } from './wire.schema';

export interface NdcXmlOptions {
  /** Gateway root; messages go to `{baseUrl}/ndc/{version}/{Message}`. */
  baseUrl: string;
  version: NdcVersion;
  apiKey?: string;
  /** Whole exchange, body included (default 20 s). */
  timeoutMs?: number;
  /** The `supplier` name offers and orders carry (default `ndc-<version>`). */
  name?: string;
}

/**
 * {@link FlightSupplier} over an NDC-style XML gateway (17.2, 19.2 or 21.3). Cancellation: a
 * refund quote through OrderReshopRQ on every version, confirmed with OrderChangeRQ on 21.3 and
 * with OrderCancelRQ on 17.2/19.2. Idempotency: the caller's reference travels in an
 * AugmentationPoint the gateway echoes; `findOrderByReference` is an OrderRetrieveRQ by it.
 */
export class NdcXmlFlightSupplier implements FlightSupplier {
  readonly name: string;
  private readonly version: NdcVersion;

  constructor(private readonly options: NdcXmlOptions) {
    if (!NDC_VERSIONS.includes(options.version)) throw new RangeError(`NDC version must be one of ${NDC_VERSIONS.join(', ')} (got ${String(options.version)})`);
    this.version = options.version;
    this.name = options.name ?? `ndc-${options.version}`;
  }

  private async send(message: string, xml: string): Promise<{ status: number; xml: string }> {
    return postNdc({ baseUrl: this.options.baseUrl, version: this.version, message, xml, timeoutMs: this.options.timeoutMs ?? 20_000, ...(this.options.apiKey ? { apiKey: this.options.apiKey } : {}) });
  }

  async search(request: FlightSearch): Promise<Offer[]> {
    const r = await this.send('AirShopping', rq.airShoppingRQ(this.version, request));
    return mapAirShoppingRS(r.xml, this.version, this.name, r.status);
  }

  async price(offerId: string): Promise<PricedOffer> {
    const r = await this.send('OfferPrice', rq.offerPriceRQ(this.version, offerId));
    return mapOfferPriceRS(r.xml, this.version, this.name, r.status);
  }

  async createOrder(request: CreateOrderRequest): Promise<FlightOrder> {
    const r = await this.send('OrderCreate', rq.orderCreateRQ(this.version, request));
    return mapOrderRS(r.xml, this.version, this.name, 'OrderViewRS', r.status);
  }

  async findOrderByReference(reference: string): Promise<FlightOrder | null> {
    const r = await this.send('OrderRetrieve', rq.orderRetrieveRQ(this.version, { reference }));
    try {
      return mapOrderRS(r.xml, this.version, this.name, 'OrderViewRS', r.status);
    } catch (err) {
      if (err instanceof FlightSupplierError && err.kind === 'not-found') return null;
      throw err;
    }
  }

  async getOrder(orderId: string): Promise<FlightOrder> {
    const r = await this.send('OrderRetrieve', rq.orderRetrieveRQ(this.version, { orderId }));
    return mapOrderRS(r.xml, this.version, this.name, 'OrderViewRS', r.status);
  }

  async payOrder(orderId: string, amount: MoneyJson, reference: string): Promise<FlightOrder> {
    const r = await this.send('OrderChange', rq.orderChangeRQ(this.version, { pay: { orderId, amount, reference } }));
    return mapOrderRS(r.xml, this.version, this.name, 'OrderViewRS', r.status);
  }

  async quoteChange(request: ChangeRequest): Promise<ChangeQuote> {
    const r = await this.send('OrderReshop', rq.orderReshopRQ(this.version, request));
    return mapChangeQuoteRS(r.xml, this.version, request.orderId, r.status);
  }

  async confirmChange(quoteId: string, payment: MoneyJson, reference: string): Promise<FlightOrder> {
    const r = await this.send('OrderChange', rq.orderChangeRQ(this.version, { acceptChange: { quoteId, amount: payment, reference } }));
    return mapOrderRS(r.xml, this.version, this.name, 'OrderViewRS', r.status);
  }

  async quoteCancellation(orderId: string): Promise<CancellationQuote> {
    const r = await this.send('OrderReshop', rq.orderReshopRQ(this.version, { refundOrderId: orderId }));
    return mapRefundQuoteRS(r.xml, this.version, orderId, r.status);
  }

  async confirmCancellation(quoteId: string, reference: string): Promise<FlightOrder> {
    if (this.version === '21.3') {
      const r = await this.send('OrderChange', rq.orderChangeRQ(this.version, { acceptRefund: { quoteId, reference } }));
      return mapOrderRS(r.xml, this.version, this.name, 'OrderViewRS', r.status);
    }
    const r = await this.send('OrderCancel', rq.orderCancelRQ(this.version, quoteId, reference));
    return mapOrderRS(r.xml, this.version, this.name, 'OrderCancelRS', r.status);
  }
}
