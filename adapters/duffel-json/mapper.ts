import Decimal from 'decimal.js';
import type { z } from 'zod';
import { AIRPORTS, CARRIERS } from '../../domain/flights/airports';
import {
  FlightSupplierError,
  type Cabin,
  type CancellationQuote,
  type ChangeQuote,
  type CreateOrderRequest,
  type FareConditions,
  type FlightOrder,
  type FlightSearch,
  type Offer,
  type OrderPassenger,
  type PassengerType,
  type Penalty,
  type Segment,
  type Slice,
  type TravelDocument,
} from '../../domain/flights/model';
import { isLocalDateTime, localToInstant } from '../../domain/flights/time';
import { isCurrencyCode, minorUnits } from '../../domain/money/currency';
import { fromMinor, toMinor } from '../../domain/money/minor-units';
import { Dec, type MoneyJson } from '../../domain/money/money';
import { splitFaresEvenly, type Traveller } from '../../domain/flights/fares';
import type {
  WireConditions,
  WireCreateOrderBody,
  WireOrder,
  WireOrderCancellation,
  WireOrderPassenger,
  WireSegment,
  WireSlice,
} from './wire.schema';
import type { WireChangeOffer, WireOfferRequestBody, WirePageMeta } from './wire.schema';
import { OffersPageEnvelope, WireOffer } from './wire.schema';
import { compileFastCheck, REJECT } from './compiled-check';

type Path = string;
type WireChangeOfferT = z.infer<typeof WireChangeOffer>;
type WireOfferRequestBodyT = z.infer<typeof WireOfferRequestBody>;
type WireCreateOrderBodyT = z.infer<typeof WireCreateOrderBody>;

/** Metadata keys the adapter writes on orders (Duffel metadata: string → string). */
export const META_REFERENCE = 'itinera_reference';
export const META_PASSENGERS = 'itinera_passenger_ids';

export function malformed(path: Path, message: string): FlightSupplierError {
  return new FlightSupplierError('malformed-response', `Duffel response malformed at ${path}: ${message}`, { path });
}

/** `['data', 'offers', 3, 'origin']` → `data.offers[3].origin` */
export function formatPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(body)';
}

/** JSON text → validated wire value, or 'malformed-response' naming the first bad path (and up to 5 problems). */
export function parseWire<S extends z.ZodType>(schema: S, text: string, what: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new FlightSupplierError('malformed-response', `Duffel ${what} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { path: '(body)' });
  }
  return validateWire(schema, raw, what);
}

/** `raw` checked against `schema`; `at` is where `raw` sits in the response (`['data', 3]`), for the paths named. */
export function validateWire<S extends z.ZodType>(schema: S, raw: unknown, what: string, at: readonly PropertyKey[] = []): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = formatPath([...at, ...issues[0]!.path]);
  const listed = issues.slice(0, 5).map((i) => `${formatPath([...at, ...i.path])}: ${i.message}`);
  throw new FlightSupplierError('malformed-response', `Duffel ${what} malformed: ${listed.join('; ')}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`, {
    path: first,
  });
}

// ---------------------------------------------------------------- error paths
//
// Paths are built only when an error names them: a page of hundreds of offers that is fine
// builds none. Functions take the base path (a string already made by the caller) plus the
// constant key and indexes below it, and concatenate them in the `throw` branch only.

/** `<base><key>[<si>].segments[<gi>]`, e.g. `data[3].slices[0].segments[1]`. */
function segmentPath(base: Path, key: string, si: number, gi: number): Path {
  return `${base}${key}[${si}].segments[${gi}]`;
}

// ---------------------------------------------------------------- per-call memo

interface LocalAt {
  /** The instant, epoch ms. */
  at: number;
  /** `YYYY-MM-DDTHH:mm`. */
  local: string;
}

/**
 * What one mapping call has already checked and converted. An offers page repeats the same few
 * flights across many fares: each (airport, local time) pair is checked as a real calendar time
 * and turned into an instant once per page, not once per offer. Create one per response.
 */
export class WireMemo {
  /** airport code → local time as sent → its instant, or null when not a real local time. */
  readonly times = new Map<string, Map<string, LocalAt | null>>();
  /** RFC 3339 text as sent → epoch ms. The offers of one page mostly share `expires_at` and
   * `payment_required_by`, and `Date.parse` costs about ten times a Map hit. */
  readonly instants = new Map<string, number>();
}

/** {@link instant} through the memo: each distinct instant text is parsed once per response. */
function memoInstant(memo: WireMemo, text: string): number {
  let at = memo.instants.get(text);
  if (at === undefined) memo.instants.set(text, (at = Date.parse(text)));
  return at;
}

function zonedTime(memo: WireMemo, code: string, timeZone: string, local: string): LocalAt | null {
  let byLocal = memo.times.get(code);
  if (!byLocal) memo.times.set(code, (byLocal = new Map()));
  let hit = byLocal.get(local);
  if (hit === undefined) {
    hit = isLocalDateTime(local) ? { at: localToInstant(local, timeZone), local: local.slice(0, 16) } : null;
    byLocal.set(local, hit);
  }
  return hit;
}

// ---------------------------------------------------------------- money

// Amounts in minor units as BigInt (domain/money/minor-units.ts): exact like Dec, and much cheaper
// on an offers page of hundreds of offers; the wire regex already made each amount a decimal.

/** The currency's exponent, or 'malformed-response' at `<base><field>` for a code that is no currency. */
function exponentOf(currency: string, base: Path, field: string): number {
  if (!isCurrencyCode(currency)) throw malformed(`${base}${field}`, `"${currency}" is not an ISO 4217 currency`);
  return minorUnits(currency);
}

/** Minor units of a wire amount (already a decimal by the schema) with no more decimals than `exponent`. */
function minorOf(amount: string, currency: string, exponent: number, base: Path, field: string): bigint {
  const dot = amount.indexOf('.');
  if (dot >= 0 && amount.length - dot - 1 > exponent) {
    // Trailing zeros beyond the exponent are harmless ("10.500" GBP); other digits are not.
    if (!/^0*$/.test(amount.slice(dot + 1 + exponent))) throw malformed(`${base}${field}`, `${currency} has ${exponent} decimal places; "${amount}" has more`);
    return toMinor(amount.slice(0, dot + 1 + exponent).replace(/\.$/, ''), exponent);
  }
  return toMinor(amount, exponent);
}

/** The amount written with exactly the exponent's decimals: the wire text itself when it already is. */
function moneyOf(amount: string, minor: bigint, currency: string, exponent: number): MoneyJson {
  const dot = amount.indexOf('.');
  const canonical = exponent === 0 ? dot < 0 : dot >= 0 && amount.length - dot - 1 === exponent;
  return canonical ? { amount, currency } : fromMinor(minor, currency, exponent);
}

/** A checked amount: currency known, no more decimals than its exponent; written with exactly that many. */
function money(amount: string, currency: string, base: Path, amountField: string, currencyField: string): MoneyJson {
  const exponent = exponentOf(currency, base, currencyField);
  return moneyOf(amount, minorOf(amount, currency, exponent, base, amountField), currency, exponent);
}

function fixed(value: Dec, currency: string): MoneyJson {
  return { amount: value.toFixed(minorUnits(currency), Decimal.ROUND_HALF_EVEN), currency };
}

function sameCurrency(expected: string, actual: string, base: Path, field: string): void {
  if (actual !== expected) throw malformed(`${base}${field}`, `currency ${actual} differs from the total's ${expected}`);
}

// ---------------------------------------------------------------- itinerary

const CABIN_OF: Record<string, Cabin> = { economy: 'ECONOMY', premium_economy: 'PREMIUM_ECONOMY', business: 'BUSINESS', first: 'FIRST' };
const WIRE_CABIN: Record<Cabin, 'economy' | 'premium_economy' | 'business' | 'first'> = {
  ECONOMY: 'economy',
  PREMIUM_ECONOMY: 'premium_economy',
  BUSINESS: 'business',
  FIRST: 'first',
};

function mapSegment(w: WireSegment, base: Path, key: string, si: number, gi: number, memo: WireMemo): Segment {
  const from = AIRPORTS.get(w.origin.iata_code);
  if (!from) throw malformed(`${segmentPath(base, key, si, gi)}.origin.iata_code`, `unknown airport "${w.origin.iata_code}"`);
  const dep = zonedTime(memo, from.code, from.timeZone, w.departing_at);
  if (!dep) throw malformed(`${segmentPath(base, key, si, gi)}.departing_at`, `"${w.departing_at}" is not a real local date-time`);
  const to = AIRPORTS.get(w.destination.iata_code);
  if (!to) throw malformed(`${segmentPath(base, key, si, gi)}.destination.iata_code`, `unknown airport "${w.destination.iata_code}"`);
  const arr = zonedTime(memo, to.code, to.timeZone, w.arriving_at);
  if (!arr) throw malformed(`${segmentPath(base, key, si, gi)}.arriving_at`, `"${w.arriving_at}" is not a real local date-time`);
  if (arr.at <= dep.at) throw malformed(`${segmentPath(base, key, si, gi)}.arriving_at`, `arrives (${arr.local} ${to.timeZone}) before it departs (${dep.local} ${from.timeZone})`);
  const marketing = w.marketing_carrier.iata_code;
  if (!CARRIERS.has(marketing)) throw malformed(`${segmentPath(base, key, si, gi)}.marketing_carrier.iata_code`, `unknown carrier "${marketing}"`);
  const first = w.passengers[0]!;
  const segment: Segment = {
    carrier: marketing,
    flightNumber: w.marketing_carrier_flight_number,
    departure: { airport: from.code, timeZone: from.timeZone, local: dep.local, at: dep.at },
    arrival: { airport: to.code, timeZone: to.timeZone, local: arr.local, at: arr.at },
    durationMinutes: Math.round((arr.at - dep.at) / 60_000),
    cabin: CABIN_OF[first.cabin_class]!,
    bookingClass: first.booking_class ?? first.fare_basis_code.charAt(0),
    stops: w.stops.length,
  };
  const operating = w.operating_carrier?.iata_code;
  if (operating !== undefined && operating !== marketing) {
    if (!CARRIERS.has(operating)) throw malformed(`${segmentPath(base, key, si, gi)}.operating_carrier.iata_code`, `unknown carrier "${operating}"`);
    segment.operatingCarrier = operating;
  }
  const aircraft = w.aircraft?.iata_code ?? w.aircraft?.name;
  if (aircraft) segment.aircraft = aircraft;
  return segment;
}

/** Slice `w` found at `<base><key>[<si>]` (key `.slices`, or `.slices.add` in a change offer). */
function mapSlice(w: WireSlice, base: Path, key: string, si: number, memo: WireMemo): Slice {
  const wire = w.segments;
  const segments: Segment[] = [];
  for (let gi = 0; gi < wire.length; gi++) {
    const segment = mapSegment(wire[gi]!, base, key, si, gi, memo);
    if (gi > 0 && segment.departure.at < segments[gi - 1]!.arrival.at) throw malformed(`${segmentPath(base, key, si, gi)}.departing_at`, 'departs before the previous segment arrives');
    segments.push(segment);
  }
  return {
    origin: w.origin.iata_code,
    destination: w.destination.iata_code,
    segments,
    durationMinutes: Math.round((segments[segments.length - 1]!.arrival.at - segments[0]!.departure.at) / 60_000),
  };
}

function mapSlices(w: readonly WireSlice[], base: Path, key: string, memo: WireMemo): Slice[] {
  const out: Slice[] = [];
  for (let si = 0; si < w.length; si++) out.push(mapSlice(w[si]!, base, key, si, memo));
  return out;
}

function carrier(code: string, base: Path, field: string): string {
  if (!CARRIERS.has(code)) throw malformed(`${base}${field}`, `unknown carrier "${code}"`);
  return code;
}

/** The condition at `<base><field>` (`.conditions.refund_before_departure`). */
function penalty(w: WireConditions['refund_before_departure'], base: Path, field: string): Penalty {
  if (!w) return { allowed: false, fee: null };
  if (w.penalty_amount == null) return { allowed: w.allowed, fee: null };
  if (!w.penalty_currency) throw malformed(`${base}${field}.penalty_currency`, 'missing beside penalty_amount');
  return { allowed: w.allowed, fee: money(w.penalty_amount, w.penalty_currency, base, `${field}.penalty_amount`, `${field}.penalty_currency`) };
}

function conditions(w: WireConditions, base: Path): FareConditions {
  return {
    change: penalty(w.change_before_departure, base, '.conditions.change_before_departure'),
    refund: penalty(w.refund_before_departure, base, '.conditions.refund_before_departure'),
  };
}

// ---------------------------------------------------------------- passengers & fares

const TYPE_OF: Record<string, PassengerType> = { adult: 'ADT', child: 'CHD', infant_without_seat: 'INF' };
const WIRE_TYPE: Record<PassengerType, 'adult' | 'child' | 'infant_without_seat'> = { ADT: 'adult', CHD: 'child', INF: 'infant_without_seat' };

function typeOfAge(age: number): PassengerType {
  return age < 2 ? 'INF' : age < 12 ? 'CHD' : 'ADT';
}

/** Passenger `<base>.passengers[<i>]`'s type: its own, else by its age. */
function passengerType(p: { type?: string | null; age?: number | null }, base: Path, i: number): PassengerType {
  if (p.type) return TYPE_OF[p.type]!;
  if (p.age != null) return typeOfAge(p.age);
  throw malformed(`${base}.passengers[${i}]`, 'passenger has neither a type nor an age');
}

/** Age in whole years on a date (both YYYY-MM-DD). */
function ageOn(bornOn: string, date: string): number {
  const [by, bm, bd] = bornOn.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** The fare basis of each traveller (by wire passenger id), from the first segment's passenger list. */
function fareBasisOf(w: { slices: readonly WireSlice[] }, passengerId: string, base: Path): string {
  const list = w.slices[0]!.segments[0]!.passengers;
  for (let j = 0; j < list.length; j++) if (list[j]!.passenger_id === passengerId) return list[j]!.fare_basis_code;
  throw malformed(`${base}.slices[0].segments[0].passengers`, `no fare for passenger ${passengerId}`);
}

interface Totals {
  total: MoneyJson;
  base: MoneyJson;
  taxTotal: MoneyJson;
  exponent: number;
  baseMinor: bigint;
  taxMinor: bigint;
}

function totals(w: { total_amount: string; total_currency: string; base_amount: string; base_currency: string; tax_amount: string; tax_currency: string }, path: Path): Totals {
  const currency = w.total_currency;
  const exponent = exponentOf(currency, path, '.total_currency');
  const totalMinor = minorOf(w.total_amount, currency, exponent, path, '.total_amount');
  sameCurrency(currency, w.base_currency, path, '.base_currency');
  sameCurrency(currency, w.tax_currency, path, '.tax_currency');
  const baseMinor = minorOf(w.base_amount, currency, exponent, path, '.base_amount');
  const taxMinor = minorOf(w.tax_amount, currency, exponent, path, '.tax_amount');
  const total = moneyOf(w.total_amount, totalMinor, currency, exponent);
  const base = moneyOf(w.base_amount, baseMinor, currency, exponent);
  const taxTotal = moneyOf(w.tax_amount, taxMinor, currency, exponent);
  if (baseMinor + taxMinor !== totalMinor) {
    throw malformed(`${path}.total_amount`, `total ${total.amount} ≠ base ${base.amount} + tax ${taxTotal.amount} ${currency}`);
  }
  return { total, base, taxTotal, exponent, baseMinor, taxMinor };
}

const instant = (text: string): number => Date.parse(text);

// ---------------------------------------------------------------- offers

/** One offer at `path` (`data[3]`). Pass one `memo` for all the offers of one response (see {@link mapOffers}). */
export function mapOffer(w: WireOffer, path: Path, supplier: string, memo: WireMemo = new WireMemo()): Offer {
  return offerWithPassengers(w, path, supplier, memo, null);
}

/** {@link mapOffer}; with `pax`, also pushes the offer's passengers (wire id, type) onto it. */
function offerWithPassengers(w: WireOffer, path: Path, supplier: string, memo: WireMemo, pax: { id: string; type: PassengerType }[] | null): Offer {
  const t = totals(w, path);
  const slices = mapSlices(w.slices, path, '.slices', memo);
  const travellers: Traveller[] = [];
  for (let i = 0; i < w.passengers.length; i++) {
    const type = passengerType(w.passengers[i]!, path, i);
    travellers.push({ type, fareBasis: '' });
    if (pax) pax.push({ id: w.passengers[i]!.id, type });
  }
  for (let i = 0; i < w.passengers.length; i++) travellers[i]!.fareBasis = fareBasisOf(w, w.passengers[i]!.id, path);
  const seatsLeft: Offer['seatsLeft'] = [];
  for (let si = 0; si < w.slices.length; si++) {
    const segs = w.slices[si]!.segments;
    for (let gi = 0; gi < segs.length; gi++) {
      const seats = segs[gi]!.available_seats;
      if (seats == null) continue;
      const bookingClass = slices[si]!.segments[gi]!.bookingClass;
      let j = 0;
      while (j < seatsLeft.length && seatsLeft[j]!.bookingClass !== bookingClass) j++;
      if (j < seatsLeft.length) seatsLeft[j]!.seats = Math.min(seatsLeft[j]!.seats, seats);
      else seatsLeft.push({ bookingClass, seats });
    }
  }
  return {
    id: w.id,
    supplier,
    slices,
    fares: splitFaresEvenly(t.baseMinor, t.taxMinor, t.total.currency, t.exponent, travellers),
    total: t.total,
    base: t.base,
    taxTotal: t.taxTotal,
    seatsLeft,
    conditions: conditions(w.conditions, path),
    expiresAt: memoInstant(memo, w.expires_at),
    instantPaymentRequired: w.payment_requirements.requires_instant_payment,
    ticketingDeadline: w.payment_requirements.payment_required_by ? memoInstant(memo, w.payment_requirements.payment_required_by) : null,
    validatingCarrier: carrier(w.owner.iata_code, path, '.owner.iata_code'),
  };
}

/** {@link WireOffer} as a fast check, built once (null if the schema ever outgrows the compiler). */
const FAST_OFFER = compileFastCheck(WireOffer);

export interface MappedOffersPage {
  offers: Offer[];
  /** Each offer's passengers (wire id, type), in the order of `offers`: what a create-order body needs. */
  passengers: { id: string; type: PassengerType }[][];
  meta: WirePageMeta;
}

/**
 * An offers page (`GET /air/offers`) from its text: parsed, validated and mapped. The envelope is
 * checked with {@link OffersPageEnvelope}, then each offer with {@link WireOffer} and mapped at once
 * (the same contract as {@link OffersPageResponse}); each offer's validated copy is garbage as soon
 * as it is mapped instead of a copy of the whole page outliving the mapping. Paths name the offer
 * (`data[3].total_amount`); the first offer found malformed fails the page.
 */
export function mapOffersPage(text: string, supplier: string): MappedOffersPage {
  const page = parseWire(OffersPageEnvelope, text, 'offers page');
  const memo = new WireMemo();
  const offers: Offer[] = [];
  const passengers: { id: string; type: PassengerType }[][] = [];
  for (let i = 0; i < page.data.length; i++) {
    // The fast check derived from WireOffer accepts only what zod accepts; anything else goes to
    // zod, which names the offending path (compiled-check.ts).
    const fast = FAST_OFFER ? FAST_OFFER(page.data[i]) : REJECT;
    const w = fast !== REJECT ? fast : validateWire(WireOffer, page.data[i], 'offers page', ['data', i]);
    page.data[i] = undefined; // the parsed offer is garbage once checked: let the young generation drop it
    const pax: { id: string; type: PassengerType }[] = [];
    offers.push(offerWithPassengers(w, `data[${i}]`, supplier, memo, pax));
    passengers.push(pax);
  }
  return { offers, passengers, meta: page.meta };
}

/** The offers of one response (`data`, or `data.offers`), sharing one {@link WireMemo}. */
export function mapOffers(w: readonly WireOffer[], path: Path, supplier: string): Offer[] {
  const memo = new WireMemo();
  const out: Offer[] = [];
  for (let i = 0; i < w.length; i++) out.push(mapOffer(w[i]!, `${path}[${i}]`, supplier, memo));
  return out;
}

// ---------------------------------------------------------------- orders

function passengerIdMap(metadata: Record<string, string> | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of (metadata?.[META_PASSENGERS] ?? '').split(',')) {
    const [wire, ours] = pair.split('=');
    if (wire && ours) out.set(wire, decodeURIComponent(ours));
  }
  return out;
}

function mapOrderPassenger(w: WireOrderPassenger, ids: Map<string, string>, firstDate: string): OrderPassenger {
  const p: OrderPassenger = {
    id: ids.get(w.id) ?? w.id,
    type: w.type ? TYPE_OF[w.type]! : typeOfAge(ageOn(w.born_on, firstDate)),
    givenName: w.given_name,
    familyName: w.family_name,
    bornOn: w.born_on,
  };
  if (w.title) p.title = w.title.toUpperCase() as OrderPassenger['title'];
  if (w.gender) p.gender = w.gender.toUpperCase() as OrderPassenger['gender'];
  if (w.email) p.email = w.email;
  if (w.phone_number) p.phone = w.phone_number;
  const doc = w.identity_documents[0];
  if (doc) {
    p.passport = { number: doc.unique_identifier, issuingCountry: doc.issuing_country_code, expiresOn: doc.expires_on };
    if (doc.nationality) p.passport.nationality = doc.nationality;
  }
  return p;
}

export function mapOrder(w: WireOrder, path: Path, supplier: string): FlightOrder {
  const t = totals(w, path);
  const slices = mapSlices(w.slices, path, '.slices', new WireMemo());
  const ids = passengerIdMap(w.metadata);
  const firstDate = slices[0]!.segments[0]!.departure.local.slice(0, 10);
  const passengers = w.passengers.map((p) => mapOrderPassenger(p, ids, firstDate));
  const byWireId = new Map(w.passengers.map((p, i) => [p.id, passengers[i]!]));
  w.passengers.forEach((p, i) => {
    if (!p.infant_passenger_id) return;
    const infant = byWireId.get(p.infant_passenger_id);
    if (!infant) throw malformed(`${path}.passengers[${i}].infant_passenger_id`, `no passenger ${p.infant_passenger_id} in the order`);
    infant.infantOf = passengers[i]!.id;
  });
  const documents: TravelDocument[] = [];
  w.documents.forEach((d, i) => {
    d.passenger_ids.forEach((pid, j) => {
      const pax = byWireId.get(pid);
      if (!pax) throw malformed(`${path}.documents[${i}].passenger_ids[${j}]`, `no passenger ${pid} in the order`);
      const doc: TravelDocument = { type: d.type === 'electronic_ticket' ? 'ETICKET' : 'EMD', number: d.unique_identifier, passengerId: pax.id };
      if (d.reason) doc.reason = d.reason;
      if (d.amount != null) {
        if (!d.currency) throw malformed(`${path}.documents[${i}].currency`, 'missing beside amount');
        doc.amount = money(d.amount, d.currency, path, `.documents[${i}].amount`, `.documents[${i}].currency`);
      }
      documents.push(doc);
    });
  });
  // Duffel orders carry totals only: split per traveller like an offer's (see splitFares).
  const travellers: Traveller[] = w.passengers.map((p, i) => ({ type: passengers[i]!.type, fareBasis: fareBasisOf(w, p.id, path) }));
  const fares = splitFaresEvenly(t.baseMinor, t.taxMinor, t.total.currency, t.exponent, travellers);
  const held = w.payment_status.awaiting_payment && !w.cancelled_at;
  const [status, supplierStatus]: [FlightOrder['status'], string] = w.cancelled_at
    ? ['CANCELLED', 'cancelled']
    : held
      ? ['HELD', 'awaiting_payment']
      : documents.some((d) => d.type === 'ETICKET')
        ? ['TICKETED', 'ticketed']
        : ['CONFIRMED', 'confirmed'];
  return {
    id: w.id,
    supplier,
    bookingReference: w.booking_reference,
    reference: w.metadata?.[META_REFERENCE] ?? null,
    status,
    supplierStatus,
    slices,
    passengers,
    total: t.total,
    base: t.base,
    taxTotal: t.taxTotal,
    fares,
    paymentDeadline: held && w.payment_status.payment_required_by ? instant(w.payment_status.payment_required_by) : null,
    priceGuaranteeExpiresAt: held && w.payment_status.price_guarantee_expires_at ? instant(w.payment_status.price_guarantee_expires_at) : null,
    documents,
    conditions: conditions(w.conditions, path),
    validatingCarrier: carrier(w.owner.iata_code, path, '.owner.iata_code'),
    createdAt: instant(w.created_at),
  };
}

/** What the customer paid on the order: its total once paid, nothing while awaiting payment. */
export function paidOn(order: FlightOrder): MoneyJson {
  return order.status === 'HELD' ? fixed(new Dec(0), order.total.currency) : order.total;
}

export function mapCancellationQuote(w: z.infer<typeof WireOrderCancellation>, paid: MoneyJson, path: Path): CancellationQuote {
  const refund = money(w.refund_amount, w.refund_currency, path, '.refund_amount', '.refund_currency');
  sameCurrency(paid.currency, refund.currency, path, '.refund_currency');
  const penaltyAmount = Dec.max(new Dec(paid.amount).minus(refund.amount), 0);
  if (new Dec(refund.amount).greaterThan(paid.amount)) throw malformed(`${path}.refund_amount`, `refund ${refund.amount} exceeds the ${paid.amount} paid`);
  return {
    id: w.id,
    orderId: w.order_id,
    refundAmount: refund,
    penalty: fixed(penaltyAmount, paid.currency),
    refundTo: w.refund_to,
    expiresAt: instant(w.expires_at),
  };
}

/**
 * A change offer → ChangeQuote. `newSlices` is the whole itinerary after the change (as the
 * sandbox core and NDC give it): the order's slices with each removed one replaced, in order, by
 * the added ones; without `current`, only the added slices.
 */
export function mapChangeOffer(w: WireChangeOfferT, orderId: string, path: Path, current?: { id: string; slice: Slice }[]): ChangeQuote {
  const change = money(w.change_total_amount.replace(/^-/, ''), w.change_total_currency, path, '.change_total_amount', '.change_total_currency');
  const penaltyMoney = money(w.penalty_total_amount, w.penalty_total_currency, path, '.penalty_total_amount', '.penalty_total_currency');
  sameCurrency(change.currency, penaltyMoney.currency, path, '.penalty_total_currency');
  const changeTotal = w.change_total_amount.startsWith('-') ? new Dec(change.amount).negated() : new Dec(change.amount);
  // A cheaper new fare leaves a residual that is not refunded here: the difference floors at 0.
  const difference = Dec.max(changeTotal.minus(penaltyMoney.amount), 0);
  return {
    id: w.id,
    orderId,
    newSlices: newItinerary(w, path, current),
    fareDifference: fixed(difference, change.currency),
    penalty: penaltyMoney,
    totalDue: fixed(difference.plus(penaltyMoney.amount), change.currency),
    expiresAt: instant(w.expires_at),
  };
}

function newItinerary(w: WireChangeOfferT, path: Path, current?: { id: string; slice: Slice }[]): Slice[] {
  const added = mapSlices(w.slices.add, path, '.slices.add', new WireMemo());
  if (!current) return added;
  const removed = new Set(w.slices.remove.map((s) => s.id));
  const out = current.map((c) => (removed.has(c.id) ? added.shift() : c.slice)).filter((s): s is Slice => s !== undefined);
  return [...out, ...added];
}

// ---------------------------------------------------------------- requests (domain → wire)

export function toOfferRequestBody(search: FlightSearch): WireOfferRequestBodyT {
  return {
    data: {
      slices: search.slices.map((s) => ({ origin: s.origin, destination: s.destination, departure_date: s.departureDate })),
      passengers: search.passengers.map((p) => (p.type === 'ADT' || p.age == null ? { type: WIRE_TYPE[p.type] } : { age: p.age })),
      cabin_class: WIRE_CABIN[search.cabin],
    },
  };
}

/**
 * The create-order body. Each of our passengers takes one of the offer's passenger ids, in order
 * within its type; our own ids travel in metadata so the order maps back to them.
 */
export function toCreateOrderBody(req: CreateOrderRequest, offerPassengers: { id: string; type: PassengerType }[]): WireCreateOrderBodyT {
  const free = [...offerPassengers];
  const wireIdOf = new Map<string, string>();
  for (const p of req.passengers) {
    const at = free.findIndex((o) => o.type === p.type);
    if (at < 0) throw new FlightSupplierError('invalid-request', `The offer has no ${p.type} place left for passenger ${p.id}`);
    wireIdOf.set(p.id, free.splice(at, 1)[0]!.id);
  }
  if (free.length) throw new FlightSupplierError('invalid-request', `The offer is for ${offerPassengers.length} passengers; the order names ${req.passengers.length}`);
  const infantOf = new Map(req.passengers.filter((p) => p.infantOf).map((p) => [p.infantOf!, wireIdOf.get(p.id)!]));
  return {
    data: {
      type: req.payment.kind,
      selected_offers: [req.offerId],
      passengers: req.passengers.map((p) => ({
        id: wireIdOf.get(p.id)!,
        title: p.title ? (p.title.toLowerCase() as 'mr') : undefined,
        given_name: p.givenName,
        family_name: p.familyName,
        born_on: p.bornOn,
        gender: p.gender ? (p.gender.toLowerCase() as 'm') : undefined,
        email: p.email,
        phone_number: p.phone,
        infant_passenger_id: infantOf.get(p.id),
        identity_documents: p.passport
          ? [{ type: 'passport' as const, unique_identifier: p.passport.number, issuing_country_code: p.passport.issuingCountry, expires_on: p.passport.expiresOn, nationality: p.passport.nationality }]
          : [],
      })),
      payments: req.payment.kind === 'instant' ? [{ type: 'balance', amount: req.payment.amount.amount, currency: req.payment.amount.currency }] : undefined,
      metadata: {
        [META_REFERENCE]: req.reference,
        [META_PASSENGERS]: req.passengers.map((p) => `${wireIdOf.get(p.id)}=${encodeURIComponent(p.id)}`).join(','),
      },
    },
  };
}

/** The offer's passengers as the create-order body needs them (after validation of the offer). */
export function offerPassengers(w: WireOffer, path: Path): { id: string; type: PassengerType }[] {
  return w.passengers.map((p, i) => ({ id: p.id, type: passengerType(p, path, i) }));
}

// ---------------------------------------------------------------- rendering (domain → wire, for the sandbox front)

const iso = (at: number): string => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');

function renderPlace(code: string) {
  const a = AIRPORTS.get(code);
  return { type: 'airport' as const, iata_code: code, name: a?.name ?? code, time_zone: a?.timeZone ?? null };
}

function renderPenalty(p: Penalty) {
  return { allowed: p.allowed, penalty_amount: p.fee?.amount ?? null, penalty_currency: p.fee?.currency ?? null };
}

function renderConditions(c: FareConditions) {
  return { refund_before_departure: renderPenalty(c.refund), change_before_departure: renderPenalty(c.change) };
}

function minutesToIso(minutes: number): string {
  return `PT${Math.floor(minutes / 60)}H${minutes % 60}M`;
}

interface RenderPax {
  id: string;
  type: PassengerType;
  fareBasis: string;
}

export function renderSlice(s: Slice, sliceId: string, pax: RenderPax[], seats?: Map<string, number>) {
  return {
    id: sliceId,
    origin: renderPlace(s.origin),
    destination: renderPlace(s.destination),
    duration: minutesToIso(s.durationMinutes),
    segments: s.segments.map((g, i) => ({
      id: `seg_${i + 1}_${sliceId}`,
      origin: renderPlace(g.departure.airport),
      destination: renderPlace(g.arrival.airport),
      departing_at: `${g.departure.local}:00`,
      arriving_at: `${g.arrival.local}:00`,
      marketing_carrier: { iata_code: g.carrier, name: CARRIERS.get(g.carrier) ?? g.carrier },
      marketing_carrier_flight_number: g.flightNumber,
      operating_carrier: { iata_code: g.operatingCarrier ?? g.carrier, name: CARRIERS.get(g.operatingCarrier ?? g.carrier) ?? '' },
      aircraft: g.aircraft ? { iata_code: g.aircraft, name: g.aircraft } : null,
      duration: minutesToIso(g.durationMinutes),
      stops: Array.from({ length: g.stops }, () => ({})),
      passengers: pax.map((p) => ({ passenger_id: p.id, cabin_class: WIRE_CABIN[g.cabin], fare_basis_code: p.fareBasis, booking_class: g.bookingClass })),
      available_seats: seats?.get(g.bookingClass) ?? null,
    })),
  };
}

/** The offer's travellers, one per fare count, with wire ids `pas_<n>_<offer id>`. */
export function offerTravellers(offer: Offer): RenderPax[] {
  const out: RenderPax[] = [];
  for (const f of offer.fares) for (let i = 0; i < f.count; i++) out.push({ id: `pas_${out.length + 1}_${offer.id}`, type: f.passengerType, fareBasis: f.fare.fareBasis });
  return out;
}

export function renderOffer(offer: Offer, createdAt: number) {
  const pax = offerTravellers(offer);
  const seats = new Map(offer.seatsLeft.map((s) => [s.bookingClass, s.seats]));
  return {
    id: offer.id,
    live_mode: false,
    created_at: iso(createdAt),
    expires_at: iso(offer.expiresAt),
    total_amount: offer.total.amount,
    total_currency: offer.total.currency,
    base_amount: offer.base.amount,
    base_currency: offer.base.currency,
    tax_amount: offer.taxTotal.amount,
    tax_currency: offer.taxTotal.currency,
    owner: { iata_code: offer.validatingCarrier, name: CARRIERS.get(offer.validatingCarrier) ?? offer.validatingCarrier },
    slices: offer.slices.map((s, i) => renderSlice(s, `sli_${i + 1}_${offer.id}`, pax, seats)),
    passengers: pax.map((p) => ({ id: p.id, type: WIRE_TYPE[p.type], age: null })),
    conditions: renderConditions(offer.conditions),
    payment_requirements: {
      requires_instant_payment: offer.instantPaymentRequired,
      price_guarantee_expires_at: offer.instantPaymentRequired ? null : iso(offer.expiresAt),
      payment_required_by: offer.ticketingDeadline == null ? null : iso(offer.ticketingDeadline),
    },
  };
}

/** Slice ids of an order: `sli_<n>_<order id>` (1-based), so a change request names slices by index. */
export const orderSliceId = (orderId: string, index: number): string => `sli_${index + 1}_${orderId}`;
export function sliceIndexOf(sliceId: string, orderId: string): number | null {
  const m = /^sli_(\d+)_(.+)$/.exec(sliceId);
  return m && m[2] === orderId ? Number(m[1]) - 1 : null;
}

/** `cancelledAt`: when the cancellation was confirmed (the domain order does not say); createdAt if unknown. */
export function renderOrder(order: FlightOrder, metadata: Record<string, string> | null, cancelledAt?: number) {
  const pax: RenderPax[] = order.passengers.map((p) => ({ id: p.id, type: p.type, fareBasis: 'Y' }));
  const infantOf = new Map(order.passengers.filter((p) => p.infantOf).map((p) => [p.infantOf!, p.id]));
  const cancelled = order.status === 'CANCELLED';
  const held = order.status === 'HELD';
  return {
    id: order.id,
    live_mode: false,
    booking_reference: order.bookingReference,
    created_at: iso(order.createdAt),
    cancelled_at: cancelled ? iso(cancelledAt ?? order.createdAt) : null,
    total_amount: order.total.amount,
    total_currency: order.total.currency,
    base_amount: order.base.amount,
    base_currency: order.base.currency,
    tax_amount: order.taxTotal.amount,
    tax_currency: order.taxTotal.currency,
    owner: { iata_code: order.validatingCarrier, name: CARRIERS.get(order.validatingCarrier) ?? order.validatingCarrier },
    slices: order.slices.map((s, i) => renderSlice(s, orderSliceId(order.id, i), pax)),
    passengers: order.passengers.map((p) => ({
      id: p.id,
      type: WIRE_TYPE[p.type],
      title: p.title ? p.title.toLowerCase() : null,
      given_name: p.givenName,
      family_name: p.familyName,
      born_on: p.bornOn,
      gender: p.gender ? p.gender.toLowerCase() : null,
      email: p.email ?? null,
      phone_number: p.phone ?? null,
      infant_passenger_id: infantOf.get(p.id) ?? null,
      identity_documents: p.passport
        ? [{ type: 'passport', unique_identifier: p.passport.number, issuing_country_code: p.passport.issuingCountry, expires_on: p.passport.expiresOn, nationality: p.passport.nationality ?? null }]
        : [],
    })),
    conditions: renderConditions(order.conditions),
    payment_status: {
      awaiting_payment: held,
      payment_required_by: held && order.paymentDeadline != null ? iso(order.paymentDeadline) : null,
      price_guarantee_expires_at: held && order.priceGuaranteeExpiresAt != null ? iso(order.priceGuaranteeExpiresAt) : null,
      paid_at: null,
    },
    documents: order.documents.map((d) => ({
      type: d.type === 'ETICKET' ? 'electronic_ticket' : 'electronic_miscellaneous_document_associated',
      unique_identifier: d.number,
      passenger_ids: [d.passengerId],
      reason: d.reason ?? null,
      amount: d.amount?.amount ?? null,
      currency: d.amount?.currency ?? null,
    })),
    metadata: metadata ?? (order.reference ? { [META_REFERENCE]: order.reference } : null),
  };
}

export function renderCancellation(q: CancellationQuote, createdAt: number, confirmedAt: number | null) {
  return {
    id: q.id,
    order_id: q.orderId,
    refund_amount: q.refundAmount.amount,
    refund_currency: q.refundAmount.currency,
    refund_to: q.refundTo,
    expires_at: iso(q.expiresAt),
    confirmed_at: confirmedAt == null ? null : iso(confirmedAt),
    created_at: iso(createdAt),
    live_mode: false,
  };
}

export function renderChangeOffer(q: ChangeQuote, removed: { slice: Slice; index: number }[], newTotal: MoneyJson) {
  return {
    id: q.id,
    change_total_amount: q.totalDue.amount,
    change_total_currency: q.totalDue.currency,
    new_total_amount: newTotal.amount,
    new_total_currency: newTotal.currency,
    penalty_total_amount: q.penalty.amount,
    penalty_total_currency: q.penalty.currency,
    expires_at: iso(q.expiresAt),
    refund_to: 'original_form_of_payment',
    slices: {
      add: removed.map((r, i) => renderSliceWithPax(q.newSlices[r.index] ?? q.newSlices[i]!, `sli_new_${i + 1}_${q.id}`)),
      remove: removed.map((r) => renderSliceWithPax(r.slice, orderSliceId(q.orderId, r.index))),
    },
  };
}

/** A slice with one anonymous passenger entry (segments must name at least one). */
function renderSliceWithPax(s: Slice, id: string) {
  return renderSlice(s, id, [{ id: 'pas_order', type: 'ADT', fareBasis: s.segments[0]?.bookingClass ?? 'Y' }]);
}

export function renderOrderChange(changeId: string, q: ChangeQuote, newTotal: MoneyJson, confirmedAt: number | null) {
  return {
    id: changeId,
    order_id: q.orderId,
    selected_order_change_offer: q.id,
    change_total_amount: q.totalDue.amount,
    change_total_currency: q.totalDue.currency,
    new_total_amount: newTotal.amount,
    new_total_currency: newTotal.currency,
    penalty_total_amount: q.penalty.amount,
    penalty_total_currency: q.penalty.currency,
    expires_at: iso(q.expiresAt),
    confirmed_at: confirmedAt == null ? null : iso(confirmedAt),
  };
}

