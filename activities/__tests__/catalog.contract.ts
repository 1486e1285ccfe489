import { randomBytes } from 'node:crypto';
import { generateCatalog, type CatalogSize } from '../../sandbox/catalog-generator';
import type { HotelProduct, Product, Supplier, TourProduct } from '../../domain/catalog/model';
import { CatalogValidationError } from '../../domain/catalog/problems';
import type { Database } from '../../infra/database';
import { CatalogError, PrismaCatalog, type StoredProduct } from '../catalog.prisma';

const TINY: CatalogSize = { hotels: 3, tours: 1, groundServices: 1, insurance: 1, hotelsPerSupplier: 3, toursPerSupplier: 1, groundPerSupplier: 1, insurancePerSupplier: 1, destinations: 2 };

/** The store's order: categories and taxes by code, rates by category, plan, start, weekdays; bands by age. */
function ordered(p: Product): Product {
  const byCode = <T extends { code: string }>(list: T[]) => [...list].sort((a, b) => a.code.localeCompare(b.code));
  const out = {
    ...p,
    categories: byCode(p.categories),
    taxes: byCode(p.taxes),
    childBands: [...p.childBands].sort((a, b) => a.minAge - b.minAge),
    rates: [...p.rates].sort((a, b) => (a.category + a.ratePlan + a.validFrom).localeCompare(b.category + b.ratePlan + b.validFrom)),
  };
  return out as Product;
}

const modelOf = (stored: StoredProduct | null): Product | null => {
  if (!stored) return null;
  const { id: _id, version: _v, createdAt: _c, updatedAt: _u, ...product } = stored;
  return product as Product;
};

/**
 * The catalog store, asked of every database Itinera runs on. The PostgreSQL database is shared
 * by test files: every supplier code and destination carries this run's namespace.
 */
export function catalogContract(open: () => Promise<Database>): void {
  let db: Database;
  let catalog: PrismaCatalog;
  let ns: string;
  let suppliers: Supplier[];
  let products: Product[];

  beforeAll(async () => {
    db = await open();
    catalog = new PrismaCatalog(db.prisma);
    ns = randomBytes(3).toString('hex').toUpperCase();
    const destination = `ZZ-${ns}`;
    ({ suppliers, products } = generateCatalog({ seed: 7, startDate: '2027-01-04', size: TINY, prefix: `C${ns}` }));
    products = products.map((p, i) => ({ ...p, destination: i % 2 ? `${destination}-B` : destination }));
  });
  afterAll(() => db?.close());

  const rowsOf = async (table: string, productId: string) =>
    Number((await db.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${table} WHERE product_id = $1::uuid`, productId))[0]!.n);

  it('creates a supplier, reports the same one unchanged, and bumps the version only on a change with the policy windows replaced', async () => {
    const s = suppliers[0]!;
    const first = await catalog.upsertSupplier(s);
    expect(first.outcome).toBe('created');
    const { version, createdAt: _c, updatedAt: _u, commissionSchedules, ...model } = first.supplier;
    expect(model).toEqual(s);
    expect(version).toBe(1);
    expect(commissionSchedules).toEqual([]);

    const again = await catalog.upsertSupplier({ ...s, paymentTerms: { ...s.paymentTerms, depositPercent: `${s.paymentTerms.depositPercent}.00` } });
    expect(again.outcome).toBe('unchanged');
    expect(again.supplier.version).toBe(1);

    const changed = await catalog.upsertSupplier({ ...s, name: 'Renamed', cancellationPolicy: { windows: [{ fromDaysBefore: 14, toDaysBefore: 0, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '100', nonRefundable: true }] } });
    expect(changed.outcome).toBe('updated');
    expect(changed.supplier).toMatchObject({ name: 'Renamed', version: 2, cancellationPolicy: { windows: [{ fromDaysBefore: 14, toDaysBefore: 0, amount: '100' }] } });
    expect(changed.supplier.amendmentPolicy).toEqual(s.amendmentPolicy);
    await catalog.upsertSupplier(s);
    for (const other of suppliers.slice(1)) await catalog.upsertSupplier(other);
  });

  it('refuses an invalid supplier with every problem and writes nothing', async () => {
    const bad = { ...suppliers[0]!, code: `C${ns}BAD`, iban: 'DE00 0000', invoiceCurrency: 'XYZ' };
    const error = await catalog.upsertSupplier(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatalogValidationError);
    expect((error as CatalogValidationError).problems.map((p) => p.path).sort()).toEqual(['iban', 'invoiceCurrency']);
    expect(await catalog.getSupplier(`C${ns}BAD`)).toBeNull();
  });

  it('stores a product of each type and reads back exactly what was stored', async () => {
    for (const p of products) {
      const { outcome, product } = await catalog.upsertProduct(p);
      expect(outcome).toBe('created');
      expect(modelOf(product)).toEqual(ordered(p));
      expect(product.version).toBe(1);
    }
    const tour = products.find((p): p is TourProduct => p.type === 'TOUR')!;
    const stored = await catalog.getProduct(tour.supplierCode, tour.code);
    expect(stored?.type === 'TOUR' && stored.departures.length).toBe(tour.departures.length);
    expect(await catalog.getProduct(tour.supplierCode, 'NO-SUCH')).toBeNull();
  });

  it('reports an equal product unchanged and replaces the child rows of a changed one in place', async () => {
    const hotel = products.find((p): p is HotelProduct => p.type === 'HOTEL')!;
    const reordered = { ...hotel, rates: [...hotel.rates].reverse(), taxes: hotel.taxes.map((t) => ({ ...t, amount: `${t.amount}0` })) };
    const same = await catalog.upsertProduct(reordered);
    expect(same.outcome).toBe('unchanged');
    expect(same.product.version).toBe(1);

    const fewer: HotelProduct = {
      ...hotel,
      categories: hotel.categories.filter((c) => c.code === 'STD'),
      rates: hotel.rates.filter((r) => r.category === 'STD' && r.ratePlan === 'BAR'),
      taxes: [],
      childBands: [{ minAge: 0, maxAge: 5, discountPercent: '100' }],
    };
    const updated = await catalog.upsertProduct(fewer);
    expect(updated.outcome).toBe('updated');
    expect(updated.product.id).toBe(same.product.id);
    expect(updated.product.version).toBe(2);
    expect(modelOf(updated.product)).toEqual(ordered(fewer));
    expect(await rowsOf('product_rates', updated.product.id)).toBe(4);
    expect(await rowsOf('product_categories', updated.product.id)).toBe(1);
    expect(await rowsOf('product_taxes', updated.product.id)).toBe(0);

    const inactive = await catalog.upsertProduct({ ...fewer, active: false });
    expect(inactive).toMatchObject({ outcome: 'updated', product: { active: false, version: 3 } });
    expect((await catalog.setProductActive(hotel.supplierCode, hotel.code, true)).version).toBe(4);
    await catalog.upsertProduct(hotel);
  });

  it('refuses products of an unknown or inactive supplier, writing nothing', async () => {
    const p = products[0]!;
    await expect(catalog.upsertProduct({ ...p, supplierCode: `C${ns}NOBODY` })).rejects.toMatchObject({ kind: 'unknown-supplier' });
    const supplier = suppliers.find((s) => s.code === p.supplierCode)!;
    expect((await catalog.setSupplierActive(supplier.code, false)).active).toBe(false);
    const refused = await catalog.upsertProduct({ ...p, name: 'Changed while inactive' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CatalogError);
    expect(refused).toMatchObject({ kind: 'inactive-supplier' });
    expect((await catalog.getProduct(p.supplierCode, p.code))?.name).toBe(p.name);
    await catalog.setSupplierActive(supplier.code, true);
    await expect(catalog.setSupplierActive(`C${ns}NOBODY`, true)).rejects.toMatchObject({ kind: 'unknown-supplier' });
  });

  it('pages suppliers and products by code and filters them', async () => {
    const codes: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await catalog.listSuppliers({ q: `c${ns}`, limit: 2, ...(cursor && { cursor }) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      codes.push(...page.items.map((s) => s.code));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(codes).toEqual(suppliers.map((s) => s.code).sort());
    expect((await catalog.listSuppliers({ q: `c${ns}`, type: 'INSURER', limit: 10 })).items.map((s) => s.code)).toEqual(suppliers.filter((s) => s.type === 'INSURER').map((s) => s.code));

    const hotels = products.filter((p) => p.type === 'HOTEL');
    const first = await catalog.listProducts({ supplierCode: hotels[0]!.supplierCode, limit: 2 });
    expect(first.items.map((p) => p.code)).toEqual(hotels.slice(0, 2).map((p) => p.code));
    const second = await catalog.listProducts({ supplierCode: hotels[0]!.supplierCode, limit: 2, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ code: hotels[2]!.code }], nextCursor: null });
    await expect(catalog.listProducts({ limit: 2, cursor: 'garbage' })).rejects.toThrow(/cursor/);
  });

  it('finds the full products of a destination in one call, and products by id', async () => {
    const destination = `ZZ-${ns}`;
    const found = await catalog.productsForSearch({ destination, types: ['HOTEL', 'TOUR'], activeOnly: true });
    const expected = products.filter((p) => p.destination === destination && (p.type === 'HOTEL' || p.type === 'TOUR'));
    expect(found.map(modelOf)).toEqual(expected.map(ordered));
    const byIds = await catalog.getProductsByIds([found[1]!.id, found[0]!.id]);
    expect(byIds.map((p) => p.code)).toEqual([found[1]!.code, found[0]!.code]);
    // The same reads on the driver give exactly what Prisma gives: products, child rows, suppliers and their policies.
    const onDriver = new PrismaCatalog(db.prisma, db);
    expect(await onDriver.productsForSearch({ destination, types: ['HOTEL', 'TOUR'], activeOnly: true })).toEqual(found);
    expect(await onDriver.getProductsByIds([found[1]!.id, found[0]!.id])).toEqual(byIds);
    expect(await onDriver.getProduct(found[0]!.supplierCode, found[0]!.code)).toEqual(await catalog.getProduct(found[0]!.supplierCode, found[0]!.code));
    expect(await onDriver.getSupplier(found[0]!.supplierCode)).toEqual(await catalog.getSupplier(found[0]!.supplierCode));
    expect(await onDriver.getProduct(found[0]!.supplierCode, 'NO-SUCH-PRODUCT')).toBeNull();
    // A booking's products by code in one read: each as getProduct gives it; unknown codes absent.
    const byCodes = await onDriver.getProductsByCodes([
      { supplierCode: found[1]!.supplierCode, productCode: found[1]!.code },
      { supplierCode: found[0]!.supplierCode, productCode: 'NO-SUCH-PRODUCT' },
      { supplierCode: found[0]!.supplierCode, productCode: found[0]!.code },
    ]);
    expect([...byCodes.keys()].sort()).toEqual([`${found[0]!.supplierCode}/${found[0]!.code}`, `${found[1]!.supplierCode}/${found[1]!.code}`].sort());
    expect(byCodes.get(`${found[0]!.supplierCode}/${found[0]!.code}`)).toEqual(await catalog.getProduct(found[0]!.supplierCode, found[0]!.code));
    expect(await onDriver.getProductsByCodes([])).toEqual(new Map());
    await catalog.setProductActive(found[0]!.supplierCode, found[0]!.code, false);
    expect((await catalog.productsForSearch({ destination, activeOnly: true })).map((p) => p.code)).not.toContain(found[0]!.code);
    expect((await catalog.productsForSearch({ destination, activeOnly: false })).map((p) => p.code)).toContain(found[0]!.code);
  });

  /** The one fulfilled result and the one rejection of two concurrent calls. */
  async function race<T>(a: Promise<T>, b: Promise<T>): Promise<{ won: T; lost: unknown }> {
    const settled = await Promise.allSettled([a, b]);
    const won = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const lost = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect({ won: won.length, lost: lost.length }).toEqual({ won: 1, lost: 1 });
    return { won: won[0]!, lost: lost[0] };
  }

  it('lets exactly one of two concurrent creates or version-checked updates of a supplier win', async () => {
    const s: Supplier = { ...suppliers[0]!, code: `C${ns}RACE` };
    const created = await race(catalog.upsertSupplier(s, { expect: 'absent' }), catalog.upsertSupplier({ ...s, name: 'Second creator' }, { expect: 'absent' }));
    expect(created.won).toMatchObject({ outcome: 'created', supplier: { version: 1 } });
    expect(created.lost).toBeInstanceOf(CatalogError);
    expect(created.lost).toMatchObject({ kind: 'exists' });
    expect((await catalog.getSupplier(s.code))?.name).toBe(created.won.supplier.name);
    await expect(catalog.upsertSupplier(s, { expect: 'absent' })).rejects.toMatchObject({ kind: 'exists' });

    const updated = await race(
      catalog.upsertSupplier({ ...s, name: 'Writer A' }, { expect: { version: 1 } }),
      catalog.upsertSupplier({ ...s, name: 'Writer B' }, { expect: { version: 1 } }),
    );
    expect(updated.won).toMatchObject({ outcome: 'updated', supplier: { version: 2 } });
    expect(updated.lost).toMatchObject({ kind: 'version-mismatch', currentVersion: 2 });
    expect(await catalog.getSupplier(s.code)).toMatchObject({ name: updated.won.supplier.name, version: 2 });

    await expect(catalog.setSupplierActive(s.code, false, { expect: { version: 1 } })).rejects.toMatchObject({ kind: 'version-mismatch', currentVersion: 2 });
    expect((await catalog.setSupplierActive(s.code, false, { expect: { version: [1, 2] } })).version).toBe(3);
    await expect(catalog.upsertSupplier({ ...s, code: `C${ns}NONE` }, { expect: 'present' })).rejects.toMatchObject({ kind: 'unknown-supplier' });
    await expect(catalog.setSupplierActive(`C${ns}NONE`, true, { expect: { version: 1 } })).rejects.toMatchObject({ kind: 'unknown-supplier' });
    expect(await catalog.getSupplier(`C${ns}NONE`)).toBeNull();
  });

  it('lets exactly one of two concurrent creates or version-checked updates of a product win', async () => {
    const hotel = products.find((p): p is HotelProduct => p.type === 'HOTEL')!;
    const p: HotelProduct = { ...hotel, code: `${hotel.code}-R`, active: true };
    const created = await race(catalog.upsertProduct(p, { expect: 'absent' }), catalog.upsertProduct({ ...p, name: 'Second creator' }, { expect: 'absent' }));
    expect(created.won).toMatchObject({ outcome: 'created', product: { version: 1 } });
    expect(created.lost).toMatchObject({ kind: 'exists' });
    const stored = await catalog.getProduct(p.supplierCode, p.code);
    expect(stored).toMatchObject({ name: created.won.product.name, version: 1 });
    expect(await rowsOf('product_rates', stored!.id)).toBe(p.rates.length);

    const updated = await race(
      catalog.upsertProduct({ ...p, name: 'Writer A' }, { expect: { version: 1 } }),
      catalog.upsertProduct({ ...p, name: 'Writer B' }, { expect: { version: 1 } }),
    );
    expect(updated.won).toMatchObject({ outcome: 'updated', product: { version: 2 } });
    expect(updated.lost).toMatchObject({ kind: 'version-mismatch', currentVersion: 2 });
    expect(await catalog.getProduct(p.supplierCode, p.code)).toMatchObject({ name: updated.won.product.name, version: 2 });

    await expect(catalog.setProductActive(p.supplierCode, p.code, false, { expect: { version: 1 } })).rejects.toMatchObject({ kind: 'version-mismatch', currentVersion: 2 });
    expect((await catalog.setProductActive(p.supplierCode, p.code, false, { expect: { version: 2 } })).version).toBe(3);
    await expect(catalog.upsertProduct({ ...p, code: `${hotel.code}-NONE` }, { expect: { version: 1 } })).rejects.toMatchObject({ kind: 'unknown-product' });
    await expect(catalog.upsertProduct({ ...p, supplierCode: `C${ns}NOBODY` }, { expect: 'absent' })).rejects.toMatchObject({ kind: 'unknown-supplier' });
    expect(await catalog.getProduct(p.supplierCode, `${hotel.code}-NONE`)).toBeNull();
  });

  it('keeps markup rules by product type and channel', async () => {
    // Markup rules are global (no namespace): one rare rule is set and the previous state restored.
    const key = { productType: 'INSURANCE', channel: 'corporate' } as const;
    const before = (await catalog.listMarkupRules()).find((r) => r.productType === key.productType && r.channel === key.channel);
    const percent = `1${randomBytes(1)[0]! % 90}.5`;
    try {
      expect((await catalog.setMarkupRule({ ...key, percent })).rule).toEqual({ ...key, percent });
      expect((await catalog.setMarkupRule({ ...key, percent: `${percent}0` })).outcome).toBe('unchanged');
      expect(await catalog.listMarkupRules()).toContainEqual({ ...key, percent });
    } finally {
      if (before) await catalog.setMarkupRule(before);
      else await db.prisma.markupRule.delete({ where: { productType_channel: { productType: key.productType, channel: key.channel } } });
    }
  });
}
