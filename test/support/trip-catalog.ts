import { PrismaCatalog } from '../../activities/catalog.prisma';
import { PrismaInventory } from '../../activities/inventory.prisma';
import type { ComponentRequest } from '../../domain/booking/model';
import { addDays } from '../../domain/catalog/dates';
import type { GroundServiceProduct, HotelProduct, InsuranceProduct, Policy, Product, Supplier } from '../../domain/catalog/model';
import type { Database } from '../../infra/database';
import { generateCatalog } from '../../sandbox/catalog-generator';

/** The three products a test trip books: a hotel under allotment, a transfer and insurance. */
export interface TripCatalog {
  hotel: HotelProduct;
  transfer: GroundServiceProduct;
  insurance: InsuranceProduct;
}

/** The first rate plan of a product's first category (what test trips book). */
export function firstRatePlan(p: Product): { category: string; ratePlan: string } {
  const category = p.categories[0]!.code;
  return { category, ratePlan: p.rates.find((r) => r.category === category)!.ratePlan };
}

/**
 * Seeds a small generated catalog for booking tests and benches: everything in GBP (no FX dates
 * to chase), one season per rate plan valid for `days` days from `today`, and an allotment of
 * `rooms` a night on the hotel's first room type for the same span. `policies` replaces every
 * supplier's cancellation and amendment policy (tests that assert penalties).
 */
export async function seedTripCatalog(
  db: Database,
  opts: { today: string; seed: number; prefix: string; hotels: number; rooms: number; days: number; policies?: { cancellation: Policy; amendment: Policy } },
): Promise<TripCatalog> {
  const { today } = opts;
  const generated = generateCatalog({
    seed: opts.seed,
    startDate: today,
    prefix: opts.prefix,
    size: { hotels: opts.hotels, tours: 0, groundServices: 4, insurance: 1, hotelsPerSupplier: opts.hotels, toursPerSupplier: 1, groundPerSupplier: 4, insurancePerSupplier: 1, destinations: 1 },
  });
  const suppliers: Supplier[] = generated.suppliers.map((s) => ({
    ...s,
    active: true,
    ...(opts.policies ? { cancellationPolicy: opts.policies.cancellation, amendmentPolicy: opts.policies.amendment } : {}),
  }));
  const oneSeason = (rates: Product['rates']) =>
    rates
      .filter((r, i) => rates.findIndex((x) => x.category === r.category && x.ratePlan === r.ratePlan) === i)
      .map((r) => ({ ...r, validFrom: today, validTo: addDays(today, opts.days) }));
  const products: Product[] = generated.products.map((p) => ({ ...p, active: true, currency: 'GBP', rates: oneSeason(p.rates) }));
  const catalog = new PrismaCatalog(db.prisma);
  await catalog.upsertSuppliers(suppliers);
  await catalog.upsertProducts(products);

  const hotel = products.find((p): p is HotelProduct => p.type === 'HOTEL')!;
  const transfer =
    products.find((p): p is GroundServiceProduct => p.type === 'GROUND_SERVICE' && p.kind === 'TRANSFER') ??
    products.find((p): p is GroundServiceProduct => p.type === 'GROUND_SERVICE')!;
  const insurance = products.find((p): p is InsuranceProduct => p.type === 'INSURANCE')!;
  const category = hotel.categories[0]!;
  const rate = hotel.rates.find((r) => r.category === category.code)!;
  await new PrismaInventory(db.prisma, (sql, params) => db.query(sql, params)).createContract({
    code: `${hotel.code}-${category.code}`.slice(0, 48),
    supplierCode: hotel.supplierCode,
    productCode: hotel.code,
    category: category.code,
    validFrom: addDays(today, 1),
    validTo: addDays(today, opts.days - 1),
    quantity: opts.rooms,
    contractedPrice: rate.amount,
    currency: hotel.currency,
    basis: rate.basis,
    release: { kind: 'DAYS_BEFORE', days: 0 },
    minGroupSize: 1,
    maxGroupSize: 40,
  });
  return { hotel, transfer, insurance };
}

/** Hotel (`nights`), transfer on arrival and insurance for two adults, departing `departureDate`. */
export function tripComponents(trip: TripCatalog, departureDate: string, nights: number): ComponentRequest[] {
  const units = [{ adults: 2, childAges: [] }];
  return [
    { id: 'hotel', kind: 'HOTEL', supplierCode: trip.hotel.supplierCode, productCode: trip.hotel.code, ...firstRatePlan(trip.hotel), startDate: departureDate, nights, units },
    { id: 'transfer', kind: 'TRANSFER', supplierCode: trip.transfer.supplierCode, productCode: trip.transfer.code, ...firstRatePlan(trip.transfer), startDate: departureDate, nights: 0, units },
    // Insurance is sold one unit per person.
    {
      id: 'insurance',
      kind: 'INSURANCE',
      supplierCode: trip.insurance.supplierCode,
      productCode: trip.insurance.code,
      ...firstRatePlan(trip.insurance),
      startDate: departureDate,
      nights,
      units: [{ adults: 1, childAges: [] }, { adults: 1, childAges: [] }],
    },
  ];
}
