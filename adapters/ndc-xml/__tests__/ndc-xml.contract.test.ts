import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlightSupplierError, liveTickets, type Offer, type OrderPassenger } from '../../../domain/flights/model';
import { accountingFigures } from '../../../domain/flights/ticketing';
import { Money } from '../../../domain/money/money';
import { startSandboxGds, type SandboxGds } from '../../../sandbox/gds/server';
import { ndcFront } from '../../../sandbox/gds/ndc-front';
import { NdcXmlFlightSupplier } from '../adapter';

/** Contract: the adapter against the sandbox GDS's NDC front (a second, independent implementation of the wire). */

const T0 = Date.parse('2027-03-01T10:00:00Z');
const adult: OrderPassenger = {
  id: 'p1', type: 'ADT', title: 'MS', givenName: 'Ada', familyName: 'Lovelace', bornOn: '1985-12-10', gender: 'F', email: 'ada@example.org',
  passport: { number: '123456789', issuingCountry: 'GB', expiresOn: '2031-05-01', nationality: 'GB' },
};
const search = { slices: [{ origin: 'LHR', destination: 'JFK', departureDate: '2027-03-10' }], passengers: [{ type: 'ADT' as const }], cabin: 'ECONOMY' as const };
const classOf = (o: Offer) => o.slices[0]!.segments[0]!.bookingClass;

async function failure(p: Promise<unknown>): Promise<FlightSupplierError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FlightSupplierError);
    return e as FlightSupplierError;
  }
  throw new Error('expected a FlightSupplierError');
}

let gds: SandboxGds;
let now = T0;
beforeAll(async () => {
  gds = await startSandboxGds({ now: () => now, fronts: { ndc: ndcFront() }, timeoutHoldMs: 1_000 });
});
afterAll(() => gds.close());
beforeEach(() => {
  now = T0;
  gds.core.reset();
  gds.faults.clear();
});

const supplier = (version: '17.2' | '19.2' | '21.3', timeoutMs = 5_000) => new NdcXmlFlightSupplier({ baseUrl: gds.url, version, timeoutMs });

describe('NDC adapter ↔ sandbox GDS', () => {
  it('21.3: search → price → hold → find by reference → pay (tickets in TicketDocInfo) → refund quote → OrderChange cancel', async () => {
    const ndc = supplier('21.3');
    const offers = await ndc.search(search);
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.every((o) => o.supplier === 'ndc-21.3' && o.total.currency === 'GBP')).toBe(true);
    const m = offers.find((o) => classOf(o) === 'M')!;
    expect(m).toMatchObject({ instantPaymentRequired: false, conditions: { refund: { allowed: true, fee: { amount: '150.00', currency: 'GBP' } } } });
    // Same numbers as the core's own answer: nothing lost on the wire.
    expect(m).toEqual({ ...(await gds.core.getOffer(m.id)), supplier: 'ndc-21.3' });

    const priced = await ndc.price(m.id);
    expect(priced).toMatchObject({ priceChanged: false, previousTotal: null, offer: { id: m.id, total: m.total } });

    const held = await ndc.createOrder({ offerId: m.id, passengers: [adult], payment: { kind: 'hold' }, reference: 'wf-1:create-flight-order' });
    expect(held).toMatchObject({ status: 'HELD', supplierStatus: 'ON_HOLD', reference: 'wf-1:create-flight-order', documents: [], passengers: [adult], total: m.total });
    expect(held.paymentDeadline).toBe(m.ticketingDeadline);
    expect(held.slices).toEqual(m.slices);
    // The order carries the offer's per-type fares (OrderItems), taxes itemised by code.
    expect(held.fares).toEqual(m.fares);
    expect(held.fares[0]!.fare.taxes.map((t) => t.code)).toEqual(['GB', 'UB', 'YQ']);
    expect((await ndc.findOrderByReference('wf-1:create-flight-order'))?.id).toBe(held.id);
    expect(await ndc.findOrderByReference('wf-unknown')).toBeNull();
    expect((await ndc.getOrder(held.id)).bookingReference).toBe(held.bookingReference);

    const paid = await ndc.payOrder(held.id, held.total, 'wf-1:pay');
    expect(paid.status).toBe('TICKETED');
    expect(paid.fares).toEqual(m.fares);
    expect(paid.documents).toEqual([expect.objectContaining({ type: 'ETICKET', passengerId: 'p1', number: expect.stringMatching(/^125\d{10}$/) })]);

    const quote = await ndc.quoteCancellation(held.id);
    expect(quote).toMatchObject({ orderId: held.id, penalty: { amount: '150.00', currency: 'GBP' } });
    const cancelled = await ndc.confirmCancellation(quote.id, 'wf-1:cancel');
    expect(cancelled.status).toBe('CANCELLED');

    // 21.3 has no OrderCancelRQ: the 17.2 flow against the 21.3 endpoint is refused.
    const refused = await fetch(`${gds.url}/ndc/21.3/OrderCancel`, {
      method: 'POST',
      body: '<IATA_OrderCancelRQ xmlns="http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersMessage"><Request><RefundQuoteRefID>x</RefundQuoteRefID><AugmentationPoint><ItineraReference>r</ItineraReference></AugmentationPoint></Request></IATA_OrderCancelRQ>',
    });
    expect(await refused.text()).toContain('<Code>INVALID_REQUEST</Code>');
  });

  it('17.2: instant order (ticketed at once) → refund quote → OrderCancelRQ', async () => {
    const ndc = supplier('17.2');
    const y = (await ndc.search(search)).find((o) => classOf(o) === 'Y')!;
    const order = await ndc.createOrder({ offerId: y.id, passengers: [adult], payment: { kind: 'instant', amount: y.total }, reference: 'wf-2:create' });
    expect(order.status).toBe('TICKETED');
    expect(order.documents).toHaveLength(1);
    const quote = await ndc.quoteCancellation(order.id);
    expect(quote.refundAmount).toEqual(y.total); // YFLEX refunds free
    const cancelled = await ndc.confirmCancellation(quote.id, 'wf-2:cancel');
    expect(cancelled).toMatchObject({ id: order.id, status: 'CANCELLED' });
    // Cancelled on its issue day: the ticket stays on the order, voided (coupon status V).
    expect(cancelled.documents).toEqual([{ ...order.documents[0], status: 'VOID', supplierStatus: 'V' }]);
    expect(liveTickets(cancelled.documents)).toEqual([]);
    // 17.2 confirms a refund with OrderCancelRQ only: the 21.3-style OrderChange cancel is refused.
    const refused = await fetch(`${gds.url}/ndc/17.2/OrderChange`, {
      method: 'POST',
      body: '<OrderChangeRQ xmlns="http://www.iata.org/IATA/EDIST/2017.2" Version="17.2"><Request><ChangeOrder><CancelOrder><RefundQuoteRefID>x</RefundQuoteRefID></CancelOrder></ChangeOrder></Request></OrderChangeRQ>',
    });
    expect(await refused.text()).toMatch(/<Errors><Error Code="INVALID_REQUEST">NDC 17.2 cancels with OrderCancelRQ/);
  });

  it('19.2: change quote (OrderReshop) → OrderChange accept', async () => {
    const ndc = supplier('19.2');
    const m = (await ndc.search(search)).find((o) => classOf(o) === 'M')!;
    const order = await ndc.createOrder({ offerId: m.id, passengers: [adult], payment: { kind: 'instant', amount: m.total }, reference: 'wf-3:create' });
    const quote = await ndc.quoteChange({ orderId: order.id, slices: [{ replaceIndex: 0, with: { origin: 'LHR', destination: 'JFK', departureDate: '2027-03-11' } }] });
    expect(quote.newSlices[0]!.segments[0]!.departure.local.startsWith('2027-03-11')).toBe(true);
    expect(quote.penalty).toEqual({ amount: '75.00', currency: 'GBP' });
    const changed = await ndc.confirmChange(quote.id, quote.totalDue, 'wf-3:change');
    expect(changed.slices[0]!.segments[0]!.departure.local.startsWith('2027-03-11')).toBe(true);
    // A confirmed change: status CHANGED, the e-ticket re-issued under a new number (the old one kept
    // as EXCHANGED, pointing at it), the change fee as an EMD.
    expect(changed).toMatchObject({ status: 'CHANGED', supplierStatus: 'CHANGED' });
    expect(changed.documents.map((d) => [d.type, d.passengerId, d.reason ?? null, d.status])).toEqual([
      ['ETICKET', 'p1', null, 'EXCHANGED'],
      ['ETICKET', 'p1', null, 'ISSUED'],
      ['EMD', 'p1', 'change-fee', 'ISSUED'],
    ]);
    const [old, fresh, emd] = changed.documents;
    expect(old).toEqual({ ...order.documents[0], status: 'EXCHANGED', supplierStatus: 'E', exchangedFor: fresh!.number });
    expect(fresh!.number).toMatch(/^125\d{10}$/);
    expect(fresh!.number).not.toBe(order.documents[0]!.number);
    expect(emd!.amount).toEqual({ amount: '75.00', currency: 'GBP' });
    expect(liveTickets(changed.documents)).toEqual([fresh]);
    // Same reference again: the same order, nothing re-issued.
    expect(await ndc.confirmChange(quote.id, quote.totalDue, 'wf-3:change')).toEqual(changed);
    // A changed order can be changed again and cancelled.
    const again = await ndc.quoteChange({ orderId: order.id, slices: [{ replaceIndex: 0, with: { origin: 'LHR', destination: 'JFK', departureDate: '2027-03-12' } }] });
    expect(again.penalty).toEqual({ amount: '75.00', currency: 'GBP' });
    // Cancelled the next day (past the void window): the live ticket is refunded, history kept.
    now += 24 * 60 * 60 * 1000;
    const refund = await ndc.quoteCancellation(order.id);
    const cancelled = await ndc.confirmCancellation(refund.id, 'wf-3:cancel');
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.documents.map((d) => [d.number, d.status, d.supplierStatus])).toEqual([
      [old!.number, 'EXCHANGED', 'E'],
      [fresh!.number, 'REFUNDED', 'RF'],
      [emd!.number, 'ISSUED', 'I'],
    ]);
    expect(liveTickets(cancelled.documents)).toEqual([]);
  });

  it('19.2: the fare moves between change quote and confirmation → fare-changed with the new amount due; re-quote and confirm', async () => {
    const ndc = supplier('19.2');
    const m = (await ndc.search(search)).find((o) => classOf(o) === 'M')!;
    const order = await ndc.createOrder({ offerId: m.id, passengers: [adult], payment: { kind: 'instant', amount: m.total }, reference: 'wf-5:create' });
    const change = { orderId: order.id, slices: [{ replaceIndex: 0, with: { origin: 'LHR', destination: 'JFK', departureDate: '2027-03-11' } }] };
    const quote = await ndc.quoteChange(change);
    expect(quote.fareDifference).toEqual({ amount: '0.00', currency: 'GBP' });

    gds.faults.add({ path: '/ndc/19.2/OrderChange', fault: 'fare-changed;times=1' });
    const moved = await failure(ndc.confirmChange(quote.id, quote.totalDue, 'wf-5:change'));
    expect(moved).toMatchObject({ kind: 'fare-changed', retryable: false, details: { supplierCode: 'PRICE_CHANGED', newTotal: { currency: 'GBP' } } });
    const newDue = moved.details.newTotal!;
    expect(Number(newDue.amount)).toBeGreaterThan(Number(quote.totalDue.amount));
    // Nothing changed; the old quote is gone (a retry of the same confirmation is quote-expired).
    expect(await ndc.getOrder(order.id)).toMatchObject({ status: 'TICKETED', slices: order.slices, total: order.total, documents: order.documents });
    expect((await failure(ndc.confirmChange(quote.id, quote.totalDue, 'wf-5:change'))).kind).toBe('quote-expired');

    // Re-quote: the amount the error announced.
    const requote = await ndc.quoteChange(change);
    expect(requote.totalDue).toEqual(newDue);
    const changed = await ndc.confirmChange(requote.id, requote.totalDue, 'wf-5:change-2');
    expect(changed.status).toBe('CHANGED');
    // The fare went up: the order's totals and per-type fares are the new ones, and still add up.
    expect(Money.fromJson(changed.total).equals(Money.fromJson(order.total).add(Money.fromJson(requote.fareDifference)))).toBe(true);
    expect(changed.fares).toHaveLength(1);
    expect(changed.fares[0]!.fare.total).toEqual(changed.total);
    expect(changed.fares[0]!.fare.base).toEqual(changed.base);
    expect(accountingFigures({ order: changed, commissionPercent: '0' }).taxes.byCode.map((t) => t.code)).toEqual(['GB', 'UB', 'YQ']);
  });

  it('21.3: the fare-changed fault at OrderReshop raises the quoted change price', async () => {
    const ndc = supplier('21.3');
    const m = (await ndc.search(search)).find((o) => classOf(o) === 'M')!;
    const order = await ndc.createOrder({ offerId: m.id, passengers: [adult], payment: { kind: 'instant', amount: m.total }, reference: 'wf-6:create' });
    const change = { orderId: order.id, slices: [{ replaceIndex: 0, with: { origin: 'LHR', destination: 'JFK', departureDate: '2027-03-11' } }] };
    const plain = await ndc.quoteChange(change);
    gds.faults.add({ path: '/ndc/21.3/OrderReshop', fault: 'fare-changed;times=1' });
    const raised = await ndc.quoteChange(change);
    expect(Number(raised.fareDifference.amount)).toBeGreaterThan(Number(plain.fareDifference.amount));
    expect(raised.totalDue).toEqual(Money.fromJson(raised.fareDifference).add(Money.fromJson(raised.penalty)).toJSON());
    const changed = await ndc.confirmChange(raised.id, raised.totalDue, 'wf-6:change');
    expect(changed).toMatchObject({ status: 'CHANGED', fares: [{ passengerType: 'ADT', count: 1, fare: { total: changed.total } }] });
  });

  it('business faults: fare changed at OfferPrice and OrderCreate, sold out, fail after commit', async () => {
    const ndc = supplier('21.3');
    const m = (await ndc.search(search)).find((o) => classOf(o) === 'M')!;
    gds.faults.add({ path: '/ndc/21.3/OfferPrice', fault: 'fare-changed;times=1' });
    const priced = await ndc.price(m.id);
    expect(priced).toMatchObject({ priceChanged: true, previousTotal: m.total });
    expect(priced.offer.total.amount).not.toBe(m.total.amount);

    gds.faults.add({ path: '/ndc/21.3/OrderCreate', fault: 'fare-changed;times=1' });
    const changed = await failure(ndc.createOrder({ offerId: m.id, passengers: [adult], payment: { kind: 'hold' }, reference: 'wf-4:a' }));
    expect(changed).toMatchObject({ kind: 'fare-changed', details: { supplierCode: 'PRICE_CHANGED', newTotal: { currency: 'GBP' } } });

    gds.faults.add({ path: '/ndc/21.3/OrderCreate', fault: 'sold-out;times=1' });
    expect((await failure(ndc.createOrder({ offerId: m.id, passengers: [adult], payment: { kind: 'hold' }, reference: 'wf-4:b' }))).kind).toBe('sold-out');

    gds.faults.add({ path: '/ndc/21.3/OrderCreate', fault: 'fail-after-commit;times=1' });
    const lost = await failure(ndc.createOrder({ offerId: m.id, passengers: [adult], payment: { kind: 'hold' }, reference: 'wf-4:c' }));
    expect(lost).toMatchObject({ kind: 'unavailable', retryable: true, details: { status: 500 } });
    expect((await ndc.findOrderByReference('wf-4:c'))?.status).toBe('HELD');
  });

  it('transport: 429 → rate-limited with Retry-After, 503 → unavailable, no answer → timeout, refused → unavailable', async () => {
    gds.faults.add({ path: '/ndc/', fault: 'rate-limit=7;times=1' });
    expect(await failure(supplier('21.3').search(search))).toMatchObject({ kind: 'rate-limited', details: { retryAfterMs: 7_000, status: 429 } });
    gds.faults.add({ path: '/ndc/', fault: 'status=503;times=1' });
    expect(await failure(supplier('21.3').search(search))).toMatchObject({ kind: 'unavailable', details: { status: 503 } });
    gds.faults.add({ path: '/ndc/', fault: 'timeout;times=1' });
    expect((await failure(supplier('21.3', 150).search(search))).kind).toBe('timeout');

    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect((await failure(new NdcXmlFlightSupplier({ baseUrl: `http://127.0.0.1:${port}`, version: '19.2', timeoutMs: 1_000 }).search(search))).kind).toBe('unavailable');
  });

  it('invalid requests and unknown ids come back as NDC errors of the right kind', async () => {
    expect((await failure(supplier('19.2').getOrder('ord_nope'))).kind).toBe('not-found');
    expect((await failure(supplier('19.2').price('off_nope'))).kind).toBe('not-found');
    const res = await fetch(`${gds.url}/ndc/19.2/AirShopping`, { method: 'POST', body: '<IATA_AirShoppingRQ xmlns="urn:wrong"><Request/></IATA_AirShoppingRQ>' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('namespace must be http://www.iata.org/IATA/2015/00/2019.2/IATA_AirShoppingRQ');
  });
});
