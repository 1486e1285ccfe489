import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  FLIGHT_SUPPLIER_ERROR_KINDS,
  FlightSupplierError,
  type ChangeQuote,
  type CreateOrderRequest,
  type FlightOrder,
  type FlightSearch,
  type FlightSupplierErrorKind,
  type Offer,
} from '../../domain/flights/model';
import type { MoneyJson } from '../../domain/money/money';
import { createFlightActivities, FlightFailureType, NON_RETRYABLE_FLIGHT_FAILURES } from '../flight.activities';
import type { FlightSupplier } from '../ports/flight-supplier';
import { SandboxAirline } from '../../sandbox/gds/core';

const GBP = (amount: string): MoneyJson => ({ amount, currency: 'GBP' });
const T0 = Date.UTC(2027, 2, 1, 9, 0);

const offer: Offer = {
  id: 'off_1',
  supplier: 'fake',
  slices: [],
  fares: [],
  total: GBP('412.30'),
  base: GBP('300.00'),
  taxTotal: GBP('112.30'),
  seatsLeft: [],
  conditions: { change: { allowed: true, fee: GBP('75.00') }, refund: { allowed: false, fee: null } },
  expiresAt: T0 + 30 * 60_000,
  instantPaymentRequired: false,
  ticketingDeadline: T0 + 3 * 86_400_000,
  validatingCarrier: 'BA',
};

const search: FlightSearch = { slices: [{ origin: 'LHR', destination: 'JFK', departureDate: '2027-03-14' }], passengers: [{ type: 'ADT' }], cabin: 'ECONOMY' };

const request: CreateOrderRequest = {
  offerId: 'off_1',
  passengers: [{ id: 'pax-1', type: 'ADT', givenName: 'Ada', familyName: 'Lovelace', bornOn: '1985-12-10' }],
  payment: { kind: 'hold' },
  reference: 'booking-ITN-1-flight:create-flight-order',
};

type Method = 'search' | 'price' | 'createOrder' | 'findOrderByReference' | 'getOrder' | 'payOrder' | 'quoteChange' | 'confirmChange' | 'quoteCancellation' | 'confirmCancellation';

/** The port in memory: keeps orders by reference, fails as scripted (before or after committing). */
class FakeSupplier implements FlightSupplier {
  readonly name = 'fake';
  readonly orders: FlightOrder[] = [];
  readonly calls: Array<{ method: Method; attempt: number }> = [];
  /** Errors thrown by the next calls of a method, before it does anything. */
  readonly failNext: Partial<Record<Method, FlightSupplierError[]>> = {};
  /** Errors thrown by the next createOrder/payOrder calls AFTER they committed (an ambiguous outcome). */
  readonly commitThenFail: Partial<Record<'createOrder' | 'payOrder', FlightSupplierError[]>> = {};
  /** Resolved by the test to let a slow search answer. */
  searchGate: Promise<void> = Promise.resolve();

  private enter(method: Method) {
    this.calls.push({ method, attempt: Context.current().info.attempt });
    const err = this.failNext[method]?.shift();
    if (err) throw err;
  }
  private afterCommit(method: 'createOrder' | 'payOrder') {
    const err = this.commitThenFail[method]?.shift();
    if (err) throw err;
  }
  count(method: Method) {
    return this.calls.filter((c) => c.method === method).length;
  }

  async search(): Promise<Offer[]> {
    this.enter('search');
    await this.searchGate;
    return [offer];
  }
  async price(offerId: string) {
    this.enter('price');
    return { offer: { ...offer, id: offerId }, priceChanged: false, previousTotal: null };
  }
  async createOrder(req: CreateOrderRequest): Promise<FlightOrder> {
    this.enter('createOrder');
    const order: FlightOrder = {
      id: `ord_${this.orders.length + 1}`,
      supplier: this.name,
      bookingReference: `PNR00${this.orders.length + 1}`,
      reference: req.reference,
      status: 'HELD',
      supplierStatus: 'held',
      slices: [],
      passengers: req.passengers,
      total: offer.total,
      base: offer.base,
      taxTotal: offer.taxTotal,
      fares: offer.fares,
      paymentDeadline: offer.ticketingDeadline,
      priceGuaranteeExpiresAt: null,
      documents: [],
      conditions: offer.conditions,
      validatingCarrier: 'BA',
      createdAt: T0,
    };
    this.orders.push(order);
    this.afterCommit('createOrder');
    return order;
  }
  async findOrderByReference(reference: string) {
    this.enter('findOrderByReference');
    return this.orders.find((o) => o.reference === reference) ?? null;
  }
  async getOrder(orderId: string) {
    this.enter('getOrder');
    const order = this.orders.find((o) => o.id === orderId);
    if (!order) throw new FlightSupplierError('not-found', `No order ${orderId}`, { status: 404 });
    return order;
  }
  async payOrder(orderId: string, amount: MoneyJson) {
    this.enter('payOrder');
    const order = this.orders.find((o) => o.id === orderId)!;
    order.status = 'TICKETED';
    order.documents = order.passengers.map((p, i) => ({ type: 'ETICKET' as const, number: `125000000000${i}`, passengerId: p.id, amount }));
    this.afterCommit('payOrder');
    return order;
  }
  async quoteChange(): Promise<never> {
    this.enter('quoteChange');
    throw new Error('not scripted');
  }
  async confirmChange(): Promise<never> {
    this.enter('confirmChange');
    throw new Error('not scripted');
  }
  async quoteCancellation(orderId: string) {
    this.enter('quoteCancellation');
    return { id: 'q1', orderId, refundAmount: GBP('0.00'), penalty: GBP('412.30'), refundTo: 'original_form_of_payment', expiresAt: T0 + 600_000 };
  }
  async confirmCancellation(): Promise<never> {
    this.enter('confirmCancellation');
    throw new Error('not scripted');
  }
}

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
/** An activity context with the given attempt number; expected failures are not logged. */
const mock = (info: { attempt?: number } = {}) => new MockActivityEnvironment(info, { logger: silent });

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => {
      expect(err).toBeInstanceOf(ApplicationFailure);
      return err as ApplicationFailure;
    },
  );

describe('flight activities (MockActivityEnvironment, fake FlightSupplier)', () => {
  const EXPECTED: Record<FlightSupplierErrorKind, [string, boolean]> = {
    'rate-limited': ['FlightSupplierRateLimited', false],
    unavailable: ['FlightSupplierUnavailable', false],
    timeout: ['FlightSupplierTimeout', false],
    'fare-changed': ['FlightFareChanged', true],
    'sold-out': ['FlightSoldOut', true],
    'offer-expired': ['FlightOfferExpired', true],
    'quote-expired': ['FlightQuoteExpired', true],
    'invalid-request': ['FlightRequestInvalid', true],
    'not-allowed': ['FlightActionNotAllowed', true],
    'payment-declined': ['FlightPaymentDeclined', true],
    'not-found': ['FlightNotFound', true],
    auth: ['FlightSupplierAuthRejected', true],
    'malformed-response': ['FlightSupplierMalformedResponse', true],
  };

  it.each(FLIGHT_SUPPLIER_ERROR_KINDS.map((k) => [k, ...EXPECTED[k]] as const))('supplier error %s -> %s (nonRetryable %s)', async (kind, type, nonRetryable) => {
    const supplier = new FakeSupplier();
    supplier.failNext.price = [new FlightSupplierError(kind, `boom: ${kind}`, { status: 418, path: 'data.total_amount' })];
    const { priceFlightOffer } = createFlightActivities({ suppliers: { fake: supplier } });
    const failure = await failureOf(mock().run(priceFlightOffer, { supplier: 'fake', offerId: 'off_1' }));
    expect({ type: failure.type, nonRetryable: failure.nonRetryable, message: failure.message }).toEqual({ type, nonRetryable, message: `fake: boom: ${kind}` });
    expect(failure.details).toEqual([{ kind, status: 418, path: 'data.total_amount' }]);
    expect(NON_RETRYABLE_FLIGHT_FAILURES.includes(type as FlightFailureType)).toBe(nonRetryable);
  });

  it('a 429 carries the supplier Retry-After as nextRetryDelay; a fare change carries the new total', async () => {
    const supplier = new FakeSupplier();
    const { searchFlights, createFlightOrder } = createFlightActivities({ suppliers: { fake: supplier } });
    supplier.failNext.search = [new FlightSupplierError('rate-limited', 'Too many requests', { status: 429, retryAfterMs: 7_000 })];
    const limited = await failureOf(mock().run(searchFlights, { supplier: 'fake', search }));
    expect(limited).toMatchObject({ type: 'FlightSupplierRateLimited', nonRetryable: false, nextRetryDelay: 7_000 });

    supplier.failNext.createOrder = [new FlightSupplierError('fare-changed', 'Fare is now 431.10', { newTotal: GBP('431.10') })];
    const changed = await failureOf(mock().run(createFlightOrder, { supplier: 'fake', ...request }));
    expect(changed).toMatchObject({ type: 'FlightFareChanged', nonRetryable: true, details: [{ kind: 'fare-changed', newTotal: GBP('431.10') }] });
    expect(changed.nextRetryDelay).toBeUndefined();
    expect(supplier.orders).toHaveLength(0);
  });

  it('an unknown supplier is non-retryable; an error that is not a supplier error is rethrown as is (retryable)', async () => {
    const supplier = new FakeSupplier();
    const { getFlightOrder, quoteFlightChange } = createFlightActivities({ suppliers: { fake: supplier } });
    expect(await failureOf(mock().run(getFlightOrder, { supplier: 'toString', orderId: 'x' }))).toMatchObject({
      type: FlightFailureType.FlightSupplierUnknown,
      nonRetryable: true,
      message: 'No flight supplier "toString" is configured (configured: fake)',
    });
    await expect(mock().run(quoteFlightChange, { supplier: 'fake', orderId: 'ord_1', slices: [] })).rejects.toThrow('not scripted');
  });

  it('createFlightOrder: a create that committed then timed out is found by reference on attempt 2; exactly one order', async () => {
    const supplier = new FakeSupplier();
    supplier.commitThenFail.createOrder = [new FlightSupplierError('timeout', 'No answer within 20000 ms')];
    const { createFlightOrder } = createFlightActivities({ suppliers: { fake: supplier } });

    const first = await failureOf(mock({ attempt: 1 }).run(createFlightOrder, { supplier: 'fake', ...request }));
    expect(first).toMatchObject({ type: 'FlightSupplierTimeout', nonRetryable: false });

    const order = await mock({ attempt: 2 }).run(createFlightOrder, { supplier: 'fake', ...request });
    expect(order).toMatchObject({ id: 'ord_1', bookingReference: 'PNR001', reference: request.reference, status: 'HELD' });
    expect(supplier.orders).toHaveLength(1);
    expect(supplier.calls).toEqual([
      { method: 'findOrderByReference', attempt: 1 },
      { method: 'createOrder', attempt: 1 },
      { method: 'findOrderByReference', attempt: 2 },
    ]);

    // A 502 after the commit resolves the same way; a different reference makes a second order.
    supplier.commitThenFail.createOrder = [new FlightSupplierError('unavailable', 'Bad gateway', { status: 502 })];
    const ref2 = 'booking-ITN-2-flight:create-flight-order';
    await failureOf(mock({ attempt: 1 }).run(createFlightOrder, { supplier: 'fake', ...request, reference: ref2 }));
    expect(await mock({ attempt: 2 }).run(createFlightOrder, { supplier: 'fake', ...request, reference: ref2 })).toMatchObject({ id: 'ord_2' });
    expect(supplier.orders.map((o) => o.reference)).toEqual([request.reference, ref2]);
  });

  it('priceAndHoldFlight: priced and held in one call; a hold that committed then timed out is found on attempt 2 and priced from the order (the offer is spent)', async () => {
    const supplier = new FakeSupplier();
    supplier.commitThenFail.createOrder = [new FlightSupplierError('timeout', 'No answer within 20000 ms')];
    const { priceAndHoldFlight } = createFlightActivities({ suppliers: { fake: supplier } });
    const input = { supplier: 'fake', offerId: 'off_1', passengers: request.passengers, reference: 'booking-ITN-3:flight:air' };

    expect(await failureOf(mock({ attempt: 1 }).run(priceAndHoldFlight, input))).toMatchObject({ type: 'FlightSupplierTimeout', nonRetryable: false });
    const { priced, order } = (await mock({ attempt: 2 }).run(priceAndHoldFlight, input)) as Awaited<ReturnType<typeof priceAndHoldFlight>>;
    expect(order).toMatchObject({ id: 'ord_1', reference: input.reference, status: 'HELD' });
    expect(supplier.orders).toHaveLength(1);
    expect(priced.offer).toMatchObject({ id: 'off_1', total: order!.total, instantPaymentRequired: false, ticketingDeadline: order!.paymentDeadline, validatingCarrier: order!.validatingCarrier });
    expect(supplier.calls.map((c) => `${c.method}@${c.attempt}`)).toEqual(['findOrderByReference@1', 'price@1', 'createOrder@1', 'findOrderByReference@2']);

    // A fare that must be paid at once is priced, not held (it is bought at confirmation).
    const instant = new FakeSupplier();
    instant.price = async (offerId: string) => ({ offer: { ...offer, id: offerId, instantPaymentRequired: true }, priceChanged: false, previousTotal: null });
    const viaInstant = createFlightActivities({ suppliers: { fake: instant } });
    expect(await mock().run(viaInstant.priceAndHoldFlight, input)).toMatchObject({ order: null, priced: { offer: { instantPaymentRequired: true } } });
    expect(instant.orders).toHaveLength(0);
  });

  it('payFlightOrder: an already ticketed order is returned without paying again', async () => {
    const supplier = new FakeSupplier();
    const { createFlightOrder, payFlightOrder } = createFlightActivities({ suppliers: { fake: supplier } });
    const order: FlightOrder = await mock().run(createFlightOrder, { supplier: 'fake', ...request });
    supplier.commitThenFail.payOrder = [new FlightSupplierError('timeout', 'No answer')];
    const pay = { supplier: 'fake', orderId: order.id, amount: GBP('412.30'), reference: 'booking-ITN-1-flight:pay-flight-order' };

    expect(await failureOf(mock({ attempt: 1 }).run(payFlightOrder, pay))).toMatchObject({ type: 'FlightSupplierTimeout' });
    const paid = await mock({ attempt: 2 }).run(payFlightOrder, pay);
    expect(paid).toMatchObject({ status: 'TICKETED', documents: [{ type: 'ETICKET', passengerId: 'pax-1' }] });
    expect(supplier.count('payOrder')).toBe(1);

    supplier.failNext.getOrder = [new FlightSupplierError('not-found', 'No order ord_9')];
    expect(await failureOf(mock().run(payFlightOrder, { ...pay, orderId: 'ord_9' }))).toMatchObject({ type: 'FlightNotFound', nonRetryable: true });
  });

  it('heartbeats before, while awaiting and after a long search', async () => {
    const supplier = new FakeSupplier();
    let release!: () => void;
    supplier.searchGate = new Promise<void>((r) => (release = r));
    const { searchFlights } = createFlightActivities({ suppliers: { fake: supplier }, heartbeatIntervalMs: 5 });
    const env = mock();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => {
      beats.push(d);
      // Answer once the activity has heartbeated twice while waiting.
      if (beats.filter((b) => (b as { phase: string }).phase === 'waiting').length === 2) release();
    });
    const offers = await env.run(searchFlights, { supplier: 'fake', search });
    expect(offers).toHaveLength(1);
    expect(beats[0]).toEqual({ step: 'search', phase: 'started' });
    expect(beats.at(-1)).toEqual({ step: 'search', phase: 'done' });
    expect(beats.filter((b) => (b as { phase: string }).phase === 'waiting').length).toBeGreaterThanOrEqual(2);
  });

  it('passes other calls through to the supplier', async () => {
    const supplier = new FakeSupplier();
    const { quoteFlightCancellation } = createFlightActivities({ suppliers: { fake: supplier } });
    expect(await mock().run(quoteFlightCancellation, { supplier: 'fake', orderId: 'ord_1' })).toMatchObject({ id: 'q1', penalty: GBP('412.30') });
  });
});

describe('flight activities over the sandbox GDS core: order changes', () => {
  const now = Date.parse('2027-03-01T10:00:00Z');
  const adult = { id: 'p1', type: 'ADT' as const, givenName: 'Ada', familyName: 'Lovelace', bornOn: '1985-12-10' };
  const oneWay: FlightSearch = { slices: [{ origin: 'LHR', destination: 'JFK', departureDate: '2027-03-10' }], passengers: [{ type: 'ADT' }], cabin: 'ECONOMY' };

  it('a fare that moved before the change is confirmed fails as FlightFareChanged with the new amount due; re-quoting and confirming gives a CHANGED order', async () => {
    const core = new SandboxAirline({ now: () => now });
    const { createFlightOrder, quoteFlightChange, confirmFlightChange } = createFlightActivities({ suppliers: { sbx: core, 'sbx-moving': core.faultsFor('fare-changed') } });
    const m = (await core.search(oneWay)).find((o) => o.slices[0]!.segments[0]!.bookingClass === 'M')!;
    const order: FlightOrder = await mock().run(createFlightOrder, { supplier: 'sbx', offerId: m.id, passengers: [adult], payment: { kind: 'instant' as const, amount: m.total }, reference: 'wf-a:create' });
    const change = { orderId: order.id, slices: [{ replaceIndex: 0, with: { origin: 'LHR', destination: 'JFK', departureDate: '2027-03-11' } }] };
    const quote: ChangeQuote = await mock().run(quoteFlightChange, { supplier: 'sbx', ...change });

    const moved = await failureOf(mock().run(confirmFlightChange, { supplier: 'sbx-moving', quoteId: quote.id, payment: quote.totalDue, reference: 'wf-a:change' }));
    expect(moved).toMatchObject({ type: 'FlightFareChanged', nonRetryable: true, details: [{ kind: 'fare-changed', newTotal: { currency: 'GBP' } }] });
    const newDue = (moved.details![0] as { newTotal: MoneyJson }).newTotal;
    expect(newDue.amount).not.toBe(quote.totalDue.amount);
    // The superseded quote cannot be confirmed any more: the workflow must quote again.
    expect(await failureOf(mock().run(confirmFlightChange, { supplier: 'sbx', quoteId: quote.id, payment: quote.totalDue, reference: 'wf-a:change' }))).toMatchObject({ type: 'FlightQuoteExpired' });

    const requote: ChangeQuote = await mock().run(quoteFlightChange, { supplier: 'sbx', ...change });
    expect(requote.totalDue).toEqual(newDue);
    const changed: FlightOrder = await mock().run(confirmFlightChange, { supplier: 'sbx', quoteId: requote.id, payment: requote.totalDue, reference: 'wf-a:change-2' });
    expect(changed).toMatchObject({ status: 'CHANGED', supplierStatus: 'CHANGED', slices: requote.newSlices });
    expect(changed.documents.filter((d) => d.type === 'ETICKET').map((d) => d.number)).not.toEqual(order.documents.map((d) => d.number));
    expect(changed.fares[0]!.fare.total).toEqual(changed.total);
  });
});
