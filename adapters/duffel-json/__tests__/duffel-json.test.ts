/* eslint-disable @typescript-eslint/no-explicit-any -- the malformed cases edit untyped fixture JSON in place */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { FlightSupplierError } from '../../../domain/flights/model';
import { Dec } from '../../../domain/money/money';
import { errorFromResponse, retryAfterMs } from '../client';
import { mapCancellationQuote, mapChangeOffer, mapOffer, mapOffers, mapOffersPage, mapOrder, parseWire, paidOn, toCreateOrderBody, offerPassengers } from '../mapper';
import {
  OfferRequestResponse,
  OffersPageResponse,
  OrderCancellationResponse,
  OrderChangeRequestResponse,
  OrderChangeResponse,
  OrderResponse,
  PaymentResponse,
  type WireOffer,
  type WireOrder,
} from '../wire.schema';

const text = (name: string) => readFileSync(path.join(__dirname, '..', '__fixtures__', name), 'utf8');
const S = 'duffel-test';
const noHeaders = { get: (): string | null => null };

function failure(fn: () => unknown): FlightSupplierError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FlightSupplierError);
    return err as FlightSupplierError;
  }
  throw new Error('expected a FlightSupplierError');
}

/** The offer request fixture with one field changed by `edit`, as text. */
function editedOffer(edit: (offer: Record<string, any>) => void): string {
  const body = JSON.parse(text('offer-request.json'));
  edit(body.data.offers[1]);
  return JSON.stringify(body);
}

const minor = (amount: string) => new Dec(amount).times(100);

describe('Duffel JSON fixtures: parse, validate, map', () => {
  it('an offer request with offers maps to domain offers with zoned times and exact totals', () => {
    const wire = parseWire(OfferRequestResponse, text('offer-request.json'), 'offer request');
    const offers = wire.data.offers.map((o, i) => mapOffer(o, `data.offers[${i}]`, S));
    expect(offers).toHaveLength(2);
    const [instant, holdable] = offers as [ReturnType<typeof mapOffer>, ReturnType<typeof mapOffer>];
    expect(instant.total).toEqual({ amount: '1690.61', currency: 'GBP' });
    expect(instant.instantPaymentRequired).toBe(true);
    expect(instant.conditions).toEqual({ change: { allowed: true, fee: { amount: '150.00', currency: 'GBP' } }, refund: { allowed: false, fee: null } });
    const out = instant.slices[0]!.segments[0]!;
    expect(out).toMatchObject({ carrier: 'BA', flightNumber: '117', bookingClass: 'V', cabin: 'ECONOMY', aircraft: '777', stops: 0 });
    // 08:25 London (GMT in March before the change) → 12:20 New York (EDT from 14 March 2027): 7 h 55.
    expect(out.departure).toEqual({ airport: 'LHR', timeZone: 'Europe/London', local: '2027-03-14T08:25', at: Date.parse('2027-03-14T08:25:00Z') });
    expect(out.arrival).toEqual({ airport: 'JFK', timeZone: 'America/New_York', local: '2027-03-14T12:20', at: Date.parse('2027-03-14T16:20:00Z') });
    expect(out.durationMinutes).toBe(475);
    expect(instant.fares.map((f) => [f.passengerType, f.count, f.fare.fareBasis])).toEqual([
      ['ADT', 1, 'VSAVERGB'],
      ['CHD', 1, 'VSAVERGBCH'],
    ]);
    const sum = instant.fares.reduce((s, f) => s.plus(new Dec(f.fare.total.amount).times(f.count)), new Dec(0));
    expect(sum.toFixed(2)).toBe(instant.total.amount);
    expect(holdable.instantPaymentRequired).toBe(false);
    expect(holdable.ticketingDeadline).not.toBeNull();
    expect(holdable.seatsLeft.length).toBeGreaterThan(0);
  });

  it('an offers page carries the cursor', () => {
    const page = parseWire(OffersPageResponse, text('offers-page.json'), 'offers page');
    expect(page.data).toHaveLength(2);
    expect(page.meta.limit).toBe(2);
    expect(page.meta.after).toEqual(expect.any(String));
    expect(page.meta.before).toBeNull();
    page.data.forEach((o, i) => expect(mapOffer(o, `data[${i}]`, S).supplier).toBe(S));
  });

  it('a hold order: awaiting payment with deadlines, our passenger ids and reference restored', () => {
    const order = mapOrder(parseWire(OrderResponse, text('order-hold.json'), 'order').data, 'data', S);
    expect(order).toMatchObject({ status: 'HELD', supplierStatus: 'awaiting_payment', reference: 'booking-ABC123:create-flight-order', documents: [] });
    expect(order.paymentDeadline).toBe(Date.parse('2027-03-04T09:00:00Z'));
    expect(order.priceGuaranteeExpiresAt).toBe(Date.parse('2027-03-02T09:00:00Z'));
    expect(order.passengers.map((p) => [p.id, p.type, p.title, p.gender])).toEqual([
      ['P1', 'ADT', 'MR', 'F'],
      ['P2', 'CHD', 'MSTR', 'M'],
    ]);
    expect(order.passengers[0]!.passport).toEqual({ number: '123456789', issuingCountry: 'GB', expiresOn: '2030-01-01' });
    expect(paidOn(order)).toEqual({ amount: '0.00', currency: 'GBP' });
  });

  it('a payment, then the paid order: ticketed with one e-ticket per passenger', () => {
    const payment = parseWire(PaymentResponse, text('payment.json'), 'payment').data;
    expect(payment).toMatchObject({ type: 'balance', amount: '2385.36', currency: 'GBP' });
    const order = mapOrder(parseWire(OrderResponse, text('order-paid.json'), 'order').data, 'data', S);
    expect(order.status).toBe('TICKETED');
    expect(order.paymentDeadline).toBeNull();
    expect(order.documents).toEqual([
      { type: 'ETICKET', number: '1252100000001', passengerId: 'P1' },
      { type: 'ETICKET', number: '1252100000002', passengerId: 'P2' },
    ]);
  });

  it('an instant order is ticketed at once; without our passenger map the wire ids stay', () => {
    const order = mapOrder(parseWire(OrderResponse, text('order-instant.json'), 'order').data, 'data', S);
    expect(order.status).toBe('TICKETED');
    expect(order.reference).toBe('booking-XYZ789:create-flight-order');
    expect(order.passengers[0]!.id).toMatch(/^pas_/);
    expect(order.documents).toHaveLength(2);
  });

  it('cancellation quote and confirmation; the cancelled order', () => {
    const order = mapOrder(parseWire(OrderResponse, text('order-instant.json'), 'order').data, 'data', S);
    const quote = mapCancellationQuote(parseWire(OrderCancellationResponse, text('order-cancellation.json'), 'cancellation').data, paidOn(order), 'data');
    expect(quote.refundAmount).toEqual({ amount: '92.48', currency: 'GBP' });
    expect(quote.penalty).toEqual({ amount: '193.50', currency: 'GBP' }); // 285.98 paid − 92.48 back
    expect(quote.refundTo).toBe('original_form_of_payment');
    const confirmed = parseWire(OrderCancellationResponse, text('order-cancellation-confirmed.json'), 'cancellation').data;
    expect(confirmed.confirmed_at).toBe('2027-03-01T09:00:00Z');
    expect(mapOrder(parseWire(OrderResponse, text('order-cancelled.json'), 'order').data, 'data', S).status).toBe('CANCELLED');
    // A refund above what was paid is not believed.
    const e = failure(() => mapCancellationQuote({ ...confirmed, refund_amount: '300.00' }, paidOn(order), 'data'));
    expect(e.details.path).toBe('data.refund_amount');
  });

  it('change request offer, order change, confirmation', () => {
    const ocr = parseWire(OrderChangeRequestResponse, text('order-change-request.json'), 'change request').data;
    const quote = mapChangeOffer(ocr.order_change_offers[0]!, ocr.order_id, 'data.order_change_offers[0]');
    const held = mapOrder(parseWire(OrderResponse, text('order-hold.json'), 'order').data, 'data', S);
    const wireHeld = parseWire(OrderResponse, text('order-hold.json'), 'order').data;
    const whole = mapChangeOffer(ocr.order_change_offers[0]!, ocr.order_id, 'x', wireHeld.slices.map((s, i) => ({ id: s.id, slice: held.slices[i]! })));
    expect(whole.newSlices.map((s) => s.segments[0]!.departure.local)).toEqual([held.slices[0]!.segments[0]!.departure.local, '2027-03-22T18:10']);
    expect(quote.penalty).toEqual({ amount: '150.00', currency: 'GBP' });
    expect(quote.totalDue).toEqual({ amount: '165.75', currency: 'GBP' });
    expect(quote.fareDifference).toEqual({ amount: '15.75', currency: 'GBP' });
    expect(quote.newSlices[0]!.segments[0]!.departure.local.slice(0, 10)).toBe('2027-03-22');
    const change = parseWire(OrderChangeResponse, text('order-change.json'), 'order change').data;
    expect(change.confirmed_at).toBeNull();
    expect(parseWire(OrderChangeResponse, text('order-change-confirmed.json'), 'order change').data.confirmed_at).toBe('2027-03-01T09:00:00Z');
  });

  it('error bodies map to kinds by Duffel code, and Retry-After to retryAfterMs', () => {
    expect(errorFromResponse(422, text('error-price-changed.json'), noHeaders, 0, 'POST /air/orders')).toMatchObject({ kind: 'fare-changed', details: { status: 422, supplierCode: 'price_changed' } });
    expect(errorFromResponse(422, text('error-validation.json'), noHeaders, 0, 'x').kind).toBe('invalid-request');
    expect(errorFromResponse(404, text('error-not-found.json'), noHeaders, 0, 'x').kind).toBe('not-found');
    const limited = errorFromResponse(429, text('error-rate-limited.json'), { get: (h: string) => (h === 'retry-after' ? '7' : null) }, 0, 'x');
    expect(limited).toMatchObject({ kind: 'rate-limited', details: { retryAfterMs: 7000 } });
    expect(retryAfterMs('Sun, 28 Nov 2027 10:00:30 GMT', Date.parse('2027-11-28T10:00:00Z'))).toBe(30_000);
    expect(errorFromResponse(401, '{}', noHeaders, 0, 'x').kind).toBe('auth');
    expect(errorFromResponse(502, '<html>Bad gateway</html>', noHeaders, 0, 'x').kind).toBe('unavailable');
    const offerGone = JSON.stringify({ errors: [{ type: 'invalid_state_error', code: 'offer_no_longer_available' }] });
    expect(errorFromResponse(422, offerGone, noHeaders, 0, 'x').kind).toBe('offer-expired');
    const superseded = JSON.stringify({ errors: [{ type: 'invalid_state_error', code: 'quote_expired' }] });
    expect(errorFromResponse(422, superseded, noHeaders, 0, 'x').kind).toBe('quote-expired');
  });
});

describe('malformed responses are typed errors naming the path', () => {
  const parseOffers = (body: string) => {
    const wire = parseWire(OfferRequestResponse, body, 'offer request');
    return wire.data.offers.map((o, i) => mapOffer(o, `data.offers[${i}]`, S));
  };

  it.each([
    ['unknown airport', (o: any) => (o.slices[0].segments[0].origin.iata_code = 'XXX'), 'data.offers[1].slices[0].segments[0].origin.iata_code'],
    ['unknown carrier', (o: any) => (o.slices[1].segments[0].marketing_carrier.iata_code = 'Q9'), 'data.offers[1].slices[1].segments[0].marketing_carrier.iata_code'],
    ['total ≠ base + tax', (o: any) => (o.total_amount = '1.00'), 'data.offers[1].total_amount'],
    ['amount as a JSON number', (o: any) => (o.tax_amount = 698.36), 'data.offers[1].tax_amount'],
    ['missing total', (o: any) => delete o.total_amount, 'data.offers[1].total_amount'],
    ['too many decimals for GBP', (o: any) => ((o.base_amount = '1.001'), (o.total_amount = '699.361')), 'data.offers[1].total_amount'],
    ['unknown currency', (o: any) => ((o.total_currency = 'XYZ'), (o.base_currency = 'XYZ'), (o.tax_currency = 'XYZ')), 'data.offers[1].total_currency'],
    ['a local time that does not exist', (o: any) => (o.slices[0].segments[0].departing_at = '2027-02-30T08:25:00'), 'data.offers[1].slices[0].segments[0].departing_at'],
    ['a time with an offset', (o: any) => (o.slices[0].segments[0].departing_at = '2027-03-14T08:25:00Z'), 'data.offers[1].slices[0].segments[0].departing_at'],
    ['arrival before departure', (o: any) => (o.slices[0].segments[0].arriving_at = '2027-03-14T01:00:00'), 'data.offers[1].slices[0].segments[0].arriving_at'],
    ['a segment without passengers', (o: any) => (o.slices[0].segments[0].passengers = []), 'data.offers[1].slices[0].segments[0].passengers'],
    ['a currency mismatch', (o: any) => (o.tax_currency = 'EUR'), 'data.offers[1].tax_currency'],
    ['an unknown operating carrier', (o: any) => (o.slices[1].segments[0].operating_carrier = { iata_code: 'Q9' }), 'data.offers[1].slices[1].segments[0].operating_carrier.iata_code'],
    ['an unknown destination airport', (o: any) => (o.slices[1].segments[0].destination.iata_code = 'XXX'), 'data.offers[1].slices[1].segments[0].destination.iata_code'],
    ['a penalty with too many decimals', (o: any) => (o.conditions.change_before_departure = { allowed: true, penalty_amount: '1.234', penalty_currency: 'GBP' }), 'data.offers[1].conditions.change_before_departure.penalty_amount'],
    ['a penalty without its currency', (o: any) => (o.conditions.change_before_departure = { allowed: true, penalty_amount: '12.00' }), 'data.offers[1].conditions.change_before_departure.penalty_currency'],
    ['an unknown penalty currency', (o: any) => (o.conditions.refund_before_departure = { allowed: true, penalty_amount: '12.00', penalty_currency: 'XYZ' }), 'data.offers[1].conditions.refund_before_departure.penalty_currency'],
    ['a passenger without type or age', (o: any) => (o.passengers[1] = { id: o.passengers[1].id }), 'data.offers[1].passengers[1]'],
    ['an unknown validating carrier', (o: any) => (o.owner.iata_code = 'Q9'), 'data.offers[1].owner.iata_code'],
  ])('%s', (_what, edit, expectedPath) => {
    const e = failure(() => parseOffers(editedOffer(edit)));
    expect(e.kind).toBe('malformed-response');
    expect(e.details.path).toBe(expectedPath);
    expect(e.message).toContain(expectedPath);
  });

  it('an offers page is checked offer by offer, naming the offer in the path (schema and mapping alike)', () => {
    const body = JSON.parse(text('offers-page.json'));
    const good = mapOffersPage(JSON.stringify(body), S);
    const whole = parseWire(OffersPageResponse, text('offers-page.json'), 'offers page');
    expect(good.offers).toEqual(mapOffers(whole.data, 'data', S));
    expect(good.passengers).toEqual(whole.data.map((w, i) => offerPassengers(w, `data[${i}]`)));
    expect(good.meta).toEqual(whole.meta);
    const zodBad = structuredClone(body);
    zodBad.data[1].slices[0].segments[0].departing_at = 'soon';
    const e1 = failure(() => mapOffersPage(JSON.stringify(zodBad), S));
    expect(e1).toMatchObject({ kind: 'malformed-response', details: { path: 'data[1].slices[0].segments[0].departing_at' } });
    const mapBad = structuredClone(body);
    mapBad.data[1].slices[0].segments[0].origin.iata_code = 'XXX';
    expect(failure(() => mapOffersPage(JSON.stringify(mapBad), S)).details.path).toBe('data[1].slices[0].segments[0].origin.iata_code');
    expect(failure(() => mapOffersPage(JSON.stringify({ data: {}, meta: body.meta }), S)).details.path).toBe('data');
    expect(failure(() => mapOffersPage(JSON.stringify({ data: [] }), S)).details.path).toBe('meta');
  });

  it('a change offer names the added slice in its paths', () => {
    const ocr = JSON.parse(text('order-change-request.json'));
    ocr.data.order_change_offers[0].slices.add[0].segments[0].marketing_carrier.iata_code = 'Q9';
    const w = parseWire(OrderChangeRequestResponse, JSON.stringify(ocr), 'change request').data;
    const e = failure(() => mapChangeOffer(w.order_change_offers[0]!, w.order_id, 'data.order_change_offers[0]'));
    expect(e.details.path).toBe('data.order_change_offers[0].slices.add[0].segments[0].marketing_carrier.iata_code');
  });

  it('not JSON at all, or no data', () => {
    expect(failure(() => parseWire(OrderResponse, '<html>502</html>', 'order'))).toMatchObject({ kind: 'malformed-response', details: { path: '(body)' } });
    expect(failure(() => parseWire(OrderResponse, '{"errors":[]}', 'order')).details.path).toBe('data');
  });

  it('an order document naming a passenger not on the order', () => {
    const body = JSON.parse(text('order-paid.json'));
    body.data.documents[1].passenger_ids = ['pas_ghost'];
    const e = failure(() => mapOrder(parseWire(OrderResponse, JSON.stringify(body), 'order').data, 'data', S));
    expect(e.details.path).toBe('data.documents[1].passenger_ids[0]');
  });
});

describe('order fares: totals split per traveller', () => {
  const order = () => parseWire(OrderResponse, text('order-hold.json'), 'order').data;

  it('an order of two splits base and tax evenly, one XT line each, by passenger type', () => {
    const mapped = mapOrder(order(), 'data', S);
    expect(mapped.fares).toEqual([
      { passengerType: 'ADT', count: 1, fare: { fareBasis: 'Y', base: { amount: '843.50', currency: 'GBP' }, taxes: [{ code: 'XT', amount: { amount: '349.18', currency: 'GBP' } }], total: { amount: '1192.68', currency: 'GBP' } } },
      { passengerType: 'CHD', count: 1, fare: { fareBasis: 'Y', base: { amount: '843.50', currency: 'GBP' }, taxes: [{ code: 'XT', amount: { amount: '349.18', currency: 'GBP' } }], total: { amount: '1192.68', currency: 'GBP' } } },
    ]);
  });

  it('an uneven split: the remainder rides on the first traveller, who gets a line of their own', () => {
    const w = order();
    const pax = w.passengers[0]!;
    const wire: WireOrder = {
      ...w,
      base_amount: '100.00',
      tax_amount: '0.01',
      total_amount: '100.01',
      passengers: [0, 1, 2].map((i) => ({ ...pax, id: `pas_${i}`, type: 'adult' as const })),
      metadata: null,
      documents: [],
      slices: w.slices.map((s) => ({ ...s, segments: s.segments.map((g) => ({ ...g, passengers: [0, 1, 2].map((i) => ({ passenger_id: `pas_${i}`, cabin_class: 'economy' as const, fare_basis_code: 'YFLEX' })) })) })),
    };
    expect(mapOrder(wire, 'data', S).fares).toEqual([
      { passengerType: 'ADT', count: 1, fare: { fareBasis: 'YFLEX', base: { amount: '33.34', currency: 'GBP' }, taxes: [{ code: 'XT', amount: { amount: '0.01', currency: 'GBP' } }], total: { amount: '33.35', currency: 'GBP' } } },
      { passengerType: 'ADT', count: 2, fare: { fareBasis: 'YFLEX', base: { amount: '33.33', currency: 'GBP' }, taxes: [], total: { amount: '33.33', currency: 'GBP' } } },
    ]);
  });

  it('an order passenger without a fare on the first segment is malformed', () => {
    const w = order();
    w.slices[0]!.segments[0]!.passengers = [w.slices[0]!.segments[0]!.passengers[0]!];
    expect(failure(() => mapOrder(w, 'data', S))).toMatchObject({ kind: 'malformed-response', details: { path: 'data.slices[0].segments[0].passengers' } });
  });

  it('property: Σ fare × count = order total, base and tax, for any amounts, party and currency exponent', () => {
    const w = order();
    const pax = w.passengers[0]!;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10_000_000_000n }),
        fc.bigInt({ min: 0n, max: 10_000_000n }),
        fc.array(fc.constantFrom('adult', 'child', 'infant_without_seat'), { minLength: 1, maxLength: 9 }),
        fc.constantFrom(['JPY', 0] as const, ['GBP', 2] as const, ['KWD', 3] as const),
        (baseMinor, taxMinor, types, [currency, exponent]) => {
          const amount = (m: bigint) => new Dec(m.toString()).dividedBy(new Dec(10).pow(exponent)).toFixed(exponent);
          const ids = types.map((_, i) => `pas_${i}`);
          const wire: WireOrder = {
            ...w,
            total_amount: amount(baseMinor + taxMinor),
            total_currency: currency,
            base_amount: amount(baseMinor),
            base_currency: currency,
            tax_amount: amount(taxMinor),
            tax_currency: currency,
            conditions: {},
            metadata: null,
            documents: [],
            passengers: types.map((type, i) => ({ ...pax, id: ids[i]!, type: type as 'adult', infant_passenger_id: null })),
            slices: w.slices.map((s) => ({ ...s, segments: s.segments.map((g) => ({ ...g, passengers: ids.map((id, i) => ({ passenger_id: id, cabin_class: 'economy' as const, fare_basis_code: i % 2 ? 'YCH' : 'Y' })) })) })),
          };
          const mapped = mapOrder(wire, 'data', S);
          const unit = (m: { amount: string }) => new Dec(m.amount).times(new Dec(10).pow(exponent));
          let base = new Dec(0);
          let tax = new Dec(0);
          let total = new Dec(0);
          let count = 0;
          for (const f of mapped.fares) {
            const taxes = f.fare.taxes.reduce((s, t) => s.plus(unit(t.amount)), new Dec(0));
            expect(f.fare.taxes.every((t) => t.code === 'XT' && t.amount.currency === currency)).toBe(true);
            expect(unit(f.fare.base).plus(taxes).equals(unit(f.fare.total))).toBe(true);
            expect(unit(f.fare.total).isInteger()).toBe(true);
            base = base.plus(unit(f.fare.base).times(f.count));
            tax = tax.plus(taxes.times(f.count));
            total = total.plus(unit(f.fare.total).times(f.count));
            count += f.count;
          }
          expect(base.equals(baseMinor.toString())).toBe(true);
          expect(tax.equals(taxMinor.toString())).toBe(true);
          expect(total.equals((baseMinor + taxMinor).toString())).toBe(true);
          expect(count).toBe(types.length);
          expect(mapped.total).toEqual({ amount: amount(baseMinor + taxMinor), currency });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('requests', () => {
  it('create-order body: our passengers take the offer passenger ids by type; ids travel in metadata', () => {
    const offer = parseWire(OfferRequestResponse, text('offer-request.json'), 'offer request').data.offers[1]!;
    const body = toCreateOrderBody(
      {
        offerId: offer.id,
        reference: 'wf-1:create-flight-order',
        payment: { kind: 'hold' },
        passengers: [
          { id: 'kid', type: 'CHD', givenName: 'Tom', familyName: 'Smith', bornOn: '2018-05-01' },
          { id: 'mum', type: 'ADT', givenName: 'Ann', familyName: 'Smith', bornOn: '1980-02-02', title: 'MRS' },
        ],
      },
      offerPassengers(offer, 'data'),
    );
    expect(body.data.passengers.map((p) => p.id)).toEqual([offer.passengers[1]!.id, offer.passengers[0]!.id]);
    expect(body.data.payments).toBeUndefined();
    expect(body.data.metadata).toEqual({ itinera_reference: 'wf-1:create-flight-order', itinera_passenger_ids: `${offer.passengers[1]!.id}=kid,${offer.passengers[0]!.id}=mum` });
    expect(() => toCreateOrderBody({ offerId: offer.id, reference: 'r', payment: { kind: 'hold' }, passengers: [] }, offerPassengers(offer, 'data'))).toThrow(FlightSupplierError);
  });
});

describe('property: every mapped offer has total = base + taxes in minor units', () => {
  const base: WireOffer = parseWire(OfferRequestResponse, text('offer-request.json'), 'offer request').data.offers[1]!;
  it('holds for any split of the amounts and any party', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10_000_000n }),
        fc.bigInt({ min: 0n, max: 10_000_000n }),
        fc.array(fc.constantFrom('adult', 'child', 'infant_without_seat'), { minLength: 1, maxLength: 9 }),
        (baseMinor, taxMinor, types) => {
          const money = (m: bigint) => new Dec(m.toString()).dividedBy(100).toFixed(2);
          const passengers = types.map((type, i) => ({ id: `pas_${i}`, type: type as 'adult' }));
          const segPax = passengers.map((p) => ({ passenger_id: p.id, cabin_class: 'economy' as const, fare_basis_code: 'YFLEX' }));
          const wire: WireOffer = {
            ...base,
            base_amount: money(baseMinor),
            tax_amount: money(taxMinor),
            total_amount: money(baseMinor + taxMinor),
            passengers,
            slices: base.slices.map((s) => ({ ...s, segments: s.segments.map((g) => ({ ...g, passengers: segPax })) })),
          };
          const offer = mapOffer(wire, 'data', S);
          expect(minor(offer.base.amount).plus(minor(offer.taxTotal.amount)).equals(minor(offer.total.amount))).toBe(true);
          let total = new Dec(0);
          let count = 0;
          for (const f of offer.fares) {
            const taxes = f.fare.taxes.reduce((s, t) => s.plus(minor(t.amount.amount)), new Dec(0));
            expect(minor(f.fare.base.amount).plus(taxes).equals(minor(f.fare.total.amount))).toBe(true);
            expect(minor(f.fare.total.amount).isInteger()).toBe(true);
            total = total.plus(minor(f.fare.total.amount).times(f.count));
            count += f.count;
          }
          expect(total.equals(minor(offer.total.amount))).toBe(true);
          expect(count).toBe(types.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the offer schema is what Itinera consumes (lean wire schema)', () => {
  const page = () => JSON.parse(text('offers-page.json'));

  it('fields present on the wire but not consumed are neither checked nor kept', () => {
    const body = page();
    const o = body.data[0];
    // Junk in each field the mapper never reads: none of it fails the page.
    o.live_mode = 'yes';
    o.created_at = 'yesterday';
    o.owner.name = 42;
    o.payment_requirements.price_guarantee_expires_at = 'soon';
    o.slices[0].id = null;
    o.slices[0].duration = 475;
    const g = o.slices[0].segments[0];
    g.id = 7;
    g.duration = false;
    g.operating_carrier_flight_number = 117;
    g.origin.name = null;
    g.origin.time_zone = 'Mars/Olympus';
    g.origin.type = 'spaceport';
    g.marketing_carrier.name = [];
    g.passengers[0].cabin_class_marketing_name = 3;
    const junk = mapOffersPage(JSON.stringify(body), S);
    expect(junk.offers).toEqual(mapOffersPage(text('offers-page.json'), S).offers);
    const wire = OffersPageResponse.parse(body).data[0]! as Record<string, any>;
    expect(Object.keys(wire)).not.toContain('live_mode');
    expect(Object.keys(wire.slices[0].segments[0])).not.toContain('duration');
    expect(wire.slices[0].segments[0].origin).toEqual({ iata_code: 'LHR' });
  });

  it.each([
    ['aircraft code not a string', (o: any) => (o.slices[0].segments[0].aircraft = { iata_code: 777 }), 'data[0].slices[0].segments[0].aircraft.iata_code'],
    ['stops not a list', (o: any) => (o.slices[0].segments[0].stops = 'none'), 'data[0].slices[0].segments[0].stops'],
    ['a stop that is not an object', (o: any) => (o.slices[0].segments[0].stops = [1]), 'data[0].slices[0].segments[0].stops[0]'],
    ['booking class not a string', (o: any) => (o.slices[1].segments[0].passengers[1].booking_class = 5), 'data[0].slices[1].segments[0].passengers[1].booking_class'],
    ['seats left negative', (o: any) => (o.slices[0].segments[0].available_seats = -1), 'data[0].slices[0].segments[0].available_seats'],
    ['a ticketing deadline without offset', (o: any) => (o.payment_requirements.payment_required_by = '2027-03-04T09:00:00'), 'data[0].payment_requirements.payment_required_by'],
    ['an empty owner code', (o: any) => (o.owner = { iata_code: '' }), 'data[0].owner.iata_code'],
  ])('a consumed field is still checked: %s', (_what, edit, expectedPath) => {
    const body = page();
    edit(body.data[0]);
    const e = failure(() => mapOffersPage(JSON.stringify(body), S));
    expect(e.kind).toBe('malformed-response');
    expect(e.details.path).toBe(expectedPath);
  });

  it('instants are parsed once per page and still per offer: different expiries stay apart', () => {
    const body = page();
    body.data[1].expires_at = '2027-03-01T10:00:00+01:00';
    body.data[1].payment_requirements.payment_required_by = '2027-03-04T09:00:00Z';
    body.data.push({ ...structuredClone(body.data[1]), id: 'off_third', expires_at: '2027-03-01T09:45:00Z' });
    const { offers } = mapOffersPage(JSON.stringify(body), S);
    expect(offers.map((o) => o.expiresAt)).toEqual([Date.parse(body.data[0].expires_at), Date.parse('2027-03-01T09:00:00Z'), Date.parse('2027-03-01T09:45:00Z')]);
    expect(offers[1]!.ticketingDeadline).toBe(Date.parse('2027-03-04T09:00:00Z'));
    expect(offers[2]!.ticketingDeadline).toBe(offers[1]!.ticketingDeadline);
  });
});
