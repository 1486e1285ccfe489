import { PrismaCatalog } from '../activities/catalog.prisma';
import { PrismaInventory } from '../activities/inventory.prisma';
import { generateCatalog, type CatalogSize } from '../sandbox/catalog-generator';
import { addDays } from '../domain/catalog/dates';
import type { AllotmentContract, MarkupRule } from '../domain/catalog/model';
import type { Database } from './database';
import type { Logger } from './logger';

/** The embedded demo: a few destinations' worth of the generated catalog. */
const DEMO_SIZE: CatalogSize = {
  hotels: 24,
  tours: 6,
  groundServices: 4,
  insurance: 2,
  hotelsPerSupplier: 12,
  toursPerSupplier: 6,
  groundPerSupplier: 4,
  insurancePerSupplier: 2,
  destinations: 3,
};

const DEMO_MARKUPS: MarkupRule[] = [
  { productType: null, channel: null, percent: '20' },
  { productType: 'HOTEL', channel: 'online', percent: '12' },
  { productType: 'TOUR', channel: null, percent: '25' },
  { productType: null, channel: 'agent', percent: '15' },
];

/** Days of hotel allotment the demo contracts cover, from today. */
const DEMO_CONTRACT_DAYS = 120;

/**
 * Seeds a small demo catalog on an empty embedded database (`npm start`): suppliers, hotels,
 * tours, ground services and insurance from the deterministic generator, and allotment contracts
 * (markup rules, and 8 rooms of each hotel room type for the next 120 days, released 21 days before arrival; 12
 * cabins on each tour departure), so availability search answers out of the box. A database that
 * already has suppliers is left alone.
 */
export async function seedDemoCatalog(db: Database, today: string, logger: Logger): Promise<void> {
  const existing = await db.prisma.supplier.count();
  if (existing > 0) return;
  const { suppliers, products } = generateCatalog({ seed: 4, startDate: today, size: DEMO_SIZE, prefix: 'DEMO-' });
  const catalog = new PrismaCatalog(db.prisma);
  await catalog.upsertSuppliers(suppliers);
  await catalog.upsertProducts(products);
  // Demo margins: 20 % by default, less where competition is fiercest online, more on tours.
  await catalog.setMarkupRules(DEMO_MARKUPS);
  const inventory = new PrismaInventory(db.prisma);
  let contracts = 0;
  for (const p of products) {
    for (const c of p.categories) {
      let span: { from: string; to: string; quantity: number } | null = null;
      if (p.type === 'HOTEL') span = { from: addDays(today, 1), to: addDays(today, DEMO_CONTRACT_DAYS), quantity: 8 };
      if (p.type === 'TOUR') {
        const live = p.departures.filter((d) => d.status !== 'CANCELLED').map((d) => d.date).sort();
        if (live.length) span = { from: live[0]!, to: live[live.length - 1]!, quantity: 12 };
      }
      if (!span) continue;
      const rate = p.rates.find((r) => r.category === c.code);
      if (!rate) continue;
      const contract: AllotmentContract = {
        code: `${p.code}-${c.code}`.slice(0, 48),
        supplierCode: p.supplierCode,
        productCode: p.code,
        category: c.code,
        validFrom: span.from,
        validTo: span.to,
        quantity: span.quantity,
        contractedPrice: rate.amount,
        currency: p.currency,
        basis: rate.basis,
        release: { kind: 'DAYS_BEFORE', days: 21 },
        minGroupSize: 1,
        maxGroupSize: p.maxPax,
      };
      await inventory.createContract(contract);
      contracts++;
    }
  }
  logger.info({ suppliers: suppliers.length, products: products.length, contracts }, 'demo catalog seeded (embedded default)');
}
