import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import {
  FlightSupplierError,
  documentStatus,
  type Cabin,
  type CancellationQuote,
  type DocumentStatus,
  type ChangeQuote,
  type Fare,
  type FareConditions,
  type FlightOrder,
  type FlightSupplierErrorKind,
  type Offer,
  type OrderPassenger,
  type PassengerType,
  type Segment,
  type Slice,
} from '../../domain/flights/model';
import type { MoneyJson } from '../../domain/money/money';
import type { FrontContext, FrontHandler } from './front';

/**
 * The sandbox GDS's NDC face: `POST /ndc/<17.2|19.2|21.3>/<Message>` with an `<Message>RQ`
 * body answers the `RS` in that version's namespace, computed by the core (domain types). This is
 * the gateway side of adapters/ndc-xml and is written independently of it (own parser, own
 * builder), so the adapter's tests exercise a real second implementation of the wire.
 *
 * Versions differ in namespaces and root names (`AirShoppingRQ` in 17.2, `IATA_AirShoppingRQ`
 * later), in the error layout (17.2 `<Errors><Error Code>text`, later `<Error><Code/><DescText/>`),
 * and in cancellation: 21.3 confirms a refund quote with OrderChangeRQ and refuses OrderCancelRQ;
 * 17.2 and 19.2 confirm it with OrderCancelRQ.
 */

type Version = '17.2' | '19.2' | '21.3';
const VERSIONS: readonly Version[] = ['17.2', '19.2', '21.3'];

function namespaceOf(version: Version, message: string): string {
  if (version === '17.2') return 'http://www.iata.org/IATA/EDIST/2017.2';
  if (version === '19.2') return `http://www.iata.org/IATA/2015/00/2019.2/IATA_${message}`;
  return 'http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersMessage';
}
const rootName = (version: Version, message: string) => (version === '17.2' ? message : `IATA_${message}`);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['OriginDestRequest', 'Pax', 'PaxRefID', 'IdentityDoc'].includes(name),
});
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: false, suppressEmptyNode: true, suppressBooleanAttributes: false });

/** A request the front cannot understand: answered 400 with an INVALID_REQUEST error. */
class BadRequest extends Error {}

type Node = Record<string, unknown>;

const ERROR_CODES: Record<FlightSupplierErrorKind, string> = {
  'invalid-request': 'INVALID_REQUEST',
  'offer-expired': 'OFFER_EXPIRED',
  'fare-changed': 'PRICE_CHANGED',
  'sold-out': 'NO_AVAILABILITY',
  'not-found': 'NOT_FOUND',
  'quote-expired': 'QUOTE_EXPIRED',
  'payment-declined': 'PAYMENT_DECLINED',
  'not-allowed': 'NOT_ALLOWED',
  'rate-limited': 'RATE_LIMITED',
  unavailable: 'SYSTEM_ERROR',
  timeout: 'SYSTEM_ERROR',
  'malformed-response': 'SYSTEM_ERROR',
  auth: 'AUTH_FAILED',
};

const HTTP_STATUS: Partial<Record<FlightSupplierErrorKind, number>> = { unavailable: 500, timeout: 504, 'malformed-response': 500, 'rate-limited': 429, auth: 401 };

const CABIN_CODE: Record<Cabin, string> = { ECONOMY: 'M', PREMIUM_ECONOMY: 'W', BUSINESS: 'C', FIRST: 'F' };
const CABIN_OF: Record<string, Cabin> = { M: 'ECONOMY', Y: 'ECONOMY', W: 'PREMIUM_ECONOMY', C: 'BUSINESS', J: 'BUSINESS', F: 'FIRST' };
/** IATA coupon status codes the sandbox uses for each document status. */
const COUPON_STATUS: Record<DocumentStatus, string> = { ISSUED: 'I', EXCHANGED: 'E', VOID: 'V', REFUNDED: 'RF' };
const STATUS_WORD: Record<string, string> = { HELD: 'ON_HOLD', CONFIRMED: 'CONFIRMED', TICKETED: 'TICKETED', CANCELLED: 'CANCELLED', CHANGED: 'CHANGED' };

const amount = (m: MoneyJson) => ({ '#text': m.amount, '@CurCode': m.currency });
const iso = (at: number) => new Date(at).toISOString().replace('.000Z', 'Z');

/** Reads a mandatory text at `path` (slash-separated) below `node`, or throws BadRequest naming it. */
function need(node: unknown, path: string): string {
  const v = get(node, path);
  if (typeof v !== 'string' || v.trim() === '') throw new BadRequest(`${path} is missing`);
  return v.trim();
}
function get(node: unknown, path: string): unknown {
  let cur: unknown = node;
  for (const key of path.split('/')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Node)[key];
  }
  return cur;
}
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const money = (node: unknown, path: string): MoneyJson => ({ amount: need(node, `${path}/#text`), currency: need(node, `${path}/@CurCode`) });

// ---- response building ---------------------------------------------------------------------------

class Lists {
  private segments = new Map<string, Node>();
  private journeys = new Map<string, Node>();
  private penalties = new Map<string, Node>();
  private pax = new Map<string, Node>();

  segment(s: Segment): string {
    const id = `SEG-${s.carrier}${s.flightNumber}-${s.departure.local.replace(/[-:T]/g, '')}-${s.bookingClass}`;
    if (!this.segments.has(id)) {
      const leg = s.aircraft ? { IATA_AircraftType: { IATA_AircraftTypeCode: s.aircraft } } : '';
      this.segments.set(id, {
        PaxSegmentID: id,
        Dep: { IATA_LocationCode: s.departure.airport, AircraftScheduledDateTime: `${s.departure.local}:00` },
        Arrival: { IATA_LocationCode: s.arrival.airport, AircraftScheduledDateTime: `${s.arrival.local}:00` },
        MarketingCarrierInfo: { CarrierDesigCode: s.carrier, MarketingCarrierFlightNumberText: s.flightNumber },
        ...(s.operatingCarrier ? { OperatingCarrierInfo: { CarrierDesigCode: s.operatingCarrier } } : {}),
        CabinType: { CabinTypeCode: CABIN_CODE[s.cabin] },
        RBD_Code: s.bookingClass,
        DatedOperatingLeg: Array.from({ length: s.stops + 1 }, () => leg),
      });
    }
    return id;
  }

  journey(slice: Slice): string {
    const segIds = slice.segments.map((s) => this.segment(s));
    const id = `JRN-${segIds.join('+').replace(/SEG-/g, '')}`;
    if (!this.journeys.has(id)) this.journeys.set(id, { PaxJourneyID: id, PaxSegmentRefID: segIds });
    return id;
  }

  conditions(c: FareConditions): string[] {
    return (
      [
        ['Change', c.change],
        ['Cancel', c.refund],
      ] as const
    ).map(([type, p]) => {
      const id = `PEN-${type}-${p.allowed ? 'Y' : 'N'}-${p.fee ? `${p.fee.amount}${p.fee.currency}` : 'NIL'}`;
      if (!this.penalties.has(id)) this.penalties.set(id, { PenaltyID: id, TypeCode: type, AllowedInd: String(p.allowed), ...(p.fee ? { PenaltyAmount: amount(p.fee) } : {}) });
      return id;
    });
  }

  paxRef(type: PassengerType, k: number): string {
    const id = `PAX-${type}-${k + 1}`;
    if (!this.pax.has(id)) this.pax.set(id, { PaxID: id, PTC: type });
    return id;
  }

  passenger(p: OrderPassenger): string {
    this.pax.set(p.id, {
      PaxID: p.id,
      PTC: p.type,
      ...(p.infantOf ? { PaxRefID: [p.infantOf] } : {}),
      Individual: { ...(p.title ? { TitleName: p.title } : {}), GivenName: p.givenName, Surname: p.familyName, Birthdate: p.bornOn, ...(p.gender ? { GenderCode: p.gender } : {}) },
      ...(p.email || p.phone ? { ContactInfo: { ...(p.email ? { EmailAddress: { EmailAddressText: p.email } } : {}), ...(p.phone ? { Phone: { PhoneNumber: p.phone } } : {}) } } : {}),
      ...(p.passport
        ? {
            IdentityDoc: [
              {
                IdentityDocID: p.passport.number,
                IdentityDocTypeCode: 'PT',
                IssuingCountryCode: p.passport.issuingCountry,
                ExpiryDate: p.passport.expiresOn,
                ...(p.passport.nationality ? { CitizenshipCountryCode: p.passport.nationality } : {}),
              },
            ],
          }
        : {}),
    });
    return p.id;
  }

  node(): Node {
    const out: Node = {};
    if (this.pax.size) out['PaxList'] = { Pax: [...this.pax.values()] };
    if (this.journeys.size) out['PaxJourneyList'] = { PaxJourney: [...this.journeys.values()] };
    if (this.segments.size) out['PaxSegmentList'] = { PaxSegment: [...this.segments.values()] };
    if (this.penalties.size) out['PenaltyList'] = { Penalty: [...this.penalties.values()] };
    return out;
  }
}

/** One passenger's Price (total, base, itemised taxes) as an OfferItem / OrderItem carries it. */
function priceNode(f: Fare): Node {
  return {
    TotalAmount: amount(f.total),
    BaseAmount: amount(f.base),
    ...(f.taxes.length ? { TaxSummary: { Tax: f.taxes.map((t) => ({ Amount: amount(t.amount), TaxCode: t.code })) } } : {}),
  };
}

function offerNode(o: Offer, lists: Lists): Node {
  return {
    OfferID: o.id,
    OwnerCode: o.validatingCarrier,
    OfferExpirationDateTime: iso(o.expiresAt),
    ...(o.ticketingDeadline !== null ? { PaymentTimeLimitDateTime: iso(o.ticketingDeadline) } : {}),
    InstantPaymentRequiredInd: String(o.instantPaymentRequired),
    TotalPrice: { TotalAmount: amount(o.total) },
    PaxJourneyRefID: o.slices.map((s) => lists.journey(s)),
    PenaltyRefID: lists.conditions(o.conditions),
    SeatAvailability: o.seatsLeft.map((s) => ({ RBD_Code: s.bookingClass, SeatsLeftQty: String(s.seats) })),
    OfferItem: o.fares.map((f, i) => ({
      OfferItemID: `${o.id}-${i + 1}`,
      Price: priceNode(f.fare),
      FareDetail: { PaxRefID: Array.from({ length: f.count }, (_, k) => lists.paxRef(f.passengerType, k)), FareComponent: { FareBasisCode: f.fare.fareBasis } },
    })),
  };
}

function offersResponse(offers: Offer[], extra: Node = {}): Node {
  const lists = new Lists();
  const nodes = offers.map((o) => offerNode(o, lists));
  return { Response: { ...extra, DataLists: lists.node(), OffersGroup: { CarrierOffers: { Offer: nodes } } } };
}

function orderResponse(o: FlightOrder): Node {
  const lists = new Lists();
  for (const p of o.passengers) lists.passenger(p);
  const journeys = o.slices.map((s) => lists.journey(s));
  // Each fare names `count` passengers of its type, in the order's passenger order.
  const unpriced = new Map<PassengerType, string[]>();
  for (const p of o.passengers) unpriced.set(p.type, [...(unpriced.get(p.type) ?? []), p.id]);
  const orderItems = o.fares.map((f, i) => ({
    OrderItemID: `${o.id}-${i + 1}`,
    Price: priceNode(f.fare),
    FareDetail: {
      PaxRefID: Array.from({ length: f.count }, (_, k) => unpriced.get(f.passengerType)?.shift() ?? lists.paxRef(f.passengerType, k)),
      FareComponent: { FareBasisCode: f.fare.fareBasis },
    },
  }));
  const byPax = new Map<string, Node[]>();
  // One coupon per flight segment (an EMD has one), all in the document's status.
  const segmentCount = o.slices.reduce((n, s) => n + s.segments.length, 0);
  for (const d of o.documents) {
    const tickets = byPax.get(d.passengerId) ?? [];
    const code = COUPON_STATUS[documentStatus(d)];
    const coupons = Array.from({ length: d.type === 'ETICKET' ? Math.max(1, segmentCount) : 1 }, (_, i) => ({ CouponNumber: String(i + 1), CouponStatusCode: code }));
    tickets.push({
      TicketNumber: d.number,
      TicketDocTypeCode: d.type === 'ETICKET' ? 'T' : 'J',
      ...(d.reason ? { ReasonText: d.reason } : {}),
      ...(d.amount ? { Amount: amount(d.amount) } : {}),
      Coupon: coupons,
      ...(d.exchangedFor ? { ExchangedForTicketNumber: d.exchangedFor } : {}),
    });
    byPax.set(d.passengerId, tickets);
  }
  return {
    Response: {
      Order: {
        OrderID: o.id,
        OwnerCode: o.validatingCarrier,
        StatusCode: o.status === 'UNKNOWN' ? o.supplierStatus : (STATUS_WORD[o.status] ?? o.supplierStatus),
        BookingRef: { BookingID: o.bookingReference },
        CreationDateTime: iso(o.createdAt),
        TotalPrice: { TotalAmount: amount(o.total), BaseAmount: amount(o.base), TotalTaxAmount: amount(o.taxTotal) },
        ...(o.paymentDeadline !== null ? { PaymentTimeLimitDateTime: iso(o.paymentDeadline) } : {}),
        ...(o.priceGuaranteeExpiresAt !== null ? { PriceGuaranteeTimeLimitDateTime: iso(o.priceGuaranteeExpiresAt) } : {}),
        ...(o.reference ? { AugmentationPoint: { ItineraReference: o.reference } } : {}),
        PaxJourneyRefID: journeys,
        PenaltyRefID: lists.conditions(o.conditions),
        OrderItem: orderItems,
      },
      TicketDocInfo: [...byPax].map(([pax, tickets]) => ({ PaxRefID: pax, Ticket: tickets })),
      DataLists: lists.node(),
    },
  };
}

function refundQuoteResponse(q: CancellationQuote): Node {
  return {
    Response: {
      ReshopResults: {
        ReshopOffers: {
          Offer: {
            OfferID: q.id,
            OfferExpirationDateTime: iso(q.expiresAt),
            ReshopDifferential: { PenaltyAmount: amount(q.penalty), RefundAmount: amount(q.refundAmount), RefundMethodText: q.refundTo },
          },
        },
      },
    },
  };
}

function changeQuoteResponse(q: ChangeQuote): Node {
  const lists = new Lists();
  const journeys = q.newSlices.map((s) => lists.journey(s));
  return {
    Response: {
      ReshopResults: {
        ReshopOffers: {
          Offer: {
            OfferID: q.id,
            OfferExpirationDateTime: iso(q.expiresAt),
            PaxJourneyRefID: journeys,
            ReshopDifferential: { FareDifferenceAmount: amount(q.fareDifference), PenaltyAmount: amount(q.penalty), ReshopDueAmount: amount(q.totalDue) },
          },
        },
      },
      DataLists: lists.node(),
    },
  };
}

function errorNode(version: Version, code: string, text: string, attrs: Node = {}): Node {
  return version === '17.2' ? { Errors: { Error: { ...attrs, '@Code': code, '#text': text } } } : { Error: { ...attrs, Code: code, DescText: text } };
}

function send(ctx: FrontContext, version: Version, message: string, status: number, content: Node, extraHeaders: Record<string, string> = {}): void {
  const root = rootName(version, message);
  const body = {
    '@xmlns': namespaceOf(version, message),
    ...(version === '17.2' ? { '@Version': '17.2' } : {}),
    PayloadAttributes: { VersionNumber: version, Timestamp: iso(ctx.now()) },
    ...content,
  };
  const xml = builder.build({ '?xml': { '@version': '1.0', '@encoding': 'UTF-8' }, [root]: body }) as string;
  ctx.res.writeHead(status, { 'content-type': 'application/xml; charset=utf-8', 'content-length': Buffer.byteLength(xml), ...extraHeaders });
  ctx.res.end(xml);
}

// ---- requests ------------------------------------------------------------------------------------

function passengerOf(p: unknown, i: number): OrderPassenger {
  const at = `DataLists/PaxList/Pax/${i}`;
  const type = need(p, 'PTC');
  if (type !== 'ADT' && type !== 'CHD' && type !== 'INF') throw new BadRequest(`${at}/PTC must be ADT, CHD or INF`);
  const doc = list(get(p, 'IdentityDoc'))[0];
  const title = get(p, 'Individual/TitleName');
  const gender = get(p, 'Individual/GenderCode');
  const email = get(p, 'ContactInfo/EmailAddress/EmailAddressText');
  const phone = get(p, 'ContactInfo/Phone/PhoneNumber');
  const nationality = get(doc, 'CitizenshipCountryCode');
  const infantOf = list(get(p, 'PaxRefID'))[0];
  return {
    id: need(p, 'PaxID'),
    type,
    ...(typeof title === 'string' ? { title: title as OrderPassenger['title'] } : {}),
    givenName: need(p, 'Individual/GivenName'),
    familyName: need(p, 'Individual/Surname'),
    bornOn: need(p, 'Individual/Birthdate'),
    ...(typeof gender === 'string' ? { gender: gender as OrderPassenger['gender'] } : {}),
    ...(typeof email === 'string' ? { email } : {}),
    ...(typeof phone === 'string' ? { phone } : {}),
    ...(doc
      ? {
          passport: {
            number: need(doc, 'IdentityDocID'),
            issuingCountry: need(doc, 'IssuingCountryCode'),
            expiresOn: need(doc, 'ExpiryDate'),
            ...(typeof nationality === 'string' ? { nationality } : {}),
          },
        }
      : {}),
    ...(typeof infantOf === 'string' ? { infantOf } : {}),
  };
}

async function dispatch(ctx: FrontContext, version: Version, message: string, rq: unknown): Promise<{ rs: string; content: Node }> {
  const core = ctx.core;
  switch (message) {
    case 'AirShopping': {
      const cabin = CABIN_OF[need(rq, 'ShoppingCriteria/CabinTypeCriteria/CabinTypeCode')];
      if (!cabin) throw new BadRequest('ShoppingCriteria/CabinTypeCriteria/CabinTypeCode is not M, W, C or F');
      const max = get(rq, 'ResponseParameters/ResultsLimit/MaximumNumber');
      const offers = await core.search({
        slices: list(get(rq, 'FlightRequest/OriginDestRequest')).map((od) => ({
          origin: need(od, 'OriginDepRequest/IATA_LocationCode'),
          destination: need(od, 'DestArrivalRequest/IATA_LocationCode'),
          departureDate: need(od, 'OriginDepRequest/Date'),
        })),
        passengers: list(get(rq, 'Paxs/Pax')).map((p) => {
          const age = get(p, 'AgeMeasure');
          return { type: need(p, 'PTC') as PassengerType, ...(typeof age === 'string' ? { age: Number(age) } : {}) };
        }),
        cabin,
        ...(typeof max === 'string' ? { maxOffers: Number(max) } : {}),
      });
      return { rs: 'AirShoppingRS', content: offersResponse(offers) };
    }
    case 'OfferPrice': {
      const priced = await core.price(need(rq, 'PricedOffer/SelectedOfferList/SelectedOffer/OfferRefID'));
      const extra: Node = priced.priceChanged
        ? { Warning: version === '17.2' ? { '@Code': 'PRICE_CHANGED', '#text': 'The price has changed' } : { Code: 'PRICE_CHANGED', DescText: 'The price has changed' }, ...(priced.previousTotal ? { PreviousTotalAmount: amount(priced.previousTotal) } : {}) }
        : {};
      return { rs: 'OfferPriceRS', content: offersResponse([priced.offer], extra) };
    }
    case 'OrderCreate': {
      const payment = get(rq, 'PaymentFunctions/PaymentProcessingDetails');
      const order = await core.createOrder({
        offerId: need(rq, 'CreateOrder/SelectedOffer/OfferRefID'),
        passengers: list(get(rq, 'DataLists/PaxList/Pax')).map(passengerOf),
        payment: payment ? { kind: 'instant', amount: money(payment, 'Amount') } : { kind: 'hold' },
        reference: need(rq, 'AugmentationPoint/ItineraReference'),
      });
      return { rs: 'OrderViewRS', content: orderResponse(order) };
    }
    case 'OrderRetrieve': {
      const orderId = get(rq, 'OrderFilterCriteria/Order/OrderID');
      if (typeof orderId === 'string') return { rs: 'OrderViewRS', content: orderResponse(await core.getOrder(orderId)) };
      const reference = need(rq, 'OrderFilterCriteria/AugmentationPoint/ItineraReference');
      const order = await core.findOrderByReference(reference);
      if (!order) throw new FlightSupplierError('not-found', `No order with reference ${reference}`);
      return { rs: 'OrderViewRS', content: orderResponse(order) };
    }
    case 'OrderReshop': {
      const orderId = need(rq, 'Order/OrderID');
      const service = get(rq, 'UpdateOrder/ReshopOrder/ServiceOrder');
      if (get(service, 'DeleteOrderItem') !== undefined) return { rs: 'OrderReshopRS', content: refundQuoteResponse(await core.quoteCancellation(orderId)) };
      const ods = list(get(service, 'AddOfferItems/OriginDestRequest'));
      if (!ods.length) throw new BadRequest('UpdateOrder/ReshopOrder/ServiceOrder needs DeleteOrderItem or AddOfferItems');
      const quote = await core.quoteChange({
        orderId,
        slices: ods.map((od) => ({
          replaceIndex: Number(need(od, 'ReplacedJourneyIndex')),
          with: { origin: need(od, 'OriginDepRequest/IATA_LocationCode'), destination: need(od, 'DestArrivalRequest/IATA_LocationCode'), departureDate: need(od, 'OriginDepRequest/Date') },
        })),
      });
      return { rs: 'OrderReshopRS', content: changeQuoteResponse(quote) };
    }
    case 'OrderChange': {
      const refundQuote = get(rq, 'ChangeOrder/CancelOrder/RefundQuoteRefID');
      if (typeof refundQuote === 'string') {
        if (version !== '21.3') throw new FlightSupplierError('invalid-request', `NDC ${version} cancels with OrderCancelRQ, not OrderChangeRQ`);
        return { rs: 'OrderViewRS', content: orderResponse(await core.confirmCancellation(refundQuote, need(rq, 'AugmentationPoint/ItineraReference'))) };
      }
      const pay = get(rq, 'PaymentFunctions/PaymentProcessingDetails');
      const quoteId = get(rq, 'ChangeOrder/AcceptSelectedQuotedOfferList/SelectedPricedOffer/OfferRefID');
      if (typeof quoteId === 'string') {
        return { rs: 'OrderViewRS', content: orderResponse(await core.confirmChange(quoteId, money(pay, 'Amount'), need(pay, 'PaymentRefID'))) };
      }
      return { rs: 'OrderViewRS', content: orderResponse(await core.payOrder(need(rq, 'Order/OrderID'), money(pay, 'Amount'), need(pay, 'PaymentRefID'))) };
    }
    case 'OrderCancel': {
      if (version === '21.3') throw new FlightSupplierError('invalid-request', 'NDC 21.3 has no OrderCancelRQ: quote with OrderReshopRQ, confirm with OrderChangeRQ');
      return { rs: 'OrderCancelRS', content: orderResponse(await core.confirmCancellation(need(rq, 'RefundQuoteRefID'), need(rq, 'AugmentationPoint/ItineraReference'))) };
    }
    default:
      throw new BadRequest(`unknown NDC message ${message}`);
  }
}

const RS_OF: Record<string, string> = {
  AirShopping: 'AirShoppingRS',
  OfferPrice: 'OfferPriceRS',
  OrderCreate: 'OrderViewRS',
  OrderRetrieve: 'OrderViewRS',
  OrderReshop: 'OrderReshopRS',
  OrderChange: 'OrderViewRS',
  OrderCancel: 'OrderCancelRS',
};

/** The NDC front: mount under `/ndc` (ctx.path is `/<version>/<Message>`). */
export function ndcFront(): FrontHandler {
  return async (ctx) => {
    const m = /^\/([\d.]+)\/(\w+)$/.exec(ctx.path);
    const version = VERSIONS.find((v) => v === m?.[1]);
    const message = m?.[2] ?? '';
    const rsName = RS_OF[message];
    if (!m || !version || !rsName) {
      send(ctx, version ?? '21.3', 'ErrorRS', 404, errorNode(version ?? '21.3', 'UNSUPPORTED_MESSAGE', `No NDC endpoint ${ctx.path}: use /ndc/<17.2|19.2|21.3>/<Message>`));
      return;
    }
    try {
      if (ctx.req.method !== 'POST') throw new BadRequest('NDC messages are POSTed');
      const xml = ctx.body.toString('utf8');
      const rqName = `${message}RQ`;
      const root = /<(?![?!])(?:([\w.-]+):)?([\w.-]+)((?:\s[^>]*)?)>/.exec(xml);
      if (!root || root[2] !== rootName(version, rqName)) throw new BadRequest(`root element must be <${rootName(version, rqName)}>`);
      const ns = new RegExp(`xmlns${root[1] ? `:${root[1]}` : ''}="([^"]*)"`).exec(root[3] ?? '')?.[1];
      if (ns !== namespaceOf(version, rqName)) throw new BadRequest(`namespace must be ${namespaceOf(version, rqName)} (got ${ns ?? 'none'})`);
      let parsed: Node;
      try {
        parsed = parser.parse(xml, true) as Node;
      } catch (err) {
        throw new BadRequest(`not well-formed XML: ${err instanceof Error ? err.message : String(err)}`);
      }
      const rq = get(parsed, `${root[2]}/Request`);
      if (!rq || typeof rq !== 'object') throw new BadRequest('Request is missing');
      const { rs, content } = await dispatch(ctx, version, message, rq);
      send(ctx, version, rs, 200, content);
    } catch (err) {
      if (err instanceof BadRequest) {
        send(ctx, version, rsName, 400, errorNode(version, 'INVALID_REQUEST', err.message));
      } else if (err instanceof FlightSupplierError) {
        const attrs = err.kind === 'fare-changed' && err.details.newTotal ? { '@NewTotal': err.details.newTotal.amount, '@CurCode': err.details.newTotal.currency } : {};
        const headers: Record<string, string> = err.details.retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(err.details.retryAfterMs / 1000)) } : {};
        send(ctx, version, rsName, HTTP_STATUS[err.kind] ?? 200, errorNode(version, ERROR_CODES[err.kind], err.message, attrs), headers);
      } else {
        send(ctx, version, rsName, 500, errorNode(version, 'SYSTEM_ERROR', 'internal error'));
      }
    }
  };
}
