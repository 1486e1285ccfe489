import { addDays, daysBetween } from '../domain/catalog/dates';
import type { BoardBasis, CatalogProductType, Category, MarkupRule, Occupancy, PriceBreakdown, PriceLine, PriceRequest } from '../domain/catalog/model';
import { priceRequest, PricingError } from '../domain/catalog/pricing';
import { RateMissingError } from '../domain/fx/rates';
import type { SalesChannel } from '../domain/ledger/chart';
import { Dec } from '../domain/money/money';
import type { PrismaCatalog, StoredProduct } from './catalog.prisma';
import type { AvailabilityView, PrismaInventory } from './inventory.prisma';

/**
 * Availability search: which products of a destination can be sold for a stay, and at what price.
 *
 * Per search: the destination's products with their rates (one `productsForSearch` load, cached
 * briefly, see below), one or two availability reads (hotel nights; tour departures and service
 * dates), the FX rate of each product currency (cached); every option that fits the party is
 * priced in memory while the availability read is in flight, and the open ones are kept.
 *
 * What matches (everything else is simply not an option):
 * - the product is active, of an active supplier, of the destination (and of `type` when given);
 * - the party fits: every unit's people within the category's maxOccupancy, the whole party within
 *   the product's minPax..maxPax;
 * - inventory exists for every date the product sells on (hotels: each night checkIn..checkOut;
 *   tours: the departure = checkIn; ground services and insurance: the service / trip start =
 *   checkIn), with at least `rooms` units free on each, and no stop sale on any of them.
 * Each (product, category, rate plan) that matches is priced. One the pricing engine refuses (no
 * rate for a night, a child age outside every band, a tour longer than the stay...) or whose
 * currency has no exchange rate is left out and counted in `skipped`, with the reason: a search
 * never fails because of one product.
 *
 * Caching (per process, per instance): products of a (destination, type) and the markup rules for
 * `cacheTtlMs` (default 5 s), exchange rates for `fxTtlMs` (default 60 s). Catalog writes through
 * the API call {@link AvailabilitySearch.invalidate}; writes made elsewhere (an import from another
 * process, a direct SQL change) show within the TTL. Inventory is never cached: availability is
 * always read live.
 */

/** What the search reads from the catalog store. */
export type SearchCatalog = Pick<PrismaCatalog, 'productsForSearch' | 'listMarkupRules'>;
/** What the search reads from the inventory store. */
export type SearchInventory = Pick<PrismaInventory, 'availability'>;
/** Exchange rates (PrismaFxRates): 1 `from` = `rate` `to` on `date`; throws RateMissingError. */
export interface SearchFx {
  resolve(from: string, to: string, date: string, source?: string): Promise<{ rate: string; rateDate: string; source: string }>;
}

export interface AvailabilitySearchOptions {
  /** The operator-calendar date of today (FX rates are those of the sale date). */
  today: () => string;
  /** The finance settings' rate source (ECB by default). */
  rateSource?: () => Promise<string>;
  cacheTtlMs?: number;
  fxTtlMs?: number;
  /** Clock of the caches (tests). */
  now?: () => number;
}

export interface SearchQuery {
  destination: string;
  checkIn: string;
  checkOut: string;
  adults: number;
  childAges: number[];
  rooms: number;
  type?: CatalogProductType;
  channel: SalesChannel;
  currency: string;
  /** Include each option's price lines. */
  detail: boolean;
  cursor?: string;
  limit: number;
}

export interface SearchOption {
  supplierCode: string;
  productCode: string;
  productName: string;
  type: CatalogProductType;
  category: string;
  categoryName: string;
  ratePlan: string;
  boardBasis: BoardBasis | null;
  /** Fewest units free on any date of the stay. */
  available: number;
  currency: string;
  totalSell: string;
  totalSellNet: string;
  totalTax: string;
  /** In `costCurrency`, the product's currency. */
  totalCost: string;
  costCurrency: string;
  fxRate: string;
  lines?: PriceLine[];
}

export interface SkippedOption {
  supplierCode: string;
  productCode: string;
  category: string;
  ratePlan: string | null;
  reason: string;
}

export interface SearchResult {
  destination: string;
  checkIn: string;
  checkOut: string;
  nights: number;
  /** How the party was shared among the units priced. */
  units: Occupancy[];
  currency: string;
  channel: SalesChannel;
  /** Options on every page. */
  total: number;
  items: SearchOption[];
  nextCursor: string | null;
  skipped: { count: number; reasons: SkippedOption[] };
}

/** Reasons listed in a result (the count is always complete). */
const MAX_SKIPPED_LISTED = 25;

export class SearchCursorError extends Error {
  constructor() {
    super('cursor is not a nextCursor this search returned');
    this.name = 'SearchCursorError';
  }
}

/**
 * The party shared among `rooms` units: adults as evenly as possible (the first units take one
 * more), then each child, oldest first, into the unit with the fewest people so far (the first such
 * unit). Every unit gets at least one adult (callers check adults >= rooms).
 */
export function splitParty(adults: number, childAges: readonly number[], rooms: number): Occupancy[] {
  const units: Occupancy[] = Array.from({ length: rooms }, (_, i) => ({ adults: Math.floor(adults / rooms) + (i < adults % rooms ? 1 : 0), childAges: [] }));
  for (const age of [...childAges].sort((a, b) => b - a)) {
    let best = 0;
    for (let i = 1; i < units.length; i++) {
      const size = (u: Occupancy) => u.adults + u.childAges.length;
      if (size(units[i]!) < size(units[best]!)) best = i;
    }
    units[best]!.childAges.push(age);
  }
  return units;
}

type SortKey = [totalSell: string, supplierCode: string, productCode: string, category: string, ratePlan: string];

function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): { sell: Dec; rest: string[] } {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(key) || key.length !== 5 || !key.every((k) => typeof k === 'string')) throw new SearchCursorError();
    return { sell: new Dec(key[0] as string), rest: key.slice(1) as string[] };
  } catch {
    throw new SearchCursorError();
  }
}

function compareCodes(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

/** One (product, category, rate plan) priced, or why it could not be. */
interface Attempt {
  product: StoredProduct;
  category: Category;
  ratePlan: string | null;
  boardBasis: BoardBasis | null;
  breakdown?: PriceBreakdown;
  reason?: string;
}

interface Priced {
  option: SearchOption;
  sell: Dec;
  codes: string[];
}

export class AvailabilitySearch {
  private readonly products = new Map<string, Cached<StoredProduct[]>>();
  private markup: Cached<MarkupRule[]> | null = null;
  private source: Cached<string> | null = null;
  private readonly fx = new Map<string, Cached<{ rate: string } | { missing: string }>>();
  private readonly ttl: number;
  private readonly fxTtl: number;
  private readonly clock: () => number;

  constructor(
    private readonly catalog: SearchCatalog,
    private readonly inventory: SearchInventory,
    private readonly fxRates: SearchFx,
    private readonly opts: AvailabilitySearchOptions,
  ) {
    this.ttl = opts.cacheTtlMs ?? 5_000;
    this.fxTtl = opts.fxTtlMs ?? 60_000;
    this.clock = opts.now ?? Date.now;
  }

  /** Forgets cached products and markup rules (call after a catalog write). */
  invalidate(): void {
    this.products.clear();
    this.markup = null;
  }

  /**
   * Prices one product for one request with the current markup rules and the exchange rate of
   * the sale date (the finance settings' source). Throws PricingError listing every problem, or
   * RateMissingError when the product's currency has no rate into the selling currency.
   */
  async price(req: Omit<PriceRequest, 'fxRate' | 'markupRules'> & { saleDate: string }): Promise<PriceBreakdown> {
    const { saleDate, ...rest } = req;
    const [markupRules, source] = await Promise.all([this.markupRules(), this.rateSource()]);
    const fxRate =
      req.product.currency === req.sellingCurrency ? '1' : (await this.fxRates.resolve(req.product.currency, req.sellingCurrency, saleDate, source)).rate;
    return priceRequest({ ...rest, fxRate, markupRules });
  }

  async search(q: SearchQuery): Promise<SearchResult> {
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    const nights = daysBetween(q.checkIn, q.checkOut);
    const units = splitParty(q.adults, q.childAges, q.rooms);
    const pax = q.adults + q.childAges.length;
    const largestUnit = Math.max(...units.map((u) => u.adults + u.childAges.length));

    const [products, markupRules] = await Promise.all([this.productsOf(q.destination, q.type), this.markupRules()]);
    const fitting = products.filter(
      (p) =>
        pax >= p.minPax &&
        pax <= p.maxPax &&
        p.categories.some((c) => c.maxOccupancy >= largestUnit) &&
        // A tour's inventory exists only on its live departures: others are not even priced.
        (p.type !== 'TOUR' || p.departures.some((d) => d.date === q.checkIn && d.status !== 'CANCELLED')),
    );
    const hotels = fitting.filter((p) => p.type === 'HOTEL').map((p) => p.id);
    const dated = fitting.filter((p) => p.type !== 'HOTEL').map((p) => p.id);
    const availability = Promise.all([
      hotels.length ? this.inventory.availability({ productIds: hotels, from: q.checkIn, toExclusive: q.checkOut }) : [],
      dated.length ? this.inventory.availability({ productIds: dated, from: q.checkIn, toExclusive: addDays(q.checkIn, 1) }) : [],
    ]);
    availability.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile

    const today = this.opts.today();
    const source = await this.rateSource();
    const currencies = [...new Set(fitting.map((p) => p.currency))];
    const rates = new Map(await Promise.all(currencies.map(async (c) => [c, await this.rate(c, q.currency, today, source)] as const)));
    // Pricing is CPU work and the availability read is database latency: let the queries go out,
    // price every option that fits the party while the database answers, then keep the open ones.
    await new Promise((resolve) => setImmediate(resolve));
    const attempts: Attempt[] = [];
    for (const product of fitting) {
      const fx = rates.get(product.currency)!;
      // Tours and services are priced on their date; insurance covers the trip; ground services have no nights.
      const pricedNights = product.type === 'GROUND_SERVICE' ? 0 : nights;
      for (const category of product.categories) {
        if (category.maxOccupancy < largestUnit) continue;
        if ('missing' in fx) {
          attempts.push({ product, category, ratePlan: null, boardBasis: null, reason: fx.missing });
          continue;
        }
        const plans = new Map<string, BoardBasis | null>();
        for (const r of product.rates) if (r.category === category.code && !plans.has(r.ratePlan)) plans.set(r.ratePlan, r.boardBasis ?? null);
        for (const [ratePlan, boardBasis] of plans) {
          try {
            const breakdown = priceRequest({
              product,
              category: category.code,
              ratePlan,
              startDate: q.checkIn,
              nights: pricedNights,
              units,
              channel: q.channel,
              sellingCurrency: q.currency,
              fxRate: fx.rate,
              markupRules,
            });
            attempts.push({ product, category, ratePlan, boardBasis, breakdown });
          } catch (err) {
            if (!(err instanceof PricingError)) throw err;
            attempts.push({ product, category, ratePlan, boardBasis, reason: err.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ') });
          }
        }
      }
    }

    const [hotelAvail, datedAvail] = await availability;
    const open = new Map<string, number>();
    const party = q.adults + q.childAges.length;
    for (const a of [...hotelAvail, ...datedAvail] as AvailabilityView[]) {
      // Contracts for groups (or for individuals only) do not show to a party outside their size.
      const fitsGroup = party >= a.minGroupSize && party <= a.maxGroupSize;
      if (!a.stopSale && a.available >= q.rooms && fitsGroup) open.set(`${a.productId}|${a.category}`, a.available);
    }
    const priced: Priced[] = [];
    const skipped: SkippedOption[] = [];
    let skippedCount = 0;
    for (const { product, category, ratePlan, boardBasis, breakdown: b, reason } of attempts) {
      const available = open.get(`${product.id}|${category.code}`);
      if (available === undefined) continue;
      if (!b) {
        skippedCount++;
        if (skipped.length < MAX_SKIPPED_LISTED) skipped.push({ supplierCode: product.supplierCode, productCode: product.code, category: category.code, ratePlan, reason: reason! });
        continue;
      }
      priced.push({
        sell: new Dec(b.totalSell),
        codes: [product.supplierCode, product.code, category.code, b.ratePlan],
        option: {
          supplierCode: product.supplierCode,
          productCode: product.code,
          productName: product.name,
          type: product.type,
          category: category.code,
          categoryName: category.name,
          ratePlan: b.ratePlan,
          boardBasis,
          available,
          currency: b.sellingCurrency,
          totalSell: b.totalSell,
          totalSellNet: b.totalSellNet,
          totalTax: b.totalTax,
          totalCost: b.totalCost,
          costCurrency: b.supplierCurrency,
          fxRate: b.fxRate,
          ...(q.detail ? { lines: b.lines } : {}),
        },
      });
    }

    priced.sort((a, b) => a.sell.comparedTo(b.sell) || compareCodes(a.codes, b.codes));
    // Keyset pagination over the sort key: options priced differently since the last page are not repeated or lost by position.
    const shown = after ? priced.filter((p) => (p.sell.comparedTo(after.sell) || compareCodes(p.codes, after.rest)) > 0) : priced;
    const page = shown.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      destination: q.destination,
      checkIn: q.checkIn,
      checkOut: q.checkOut,
      nights,
      units,
      currency: q.currency,
      channel: q.channel,
      total: priced.length,
      items: page.map((p) => p.option),
      nextCursor: shown.length > q.limit && last ? encodeCursor([last.option.totalSell, ...last.codes] as SortKey) : null,
      skipped: { count: skippedCount, reasons: skipped },
    };
  }

  private fresh<T>(entry: Cached<T> | null | undefined, ttl: number): entry is Cached<T> {
    return !!entry && this.clock() - entry.at < ttl;
  }

  /** Cached for the TTL; a failed load is not kept. Concurrent searches share one load. */
  private cached<T>(get: () => Cached<T> | null | undefined, set: (c: Cached<T> | null) => void, ttl: number, load: () => Promise<T>): Promise<T> {
    const entry = get();
    if (this.fresh(entry, ttl)) return entry.value;
    const value = load();
    const fresh = { at: this.clock(), value };
    set(fresh);
    value.catch(() => {
      if (get() === fresh) set(null);
    });
    return value;
  }

  private productsOf(destination: string, type: CatalogProductType | undefined): Promise<StoredProduct[]> {
    const key = `${destination}|${type ?? '*'}`;
    return this.cached(
      () => this.products.get(key),
      (c) => (c ? this.products.set(key, c) : this.products.delete(key)),
      this.ttl,
      () => this.catalog.productsForSearch({ destination, types: type ? [type] : undefined, activeOnly: true }),
    );
  }

  private markupRules(): Promise<MarkupRule[]> {
    return this.cached(
      () => this.markup,
      (c) => (this.markup = c),
      this.ttl,
      () => this.catalog.listMarkupRules(),
    );
  }

  private rateSource(): Promise<string> {
    const read = this.opts.rateSource;
    if (!read) return Promise.resolve('ECB');
    return this.cached(
      () => this.source,
      (c) => (this.source = c),
      this.fxTtl,
      read,
    );
  }

  /** The rate of `from` into `to` (1 for the same currency); a missing rate is remembered as such for the TTL. */
  private rate(from: string, to: string, date: string, source: string): Promise<{ rate: string } | { missing: string }> {
    if (from === to) return Promise.resolve({ rate: '1' });
    const key = `${from}|${to}|${date}|${source}`;
    return this.cached(
      () => this.fx.get(key),
      (c) => (c ? this.fx.set(key, c) : this.fx.delete(key)),
      this.fxTtl,
      async () => {
        try {
          return { rate: (await this.fxRates.resolve(from, to, date, source)).rate };
        } catch (err) {
          if (err instanceof RateMissingError) return { missing: err.message };
          throw err;
        }
      },
    );
  }
}
