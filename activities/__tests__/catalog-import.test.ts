import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateCatalog, type CatalogSize } from '../../sandbox/catalog-generator';
import { productsToCsv } from '../../domain/catalog/import-rows';
import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { importCatalog, problemLine, type ImportOptions } from '../catalog-import';
import { PrismaCatalog } from '../catalog.prisma';

const fixture = (name: string) => readFileSync(path.join(__dirname, '__fixtures__', 'catalog', name), 'utf8');
const APPLY: ImportOptions = { dryRun: false, skipBad: false };

/** products.csv with three bad lines: 3 (amount), 6 (season ends before it starts), 9 (weekday 8). */
function badProducts(): string {
  const lines = fixture('products.csv').split('\n');
  lines[2] = lines[2]!.replace(',150.00,', ',lots,');
  lines[5] = lines[5]!.replace('2027-01-01,2027-12-31', '2027-12-31,2027-01-01');
  lines[8] = lines[8]!.replace(',all,PER_UNIT', ',1-8,PER_UNIT');
  return lines.join('\n');
}

describe('catalog import (PGlite)', () => {
  let db: Database;
  let catalog: PrismaCatalog;
  const count = async (table: string) => Number((await db.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
  const runs = () => db.prisma.catalogImportRun.findMany({ orderBy: { startedAt: 'asc' } });

  beforeAll(async () => {
    db = await openTestPglite();
    catalog = new PrismaCatalog(db.prisma);
  });
  afterAll(() => db?.close());

  it('imports suppliers from CSV, then a dry run of the products reports what would happen and writes nothing', async () => {
    const suppliers = await importCatalog(catalog, { kind: 'suppliers', format: 'csv', text: fixture('suppliers.csv'), source: 'suppliers.csv' }, APPLY);
    expect(suppliers).toMatchObject({ total: 3, created: 3, updated: 0, unchanged: 0, skipped: 0, problems: [], applied: true });
    expect(await catalog.getSupplier('ROMAHOTELS')).toMatchObject({
      iban: 'DE89370400440532013000',
      contacts: [{ name: 'Giulia Bianchi', role: 'reservations', email: 'res@romahotels.example', phone: '+39 06 1234 5678' }],
      cancellationPolicy: { windows: [{ fromDaysBefore: 60 }, { fromDaysBefore: 30 }, { fromDaysBefore: 7, toDaysBefore: -1, nonRefundable: true }] },
      amendmentPolicy: { windows: [{ basis: 'FIXED', amount: '25.00', currency: 'EUR' }] },
    });
    expect((await catalog.getSupplier('SOLEMAR'))?.active).toBe(false);

    const progress: [number, number, string][] = [];
    const dry = await importCatalog(catalog, { kind: 'products', format: 'csv', text: fixture('products.csv'), source: 'products.csv' }, { dryRun: true, skipBad: false, onProgress: (d, t, phase) => progress.push([d, t, phase]) });
    expect(dry).toMatchObject({ dryRun: true, applied: false, total: 6, created: 5, updated: 0, unchanged: 0, skipped: 1, problems: [], inactiveSuppliersSkipped: ['SOLEMAR'] });
    expect(dry.skippedRecords).toEqual([{ row: 11, key: 'SOLEMAR/AMALFI', reason: 'inactive-supplier' }]);
    expect(progress).toContainEqual([5, 5, 'write']);
    expect(await count('products')).toBe(0);
    expect((await runs()).map((r) => [r.kind, r.dryRun, r.created])).toEqual([['suppliers', false, 3], ['products', true, 5]]);
  });

  it('refuses a file with three bad rows, naming row and column of each, and writes nothing', async () => {
    const report = await importCatalog(catalog, { kind: 'products', format: 'csv', text: badProducts(), source: 'bad.csv' }, APPLY);
    expect(report.applied).toBe(false);
    expect(report.problems.map((p) => [p.row, p.field])).toEqual([[3, 'amount'], [6, 'valid_to'], [9, 'weekdays']]);
    expect(problemLine(report.problems[1]!)).toBe('row 6, field valid_to: must not be before validFrom 2027-12-31 (got 2027-01-01)');
    expect(report).toMatchObject({ created: 0, updated: 0, unchanged: 0 });
    expect(await count('products')).toBe(0);
    expect(await count('product_rates')).toBe(0);
  });

  it('with skipBad applies the good products and reports every skipped one', async () => {
    const report = await importCatalog(catalog, { kind: 'products', format: 'csv', text: badProducts(), source: 'bad.csv' }, { dryRun: false, skipBad: true });
    expect(report).toMatchObject({ applied: true, total: 6, created: 2, skipped: 4, inactiveSuppliersSkipped: ['SOLEMAR'] });
    expect(report.problems).toHaveLength(3);
    expect(report.skippedRecords.map((r) => [r.row, r.key, r.reason])).toEqual([
      [2, 'ROMAHOTELS/COLOSSEO', 'invalid'],
      [6, 'ROMAHOTELS/TREVI', 'invalid'],
      [9, 'SAFARICO/NBO-TRANSFER', 'invalid'],
      [11, 'SOLEMAR/AMALFI', 'inactive-supplier'],
    ]);
    expect((await db.prisma.product.findMany({ orderBy: { code: 'asc' } })).map((p) => p.code)).toEqual(['MARA-5', 'SAFE-TRIP']);
  });

  it('imports the whole file, then re-imports it as unchanged without writing', async () => {
    const first = await importCatalog(catalog, { kind: 'products', format: 'csv', text: fixture('products.csv'), source: 'products.csv' }, APPLY);
    expect(first).toMatchObject({ applied: true, created: 3, updated: 0, unchanged: 2, skipped: 1, problems: [] });
    const colosseo = await catalog.getProduct('ROMAHOTELS', 'COLOSSEO');
    expect(colosseo).toMatchObject({
      type: 'HOTEL',
      starRating: 4,
      address: 'Via Labicana 12',
      categories: [{ code: 'DBL', name: 'Double room', maxOccupancy: 3, standardOccupancy: 2 }, { code: 'SGL', name: 'Single room', maxOccupancy: 1, standardOccupancy: 1 }],
      childBands: [{ minAge: 0, maxAge: 1, discountPercent: '100' }, { minAge: 2, maxAge: 11, discountPercent: '50' }],
      taxes: [{ code: 'CITY', name: 'City tax', kind: 'PER_PERSON_PER_NIGHT', amount: '6.00', appliesToChildren: false }],
    });
    expect(colosseo?.rates.map((r) => [r.category, r.validFrom, r.weekdays.join(''), r.amount, r.sellAmount ?? null])).toEqual([
      ['DBL', '2027-01-01', '1234567', '120.00', null],
      ['DBL', '2027-04-01', '12345', '150.00', null],
      ['DBL', '2027-04-01', '67', '175.00', null],
      ['SGL', '2027-01-01', '1234567', '95.50', '110.00'],
    ]);
    expect(await catalog.getProduct('SAFARICO', 'MARA-5')).toMatchObject({ departures: [{ date: '2027-06-07', status: 'SCHEDULED' }, { date: '2027-06-21', status: 'GUARANTEED' }], itinerary: { length: 5 } });

    const versions = async () => (await db.prisma.product.findMany({ orderBy: { code: 'asc' } })).map((p) => `${p.code}:${p.version}:${p.updatedAt.getTime()}`);
    const before = await versions();
    const again = await importCatalog(catalog, { kind: 'products', format: 'csv', text: fixture('products.csv'), source: 'products.csv' }, APPLY);
    expect(again).toMatchObject({ applied: true, created: 0, updated: 0, unchanged: 5, skipped: 1 });
    expect(await versions()).toEqual(before);
  });

  it('imports JSON the same way: the same products unchanged, a changed one updated, JSON paths in problems', async () => {
    const stored = (await catalog.listProducts({ limit: 50 })).items.map(({ id: _i, version: _v, createdAt: _c, updatedAt: _u, ...p }) => p);
    const changed = stored.map((p) => (p.code === 'TREVI' ? { ...p, name: 'Hotel Trevi Deluxe' } : p));
    const report = await importCatalog(catalog, { kind: 'products', format: 'json', text: JSON.stringify({ products: changed }), source: 'products.json' }, APPLY);
    expect(report).toMatchObject({ total: 5, created: 0, updated: 1, unchanged: 4, problems: [] });
    expect((await catalog.getProduct('ROMAHOTELS', 'TREVI'))?.version).toBe(2);

    const bad = [changed[0], { ...changed[1], minPax: 'two', rates: [{ ...changed[1]!.rates[0], amount: 12 }] }];
    const refused = await importCatalog(catalog, { kind: 'products', format: 'json', text: JSON.stringify(bad), source: 'bad.json' }, APPLY);
    expect(refused.applied).toBe(false);
    expect(refused.problems.map((p) => [p.row, p.field])).toEqual([[2, 'minPax'], [2, 'rates[0].amount']]);
    const broken = await importCatalog(catalog, { kind: 'products', format: 'json', text: '[{', source: 'broken.json' }, APPLY);
    expect(broken.problems).toEqual([{ row: 0, field: '', problem: expect.stringMatching(/^is not valid JSON/) }]);
  });

  it('reports unknown columns and suppliers, and reads markup rules', async () => {
    const unknown = await importCatalog(catalog, { kind: 'products', format: 'csv', text: fixture('products.csv').replace('sell_amount', 'sell_amt').replace(/^ROMAHOTELS,TREVI/m, 'NOBODY,TREVI'), source: 'x.csv' }, { dryRun: false, skipBad: true });
    expect(unknown.applied).toBe(false);
    expect(unknown.problems.map((p) => [p.row, p.field, p.problem.slice(0, 30)])).toEqual([
      [1, 'sell_amt', 'is not a column of a products '],
      [6, 'supplier_code', 'there is no supplier NOBODY'],
    ]);
    const badIban = fixture('suppliers.csv').replace('DE89 3704 0044 0532 0130 00', 'DE89 3704 0044 0532 0130 01').replace(',20,30,30,', ',20,thirty,30,');
    const suppliers = await importCatalog(catalog, { kind: 'suppliers', format: 'csv', text: badIban, source: 's.csv' }, { dryRun: true, skipBad: false });
    // Line 2 of the file is a comment: ROMAHOTELS is on line 3.
    expect(suppliers.problems.map((p) => [p.row, p.field])).toEqual([[3, 'iban'], [5, 'balance_due_days']]);
    expect(suppliers).toMatchObject({ applied: false, unchanged: 1 });
    const rules = await importCatalog(catalog, { kind: 'markup-rules', format: 'csv', text: 'product_type,channel,percent\nHOTEL,*,18\n*,online,12.5\nTOUR,agent,1000\n', source: 'm.csv' }, { dryRun: false, skipBad: true });
    expect(rules).toMatchObject({ created: 2, skipped: 1, problems: [{ row: 4, field: 'percent' }] });
    expect(await catalog.listMarkupRules()).toEqual([{ productType: null, channel: 'online', percent: '12.5' }, { productType: 'HOTEL', channel: null, percent: '18' }]);
  });

  it('round-trips a generated catalog through CSV and imports it in batches', async () => {
    const size: CatalogSize = { hotels: 8, tours: 2, groundServices: 1, insurance: 1, hotelsPerSupplier: 4, toursPerSupplier: 2, groundPerSupplier: 1, insurancePerSupplier: 1, destinations: 3 };
    const gen = generateCatalog({ seed: 3, startDate: '2027-02-01', size, prefix: 'GEN' });
    await importCatalog(catalog, { kind: 'suppliers', format: 'json', text: JSON.stringify(gen.suppliers), source: 'gen' }, APPLY);
    const report = await importCatalog(catalog, { kind: 'products', format: 'csv', text: productsToCsv(gen.products), source: 'gen.csv' }, APPLY);
    expect(report).toMatchObject({ total: 12, created: 12, problems: [] });
    const json = await importCatalog(catalog, { kind: 'products', format: 'json', text: JSON.stringify(gen.products), source: 'gen.json' }, APPLY);
    expect(json).toMatchObject({ total: 12, unchanged: 12 });
    // 9 rates from the fixture file, 24 per hotel, 4 per tour, 4 for the transfer, 1 for the insurance.
    expect(await count('product_rates')).toBe(9 + 8 * 24 + 2 * 4 + 4 + 1);
  });
});
