/**
 * A deterministic catalog for benches and tests: the same seed gives the same suppliers and
 * products, byte for byte. The mid-size catalog is ~60 suppliers, 200 tours, 2,000 hotels (40
 * per destination over 50 destinations, 3 room types x 2 rate plans x 4 seasons each), 50 ground
 * services and 25 insurance products. Seasons never overlap; every date lies after `startDate`.
 */
import { composeIBAN } from 'ibantools';
import type { Category, Product, Rate, Supplier, SupplierType } from '../domain/catalog/model';
import { addDays } from '../domain/catalog/dates';

export interface CatalogSize {
  hotels: number;
  tours: number;
  groundServices: number;
  insurance: number;
  /** Products per supplier of each kind (suppliers = ceil(products / this)). */
  hotelsPerSupplier: number;
  toursPerSupplier: number;
  groundPerSupplier: number;
  insurancePerSupplier: number;
  destinations: number;
}

export const MID_SIZE: CatalogSize = {
  hotels: 2000,
  tours: 200,
  groundServices: 50,
  insurance: 25,
  hotelsPerSupplier: 50,
  toursPerSupplier: 20,
  groundPerSupplier: 10,
  insurancePerSupplier: 5,
  destinations: 50,
};

export interface GeneratedCatalog {
  suppliers: Supplier[];
  products: Product[];
}

/** mulberry32: a tiny seeded PRNG (32-bit state), uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES: [string, string][] = [
  ['IT', 'ROME'], ['IT', 'FLORENCE'], ['IT', 'VENICE'], ['IT', 'MILAN'], ['IT', 'NAPLES'], ['FR', 'PARIS'], ['FR', 'NICE'], ['FR', 'LYON'],
  ['ES', 'MADRID'], ['ES', 'BARCELONA'], ['ES', 'SEVILLE'], ['ES', 'MALAGA'], ['PT', 'LISBON'], ['PT', 'PORTO'], ['GR', 'ATHENS'], ['GR', 'SANTORINI'],
  ['DE', 'BERLIN'], ['DE', 'MUNICH'], ['AT', 'VIENNA'], ['CH', 'ZURICH'], ['NL', 'AMSTERDAM'], ['BE', 'BRUSSELS'], ['GB', 'LONDON'], ['GB', 'EDINBURGH'],
  ['IE', 'DUBLIN'], ['CZ', 'PRAGUE'], ['HU', 'BUDAPEST'], ['PL', 'KRAKOW'], ['HR', 'DUBROVNIK'], ['TR', 'ISTANBUL'], ['EG', 'CAIRO'], ['MA', 'MARRAKECH'],
  ['KE', 'NAIROBI'], ['KE', 'MASAI-MARA'], ['ZA', 'CAPE-TOWN'], ['TZ', 'ZANZIBAR'], ['AE', 'DUBAI'], ['TH', 'BANGKOK'], ['TH', 'PHUKET'], ['JP', 'TOKYO'],
  ['JP', 'KYOTO'], ['SG', 'SINGAPORE'], ['ID', 'BALI'], ['AU', 'SYDNEY'], ['NZ', 'QUEENSTOWN'], ['US', 'NEW-YORK'], ['US', 'SAN-FRANCISCO'], ['MX', 'CANCUN'],
  ['PE', 'CUSCO'], ['AR', 'BUENOS-AIRES'],
];

const CURRENCIES = ['EUR', 'EUR', 'EUR', 'GBP', 'USD'];

/** An amount with 2 decimals from integer cents (no float arithmetic on money). */
const cents = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;

function supplier(code: string, type: SupplierType, index: number, currency: string): Supplier {
  const bankPaid = index % 3 !== 0;
  const bban = String(37040044 + index).padStart(8, '0') + String(532013000 + index).padStart(10, '0');
  return {
    code,
    name: `${type === 'HOTEL' ? 'Hotel group' : type === 'INSURER' ? 'Insurer' : 'Operator'} ${code}`,
    type,
    active: true,
    contacts: [{ name: `Reservations ${code}`, role: 'reservations', email: `res-${code.toLowerCase()}@example.com`, phone: `+39 06 ${1000 + index} 5678` }],
    ...(bankPaid ? { iban: composeIBAN({ countryCode: 'DE', bban })!, bic: 'DEUTDEFF' } : {}),
    paymentTerms: { depositPercent: index % 2 ? '25' : '30', balanceDueDaysBeforeTravel: 45, netDaysAfterInvoice: 30 },
    preferredPaymentMethod: bankPaid ? 'BANK_TRANSFER' : 'VIRTUAL_CARD',
    invoiceCurrency: currency,
    paymentCurrency: currency,
    cancellationPolicy: {
      windows: [
        { fromDaysBefore: 60, toDaysBefore: 31, basis: 'PERCENT', scope: 'PER_PERSON', amount: '25', nonRefundable: false },
        { fromDaysBefore: 30, toDaysBefore: 8, basis: 'PERCENT', scope: 'PER_PERSON', amount: '50', nonRefundable: false },
        { fromDaysBefore: 7, toDaysBefore: -1, basis: 'PERCENT', scope: 'PER_PERSON', amount: '100', nonRefundable: true },
      ],
    },
    amendmentPolicy: { windows: [{ fromDaysBefore: 30, toDaysBefore: 0, basis: 'FIXED', scope: 'PER_BOOKING', amount: '25.00', currency, nonRefundable: false }] },
  };
}

/** `count` consecutive seasons of about a quarter each from `start`, covering a year. */
function seasons(start: string, count: number): [string, string][] {
  const length = Math.floor(364 / count);
  return Array.from({ length: count }, (_, i) => [addDays(start, i * length), addDays(start, (i + 1) * length - 1)]);
}

/**
 * The catalog for `size`, deterministic in `seed`, dated from `startDate` (YYYY-MM-DD) for a year.
 * `prefix` is put in front of every supplier code (tests sharing a database use a unique one).
 */
export function generateCatalog(options: { seed: number; startDate: string; size?: CatalogSize; prefix?: string }): GeneratedCatalog {
  const size = options.size ?? MID_SIZE;
  const prefix = options.prefix ?? '';
  const rnd = mulberry32(options.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const destinations = CITIES.slice(0, Math.max(1, Math.min(size.destinations, CITIES.length)));
  const suppliers: Supplier[] = [];
  const products: Product[] = [];
  let supplierIndex = 0;
  const supplierFor = (kind: string, type: SupplierType, i: number, perSupplier: number): Supplier => {
    const code = `${prefix}${kind}${String(Math.floor(i / perSupplier) + 1).padStart(3, '0')}`;
    let s = suppliers.find((x) => x.code === code);
    if (!s) {
      s = supplier(code, type, supplierIndex, CURRENCIES[supplierIndex % CURRENCIES.length]!);
      supplierIndex++;
      suppliers.push(s);
    }
    return s;
  };
  const year = seasons(options.startDate, 4);
  const base = (s: Supplier, code: string, i: number) => {
    const [country, city] = destinations[i % destinations.length]!;
    return { supplierCode: s.code, code, destination: `${country}-${city}`, country, currency: s.invoiceCurrency, active: true };
  };

  for (let i = 0; i < size.hotels; i++) {
    const s = supplierFor('HTL', 'HOTEL', i, size.hotelsPerSupplier);
    const stars = int(2, 5);
    const categories: Category[] = [
      { code: 'STD', name: 'Standard double', maxOccupancy: 3, standardOccupancy: 2 },
      { code: 'SUP', name: 'Superior double', maxOccupancy: 3, standardOccupancy: 2 },
      { code: 'STE', name: 'Junior suite', maxOccupancy: 4, standardOccupancy: 2 },
    ];
    const rates: Rate[] = [];
    const baseCents = stars * 3000 + int(0, 4000);
    categories.forEach((c, ci) => {
      for (const [plan, board, uplift] of [['BAR', 'BB', 0], ['HALFBOARD', 'HB', 3500]] as const) {
        year.forEach(([from, to], si) => {
          const amount = baseCents + ci * 2500 + uplift + [0, 2000, 4500, 1000][si]!;
          rates.push({ category: c.code, ratePlan: plan, boardBasis: board, validFrom: from, validTo: to, weekdays: [1, 2, 3, 4, 5, 6, 7], basis: 'PER_ROOM_PER_NIGHT', amount: cents(amount), singleSupplement: cents(Math.floor(amount / 4)) });
        });
      }
    });
    products.push({
      ...base(s, `H${String(i + 1).padStart(5, '0')}`, i),
      type: 'HOTEL',
      name: `Hotel ${i + 1}`,
      starRating: stars,
      address: `${int(1, 200)} Main Street`,
      minPax: 1,
      maxPax: 8,
      categories,
      rates,
      childBands: [
        { minAge: 0, maxAge: 1, discountPercent: '100' },
        { minAge: 2, maxAge: 11, discountPercent: '50' },
      ],
      taxes: [{ code: 'CITY', name: 'City tax', kind: 'PER_PERSON_PER_NIGHT', amount: cents(int(100, 700)), appliesToChildren: false }],
    });
  }

  for (let i = 0; i < size.tours; i++) {
    const s = supplierFor('TOUR', 'GROUND_OPERATOR', i, size.toursPerSupplier);
    const nights = int(4, 10);
    const departures = Array.from({ length: 24 }, (_, k) => ({ date: addDays(options.startDate, 7 + k * 14 + (i % 7)), status: 'SCHEDULED' as const }));
    const [first, second] = seasons(options.startDate, 2) as [[string, string], [string, string]];
    const categories: Category[] = [
      { code: 'TWIN', name: 'Twin room', maxOccupancy: 2, standardOccupancy: 2 },
      { code: 'TRIPLE', name: 'Triple room', maxOccupancy: 3, standardOccupancy: 3 },
    ];
    const perPerson = int(80_000, 300_000);
    products.push({
      ...base(s, `T${String(i + 1).padStart(4, '0')}`, i),
      type: 'TOUR',
      name: `Discover tour ${i + 1}`,
      minPax: 1,
      maxPax: 40,
      categories,
      rates: categories.flatMap((c, ci) =>
        [first, [second[0], addDays(second[1], 30)] as [string, string]].map(([from, to], si): Rate => ({
          category: c.code,
          ratePlan: 'STANDARD',
          validFrom: from,
          validTo: to,
          weekdays: [1, 2, 3, 4, 5, 6, 7],
          basis: 'PER_PERSON',
          amount: cents(perPerson - ci * 5000 + si * 10_000),
          singleSupplement: cents(Math.floor(perPerson / 5)),
          extraNight: cents(int(6000, 15000)),
        })),
      ),
      childBands: [{ minAge: 2, maxAge: 11, discountPercent: '25' }],
      taxes: [{ code: 'PORT', name: 'Local taxes', kind: 'PER_PERSON', amount: cents(int(1000, 5000)), appliesToChildren: true }],
      itinerary: Array.from({ length: nights + 1 }, (_, d) => ({ day: d + 1, title: d === 0 ? 'Arrival' : d === nights ? 'Departure' : `Day of discovery ${d + 1}`, ...(d < nights && { overnight: 'Hotel' }) })),
      durationNights: nights,
      departures,
      guaranteedThreshold: 10,
    });
  }

  for (let i = 0; i < size.groundServices; i++) {
    const s = supplierFor('GRD', 'TRANSFER', i, size.groundPerSupplier);
    products.push({
      ...base(s, `G${String(i + 1).padStart(4, '0')}`, i),
      type: 'GROUND_SERVICE',
      kind: 'TRANSFER',
      durationHours: 1.5,
      name: `Airport transfer ${i + 1}`,
      minPax: 1,
      maxPax: 7,
      categories: [{ code: 'VAN', name: 'Private van', maxOccupancy: 7, standardOccupancy: 1 }],
      rates: year.map(([from, to]): Rate => ({ category: 'VAN', ratePlan: 'PRIVATE', validFrom: from, validTo: to, weekdays: [1, 2, 3, 4, 5, 6, 7], basis: 'PER_UNIT', amount: cents(int(4000, 12000)) })),
      childBands: [],
      taxes: [],
    });
  }

  for (let i = 0; i < size.insurance; i++) {
    const s = supplierFor('INS', 'INSURER', i, size.insurancePerSupplier);
    products.push({
      ...base(s, `I${String(i + 1).padStart(4, '0')}`, i),
      type: 'INSURANCE',
      cover: i % 2 ? 'Cancellation and medical' : 'Medical only',
      maxTripDays: 31,
      name: `Travel insurance ${i + 1}`,
      minPax: 1,
      maxPax: 9,
      categories: [{ code: 'STANDARD', name: 'Standard cover', maxOccupancy: 1, standardOccupancy: 1 }],
      rates: [{ category: 'STANDARD', ratePlan: 'TRIP', validFrom: options.startDate, validTo: addDays(options.startDate, 364), weekdays: [1, 2, 3, 4, 5, 6, 7], basis: 'PER_PERSON', amount: cents(int(2000, 9000)) }],
      childBands: [{ minAge: 0, maxAge: 17, discountPercent: '50' }],
      taxes: [{ code: 'IPT', name: 'Insurance premium tax', kind: 'PERCENT', amount: '12', appliesToChildren: true }],
    });
  }
  return { suppliers, products };
}
