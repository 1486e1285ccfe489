/** Latency figures of a bench phase: throughput and percentiles in ms (two decimals). */
export interface PhaseStats {
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

export function latencyStats(latencies: number[], wallMs: number): PhaseStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { perSecond: Math.round((latencies.length / wallMs) * 1000), p50: +pct(0.5).toFixed(2), p95: +pct(0.95).toFixed(2), p99: +pct(0.99).toFixed(2) };
}

/** Runs `one(0..count-1)` on `concurrency` lanes, timing each call. */
export async function timed(count: number, concurrency: number, one: (i: number) => Promise<unknown>): Promise<PhaseStats> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t = performance.now();
        await one(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return latencyStats(latencies, performance.now() - started);
}

/** Samples the process's RSS every 50 ms; `peakMiB()` is the highest seen, `stop()` ends sampling. */
export function rssSampler(): { peakMiB(): number; stop(): void } {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return { peakMiB: () => Math.round(peak / 1024 / 1024), stop: () => clearInterval(timer) };
}
