import Decimal from 'decimal.js';
import type { FlightSupplier } from '../../activities/ports/flight-supplier';
import { airport, CARRIERS } from '../../domain/flights/airports';
import {
  CABINS,
  FlightSupplierError,
  PASSENGER_TYPES,
  type Cabin,
  type CancellationQuote,
  type ChangeQuote,
  type ChangeRequest,
  type CreateOrderRequest,
  type Fare,
  type FareConditions,
  type FlightOrder,
  type FlightSearch,
  type Offer,
  type OrderPassenger,
  type PassengerType,
  type PricedOffer,
  type SearchSlice,
  type Slice,
  type TaxLine,
  type TravelDocument,
  liveTickets,
} from '../../domain/flights/model';
import { Dec, Money, type MoneyJson } from '../../domain/money/money';
import { HOUR_MS, MINUTE_MS, isIsoDate } from '../../domain/time/instant';
import type { BusinessFault, SandboxControls } from './front';
import { itineraries, type DatedLeg } from './schedule';

export type { BusinessFault, SandboxControls } from './front';

/**
 * The sandbox GDS core: an in-memory airline/aggregator that implements the FlightSupplier port in
 * domain terms. The wire fronts (duffel-front.ts, ndc-front.ts) translate HTTP to these calls; tests
 * and workers can also use it directly as a FlightSupplier. Everything is deterministic apart from
 * the clock, which is injectable (`setClock`).
 *
 * Rules it plays by (see README.md): fare classes per cabin with their own conditions and seat
 * counts per (flight, local date, class) that drop on ordering and come back on cancellation (or
 * when a hold lapses); fares = base + itemised taxes, exactly; CHD pays 75 % and INF 10 % of the
 * adult base; offers live 30 min; holds have a price guarantee (24 h) and a payment deadline
 * (min(72 h, departure − 24 h)); only the latest change/cancellation quote of an order can be
 * confirmed, within 15 min.
 */

export const SANDBOX_SUPPLIER_NAME = 'itinera-sandbox';
export const OFFER_TTL_MS = 30 * MINUTE_MS;
export const QUOTE_TTL_MS = 15 * MINUTE_MS;
export const HOLD_MAX_MS = 72 * HOUR_MS;
export const TICKET_BEFORE_DEPARTURE_MS = 24 * HOUR_MS;
export const PRICE_GUARANTEE_MS = 24 * HOUR_MS;
/** Flights leaving sooner than this are not sold. */
export const SALES_CLOSE_MS = 2 * HOUR_MS;
/** Each `fare-changed` fault raises the base fare by this factor (rounded up to whole units). */
export const FARE_CHANGE_FACTOR = '1.08';

interface FeeRule {
  allowed: boolean;
  /** GBP-equivalent fee per passenger (not infants); null = free (or not allowed). */
  feeGbp: string | null;
}

export interface FareClass {
  code: string;
  cabin: Cabin;
  /** Fare basis stem ("YFLEX"). */
  basis: string;
  /** Multiple of the route's reference economy fare. */
  multiplier: string;
  /** Seats this class has on each flight, each day. */
  seats: number;
  change: FeeRule;
  refund: FeeRule;
  instantPayment: boolean;
}

const fc = (code: string, cabin: Cabin, basis: string, multiplier: string, seats: number, change: FeeRule, refund: FeeRule, instantPayment = false): FareClass => ({
  code,
  cabin,
  basis,
  multiplier,
  seats,
  change,
  refund,
  instantPayment,
});
const FREE: FeeRule = { allowed: true, feeGbp: null };
const NO: FeeRule = { allowed: false, feeGbp: null };
const fee = (gbp: string): FeeRule => ({ allowed: true, feeGbp: gbp });

export const FARE_CLASSES: readonly FareClass[] = [
  fc('Y', 'ECONOMY', 'YFLEX', '3.2', 9, FREE, FREE),
  fc('M', 'ECONOMY', 'MSTD', '1.7', 9, fee('75'), fee('150')),
  fc('V', 'ECONOMY', 'VSAVER', '1', 4, fee('150'), NO, true),
  fc('W', 'PREMIUM_ECONOMY', 'WFLEX', '4.5', 6, FREE, fee('100')),
  fc('T', 'PREMIUM_ECONOMY', 'TSAVER', '3', 4, fee('150'), NO, true),
  fc('J', 'BUSINESS', 'JFLEX', '9', 4, FREE, FREE),
  fc('C', 'BUSINESS', 'CSTD', '7', 4, fee('200'), fee('300')),
  fc('D', 'BUSINESS', 'DSAVER', '5.5', 2, fee('300'), NO, true),
  fc('F', 'FIRST', 'FFLEX', '14', 2, FREE, FREE),
  fc('A', 'FIRST', 'ASTD', '11', 2, fee('400'), fee('600')),
];

/** Selling currency by the country of the first departure; others sell in USD. */
const COUNTRY_CURRENCY: Readonly<Record<string, string>> = {
  GB: 'GBP', US: 'USD', FR: 'EUR', DE: 'EUR', NL: 'EUR', ES: 'EUR', IT: 'EUR', GR: 'EUR', AU: 'AUD', NZ: 'NZD', SG: 'SGD', AE: 'AED', JP: 'JPY', BR: 'BRL', KE: 'KES',
};
/** Fixed sandbox filing rates: units of the currency per GBP (fares and taxes are filed in GBP). */
const PER_GBP: Readonly<Record<string, string>> = {
  GBP: '1', USD: '1.27', EUR: '1.17', AUD: '1.95', NZD: '2.12', SGD: '1.71', AED: '4.66', JPY: '190', BRL: '6.9', KES: '164',
};

/** IATA ticketing prefixes of the validating carriers. */
const TICKET_PREFIX: Readonly<Record<string, string>> = {
  BA: '125', VS: '932', AF: '057', KL: '074', LH: '220', IB: '075', AZ: '055', EK: '176', QR: '157', KQ: '706', SQ: '618', CX: '160', JL: '131', QF: '081', NZ: '086', AA: '001', DL: '006', UA: '016', AC: '014', LA: '045', TK: '235', ZZ: '999',
};

type PaxCounts = Record<PassengerType, number>;

interface OfferRecord {
  offer: Offer;
  /** Legs per slice (the inventory they use). */
  legs: DatedLeg[][];
  fareClass: FareClass;
  pax: PaxCounts;
  currency: string;
  searchedTotal: MoneyJson;
  /** How many fare-changed faults raised this offer's fare. */
  bumps: number;
}

interface OrderRecord {
  order: FlightOrder;
  legs: DatedLeg[][];
  fareClass: FareClass;
  pax: PaxCounts;
  currency: string;
  bumps: number;
  /** Payment references already applied (pay, change). */
  paymentRefs: Set<string>;
  /** Document number → when it was issued (the void window is the issue day, UTC). */
  issuedAt: Map<string, number>;
}

interface ChangeQuoteRecord {
  quote: ChangeQuote;
  legs: DatedLeg[][];
  priced: Priced;
}

interface Priced {
  fares: Offer['fares'];
  total: Money;
  base: Money;
  taxTotal: Money;
}

export interface SandboxAirlineOptions {
  /** The clock (epoch ms); Date.now by default. */
  now?: () => number;
}

class SandboxState {
  now: () => number;
  generation = 1;
  counter = 0;
  ticketSerial = 0;
  /** Seats sold per `${carrier}${number}/${date}/${class}`. */
  sold = new Map<string, number>();
  offers = new Map<string, OfferRecord>();
  orders = new Map<string, OrderRecord>();
  orderByReference = new Map<string, string>();
  changeQuotes = new Map<string, ChangeQuoteRecord>();
  cancelQuotes = new Map<string, CancellationQuote>();
  latestChangeQuote = new Map<string, string>();
  latestCancelQuote = new Map<string, string>();
  /** Confirmation references (change/cancel) already applied → order id. */
  confirmRefs = new Map<string, string>();

  constructor(now: () => number) {
    this.now = now;
  }

  reset(): void {
    this.generation++;
    this.counter = 0;
    this.ticketSerial = 0;
    for (const m of [this.sold, this.offers, this.orders, this.orderByReference, this.changeQuotes, this.cancelQuotes, this.latestChangeQuote, this.latestCancelQuote, this.confirmRefs]) m.clear();
  }

  nextId(prefix: string): string {
    this.counter++;
    return `${prefix}_sbx${this.generation}_${this.counter.toString().padStart(6, '0')}`;
  }
}

const err = (kind: FlightSupplierError['kind'], message: string, details: FlightSupplierError['details'] = {}) => new FlightSupplierError(kind, message, details);
const clone = <T>(v: T): T => structuredClone(v);
const legKey = (leg: DatedLeg, cls: string) => `${leg.flight.carrier}${leg.flight.flightNumber}/${leg.date}/${cls}`;

/** Six-character record locator, a bijection of the counter (no two orders share one). */
function recordLocator(n: number): string {
  const space = 36 ** 6;
  const mixed = Number((BigInt(n) * 2654435761n + 123456789n) % BigInt(space));
  return mixed.toString(36).toUpperCase().padStart(6, 'A');
}

function convert(gbp: string, currency: string, rounding: Decimal.Rounding): Money {
  const rate = PER_GBP[currency];
  if (!rate) throw new RangeError(`No sandbox filing rate for ${currency}`);
  return Money.of(new Dec(gbp).times(rate), currency).roundToMinor(rounding);
}


/** The UTC calendar day of an instant ("2027-03-01"). */
const utcDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/** Paid and ticketed, possibly changed since: what can be changed again. */
const isIssued = (o: FlightOrder) => o.status === 'TICKETED' || o.status === 'CHANGED';

function sum(items: Money[], currency: string): Money {
  return items.reduce((a, b) => a.add(b), Money.of('0', currency));
}

export class SandboxAirline implements FlightSupplier, SandboxControls {
  readonly name = SANDBOX_SUPPLIER_NAME;
  private readonly s: SandboxState;
  private readonly fault: BusinessFault | null;

  constructor(options: SandboxAirlineOptions = {}, shared?: { state: SandboxState; fault: BusinessFault | null }) {
    this.s = shared?.state ?? new SandboxState(options.now ?? Date.now);
    this.fault = shared?.fault ?? null;
  }

  // ---- controls ------------------------------------------------------------------------------

  reset(): void {
    this.s.reset();
  }

  setClock(now: () => number): void {
    this.s.now = now;
  }

  now(): number {
    return this.s.now();
  }

  faultsFor(fault: BusinessFault | null): SandboxAirline {
    return new SandboxAirline({}, { state: this.s, fault });
  }

  seatsLeft(flight: { carrier: string; flightNumber: string; date: string; bookingClass: string }): number {
    const cls = FARE_CLASSES.find((c) => c.code === flight.bookingClass);
    if (!cls) return 0;
    const sold = this.s.sold.get(`${flight.carrier}${flight.flightNumber}/${flight.date}/${flight.bookingClass}`) ?? 0;
    return cls.seats - sold;
  }

  getOffer(offerId: string): Promise<Offer> {
    return this.run(() => clone(this.liveOffer(offerId).offer));
  }

  // ---- search and price ----------------------------------------------------------------------

  search(request: FlightSearch): Promise<Offer[]> {
    return this.run(() => {
      const pax = this.checkSearch(request);
      const now = this.now();
      // A long-running sandbox forgets offers a day after they expired (until then: offer-expired).
      for (const [id, rec] of this.s.offers) if (rec.offer.expiresAt < now - 24 * HOUR_MS) this.s.offers.delete(id);
      const perSlice = request.slices.map((slice, i) => {
        const found = itineraries(slice.origin, slice.destination, slice.departureDate).filter((legs) => legs[0]!.departure.at > now + SALES_CLOSE_MS);
        // A later slice must leave after the previous one can have arrived; checked per combination below.
        return found.slice(0, 4).map((legs) => ({ legs, index: i }));
      });
      let combos: DatedLeg[][][] = [[]];
      for (const options of perSlice) {
        const next: DatedLeg[][][] = [];
        for (const combo of combos) {
          for (const { legs } of options) {
            const prev = combo[combo.length - 1];
            if (prev && legs[0]!.departure.at < prev[prev.length - 1]!.arrival.at + 2 * HOUR_MS) continue;
            next.push([...combo, legs]);
          }
        }
        combos = next.slice(0, 16);
      }
      const currency = this.currencyFor(request.slices[0]!.origin);
      const seatTakers = pax.ADT + pax.CHD;
      const offers: OfferRecord[] = [];
      for (const legs of combos) {
        for (const cls of FARE_CLASSES.filter((c) => c.cabin === request.cabin)) {
          if (legs.flat().some((leg) => this.seatsLeftOn(leg, cls) < seatTakers)) continue;
          offers.push(this.makeOffer(legs, cls, pax, currency, 0));
        }
      }
      offers.sort((a, b) => new Dec(a.offer.total.amount).comparedTo(b.offer.total.amount) || a.offer.slices[0]!.segments[0]!.departure.at - b.offer.slices[0]!.segments[0]!.departure.at);
      const kept = offers.slice(0, request.maxOffers ?? 50);
      for (const rec of kept) this.s.offers.set(rec.offer.id, rec);
      return kept.map((r) => clone(r.offer));
    });
  }

  price(offerId: string): Promise<PricedOffer> {
    return this.run(() => {
      const rec = this.liveOffer(offerId);
      if (this.fault === 'fare-changed') this.bumpOffer(rec);
      const changed = rec.offer.total.amount !== rec.searchedTotal.amount;
      return { offer: clone(rec.offer), priceChanged: changed, previousTotal: changed ? { ...rec.searchedTotal } : null };
    });
  }

  // ---- orders --------------------------------------------------------------------------------

  createOrder(request: CreateOrderRequest): Promise<FlightOrder> {
    return this.run(() => {
      if (!request.reference) throw err('invalid-request', 'reference is required (idempotency)', { path: 'reference' });
      const existing = this.s.orderByReference.get(request.reference);
      if (existing) return clone(this.s.orders.get(existing)!.order);

      const rec = this.liveOffer(request.offerId);
      this.checkPassengers(request.passengers, rec.pax);
      if (request.payment.kind === 'hold' && rec.offer.instantPaymentRequired) {
        throw err('invalid-request', `offer ${rec.offer.id} (${rec.fareClass.code} class) requires instant payment; it cannot be held`, { path: 'payment.kind' });
      }
      if (this.fault === 'fare-changed') {
        this.bumpOffer(rec);
        throw err('fare-changed', `the fare of offer ${rec.offer.id} changed: new total ${rec.offer.total.amount} ${rec.offer.total.currency}`, { newTotal: { ...rec.offer.total } });
      }
      if (request.payment.kind === 'instant') this.checkAmount(request.payment.amount, rec.offer.total, 'payment.amount');
      const seatTakers = rec.pax.ADT + rec.pax.CHD;
      const short = rec.legs.flat().find((leg) => this.seatsLeftOn(leg, rec.fareClass) < seatTakers);
      if (this.fault === 'sold-out' || short) {
        const what = short ? `${short.flight.carrier}${short.flight.flightNumber} on ${short.date}` : 'a flight of this offer';
        throw err('sold-out', `no ${rec.fareClass.code}-class seats left for ${seatTakers} on ${what}`);
      }

      // Commit.
      const now = this.now();
      for (const leg of rec.legs.flat()) this.take(leg, rec.fareClass, seatTakers);
      const id = this.s.nextId('ord');
      const o = rec.offer;
      const held = request.payment.kind === 'hold';
      const order: FlightOrder = {
        id,
        supplier: this.name,
        bookingReference: recordLocator(this.s.counter),
        reference: request.reference,
        status: held ? 'HELD' : 'TICKETED',
        supplierStatus: held ? 'HELD' : 'TICKETED',
        slices: clone(o.slices),
        passengers: clone(request.passengers),
        total: { ...o.total },
        base: { ...o.base },
        taxTotal: { ...o.taxTotal },
        fares: clone(o.fares),
        paymentDeadline: held ? o.ticketingDeadline : null,
        priceGuaranteeExpiresAt: held && o.ticketingDeadline !== null ? Math.min(now + PRICE_GUARANTEE_MS, o.ticketingDeadline) : null,
        documents: held ? [] : this.tickets(o.validatingCarrier, request.passengers),
        conditions: clone(o.conditions),
        validatingCarrier: o.validatingCarrier,
        createdAt: now,
      };
      const issuedAt = new Map(order.documents.map((d) => [d.number, now]));
      this.s.orders.set(id, { order, legs: rec.legs, fareClass: rec.fareClass, pax: rec.pax, currency: rec.currency, bumps: rec.bumps, paymentRefs: new Set(), issuedAt });
      this.s.orderByReference.set(request.reference, id);
      this.s.offers.delete(o.id); // an offer is ordered once
      this.afterCommit('order created');
      return clone(order);
    });
  }

  /**
   * SANDBOX-ONLY, read-only: every order the sandbox holds, one line each (id, the caller's
   * idempotency reference, status, payment and confirmation references applied), for harnesses
   * that count supplier orders per reference (scripts/chaos.ts). No real supplier offers this.
   */
  orderLedger(): Array<{ id: string; reference: string | null; status: string; supplierStatus: string; paymentRefs: string[]; confirmRefs: string[] }> {
    const confirmRefsOf = new Map<string, string[]>();
    for (const [ref, orderId] of this.s.confirmRefs) confirmRefsOf.set(orderId, [...(confirmRefsOf.get(orderId) ?? []), ref]);
    return [...this.s.orders.values()].map((rec) => ({
      id: rec.order.id,
      reference: rec.order.reference,
      status: rec.order.status,
      supplierStatus: rec.order.supplierStatus,
      paymentRefs: [...rec.paymentRefs],
      confirmRefs: confirmRefsOf.get(rec.order.id) ?? [],
    }));
  }

  findOrderByReference(reference: string): Promise<FlightOrder | null> {
    return this.run(() => {
      const id = this.s.orderByReference.get(reference);
      return id ? clone(this.s.orders.get(id)!.order) : null;
    });
  }

  getOrder(orderId: string): Promise<FlightOrder> {
    return this.run(() => clone(this.orderRec(orderId).order));
  }

  payOrder(orderId: string, amount: MoneyJson, reference: string): Promise<FlightOrder> {
    return this.run(() => {
      const rec = this.orderRec(orderId);
      if (rec.paymentRefs.has(reference)) return clone(rec.order);
      const o = rec.order;
      if (o.status === 'CANCELLED') {
        throw o.supplierStatus === 'EXPIRED'
          ? err('offer-expired', `the hold on order ${o.id} lapsed at its payment deadline; search again`)
          : err('invalid-request', `order ${o.id} is cancelled`, { path: 'orderId' });
      }
      if (o.status !== 'HELD') throw err('invalid-request', `order ${o.id} is ${o.status}, not HELD: nothing to pay`, { path: 'orderId' });
      if (this.fault === 'fare-changed') {
        // The sandbox keeps a held price unless told otherwise; the fault re-prices the order up.
        rec.bumps++;
        const p = this.priceLegs(rec.legs, rec.fareClass, rec.pax, rec.currency, rec.bumps);
        Object.assign(o, { total: p.total.toJSON(), base: p.base.toJSON(), taxTotal: p.taxTotal.toJSON(), fares: p.fares });
        throw err('fare-changed', `the price guarantee of order ${o.id} no longer holds: new total ${o.total.amount} ${o.total.currency}`, { newTotal: { ...o.total } });
      }
      this.checkAmount(amount, o.total, 'amount');
      o.status = 'TICKETED';
      o.supplierStatus = 'TICKETED';
      o.paymentDeadline = null;
      o.priceGuaranteeExpiresAt = null;
      o.documents.push(...this.issue(rec, this.tickets(o.validatingCarrier, o.passengers)));
      rec.paymentRefs.add(reference);
      this.invalidateQuotes(o.id);
      this.afterCommit('order paid and ticketed');
      return clone(o);
    });
  }

  // ---- changes -------------------------------------------------------------------------------

  quoteChange(request: ChangeRequest): Promise<ChangeQuote> {
    return this.run(() => {
      const rec = this.orderRec(request.orderId);
      const o = rec.order;
      if (!isIssued(o)) throw err('invalid-request', `order ${o.id} is ${o.status}: only ticketed orders can be changed`, { path: 'orderId' });
      if (!rec.fareClass.change.allowed) throw err('not-allowed', `${rec.fareClass.code}-class fares cannot be changed`);
      if (!request.slices.length) throw err('invalid-request', 'no slice to replace', { path: 'slices' });
      const legs = [...rec.legs];
      const seatTakers = rec.pax.ADT + rec.pax.CHD;
      request.slices.forEach((r, i) => {
        if (!Number.isInteger(r.replaceIndex) || r.replaceIndex < 0 || r.replaceIndex >= legs.length) {
          throw err('invalid-request', `replaceIndex ${r.replaceIndex} is not a slice of order ${o.id}`, { path: `slices[${i}].replaceIndex` });
        }
        this.checkSlice(r.with, `slices[${i}].with`);
        const found = itineraries(r.with.origin, r.with.destination, r.with.departureDate).filter(
          (it) => it[0]!.departure.at > this.now() + SALES_CLOSE_MS && it.every((leg) => this.seatsLeftOn(leg, rec.fareClass) >= seatTakers),
        );
        if (this.fault === 'sold-out' || !found.length) {
          throw err('sold-out', `no ${rec.fareClass.code}-class seats ${r.with.origin}–${r.with.destination} on ${r.with.departureDate}`);
        }
        legs[r.replaceIndex] = found[0]!;
      });
      // The fault moves the fare just before quoting: this quote (and any later one) carries the raised fare.
      if (this.fault === 'fare-changed') rec.bumps++;
      const { priced, fareDifference, penalty, totalDue } = this.changePrice(rec, legs);
      const quote: ChangeQuote = {
        id: this.s.nextId('chq'),
        orderId: o.id,
        newSlices: legs.map((l) => this.slice(l, rec.fareClass)),
        fareDifference: fareDifference.toJSON(),
        penalty: penalty.toJSON(),
        totalDue: totalDue.toJSON(),
        expiresAt: this.now() + QUOTE_TTL_MS,
      };
      this.s.changeQuotes.set(quote.id, { quote, legs, priced });
      this.s.latestChangeQuote.set(o.id, quote.id);
      return clone(quote);
    });
  }

  confirmChange(quoteId: string, payment: MoneyJson, reference: string): Promise<FlightOrder> {
    return this.run(() => {
      const done = this.s.confirmRefs.get(reference);
      if (done) return clone(this.orderRec(done).order);
      const q = this.s.changeQuotes.get(quoteId);
      if (!q) throw err('not-found', `no change quote ${quoteId}`, { path: 'quoteId' });
      this.checkLatest(q.quote, this.s.latestChangeQuote.get(q.quote.orderId));
      const rec = this.orderRec(q.quote.orderId);
      const o = rec.order;
      if (!isIssued(o)) throw err('quote-expired', `order ${o.id} is ${o.status}; quote ${quoteId} no longer applies`);
      if (this.fault === 'fare-changed') {
        // The fare moved between quote and confirmation: nothing changes, the quote is superseded, and
        // the error carries what the change now costs (as createOrder/payOrder carry the new total).
        rec.bumps++;
        const requoted = this.changePrice(rec, q.legs);
        this.s.latestChangeQuote.delete(o.id);
        throw err('fare-changed', `the fare moved since change quote ${quoteId}: the change now costs ${requoted.totalDue.toFixed()} ${rec.currency}; quote again`, {
          newTotal: requoted.totalDue.toJSON(),
        });
      }
      this.checkAmount(payment, q.quote.totalDue, 'payment');
      const seatTakers = rec.pax.ADT + rec.pax.CHD;
      const oldLegs = new Set(rec.legs.flat().map((l) => legKey(l, rec.fareClass.code)));
      const short = q.legs.flat().find((leg) => !oldLegs.has(legKey(leg, rec.fareClass.code)) && this.seatsLeftOn(leg, rec.fareClass) < seatTakers);
      if (this.fault === 'sold-out' || short) throw err('sold-out', `the seats quoted in ${quoteId} are gone`);

      for (const leg of rec.legs.flat()) this.take(leg, rec.fareClass, -seatTakers);
      for (const leg of q.legs.flat()) this.take(leg, rec.fareClass, seatTakers);
      rec.legs = q.legs;
      o.slices = clone(q.quote.newSlices);
      o.status = 'CHANGED';
      o.supplierStatus = 'CHANGED';
      if (new Dec(q.quote.fareDifference.amount).greaterThan(0)) {
        Object.assign(o, { total: q.priced.total.toJSON(), base: q.priced.base.toJSON(), taxTotal: q.priced.taxTotal.toJSON(), fares: clone(q.priced.fares) });
      }
      // An exchange reissues every passenger's e-ticket: the old ones stay on the order as EXCHANGED,
      // each pointing at its passenger's new number; the change fee is an EMD per paying passenger.
      const fresh = this.issue(rec, this.tickets(o.validatingCarrier, o.passengers));
      for (const d of liveTickets(o.documents)) {
        const next = fresh.find((t) => t.passengerId === d.passengerId);
        if (!next) continue;
        d.status = 'EXCHANGED';
        d.exchangedFor = next.number;
      }
      o.documents.push(...fresh);
      const perPax = rec.fareClass.change.feeGbp ? convert(rec.fareClass.change.feeGbp, rec.currency, Decimal.ROUND_HALF_UP) : null;
      if (perPax && !perPax.amount.isZero()) {
        const emds = o.passengers
          .filter((x) => x.type !== 'INF')
          .map((p): TravelDocument => ({ type: 'EMD', number: this.documentNumber(o.validatingCarrier), passengerId: p.id, reason: 'change-fee', amount: perPax.toJSON() }));
        o.documents.push(...this.issue(rec, emds));
      }
      this.s.confirmRefs.set(reference, o.id);
      this.invalidateQuotes(o.id);
      this.afterCommit('change confirmed');
      return clone(o);
    });
  }

  // ---- cancellation --------------------------------------------------------------------------

  quoteCancellation(orderId: string): Promise<CancellationQuote> {
    return this.run(() => {
      const rec = this.orderRec(orderId);
      const o = rec.order;
      if (o.status === 'CANCELLED') throw err('invalid-request', `order ${o.id} is already cancelled`, { path: 'orderId' });
      const zero = Money.of('0', rec.currency);
      let refund = zero;
      let penalty = zero;
      if (o.status !== 'HELD') {
        const paid = Money.fromJson(o.total);
        if (rec.fareClass.refund.allowed) {
          penalty = this.feeFor(rec.fareClass.refund, rec.pax, rec.currency);
          if (penalty.amount.greaterThan(paid.amount)) penalty = paid;
        } else {
          // Non-refundable: only government taxes (not the carrier's YQ) come back.
          const taxes = this.priceLegs(rec.legs, rec.fareClass, rec.pax, rec.currency, rec.bumps).fares.flatMap((f) =>
            f.fare.taxes.filter((t) => t.code !== 'YQ').map((t) => Money.fromJson(t.amount).times(f.count)),
          );
          const back = sum(taxes, rec.currency);
          penalty = paid.subtract(back.amount.greaterThan(paid.amount) ? paid : back);
        }
        refund = paid.subtract(penalty);
      }
      const quote: CancellationQuote = {
        id: this.s.nextId('cxq'),
        orderId: o.id,
        refundAmount: refund.toJSON(),
        penalty: penalty.toJSON(),
        refundTo: 'original_form_of_payment',
        expiresAt: this.now() + QUOTE_TTL_MS,
      };
      this.s.cancelQuotes.set(quote.id, quote);
      this.s.latestCancelQuote.set(o.id, quote.id);
      return clone(quote);
    });
  }

  confirmCancellation(quoteId: string, reference: string): Promise<FlightOrder> {
    return this.run(() => {
      const done = this.s.confirmRefs.get(reference);
      if (done) return clone(this.orderRec(done).order);
      const q = this.s.cancelQuotes.get(quoteId);
      if (!q) throw err('not-found', `no cancellation quote ${quoteId}`, { path: 'quoteId' });
      this.checkLatest(q, this.s.latestCancelQuote.get(q.orderId));
      const rec = this.orderRec(q.orderId);
      const o = rec.order;
      if (o.status === 'CANCELLED') throw err('quote-expired', `order ${o.id} is already cancelled`);
      this.release(rec);
      this.closeTickets(rec);
      o.status = 'CANCELLED';
      o.supplierStatus = 'CANCELLED';
      o.paymentDeadline = null;
      o.priceGuaranteeExpiresAt = null;
      this.s.confirmRefs.set(reference, o.id);
      this.invalidateQuotes(o.id);
      this.afterCommit('cancellation confirmed');
      return clone(o);
    });
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Runs an operation: lapses overdue holds first; anything thrown becomes a rejected promise. */
  private run<T>(op: () => T): Promise<T> {
    try {
      this.lapseHolds();
      return Promise.resolve(op());
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private lapseHolds(): void {
    const now = this.now();
    for (const rec of this.s.orders.values()) {
      const o = rec.order;
      if (o.status === 'HELD' && o.paymentDeadline !== null && now > o.paymentDeadline) {
        this.release(rec);
        o.status = 'CANCELLED';
        o.supplierStatus = 'EXPIRED';
        this.invalidateQuotes(o.id);
      }
    }
  }

  private afterCommit(what: string): void {
    if (this.fault === 'fail-after-commit') {
      throw err('unavailable', `sandbox fault fail-after-commit: ${what}, but the answer was lost`, { status: 500 });
    }
  }

  private invalidateQuotes(orderId: string): void {
    this.s.latestChangeQuote.delete(orderId);
    this.s.latestCancelQuote.delete(orderId);
  }

  /** What changing `rec`'s order to `legs` costs now: the fare difference (never negative) plus the fare's change fee. */
  private changePrice(rec: OrderRecord, legs: DatedLeg[][]): { priced: Priced; fareDifference: Money; penalty: Money; totalDue: Money } {
    const priced = this.priceLegs(legs, rec.fareClass, rec.pax, rec.currency, rec.bumps);
    const diff = priced.total.subtract(Money.fromJson(rec.order.total));
    const fareDifference = diff.amount.isNegative() ? Money.of('0', rec.currency) : diff;
    const penalty = this.feeFor(rec.fareClass.change, rec.pax, rec.currency);
    return { priced, fareDifference, penalty, totalDue: fareDifference.add(penalty) };
  }

  private checkLatest(quote: { id: string; expiresAt: number }, latest: string | undefined): void {
    if (latest !== quote.id) throw err('quote-expired', `quote ${quote.id} was superseded (only the latest quote of an order can be confirmed)`);
    if (this.now() > quote.expiresAt) throw err('quote-expired', `quote ${quote.id} expired at ${new Date(quote.expiresAt).toISOString()}`);
  }

  private liveOffer(offerId: string): OfferRecord {
    const rec = this.s.offers.get(offerId);
    if (!rec) throw err('not-found', `no offer ${offerId}`, { path: 'offerId' });
    if (this.now() > rec.offer.expiresAt) throw err('offer-expired', `offer ${offerId} expired at ${new Date(rec.offer.expiresAt).toISOString()}; search again`);
    return rec;
  }

  private orderRec(orderId: string): OrderRecord {
    const rec = this.s.orders.get(orderId);
    if (!rec) throw err('not-found', `no order ${orderId}`, { path: 'orderId' });
    return rec;
  }

  private seatsLeftOn(leg: DatedLeg, cls: FareClass): number {
    return cls.seats - (this.s.sold.get(legKey(leg, cls.code)) ?? 0);
  }

  private take(leg: DatedLeg, cls: FareClass, seats: number): void {
    const key = legKey(leg, cls.code);
    this.s.sold.set(key, Math.max(0, (this.s.sold.get(key) ?? 0) + seats));
  }

  private release(rec: OrderRecord): void {
    for (const leg of rec.legs.flat()) this.take(leg, rec.fareClass, -(rec.pax.ADT + rec.pax.CHD));
  }

  private bumpOffer(rec: OfferRecord): void {
    rec.bumps++;
    const fresh = this.makeOffer(rec.legs, rec.fareClass, rec.pax, rec.currency, rec.bumps, rec.offer);
    rec.offer = fresh.offer;
  }

  private checkAmount(paid: MoneyJson, due: MoneyJson, path: string): void {
    let same: boolean;
    try {
      same = paid.currency === due.currency && new Dec(paid.amount).equals(due.amount);
    } catch {
      same = false;
    }
    if (!same) throw err('invalid-request', `${path} ${paid.amount} ${paid.currency} does not match the amount due, ${due.amount} ${due.currency}`, { path });
  }

  private currencyFor(origin: string): string {
    return COUNTRY_CURRENCY[airport(origin)!.country] ?? 'USD';
  }

  private checkSlice(slice: SearchSlice, path: string): void {
    for (const field of ['origin', 'destination'] as const) {
      if (!airport(slice[field])) throw err('invalid-request', `unknown airport "${slice[field]}"`, { path: `${path}.${field}` });
    }
    if (slice.origin === slice.destination) throw err('invalid-request', 'origin and destination are the same', { path: `${path}.destination` });
    if (!isIsoDate(slice.departureDate)) throw err('invalid-request', `"${slice.departureDate}" is not a date YYYY-MM-DD`, { path: `${path}.departureDate` });
  }

  private checkSearch(request: FlightSearch): PaxCounts {
    if (!Array.isArray(request.slices) || request.slices.length < 1 || request.slices.length > 4) throw err('invalid-request', 'a search has 1 to 4 slices', { path: 'slices' });
    request.slices.forEach((s, i) => this.checkSlice(s, `slices[${i}]`));
    if (!CABINS.includes(request.cabin)) throw err('invalid-request', `unknown cabin "${String(request.cabin)}"`, { path: 'cabin' });
    const pax: PaxCounts = { ADT: 0, CHD: 0, INF: 0 };
    request.passengers.forEach((p, i) => {
      if (!PASSENGER_TYPES.includes(p.type)) throw err('invalid-request', `unknown passenger type "${String(p.type)}"`, { path: `passengers[${i}].type` });
      pax[p.type]++;
    });
    if (pax.ADT < 1) throw err('invalid-request', 'at least one adult must travel', { path: 'passengers' });
    if (pax.ADT + pax.CHD > 9) throw err('invalid-request', 'at most 9 seated passengers', { path: 'passengers' });
    if (pax.INF > pax.ADT) throw err('invalid-request', 'one infant per adult at most', { path: 'passengers' });
    return pax;
  }

  private checkPassengers(passengers: OrderPassenger[], pax: PaxCounts): void {
    const counts: PaxCounts = { ADT: 0, CHD: 0, INF: 0 };
    const ids = new Set<string>();
    passengers.forEach((p, i) => {
      const path = `passengers[${i}]`;
      if (!PASSENGER_TYPES.includes(p.type)) throw err('invalid-request', `unknown passenger type "${String(p.type)}"`, { path: `${path}.type` });
      if (!p.id || ids.has(p.id)) throw err('invalid-request', `passenger id "${p.id}" is missing or repeated`, { path: `${path}.id` });
      ids.add(p.id);
      if (!p.givenName?.trim() || !p.familyName?.trim()) throw err('invalid-request', 'given and family names are required', { path: `${path}.familyName` });
      if (!isIsoDate(p.bornOn)) throw err('invalid-request', `"${p.bornOn}" is not a date YYYY-MM-DD`, { path: `${path}.bornOn` });
      counts[p.type]++;
    });
    const infantOf = new Set<string>();
    passengers.forEach((p, i) => {
      if (p.type !== 'INF') return;
      const adult = passengers.find((a) => a.id === p.infantOf && a.type === 'ADT');
      if (!adult || infantOf.has(adult.id)) throw err('invalid-request', 'an infant travels with one adult of the order, each adult with one infant at most', { path: `passengers[${i}].infantOf` });
      infantOf.add(adult.id);
    });
    for (const t of PASSENGER_TYPES) {
      if (counts[t] !== pax[t]) throw err('invalid-request', `the offer is for ${pax[t]} ${t}, the order names ${counts[t]}`, { path: 'passengers' });
    }
  }

  private feeFor(rule: FeeRule, pax: PaxCounts, currency: string): Money {
    if (!rule.feeGbp) return Money.of('0', currency);
    return convert(rule.feeGbp, currency, Decimal.ROUND_HALF_UP).times(pax.ADT + pax.CHD);
  }

  private nextTicketSerial(): string {
    this.s.ticketSerial++;
    return (2_100_000_000 + this.s.ticketSerial).toString().padStart(10, '0');
  }

  private documentNumber(carrier: string): string {
    return `${TICKET_PREFIX[carrier] ?? '999'}${this.nextTicketSerial()}`;
  }

  private tickets(carrier: string, passengers: OrderPassenger[]): TravelDocument[] {
    return passengers.map((p) => ({ type: 'ETICKET' as const, number: this.documentNumber(carrier), passengerId: p.id }));
  }

  /** Records when `docs` were issued (now) and returns them. */
  private issue(rec: OrderRecord, docs: TravelDocument[]): TravelDocument[] {
    const now = this.now();
    for (const d of docs) rec.issuedAt.set(d.number, now);
    return docs;
  }

  /**
   * A confirmed cancellation closes the order's live e-tickets: VOID when cancelled on the UTC day
   * the ticket was issued (the sandbox's void window), REFUNDED otherwise (the refund, possibly
   * zero after the penalty, goes through the quote). The refund amount follows the fare's refund
   * rule either way. EMDs (change fees) were consumed by the change and stay ISSUED; tickets
   * already EXCHANGED keep that status.
   */
  private closeTickets(rec: OrderRecord): void {
    const today = utcDay(this.now());
    for (const d of liveTickets(rec.order.documents)) {
      const issued = rec.issuedAt.get(d.number);
      d.status = issued !== undefined && utcDay(issued) === today ? 'VOID' : 'REFUNDED';
    }
  }

  private slice(legs: DatedLeg[], cls: FareClass): Slice {
    const first = legs[0]!;
    const last = legs[legs.length - 1]!;
    return {
      origin: first.flight.origin,
      destination: last.flight.destination,
      segments: legs.map((l) => ({
        carrier: l.flight.carrier,
        flightNumber: l.flight.flightNumber,
        departure: { ...l.departure },
        arrival: { ...l.arrival },
        durationMinutes: l.durationMinutes,
        cabin: cls.cabin,
        bookingClass: cls.code,
        stops: 0,
        aircraft: l.flight.aircraft,
      })),
      durationMinutes: Math.round((last.arrival.at - first.departure.at) / MINUTE_MS),
    };
  }

  /** The fares of these legs in this class for these passengers; `bumps` fare-changed raises. */
  private priceLegs(legs: DatedLeg[][], cls: FareClass, pax: PaxCounts, currency: string, bumps: number): Priced {
    const all = legs.flat();
    const origin = airport(all[0]!.flight.origin)!.country;
    let factor = new Dec(cls.multiplier);
    for (let i = 0; i < bumps; i++) factor = factor.times(FARE_CHANGE_FACTOR);
    // Reference economy fare: 40 + 0.55 GBP per block minute and leg; filed in whole units of the selling currency.
    const refGbp = all.reduce((a, l) => a.plus(new Dec(l.flight.blockMinutes).times('0.55').plus(40)), new Dec(0));
    const adultBase = Money.of(refGbp.times(factor).times(PER_GBP[currency]!).toDecimalPlaces(0, Decimal.ROUND_CEIL), currency);
    const fares: Offer['fares'] = [];
    for (const type of PASSENGER_TYPES) {
      if (!pax[type]) continue;
      const share = type === 'ADT' ? '1' : type === 'CHD' ? '0.75' : '0.10';
      const base = Money.of(adultBase.amount.times(share), currency).roundToMinor(Decimal.ROUND_HALF_UP);
      const taxes = this.taxes(all, cls.cabin, type, currency);
      const total = sum([base, ...taxes.map((t) => Money.fromJson(t.amount))], currency);
      const fare: Fare = { fareBasis: `${cls.basis}${origin}${type === 'ADT' ? '' : type === 'CHD' ? 'CH' : 'IN'}`, base: base.toJSON(), taxes, total: total.toJSON() };
      fares.push({ passengerType: type, count: pax[type], fare });
    }
    const each = (m: MoneyJson, n: number) => Money.fromJson(m).times(n);
    return {
      fares,
      total: sum(fares.map((f) => each(f.fare.total, f.count)), currency),
      base: sum(fares.map((f) => each(f.fare.base, f.count)), currency),
      taxTotal: sum(fares.flatMap((f) => f.fare.taxes.map((t) => each(t.amount, f.count))), currency),
    };
  }

  /** Itemised taxes per passenger, one line per code, filed in GBP and converted half-up to the minor unit. */
  private taxes(legs: DatedLeg[], cabin: Cabin, type: PassengerType, currency: string): TaxLine[] {
    const lines = new Map<string, Money>();
    const add = (code: string, gbp: string) => {
      const m = convert(gbp, currency, Decimal.ROUND_HALF_UP);
      if (m.amount.isZero()) return;
      lines.set(code, (lines.get(code) ?? Money.of('0', currency)).add(m));
    };
    const premium = cabin !== 'ECONOMY';
    for (const leg of legs) {
      const from = airport(leg.flight.origin)!;
      const long = leg.flight.blockMinutes > 240;
      if (from.country === 'GB' && type !== 'INF' && !(type === 'CHD' && !premium)) add('GB', long ? (premium ? '224' : '94') : premium ? '26' : '13');
      if (from.code === 'LHR' && type !== 'INF') add('UB', '39.74');
      if (from.country === 'US') {
        add('US', type === 'INF' ? '0' : '18.03');
        add('AY', '4.41');
      }
      if (from.country === 'AU' && type !== 'INF') add('AU', '35.90');
      if (from.country === 'AE' && type !== 'INF') add('AE', '16.10');
      if (type !== 'INF') add('YQ', new Dec(long ? '120' : '25').times(premium ? 2 : 1).toFixed());
    }
    return [...lines.entries()].map(([code, m]) => ({ code, amount: m.toJSON() }));
  }

  private makeOffer(legs: DatedLeg[][], cls: FareClass, pax: PaxCounts, currency: string, bumps: number, previous?: Offer): OfferRecord {
    const now = this.now();
    const p = this.priceLegs(legs, cls, pax, currency, bumps);
    const firstDeparture = legs[0]![0]!.departure.at;
    const deadline = Math.min(now + HOLD_MAX_MS, firstDeparture - TICKET_BEFORE_DEPARTURE_MS);
    const holdable = !cls.instantPayment && deadline > now + HOUR_MS;
    const penalty = (rule: FeeRule): FareConditions['change'] => ({ allowed: rule.allowed, fee: rule.feeGbp ? convert(rule.feeGbp, currency, Decimal.ROUND_HALF_UP).toJSON() : null });
    const carrier = legs[0]![0]!.flight.carrier;
    if (!CARRIERS.has(carrier)) throw new RangeError(`Schedule names an unknown carrier ${carrier}`);
    const seats = new Map<string, number>();
    for (const leg of legs.flat()) seats.set(cls.code, Math.min(seats.get(cls.code) ?? Infinity, this.seatsLeftOn(leg, cls)));
    const offer: Offer = {
      id: previous?.id ?? this.s.nextId('off'),
      supplier: this.name,
      slices: legs.map((l) => this.slice(l, cls)),
      fares: p.fares,
      total: p.total.toJSON(),
      base: p.base.toJSON(),
      taxTotal: p.taxTotal.toJSON(),
      seatsLeft: [...seats.entries()].map(([bookingClass, n]) => ({ bookingClass, seats: n })),
      conditions: { change: penalty(cls.change), refund: penalty(cls.refund) },
      expiresAt: previous?.expiresAt ?? now + OFFER_TTL_MS,
      instantPaymentRequired: !holdable,
      ticketingDeadline: holdable ? deadline : null,
      validatingCarrier: carrier,
    };
    return { offer, legs, fareClass: cls, pax, currency, searchedTotal: previous ? { ...this.s.offers.get(previous.id)!.searchedTotal } : offer.total, bumps };
  }
}
