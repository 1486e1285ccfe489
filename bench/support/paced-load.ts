/**
 * An open-loop load at a constant rate: requests start on schedule (spread evenly over each
 * second) whether or not earlier ones have answered, so a slow answer cannot hide queueing — the
 * latency a client sees at that arrival rate. autocannon's own rate limit sends each second's
 * requests in a burst at the start of the second, which measures the burst, not the rate.
 */
import http from 'node:http';

export interface PacedResult {
  sent: number;
  ok: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
}

export async function pacedLoad(opts: {
  url: string;
  method: 'GET' | 'POST';
  ratePerSecond: number;
  seconds: number;
  headers?: () => Record<string, string>;
  body?: string;
}): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const target = new URL(opts.url);
  const latencies: number[] = [];
  let failed = 0;
  const inflight: Promise<void>[] = [];
  const one = () =>
    new Promise<void>((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        { agent, host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: opts.method, headers: { ...(opts.body ? { 'content-type': 'application/json' } : {}), ...opts.headers?.() } },
        (res) => {
          res.resume();
          res.once('end', () => {
            if ((res.statusCode ?? 500) < 400) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            else failed++;
            resolve();
          });
        },
      );
      req.once('error', () => {
        failed++;
        resolve();
      });
      if (opts.body) req.write(opts.body);
      req.end();
    });
  const total = Math.round(opts.ratePerSecond * opts.seconds);
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * opts.ratePerSecond));
      while (sent < due) {
        inflight.push(one());
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inflight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { sent, ok: latencies.length, failed, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] ?? NaN };
}
