/**
 * `npm run bench:revaluation [-- <balances>]` (chunk size: REVALUATION_CHUNK, default the domain's):
 * seeds N open foreign balances (default 100,000: half as many customer sub-accounts, each owing
 * USD and EUR, booked at 0.79/0.86 with base amounts stored) with set-based SQL through the
 * ledger's triggers, then in the same run, each phase in a child process of its own (so its peak
 * RSS is its own, not the seeding's):
 *
 * 1. raw: node-postgres revalues them at 2026-10-31 the plain way (one aggregation query read whole,
 *    then per chunk one transaction inserting the entry, its postings and the lines);
 * 2. itinera run: PrismaFxRevaluation revalues them at 2026-11-30 (keyset-streamed chunks, one
 *    transaction per chunk with PrismaLedger.post and the lines);
 * 3. itinera reversal: the run reversed on 2026-12-01.
 *
 * Both find a non-zero difference for every balance (the rates move between the two dates).
 * Reports elapsed seconds, balances/s, the Node CPU each phase used, its RSS at start and peak, and
 * for the run the RSS and the live heap (after a full GC, a few ms each) at every 10,000 balances
 * with the RSS growth per 10,000 after the first (bounded memory: the live heap stays flat and the
 * peak hardly moves with N; compare runs at 20,000 and 100,000), plus the ratio itinera/raw.
 * BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each phase there.
 * PostgreSQL: TEST_DATABASE_URL's server if set, otherwise a throwaway cluster (as the tests do).
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import Decimal from 'decimal.js';
import pg from 'pg';
import { PrismaFxRevaluation } from '../activities/revaluation.prisma';
import { DEFAULT_REVALUATION_CHUNK_SIZE } from '../domain/fx/revaluation';
import { travelChartOfAccounts } from '../domain/ledger/chart';
import { Dec } from '../domain/money/money';
import { seedChartOfAccounts } from '../activities/chart-seed.prisma';
import { freePort } from '../infra/dev-server';
import { openDatabase } from '../infra/database';
import { migrateDeploy } from '../infra/migrate';
import { provisionTestPostgres } from '../test/support/postgres';

const CHUNK = Number(process.env.REVALUATION_CHUNK ?? DEFAULT_REVALUATION_CHUNK_SIZE);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

type Phase = 'raw' | 'run' | 'reverse';

interface PhaseResult {
  seconds: number;
  balances: number;
  startRss: number;
  peakRss: number;
  /** RSS after each further 10,000 balances (run only). */
  rssPer10k: number[];
  /** The live heap (after a full GC) at the same points: what the run retains. */
  liveHeapPer10k: number[];
  /** CPU seconds this (Node) process used: the rest of the wall time is the database's or waiting. */
  cpuSeconds: number;
  note: string;
}

async function seed(raw: pg.Pool, N: number) {
  const customers = Math.ceil(N / 2);
  const client = await raw.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO ledger_accounts (id, code, name, type)
       SELECT gen_random_uuid(), 'asset:receivable:customers:C' || lpad(i::text, 7, '0'), 'Customer ' || i, 'ASSET'
         FROM generate_series(1, $1) AS i`,
      [customers],
    );
    // One entry per balance: Dr the customer's receivable / Cr deferred revenue, translated at the booking rate.
    await client.query(
      `CREATE TEMP TABLE seed ON COMMIT DROP AS
       SELECT i, gen_random_uuid() AS entry_id,
              CASE WHEN i % 2 = 0 THEN 'USD' ELSE 'EUR' END AS currency,
              CASE WHEN i % 2 = 0 THEN 0.79 ELSE 0.86 END AS rate,
              ((i % 9973) + 1 + (i % 100) / 100.0)::numeric(20,4) AS amount,
              'asset:receivable:customers:C' || lpad(((i + 1) / 2)::text, 7, '0') AS code
         FROM generate_series(1, $1) AS i`,
      [N],
    );
    await client.query(
      `INSERT INTO journal_entries (id, idempotency_key, content_hash, description, accounting_date, kind)
       SELECT entry_id, 'bench-sale:' || i, repeat('0', 64), 'Bench sale', DATE '2026-10-15', 'standard' FROM seed`,
    );
    await client.query(
      `INSERT INTO postings (entry_id, account_id, side, amount, currency, base_amount, base_currency, fx_rate, fx_rate_source, fx_rate_date, translation_rule)
       SELECT s.entry_id, a.id, x.side::"PostingSide", s.amount, s.currency, round(s.amount * s.rate, 2), 'GBP', s.rate, 'MANUAL', DATE '2026-10-15', 'PAYMENT_DATE'
         FROM seed s
         JOIN ledger_accounts d ON d.code = 'liability:deferred-revenue:tours'
         JOIN ledger_accounts c ON c.code = s.code
         CROSS JOIN LATERAL (VALUES ('DEBIT', c.id), ('CREDIT', d.id)) AS x(side, id)
         JOIN ledger_accounts a ON a.id = x.id`,
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
  await raw.query('ANALYZE');
}

/** The plain way, on node-postgres: aggregate everything in one query, then insert per chunk. */
async function rawRevaluation(raw: pg.Pool, periodEnd: string, rates: Record<string, string>) {
  const { rows } = await raw.query<{ account_id: string; code: string; currency: string; foreign: string; carrying: string }>(
    `SELECT a.id AS account_id, a.code, COALESCE(p.revalues_currency, p.currency) AS currency,
            SUM(CASE WHEN p.revalues_currency IS NOT NULL THEN 0 WHEN p.side = 'DEBIT' THEN p.amount ELSE -p.amount END)::text AS foreign,
            SUM(CASE WHEN p.revalues_currency IS NOT NULL THEN (CASE p.side WHEN 'DEBIT' THEN p.amount ELSE -p.amount END)
                     WHEN p.side = 'DEBIT' THEN p.base_amount ELSE -p.base_amount END)::text AS carrying
       FROM postings p JOIN journal_entries e ON e.id = p.entry_id JOIN ledger_accounts a ON a.id = p.account_id
      WHERE e.accounting_date <= $1 AND (p.currency <> 'GBP' OR p.revalues_currency IS NOT NULL)
        AND (a.code LIKE 'asset:receivable:%' OR a.code LIKE 'asset:bank:%' OR a.code LIKE 'liability:payable:%')
      GROUP BY a.id, a.code, 3 ORDER BY a.code, 3`,
    [periodEnd],
  );
  const { rows: [gain] } = await raw.query<{ id: string }>(`SELECT id FROM ledger_accounts WHERE code = 'revenue:fx:unrealised-gain'`);
  const { rows: [run] } = await raw.query<{ id: string }>(
    `INSERT INTO fx_revaluation_runs (id, period_end, base_currency, rate_source) VALUES (gen_random_uuid(), $1, 'GBP', 'MANUAL') RETURNING id`,
    [periodEnd],
  );
  for (let start = 0, chunkNo = 1; start < rows.length; start += CHUNK, chunkNo++) {
    const chunk = rows.slice(start, start + CHUNK).map((r) => {
      const revalued = new Dec(r.foreign).times(rates[r.currency]!).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
      return { ...r, revalued: revalued.toFixed(2), difference: revalued.minus(r.carrying) };
    });
    const client = await raw.connect();
    try {
      await client.query('BEGIN');
      const { rows: [entry] } = await client.query<{ id: string }>(
        `INSERT INTO journal_entries (id, idempotency_key, content_hash, description, accounting_date, kind)
         VALUES (gen_random_uuid(), $1, repeat('0', 64), 'Raw revaluation', $2, 'fx-revaluation') RETURNING id`,
        [`raw-revaluation:${periodEnd}:${chunkNo}`, periodEnd],
      );
      const moving = chunk.filter((c) => !c.difference.isZero());
      const total = moving.reduce((s, c) => s.plus(c.difference), new Dec(0));
      const postings = [
        ...moving.map((c) => [c.account_id, c.difference.isPositive() ? 'DEBIT' : 'CREDIT', c.difference.abs().toFixed(2), c.currency]),
        [gain!.id, total.isNegative() ? 'DEBIT' : 'CREDIT', total.abs().toFixed(2), null],
      ];
      await client.query(
        `INSERT INTO postings (entry_id, account_id, side, amount, currency, base_amount, base_currency, fx_rate, fx_rate_source, fx_rate_date, revalues_currency)
         SELECT $1, x.account_id, x.side::"PostingSide", x.amount, 'GBP', x.amount, 'GBP', 1, 'IDENTITY', $2, x.revalues
           FROM json_to_recordset($3::json) AS x(account_id uuid, side text, amount numeric, revalues text)`,
        [entry!.id, periodEnd, JSON.stringify(postings.map(([account_id, side, amount, revalues]) => ({ account_id, side, amount, revalues })))],
      );
      await client.query(
        `INSERT INTO fx_revaluation_lines (run_id, account, currency, foreign_balance, carrying_base, closing_rate, closing_rate_date, revalued_base, difference)
         SELECT $1, x.code, x.currency, x.fb, x.carrying, x.rate, $2, x.revalued, x.difference
           FROM json_to_recordset($3::json) AS x(code text, currency text, fb numeric, carrying numeric, rate numeric, revalued numeric, difference numeric)`,
        [run!.id, periodEnd, JSON.stringify(chunk.map((c) => ({ code: c.code, currency: c.currency, fb: c.foreign, carrying: c.carrying, rate: rates[c.currency], revalued: c.revalued, difference: c.difference.toFixed(2) })))],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }
  return rows.length;
}

/** One phase, in this (child) process: timed, RSS sampled every 20 ms, result sent to the parent. */
async function child(phase: Phase, url: string): Promise<void> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const rssPer10k: number[] = [];
  const liveHeapPer10k: number[] = [];
  let result: { balances: number; note: string };
  const db = await openDatabase({ databaseUrl: url, poolSize: 4 });
  const raw = new pg.Pool({ connectionString: url, max: 4 });
  await db.prisma.$queryRawUnsafe('SELECT 1');
  await raw.query('SELECT 1');
  global.gc?.();
  const startRss = process.memoryUsage().rss;
  peakRss = startRss;
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    const revaluation = new PrismaFxRevaluation(db.prisma, { chunkSize: CHUNK });
    if (phase === 'raw') {
      const n = await rawRevaluation(raw, '2026-10-31', { USD: '0.8', EUR: '0.87' });
      result = { balances: n, note: '' };
    } else if (phase === 'run') {
      let mark = 10_000;
      const run = await revaluation.run('2026-11-30', {
        onChunk: (_entries, balances) => {
          for (; balances >= mark; mark += 10_000) {
            rssPer10k.push(process.memoryUsage().rss);
            global.gc?.();
            liveHeapPer10k.push(process.memoryUsage().heapUsed);
          }
        },
      });
      result = { balances: run.balances, note: `${run.entryIds.length} entries, gain ${run.totalGain}, loss ${run.totalLoss} GBP` };
    } else {
      const reversed = await revaluation.reverse('2026-11-30');
      result = { balances: reversed.balances, note: `${reversed.reversalEntryIds.length} entries` };
    }
  } finally {
    await raw.end();
    await db.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  clearInterval(sampler);
  process.send!({ ...result, seconds, startRss, peakRss: Math.max(peakRss, process.memoryUsage().rss), rssPer10k, liveHeapPer10k, cpuSeconds } satisfies PhaseResult);
}

function runPhase(phase: Phase, url: string): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const proc = fork(__filename, ['--phase', phase, url], { execArgv: [...process.execArgv, '--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CPU_PROF] : [])] });
    let answer: PhaseResult | undefined;
    proc.on('message', (m) => (answer = m as PhaseResult));
    proc.on('error', reject);
    proc.on('exit', (code) => (answer && code === 0 ? resolve(answer) : reject(new Error(`phase ${phase} exited with ${code}`))));
  });
}

async function main() {
  const N = Number(process.argv[2] ?? 100_000);
  const server = await provisionTestPostgres(await freePort());
  try {
    await migrateDeploy({ databaseUrl: server.url }, { quiet: true });
    const db = await openDatabase({ databaseUrl: server.url, poolSize: 4 });
    const raw = new pg.Pool({ connectionString: server.url, max: 4 });
    try {
      await db.prisma.financeSettings.create({ data: { id: 1, baseCurrency: 'GBP', rateSource: 'MANUAL', activeCurrencies: ['GBP', 'USD', 'EUR'] } });
      await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
      await db.prisma.fxRate.createMany({
        data: [
          ['USD', '2026-10-30', '0.8000'],
          ['EUR', '2026-10-30', '0.8700'],
          ['USD', '2026-11-30', '0.8100'],
          ['EUR', '2026-11-30', '0.8500'],
        ].map(([base, date, rate]) => ({ source: 'MANUAL', baseCurrency: base!, quoteCurrency: 'GBP', rate: rate!, rateDate: new Date(`${date}T00:00:00Z`) })),
      });
      const t = performance.now();
      await seed(raw, N);
      process.stdout.write(`seeded ${N} foreign balances (${N} entries, ${2 * N} postings) in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    } finally {
      await raw.end();
      await db.close();
    }

    const rawRun = await runPhase('raw', server.url);
    const itinera = await runPhase('run', server.url);
    const reversal = await runPhase('reverse', server.url);

    const rate = (r: PhaseResult) => Math.round(r.balances / r.seconds);
    const growth = (r: PhaseResult) => {
      if (r.rssPer10k.length < 2) return 'n/a';
      const perStep = (r.rssPer10k[r.rssPer10k.length - 1]! - r.rssPer10k[0]!) / (r.rssPer10k.length - 1);
      return `${perStep >= 0 ? '+' : ''}${(perStep / 1024 / 1024).toFixed(1)} MiB`;
    };
    process.stdout.write(
      `\nFX revaluation bench: ${N} open foreign balances, chunks of ${CHUNK}, PostgreSQL, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}, ${new Date().toISOString()}\n\n`,
    );
    process.stdout.write('| phase | seconds | balances/s | Node CPU s | RSS at start | peak RSS | RSS growth per 10k balances |\n|---|---|---|---|---|---|---|\n');
    for (const [label, r] of [
      ['raw node-postgres (aggregate all, insert per chunk)', rawRun],
      ['itinera run (keyset-streamed, one transaction per chunk)', itinera],
      [`itinera reversal (${reversal.note})`, reversal],
    ] as const) {
      process.stdout.write(`| ${label} | ${r.seconds.toFixed(1)} | ${rate(r)} | ${r.cpuSeconds.toFixed(1)} | ${mib(r.startRss)} | ${mib(r.peakRss)} | ${growth(r)} |\n`);
    }
    process.stdout.write(
      `\nitinera run: ${itinera.balances} balances, ${itinera.note}\n` +
        `RSS of the run after each 10k balances: ${itinera.rssPer10k.map(mib).join(', ')}\n` +
        `live heap of the run (after a full GC) at the same points: ${itinera.liveHeapPer10k.map(mib).join(', ')}\n` +
        `ratio itinera/raw (balances/s): ${(rawRun.seconds / itinera.seconds).toFixed(2)}x; goal: ${N} balances under 20 s -> ${itinera.seconds < 20 ? 'met' : 'NOT met'}\n`,
    );
  } finally {
    await server.stop();
  }
}

const phaseAt = process.argv.indexOf('--phase');
(phaseAt >= 0 ? child(process.argv[phaseAt + 1] as Phase, process.argv[phaseAt + 2]!) : main()).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
