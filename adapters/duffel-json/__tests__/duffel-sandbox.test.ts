import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlightSupplierError, type FlightSearch, type Offer, type OrderPassenger } from '../../../domain/flights/model';
import { startSandboxGds, type SandboxGds } from '../../../sandbox/gds/server';
import { duffelTransportErrorJson } from '../../../sandbox/gds/duffel-front';
import { DuffelJsonFlightSupplier } from '../adapter';
import { errorFromResponse } from '../client';
import { WireErrorBody } from '../wire.schema';

/**
 * Contract tests: the adapter against the sandbox GDS's Duffel-style front over real HTTP. The
 * sandbox clock is a variable the tests move; nothing sleeps.
 */

const START = Date.parse('2027-03-01T09:00:00Z');
let now = START;
let gds: SandboxGds;
let supplier: DuffelJsonFlightSupplier;

const SEARCH: FlightSearch = {
  slices: [
    { origin: 'LHR', destination: 'JFK', departureDate: '2027-03-14' },
    { origin: 'JFK', destination: 'LHR', departureDate: '2027-03-21' },
  ],
  passengers: [{ type: 'ADT' }, { type: 'CHD', age: 8 }],
  cabin: 'ECONOMY',
};

const PASSENGERS: OrderPassenger[] = [
  { id: 'P-ann', type: 'ADT', title: 'MRS', givenName: 'Ann', familyName: 'Smith', bornOn: '1980-02-02', gender: 'F', email: 'ann@example.com', passport: { number: '123456789', issuingCountry: 'GB', expiresOn: '2031-01-01' } },
  { id: 'P-tom', type: 'CHD', givenName: 'Tom', familyName: 'Smith', bornOn: '2018-05-01', gender: 'M' },
];

async function failureOf(p: Promise<unknown>): Promise<FlightSupplierError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FlightSupplierError);
    return err as FlightSupplierError;
  }
  throw new Error('expected a FlightSupplierError');
}

const holdable = (offers: Offer[]) => offers.find((o) => !o.instantPaymentRequired)!;

beforeAll(async () => {
  gds = await startSandboxGds({ now: () => now, timeoutHoldMs: 2_000 });
});
afterAll(() => gds.close());
beforeEach(() => {
  now = START;
  gds.core.reset();
  gds.faults.clear();
  supplier = new DuffelJsonFlightSupplier({ baseUrl: gds.url, accessToken: 'duffel_test_123', name: 'duffel-sandbox', timeoutMs: 5_000, pageSize: 7 });
});

describe('DuffelJsonFlightSupplier against the sandbox GDS (/air)', () => {
  it('search (paginated) → price → hold → pay → tickets', async () => {
    const offers = await supplier.search({ ...SEARCH, maxOffers: 20 });
    expect(offers.length).toBeGreaterThan(7); // more than one page of 7
    expect(new Set(offers.map((o) => o.id)).size).toBe(offers.length);
    expect(offers.every((o) => o.supplier === 'duffel-sandbox' && o.slices.length === 2)).toBe(true);
    const offer = holdable(offers);
    const priced = await supplier.price(offer.id);
    expect(priced).toMatchObject({ priceChanged: false, previousTotal: null });
    expect(priced.offer.total).toEqual(offer.total);

    const reference = 'booking-T1:create-flight-order';
    const held = await supplier.createOrder({ offerId: offer.id, passengers: PASSENGERS, payment: { kind: 'hold' }, reference });
    expect(held).toMatchObject({ status: 'HELD', reference, total: offer.total, documents: [] });
    expect(held.passengers.map((p) => p.id)).toEqual(['P-ann', 'P-tom']);
    expect(held.paymentDeadline).toBeGreaterThan(now);
    expect(held.priceGuaranteeExpiresAt).toBeGreaterThan(now);
    // A retried create with the same reference is the same order.
    expect((await supplier.createOrder({ offerId: offer.id, passengers: PASSENGERS, payment: { kind: 'hold' }, reference })).id).toBe(held.id);
    expect((await supplier.findOrderByReference(reference))?.id).toBe(held.id);
    expect(await supplier.findOrderByReference('booking-nope:create-flight-order')).toBeNull();

    const paid = await supplier.payOrder(held.id, held.total, 'booking-T1:pay');
    expect(paid.status).toBe('TICKETED');
    expect(paid.documents.filter((d) => d.type === 'ETICKET').map((d) => d.passengerId).sort()).toEqual(['P-ann', 'P-tom']);
    expect(paid.documents.every((d) => /^\d{13}$/.test(d.number))).toBe(true);
    expect((await supplier.getOrder(held.id)).status).toBe('TICKETED');
  });

  it('instant order: paid and ticketed at once', async () => {
    const offer = (await supplier.search(SEARCH)).find((o) => o.instantPaymentRequired)!;
    // A hold on an instant-payment fare is refused as invalid.
    const e = await failureOf(supplier.createOrder({ offerId: offer.id, passengers: PASSENGERS, payment: { kind: 'hold' }, reference: 'booking-T2b:create' }));
    expect(e.kind).toBe('invalid-request');
    const order = await supplier.createOrder({ offerId: offer.id, passengers: PASSENGERS, payment: { kind: 'instant', amount: offer.total }, reference: 'booking-T2:create' });
    expect(order.status).toBe('TICKETED');
    expect(order.documents).toHaveLength(2);
    // Retried from another worker (no cached offer): the offer is gone, the order is found.
    const other = new DuffelJsonFlightSupplier({ baseUrl: gds.url, accessToken: 'duffel_test_123', name: 'duffel-sandbox' });
    expect((await other.createOrder({ offerId: offer.id, passengers: PASSENGERS, payment: { kind: 'instant', amount: offer.total }, reference: 'booking-T2:create' })).id).toBe(order.id);
  });

  it('cancellation: quote → confirm; only the latest quote confirms, and only before it expires', async () => {
    const offer = holdable(await supplier.search(SEARCH));
    const order = await supplier.createOrder({ offerId: offer.id, passengers: PASSENGERS, payment: { kind: 'instant', amount: offer.total }, reference: 'booking-T3:create' });
    const first = await supplier.quoteCancellation(order.id);
    const second = await supplier.quoteCancellation(order.id);
    expect(second.id).not.toBe(first.id);
    expect(await failureOf(supplier.confirmCancellation(first.id, 'booking-T3:cancel-1'))).toMatchObject({ kind: 'quote-expired' });
    now += 16 * 60_000;
    expect((await failureOf(supplier.confirmCancellation(second.id, 'booking-T3:cancel-2'))).kind).toBe('quote-expired');
    const third = await supplier.quoteCancellation(order.id);
    expect(third.penalty.currency).toBe(order.total.currency);
    const cancelled = await supplier.confirmCancellation(third.id, 'booking-T3:cancel-3');
    expect(cancelled.status).toBe('CANCELLED');
  });

  it('change: quote → confirm replaces the slice', async () => {
    const offer = holdable(await supplier.search(SEARCH));
    const order = await supplier.createOrder({ offerId: offer.id, passengers: PASSENGERS, payment: { kind: 'instant', amount: offer.total }, reference: 'booking-T4:create' });
    const quote = await supplier.quoteChange({ orderId: order.id, slices: [{ replaceIndex: 1, with: { origin: 'JFK', destination: 'LHR', departureDate: '2027-03-22' } }] });
    expect(quote.newSlices).toHaveLength(2);
    expect(quote.newSlices[1]!.segments[0]!.departure.local.slice(0, 10)).toBe('2027-03-22');
    const changed = await supplier.confirmChange(quote.id, quote.totalDue, 'booking-T4:change');
    expect(changed.slices[1]!.segments[0]!.departure.local.slice(0, 10)).toBe('2027-03-22');
  });

  it('business faults: fare-changed (price and order), sold-out, fail-after-commit', async () => {
    const offer = holdable(await supplier.search(SEARCH));
    gds.faults.add({ method: 'GET', path: `/air/offers/${offer.id}`, fault: 'fare-changed;times=1' });
    const priced = await supplier.price(offer.id);
    expect(priced.priceChanged).toBe(true);
    expect(priced.previousTotal).toEqual(offer.total);

    gds.faults.clear();
    gds.faults.add({ method: 'POST', path: '/air/orders', fault: 'fare-changed;times=1' });
    const changed = await failureOf(supplier.createOrder({ offerId: offer.id, passengers: PASSENGERS, payment: { kind: 'hold' }, reference: 'booking-T5:create' }));
    expect(changed.kind).toBe('fare-changed');
    expect(changed.details.newTotal?.currency).toBe(offer.total.currency);

    gds.faults.clear();
    gds.faults.add({ method: 'POST', path: '/air/orders', fault: 'sold-out;times=1' });
    expect((await failureOf(supplier.createOrder({ offerId: offer.id, passengers: PASSENGERS, payment: { kind: 'hold' }, reference: 'booking-T6:create' }))).kind).toBe('sold-out');

    gds.faults.clear();
    gds.faults.add({ method: 'POST', path: '/air/orders', fault: 'fail-after-commit;times=1' });
    const ambiguous = await failureOf(supplier.createOrder({ offerId: offer.id, passengers: PASSENGERS, payment: { kind: 'hold' }, reference: 'booking-T7:create' }));
    expect(ambiguous).toMatchObject({ kind: 'unavailable', retryable: true });
    const found = await supplier.findOrderByReference('booking-T7:create');
    expect(found?.status).toBe('HELD');
    expect(found?.passengers.map((p) => p.id)).toEqual(['P-ann', 'P-tom']);
  });

  it('transport: 429 surfaces retryAfterMs, 503 is unavailable, a silent server is a timeout', async () => {
    gds.faults.add({ path: '/air/offer_requests', fault: 'rate-limit=7;times=1' });
    expect(await failureOf(supplier.search(SEARCH))).toMatchObject({ kind: 'rate-limited', details: { status: 429, retryAfterMs: 7000 } });
    gds.faults.clear();
    gds.faults.add({ path: '/air/offer_requests', fault: 'status=503;times=1' });
    expect(await failureOf(supplier.search(SEARCH))).toMatchObject({ kind: 'unavailable', details: { status: 503 } });
    gds.faults.clear();
    gds.faults.add({ path: '/air/offer_requests', fault: 'timeout' });
    const quick = new DuffelJsonFlightSupplier({ baseUrl: gds.url, accessToken: 't', timeoutMs: 100 });
    expect(await failureOf(quick.search(SEARCH))).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('unknown ids are not-found; a refused connection is unavailable', async () => {
    expect((await failureOf(supplier.getOrder('ord_nope'))).kind).toBe('not-found');
    expect((await failureOf(supplier.price('off_nope'))).kind).toBe('not-found');
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const dead = new DuffelJsonFlightSupplier({ baseUrl: `http://127.0.0.1:${port}`, accessToken: 't', timeoutMs: 1_000 });
    expect(await failureOf(dead.getOrder('ord_1'))).toMatchObject({ kind: 'unavailable' });
  });

  it('transport-fault bodies are Duffel-shaped, and the client reads them to the right kinds', () => {
    const cases: [number, string, string, string][] = [
      [429, 'rate_limit_error', 'rate_limit_exceeded', 'rate-limited'],
      [500, 'api_error', 'internal_server_error', 'unavailable'],
      [502, 'api_error', 'bad_gateway', 'unavailable'],
      [503, 'api_error', 'service_unavailable', 'unavailable'],
      [504, 'api_error', 'gateway_timeout', 'unavailable'],
    ];
    for (const [status, type, code, kind] of cases) {
      const text = duffelTransportErrorJson(status, `sandbox fault: status ${status}`);
      const body = WireErrorBody.parse(JSON.parse(text));
      expect(body.meta).toEqual({ status, request_id: expect.stringMatching(/^req_sbx_\d+$/) });
      expect(body.errors).toEqual([{ type, title: expect.any(String), message: `sandbox fault: status ${status}`, code, documentation_url: `https://duffel.com/docs/api/overview/errors#${code}` }]);
      const headers = { get: (h: string) => (h === 'retry-after' && status === 429 ? '7' : null) };
      const e = errorFromResponse(status, text, headers, 0, 'GET /air/offers');
      expect(e).toMatchObject({ kind, details: { status, supplierCode: code } });
      expect(e.details.retryAfterMs).toBe(status === 429 ? 7000 : undefined);
    }
  });

  it("the front's own 5xx (fail-after-commit) carries the full Duffel error shape", async () => {
    const offer = holdable(await supplier.search(SEARCH));
    gds.faults.add({ method: 'POST', path: '/air/orders', fault: 'fail-after-commit;times=1' });
    const res = await fetch(`${gds.url}/air/orders`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'duffel-version': 'v2', 'content-type': 'application/json', 'idempotency-key': 'booking-T8:create' },
      body: JSON.stringify({
        data: {
          type: 'hold',
          selected_offers: [offer.id],
          passengers: [
            { id: `pas_1_${offer.id}`, given_name: 'Ann', family_name: 'Smith', born_on: '1980-02-02' },
            { id: `pas_2_${offer.id}`, given_name: 'Tom', family_name: 'Smith', born_on: '2018-05-01' },
          ],
          metadata: { itinera_reference: 'booking-T8:create' },
        },
      }),
    });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(WireErrorBody.parse(JSON.parse(text))).toEqual({
      meta: { status: 500, request_id: expect.stringMatching(/^req_sbx_\d+$/) },
      errors: [{ type: 'api_error', title: 'Internal server error', message: expect.any(String), code: 'internal_server_error', documentation_url: 'https://duffel.com/docs/api/overview/errors#internal_server_error' }],
    });
    expect(errorFromResponse(500, text, { get: () => null }, 0, 'POST /air/orders')).toMatchObject({ kind: 'unavailable', retryable: true, details: { supplierCode: 'internal_server_error' } });
  });

  it('the front refuses a missing token or version the Duffel way', async () => {
    const res = await fetch(`${gds.url}/air/orders/ord_1`, { headers: { 'duffel-version': 'v2' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ meta: { status: 401 }, errors: [{ type: 'authentication_error', code: 'access_token_not_found' }] });
    const v1 = await fetch(`${gds.url}/air/orders/ord_1`, { headers: { authorization: 'Bearer t', 'duffel-version': 'v1' } });
    expect(v1.status).toBe(400);
  });
});
