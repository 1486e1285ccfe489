import { Context } from '@temporalio/activity';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createFlightActivities } from '../../../activities/flight.activities';
import type { FlightSupplier } from '../../../activities/ports/flight-supplier';
import { FlightSupplierError, type CreateOrderRequest, type FlightOrder, type Offer, type PricedOffer } from '../../../domain/flights/model';
import type { MoneyJson } from '../../../domain/money/money';
import { temporalTestServerPath } from '../../../infra/tools';
import { FlightOrderWorkflow, type FlightOrderInput, type FlightOrderResult } from '../flight-order.workflow';

const TASK_QUEUE = 'flight-orders-test';
/** Server time each run may skip: more than any backoff or Retry-After below. */
const SKIP_MS = 60_000;
const GBP = (amount: string): MoneyJson => ({ amount, currency: 'GBP' });
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

const offer = (id: string, total = '412.30', taxTotal = '112.30'): Offer => ({
  id,
  supplier: 'fake',
  slices: [],
  fares: [],
  total: GBP(total),
  base: GBP('300.00'),
  taxTotal: GBP(taxTotal),
  seatsLeft: [],
  conditions: { change: { allowed: false, fee: null }, refund: { allowed: false, fee: null } },
  expiresAt: Date.UTC(2100, 0, 1),
  instantPaymentRequired: true,
  ticketingDeadline: null,
  validatingCarrier: 'BA',
});

type Call = { method: 'price' | 'createOrder' | 'findOrderByReference'; attempt: number; scheduledAt: number };

/**
 * The port in memory, scripted: failures thrown before (or, for createOrder, after) committing.
 * Each call records its attempt and when the server scheduled it (server time, so retry intervals
 * can be checked on skipped time).
 */
class ScriptedSupplier implements FlightSupplier {
  readonly orders: FlightOrder[] = [];
  readonly calls: Call[] = [];
  priceFailures: FlightSupplierError[] = [];
  createFailuresAfterCommit: FlightSupplierError[] = [];
  repriceTo: { total: string; taxTotal: string } | null = null;
  constructor(readonly name: string) {}

  private record(method: Call['method']) {
    const { attempt, currentAttemptScheduledTimestampMs } = Context.current().info;
    this.calls.push({ method, attempt, scheduledAt: currentAttemptScheduledTimestampMs });
  }
  async search(): Promise<Offer[]> {
    return [];
  }
  async price(offerId: string): Promise<PricedOffer> {
    this.record('price');
    const err = this.priceFailures.shift();
    if (err) throw err;
    if (this.repriceTo) return { offer: offer(offerId, this.repriceTo.total, this.repriceTo.taxTotal), priceChanged: true, previousTotal: GBP('412.30') };
    return { offer: offer(offerId), priceChanged: false, previousTotal: null };
  }
  async createOrder(req: CreateOrderRequest): Promise<FlightOrder> {
    this.record('createOrder');
    const order: FlightOrder = {
      id: `${this.name}-ord-${this.orders.length + 1}`,
      supplier: this.name,
      bookingReference: 'XKCD42',
      reference: req.reference,
      status: 'TICKETED',
      supplierStatus: 'confirmed',
      slices: [],
      passengers: req.passengers,
      total: GBP('412.30'),
      base: GBP('300.00'),
      taxTotal: GBP('112.30'),
      fares: [],
      paymentDeadline: null,
      priceGuaranteeExpiresAt: null,
      documents: req.passengers.map((p) => ({ type: 'ETICKET', number: '1252123456789', passengerId: p.id })),
      conditions: { change: { allowed: false, fee: null }, refund: { allowed: false, fee: null } },
      validatingCarrier: 'BA',
      createdAt: 0,
    };
    this.orders.push(order);
    const err = this.createFailuresAfterCommit.shift();
    if (err) throw err;
    return order;
  }
  async findOrderByReference(reference: string): Promise<FlightOrder | null> {
    this.record('findOrderByReference');
    return this.orders.find((o) => o.reference === reference) ?? null;
  }
  getOrder(): Promise<FlightOrder> {
    throw new Error('not used');
  }
  payOrder(): Promise<FlightOrder> {
    throw new Error('not used');
  }
  quoteChange(): Promise<never> {
    throw new Error('not used');
  }
  confirmChange(): Promise<never> {
    throw new Error('not used');
  }
  quoteCancellation(): Promise<never> {
    throw new Error('not used');
  }
  confirmCancellation(): Promise<never> {
    throw new Error('not used');
  }
}

describe('FlightOrderWorkflow (time-skipping test server, real activities over a scripted supplier)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  const suppliers = {
    flaky: new ScriptedSupplier('flaky'),
    limited: new ScriptedSupplier('limited'),
    ambiguous: new ScriptedSupplier('ambiguous'),
    repriced: new ScriptedSupplier('repriced'),
    gone: new ScriptedSupplier('gone'),
  };

  beforeAll(async () => {
    [env, bundle] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('../flight-order.workflow'), logger: silent }),
    ]);
    client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: createFlightActivities({ suppliers }) });
    running = worker.run();
  });
  afterAll(async () => {
    if (worker) {
      worker.shutdown();
      await running;
    }
    await env?.teardown();
  });

  const input = (supplier: string): FlightOrderInput => ({
    supplier,
    offerId: 'off_1',
    passengers: [{ id: 'pax-1', type: 'ADT', givenName: 'Ada', familyName: 'Lovelace', bornOn: '1985-12-10' }],
    payment: { kind: 'instant', amount: GBP('412.30') },
    reference: 'ITN-1',
  });

  /**
   * Runs one workflow to its end through the plain client while letting the server skip at most
   * `SKIP_MS` of retry backoff (the environment's own client would let the clock run on past the
   * result, ten years ahead, to the activities' schedule-to-close limit).
   */
  async function run(workflowId: string, supplier: string): Promise<FlightOrderResult> {
    const handle = await client.workflow.start(FlightOrderWorkflow, { workflowId, taskQueue: TASK_QUEUE, args: [input(supplier)] });
    const [result] = await Promise.all([handle.result(), env.sleep(SKIP_MS)]);
    return result;
  }

  /** Server time from the first pricing attempt being scheduled to the order step being scheduled. */
  const pricingTook = (calls: Call[]) => calls.find((c) => c.method === 'findOrderByReference')!.scheduledAt - calls.find((c) => c.method === 'price')!.scheduledAt;

  it('retries a supplier that is unavailable twice with 1 s then 2 s backoff, then orders', async () => {
    const s = suppliers.flaky;
    s.priceFailures = [new FlightSupplierError('unavailable', 'Service Unavailable', { status: 503 }), new FlightSupplierError('unavailable', 'Gateway Timeout', { status: 504 })];
    const result = await run('flight-order-flaky', 'flaky');
    expect(result).toMatchObject({ status: 'ORDERED', order: { id: 'flaky-ord-1', reference: 'flight-order-flaky:create-flight-order', status: 'TICKETED' } });
    expect(s.calls.filter((c) => c.method === 'price').map((c) => c.attempt)).toEqual([1, 2, 3]);
    // Backoff 1 s then 2 s, on the server's clock.
    expect(pricingTook(s.calls)).toBeGreaterThanOrEqual(3_000);
    expect(pricingTook(s.calls)).toBeLessThan(10_000);
    expect(s.orders).toHaveLength(1);
  });

  it('waits for the Retry-After of a 429 rather than the backoff interval', async () => {
    const s = suppliers.limited;
    s.priceFailures = [new FlightSupplierError('rate-limited', 'Too Many Requests', { status: 429, retryAfterMs: 30_000 })];
    const realStart = Date.now();
    const result = await run('flight-order-limited', 'limited');
    expect(Date.now() - realStart).toBeLessThan(15_000); // skipped on the server's clock, not waited
    expect(result.status).toBe('ORDERED');
    expect(s.calls.filter((c) => c.method === 'price').map((c) => c.attempt)).toEqual([1, 2]);
    // The second attempt waited the 30 s Retry-After, not the 1 s initial interval.
    expect(pricingTook(s.calls)).toBeGreaterThanOrEqual(30_000);
    expect(pricingTook(s.calls)).toBeLessThan(40_000);
    expect(s.orders).toHaveLength(1);
  });

  it('a create that committed then timed out is found by reference on the retry: exactly one order', async () => {
    const s = suppliers.ambiguous;
    s.createFailuresAfterCommit = [new FlightSupplierError('timeout', 'No answer within 20000 ms')];
    const result = await run('flight-order-ambiguous', 'ambiguous');
    expect(result).toMatchObject({ status: 'ORDERED', order: { id: 'ambiguous-ord-1', reference: 'flight-order-ambiguous:create-flight-order' } });
    expect(s.orders).toHaveLength(1);
    expect(s.calls.filter((c) => c.method !== 'price').map((c) => `${c.method}#${c.attempt}`)).toEqual(['findOrderByReference#1', 'createOrder#1', 'findOrderByReference#2']);
  });

  it('a fare change ends with REQUOTE and no order, whether thrown or reported by pricing', async () => {
    const s = suppliers.repriced;
    s.priceFailures = [new FlightSupplierError('fare-changed', 'Fare is now 431.10', { newTotal: GBP('431.10') })];
    expect(await run('flight-order-fare-changed', 'repriced')).toEqual({ status: 'REQUOTE', newTotal: GBP('431.10'), previousTotal: null });
    s.repriceTo = { total: '433.30', taxTotal: '133.30' };
    expect(await run('flight-order-price-changed', 'repriced')).toEqual({ status: 'REQUOTE', newTotal: GBP('433.30'), previousTotal: GBP('412.30') });
    expect(s.calls.map((c) => c.method)).toEqual(['price', 'price']);
    expect(s.orders).toHaveLength(0);
  });

  it('sold out ends with SEARCH_AGAIN; a refused request fails the workflow with its failure type, without retries', async () => {
    const s = suppliers.gone;
    s.priceFailures = [new FlightSupplierError('sold-out', 'No seats left in Y')];
    expect(await run('flight-order-sold-out', 'gone')).toEqual({ status: 'SEARCH_AGAIN', failureType: 'FlightSoldOut', message: 'gone: No seats left in Y' });
    s.priceFailures = [new FlightSupplierError('invalid-request', 'passengers[0].born_on is required', { status: 422 })];
    const err = await run('flight-order-invalid', 'gone').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause?.cause).toMatchObject({ type: 'FlightRequestInvalid', nonRetryable: true });
    expect(s.calls.map((c) => c.attempt)).toEqual([1, 1]);
    expect(s.orders).toHaveLength(0);
  });
});
