import { XMLParser } from 'fast-xml-parser';
import type { z } from 'zod';
import { AIRPORTS, CARRIERS } from '../../domain/flights/airports';
import {
  FlightSupplierError,
  type AirportTime,
  type Cabin,
  type CancellationQuote,
  type ChangeQuote,
  type FareConditions,
  type FlightOrder,
  type FlightSupplierErrorKind,
  type Offer,
  type OrderPassenger,
  type OrderStatus,
  type PassengerFare,
  type Penalty,
  type PricedOffer,
  type Segment,
  type Slice,
  type DocumentStatus,
  type TravelDocument,
} from '../../domain/flights/model';
import { isLocalDateTime, localToInstant } from '../../domain/flights/time';
import { splitFaresEvenly } from '../../domain/flights/fares';
import { minorUnits } from '../../domain/money/currency';
import { toMinor } from '../../domain/money/minor-units';
import { Money, type MoneyJson } from '../../domain/money/money';
import {
  ndcNamespace,
  ndcRootName,
  REPEATABLE,
  WireOffersResponse,
  WireOrderResponse,
  WireReshopResponse,
  type NdcVersion,
  type WireDataLists,
  type WireError,
  type WireFareItem,
  type WireOffer,
  type WirePax,
  type WirePaxSegment,
} from './wire.schema';

/** Fixed once for this adapter: prefixes dropped, attributes `@Name`, all values strings, repeatable elements arrays. */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => REPEATABLE.has(name),
});

const malformed = (message: string, path: string) => new FlightSupplierError('malformed-response', `NDC ${message} (at ${path})`, { path });

/** The root element's local name and its namespace (default or prefixed), read from the raw text. */
export function rootOf(xml: string): { name: string; namespace: string | null } | null {
  // Skip the prolog: XML declaration, processing instructions, comments, DOCTYPE.
  let at = 0;
  for (;;) {
    at = xml.indexOf('<', at);
    if (at < 0) return null;
    const end = xml.startsWith('<?', at) ? xml.indexOf('?>', at) : xml.startsWith('<!--', at) ? xml.indexOf('-->', at) : xml.startsWith('<!', at) ? xml.indexOf('>', at) : -2;
    if (end === -2) break;
    if (end < 0) return null;
    at = end + 1;
  }
  const m = /^<(?:([\w.-]+):)?([\w.-]+)((?:\s[^>]*)?)\/?>/.exec(xml.slice(at, at + 4096));
  if (!m) return null;
  const [, prefix, name, attrs = ''] = m;
  const nsAttr = new RegExp(`\\sxmlns${prefix ? `:${prefix.replace(/[.-]/g, '\\$&')}` : ''}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(attrs);
  return { name: name!, namespace: nsAttr ? (nsAttr[2] ?? nsAttr[3] ?? null) : null };
}

/**
 * Parses and validates one NDC response: well-formed XML, root `IATA_<message>` (or `<message>`
 * in 17.2) in the version's namespace, then the zod schema. Every problem is a malformed-response
 * naming the path.
 */
export function parseNdc<S extends z.ZodType>(xml: string, version: NdcVersion, message: string, schema: S): z.output<S> {
  const root = rootOf(xml);
  if (!root) throw malformed(`${message}: no root element`, '/');
  const expectedNs = ndcNamespace(version, message);
  if (root.name !== ndcRootName(version, message) && root.name !== `IATA_${message}` && root.name !== message) {
    throw malformed(`${message}: unexpected root element <${root.name}>`, `/${root.name}`);
  }
  if (root.namespace !== expectedNs) {
    throw malformed(`${message}: namespace "${root.namespace ?? '(none)'}" is not NDC ${version}'s "${expectedNs}"`, `/${root.name}/@xmlns`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = parser.parse(xml, true) as Record<string, unknown>;
  } catch (err) {
    throw malformed(`${message}: not well-formed XML: ${err instanceof Error ? err.message : String(err)}`, '/');
  }
  const body = raw[root.name];
  const parsed = schema.safeParse(body === '' ? {} : body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = `/${root.name}/${issue.path.join('/')}`;
    throw malformed(`${message} is malformed: ${issue.message}${parsed.error.issues.length > 1 ? ` (+${parsed.error.issues.length - 1} more)` : ''}`, path);
  }
  return parsed.data;
}

/** Error codes this gateway family uses; an unknown code is kept as `supplierCode` and treated as invalid-request. */
export const ERROR_CODES: Readonly<Record<string, FlightSupplierErrorKind>> = {
  INVALID_REQUEST: 'invalid-request',
  UNSUPPORTED_MESSAGE: 'invalid-request',
  OFFER_EXPIRED: 'offer-expired',
  PRICE_CHANGED: 'fare-changed',
  NO_AVAILABILITY: 'sold-out',
  NOT_FOUND: 'not-found',
  QUOTE_EXPIRED: 'quote-expired',
  PAYMENT_DECLINED: 'payment-declined',
  NOT_ALLOWED: 'not-allowed',
  AUTH_FAILED: 'auth',
  RATE_LIMITED: 'rate-limited',
  SYSTEM_ERROR: 'unavailable',
};

/** The first `<Error>` of a response as a FlightSupplierError (null when there is none). */
export function errorOf(body: { Error?: WireError[]; Errors?: { Error: WireError[] } }, message: string, status?: number): FlightSupplierError | null {
  const errors = [...(body.Error ?? []), ...(body.Errors?.Error ?? [])];
  const e = errors[0];
  if (!e) return null;
  const kind = ERROR_CODES[e.code] ?? 'invalid-request';
  const details: FlightSupplierError['details'] = { supplierCode: e.code || '(none)', ...(status !== undefined ? { status } : {}) };
  if (kind === 'fare-changed' && e.newTotal && e.curCode) {
    try {
      details.newTotal = Money.of(e.newTotal, e.curCode).toJSON();
    } catch {
      // unreadable new price: the error still says the fare changed
    }
  }
  return new FlightSupplierError(kind, `NDC ${message}: ${e.code || 'error'}${e.text ? ` ${e.text}` : ''}`, details);
}

const CABINS_BY_CODE: Record<string, Cabin> = { M: 'ECONOMY', Y: 'ECONOMY', W: 'PREMIUM_ECONOMY', C: 'BUSINESS', J: 'BUSINESS', F: 'FIRST' };

/** Known order status words; anything else is UNKNOWN with the word kept verbatim. */
export const ORDER_STATUSES: Readonly<Record<string, OrderStatus>> = {
  ON_HOLD: 'HELD',
  OPENED: 'HELD',
  CONFIRMED: 'CONFIRMED',
  TICKETED: 'TICKETED',
  CANCELLED: 'CANCELLED',
  CHANGED: 'CHANGED',
};

interface Lists {
  /** Segments already mapped (offers share journeys) and local-time conversions already done, for this one response. */
  mapped: Map<string, Segment>;
  pax: Map<string, WirePax>;
  journeys: Map<string, { segmentIds: string[]; path: string }>;
  segments: Map<string, { seg: WirePaxSegment; path: string }>;
  penalties: Map<string, { typeCode: 'Change' | 'Cancel'; penalty: Penalty }>;
}

function indexLists(dl: WireDataLists | undefined, at: string): Lists {
  const lists: Lists = { mapped: new Map(), pax: new Map(), journeys: new Map(), segments: new Map(), penalties: new Map() };
  for (const p of dl?.PaxList?.Pax ?? []) lists.pax.set(p.PaxID, p);
  (dl?.PaxJourneyList?.PaxJourney ?? []).forEach((j, i) => lists.journeys.set(j.PaxJourneyID, { segmentIds: j.PaxSegmentRefID, path: `${at}/PaxJourneyList/PaxJourney/${i}` }));
  (dl?.PaxSegmentList?.PaxSegment ?? []).forEach((s, i) => lists.segments.set(s.PaxSegmentID, { seg: s, path: `${at}/PaxSegmentList/PaxSegment/${i}` }));
  for (const p of dl?.PenaltyList?.Penalty ?? []) lists.penalties.set(p.PenaltyID, { typeCode: p.TypeCode, penalty: { allowed: p.AllowedInd, fee: p.PenaltyAmount ?? null } });
  return lists;
}

function carrier(code: string, path: string): string {
  if (!CARRIERS.has(code)) throw malformed(`unknown carrier "${code}"`, path);
  return code;
}

function airportTime(loc: { IATA_LocationCode: string; AircraftScheduledDateTime: string }, path: string): AirportTime {
  const ap = AIRPORTS.get(loc.IATA_LocationCode);
  if (!ap) throw malformed(`unknown airport "${loc.IATA_LocationCode}"`, `${path}/IATA_LocationCode`);
  const local = loc.AircraftScheduledDateTime;
  if (!isLocalDateTime(local)) throw malformed(`"${local}" is not a local date-time YYYY-MM-DDTHH:mm[:ss]`, `${path}/AircraftScheduledDateTime`);
  return { airport: ap.code, timeZone: ap.timeZone, local: local.slice(0, 16), at: localToInstant(local, ap.timeZone) };
}

function segment({ seg, path }: { seg: WirePaxSegment; path: string }, lists: Lists): Segment {
  const done = lists.mapped.get(seg.PaxSegmentID);
  if (done) return structuredClone(done);
  const departure = airportTime(seg.Dep, `${path}/Dep`);
  const arrival = airportTime(seg.Arrival, `${path}/Arrival`);
  if (arrival.at <= departure.at) throw malformed('arrival is not after departure', `${path}/Arrival/AircraftScheduledDateTime`);
  const cabin = CABINS_BY_CODE[seg.CabinType.CabinTypeCode];
  if (!cabin) throw malformed(`unknown cabin code "${seg.CabinType.CabinTypeCode}"`, `${path}/CabinType/CabinTypeCode`);
  const marketing = carrier(seg.MarketingCarrierInfo.CarrierDesigCode, `${path}/MarketingCarrierInfo/CarrierDesigCode`);
  const operating = seg.OperatingCarrierInfo ? carrier(seg.OperatingCarrierInfo.CarrierDesigCode, `${path}/OperatingCarrierInfo/CarrierDesigCode`) : undefined;
  const aircraft = (seg.DatedOperatingLeg ?? []).find((l) => l.IATA_AircraftType?.IATA_AircraftTypeCode)?.IATA_AircraftType?.IATA_AircraftTypeCode;
  const mapped: Segment = {
    carrier: marketing,
    flightNumber: seg.MarketingCarrierInfo.MarketingCarrierFlightNumberText,
    ...(operating && operating !== marketing ? { operatingCarrier: operating } : {}),
    departure,
    arrival,
    durationMinutes: Math.round((arrival.at - departure.at) / 60_000),
    cabin,
    bookingClass: seg.RBD_Code,
    stops: Math.max(0, (seg.DatedOperatingLeg?.length ?? 1) - 1),
    ...(aircraft ? { aircraft } : {}),
  };
  lists.mapped.set(seg.PaxSegmentID, mapped);
  return structuredClone(mapped);
}

function slices(journeyIds: string[], lists: Lists, path: string): Slice[] {
  return journeyIds.map((id, i) => {
    const j = lists.journeys.get(id);
    if (!j) throw malformed(`PaxJourneyRefID "${id}" is not in PaxJourneyList`, `${path}/PaxJourneyRefID/${i}`);
    const segments = j.segmentIds.map((sid, k) => {
      const s = lists.segments.get(sid);
      if (!s) throw malformed(`PaxSegmentRefID "${sid}" is not in PaxSegmentList`, `${j.path}/PaxSegmentRefID/${k}`);
      return segment(s, lists);
    });
    const first = segments[0]!;
    const last = segments[segments.length - 1]!;
    return { origin: first.departure.airport, destination: last.arrival.airport, segments, durationMinutes: Math.round((last.arrival.at - first.departure.at) / 60_000) };
  });
}

function conditions(refs: string[] | undefined, lists: Lists, path: string): FareConditions {
  const found: Partial<Record<'Change' | 'Cancel', Penalty>> = {};
  (refs ?? []).forEach((ref, i) => {
    const p = lists.penalties.get(ref);
    if (!p) throw malformed(`PenaltyRefID "${ref}" is not in PenaltyList`, `${path}/PenaltyRefID/${i}`);
    found[p.typeCode] = p.penalty;
  });
  if (!found.Change || !found.Cancel) throw malformed('a Change and a Cancel penalty are both required', `${path}/PenaltyRefID`);
  return { change: found.Change, refund: found.Cancel };
}

const sum = (items: MoneyJson[], currency: string, path: string): Money =>
  items.reduce((acc, m) => {
    if (m.currency !== currency) throw malformed(`currency ${m.currency} differs from ${currency}`, path);
    return acc.add(Money.fromJson(m));
  }, Money.of('0', currency));

/**
 * Per-passenger-type fares from OfferItems or OrderItems (`itemName`): each item prices ONE
 * passenger of one type (total = base + taxes, exactly) and names its passengers by PaxRefID.
 */
function passengerFares(items: WireFareItem[], lists: Lists, currency: string, path: string, itemName: 'OfferItem' | 'OrderItem'): PassengerFare[] {
  return items.map((item, i) => {
    const ip = `${path}/${itemName}/${i}`;
    const taxes = item.Price.TaxSummary ? item.Price.TaxSummary.Tax.map((t) => ({ code: t.TaxCode, amount: t.Amount })) : [];
    const total = sum([item.Price.BaseAmount, ...taxes.map((t) => t.amount)], currency, `${ip}/Price`);
    if (!total.equals(Money.fromJson(item.Price.TotalAmount))) {
      throw malformed(`item total ${item.Price.TotalAmount.amount} is not base + taxes (${total.toFixed()})`, `${ip}/Price/TotalAmount`);
    }
    const types = new Set(
      item.FareDetail.PaxRefID.map((ref, k) => {
        const pax = lists.pax.get(ref);
        if (!pax) throw malformed(`PaxRefID "${ref}" is not in PaxList`, `${ip}/FareDetail/PaxRefID/${k}`);
        return pax.PTC;
      }),
    );
    if (types.size !== 1) throw malformed(`one ${itemName} must price one passenger type`, `${ip}/FareDetail/PaxRefID`);
    return {
      passengerType: [...types][0]!,
      count: item.FareDetail.PaxRefID.length,
      fare: { fareBasis: item.FareDetail.FareComponent[0]!.FareBasisCode, base: item.Price.BaseAmount, taxes, total: total.toJSON() },
    };
  });
}

/** Σ amount × count over the fares. */
const faresSum = (fares: PassengerFare[], pick: (f: PassengerFare['fare']) => MoneyJson, currency: string): Money =>
  fares.reduce((acc, f) => acc.add(Money.fromJson(pick(f.fare)).times(f.count)), Money.of('0', currency));

export function mapOffer(o: WireOffer, lists: Lists, supplier: string, path: string): Offer {
  const currency = o.TotalPrice.TotalAmount.currency;
  const fares = passengerFares(o.OfferItem, lists, currency, path, 'OfferItem');
  const total = faresSum(fares, (f) => f.total, currency);
  const base = faresSum(fares, (f) => f.base, currency);
  if (!total.equals(Money.fromJson(o.TotalPrice.TotalAmount))) {
    throw malformed(`offer total ${o.TotalPrice.TotalAmount.amount} is not the sum of its items (${total.toFixed()})`, `${path}/TotalPrice/TotalAmount`);
  }
  return {
    id: o.OfferID,
    supplier,
    slices: slices(o.PaxJourneyRefID, lists, path),
    fares,
    total: total.toJSON(),
    base: base.toJSON(),
    taxTotal: total.subtract(base).toJSON(),
    seatsLeft: (o.SeatAvailability ?? []).map((s) => ({ bookingClass: s.RBD_Code, seats: Number(s.SeatsLeftQty) })),
    conditions: conditions(o.PenaltyRefID, lists, path),
    expiresAt: o.OfferExpirationDateTime,
    instantPaymentRequired: o.InstantPaymentRequiredInd,
    ticketingDeadline: o.PaymentTimeLimitDateTime ?? null,
    validatingCarrier: carrier(o.OwnerCode, `${path}/OwnerCode`),
  };
}

function throwIfError(body: { Error?: WireError[]; Errors?: { Error: WireError[] } }, message: string, status: number): void {
  const err = errorOf(body, message, status);
  if (err) throw err;
  if (status >= 400) throw new FlightSupplierError('invalid-request', `NDC ${message}: HTTP ${status} without an <Error>`, { status });
}

const offersOf = (data: WireOffersResponse) => data.Response?.OffersGroup?.CarrierOffers?.Offer ?? [];

export function mapAirShoppingRS(xml: string, version: NdcVersion, supplier: string, status = 200): Offer[] {
  const data = parseNdc(xml, version, 'AirShoppingRS', WireOffersResponse);
  throwIfError(data, 'AirShoppingRS', status);
  if (!data.Response) throw malformed('AirShoppingRS has neither Response nor Error', '/Response');
  const lists = indexLists(data.Response.DataLists, 'Response/DataLists');
  return offersOf(data).map((o, i) => mapOffer(o, lists, supplier, `Response/OffersGroup/CarrierOffers/Offer/${i}`));
}

export function mapOfferPriceRS(xml: string, version: NdcVersion, supplier: string, status = 200): PricedOffer {
  const data = parseNdc(xml, version, 'OfferPriceRS', WireOffersResponse);
  throwIfError(data, 'OfferPriceRS', status);
  if (!data.Response) throw malformed('OfferPriceRS has neither Response nor Error', '/Response');
  const offers = offersOf(data);
  if (offers.length !== 1) throw malformed(`OfferPriceRS must price exactly one offer (got ${offers.length})`, 'Response/OffersGroup/CarrierOffers/Offer');
  const offer = mapOffer(offers[0]!, indexLists(data.Response.DataLists, 'Response/DataLists'), supplier, 'Response/OffersGroup/CarrierOffers/Offer/0');
  const changed = [...(data.Warning ?? []), ...(data.Response.Warning ?? [])].some((w) => w.code === 'PRICE_CHANGED');
  return { offer, priceChanged: changed, previousTotal: changed ? (data.Response.PreviousTotalAmount ?? null) : null };
}

function passenger(p: WirePax, path: string): OrderPassenger {
  if (!p.Individual) throw malformed('Individual is missing', `${path}/Individual`);
  const doc = p.IdentityDoc?.find((d) => d.IdentityDocTypeCode === 'PT');
  const title = p.Individual.TitleName as OrderPassenger['title'];
  const gender = p.Individual.GenderCode as OrderPassenger['gender'];
  return {
    id: p.PaxID,
    type: p.PTC,
    ...(title && ['MR', 'MRS', 'MS', 'MISS', 'MSTR', 'DR'].includes(title) ? { title } : {}),
    givenName: p.Individual.GivenName,
    familyName: p.Individual.Surname,
    bornOn: p.Individual.Birthdate,
    ...(gender && ['M', 'F', 'X'].includes(gender) ? { gender } : {}),
    ...(p.ContactInfo?.EmailAddress?.EmailAddressText ? { email: p.ContactInfo.EmailAddress.EmailAddressText } : {}),
    ...(p.ContactInfo?.Phone?.PhoneNumber ? { phone: p.ContactInfo.Phone.PhoneNumber } : {}),
    ...(doc
      ? { passport: { number: doc.IdentityDocID, issuingCountry: doc.IssuingCountryCode, expiresOn: doc.ExpiryDate, ...(doc.CitizenshipCountryCode ? { nationality: doc.CitizenshipCountryCode } : {}) } }
      : {}),
    ...(p.PaxRefID?.[0] ? { infantOf: p.PaxRefID[0] } : {}),
  };
}

const ORDER_PRICE = 'Response/Order/TotalPrice';

/**
 * The order's OrderItems as per-type fares, checked against the order: Σ fare × count equals
 * TotalAmount, BaseAmount and TotalTaxAmount, and every passenger of PaxList is priced once.
 */
function orderFares(items: WireFareItem[], lists: Lists, passengers: OrderPassenger[], price: { TotalAmount: MoneyJson; BaseAmount: MoneyJson; TotalTaxAmount: MoneyJson }): PassengerFare[] {
  const currency = price.TotalAmount.currency;
  const fares = passengerFares(items, lists, currency, 'Response/Order', 'OrderItem');
  const checks: [string, MoneyJson, (f: PassengerFare['fare']) => MoneyJson][] = [
    ['TotalAmount', price.TotalAmount, (f) => f.total],
    ['BaseAmount', price.BaseAmount, (f) => f.base],
  ];
  for (const [field, expected, pick] of checks) {
    const got = faresSum(fares, pick, currency);
    if (!got.equals(Money.fromJson(expected))) throw malformed(`order ${field} ${expected.amount} is not the sum of its OrderItems × passengers (${got.toFixed()})`, `${ORDER_PRICE}/${field}`);
  }
  const taxes = fares.reduce((acc, f) => acc.add(sum(f.fare.taxes.map((t) => t.amount), currency, `${ORDER_PRICE}/TotalTaxAmount`).times(f.count)), Money.of('0', currency));
  if (!taxes.equals(Money.fromJson(price.TotalTaxAmount))) {
    throw malformed(`order TotalTaxAmount ${price.TotalTaxAmount.amount} is not the sum of its OrderItems' taxes × passengers (${taxes.toFixed()})`, `${ORDER_PRICE}/TotalTaxAmount`);
  }
  for (const type of ['ADT', 'CHD', 'INF'] as const) {
    const priced = fares.filter((f) => f.passengerType === type).reduce((n, f) => n + f.count, 0);
    const named = passengers.filter((p) => p.type === type).length;
    if (passengers.length && priced !== named) throw malformed(`OrderItems price ${priced} ${type}, PaxList names ${named}`, 'Response/Order/OrderItem');
  }
  return fares;
}

/** No OrderItems (a gateway that gives only order totals): the even split, fare basis unknown. */
function evenFares(passengers: OrderPassenger[], base: MoneyJson, tax: MoneyJson): PassengerFare[] {
  const exponent = minorUnits(base.currency);
  const minor = (m: MoneyJson) => toMinor(Money.fromJson(m).amount.toFixed(exponent), exponent);
  return splitFaresEvenly(minor(base), minor(tax), base.currency, exponent, passengers.map((p) => ({ type: p.type, fareBasis: '' })));
}

/**
 * Carrier ticket / coupon status codes → document status. An open set: these are the usual
 * IATA coupon codes and the words gateways spell out; anything else (F flown, A airport control,
 * S suspended…) leaves the document live (ISSUED) with the raw code kept in `supplierStatus`.
 */
const DOCUMENT_STATUS_CODES: Readonly<Record<string, DocumentStatus>> = {
  I: 'ISSUED', O: 'ISSUED', OPEN: 'ISSUED', ISSUED: 'ISSUED',
  E: 'EXCHANGED', EXCHANGED: 'EXCHANGED',
  V: 'VOID', VOID: 'VOID', VOIDED: 'VOID',
  R: 'REFUNDED', RF: 'REFUNDED', REFUNDED: 'REFUNDED',
};

/**
 * A ticket's status from TicketStatusCode, else from its coupons when they all agree (a partly
 * flown ticket is still live). The raw code is kept when it is not simply the status's own word.
 */
export function ticketStatus(t: { TicketStatusCode?: string | undefined; Coupon?: { CouponStatusCode?: string | undefined }[] | undefined; ExchangedForTicketNumber?: string | undefined }): Pick<TravelDocument, 'status' | 'supplierStatus' | 'exchangedFor'> {
  const codes = t.TicketStatusCode !== undefined ? [t.TicketStatusCode] : [...new Set((t.Coupon ?? []).flatMap((c) => (c.CouponStatusCode !== undefined ? [c.CouponStatusCode] : [])))];
  if (!codes.length) return t.ExchangedForTicketNumber ? { status: 'EXCHANGED', exchangedFor: t.ExchangedForTicketNumber } : {};
  const mapped = codes.map((c) => DOCUMENT_STATUS_CODES[c.toUpperCase()]);
  const status: DocumentStatus = mapped.every((m) => m !== undefined && m === mapped[0]) ? mapped[0]! : 'ISSUED';
  const raw = codes.join(',');
  return {
    status,
    ...(raw !== status ? { supplierStatus: raw } : {}),
    ...(status === 'EXCHANGED' && t.ExchangedForTicketNumber ? { exchangedFor: t.ExchangedForTicketNumber } : {}),
  };
}

/** OrderViewRS (and OrderCancelRS, which carries the cancelled order) → FlightOrder. */
export function mapOrderRS(xml: string, version: NdcVersion, supplier: string, message: 'OrderViewRS' | 'OrderCancelRS', status = 200): FlightOrder {
  const data = parseNdc(xml, version, message, WireOrderResponse);
  throwIfError(data, message, status);
  if (!data.Response) throw malformed(`${message} has neither Response nor Error`, '/Response');
  const { Order: o, DataLists, TicketDocInfo } = data.Response;
  const lists = indexLists(DataLists, 'Response/DataLists');
  const total = Money.fromJson(o.TotalPrice.TotalAmount);
  if (!Money.fromJson(o.TotalPrice.BaseAmount).add(Money.fromJson(o.TotalPrice.TotalTaxAmount)).equals(total)) {
    throw malformed('order total is not base + taxes', 'Response/Order/TotalPrice/TotalAmount');
  }
  const documents: TravelDocument[] = (TicketDocInfo ?? []).flatMap((info, i) =>
    info.Ticket.map((t, k): TravelDocument => {
      const path = `Response/TicketDocInfo/${i}/Ticket/${k}`;
      const type = t.TicketDocTypeCode === 'T' ? 'ETICKET' : t.TicketDocTypeCode === 'J' || t.TicketDocTypeCode === 'Y' ? 'EMD' : null;
      if (!type) throw malformed(`unknown TicketDocTypeCode "${t.TicketDocTypeCode}"`, `${path}/TicketDocTypeCode`);
      return {
        type,
        number: t.TicketNumber,
        passengerId: info.PaxRefID[0]!,
        ...(t.ReasonText ? { reason: t.ReasonText } : {}),
        ...(t.Amount ? { amount: t.Amount } : {}),
        ...ticketStatus(t),
      };
    }),
  );
  const reference = o.AugmentationPoint?.ItineraReference ?? null;
  const passengers = (DataLists.PaxList?.Pax ?? []).map((p, i) => passenger(p, `Response/DataLists/PaxList/Pax/${i}`));
  const fares = o.OrderItem
    ? orderFares(o.OrderItem, lists, passengers, o.TotalPrice)
    : evenFares(passengers, o.TotalPrice.BaseAmount, o.TotalPrice.TotalTaxAmount);
  return {
    id: o.OrderID,
    supplier,
    bookingReference: o.BookingRef.BookingID,
    reference,
    status: ORDER_STATUSES[o.StatusCode] ?? 'UNKNOWN',
    supplierStatus: o.StatusCode,
    slices: slices(o.PaxJourneyRefID ?? [], lists, 'Response/Order'),
    passengers,
    total: total.toJSON(),
    base: o.TotalPrice.BaseAmount,
    taxTotal: o.TotalPrice.TotalTaxAmount,
    fares,
    paymentDeadline: o.PaymentTimeLimitDateTime ?? null,
    priceGuaranteeExpiresAt: o.PriceGuaranteeTimeLimitDateTime ?? null,
    documents,
    conditions: conditions(o.PenaltyRefID, lists, 'Response/Order'),
    validatingCarrier: carrier(o.OwnerCode, 'Response/Order/OwnerCode'),
    createdAt: o.CreationDateTime,
  };
}

function firstReshopOffer(xml: string, version: NdcVersion, status: number) {
  const data = parseNdc(xml, version, 'OrderReshopRS', WireReshopResponse);
  throwIfError(data, 'OrderReshopRS', status);
  if (!data.Response) throw malformed('OrderReshopRS has neither Response nor Error', '/Response');
  return { data: data.Response, offer: data.Response.ReshopResults.ReshopOffers.Offer[0]! };
}

const OFFER0 = 'Response/ReshopResults/ReshopOffers/Offer/0';

export function mapRefundQuoteRS(xml: string, version: NdcVersion, orderId: string, status = 200): CancellationQuote {
  const { offer } = firstReshopOffer(xml, version, status);
  const d = offer.ReshopDifferential;
  if (!d.RefundAmount) throw malformed('RefundAmount is missing', `${OFFER0}/ReshopDifferential/RefundAmount`);
  return { id: offer.OfferID, orderId, refundAmount: d.RefundAmount, penalty: d.PenaltyAmount, refundTo: d.RefundMethodText || 'original_form_of_payment', expiresAt: offer.OfferExpirationDateTime };
}

export function mapChangeQuoteRS(xml: string, version: NdcVersion, orderId: string, status = 200): ChangeQuote {
  const { data, offer } = firstReshopOffer(xml, version, status);
  const d = offer.ReshopDifferential;
  const p = `${OFFER0}/ReshopDifferential`;
  if (!d.FareDifferenceAmount) throw malformed('FareDifferenceAmount is missing', `${p}/FareDifferenceAmount`);
  if (!d.ReshopDueAmount) throw malformed('ReshopDueAmount is missing', `${p}/ReshopDueAmount`);
  const due = sum([d.FareDifferenceAmount, d.PenaltyAmount], d.ReshopDueAmount.currency, p);
  if (!due.equals(Money.fromJson(d.ReshopDueAmount))) throw malformed('ReshopDueAmount is not fare difference + penalty', `${p}/ReshopDueAmount`);
  return {
    id: offer.OfferID,
    orderId,
    newSlices: slices(offer.PaxJourneyRefID ?? [], indexLists(data.DataLists, 'Response/DataLists'), OFFER0),
    fareDifference: d.FareDifferenceAmount,
    penalty: d.PenaltyAmount,
    totalDue: d.ReshopDueAmount,
    expiresAt: offer.OfferExpirationDateTime,
  };
}
