/**
 * `npm run bench:middleware`: the cost of the full middleware stack (request logging, route
 * policy, audit trail, authentication, authorisation, idempotency, ETags, validation) against bare
 * Express on the same routes, in the same run (issue 9). Goals: the full stack at least 0.6× bare
 * Express's requests/s, and p99 under 25 ms at half the full stack's maximum rate.
 *
 * The servers run in their own process (bench/support/middleware-server.ts), started with the API
 * process's Node flags (infra/api-node-flags.ts); autocannon drives them from this one. Each route
 * is measured bare, full, bare, full (alternating, so a noisy neighbour hurts both sides alike),
 * then the full stack is paced at half its measured maximum with an open-loop load
 * (bench/support/paced-load.ts: arrivals spread evenly, not in bursts), and bare Express at the
 * same rate, so the tail the stack adds is told apart from the machine's: three
 * alternating rounds each, the median p99 reported with every round's, and with each round how busy
 * the server's event loop was (its utilisation over the round: near 1, the tail is queueing) and how
 * many full (mark-compact) GCs the server ran in it (a round's slowest requests tend to be the ones
 * arriving during one; see infra/api-node-flags.ts).
 *
 * Routes: GET /advisors (a light read: one query) and POST /operations/resources (a create: one
 * insert; the change audited), without and with a fresh Idempotency-Key per request (the key is
 * claimed before the route runs and the answer stored after it: two more writes).
 *
 * Options (env): BENCH_SECONDS per measurement (default 8), BENCH_CONNECTIONS (default 16),
 * BENCH_PACED_ROUNDS (paced rounds per side, default 3; the median round's p99 is reported),
 * BENCH_ONLY (only the routes whose name contains it, e.g. "Idempotency"),
 * DATABASE_URL for PostgreSQL (default PGlite).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import type { EventLoopUtilization } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { API_NODE_FLAGS } from '../infra/api-node-flags';
import { pacedLoad } from './support/paced-load';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PACED_ROUNDS = Number(process.env.BENCH_PACED_ROUNDS ?? 3);
const ONLY = process.env.BENCH_ONLY;
const log = (text: string) => process.stderr.write(`${text}\n`);

interface Endpoint {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** A fresh Idempotency-Key on every request (the full stack stores each). */
  idempotencyKey?: boolean;
}

const ENDPOINTS: Endpoint[] = [
  { name: 'GET /advisors', method: 'GET', path: '/advisors' },
  {
    name: 'POST /operations/resources',
    method: 'POST',
    path: '/operations/resources',
    body: { kind: 'GUIDE', name: 'Bench guide', destination: 'ROM', languages: ['en', 'it'] },
  },
  {
    name: 'POST /operations/resources + Idempotency-Key',
    method: 'POST',
    path: '/operations/resources',
    body: { kind: 'GUIDE', name: 'Bench guide', destination: 'ROM', languages: ['en', 'it'] },
    idempotencyKey: true,
  },
];

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function measure(base: string, endpoint: Endpoint, token: string | null, overallRate?: number): Promise<Run> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const result = await autocannon({
    url: `${base}${endpoint.path}`,
    method: endpoint.method,
    headers,
    connections: CONNECTIONS,
    duration: SECONDS,
    ...(overallRate ? { overallRate } : {}),
    ...(endpoint.body !== undefined ? { body: JSON.stringify(endpoint.body) } : {}),
    ...(endpoint.idempotencyKey
      ? {
          requests: [
            {
              setupRequest: (req: autocannon.Request) => ({ ...req, headers: { ...(req.headers as Record<string, string>), 'idempotency-key': randomUUID() } }),
            },
          ],
        }
      : {}),
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
}

const mean = (a: number, b: number) => (a + b) / 2;

/** A paced round, how busy the server's event loop was over it (0–1), and its full GCs meanwhile. */
type PacedRun = Awaited<ReturnType<typeof pacedLoad>> & { loop: number; majorGcs: number };

/** The round with the median p99 (its p50 goes with it). */
function medianRun(runs: PacedRun[]): PacedRun {
  const sorted = [...runs].sort((a, b) => a.p99 - b.p99);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

async function main() {
  // The API process's own Node flags (infra/api-node-flags.ts): the bench measures the process as deployed.
  const server = spawn(process.execPath, [...API_NODE_FLAGS, '--import', 'tsx', path.join(__dirname, 'support', 'middleware-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  const first = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: server.stdout }).once('line', resolve);
    server.once('exit', (code) => reject(new Error(`the bench server exited with ${code}`)));
  });
  const { bare, full, control, token, database } = JSON.parse(first) as { bare: string; full: string; control: string; token: string; database: string };
  /**
   * The server's event loop utilisation (0–1) over one run of `work` (how busy its one thread
   * was), and how many full (mark-compact) GCs the server ran meanwhile.
   */
  const busy = async <T>(work: () => Promise<T>): Promise<T & { loop: number; majorGcs: number }> => {
    const read = async () => (await (await fetch(`${control}/event-loop`)).json()) as { elu: EventLoopUtilization; majorGcs: number };
    const before = await read();
    const result = await work();
    const after = await read();
    return { ...result, loop: performance.eventLoopUtilization(after.elu, before.elu).utilization, majorGcs: after.majorGcs - before.majorGcs };
  };
  log(`middleware bench: ${database}, ${CONNECTIONS} connections, ${SECONDS} s per measurement`);

  const rows: string[] = [];
  let failed = false;
  try {
    for (const endpoint of ENDPOINTS.filter((e) => !ONLY || e.name.includes(ONLY))) {
      // Warm both (JIT, connection pools, caches) before measuring.
      await measure(bare, endpoint, null).then(() => measure(full, endpoint, token));
      const b1 = await measure(bare, endpoint, null);
      const f1 = await measure(full, endpoint, token);
      const b2 = await measure(bare, endpoint, null);
      const f2 = await measure(full, endpoint, token);
      const bareRps = mean(b1.rps, b2.rps);
      const fullRps = mean(f1.rps, f2.rps);
      const rate = Math.max(1, Math.floor(fullRps / 2));
      // Paced rounds, the full stack then bare Express at the same arrival rate (how much of the
      // tail is the route, the database and the machine), alternating: a p99 over one 8 s window
      // rests on its ~25 slowest requests, so one stall of the machine moves it by tens of ms. The
      // median round is reported, every round shown.
      const pacedFull: PacedRun[] = [];
      const pacedBare: PacedRun[] = [];
      const pace = (base: string, headers?: () => Record<string, string>) =>
        pacedLoad({
          url: `${base}${endpoint.path}`,
          method: endpoint.method,
          ratePerSecond: rate,
          seconds: SECONDS,
          ...(headers ? { headers } : {}),
          ...(endpoint.body !== undefined ? { body: JSON.stringify(endpoint.body) } : {}),
        });
      for (let round = 0; round < PACED_ROUNDS; round++) {
        pacedFull.push(await busy(() => pace(full, () => ({ authorization: `Bearer ${token}`, ...(endpoint.idempotencyKey ? { 'idempotency-key': randomUUID() } : {}) }))));
        pacedBare.push(await busy(() => pace(bare)));
      }
      const paced = medianRun(pacedFull);
      const bareAtRate = medianRun(pacedBare);
      const rounds = (runs: PacedRun[]) => runs.map((r) => r.p99.toFixed(1)).join(' / ');
      const loop = (runs: PacedRun[]) => `event loop busy ${runs.map((r) => `${Math.round(r.loop * 100)} %`).join(' / ')}; full GCs ${runs.map((r) => r.majorGcs).join(' / ')}`;
      const bad = [b1, f1, b2, f2].reduce((n, r) => n + r.errors + r.non2xx, 0) + [...pacedFull, ...pacedBare].reduce((n, r) => n + r.failed, 0);
      if (bad) failed = true;
      const ratio = fullRps / bareRps;
      rows.push(
        `| ${endpoint.name} | ${bareRps.toFixed(0)} | ${fullRps.toFixed(0)} | **${ratio.toFixed(2)}×** (goal ≥ 0.6) | ${mean(f1.p50, f2.p50).toFixed(1)} ms | ${rate} req/s → p50 ${paced.p50.toFixed(1)} ms, p99 **${paced.p99.toFixed(1)} ms** (goal < 25; rounds ${rounds(pacedFull)}; ${loop(pacedFull)}) | p50 ${bareAtRate.p50.toFixed(1)} ms, p99 ${bareAtRate.p99.toFixed(1)} ms (rounds ${rounds(pacedBare)}; ${loop(pacedBare)}) | ${bad} |`,
      );
      log(`${endpoint.name}: bare ${bareRps.toFixed(0)} req/s, full ${fullRps.toFixed(0)} req/s (${ratio.toFixed(2)}×); paced at ${rate} req/s p50 ${paced.p50.toFixed(1)} ms p99 ${paced.p99.toFixed(1)} ms, rounds ${rounds(pacedFull)}, ${loop(pacedFull)} (bare p99 ${bareAtRate.p99.toFixed(1)} ms, rounds ${rounds(pacedBare)}, ${loop(pacedBare)}); errors/non-2xx ${bad}`);
    }
  } finally {
    server.kill('SIGTERM');
  }
  process.stdout.write(
    [
      '',
      `Middleware stack vs bare Express (${database}, ${CONNECTIONS} connections, ${SECONDS} s each, means of two alternating runs)`,
      '',
      '| route | bare req/s | full stack req/s | ratio | full p50 | full stack at half its maximum | bare Express at the same rate | errors |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  if (failed) {
    log('some requests failed (errors or non-2xx answers): the figures above are not valid');
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
