/**
 * `npx tsx bench/channels.bench.ts <mode> [count]` (`npm run bench:channels -- <mode>`): the
 * channel manager (issue 6) against the sandbox channel hub, on a real Temporal dev server, a real
 * database (PGlite, or PostgreSQL when DATABASE_URL is set) and the real channel worker, wired by
 * bench/support/channel-rig.ts as `npm start` wires them. Modes (each well under 3 minutes on 2 cores):
 *
 * - `propagation [sales=100]`: a sale through the inventory store (PrismaInventory with the
 *   TemporalInventoryChangeSink) → the new count held by every channel, for a hotel on 5 channels
 *   and a hotel on 20 channels; sales spaced so each is pushed on its own (not coalesced), polled
 *   every 2 ms. Baseline: one OTA_HotelInvCountNotifRQ pushed directly to one channel through
 *   OpenTravelXmlChannelManager.
 * - `webhooks [count=300]`: hub.sendReservation → Itinera's OTA_HotelResNotifRS (authenticated,
 *   stored, acknowledged), one at a time and 4 at a time; the applying workflows run meanwhile.
 *   Baseline: the same signed POST to a bare node:http server answering a fixed OTA_HotelResNotifRS.
 * - `sustained [seconds=30]`: 100 sales/s over 5 hotels × 5 channels (5 requests/s per property
 *   and connection): achieved rate, channel lag sampled every second during the run (how long until
 *   every channel shows at least that second's state), lag after the last change, and requests
 *   over the per-property limit on any channel (from the hub's request log).
 * - `oversell [seconds=30]`: 3 channels, 2 hotels with 3 rooms a night; concurrent direct holds,
 *   confirms and cancellations, and channel bookings (new, modify, cancel, duplicates, out-of-order
 *   modify/cancel) through signed webhooks; then waits for every notification to be applied and
 *   every channel to converge, and reports room-nights oversold by Itinera (must be 0), refused
 *   and cancelled-back bookings, and the channels' own oversells (sold while their own count was 0).
 * - `all`: every mode in turn, each on its own rig.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { InventoryError } from '../activities/inventory.prisma';
import { OpenTravelXmlChannelManager } from '../adapters/opentravel-xml/adapter';
import { buildReservationNotificationResponse } from '../adapters/opentravel-xml/inbound';
import { SandboxChannelHub, type PreparedReservation } from '../sandbox/channel-manager/hub';
import type { SandboxReservationInput } from '../sandbox/channel-manager/reservations';
import { addDays, log, nightsOf, sleep, startChannelRig, waitFor, type ChannelRig, type RigHotelRef } from './support/channel-rig';
import { latencyStats, rssSampler, timed, type PhaseStats } from './support/timing';

const rss = rssSampler();
const out = (text: string) => process.stdout.write(`${text}\n`);
const TODAY = new Date().toISOString().slice(0, 10);
const FROM = addDays(TODAY, 30);

function table(title: string, rows: Record<string, PhaseStats>): void {
  out(`\n${title}\n`);
  out('| phase | per s | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|');
  for (const [name, r] of Object.entries(rows)) out(`| ${name} | ${r.perSecond} | ${r.p50} | ${r.p95} | ${r.p99} |`);
}

/** Deterministic PRNG (mulberry32), so a run can be repeated. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ------------------------------------------------------------------------------------ propagation

async function propagation(sales: number): Promise<void> {
  const channels = Array.from({ length: 20 }, (_, i) => `OTA${String(i + 1).padStart(2, '0')}`);
  const to = addDays(FROM, 29);
  const rig = await startChannelRig({
    channels,
    hotels: [
      { code: 'P5', rooms: 400, from: FROM, to, channels: channels.slice(0, 5) },
      { code: 'P20', rooms: 400, from: FROM, to },
    ],
    requestsPerSecond: 5,
  });
  try {
    // Baseline: one count push, straight through the adapter to one channel of the same hub.
    const port = new OpenTravelXmlChannelManager({ code: 'BASELINE', endpoint: `${rig.hubUrl}/channels/${channels[0]}/ota`, auth: { kind: 'none' } });
    const push = (i: number) => port.pushCounts({ hotelCode: 'BASELINE', counts: [{ roomType: 'DBL', start: FROM, end: FROM, count: i % 50 }] }, `base-${i}`);
    await timed(30, 1, push);
    const rows: Record<string, PhaseStats> = { 'baseline: one OTA_HotelInvCountNotifRQ to one channel (adapter → hub)': await timed(200, 1, push) };
    const extra: string[] = [];

    for (const hotel of rig.hotels) {
      const n = hotel.channels.length;
      const nights = nightsOf(hotel.from, hotel.to);
      const expected = new Map(nights.map((d) => [d, hotel.rooms]));
      const total: number[] = [];
      const first: number[] = [];
      const sellCall: number[] = [];
      const started = performance.now();
      for (let i = 0; i < sales; i++) {
        const night = nights[i % nights.length]!;
        const want = expected.get(night)! - 1;
        expected.set(night, want);
        const t0 = performance.now();
        await rig.inventory.sell({ reference: `prop-${hotel.hotelCode}-${i}`, productId: hotel.productId, category: 'DBL', from: night, nights: 1, quantity: 1, channel: 'bench', now: new Date() });
        sellCall.push(performance.now() - t0);
        let firstAt: number | null = null;
        await waitFor(
          `${hotel.hotelCode} ${night} = ${want} on ${n} channels`,
          () => {
            let done = 0;
            for (const ch of hotel.channels) if (rig.hub.count(ch, hotel.hotelCode, 'DBL', night) === want) done++;
            if (done > 0 && firstAt === null) firstAt = performance.now() - t0;
            return done === n;
          },
          30_000,
          2,
        );
        total.push(performance.now() - t0);
        first.push(firstAt ?? total[total.length - 1]!);
        // Spaced beyond the lane's pacing (5 requests/s): each sale is pushed on its own.
        await sleep(220);
      }
      const wall = performance.now() - started;
      rows[`sale → new count on all ${n} channels`] = latencyStats(total, wall);
      rows[`  sale → new count on the first of ${n} channels`] = latencyStats(first, wall);
      rows[`  of which the sell() call (commit + signal-with-start), ${n}-channel hotel`] = latencyStats(sellCall, wall);
      const requests = hotel.channels.reduce((s, ch) => s + rig.hub.requestLog(ch).filter((e) => e.hotelCode === hotel.hotelCode && e.messageType === 'OTA_HotelInvCountNotifRQ').length, 0);
      extra.push(`${n} channels: ${sales} sales, ${requests} count pushes received by the hub (${(requests / n).toFixed(1)} per channel, initial push included)`);
    }
    table(`Channel propagation bench: ${sales} sales per hotel, spaced 220 ms, ${rig.db.kind}, ${new Date().toISOString()}`, rows);
    for (const e of extra) out(e);
    const base = rows['baseline: one OTA_HotelInvCountNotifRQ to one channel (adapter → hub)']!;
    for (const n of [5, 20]) {
      const r = rows[`sale → new count on all ${n} channels`]!;
      out(`ratio ${n} channels / baseline: p50 ${(r.p50 / base.p50).toFixed(1)}x, p99 ${(r.p99 / base.p99).toFixed(1)}x; goal p99 < 1000 ms: ${r.p99 < 1000 ? 'met' : `MISSED by ${(r.p99 - 1000).toFixed(0)} ms`}`);
    }
  } finally {
    await rig.stop();
  }
}

// ------------------------------------------------------------------------------------ webhooks

function reservationInput(rig: ChannelRig, hotel: RigHotelRef, channel: string, id: string, status: string, arrival: string, nights: number, lastModified: number): SandboxReservationInput {
  return {
    channel,
    reservationId: id,
    status,
    hotelCode: hotel.hotelCode,
    roomStays: [{ roomType: 'DBL', ratePlan: 'BAR', arrival, departure: addDays(arrival, nights), quantity: 1, adults: 2, children: 0, amount: (120 * nights).toFixed(2), currency: 'EUR' }],
    guest: { givenName: 'Ada', surname: 'Lovelace', email: 'ada@example.com' },
    lastModified,
    echoToken: `E-${id}-${lastModified}`,
  };
}

async function webhooks(count: number): Promise<void> {
  const channels = ['BOOKING', 'EXPEDIA', 'AIRBNB'];
  const rig = await startChannelRig({ channels, hotels: [{ code: 'WH', rooms: 2000, from: FROM, to: addDays(FROM, 59) }], requestsPerSecond: 5 });
  // The bare baseline: a node:http server answering a fixed OTA_HotelResNotifRS.
  const fixed = buildReservationNotificationResponse({ echoToken: 'E', timeStamp: Date.now(), results: [{ reservationId: 'R', itineraReference: 'I' }] });
  const bare = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/xml' }).end(fixed));
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  const bareHub = new SandboxChannelHub({
    channels,
    webhook: { url: `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`, secret: `whsec_${randomBytes(24).toString('base64')}`, managerCode: 'BARE' },
  });
  try {
    const hotel = rig.hotels[0]!;
    const nights = nightsOf(hotel.from, addDays(hotel.to, -3));
    let seq = 0;
    let failures = 0;
    const send = async (hub: SandboxChannelHub, prefix: string, i: number) => {
      const id = `${prefix}-${i}-${++seq}`;
      const r = await hub.sendReservation(reservationInput(rig, hotel, channels[i % channels.length]!, id, 'Commit', nights[i % nights.length]!, 1 + (i % 3), Date.now()));
      if (r.status !== 200 || !r.body.includes('Success')) {
        failures++;
        if (failures <= 3) log(`webhook not acknowledged with Success: ${r.status} ${r.body.slice(0, 300)}`);
      }
    };
    await timed(30, 1, (i) => send(bareHub, 'warm-bare', i));
    await timed(20, 1, (i) => send(rig.hub, 'warm', i));
    const rows: Record<string, PhaseStats> = {};
    const pending = () => rig.db.query<{ n: string }>('SELECT count(*)::text AS n FROM channel_notifications WHERE channel_manager_code = $1 AND processed_at IS NULL', [rig.managerCode]);
    rows['baseline: same signed POST to a bare node:http server (fixed RS)'] = await timed(count, 1, (i) => send(bareHub, 'bare', i));
    rows['webhook → OTA_HotelResNotifRS (authenticated, stored), 1 at a time'] = await timed(count, 1, (i) => send(rig.hub, 'one', i));
    rows['webhook → OTA_HotelResNotifRS, 4 at a time'] = await timed(count, 4, (i) => send(rig.hub, 'four', i));
    // Profile: the endpoint alone, each notification sent once the previous one has been applied
    // and pushed (no workflow or sync activity competing for the database during the ack).
    await waitFor('the queue to drain', async () => Number((await pending())[0]!.n) === 0, 120_000, 100);
    await sleep(1500);
    const spaced: number[] = [];
    const spacedStart = performance.now();
    for (let i = 0; i < Math.ceil(count / 3); i++) {
      const t0 = performance.now();
      await send(rig.hub, 'spaced', i);
      spaced.push(performance.now() - t0);
      await sleep(400);
    }
    rows['  profile: 1 at a time, spaced 400 ms (processing idle during the ack)'] = latencyStats(spaced, performance.now() - spacedStart);
    const t = performance.now();
    await waitFor('every notification applied', async () => Number((await pending())[0]!.n) === 0, 120_000, 100);
    const drained = performance.now() - t;
    const applied = await rig.db.query<{ status: string; n: string }>('SELECT status, count(*)::text AS n FROM channel_reservations WHERE channel_manager_code = $1 GROUP BY status ORDER BY status', [rig.managerCode]);
    table(`Channel webhook bench: ${count} notifications per phase, ${rig.db.kind}, ${new Date().toISOString()}`, rows);
    const base = rows['baseline: same signed POST to a bare node:http server (fixed RS)']!;
    const one = rows['webhook → OTA_HotelResNotifRS (authenticated, stored), 1 at a time']!;
    const four = rows['webhook → OTA_HotelResNotifRS, 4 at a time']!;
    out(`ratio webhook/baseline: p50 ${(one.p50 / base.p50).toFixed(1)}x, p99 ${(one.p99 / base.p99).toFixed(1)}x; goal p99 < 200 ms: ${one.p99 < 200 ? 'met' : `MISSED by ${(one.p99 - 200).toFixed(0)} ms`} (1 at a time), ${four.p99 < 200 ? 'met' : `MISSED by ${(four.p99 - 200).toFixed(0)} ms`} (4 at a time)`);
    out(`not acknowledged with Success: ${failures}; applied by ChannelReservationWorkflow afterwards: ${applied.map((a) => `${a.n} ${a.status}`).join(', ')}; last one applied ${(drained / 1000).toFixed(1)} s after the last ack`);
  } finally {
    await new Promise<void>((r) => bare.close(() => r()));
    bare.closeAllConnections();
    await rig.stop();
  }
}

// ------------------------------------------------------------------------------------ sustained

async function sustained(seconds: number): Promise<void> {
  const channels = ['BOOKING', 'EXPEDIA', 'AIRBNB', 'AGODA', 'HOTELBEDS'];
  const RPS = 5;
  const RATE = 100;
  const to = addDays(FROM, 29);
  const rig = await startChannelRig({ channels, hotels: Array.from({ length: 5 }, (_, i) => ({ code: `SU${i + 1}`, rooms: 80, from: FROM, to })), requestsPerSecond: RPS });
  try {
    const nights = nightsOf(FROM, to);
    const key = (h: string, d: string) => `${h}|${d}`;
    const expected = new Map<string, number>();
    for (const h of rig.hotels) for (const d of nights) expected.set(key(h.hotelCode, d), h.rooms);
    const caughtUp = (snapshot: Map<string, number>, exact: boolean) => {
      for (const h of rig.hotels) {
        for (const d of nights) {
          const want = snapshot.get(key(h.hotelCode, d))!;
          for (const ch of channels) {
            const c = rig.hub.count(ch, h.hotelCode, 'DBL', d);
            if (c === undefined || (exact ? c !== want : c > want)) return false;
          }
        }
      }
      return true;
    };
    const requestsBefore = rig.hub.requestLog().length;
    const rnd = prng(6);
    const total = seconds * RATE;
    let committed = 0;
    let refused = 0;
    let inFlight = 0;
    let lastCommitAt = 0;
    const sellLatencies: number[] = [];
    // Lag samples: every second, the committed state; how long until every channel shows it (or newer).
    const samples: { at: number; snapshot: Map<string, number> }[] = [];
    const lags: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      let nextSample = performance.now() + 1000;
      while (sampling || samples.length) {
        const now = performance.now();
        if (sampling && now >= nextSample) {
          samples.push({ at: now, snapshot: new Map(expected) });
          nextSample += 1000;
        }
        while (samples.length && caughtUp(samples[0]!.snapshot, false)) lags.push(performance.now() - samples.shift()!.at);
        if (!sampling && performance.now() - (samples[0]?.at ?? now) > 120_000) throw new Error('channels did not catch up within 2 minutes');
        await sleep(5);
      }
    })();

    const started = performance.now();
    const inflight = new Set<Promise<void>>();
    for (let k = 0; k < total; k++) {
      const due = started + (k * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      while (inFlight >= 16) await Promise.race(inflight);
      const hotel = rig.hotels[Math.floor(rnd() * rig.hotels.length)]!;
      const night = nights[Math.floor(rnd() * nights.length)]!;
      inFlight++;
      const t0 = performance.now();
      const p = rig.inventory
        .sell({ reference: `sus-${rig.managerCode}-${k}`, productId: hotel.productId, category: 'DBL', from: night, nights: 1, quantity: 1, channel: 'bench', now: new Date() })
        .then(
          () => {
            const kk = key(hotel.hotelCode, night);
            expected.set(kk, expected.get(kk)! - 1);
            committed++;
            lastCommitAt = performance.now();
            sellLatencies.push(lastCommitAt - t0);
          },
          (err: unknown) => {
            refused++;
            if (!(err instanceof InventoryError) || refused <= 2) log(`sale failed: ${String(err)}`);
          },
        )
        .finally(() => {
          inFlight--;
          inflight.delete(p);
        });
      inflight.add(p);
    }
    await Promise.all(inflight);
    const wall = lastCommitAt - started;
    // Reads of the 750 counts happen on the same 2 cores: the final convergence is measured exactly.
    const convergedIn = await waitFor('every channel converged after the run', () => caughtUp(expected, true), 120_000, 5).then(() => performance.now() - lastCommitAt);
    sampling = false;
    await sampler;

    const requests = rig.hub.requestLog().slice(requestsBefore);
    let over = 0;
    let peak = 0;
    for (const h of rig.hotels) {
      for (const ch of channels) {
        const p = rig.hub.peakRequests(ch, h.hotelCode, 1000);
        peak = Math.max(peak, p);
        over += Math.max(0, p - RPS);
      }
    }
    const lagStats = latencyStats(lags, wall);
    const sell = latencyStats(sellLatencies, wall);
    const retried = requests.filter((r) => r.outcome !== 'success').length;
    out(`\nSustained channel sync bench: ${RATE} sales/s for ${seconds} s over ${rig.hotels.length} hotels × ${channels.length} channels (${RPS} requests/s per property and channel), ${rig.db.kind}, ${new Date().toISOString()}\n`);
    out('| figure | value |\n|---|---|');
    out(`| sales committed / refused | ${committed} / ${refused} |`);
    out(`| achieved rate | ${((committed / wall) * 1000).toFixed(1)} sales/s (target ${RATE}) |`);
    out(`| sell() call p50 / p99 | ${sell.p50} / ${sell.p99} ms |`);
    out(`| channel lag during the run (${lags.length} samples, 1 per s) p50 / p95 / max | ${lagStats.p50} / ${lagStats.p95} / ${Math.max(...lags).toFixed(0)} ms |`);
    out(`| lag after the last change (every channel exact) | ${convergedIn.toFixed(0)} ms |`);
    out(`| requests to the hub during the run | ${requests.length} (${(requests.length / committed).toFixed(2)} per sale; not success: ${retried}) |`);
    out(`| busiest property × channel, any 1 s window | ${peak} requests (limit ${RPS}) |`);
    out(`| requests over the per-property limit | ${over} |`);
  } finally {
    await rig.stop();
  }
}

// ------------------------------------------------------------------------------------ oversell

async function oversell(seconds: number): Promise<void> {
  const channels = ['BOOKING', 'EXPEDIA', 'AIRBNB'];
  const to = addDays(FROM, 9);
  const rig = await startChannelRig({ channels, hotels: [{ code: 'OV1', rooms: 3, from: FROM, to }, { code: 'OV2', rooms: 3, from: FROM, to }], requestsPerSecond: 5 });
  try {
    const nights = nightsOf(FROM, to);
    const rnd = prng(42);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const deadline = performance.now() + seconds * 1000;
    const direct = { holds: 0, holdRefused: 0, confirms: 0, confirmFailed: 0, cancels: 0 };
    const myHolds: { reference: string; status: 'HELD' | 'SOLD' }[] = [];
    let holdSeq = 0;
    const directActor = async (lane: number) => {
      while (performance.now() < deadline) {
        const r = rnd();
        const now = new Date();
        try {
          if (r < 0.5 || myHolds.length === 0) {
            const hotel = pick(rig.hotels);
            const from = pick(nights.slice(0, -1));
            const ref = `dir-${rig.managerCode}-${lane}-${++holdSeq}`;
            try {
              await rig.inventory.hold({ reference: ref, productId: hotel.productId, category: 'DBL', from, nights: 1 + Math.floor(rnd() * 2), quantity: 1, channel: 'bench', now, ttlSeconds: 3600 });
              myHolds.push({ reference: ref, status: 'HELD' });
              direct.holds++;
            } catch (err) {
              if (!(err instanceof InventoryError)) throw err;
              direct.holdRefused++;
            }
          } else if (r < 0.75) {
            const held = myHolds.filter((h) => h.status === 'HELD');
            if (held.length) {
              const h = pick(held);
              h.status = 'SOLD';
              await rig.inventory.confirmHold(h.reference, now);
              direct.confirms++;
            }
          } else {
            const i = Math.floor(rnd() * myHolds.length);
            const [h] = myHolds.splice(i, 1);
            await rig.inventory.cancelHold(h!.reference, now);
            direct.cancels++;
          }
        } catch (err) {
          direct.confirmFailed++;
          log(`direct operation failed: ${String(err)}`);
        }
        await sleep(20 + rnd() * 130);
      }
    };

    const sent = { new: 0, modify: 0, cancel: 0, duplicate: 0, outOfOrder: 0, notSuccess: 0 };
    let channelOwnOversells = 0;
    let seq = 0;
    const active = new Map<string, { channel: string; hotel: RigHotelRef; id: string }>();
    const check = (r: { status: number; body: string }) => {
      if (r.status !== 200 || !r.body.includes('Success')) {
        sent.notSuccess++;
        if (sent.notSuccess <= 3) log(`webhook not acknowledged with Success: ${r.status} ${r.body.slice(0, 400)}`);
      }
    };
    const track = (p: PreparedReservation) => {
      if (!p.sale.sellable && p.sale.status !== 'cancelled') channelOwnOversells++;
    };
    const channelActor = async (channel: string) => {
      let n = 0;
      while (performance.now() < deadline) {
        const r = rnd();
        const mine = [...active.values()].filter((a) => a.channel === channel);
        const lm = () => Date.now() + ++seq;
        const stayOf = () => ({ arrival: pick(nights.slice(0, -1)), length: 1 + Math.floor(rnd() * 2) });
        if (r < 0.55 || mine.length === 0) {
          const hotel = pick(rig.hotels);
          const id = `${channel}-${++n}`;
          const s = stayOf();
          const p = rig.hub.prepareReservation(reservationInput(rig, hotel, channel, id, pick(['Commit', 'Book', 'Reserved']), s.arrival, s.length, lm()));
          track(p);
          check(await rig.hub.deliver(p));
          sent.new++;
          active.set(id, { channel, hotel, id });
          if (rnd() < 0.15) {
            check(await rig.hub.redeliver(p.messageId));
            sent.duplicate++;
          }
        } else if (r < 0.8) {
          const a = pick(mine);
          const s = stayOf();
          if (rnd() < 0.2) {
            // Out of order: the cancel (newer) arrives before the modify (older); the cancel must win.
            const modify = rig.hub.prepareReservation(reservationInput(rig, a.hotel, channel, a.id, 'Modify', s.arrival, s.length, lm()));
            const cancel = rig.hub.prepareReservation({ ...reservationInput(rig, a.hotel, channel, a.id, 'Cancel', s.arrival, s.length, lm()), roomStays: [] });
            check(await rig.hub.deliver(cancel));
            check(await rig.hub.deliver(modify));
            active.delete(a.id);
            sent.outOfOrder++;
          } else {
            const p = rig.hub.prepareReservation(reservationInput(rig, a.hotel, channel, a.id, pick(['Modify', 'Modified']), s.arrival, s.length, lm()));
            track(p);
            check(await rig.hub.deliver(p));
            sent.modify++;
          }
        } else {
          const a = pick(mine);
          const p = rig.hub.prepareReservation({ ...reservationInput(rig, a.hotel, channel, a.id, pick(['Cancel', 'Cancelled']), nights[0]!, 1, lm()), roomStays: [] });
          check(await rig.hub.deliver(p));
          active.delete(a.id);
          sent.cancel++;
        }
        await sleep(40 + rnd() * 160);
      }
    };

    const t0 = performance.now();
    await Promise.all([directActor(1), directActor(2), ...channels.map((c) => channelActor(c))]);
    const ran = performance.now() - t0;

    // Every notification applied, then every channel equal to Itinera.
    let t = performance.now();
    const pending = async () => Number((await rig.db.query<{ n: string }>('SELECT count(*)::text AS n FROM channel_notifications WHERE channel_manager_code = $1 AND processed_at IS NULL', [rig.managerCode]))[0]!.n);
    await waitFor('every notification applied', async () => (await pending()) === 0, 120_000, 100);
    const appliedIn = performance.now() - t;
    const itineraCounts = async () => {
      const m = new Map<string, number>();
      for (const h of rig.hotels) for (const row of await rig.inventory.inventoryRows(h.productId, 'DBL', FROM, to)) m.set(`${h.hotelCode}|${row.stayDate}`, row.available);
      return m;
    };
    const differences: string[] = [];
    const differing = async () => {
      const mine = await itineraCounts();
      differences.length = 0;
      for (const h of rig.hotels) {
        for (const d of nights) {
          for (const ch of channels) {
            const theirs = rig.hub.count(ch, h.hotelCode, 'DBL', d);
            if (theirs !== mine.get(`${h.hotelCode}|${d}`)) differences.push(`${ch} ${h.hotelCode} ${d}: channel ${theirs}, Itinera ${mine.get(`${h.hotelCode}|${d}`)}`);
          }
        }
      }
      return differences.length;
    };
    t = performance.now();
    let convergedIn: number | null = null;
    try {
      await waitFor('every channel equal to Itinera', async () => (await differing()) === 0, 60_000, 100);
      convergedIn = performance.now() - t;
    } catch {
      convergedIn = null;
    }
    const stillDiffering = await differing();
    if (stillDiffering) log(`still differing: ${differences.slice(0, 10).join('; ')}`);

    let oversold = 0;
    let sold = 0;
    let allotment = 0;
    for (const h of rig.hotels) {
      for (const row of await rig.inventory.inventoryRows(h.productId, 'DBL', FROM, to)) {
        oversold += Math.max(0, row.held + row.sold + row.released - row.allotment);
        sold += row.held + row.sold;
        allotment += row.allotment;
      }
    }
    const reservations = await rig.db.query<{ status: string; n: string }>('SELECT status, count(*)::text AS n FROM channel_reservations WHERE channel_manager_code = $1 GROUP BY status ORDER BY status', [rig.managerCode]);
    const outcomes = await rig.db.query<{ outcome: string; n: string }>(
      "SELECT coalesce(outcome, 'PENDING') AS outcome, count(*)::text AS n FROM channel_notifications WHERE channel_manager_code = $1 GROUP BY 1 ORDER BY 1",
      [rig.managerCode],
    );
    const cancelledBack = channels.map((c) => `${c} ${rig.hub.cancelledBack(c).length}`).join(', ');

    out(`\nRandomized oversell run: ${(ran / 1000).toFixed(0)} s, 2 hotels × ${nights.length} nights × 3 rooms (${allotment} room-nights), 3 channels, 2 direct sellers, ${rig.db.kind}, ${new Date().toISOString()}\n`);
    out('| figure | value |\n|---|---|');
    out(`| direct (store): holds taken / refused, confirms, cancels, unexpected failures | ${direct.holds} / ${direct.holdRefused}, ${direct.confirms}, ${direct.cancels}, ${direct.confirmFailed} |`);
    out(`| channel webhooks: new / modify / cancel / duplicate redeliveries / out-of-order modify+cancel pairs | ${sent.new} / ${sent.modify} / ${sent.cancel} / ${sent.duplicate} / ${sent.outOfOrder} |`);
    out(`| webhooks not acknowledged with Success | ${sent.notSuccess} |`);
    out(`| notification outcomes | ${outcomes.map((o) => `${o.outcome} ${o.n}`).join(', ')} |`);
    out(`| channel reservations at the end | ${reservations.map((r) => `${r.status} ${r.n}`).join(', ')} |`);
    out(`| cancelled back to the channel (hub) | ${cancelledBack} |`);
    out(`| **room-nights oversold by Itinera** (held+sold+released over allotment) | **${oversold}** (${sold} of ${allotment} room-nights held or sold at the end) |`);
    out(`| bookings a channel took while its own count showed no room (channel's delay) | ${channelOwnOversells} |`);
    out(`| all notifications applied after the run | ${(appliedIn / 1000).toFixed(1)} s |`);
    out(`| every channel equal to Itinera | ${convergedIn === null ? `NOT within 60 s: ${stillDiffering} channel room-nights differ` : `${(convergedIn / 1000).toFixed(1)} s after that (${stillDiffering} differing)`} |`);
  } finally {
    await rig.stop();
  }
}

// ------------------------------------------------------------------------------------ main

const MODES: Record<string, (n?: number) => Promise<void>> = {
  propagation: (n) => propagation(n ?? 100),
  webhooks: (n) => webhooks(n ?? 300),
  sustained: (n) => sustained(n ?? 30),
  oversell: (n) => oversell(n ?? 30),
};

async function main() {
  const mode = process.argv[2] ?? 'all';
  const n = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  if (n !== undefined && !(Number.isInteger(n) && n > 0)) throw new Error(`the count must be a positive integer (got ${process.argv[3]})`);
  const run = mode === 'all' ? Object.keys(MODES) : [mode];
  for (const m of run) {
    const f = MODES[m];
    if (!f) throw new Error(`unknown mode ${m}: one of ${Object.keys(MODES).join(', ')}, all`);
    const t = performance.now();
    await f(n);
    out(`(${m}: ${((performance.now() - t) / 1000).toFixed(0)} s wall, peak RSS so far ${rss.peakMiB()} MiB)`);
  }
  rss.stop();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
