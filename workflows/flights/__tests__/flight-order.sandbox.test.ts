import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createFlightActivities } from '../../../activities/flight.activities';
import { DuffelJsonFlightSupplier } from '../../../adapters/duffel-json/adapter';
import { NdcXmlFlightSupplier } from '../../../adapters/ndc-xml/adapter';
import type { FlightSearch, Offer, OrderPassenger } from '../../../domain/flights/model';
import { temporalTestServerPath } from '../../../infra/tools';
import { startSandboxGds, type SandboxGds } from '../../../sandbox/gds/server';
import { FlightOrderWorkflow, type FlightOrderResult } from '../flight-order.workflow';

/**
 * End to end below the API: FlightOrderWorkflow on the time-skipping server, the real flight
 * activities, the real Duffel-style and NDC adapters, over HTTP to the sandbox GDS. What the
 * scripted-supplier tests show about retries holds with the real wire formats too.
 */
const TASK_QUEUE = 'flight-orders-sandbox-test';
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

const SEARCH: FlightSearch = {
  slices: [{ origin: 'LHR', destination: 'SIN', departureDate: '2027-04-14' }],
  passengers: [{ type: 'ADT' }, { type: 'ADT' }],
  cabin: 'ECONOMY',
};
const PASSENGERS: OrderPassenger[] = [
  { id: 'P-1', type: 'ADT', title: 'MS', givenName: 'Grace', familyName: 'Hopper', bornOn: '1976-12-09', gender: 'F', passport: { number: '501234567', issuingCountry: 'US', expiresOn: '2032-01-01' } },
  { id: 'P-2', type: 'ADT', title: 'MR', givenName: 'Alan', familyName: 'Turing', bornOn: '1972-06-23', gender: 'M', passport: { number: '701234567', issuingCountry: 'GB', expiresOn: '2031-06-01' } },
];

describe('FlightOrderWorkflow over the real adapters and the sandbox GDS (time skipping)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  let gds: SandboxGds;
  let duffel: DuffelJsonFlightSupplier;
  let ndc: NdcXmlFlightSupplier;

  beforeAll(async () => {
    gds = await startSandboxGds({ port: 0 });
    duffel = new DuffelJsonFlightSupplier({ baseUrl: gds.url, accessToken: 'sandbox-token', name: 'duffel', timeoutMs: 5_000 });
    ndc = new NdcXmlFlightSupplier({ baseUrl: gds.url, version: '21.3', name: 'ndc', timeoutMs: 5_000 });
    [env, bundle] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      bundleWorkflowCode({ workflowsPath: require.resolve('../flight-order.workflow'), logger: silent }),
    ]);
    client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: createFlightActivities({ suppliers: { duffel, ndc } }) });
    running = worker.run();
  });
  afterAll(async () => {
    if (worker) {
      worker.shutdown();
      await running;
    }
    await env?.teardown();
    await gds?.close();
  });

  const seatsOf = (offer: Offer) =>
    offer.slices.flatMap((s) => s.segments).map((seg) => gds.core.seatsLeft({ carrier: seg.carrier, flightNumber: seg.flightNumber, date: seg.departure.local.slice(0, 10), bookingClass: seg.bookingClass }));

  async function order(supplier: 'duffel' | 'ndc', offer: Offer, workflowId: string): Promise<FlightOrderResult> {
    const handle = await client.workflow.start(FlightOrderWorkflow, {
      workflowId,
      taskQueue: TASK_QUEUE,
      args: [{ supplier, offerId: offer.id, passengers: PASSENGERS, payment: { kind: 'instant', amount: offer.total }, reference: workflowId }],
    });
    const [result] = await Promise.all([handle.result(), env.sleep(60_000)]);
    return result;
  }

  it('orders through the Duffel-style adapter despite a commit-then-500: one order, seats taken once, tickets issued', async () => {
    const offers = await duffel.search(SEARCH);
    const offer = offers.find((o) => o.instantPaymentRequired) ?? offers[0]!;
    const before = seatsOf(offer);
    gds.faults.add({ method: 'POST', path: '/air/orders', fault: 'fail-after-commit;times=1' });
    const result = await order('duffel', offer, 'flight-sandbox-duffel');
    expect(result.status).toBe('ORDERED');
    if (result.status !== 'ORDERED') return;
    expect(result.order.documents.filter((d) => d.type === 'ETICKET')).toHaveLength(2);
    expect(result.order.reference).toBe('flight-sandbox-duffel:create-flight-order');
    // Two passengers, one order: each flight lost exactly two seats, not four.
    expect(seatsOf(offer)).toEqual(before.map((n) => n - 2));
  });

  it('orders through the NDC adapter after two 503s, and re-quotes on a fare change without ordering', async () => {
    const offers = await ndc.search(SEARCH);
    const offer = offers.find((o) => o.instantPaymentRequired) ?? offers[0]!;
    gds.faults.add({ method: 'POST', path: /\/ndc\/21\.3\/OfferPrice$/, fault: 'status=503;times=2' });
    const ordered = await order('ndc', offer, 'flight-sandbox-ndc');
    expect(ordered.status).toBe('ORDERED');

    const other = (await ndc.search(SEARCH)).find((o) => o.id !== offer.id)!;
    const before = seatsOf(other);
    gds.faults.add({ method: 'POST', path: /\/ndc\/21\.3\/OfferPrice$/, fault: 'fare-changed;times=1' });
    const requote = await order('ndc', other, 'flight-sandbox-ndc-requote');
    expect(requote.status).toBe('REQUOTE');
    expect(seatsOf(other)).toEqual(before);
  });
});
