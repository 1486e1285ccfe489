import type {
  CancellationQuote,
  ChangeQuote,
  ChangeRequest,
  CreateOrderRequest,
  FlightOrder,
  FlightSearch,
  Offer,
  PricedOffer,
} from '../../domain/flights/model';
import type { MoneyJson } from '../../domain/money/money';

/**
 * A source of flights: an aggregator (Duffel-style JSON), an NDC gateway (XML), or the sandbox
 * GDS behind either. Every method speaks domain types; every failure is a FlightSupplierError
 * (domain/flights/model.ts) whose `kind` says whether a retry can help.
 */
export interface FlightSupplier {
  /** The name offers and orders carry in their `supplier` field. */
  readonly name: string;

  search(request: FlightSearch): Promise<Offer[]>;
  /** Re-prices an offer before ordering; `priceChanged` when the total moved. */
  price(offerId: string): Promise<PricedOffer>;
  /** Creates an order, instant (paid, ticketed) or held; idempotent by `request.reference`. */
  createOrder(request: CreateOrderRequest): Promise<FlightOrder>;
  /** The order created with this idempotency reference, if any (resolves an ambiguous create). */
  findOrderByReference(reference: string): Promise<FlightOrder | null>;
  getOrder(orderId: string): Promise<FlightOrder>;
  /** Pays a held order and has its tickets issued; idempotent by `reference`. */
  payOrder(orderId: string, amount: MoneyJson, reference: string): Promise<FlightOrder>;

  quoteChange(request: ChangeRequest): Promise<ChangeQuote>;
  confirmChange(quoteId: string, payment: MoneyJson, reference: string): Promise<FlightOrder>;

  /** A refund quote; only the latest quote of an order can be confirmed, before it expires. */
  quoteCancellation(orderId: string): Promise<CancellationQuote>;
  confirmCancellation(quoteId: string, reference: string): Promise<FlightOrder>;
}
