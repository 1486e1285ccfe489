/**
 * `npx tsx bench/availability-search.bench.ts [-- <searches>]` (`npm run bench:search`): the
 * availability search (AvailabilitySearch: the destination's products, the live availability
 * read, FX, every option priced in memory) over the mid-size catalog of
 * sandbox/catalog-generator.ts on PostgreSQL: 2,000 hotels in 50 destinations (~40 per
 * destination, 24 rates each), 200 tours, 50 transfers, 25 insurance products, with allotment
 * contracts on every hotel category for the next 120 days and on every tour departure, a few stop
 * sales and sold-out nights.
 *
 * Reports p50/p95/p99 latency and searches/s for random destinations, dates (1-7 nights within
 * the 120 days), occupancies and selling currencies: with the product cache (the normal setting),
 * without it (cacheTtlMs 0: every search loads its destination's products), and 8 searches at a
 * time. Baseline measured in the same run over the same pool: one indexed SELECT of a product by
 * (supplier, code).
 *
 * PostgreSQL: TEST_DATABASE_URL's server if set, otherwise a throwaway cluster from the installed
 * binaries (as the tests do).
 */
import { AvailabilitySearch, type SearchQuery, type SearchResult } from '../activities/availability-search';
import { PrismaCatalog } from '../activities/catalog.prisma';
import { PrismaFxRates } from '../activities/fx-rates.prisma';
import { PrismaInventory } from '../activities/inventory.prisma';
import { addDays } from '../domain/catalog/dates';
import { parseProduct, parseSupplier } from '../domain/catalog/validation';
import { freePort } from '../infra/dev-server';
import { openDatabase } from '../infra/database';
import { migrateDeploy } from '../infra/migrate';
import { provisionTestPostgres } from '../test/support/postgres';
import { generateCatalog, mulberry32 } from '../sandbox/catalog-generator';
import { rssSampler, timed, type PhaseStats } from './support/timing';

const N = Number(process.argv[2] ?? 2000);
/** The operator's "today" of the bench; the catalog's seasons start here. */
const TODAY = '2027-01-01';
const HORIZON_DAYS = 120;
const rss = rssSampler();

const log = (text: string) => process.stderr.write(`${text}\n`);

async function main() {
  const server = await provisionTestPostgres(await freePort());
  try {
    await migrateDeploy({ databaseUrl: server.url }, { quiet: true });
    const db = await openDatabase({ databaseUrl: server.url, poolSize: 8 });
    try {
      // --- the catalog ------------------------------------------------------------------------
      let t = performance.now();
      const { suppliers, products } = generateCatalog({ seed: 20270101, startDate: TODAY });
      const catalog = new PrismaCatalog(db.prisma, db);
      await catalog.upsertSuppliers(suppliers.map((s) => parseSupplier(s)));
      await catalog.upsertProducts(products.map((p) => parseProduct(p)));
      log(`catalog: ${suppliers.length} suppliers, ${products.length} products in ${((performance.now() - t) / 1000).toFixed(1)} s`);

      // Contracts in bulk SQL (the bench measures search, not contract entry): every hotel
      // category for HORIZON_DAYS days from tomorrow, every tour category on its departures in
      // that window, every transfer; then ~2 % of hotel nights sold out and a stop sale on ~2 % of hotels.
      t = performance.now();
      const horizonEnd = addDays(TODAY, HORIZON_DAYS);
      await db.execScript(`
        INSERT INTO allotment_contracts (id, code, supplier_id, product_id, category, valid_from, valid_to, quantity, contracted_price, currency, basis, release_rule, min_group_size, max_group_size)
        SELECT gen_random_uuid(), 'B-' || p.code || '-' || c.code, p.supplier_id, p.id, c.code, DATE '${addDays(TODAY, 1)}', DATE '${horizonEnd}',
               8, 100, p.currency, CASE p.type WHEN 'HOTEL' THEN 'PER_ROOM_PER_NIGHT' WHEN 'GROUND_SERVICE' THEN 'PER_UNIT' ELSE 'PER_PERSON' END,
               '{"kind":"DAYS_BEFORE","days":14}'::jsonb, 1, 20
          FROM products p JOIN product_categories c ON c.product_id = p.id
         WHERE p.type IN ('HOTEL', 'TOUR', 'GROUND_SERVICE');
        INSERT INTO inventory (product_id, category, stay_date, contract_id, allotment, release_on)
        SELECT ac.product_id, ac.category, d::date, ac.id, ac.quantity, d::date - 14
          FROM allotment_contracts ac JOIN products p ON p.id = ac.product_id
          CROSS JOIN generate_series(ac.valid_from, ac.valid_to, interval '1 day') AS d
         WHERE p.type <> 'TOUR'
            OR EXISTS (SELECT 1 FROM tour_departures td WHERE td.product_id = p.id AND td.departure_date = d::date AND td.status <> 'CANCELLED');
        UPDATE inventory SET sold = allotment WHERE hashtext(product_id::text || category || stay_date::text) % 50 = 0;
        INSERT INTO stop_sales (id, product_id, category, date_from, date_to, reason)
        SELECT gen_random_uuid(), p.id, NULL, DATE '${addDays(TODAY, 20)}', DATE '${addDays(TODAY, 40)}', 'bench'
          FROM products p WHERE p.type = 'HOTEL' AND hashtext(p.code) % 50 = 0;
        INSERT INTO markup_rules (product_type, channel, percent) VALUES ('HOTEL', '*', 15), ('*', '*', 10), ('TOUR', 'agent', 8);
        ANALYZE;
      `);
      const inventoryRows = (await db.query<{ rows: string }>('SELECT count(*)::text AS rows FROM inventory', []))[0]!.rows;
      log(`contracts and ${inventoryRows} inventory rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);

      const fx = new PrismaFxRates(db.prisma);
      await fx.importQuotes(
        ['2026-12-29', '2026-12-30', '2026-12-31'].flatMap((rateDate) => [
          { source: 'ECB', base: 'EUR', quote: 'GBP', rate: '0.8412', rateDate },
          { source: 'ECB', base: 'EUR', quote: 'USD', rate: '1.0934', rateDate },
        ]),
      );
      const inventory = new PrismaInventory(db.prisma, db.query);
      const cached = new AvailabilitySearch(catalog, inventory, fx, { today: () => TODAY });
      const uncached = new AvailabilitySearch(catalog, inventory, fx, { today: () => TODAY, cacheTtlMs: 0, fxTtlMs: 0 });

      // --- the searches -----------------------------------------------------------------------
      const destinations = [...new Set(products.map((p) => p.destination))];
      const rnd = mulberry32(7);
      const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
      const queryFor = (): SearchQuery => {
        const checkIn = addDays(TODAY, int(1, HORIZON_DAYS - 8));
        const children = int(0, 10) < 8 ? 0 : int(1, 2);
        const rooms = int(0, 9) < 8 ? 1 : 2;
        return {
          destination: destinations[int(0, destinations.length - 1)]!,
          checkIn,
          checkOut: addDays(checkIn, int(1, 7)),
          adults: rooms === 2 ? int(2, 4) : int(1, 2),
          childAges: Array.from({ length: children }, () => int(2, 11)),
          rooms,
          channel: (['direct', 'online', 'agent'] as const)[int(0, 2)]!,
          currency: ['EUR', 'GBP', 'USD'][int(0, 2)]!,
          detail: false,
          limit: 20,
        };
      };
      const queries = Array.from({ length: N }, queryFor);
      let options = 0;
      let priced = 0;
      let skipped = 0;
      const tally = (r: SearchResult) => {
        options += r.items.length;
        priced += r.total;
        skipped += r.skipped.count;
      };

      // Warm-up (JIT, plan caches, pool connections, the product cache of every destination), not measured.
      for (const destination of destinations) tally(await cached.search({ ...queries[0]!, destination }));
      options = priced = skipped = 0;

      const sampleProduct = products[0]!;
      const sampleSupplierId = (await db.query<{ id: string }>('SELECT id::text AS id FROM suppliers WHERE code = $1', [sampleProduct.supplierCode]))[0]!.id;
      const baseline = () => db.query('SELECT id, name, type, currency FROM products WHERE supplier_id = $1 AND code = $2', [sampleSupplierId, sampleProduct.code]);
      await timed(200, 1, baseline);

      const results: Record<string, PhaseStats> = {};
      results['baseline: one indexed SELECT by code'] = await timed(N, 1, baseline);
      results['search, cached products, 1 at a time'] = await timed(N, 1, async (i) => tally(await cached.search(queries[i]!)));
      const perSearch = { options: options / N, priced: priced / N, skipped: skipped / N };
      // The live part of a search alone: the availability read of the destination's hotels.
      const hotelIds = new Map<string, string[]>();
      for (const d of destinations) hotelIds.set(d, (await catalog.productsForSearch({ destination: d, types: ['HOTEL'], activeOnly: true })).map((p) => p.id));
      results['availability read alone (~40 hotels)'] = await timed(N, 1, (i) =>
        inventory.availability({ productIds: hotelIds.get(queries[i]!.destination)!, from: queries[i]!.checkIn, toExclusive: queries[i]!.checkOut }),
      );
      results['search, no cache, 1 at a time'] = await timed(Math.min(N, 500), 1, (i) => uncached.search(queries[i]!));
      results['search, cached products, 8 at a time'] = await timed(N, 8, (i) => cached.search(queries[i]!));

      process.stdout.write(`\nAvailability search bench: ${N} searches per phase (no-cache phase: ${Math.min(N, 500)}), PostgreSQL, ${new Date().toISOString()}\n`);
      process.stdout.write(`catalog: ${products.length} products in ${destinations.length} destinations, ${inventoryRows} inventory rows\n\n`);
      process.stdout.write('| phase | per s | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|\n');
      for (const [name, r] of Object.entries(results)) process.stdout.write(`| ${name} | ${r.perSecond} | ${r.p50} | ${r.p95} | ${r.p99} |\n`);
      const base = results['baseline: one indexed SELECT by code']!;
      const search = results['search, cached products, 1 at a time']!;
      process.stdout.write(
        `\nratio search/baseline (p50): ${(search.p50 / base.p50).toFixed(1)}x; per search: ${perSearch.priced.toFixed(1)} options priced ` +
          `(${perSearch.options.toFixed(1)} on the first page), ${perSearch.skipped.toFixed(1)} skipped\n`,
      );
      process.stdout.write(`peak RSS: ${rss.peakMiB()} MiB\n`);
    } finally {
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
