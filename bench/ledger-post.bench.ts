/**
 * `npm run bench:ledger [-- <entries>]`: posts N balanced two-leg entries through Itinera's ledger
 * (Prisma, code validation, idempotency check, triggers) and, in the same run, the same rows
 * through raw node-postgres (one transaction per entry, same triggers), then computes the trial
 * balance. Reports entries/s, p50/p95 latency, peak RSS and the ratio Itinera / raw.
 *
 * PostgreSQL: TEST_DATABASE_URL's server if set, otherwise a throwaway cluster from the installed
 * binaries (as the tests do). Entries are posted sequentially from one client, with a concurrent
 * phase of 8 posters for each side.
 */
import { randomUUID, createHash } from 'node:crypto';
import pg from 'pg';
import { PrismaLedger } from '../activities/ledger.prisma';
import { freePort } from '../infra/dev-server';
import { openDatabase } from '../infra/database';
import { migrateDeploy } from '../infra/migrate';
import { provisionTestPostgres } from '../test/support/postgres';
import { rssSampler, timed, type PhaseStats } from './support/timing';

const N = Number(process.argv[2] ?? 2000);
const rss = rssSampler();

async function main() {
  const server = await provisionTestPostgres(await freePort());
  try {
    await migrateDeploy({ databaseUrl: server.url }, { quiet: true });
    const db = await openDatabase({ databaseUrl: server.url, poolSize: 8 });
    const raw = new pg.Pool({ connectionString: server.url, max: 8 });
    try {
      await db.prisma.ledgerAccount.createMany({
        data: [
          { code: 'asset:bank:GBP', name: 'Bank GBP', type: 'ASSET', currency: 'GBP' },
          { code: 'liability:customer-deposits', name: 'Deposits', type: 'LIABILITY' },
        ],
      });
      // A configured company: base currency GBP, so every posting carries its translation (rate 1).
      await db.prisma.financeSettings.create({ data: { baseCurrency: 'GBP', rateSource: 'ECB', activeCurrencies: ['GBP'] } });
      const ids = Object.fromEntries((await db.prisma.ledgerAccount.findMany()).map((a) => [a.code, a.id]));
      const ledger = new PrismaLedger(db.prisma, db);
      const amount = (i: number) => `${(i % 997) + 1}.${String(i % 100).padStart(2, '0')}`;

      const rawPost = async (tag: string, i: number) => {
        const client = await raw.connect();
        try {
          const id = randomUUID();
          await client.query('BEGIN');
          await client.query('SELECT id FROM journal_entries WHERE idempotency_key = $1', [`${tag}:${i}`]);
          await client.query(
            'INSERT INTO journal_entries (id, idempotency_key, content_hash, description, accounting_date) VALUES ($1, $2, $3, $4, $5)',
            [id, `${tag}:${i}`, createHash('sha256').update(`${tag}:${i}`).digest('hex'), 'Deposit', '2027-01-15'],
          );
          await client.query(
            `INSERT INTO postings (entry_id, account_id, side, amount, currency, base_amount, base_currency, fx_rate, fx_rate_source, fx_rate_date)
             VALUES ($1, $2, 'DEBIT', $4, 'GBP', $4, 'GBP', 1, 'IDENTITY', '2027-01-15'), ($1, $3, 'CREDIT', $4, 'GBP', $4, 'GBP', 1, 'IDENTITY', '2027-01-15')`,
            [id, ids['asset:bank:GBP'], ids['liability:customer-deposits'], amount(i)],
          );
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      };
      const itineraPost = (tag: string, i: number) =>
        ledger.post({
          idempotencyKey: `${tag}:${i}`,
          description: 'Deposit',
          accountingDate: '2027-01-15',
          lines: [
            { account: 'asset:bank:GBP', side: 'DEBIT', amount: { amount: amount(i), currency: 'GBP' } },
            { account: 'liability:customer-deposits', side: 'CREDIT', amount: { amount: amount(i), currency: 'GBP' } },
          ],
        });

      // Warm-up (JIT, plan caches, pool connections), not measured.
      await timed(100, 1, (i) => rawPost('warm-raw', i));
      await timed(100, 1, (i) => itineraPost('warm-itinera', i));

      const results: Record<string, PhaseStats> = {};
      results['raw, 1 poster'] = await timed(N, 1, (i) => rawPost('raw1', i));
      results['itinera, 1 poster'] = await timed(N, 1, (i) => itineraPost('it1', i));
      results['raw, 8 posters'] = await timed(N, 8, (i) => rawPost('raw8', i));
      results['itinera, 8 posters'] = await timed(N, 8, (i) => itineraPost('it8', i));

      const tbStart = performance.now();
      const tb = await ledger.trialBalance();
      const tbMs = performance.now() - tbStart;

      process.stdout.write(`\nLedger posting bench: ${N} two-leg entries per phase, PostgreSQL, ${new Date().toISOString()}\n\n`);
      process.stdout.write('| phase | entries/s | p50 ms | p95 ms |\n|---|---|---|---|\n');
      for (const [name, r] of Object.entries(results)) process.stdout.write(`| ${name} | ${r.perSecond} | ${r.p50} | ${r.p95} |\n`);
      process.stdout.write(
        `\nratio itinera/raw: 1 poster ${(results['itinera, 1 poster']!.perSecond / results['raw, 1 poster']!.perSecond).toFixed(2)}x, ` +
          `8 posters ${(results['itinera, 8 posters']!.perSecond / results['raw, 8 posters']!.perSecond).toFixed(2)}x\n`,
      );
      process.stdout.write(`trial balance over ${4 * N + 200} entries: ${tbMs.toFixed(0)} ms (${tb.length} rows)\n`);
      process.stdout.write(`peak RSS: ${rss.peakMiB()} MiB\n`);
    } finally {
      await raw.end();
      await db.close();
    }
  } finally {
    rss.stop();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
