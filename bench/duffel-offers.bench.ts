import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mapOffersPage } from '../adapters/duffel-json/mapper';
import { Dec } from '../domain/money/money';

/**
 * Duffel-style offers page: parse + validate (zod) + map to domain offers, against a bare
 * JSON.parse of the same bytes, in the same run. `npx tsx bench/duffel-offers.bench.ts [offers]`
 * (default 500). Never run by the test suite.
 */

const OFFERS = Number(process.argv[2] ?? 500);
const ROUNDS = 30;
/**
 * Rounds run before timing, for each path alike. JSON.parse is native and needs none; the JS path
 * (validation and mapping) runs its first 10–20 pages while V8 is still compiling it, so with only
 * a few warm-up rounds the timed average mixed compile time into the full path's figure.
 */
const WARMUP_ROUNDS = 30;

function buildPage(n: number): string {
  const fixture = JSON.parse(readFileSync(path.join(__dirname, '..', 'adapters', 'duffel-json', '__fixtures__', 'offers-page.json'), 'utf8'));
  const templates: Record<string, unknown>[] = fixture.data;
  const data = Array.from({ length: n }, (_, i) => {
    const offer = structuredClone(templates[i % templates.length]!) as Record<string, string>;
    const base = new Dec(offer.base_amount!).plus(new Dec(i).dividedBy(100));
    offer.id = `off_bench_${i.toString().padStart(6, '0')}`;
    offer.base_amount = base.toFixed(2);
    offer.total_amount = base.plus(offer.tax_amount!).toFixed(2);
    return offer;
  });
  return JSON.stringify({ data, meta: { limit: n, after: null, before: null } });
}

function time(rounds: number, fn: () => void): number {
  for (let i = 0; i < WARMUP_ROUNDS; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) fn();
  return (performance.now() - t0) / rounds;
}

const text = buildPage(OFFERS);
const mb = Buffer.byteLength(text) / 1e6;
let sink = 0;
const bareMs = time(ROUNDS, () => {
  sink += (JSON.parse(text) as { data: unknown[] }).data.length;
});
const fullMs = time(ROUNDS, () => {
  sink += mapOffersPage(text, 'bench').offers.length;
});
const rate = (ms: number) => `${Math.round((OFFERS / ms) * 1000).toLocaleString('en-GB')} offers/s, ${((mb / ms) * 1000).toFixed(1)} MB/s`;
console.log(`Duffel offers page: ${OFFERS} offers, ${mb.toFixed(2)} MB, ${ROUNDS} rounds each after ${WARMUP_ROUNDS} warm-up rounds (checksum ${sink})`);
console.log(`  JSON.parse only            ${bareMs.toFixed(2)} ms/page  ${rate(bareMs)}`);
console.log(`  parse + validate + map     ${fullMs.toFixed(2)} ms/page  ${rate(fullMs)}`);
console.log(`  ratio (full / bare speed)  ${(bareMs / fullMs).toFixed(3)}  (goal >= 0.5)`);
