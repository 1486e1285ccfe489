import fc from 'fast-check';
import { FlightSupplierError, liveTickets, type CreateOrderRequest, type FlightSearch, type Offer, type OrderPassenger } from '../../../domain/flights/model';
import { Dec } from '../../../domain/money/money';
import { HOUR_MS, MINUTE_MS } from '../../../domain/time/instant';
import { OFFER_TTL_MS, QUOTE_TTL_MS, SandboxAirline } from '../core';
import { itineraries, SCHEDULE } from '../schedule';

const T0 = Date.parse('2027-03-01T10:00:00Z');

function airline() {
  let now = T0;
  const core = new SandboxAirline({ now: () => now });
  return { core, advance: (ms: number) => (now += ms), at: () => now };
}

const adult = (id = 'p1', familyName = 'Lovelace'): OrderPassenger => ({ id, type: 'ADT', givenName: 'Ada', familyName, bornOn: '1985-12-10' });
const oneWay = (origin: string, destination: string, departureDate: string, cabin: FlightSearch['cabin'] = 'ECONOMY'): FlightSearch => ({
  slices: [{ origin, destination, departureDate }],
  passengers: [{ type: 'ADT' }],
  cabin,
});
const classOf = (o: Offer) => o.slices[0]!.segments[0]!.bookingClass;
const order = (offer: Offer, reference: string, payment: CreateOrderRequest['payment'] = { kind: 'instant', amount: offer.total }): CreateOrderRequest => ({
  offerId: offer.id,
  passengers: [adult()],
  payment,
  reference,
});

async function failure(p: Promise<unknown>): Promise<FlightSupplierError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FlightSupplierError);
    return e as FlightSupplierError;
  }
  throw new Error('expected a FlightSupplierError');
}

describe('sandbox GDS schedule', () => {
  it('LAX–SYD crosses the date line: arrives two calendar days later, duration from instants', () => {
    const [qf12] = itineraries('LAX', 'SYD', '2027-03-10').filter((legs) => legs[0]!.flight.flightNumber === '12');
    const leg = qf12![0]!;
    // 10 March 2027: Los Angeles still on PST (−8, DST starts 14 March); Sydney on AEDT (+11) until April.
    expect(leg.departure).toEqual({ airport: 'LAX', timeZone: 'America/Los_Angeles', local: '2027-03-10T22:30', at: Date.parse('2027-03-11T06:30:00Z') });
    expect(leg.arrival).toEqual({ airport: 'SYD', timeZone: 'Australia/Sydney', local: '2027-03-12T08:35', at: Date.parse('2027-03-11T21:35:00Z') });
    expect(leg.arrival.at - leg.departure.at).toBe(905 * MINUTE_MS);
    expect(leg.durationMinutes).toBe(905);
  });

  it('SIN–SYD overnight arrives the next morning; SYD–LAX lands "before" it left', () => {
    const sq221 = itineraries('SIN', 'SYD', '2027-07-01').find((l) => l[0]!.flight.flightNumber === '221')![0]!;
    expect(sq221.departure.local).toBe('2027-07-01T20:40');
    expect(sq221.arrival.local).toBe('2027-07-02T06:15'); // AEST +10 in July: 12:40Z + 7h35 = 20:15Z
    expect(sq221.arrival.at).toBe(Date.parse('2027-07-01T20:15:00Z'));
    const qf11 = itineraries('SYD', 'LAX', '2027-03-10')[0]![0]!;
    expect(qf11.arrival.local < qf11.departure.local).toBe(true);
    expect(qf11.durationMinutes).toBe(820);
  });

  it('builds one-stop connections with a minimum connection time (LHR–SYD via SIN and DXB)', () => {
    const trips = itineraries('LHR', 'SYD', '2027-03-10');
    const vias = new Set(trips.filter((t) => t.length === 2).map((t) => t[0]!.flight.destination));
    expect(vias).toEqual(new Set(['SIN', 'DXB']));
    for (const [a, b] of trips.filter((t) => t.length === 2)) expect(b!.departure.at - a!.arrival.at).toBeGreaterThanOrEqual(60 * MINUTE_MS);
    expect(SCHEDULE.every((f) => /^\d{1,4}$/.test(f.flightNumber))).toBe(true);
  });
});

describe('sandbox GDS core', () => {
  it('every offer of a range of searches has total = base + taxes, exactly, per fare and in all', async () => {
    const routes = [['LHR', 'JFK'], ['LHR', 'CDG'], ['CDG', 'NRT'], ['LHR', 'SYD'], ['JFK', 'GRU'], ['SYD', 'AKL'], ['LAX', 'SYD'], ['DXB', 'SIN']] as const;
    const { core } = airline();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.integer({ min: 3, max: 200 }),
        fc.constantFrom('ECONOMY', 'PREMIUM_ECONOMY', 'BUSINESS', 'FIRST' as const),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        async ([o, d], days, cabin, adults, children, infant) => {
          const date = new Date(T0 + days * 86_400_000).toISOString().slice(0, 10);
          const passengers = [...Array(adults).fill({ type: 'ADT' }), ...Array(children).fill({ type: 'CHD', age: 8 }), ...(infant ? [{ type: 'INF' as const }] : [])];
          const offers = await core.search({ slices: [{ origin: o, destination: d, departureDate: date }], passengers, cabin });
          for (const offer of offers) {
            let total = new Dec(0);
            let base = new Dec(0);
            let tax = new Dec(0);
            for (const { count, fare } of offer.fares) {
              const taxes = fare.taxes.reduce((a, t) => a.plus(t.amount.amount), new Dec(0));
              expect(new Dec(fare.base.amount).plus(taxes).equals(fare.total.amount)).toBe(true);
              for (const m of [fare.base, fare.total, ...fare.taxes.map((t) => t.amount)]) expect(m.currency).toBe(offer.total.currency);
              total = total.plus(new Dec(fare.total.amount).times(count));
              base = base.plus(new Dec(fare.base.amount).times(count));
              tax = tax.plus(taxes.times(count));
            }
            expect([total.equals(offer.total.amount), base.equals(offer.base.amount), tax.equals(offer.taxTotal.amount)]).toEqual([true, true, true]);
            expect(new Dec(offer.base.amount).plus(offer.taxTotal.amount).equals(offer.total.amount)).toBe(true);
            const chd = offer.fares.find((f) => f.passengerType === 'CHD');
            if (chd) expect(new Dec(chd.fare.base.amount).equals(new Dec(offer.fares[0]!.fare.base.amount).times('0.75').toDecimalPlaces(2, Dec.ROUND_HALF_UP))).toBe(true);
          }
        },
      ),
      { numRuns: 30, seed: 20271 },
    );
  });

  it('offers carry fare classes with their conditions, an expiry and a ticketing deadline for holds', async () => {
    const { core, at } = airline();
    const offers = await core.search(oneWay('LHR', 'JFK', '2027-03-10'));
    const v = offers.find((o) => classOf(o) === 'V')!;
    const m = offers.find((o) => classOf(o) === 'M')!;
    expect(v.instantPaymentRequired).toBe(true);
    expect(v.ticketingDeadline).toBeNull();
    expect(v.conditions.refund).toEqual({ allowed: false, fee: null });
    expect(m.conditions.change).toEqual({ allowed: true, fee: { amount: '75.00', currency: 'GBP' } });
    expect(m.ticketingDeadline).toBe(at() + 72 * HOUR_MS);
    expect(m.expiresAt).toBe(at() + OFFER_TTL_MS);
    expect(v.fares[0]!.fare.taxes.map((t) => t.code)).toEqual(['GB', 'UB', 'YQ']);
    // Departure 45 h away: deadline = departure − 24 h.
    const soon = await core.search(oneWay('LHR', 'CDG', '2027-03-03'));
    const y = soon.find((o) => classOf(o) === 'Y')!;
    expect(y.ticketingDeadline).toBe(y.slices[0]!.segments[0]!.departure.at - 24 * HOUR_MS);
  });

  it('seat counts drop as orders are created and come back on cancellation; sold out when none left', async () => {
    const { core } = airline();
    const flight = { carrier: 'BA', flightNumber: '117', date: '2027-03-10', bookingClass: 'V' };
    expect(core.seatsLeft(flight)).toBe(4);
    const pick = async () => (await core.search(oneWay('LHR', 'JFK', '2027-03-10'))).find((o) => classOf(o) === 'V' && o.slices[0]!.segments[0]!.flightNumber === '117');
    const orders = [];
    for (let i = 0; i < 4; i++) orders.push(await core.createOrder(order((await pick())!, `ref-${i}`)));
    expect(core.seatsLeft(flight)).toBe(0);
    expect(await pick()).toBeUndefined(); // no longer offered

    const quote = await core.quoteCancellation(orders[0]!.id);
    expect(await core.confirmCancellation(quote.id, 'cx-0')).toMatchObject({ status: 'CANCELLED' });
    expect(core.seatsLeft(flight)).toBe(1);

    // Two offers for the last seat: the second order finds it sold.
    const a = (await pick())!;
    const b = (await pick())!;
    await core.createOrder(order(a, 'ref-a'));
    const e = await failure(core.createOrder(order(b, 'ref-b')));
    expect(e.kind).toBe('sold-out');
    expect(await core.findOrderByReference('ref-b')).toBeNull();
  });

  it('instant orders are ticketed at once with the carrier prefix; createOrder is idempotent by reference', async () => {
    const { core } = airline();
    const offer = (await core.search(oneWay('LHR', 'JFK', '2027-03-10'))).find((o) => o.validatingCarrier === 'BA' && classOf(o) === 'V')!;
    const first = await core.createOrder(order(offer, 'wf-1:create-flight-order'));
    expect(first).toMatchObject({ status: 'TICKETED', reference: 'wf-1:create-flight-order', total: offer.total, supplier: 'itinera-sandbox' });
    expect(first.bookingReference).toMatch(/^[A-Z0-9]{6}$/);
    expect(first.documents).toEqual([{ type: 'ETICKET', number: expect.stringMatching(/^125\d{10}$/) as unknown, passengerId: 'p1' }]);
    const again = await core.createOrder(order(offer, 'wf-1:create-flight-order'));
    expect(again).toEqual(first);
    expect(core.seatsLeft({ carrier: 'BA', flightNumber: '117', date: '2027-03-10', bookingClass: 'V' })).toBe(3);
    expect(await core.findOrderByReference('wf-1:create-flight-order')).toEqual(first);
    // A wrong amount is refused and names the field.
    const other = (await core.search(oneWay('LHR', 'JFK', '2027-03-10')))[0]!;
    const e = await failure(core.createOrder(order(other, 'wf-2', { kind: 'instant', amount: { amount: '1.00', currency: 'GBP' } })));
    expect([e.kind, e.details.path]).toEqual(['invalid-request', 'payment.amount']);
  });

  it('holds: V cannot be held; a held M order is paid and ticketed before its deadline, or lapses and frees its seats', async () => {
    const { core, advance } = airline();
    const offers = await core.search(oneWay('LHR', 'JFK', '2027-03-10'));
    const v = offers.find((o) => classOf(o) === 'V')!;
    expect((await failure(core.createOrder(order(v, 'h-v', { kind: 'hold' })))).details.path).toBe('payment.kind');
    const [m1, m2] = offers.filter((o) => classOf(o) === 'M');
    const held = await core.createOrder(order(m1!, 'h-1', { kind: 'hold' }));
    expect(held).toMatchObject({ status: 'HELD', documents: [], paymentDeadline: m1!.ticketingDeadline });
    expect(held.priceGuaranteeExpiresAt).toBe(T0 + 24 * HOUR_MS);
    const paid = await core.payOrder(held.id, held.total, 'pay-1');
    expect(paid.status).toBe('TICKETED');
    expect(paid.documents).toHaveLength(1);
    expect(await core.payOrder(held.id, held.total, 'pay-1')).toEqual(paid); // idempotent

    const flight = { carrier: m2!.slices[0]!.segments[0]!.carrier, flightNumber: m2!.slices[0]!.segments[0]!.flightNumber, date: '2027-03-10', bookingClass: 'M' };
    const left = core.seatsLeft(flight);
    const lapsing = await core.createOrder(order(m2!, 'h-2', { kind: 'hold' }));
    expect(core.seatsLeft(flight)).toBe(left - 1);
    advance(72 * HOUR_MS + 1);
    expect(await core.getOrder(lapsing.id)).toMatchObject({ status: 'CANCELLED', supplierStatus: 'EXPIRED' });
    expect(core.seatsLeft(flight)).toBe(left);
    expect((await failure(core.payOrder(lapsing.id, lapsing.total, 'pay-2'))).kind).toBe('offer-expired');
  });

  it('offers expire; unknown ids are not-found', async () => {
    const { core, advance } = airline();
    const offer = (await core.search(oneWay('LHR', 'CDG', '2027-03-10')))[0]!;
    advance(OFFER_TTL_MS + 1);
    expect((await failure(core.price(offer.id))).kind).toBe('offer-expired');
    expect((await failure(core.createOrder(order(offer, 'late')))).kind).toBe('offer-expired');
    expect((await failure(core.getOrder('ord_nope'))).kind).toBe('not-found');
  });

  it('cancellation quotes: refund = paid − penalty, never negative; only the latest unexpired quote confirms', async () => {
    const { core, advance } = airline();
    const offers = await core.search(oneWay('LHR', 'JFK', '2027-03-10'));
    const m = await core.createOrder(order(offers.find((o) => classOf(o) === 'M')!, 'c-m'));
    const q1 = await core.quoteCancellation(m.id);
    expect(q1.penalty).toEqual({ amount: '150.00', currency: 'GBP' });
    expect(new Dec(q1.refundAmount.amount).equals(new Dec(m.total.amount).minus(150))).toBe(true);
    const q2 = await core.quoteCancellation(m.id);
    expect((await failure(core.confirmCancellation(q1.id, 'cx-1'))).kind).toBe('quote-expired'); // superseded
    advance(QUOTE_TTL_MS + 1);
    expect((await failure(core.confirmCancellation(q2.id, 'cx-1'))).kind).toBe('quote-expired'); // expired
    const q3 = await core.quoteCancellation(m.id);
    const cancelled = await core.confirmCancellation(q3.id, 'cx-1');
    expect(cancelled.status).toBe('CANCELLED');
    expect(await core.confirmCancellation(q3.id, 'cx-1')).toEqual(cancelled); // idempotent by reference

    // Non-refundable V: only government taxes come back (not YQ); never negative.
    const v = await core.createOrder(order(offers.find((o) => classOf(o) === 'V')!, 'c-v'));
    const qv = await core.quoteCancellation(v.id);
    expect(qv.refundAmount).toEqual({ amount: '133.74', currency: 'GBP' }); // GB 94 + UB 39.74
    expect(new Dec(qv.refundAmount.amount).plus(qv.penalty.amount).equals(v.total.amount)).toBe(true);
  });

  it('change quotes: fare difference + the fare’s penalty; confirming reissues tickets and adds a change-fee EMD', async () => {
    const { core } = airline();
    const offer = (await core.search(oneWay('LHR', 'JFK', '2027-03-10'))).find((o) => classOf(o) === 'M' && o.slices[0]!.segments[0]!.flightNumber === '117')!;
    const o = await core.createOrder(order(offer, 'ch-1'));
    const quote = await core.quoteChange({ orderId: o.id, slices: [{ replaceIndex: 0, with: { origin: 'LHR', destination: 'JFK', departureDate: '2027-03-12' } }] });
    expect(quote.penalty).toEqual({ amount: '75.00', currency: 'GBP' });
    expect(quote.fareDifference).toEqual({ amount: '0.00', currency: 'GBP' });
    expect(quote.totalDue).toEqual({ amount: '75.00', currency: 'GBP' });
    expect(quote.newSlices[0]!.segments[0]!.departure.local.slice(0, 10)).toBe('2027-03-12');
    const e = await failure(core.confirmChange(quote.id, { amount: '70.00', currency: 'GBP' }, 'chg-1'));
    expect(e.kind).toBe('invalid-request');
    const changed = await core.confirmChange(quote.id, quote.totalDue, 'chg-1');
    expect(changed.slices).toEqual(quote.newSlices);
    // The old e-ticket stays as history (EXCHANGED, pointing at its replacement); one live ticket.
    expect(changed.documents.map((d) => [d.type, d.reason ?? null, d.status ?? 'ISSUED'])).toEqual([
      ['ETICKET', null, 'EXCHANGED'],
      ['ETICKET', null, 'ISSUED'],
      ['EMD', 'change-fee', 'ISSUED'],
    ]);
    expect(changed.documents[0]!.number).toBe(o.documents[0]!.number);
    expect(changed.documents[1]!.number).not.toBe(o.documents[0]!.number);
    expect(changed.documents[0]!.exchangedFor).toBe(changed.documents[1]!.number);
    expect(liveTickets(changed.documents).map((d) => d.number)).toEqual([changed.documents[1]!.number]);
    expect(core.seatsLeft({ carrier: 'BA', flightNumber: '117', date: '2027-03-10', bookingClass: 'M' })).toBe(9);
    expect((await failure(core.quoteChange({ orderId: o.id, slices: [{ replaceIndex: 3, with: { origin: 'LHR', destination: 'JFK', departureDate: '2027-03-12' } }] }))).details.path).toBe('slices[0].replaceIndex');
  });

  it('document history: a same-day cancellation voids the tickets, a later one refunds them', async () => {
    const { core, advance } = airline();
    const offers = (await core.search(oneWay('LHR', 'JFK', '2027-03-10'))).filter((o) => classOf(o) === 'M');
    const today = await core.createOrder(order(offers[0]!, 'dh-void'));
    const later = await core.createOrder(order(offers[1]!, 'dh-refund'));

    const voided = await core.confirmCancellation((await core.quoteCancellation(today.id)).id, 'dh-void:cancel');
    expect(voided.documents).toEqual([{ ...today.documents[0], status: 'VOID' }]);
    expect(liveTickets(voided.documents)).toEqual([]);

    advance(14 * HOUR_MS); // 2027-03-02T00:00Z: the issue day (UTC) is over
    const refunded = await core.confirmCancellation((await core.quoteCancellation(later.id)).id, 'dh-refund:cancel');
    expect(refunded.documents).toEqual([{ ...later.documents[0], status: 'REFUNDED' }]);
    expect(await core.getOrder(later.id)).toEqual(refunded);
  });

  it('document history: change then cancel keeps the exchanged ticket, refunds the new one, keeps the change-fee EMD', async () => {
    const { core, advance } = airline();
    const offer = (await core.search(oneWay('LHR', 'JFK', '2027-03-10'))).find((o) => classOf(o) === 'M')!;
    const o = await core.createOrder(order(offer, 'dh-2'));
    advance(24 * HOUR_MS);
    const quote = await core.quoteChange({ orderId: o.id, slices: [{ replaceIndex: 0, with: { origin: 'LHR', destination: 'JFK', departureDate: '2027-03-12' } }] });
    const changed = await core.confirmChange(quote.id, quote.totalDue, 'dh-2:change');
    const [old, fresh, emd] = changed.documents;
    expect(old).toMatchObject({ number: o.documents[0]!.number, status: 'EXCHANGED', exchangedFor: fresh!.number });
    // Cancelled the day the new ticket was issued: it is voided; the old one stays EXCHANGED.
    const cancelled = await core.confirmCancellation((await core.quoteCancellation(o.id)).id, 'dh-2:cancel');
    expect(cancelled.documents.map((d) => [d.number, d.type, d.status ?? 'ISSUED'])).toEqual([
      [old!.number, 'ETICKET', 'EXCHANGED'],
      [fresh!.number, 'ETICKET', 'VOID'],
      [emd!.number, 'EMD', 'ISSUED'],
    ]);
    expect(liveTickets(cancelled.documents)).toEqual([]);
  });

  it('business faults: fare-changed re-prices, sold-out refuses, fail-after-commit commits then fails', async () => {
    const { core } = airline();
    const offer = (await core.search(oneWay('LHR', 'CDG', '2027-03-10')))[0]!;
    const priced = await core.faultsFor('fare-changed').price(offer.id);
    expect(priced.priceChanged).toBe(true);
    expect(priced.previousTotal).toEqual(offer.total);
    expect(new Dec(priced.offer.total.amount).greaterThan(offer.total.amount)).toBe(true);
    expect((await core.price(offer.id)).offer.total).toEqual(priced.offer.total); // the new price sticks
    expect((await failure(core.createOrder(order(offer, 'f-1')))).kind).toBe('invalid-request'); // old amount
    const e = await failure(core.faultsFor('fare-changed').createOrder(order(priced.offer, 'f-1')));
    expect(e.kind).toBe('fare-changed');
    expect(e.details.newTotal).toEqual((await core.getOffer(offer.id)).total);

    const current = await core.getOffer(offer.id);
    expect((await failure(core.faultsFor('sold-out').createOrder(order(current, 'f-2')))).kind).toBe('sold-out');
    const lost = await failure(core.faultsFor('fail-after-commit').createOrder(order(current, 'f-3')));
    expect([lost.kind, lost.details.status, lost.retryable]).toEqual(['unavailable', 500, true]);
    const found = await core.findOrderByReference('f-3');
    expect(found).toMatchObject({ status: 'TICKETED', reference: 'f-3' });
    expect(await core.faultsFor('fail-after-commit').createOrder(order(current, 'f-3'))).toEqual(found); // retry is idempotent
  });

  it('refuses bad searches with the path of the field', async () => {
    const { core } = airline();
    expect((await failure(core.search(oneWay('LHR', 'XXX', '2027-03-10')))).details).toEqual({ path: 'slices[0].destination' });
    expect((await failure(core.search(oneWay('LHR', 'JFK', '2027-02-30')))).details).toEqual({ path: 'slices[0].departureDate' });
    expect((await failure(core.search({ ...oneWay('LHR', 'JFK', '2027-03-10'), passengers: [{ type: 'CHD' }] }))).kind).toBe('invalid-request');
    expect(await core.search(oneWay('LHR', 'HNL', '2027-03-10'))).toEqual([]); // no route
    core.reset();
    expect(core.seatsLeft({ carrier: 'BA', flightNumber: '117', date: '2027-03-10', bookingClass: 'V' })).toBe(4);
  });
});
