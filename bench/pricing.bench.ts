/**
 * `npm run bench:pricing [-- <requests>]` (or `npx tsx bench/pricing.bench.ts [N]`): prices N
 * requests (default 200,000) through priceRequest over a generated, realistic mix — hotel stays of
 * 1-14 nights that often cross a season boundary (per-room and per-person plans, weekend rates,
 * children, singles, city tax + VAT, EUR/GBP/JPY/KWD selling currencies), tours with extra nights,
 * ground services and insurance — then "the typical request" alone (7-night hotel stay, 2 adults +
 * 1 child, 2 seasons, 1 tax). In the same run, a baseline loop over the same requests does only the
 * bare arithmetic: per-night rate lookup and plain Dec multiplication into one total, no validation,
 * no breakdown, no rounding. Reports computations/s and the ratio engine / baseline.
 *
 * The mix is generated from a fixed seed, so two runs price the same requests. Single-threaded.
 * Rates are given per wall-clock second and per CPU-second of this process: on a shared machine
 * the second stays meaningful when other processes take the cores.
 */
import os from 'node:os';
import { Dec } from '../domain/money/money';
import type { GroundServiceProduct, HotelProduct, InsuranceProduct, PriceRequest, Product, Rate, TourProduct } from '../domain/catalog/model';
import { priceRequest } from '../domain/catalog/pricing';

const N = Number(process.argv[2] ?? 200_000);
const POOL = 5_000;
const DAY_MS = 86_400_000;

/** mulberry32: a small seeded PRNG so the mix is the same every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20270628);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
const cents = (min: number, max: number) => {
  const c = int(min * 100, max * 100);
  return `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
};
const day = (iso: string, plus: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + plus * DAY_MS).toISOString().slice(0, 10);

const common = { supplierCode: 'SUP', destination: 'IT-ROME', country: 'IT', active: true, minPax: 1, maxPax: 30 };
const bands = [
  { minAge: 0, maxAge: 1, discountPercent: '100' },
  { minAge: 2, maxAge: 11, discountPercent: '50' },
];
const seasons = [
  ['2027-01-01', '2027-03-31'],
  ['2027-04-01', '2027-06-30'],
  ['2027-07-01', '2027-08-31'],
  ['2027-09-01', '2027-12-31'],
] as const;

function hotel(code: string): HotelProduct {
  const rates: Rate[] = [];
  for (const [from, to] of seasons) {
    const amount = cents(80, 220);
    rates.push({ category: 'DBL', ratePlan: 'BAR', validFrom: from, validTo: to, weekdays: [1, 2, 3, 4, 7], basis: 'PER_ROOM_PER_NIGHT', amount, singleSupplement: cents(20, 40) });
    rates.push({ category: 'DBL', ratePlan: 'BAR', validFrom: from, validTo: to, weekdays: [5, 6], basis: 'PER_ROOM_PER_NIGHT', amount: cents(230, 280) });
    rates.push({ category: 'FAM', ratePlan: 'HB', validFrom: from, validTo: to, weekdays: [1, 2, 3, 4, 5, 6, 7], basis: 'PER_PERSON_PER_NIGHT', amount: cents(60, 140), sellAmount: random() < 0.3 ? cents(150, 190) : undefined });
  }
  return {
    ...common,
    type: 'HOTEL',
    code,
    name: `Hotel ${code}`,
    currency: 'EUR',
    categories: [
      { code: 'DBL', name: 'Double', maxOccupancy: 3, standardOccupancy: 2 },
      { code: 'FAM', name: 'Family', maxOccupancy: 4, standardOccupancy: 2 },
    ],
    rates,
    childBands: bands,
    taxes: [
      { code: 'CITY', name: 'City tax', kind: 'PER_PERSON_PER_NIGHT', amount: '3.50', appliesToChildren: false },
      { code: 'VAT', name: 'VAT', kind: 'PERCENT', amount: '10', appliesToChildren: false },
    ],
  };
}

function tour(code: string): TourProduct {
  return {
    ...common,
    type: 'TOUR',
    code,
    name: `Tour ${code}`,
    currency: 'USD',
    categories: [{ code: 'TENT', name: 'Tent', maxOccupancy: 3, standardOccupancy: 2 }],
    rates: seasons.map(([from, to]) => ({ category: 'TENT', ratePlan: 'STD', validFrom: from, validTo: to, weekdays: [1, 2, 3, 4, 5, 6, 7], basis: 'PER_PERSON', amount: cents(900, 2500), singleSupplement: cents(200, 400), extraNight: cents(60, 120) })),
    childBands: bands,
    taxes: [{ code: 'PARK', name: 'Park fee', kind: 'PER_PERSON', amount: '70', appliesToChildren: true }],
    itinerary: [],
    durationNights: 7,
    departures: Array.from({ length: 52 }, (_, w) => ({ date: day('2027-01-02', 7 * w), status: 'SCHEDULED' as const })),
    guaranteedThreshold: 4,
  };
}

function ground(code: string): GroundServiceProduct {
  return {
    ...common,
    type: 'GROUND_SERVICE',
    code,
    kind: 'TRANSFER',
    name: `Transfer ${code}`,
    currency: 'EUR',
    categories: [{ code: 'VAN', name: 'Minivan', maxOccupancy: 7, standardOccupancy: 1 }],
    rates: seasons.map(([from, to]) => ({ category: 'VAN', ratePlan: 'STD', validFrom: from, validTo: to, weekdays: [1, 2, 3, 4, 5, 6, 7], basis: 'PER_UNIT', amount: cents(60, 140) })),
    childBands: bands,
    taxes: [],
  };
}

function insurance(code: string): InsuranceProduct {
  return {
    ...common,
    type: 'INSURANCE',
    code,
    cover: 'Medical',
    maxTripDays: 45,
    name: `Insurance ${code}`,
    currency: 'GBP',
    categories: [{ code: 'STD', name: 'Standard', maxOccupancy: 9, standardOccupancy: 1 }],
    rates: seasons.map(([from, to]) => ({ category: 'STD', ratePlan: 'STD', validFrom: from, validTo: to, weekdays: [1, 2, 3, 4, 5, 6, 7], basis: 'PER_PERSON', amount: cents(20, 60) })),
    childBands: [{ minAge: 0, maxAge: 17, discountPercent: '50' }],
    taxes: [{ code: 'IPT', name: 'Insurance premium tax', kind: 'PERCENT', amount: '12', appliesToChildren: false }],
  };
}

const markupRules = [
  { productType: null, channel: null, percent: '15' },
  { productType: 'HOTEL' as const, channel: null, percent: '18' },
  { productType: 'TOUR' as const, channel: 'agent' as const, percent: '12.5' },
];
const selling = [
  ['EUR', '1'],
  ['GBP', '0.8563'],
  ['JPY', '162.347'],
  ['KWD', '0.333325'],
] as const;
const channels = ['direct', 'agent', 'online', 'corporate'] as const;

function occupancy(maxChildren: number) {
  return { adults: int(1, 2), childAges: Array.from({ length: int(0, maxChildren) }, () => int(0, 11)) };
}

function generate(): PriceRequest {
  const [sellingCurrency, rate] = pick(selling);
  const base = { channel: pick(channels), markupRules, units: [occupancy(1)] };
  const sale = (product: Product) => ({ sellingCurrency: product.currency === sellingCurrency ? product.currency : sellingCurrency, fxRate: product.currency === sellingCurrency ? '1' : rate });
  const kind = random();
  if (kind < 0.7) {
    const product = hotel(`H${int(1, 50)}`);
    const fam = random() < 0.4;
    // Starts within a week of a season boundary half the time, so the stay crosses it.
    const startDate = random() < 0.5 ? day(pick(['2027-03-31', '2027-06-30', '2027-08-31']), -int(0, 7)) : day('2027-01-01', int(0, 340));
    return { ...base, ...sale(product), product, category: fam ? 'FAM' : 'DBL', ratePlan: fam ? 'HB' : 'BAR', startDate, nights: int(1, 14), units: Array.from({ length: int(1, 3) }, () => occupancy(fam ? 2 : 1)) };
  }
  if (kind < 0.85) {
    const product = tour(`T${int(1, 20)}`);
    return { ...base, ...sale(product), product, category: 'TENT', ratePlan: 'STD', startDate: pick(product.departures).date, nights: 7 + int(0, 3) };
  }
  if (kind < 0.95) {
    const product = ground(`G${int(1, 20)}`);
    return { ...base, ...sale(product), product, category: 'VAN', ratePlan: 'STD', startDate: day('2027-01-01', int(0, 360)), nights: 0, units: [{ adults: int(1, 5), childAges: [] }] };
  }
  const product = insurance(`I${int(1, 10)}`);
  return { ...base, ...sale(product), product, category: 'STD', ratePlan: 'STD', startDate: day('2027-01-01', int(0, 300)), nights: int(3, 30) };
}

/** The brief's typical request: 7 nights over a season boundary, 2 adults + 1 child, one tax. */
function typical(): PriceRequest {
  const product = hotel('TYPICAL');
  product.taxes = [product.taxes[0]!];
  return { product, category: 'FAM', ratePlan: 'HB', startDate: '2027-06-27', nights: 7, units: [{ adults: 2, childAges: [7] }], channel: 'direct', sellingCurrency: 'EUR', fxRate: '1', markupRules };
}

/** The floor: find each night's rate and multiply, nothing else (no checks, lines, rounding). */
function baseline(req: PriceRequest): Dec {
  const start = Date.parse(`${req.startDate}T00:00:00Z`) / DAY_MS;
  const rates = req.product.rates
    .filter((r) => r.category === req.category && r.ratePlan === req.ratePlan)
    .map((r) => ({ from: Date.parse(`${r.validFrom}T00:00:00Z`) / DAY_MS, to: Date.parse(`${r.validTo}T00:00:00Z`) / DAY_MS, weekdays: r.weekdays, amount: new Dec(r.amount) }));
  let people = 0;
  for (const u of req.units) people += u.adults + u.childAges.length;
  const nights = req.product.type === 'HOTEL' ? req.nights : 1;
  let total = new Dec(0);
  for (let n = 0; n < nights; n++) {
    const d = start + n;
    const wd = ((((d + 3) % 7) + 7) % 7) + 1;
    const r = rates.find((x) => d >= x.from && d <= x.to && x.weekdays.includes(wd as 1));
    if (r) total = total.plus(r.amount.times(people));
  }
  return total;
}

function measure(label: string, count: number, requests: PriceRequest[], fn: (r: PriceRequest) => unknown) {
  for (let i = 0; i < Math.min(count, 20_000); i++) fn(requests[i % requests.length]!); // warm-up (JIT)
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let sink = 0;
  for (let i = 0; i < count; i++) sink += fn(requests[i % requests.length]!) ? 1 : 0;
  const cpu = process.cpuUsage(cpuStarted);
  const ms = performance.now() - started;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (sink !== count) throw new Error(`${label}: a computation returned nothing`);
  return { label, perSecond: Math.round((count / ms) * 1000), perCpuSecond: Math.round((count / cpuMs) * 1000), usPerOp: (ms * 1000) / count };
}

function main() {
  const mix = Array.from({ length: POOL }, generate);
  const typicalPool = [typical()];
  let lines = 0;
  for (const r of mix) lines += priceRequest(r).lines.length;

  const results = [
    measure('engine, realistic mix', N, mix, priceRequest),
    measure('baseline, realistic mix', N, mix, baseline),
    measure('engine, typical request', N, typicalPool, priceRequest),
    measure('baseline, typical request', N, typicalPool, baseline),
  ];
  process.stdout.write(`\nPricing bench: ${N} computations per phase over ${POOL} generated requests (avg ${(lines / POOL).toFixed(1)} lines), node ${process.version}, ${new Date().toISOString()}\n\n`);
  process.stdout.write('| phase | computations/s (wall) | per CPU-second | µs each (wall) |\n|---|---|---|---|\n');
  for (const r of results) process.stdout.write(`| ${r.label} | ${r.perSecond} | ${r.perCpuSecond} | ${r.usPerOp.toFixed(1)} |\n`);
  process.stdout.write(
    `\nratio engine/baseline: mix ${(results[0]!.perSecond / results[1]!.perSecond).toFixed(2)}x, typical ${(results[2]!.perSecond / results[3]!.perSecond).toFixed(2)}x\n` +
      `goal (typical): >= 20000/s -> ${results[2]!.perSecond >= 20_000 ? 'met' : 'NOT met'} (wall clock; per CPU-second ${results[2]!.perCpuSecond}, ` +
      `the figure to trust when other processes share the cores: load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores)\n`,
  );
}

main();
