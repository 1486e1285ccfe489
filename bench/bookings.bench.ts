/**
 * `node --expose-gc --import tsx bench/bookings.bench.ts [count=200] [inFlight=50]`
 * (`npm run bench:bookings`): the booking lifecycle (issue 7) through the REST API on a real
 * Temporal dev server, a real database (PGlite, or PostgreSQL when DATABASE_URL is set) and the
 * real booking, finance and supplier workers, wired by bench/support/booking-rig.ts.
 *
 * - Bookings: `count` hotel + transfer + insurance bookings, `inFlight` at a time: POST /bookings
 *   (HELD) then POST /bookings/:ref/payments of the full total (→ PAID). End to end = from the
 *   POST /bookings to the payment's answer showing PAID.
 * - Baselines, same run, same count and concurrency: NoopBookingWorkflow, started with an
 *   update-with-start answered once the booking's hold-phase steps ran, then one update running the
 *   payment-phase steps; the steps (activities and local activities, each doing nothing) are the
 *   ones a happy-path booking ran until PAID, counted from its history. Once behind the API
 *   (`POST /bench/noop-bookings` and its payments, served by the same app with the same middleware
 *   and route policies as the booking's two POSTs, with the same bodies and Idempotency-Keys): the
 *   goal ratios. Once straight on Temporal's client: shown beside them, so the API's share is visible.
 * - Unloaded latency, same run: `SOLO` (default 20) bookings and as many baseline runs one at a time
 *   (`BENCH_SOLO=n` to change it, 0 to skip). At 50 in flight both sides are saturated and their
 *   latencies are queueing (in flight ÷ throughput), so the latency ratio there only restates the
 *   throughput ratio; one at a time it measures what a booking's own steps add to a confirmation.
 *   Each unloaded run also records the CPU this process spent meanwhile (the main thread's busy
 *   time from its event-loop utilisation, and the whole process's user + system time): medians
 *   are printed, so the latency's CPU share is visible beside the waits.
 *   `BENCH_PROFILE=1` then prints where the time of an unloaded booking and of an unloaded baseline
 *   behind the API goes, from their histories (each local activity's own run included). A local
 *   activity's "ran" there is read from its marker's completion time, which the SDK takes in
 *   workflow time: it shows the order and the share of each step, not the wall time of a round. So
 *   the profile also times every activity at the worker (an activity interceptor the rig installs
 *   with BENCH_PROFILE=1) and prints each step's run and the wait before it.
 * - History events per booking until PAID; memory per cached booking (they stay running, waiting
 *   for travel): heap used (main thread, after a forced GC when --expose-gc) and RSS, after minus
 *   before, divided by count. Workflows run in the SDK's worker threads, whose heaps the main
 *   thread's heapUsed does not include: RSS is the figure that covers them.
 *
 * Prints a table and a JSON line; asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { NOOP_TASK_QUEUE, log, prismaOperations, startBookingRig, type BookingRig } from './support/booking-rig';
import { NoopBookingWorkflow, noopFinishSignal, noopHeldUpdate, noopPayUpdate, type NoopStep } from './support/noop.workflow';
import { latencyStats, type PhaseStats } from './support/timing';

const out = (text: string) => process.stdout.write(`${text}\n`);
const COUNT = Number(process.argv[2] ?? 200);
const IN_FLIGHT = Number(process.argv[3] ?? 50);
const NIGHTS = 3;
const SOLO = Number(process.env.BENCH_SOLO ?? 20);
const MiB = 1024 * 1024;

interface Lap {
  /** Date.now() at the first request (to align with history event times). */
  at?: number;
  e2e: number;
  first: number;
  second: number;
  /** Unloaded runs: CPU spent while this one ran (see {@link withCpu}). */
  cpu?: RunCpu;
}

/** CPU of this process while one unloaded run went through (nothing else runs then). */
interface RunCpu {
  /** The main thread's busy time (event-loop utilisation): API, activities, the SDK's worker side. */
  mainMs: number;
  /** The whole process (user + system, every thread): the above, the workflow threads and the SDK's core. */
  processMs: number;
}

/** Runs `run` and adds the CPU this process spent meanwhile to its lap. */
async function withCpu<L extends Lap>(run: () => Promise<L>): Promise<L> {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const lap = await run();
  const used = process.cpuUsage(cpu);
  return { ...lap, cpu: { mainMs: performance.eventLoopUtilization(elu).active, processMs: (used.user + used.system) / 1000 } };
}

interface PhaseResult {
  laps: Lap[];
  wallMs: number;
  failures: number;
}

/** Runs `one(i)` for i in 0..count-1 on `concurrency` lanes; failures are counted, logged (first 3), not timed. */
async function lanes(count: number, concurrency: number, one: (i: number) => Promise<Lap>): Promise<PhaseResult> {
  const laps: Lap[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        try {
          laps.push(await one(i));
        } catch (err) {
          failures++;
          if (failures <= 3) log(`#${i} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }),
  );
  return { laps, wallMs: performance.now() - started, failures };
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** One booking: POST /bookings (201 HELD), then the full total as one payment (→ PAID). */
async function book(rig: BookingRig, i: number, prefix: string): Promise<Lap & { reference: string; workflowId: string }> {
  // Departures spread over 30 days, so the holds do not all lock the same inventory nights.
  const body = rig.bookingBody(30 + (i % 30), NIGHTS);
  const at = Date.now();
  const t0 = performance.now();
  const held = await postJson(`${rig.apiUrl}/bookings`, body, { 'idempotency-key': `${prefix}-${i}-${randomUUID()}` });
  const t1 = performance.now();
  if (held.status !== 201 || held.body.status !== 'HELD') throw new Error(`POST /bookings answered ${held.status}: ${JSON.stringify(held.body).slice(0, 400)}`);
  const reference = held.body.reference as string;
  const total = held.body.total as { amount: string; currency: string };
  const paid = await postJson(`${rig.apiUrl}/bookings/${reference}/payments`, { amount: total, method: 'card' }, { 'idempotency-key': randomUUID() });
  const t2 = performance.now();
  if (paid.status !== 200 || paid.body.status !== 'PAID') throw new Error(`payment of ${reference} answered ${paid.status}: ${JSON.stringify(paid.body).slice(0, 400)}`);
  return { at, e2e: t2 - t0, first: t1 - t0, second: t2 - t1, reference, workflowId: held.body.workflowId as string };
}

/** The name of the marker the TypeScript SDK records for a local activity's result. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** The steps (A: activity, L: local activity) of one booking's history, split at the payment update. */
async function stepsOf(rig: BookingRig, workflowId: string): Promise<{ events: number; hold: NoopStep[]; pay: NoopStep[]; children: number; timers: number }> {
  const history = await rig.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const hold: NoopStep[] = [];
  const pay: NoopStep[] = [];
  let updates = 0;
  let children = 0;
  let timers = 0;
  for (const e of events) {
    if (e.workflowExecutionUpdateAcceptedEventAttributes) updates++;
    const into = updates >= 2 ? pay : hold;
    if (e.activityTaskScheduledEventAttributes) into.push('A');
    // A local activity's marker (a patch marker, `core_patch`, is no step).
    else if (e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) into.push('L');
    else if (e.startChildWorkflowExecutionInitiatedEventAttributes) children++;
    else if (e.timerStartedEventAttributes) timers++;
  }
  return { events: events.length, hold, pay, children, timers };
}

const millis = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN);

/**
 * `BENCH_PROFILE=1`: where an unloaded booking's time goes, from the histories of the solo
 * bookings: each step's median time from the previous event (request → workflow start, workflow
 * tasks, activity queueing and running; a local activity's own run), and the timeline of the median booking.
 */
async function profile(rig: BookingRig, what: string, laps: (Lap & { workflowId: string })[]): Promise<void> {
  const byStep = new Map<string, number[]>();
  const timelines: { e2e: number; lines: string[] }[] = [];
  for (const lap of laps) {
    const events = (await rig.client.workflow.getHandle(lap.workflowId).fetchHistory()).events ?? [];
    const names = new Map<string, string>();
    const lines: string[] = [];
    let previous = lap.at ?? NaN;
    const seen = new Map<string, number>();
    let taskStarted = 0;
    let lastDone = 0;
    for (const e of events) {
      let run: number | undefined;
      const t = millis(e.eventTime as { seconds?: unknown; nanos?: number });
      const kind = Object.keys(e).find((k) => k.endsWith('EventAttributes')) ?? '?';
      const attrs = (e as Record<string, unknown>)[kind] as Record<string, unknown> | undefined;
      let label = kind.replace(/EventAttributes$/, '');
      // An activity's events are named by its type (started and completed events point at the scheduled one).
      if (e.activityTaskScheduledEventAttributes) names.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
      const activity = names.get(String(e.activityTaskScheduledEventAttributes ? e.eventId : attrs?.scheduledEventId));
      if (activity) label += ` ${activity}`;
      else if (e.markerRecordedEventAttributes) {
        // A local activity's marker: its completion in workflow time (the workflow task's start,
        // advanced by each local activity's run), so its run is the difference from the previous one.
        const payload = e.markerRecordedEventAttributes.details?.data?.payloads?.[0]?.data;
        const marker = payload ? (JSON.parse(Buffer.from(payload).toString('utf8')) as { activity_type?: string; complete_time?: { seconds: number; nanos: number } }) : {};
        label += ` ${marker.activity_type ?? `(${e.markerRecordedEventAttributes.markerName ?? 'marker'})`}`;
        if (marker.complete_time) {
          const done = millis(marker.complete_time);
          run = done - Math.max(taskStarted, lastDone);
          lastDone = done;
        }
      }
      else if (e.workflowExecutionUpdateAcceptedEventAttributes) label += ` ${e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? ''}`;
      if (e.workflowTaskStartedEventAttributes) taskStarted = t;
      const gap = run ?? t - previous;
      const n = (seen.get(label) ?? 0) + 1;
      seen.set(label, n);
      const key = n > 1 ? `${label} #${n}` : label;
      byStep.set(key, (byStep.get(key) ?? []).concat(gap));
      lines.push(`${(t - (lap.at ?? t)).toFixed(0).padStart(6)} ms  ${run === undefined ? '+' : 'ran '}${gap.toFixed(1).padStart(6)}  ${key}`);
      previous = t;
    }
    timelines.push({ e2e: lap.e2e, lines });
  }
  out(`\nProfile (BENCH_PROFILE=1) of the ${what}: median ms since the previous event ("ran": from the local activity's marker, in workflow time; it under-counts each round)`);
  for (const [key, gaps] of byStep) if (gaps.length >= laps.length / 2) out(`${latencyStats(gaps, 1).p50.toFixed(1).padStart(7)}  ${key}`);
  const mid = timelines.sort((a, b) => a.e2e - b.e2e)[Math.floor(timelines.length / 2)];
  if (mid) out(`\nTimeline of the median ${what} (${mid.e2e.toFixed(0)} ms end to end):\n${mid.lines.join('\n')}`);
}

/**
 * BENCH_PROFILE=1: the local activities of `laps` as timed at the worker (an activity interceptor,
 * see the rig): per step, the median run, and the median wait before it, from the first request or
 * from the end of the step before (the workflow's activations, the SDK's dispatch, and between the
 * two updates the API's answer and the next request). A negative wait is a step started before the
 * one listed above it ended: the two ran side by side.
 */
function workerSteps(rig: BookingRig, what: string, laps: (Lap & { workflowId: string })[]): void {
  const steps = new Map<string, { wait: number[]; ran: number[] }>();
  for (const lap of laps) {
    const mine = rig.activityRuns.filter((r) => r.workflowId === lap.workflowId).sort((a, b) => a.start - b.start);
    let before = lap.at ?? mine[0]?.start ?? 0;
    const seen = new Map<string, number>();
    for (const r of mine) {
      const n = (seen.get(r.activityType) ?? 0) + 1;
      seen.set(r.activityType, n);
      const key = n > 1 ? `${r.activityType} #${n}` : r.activityType;
      const step = steps.get(key) ?? { wait: [], ran: [] };
      steps.set(key, step);
      step.wait.push(r.start - before);
      step.ran.push(r.end - r.start);
      before = Math.max(before, r.end);
    }
  }
  const median = (values: number[]) => latencyStats(values, 1).p50;
  out(`\nSteps of the ${what}, timed at the worker (median ms): the wait before each step and its run`);
  let ran = 0;
  for (const [key, step] of steps) {
    if (step.ran.length < laps.length / 2) continue;
    ran += median(step.ran);
    out(`${median(step.wait).toFixed(1).padStart(7)} wait ${median(step.ran).toFixed(1).padStart(6)} ran  ${key}`);
  }
  out(`  the steps' runs add up to ${ran.toFixed(1)} ms (side by side ones counted each)`);
}

function memory(): { heapUsed: number; rss: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

const settle = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The median of one CPU figure over unloaded laps, to 0.1 ms. */
function cpuOf(laps: Lap[], what: keyof RunCpu): number {
  const values = laps.flatMap((l) => (l.cpu ? [l.cpu[what]] : []));
  return values.length ? +latencyStats(values, 1).p50.toFixed(1) : NaN;
}

function stats(r: PhaseResult, pick: (l: Lap) => number): PhaseStats {
  return latencyStats(r.laps.map(pick), r.wallMs);
}

async function main(): Promise<void> {
  if (!Number.isInteger(COUNT) || COUNT < 1 || !Number.isInteger(IN_FLIGHT) || IN_FLIGHT < 1) throw new Error(`usage: bookings.bench.ts [count>=1] [inFlight>=1], got ${process.argv.slice(2).join(' ')}`);
  const gcAvailable = typeof (globalThis as { gc?: unknown }).gc === 'function';
  if (!gcAvailable) log('note: no --expose-gc; memory figures include uncollected garbage');
  const WARM = Math.min(10, COUNT);
  const rig = await startBookingRig({ rooms: COUNT + WARM + Math.max(0, SOLO) + 10 });
  try {
    // Warm-up: bundles loaded, caches, connections; one booking's history gives the step sequence.
    const warm = await lanes(WARM, Math.min(WARM, 5), (i) => book(rig, i, 'warm'));
    if (warm.laps.length === 0) throw new Error('no warm-up booking reached PAID: see the errors above');
    const sample = await book(rig, 999, 'sample');
    const shape = await stepsOf(rig, sample.workflowId);
    log(`happy path until PAID: ${shape.events} history events, ${shape.hold.length} steps before the payment (${shape.hold.join('')}), ${shape.pay.length} in it (${shape.pay.join('')}), ${shape.children} child workflows, ${shape.timers} timers`);

    await settle(500);
    const before = memory();
    log(`bookings: ${COUNT}, ${IN_FLIGHT} in flight...`);
    const bookings = await lanes(COUNT, IN_FLIGHT, (i) => book(rig, i, 'bench'));
    await settle(1000);
    const after = memory();

    // Baselines: the same steps, doing nothing, the same count and concurrency; once straight on
    // Temporal's client and once behind the API (same app, middleware and policies as the booking).
    rig.baselineSteps.holdSteps = shape.hold;
    rig.baselineSteps.paySteps = shape.pay;
    const input = rig.baselineSteps;
    const noopIds: string[] = [];
    const noop = async (i: number, prefix: string): Promise<Lap> => {
      const workflowId = `${prefix}-${i}-${randomUUID()}`;
      noopIds.push(workflowId);
      const t0 = performance.now();
      const startWorkflowOperation = new WithStartWorkflowOperation(NoopBookingWorkflow, { workflowId, taskQueue: NOOP_TASK_QUEUE, args: [input], workflowIdConflictPolicy: 'FAIL' });
      const held = await rig.client.workflow.executeUpdateWithStart(noopHeldUpdate, { startWorkflowOperation });
      const t1 = performance.now();
      const handle = await startWorkflowOperation.workflowHandle();
      const paid = await handle.executeUpdate(noopPayUpdate, { args: [randomUUID()] });
      const t2 = performance.now();
      if (held.status !== 'HELD' || paid.status !== 'PAID') throw new Error(`baseline ${workflowId}: ${held.status}/${paid.status}`);
      return { e2e: t2 - t0, first: t1 - t0, second: t2 - t1 };
    };
    const noopApi = async (i: number, prefix: string): Promise<Lap & { workflowId: string }> => {
      const body = rig.bookingBody(30 + (i % 30), NIGHTS);
      const at = Date.now();
      const t0 = performance.now();
      const held = await postJson(`${rig.apiUrl}/bench/noop-bookings`, body, { 'idempotency-key': `${prefix}-${i}-${randomUUID()}` });
      const t1 = performance.now();
      if (held.status !== 201 || held.body.status !== 'HELD') throw new Error(`POST /bench/noop-bookings answered ${held.status}: ${JSON.stringify(held.body).slice(0, 400)}`);
      const workflowId = held.body.workflowId as string;
      noopIds.push(workflowId);
      const paid = await postJson(`${rig.apiUrl}/bench/noop-bookings/${workflowId}/payments`, { amount: { amount: '100.00', currency: 'GBP' }, method: 'card' }, { 'idempotency-key': randomUUID() });
      const t2 = performance.now();
      if (paid.status !== 200 || paid.body.status !== 'PAID') throw new Error(`baseline payment of ${workflowId} answered ${paid.status}: ${JSON.stringify(paid.body).slice(0, 400)}`);
      return { at, e2e: t2 - t0, first: t1 - t0, second: t2 - t1, workflowId };
    };
    await lanes(WARM, Math.min(WARM, 5), (i) => noop(i, 'noop-warm'));
    await lanes(WARM, Math.min(WARM, 5), (i) => noopApi(i, 'noop-api-warm'));
    await settle(500);
    const beforeNoop = memory();
    log(`baseline behind the API: ${COUNT}, ${IN_FLIGHT} in flight...`);
    const baselineApi = await lanes(COUNT, IN_FLIGHT, (i) => noopApi(i, 'noop-api'));
    await settle(1000);
    const afterNoop = memory();
    log(`baseline straight on Temporal: ${COUNT}, ${IN_FLIGHT} in flight...`);
    const baseline = await lanes(COUNT, IN_FLIGHT, (i) => noop(i, 'noop'));
    // Unloaded: one at a time, booking and baselines interleaved so drift hits all alike.
    const solo = { booking: [] as (Lap & { workflowId: string })[], api: [] as (Lap & { workflowId: string })[], direct: [] as Lap[] };
    if (SOLO > 0) {
      log(`unloaded: ${SOLO} bookings and ${SOLO} runs of each baseline, one at a time...`);
      await settle(1000);
      for (let i = 0; i < SOLO; i++) {
        solo.booking.push(await withCpu(() => book(rig, COUNT + WARM + i, 'solo')));
        solo.api.push(await withCpu(() => noopApi(i, 'noop-api-solo')));
        solo.direct.push(await withCpu(() => noop(i, 'noop-solo')));
      }
    }
    await Promise.allSettled(noopIds.map((id) => rig.client.workflow.getHandle(id).signal(noopFinishSignal)));
    if (process.env.BENCH_PROFILE === '1' && solo.booking.length) {
      await profile(rig, 'unloaded booking', solo.booking);
      await profile(rig, 'unloaded baseline behind the API', solo.api);
      workerSteps(rig, 'unloaded booking', solo.booking);
      workerSteps(rig, 'unloaded baseline behind the API', solo.api);
    }

    const rows: Record<string, PhaseStats> = {
      'booking: POST /bookings (→ HELD)': stats(bookings, (l) => l.first),
      'booking: POST payment, full total (→ PAID)': stats(bookings, (l) => l.second),
      'booking: end to end (POST /bookings → PAID)': stats(bookings, (l) => l.e2e),
      'baseline behind the API: POST (hold steps)': stats(baselineApi, (l) => l.first),
      'baseline behind the API: POST payment (payment steps)': stats(baselineApi, (l) => l.second),
      'baseline behind the API: end to end': stats(baselineApi, (l) => l.e2e),
      'baseline on Temporal: update-with-start (hold steps)': stats(baseline, (l) => l.first),
      'baseline on Temporal: update (payment steps)': stats(baseline, (l) => l.second),
      'baseline on Temporal: end to end': stats(baseline, (l) => l.e2e),
    };
    const soloStats = (laps: Lap[], pick: (l: Lap) => number) => latencyStats(laps.map(pick), laps.reduce((sum, l) => sum + l.e2e, 0));
    if (SOLO > 0) {
      rows['unloaded booking: POST /bookings'] = soloStats(solo.booking, (l) => l.first);
      rows['unloaded booking: payment'] = soloStats(solo.booking, (l) => l.second);
      rows['unloaded booking: end to end'] = soloStats(solo.booking, (l) => l.e2e);
      rows['unloaded baseline behind the API: end to end'] = soloStats(solo.api, (l) => l.e2e);
      rows['unloaded baseline on Temporal: end to end'] = soloStats(solo.direct, (l) => l.e2e);
    }
    const perSecond = (r: PhaseResult) => (r.laps.length / r.wallMs) * 1000;
    out(`\nBooking lifecycle bench: ${COUNT} bookings (hotel ${NIGHTS} nights + transfer + insurance, 2 adults), ${IN_FLIGHT} in flight, ${rig.db.kind}, ${new Date().toISOString()}\n`);
    out('| phase | per s | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|');
    for (const [name, r] of Object.entries(rows)) out(`| ${name} | ${r.perSecond} | ${r.p50} | ${r.p95} | ${r.p99} |`);
    const b = rows['booking: end to end (POST /bookings → PAID)']!;
    const ratiosTo = (n: PhaseStats, r: PhaseResult) => ({ p50: +(b.p50 / n.p50).toFixed(2), p95: +(b.p95 / n.p95).toFixed(2), throughput: +(perSecond(bookings) / perSecond(r)).toFixed(2) });
    const ratios = ratiosTo(rows['baseline behind the API: end to end']!, baselineApi);
    const ratiosDirect = ratiosTo(rows['baseline on Temporal: end to end']!, baseline);
    const ub = rows['unloaded booking: end to end'];
    const unloadedTo = (n: PhaseStats | undefined) => (ub && n ? { p50: +(ub.p50 / n.p50).toFixed(2), p95: +(ub.p95 / n.p95).toFixed(2) } : undefined);
    const unloaded = unloadedTo(rows['unloaded baseline behind the API: end to end']);
    const unloadedDirect = unloadedTo(rows['unloaded baseline on Temporal: end to end']);
    const heapPerBooking = (after.heapUsed - before.heapUsed) / COUNT / MiB;
    const rssPerBooking = (after.rss - before.rss) / COUNT / MiB;
    // The same measure for the cached no-op workflows (they also stay running): the SDK's own share.
    const rssPerNoop = (afterNoop.rss - beforeNoop.rss) / COUNT / MiB;
    const goal = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const failures = `failures ${bookings.failures} (baselines ${baselineApi.failures}, ${baseline.failures})`;
    out(`\nbookings/s ${perSecond(bookings).toFixed(2)} (baseline behind the API ${perSecond(baselineApi).toFixed(2)}, on Temporal ${perSecond(baseline).toFixed(2)}); ${failures}`);
    const line = (r: { p50: number; p95: number; throughput?: number }) =>
      `e2e p50 ${r.p50}x (goal ≤ 1.25: ${goal(r.p50 <= 1.25)}), p95 ${r.p95}x (goal ≤ 1.5: ${goal(r.p95 <= 1.5)})` + (r.throughput === undefined ? '' : `, throughput ${r.throughput}x (goal ≥ 0.5: ${goal(r.throughput >= 0.5)})`);
    out(`${IN_FLIGHT} in flight, against the baseline behind the API: ${line(ratios)}`);
    out(`${IN_FLIGHT} in flight, against the baseline on Temporal:    ${line(ratiosDirect)}`);
    if (unloaded && unloadedDirect) {
      out(`unloaded (one at a time, ${SOLO} each), against the baseline behind the API: ${line(unloaded)}`);
      out(`unloaded (one at a time, ${SOLO} each), against the baseline on Temporal:    ${line(unloadedDirect)}`);
      out(
        `unloaded, CPU per run (median; this process only, not the Temporal server or the database): main thread busy ${cpuOf(solo.booking, 'mainMs')} ms a booking, ${cpuOf(solo.api, 'mainMs')} ms a baseline behind the API; whole process ${cpuOf(solo.booking, 'processMs')} and ${cpuOf(solo.api, 'processMs')} ms`,
      );
    }
    if (prismaOperations.size) {
      out(`Prisma operations per booking (BENCH_PRISMA_COUNT=1; warm-up and setup included): ${[...prismaOperations].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${(n / COUNT).toFixed(1)}`).join(', ')}`);
    }
    out(`history until PAID: ${shape.events} events; steps ${shape.hold.length + shape.pay.length} (${shape.hold.length} hold + ${shape.pay.length} payment; activities ${[...shape.hold, ...shape.pay].filter((s) => s === 'A').length}, local ${[...shape.hold, ...shape.pay].filter((s) => s === 'L').length})`);
    out(
      `memory per cached booking: heap ${heapPerBooking.toFixed(3)} MiB (main thread${gcAvailable ? ', after GC' : ', no GC'}), RSS ${rssPerBooking.toFixed(3)} MiB (whole process, workflow threads included); goal ≤ 0.5 MB: ${goal(Math.max(heapPerBooking, rssPerBooking) * 1.048576 <= 0.5)}; a cached no-op baseline workflow: RSS ${rssPerNoop.toFixed(3)} MiB`,
    );
    out(
      JSON.stringify({
        bench: 'bookings',
        at: new Date().toISOString(),
        database: rig.db.kind,
        count: COUNT,
        inFlight: IN_FLIGHT,
        bookingsPerSecond: +perSecond(bookings).toFixed(2),
        baselineApiPerSecond: +perSecond(baselineApi).toFixed(2),
        baselinePerSecond: +perSecond(baseline).toFixed(2),
        failures: bookings.failures,
        baselineFailures: baselineApi.failures + baseline.failures,
        apiCreate: rows['booking: POST /bookings (→ HELD)'],
        apiPayment: rows['booking: POST payment, full total (→ PAID)'],
        e2e: b,
        baselineApiE2e: rows['baseline behind the API: end to end'],
        baselineE2e: rows['baseline on Temporal: end to end'],
        ratios,
        ratiosDirect,
        ...(unloaded
          ? {
              unloaded: {
                count: SOLO,
                e2e: ub,
                baselineApiE2e: rows['unloaded baseline behind the API: end to end'],
                baselineE2e: rows['unloaded baseline on Temporal: end to end'],
                ratios: unloaded,
                ratiosDirect: unloadedDirect,
                cpuMs: {
                  booking: { main: cpuOf(solo.booking, 'mainMs'), process: cpuOf(solo.booking, 'processMs') },
                  baselineApi: { main: cpuOf(solo.api, 'mainMs'), process: cpuOf(solo.api, 'processMs') },
                },
              },
            }
          : {}),
        historyEventsUntilPaid: shape.events,
        steps: { hold: shape.hold.join(''), payment: shape.pay.join(''), childWorkflows: shape.children, timers: shape.timers },
        memoryPerBookingMiB: { heapUsed: +heapPerBooking.toFixed(3), rss: +rssPerBooking.toFixed(3), gc: gcAvailable, rssPerNoopWorkflow: +rssPerNoop.toFixed(3) },
      }),
    );
  } finally {
    await rig.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
