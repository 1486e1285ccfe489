/**
 * The Node flags the API process runs with: `npm run api`, the Docker image's CMD, the `api`
 * service of docker-compose.yml, and the server of `npm run bench:middleware` (so the bench
 * measures the process as it is deployed). They are written out in those three files; a test
 * (infra/__tests__/api-node-flags.test.ts) fails when one of them differs from this list.
 *
 * `--v8-pool-size=1`: V8's background threads (concurrent marking and sweeping of the garbage
 * collector, background compilation) are one thread instead of Node's default four.
 * - Why: on the 2-core host the API shares with PostgreSQL, each full (mark-compact) GC ran its
 *   concurrent marking on up to four threads: about 195 ms of CPU within 60 ms (measured with
 *   --trace-gc-nvp, 2026-11-30). That took both cores from the event loop and from PostgreSQL, and
 *   every request arriving then waited: the slow requests of a paced round (p99 30–70 ms at half
 *   the maximum rate) fell in the 100–200 ms before a mark-compact, and rounds without one had a
 *   p99 near 10 ms.
 * - With one thread, the same marking took 55–80 ms of CPU on that one thread, and the rounds with
 *   a mark-compact kept the tail of the rest (p99 12–20 ms in six 5 s rounds at 340 keyed req/s).
 *   In `npm run bench:middleware` with an `Idempotency-Key`, 3 of 9 paced rounds went over 25 ms
 *   with one thread against 5 of 9 with four, in alternating runs (README, "Middleware stack").
 * - On a larger host with the database elsewhere, more threads finish each GC sooner: raise it
 *   in the three places above (and here).
 */
export const API_NODE_FLAGS: readonly string[] = ['--v8-pool-size=1'];
