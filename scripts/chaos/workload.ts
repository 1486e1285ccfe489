import { addDays } from '../../domain/catalog/dates';
import { TERMINAL_STATUSES, type LifecycleStatus } from '../../domain/booking/model';
import type { TripCatalog } from '../../test/support/trip-catalog';
import { firstRatePlan, tripComponents } from '../../test/support/trip-catalog';
import { between, pick, stream, type Rng } from './prng';
import { Money } from '../../domain/money/money';

/**
 * The chaos workload: bookings driven through the REST API, each by a short script that ends in a
 * terminal status without skipping time. While the worker is dead the API answers 503/504 or not
 * at all: every call is repeated with the same Idempotency-Key (payments, POST /bookings) until it
 * gets a real answer, which is what a travel advisor's client would do.
 */
export type Scenario = 'held-cancel' | 'deposit-cancel' | 'paid-cancel' | 'two-payments-cancel' | 'flight-paid-cancel' | 'amend-cancel' | 'scarce';

export interface BookingRun {
  index: number;
  scenario: Scenario;
  key: string;
  reference: string | null;
  /** The API accepted it (201/200/202, or 422 with a FAILED booking): it must exist and end terminal. */
  accepted: boolean;
  /** Payment keys the API acknowledged (200): the ledger must hold exactly one entry each. */
  payments: string[];
  /** What the script saw last. */
  status: LifecycleStatus | null;
  retries: number;
  /** Requests the API answered 500 (an internal error: a bug, whatever the workflow's state). */
  serverErrors: string[];
  steps: string[];
  /** When the script's latest call was first tried (the booking's last change was asked for then). */
  lastCallAt: number;
  error: string | null;
  finishedAt: number | null;
}

export interface WorkloadContext {
  apiUrl: string;
  seed: number;
  today: string;
  trip: TripCatalog;
  /** The hotel category with a tiny allotment (scarce scenario), if the catalog has one. */
  scarceCategory: string | null;
  scarceDate: string;
  /** Gives up on one call after this long (the worker may be dead for a while). */
  callDeadlineMs: number;
  log: (line: string) => void;
  /** Set when the script starts a call (for "time since the last API request"). */
  touch: () => void;
}

const SCENARIOS: ReadonlyArray<readonly [Scenario, number]> = [
  ['held-cancel', 15],
  ['deposit-cancel', 15],
  ['paid-cancel', 20],
  ['two-payments-cancel', 10],
  ['flight-paid-cancel', 20],
  ['amend-cancel', 10],
  ['scarce', 10],
];

type Json = Record<string, unknown>;
interface Answer {
  status: number;
  body: Json;
  /** From the first try to this answer, and how many tries it took. */
  ms: number;
  tries: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const RETRYABLE = new Set([0, 202, 500, 502, 503, 504]);
const SERVER_ERROR_PATIENCE_MS = 30_000;

/** One call, repeated (same body, same key) while the answer is "not now". */
async function call(ctx: WorkloadContext, run: BookingRun, method: 'GET' | 'POST', path: string, body?: unknown, key?: string): Promise<Answer> {
  const t0 = Date.now();
  run.lastCallAt = t0;
  const until = t0 + ctx.callDeadlineMs;
  let wait = 500;
  const seen: number[] = [];
  let firstServerError: number | null = null;
  for (let tries = 1; ; tries++) {
    ctx.touch();
    let answer: Omit<Answer, 'ms' | 'tries'>;
    try {
      const res = await fetch(`${ctx.apiUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(45_000),
      });
      const text = await res.text();
      answer = { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
    } catch (err) {
      answer = { status: 0, body: { error: err instanceof Error ? err.message : String(err) } };
    }
    // 202 from POST /bookings: started, not yet held; the same POST again waits for the hold.
    seen.push(answer.status);
    if (answer.status === 500) run.serverErrors.push(`${method} ${path} → 500 (request ${String(answer.body.requestId ?? '?')})`);
    // An opaque 500 is repeated for a while only: right after a worker restart the API answers
    // 500 to updates while Temporal refuses them ("Workflow Task in failed state", until the new
    // worker completes a task), but a 500 that lasts is a bug (a workflow task failing for good).
    if (answer.status === 500) firstServerError ??= Date.now();
    const giveUp = Date.now() > until || (answer.status === 500 && Date.now() - firstServerError! > SERVER_ERROR_PATIENCE_MS);
    if (!RETRYABLE.has(answer.status) || (answer.status === 202 && method !== 'POST') || giveUp) {
      const done = { ...answer, ms: Date.now() - t0, tries };
      if (done.ms > 20_000 || done.status >= 500) ctx.log(`  slow: #${run.index} ${run.reference ?? ''} ${method} ${path} → ${done.status} after ${(done.ms / 1000).toFixed(1)} s (answers ${seen.join(' ')})${done.status >= 400 ? `: ${JSON.stringify(done.body).slice(0, 300)}` : ''}`);
      return done;
    }
    run.retries++;
    await sleep(wait);
    wait = Math.min(wait * 2, 4_000);
  }
}

function expect(run: BookingRun, what: string, a: Answer, ...ok: number[]): Json {
  run.steps.push(`${what} → ${a.status} (${(a.ms / 1000).toFixed(1)} s)`);
  if (!ok.includes(a.status)) throw new Error(`${what} answered ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`);
  return a.body;
}

const passengers = (i: number) => [
  { id: 'p1', type: 'ADT', givenName: 'Chaos', familyName: `Monkey${i}`.replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!), bornOn: '1980-04-12' },
  { id: 'p2', type: 'ADT', givenName: 'Entropy', familyName: `Monkey${i}`.replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!), bornOn: '1982-09-30' },
];

/** A flight offer for two adults departing `date` (LHR→CDG or LHR→JFK), or null when none is left. */
async function flightOffer(ctx: WorkloadContext, run: BookingRun, rng: Rng, date: string): Promise<{ supplier: string; id: string } | null> {
  const [origin, destination] = pick<[string, string]>(rng, [
    [['LHR', 'CDG'], 1],
    [['LHR', 'JFK'], 1],
    [['LHR', 'DXB'], 1],
  ]);
  const a = await call(ctx, run, 'POST', '/flights/search', { supplier: 'duffel', slices: [{ origin, destination, departureDate: date }], passengers: [{ type: 'ADT' }, { type: 'ADT' }], cabin: 'ECONOMY', maxOffers: 12 });
  const body = expect(run, `search ${origin}-${destination} ${date}`, a, 200);
  const offers = (body.offers as Array<{ id: string; supplier: string }>) ?? [];
  if (!offers.length) return null;
  return offers[between(rng, 0, offers.length - 1)]!;
}

/** Cancels and checks the booking ended CANCELLED (a repeat after a lost answer finds it cancelled). */
async function cancel(ctx: WorkloadContext, run: BookingRun): Promise<void> {
  const a = await call(ctx, run, 'POST', `/bookings/${run.reference}/cancellation`, { reason: 'chaos harness' });
  run.steps.push(`cancel → ${a.status}`);
  if (a.status === 200) {
    run.status = a.body.status as LifecycleStatus;
    return;
  }
  if (a.status === 409 || a.status === 422) {
    // Refused: already cancelled by our own earlier attempt whose answer was lost?
    const g = await call(ctx, run, 'GET', `/bookings/${run.reference}`);
    run.status = (g.body.status as LifecycleStatus | undefined) ?? null;
    if (run.status && TERMINAL_STATUSES.includes(run.status)) return;
  }
  throw new Error(`cancellation answered ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`);
}

async function pay(ctx: WorkloadContext, run: BookingRun, amount: { amount: string; currency: string }, repeat = false): Promise<Json> {
  const key = `${run.key}-pay-${run.payments.length + 1}`;
  const body = expect(run, `pay ${amount.amount}`, await call(ctx, run, 'POST', `/bookings/${run.reference}/payments`, { amount, method: 'card' }, key), 200);
  run.payments.push(key);
  run.status = body.status as LifecycleStatus;
  if (repeat) {
    // The same payment delivered twice: the second must change nothing. The API replays its
    // stored answer (identical), or, if that was never stored (the API died before it answered),
    // the workflow recognises the payment and answers it as a duplicate of the same record.
    const again = expect(run, 'pay again (same key)', await call(ctx, run, 'POST', `/bookings/${run.reference}/payments`, { amount, method: 'card' }, key), 200);
    const samePayment = JSON.stringify(again.payment) === JSON.stringify(body.payment);
    const replayed = JSON.stringify(again) === JSON.stringify(body);
    if (!samePayment || !(replayed || again.duplicate === true)) {
      throw new Error(`repeated payment ${key} was neither replayed nor recognised as a duplicate: ${JSON.stringify(again).slice(0, 300)}`);
    }
  }
  return body;
}

/** Runs booking `index`'s script to its end (or its error). */
export async function runBooking(ctx: WorkloadContext, index: number, prefix: string): Promise<BookingRun> {
  const rng = stream(ctx.seed, index);
  const scenario = pick(rng, SCENARIOS);
  const run: BookingRun = { index, scenario, key: `${prefix}-${index}`, reference: null, accepted: false, payments: [], status: null, retries: 0, serverErrors: [], steps: [], lastCallAt: 0, error: null, finishedAt: null };
  try {
    const nights = between(rng, 1, 4);
    const departureDate = scenario === 'scarce' ? ctx.scarceDate : addDays(ctx.today, between(rng, 20, 80));
    let components: unknown[] = tripComponents(ctx.trip, departureDate, nights);
    if (scenario === 'scarce' && ctx.scarceCategory) {
      components = [{ ...(components[0] as Json), category: ctx.scarceCategory, ratePlan: firstRatePlan(ctx.trip.hotel).ratePlan, nights: 1 }];
    }
    if (scenario === 'flight-paid-cancel') {
      const offer = await flightOffer(ctx, run, rng, departureDate);
      if (offer) components = [{ id: 'flight', kind: 'FLIGHT', supplier: offer.supplier, offerId: offer.id, passengers: passengers(index) }, ...components.slice(0, 2)];
    }
    const request = {
      customerId: `CUST-CHAOS-${index % 17}`,
      advisorId: 'ADV-CHAOS',
      channel: 'direct',
      currency: 'GBP',
      departureDate,
      returnDate: addDays(departureDate, nights),
      components,
      contactEmail: 'chaos@example.com',
    };
    const held = await call(ctx, run, 'POST', '/bookings', request, run.key);
    run.steps.push(`book → ${held.status}`);
    const view = held.body.view as Json | undefined;
    if (held.status === 422 && view?.status === 'FAILED') {
      // Could not be held (sold out): a FAILED booking, terminal at once.
      run.reference = held.body.reference as string;
      run.accepted = true;
      run.status = 'FAILED';
      return run;
    }
    if (held.status !== 201 && held.status !== 200) {
      if (held.status === 202) {
        run.reference = held.body.reference as string;
        run.accepted = true;
      }
      throw new Error(`POST /bookings answered ${held.status}: ${JSON.stringify(held.body).slice(0, 300)}`);
    }
    run.reference = held.body.reference as string;
    run.accepted = true;
    run.status = held.body.status as LifecycleStatus;
    if (run.status === 'FAILED') return run;
    const total = held.body.total as { amount: string; currency: string };
    const deposit = (held.body.schedule as Array<{ amount: { amount: string; currency: string } }>)[0]?.amount ?? total;
    switch (scenario) {
      case 'held-cancel':
      case 'scarce':
        break;
      case 'deposit-cancel':
        await pay(ctx, run, deposit);
        break;
      case 'paid-cancel':
      case 'flight-paid-cancel':
        await pay(ctx, run, total, rng() < 0.5);
        break;
      case 'two-payments-cancel': {
        await pay(ctx, run, deposit);
        const rest = Money.fromJson(total).subtract(Money.fromJson(deposit));
        if (rest.amount.greaterThan(0)) await pay(ctx, run, rest.toJSON());
        break;
      }
      case 'amend-cancel': {
        await pay(ctx, run, deposit);
        const preview = await call(ctx, run, 'POST', `/bookings/${run.reference}/amendments/preview`, { departureDate: addDays(departureDate, between(rng, 1, 5)) });
        run.steps.push(`amend preview → ${preview.status}`);
        if (preview.status === 200) {
          const accepted = await call(ctx, run, 'POST', `/bookings/${run.reference}/amendments`, { quoteId: preview.body.quoteId });
          run.steps.push(`amend accept → ${accepted.status}${accepted.status === 200 ? '' : ` (${String((accepted.body as { detail?: unknown }).detail ?? '').slice(0, 300)})`}`);
        }
        break;
      }
    }
    await cancel(ctx, run);
    return run;
  } catch (err) {
    run.error = err instanceof Error ? err.message : String(err);
    return run;
  } finally {
    run.finishedAt = Date.now();
  }
}

/** Runs `count` bookings, `concurrency` at a time. */
export async function runWorkload(ctx: WorkloadContext, count: number, concurrency: number, prefix: string): Promise<BookingRun[]> {
  const runs: BookingRun[] = [];
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        const r = await runBooking(ctx, i, prefix);
        runs.push(r);
        done++;
        if (r.error) ctx.log(`  booking #${i} (${r.scenario}, ${r.reference ?? 'no reference'}): ${r.error}`);
        if (done % 20 === 0 || done === count) ctx.log(`  workload: ${done}/${count} scripts finished`);
      }
    }),
  );
  return runs.sort((a, b) => a.index - b.index);
}
