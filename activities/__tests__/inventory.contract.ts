import { randomBytes } from 'node:crypto';
import type { AllotmentContract } from '../../domain/catalog/model';
import type { Database } from '../../infra/database';
import { InventoryError, PrismaInventory, type HoldRequest } from '../inventory.prisma';
import type { InventoryChange } from '../ports/inventory-changes';

interface TestProduct {
  supplierCode: string;
  productCode: string;
  productId: string;
}

const NOW = new Date('2027-05-01T10:00:00.000Z');

/**
 * Allotments and inventory, asked of every database Itinera runs on. The PostgreSQL database is
 * shared by test files: every supplier, product, contract and reference carries this run's
 * namespace, and every test works on products of its own. `openConcurrent`, when given, opens a
 * second client of the same database for the race (a larger pool on PostgreSQL, so the attempts
 * really run at the same time).
 */
export function inventoryContract(open: () => Promise<Database>, openConcurrent?: () => Promise<Database>): void {
  let db: Database;
  let inventory: PrismaInventory;
  /** The same store with the driver's fast path (availability, holds as one statement on the driver). */
  let fast: PrismaInventory;
  let ns: string;
  let n = 0;

  const ref = (label = 'r') => `H${ns}-${label}-${++n}`;
  const makeProduct = async (opts: { type?: 'HOTEL' | 'TOUR'; departures?: Array<{ date: string; status?: string }> } = {}): Promise<TestProduct> => {
    const suffix = `${ns}-${++n}`;
    const supplier = await db.prisma.supplier.create({
      data: { code: `S${suffix}`, name: 'Test supplier', type: 'HOTEL', depositPercent: '0', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30, preferredPaymentMethod: 'BANK_TRANSFER', invoiceCurrency: 'EUR', paymentCurrency: 'EUR' },
    });
    const product = await db.prisma.product.create({
      data: {
        supplierId: supplier.id,
        code: `P${suffix}`,
        type: opts.type ?? 'HOTEL',
        name: 'Test product',
        destination: 'IT-ROME',
        country: 'IT',
        currency: 'EUR',
        minPax: 1,
        maxPax: 4,
        durationNights: opts.type === 'TOUR' ? 7 : null,
        guaranteedThreshold: opts.type === 'TOUR' ? 10 : null,
        categories: { create: [{ code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 2 }, { code: 'SGL', name: 'Single', maxOccupancy: 1, standardOccupancy: 1 }] },
        departures: opts.departures ? { create: opts.departures.map((d) => ({ departureDate: new Date(`${d.date}T00:00:00Z`), status: d.status ?? 'SCHEDULED' })) } : undefined,
      },
    });
    return { supplierCode: supplier.code, productCode: product.code, productId: product.id };
  };
  const contractOf = (p: TestProduct, overrides: Partial<AllotmentContract> = {}): AllotmentContract => ({
    code: `C${ns}-${++n}`,
    supplierCode: p.supplierCode,
    productCode: p.productCode,
    category: 'DBL',
    validFrom: '2027-06-01',
    validTo: '2027-06-05',
    quantity: 5,
    contractedPrice: '80.00',
    currency: 'EUR',
    basis: 'PER_ROOM_PER_NIGHT',
    release: { kind: 'DAYS_BEFORE', days: 21 },
    minGroupSize: 1,
    maxGroupSize: 10,
    ...overrides,
  });
  const holdOf = (p: TestProduct, overrides: Partial<HoldRequest> = {}): HoldRequest => ({
    reference: ref(),
    productId: p.productId,
    category: 'DBL',
    from: '2027-06-01',
    nights: 1,
    quantity: 1,
    ttlSeconds: 900,
    channel: 'api',
    now: NOW,
    ...overrides,
  });
  const counters = async (p: TestProduct, from = '2027-06-01', to = '2027-06-05', category = 'DBL') =>
    (await inventory.inventoryRows(p.productId, category, from, to)).map((r) => `${r.stayDate} a${r.allotment} h${r.held} s${r.sold} r${r.released}`);
  const refusal = (promise: Promise<unknown>) => promise.then(() => new Error('expected a refusal'), (e: unknown) => e);

  beforeAll(async () => {
    db = await open();
    inventory = new PrismaInventory(db.prisma);
    fast = new PrismaInventory(db.prisma, db.query.bind(db) as Database['query']);
    ns = randomBytes(4).toString('hex');
  });
  afterAll(() => db?.close());

  it('stores a contract with one inventory row per date and its release date, replays it, and refuses conflicts and overlaps', async () => {
    const p = await makeProduct();
    const spec = contractOf(p, { release: { kind: 'FIXED_DATES', dates: [{ releaseOn: '2027-05-10', arrivalsFrom: '2027-06-01', arrivalsTo: '2027-06-02' }] } });
    const first = await inventory.createContract(spec);
    expect(first.created).toBe(true);
    expect(first.contract).toMatchObject({ code: spec.code, productId: p.productId, status: 'ACTIVE', quantity: 5, contractedPrice: '80', release: spec.release });
    const rows = await inventory.inventoryRows(p.productId, 'DBL', '2027-05-30', '2027-06-07');
    expect(rows.map((r) => [r.stayDate, r.allotment, r.available, r.releaseOn])).toEqual([
      ['2027-06-01', 5, 5, '2027-05-10'],
      ['2027-06-02', 5, 5, '2027-05-10'],
      ['2027-06-03', 5, 5, null],
      ['2027-06-04', 5, 5, null],
      ['2027-06-05', 5, 5, null],
    ]);
    await expect(inventory.createContract({ ...spec, contractedPrice: '80.0000' })).resolves.toEqual({ contract: first.contract, created: false });
    await expect(inventory.createContract({ ...spec, quantity: 6 })).rejects.toMatchObject({ kind: 'contract-conflict' });

    const overlap = await refusal(inventory.createContract(contractOf(p, { validFrom: '2027-06-05', validTo: '2027-06-09' })));
    expect(overlap).toMatchObject({ kind: 'contract-overlap' });
    expect((overlap as Error).message).toContain(`overlaps ACTIVE contract ${spec.code} (2027-06-01..2027-06-05)`);
    // Another category of the same product is other inventory.
    await expect(inventory.createContract(contractOf(p, { category: 'SGL' }))).resolves.toMatchObject({ created: true });
    expect(await inventory.getContract(spec.code)).toEqual(first.contract);
    expect((await inventory.listContracts({ productId: p.productId, limit: 1 })).items).toHaveLength(1);
  });

  it('refuses an invalid contract naming every problem, and one whose product or category does not match', async () => {
    const p = await makeProduct();
    const bad = await refusal(inventory.createContract(contractOf(p, { validFrom: '2027-06-10', validTo: '2027-06-01', quantity: -1, currency: 'EURO' })));
    expect(bad).toBeInstanceOf(InventoryError);
    expect(bad).toMatchObject({ kind: 'invalid-contract' });
    expect((bad as InventoryError).problems.map((x) => x.path).sort()).toEqual(expect.arrayContaining(['currency', 'quantity']));
    expect((bad as InventoryError).problems.length).toBeGreaterThanOrEqual(3);

    const wrong = await refusal(inventory.createContract(contractOf(p, { category: 'SUITE' })));
    expect(wrong).toMatchObject({ kind: 'invalid-contract', problems: [{ path: 'category' }] });
    const other = await makeProduct();
    const mismatch = await refusal(inventory.createContract(contractOf(p, { supplierCode: other.supplierCode })));
    expect(mismatch).toMatchObject({ kind: 'invalid-contract', problems: [{ path: 'productCode', message: `product ${p.productCode} belongs to supplier ${p.supplierCode}, not ${other.supplierCode}` }] });
    expect(await db.prisma.inventory.count({ where: { productId: p.productId } })).toBe(0);
  });

  it('puts tour inventory on live departures only', async () => {
    const p = await makeProduct({ type: 'TOUR', departures: [{ date: '2027-06-01' }, { date: '2027-06-08', status: 'CANCELLED' }, { date: '2027-06-15' }] });
    await inventory.createContract(contractOf(p, { validFrom: '2027-06-01', validTo: '2027-06-15', basis: 'PER_PERSON' }));
    expect((await inventory.inventoryRows(p.productId, 'DBL', '2027-06-01', '2027-06-30')).map((r) => r.stayDate)).toEqual(['2027-06-01', '2027-06-15']);
    await expect(fast.hold(holdOf(p, { from: '2027-06-15', quantity: 2 }))).resolves.toMatchObject({ status: 'HELD', nights: 1 });
    await expect(inventory.hold(holdOf(p, { from: '2027-06-08' }))).rejects.toMatchObject({ kind: 'no-allotment', dates: ['2027-06-08'] });
  });

  it('reads a hold the same on the driver as through Prisma, and replays it the same', async () => {
    const p = await makeProduct();
    await inventory.createContract(contractOf(p, { validFrom: '2027-06-01', validTo: '2027-06-10' }));
    const request = holdOf(p, { from: '2027-06-02', nights: 3, quantity: 2 });
    const taken = await fast.hold(request);
    expect(taken).toMatchObject({ reference: request.reference, from: '2027-06-02', toExclusive: '2027-06-05', nights: 3, quantity: 2, status: 'HELD', expiresAt: expect.any(Number) });
    expect(await fast.getHold(request.reference)).toEqual(await inventory.getHold(request.reference));
    expect(await fast.getHold(request.reference)).toEqual(taken);
    expect(await fast.hold(request)).toEqual(taken);
    expect(await inventory.hold(request)).toEqual(taken);
    expect(await fast.getHold('no-such-hold')).toBeNull();
  });

  it.each([
    ['Prisma', false],
    ['the driver', true],
  ])('moves the counters through hold, confirm, cancel and expiry (through %s)', async (_path, onDriver) => {
    const inv = onDriver ? fast : inventory;
    const p = await makeProduct();
    await inv.createContract(contractOf(p));
    const held = await inv.hold(holdOf(p, { reference: ref('stay'), nights: 3, quantity: 2 }));
    expect(held).toMatchObject({ status: 'HELD', from: '2027-06-01', toExclusive: '2027-06-04', nights: 3, quantity: 2, expiresAt: NOW.getTime() + 900_000 });
    expect(await counters(p)).toEqual(['2027-06-01 a5 h2 s0 r0', '2027-06-02 a5 h2 s0 r0', '2027-06-03 a5 h2 s0 r0', '2027-06-04 a5 h0 s0 r0', '2027-06-05 a5 h0 s0 r0']);

    await expect(inv.confirmHold(held.reference, new Date(NOW.getTime() + 60_000))).resolves.toMatchObject({ status: 'SOLD', expiresAt: null });
    await expect(inv.confirmHold(held.reference, new Date(NOW.getTime() + 60_000))).resolves.toMatchObject({ status: 'SOLD' });
    expect(await counters(p, '2027-06-01', '2027-06-01')).toEqual(['2027-06-01 a5 h0 s2 r0']);

    const sale = await inv.sell({ ...holdOf(p, { from: '2027-06-03', nights: 2 }) });
    expect(sale).toMatchObject({ status: 'SOLD', expiresAt: null });
    const late = await inv.hold(holdOf(p, { from: '2027-06-05', ttlSeconds: 60 }));
    const lapsing = await inv.hold(holdOf(p, { from: '2027-06-05', ttlSeconds: 600 }));
    expect(await counters(p)).toEqual(['2027-06-01 a5 h0 s2 r0', '2027-06-02 a5 h0 s2 r0', '2027-06-03 a5 h0 s3 r0', '2027-06-04 a5 h0 s1 r0', '2027-06-05 a5 h2 s0 r0']);

    // Confirming after expiry is refused even before the sweep; the sweep returns each hold once.
    await expect(inv.confirmHold(late.reference, new Date(NOW.getTime() + 61_000))).rejects.toMatchObject({ kind: 'hold-expired' });
    const sweeps = await Promise.all([inv.expireHolds(new Date(NOW.getTime() + 61_000)), inv.expireHolds(new Date(NOW.getTime() + 61_000))]);
    expect(sweeps.filter((c) => c >= 1)).toHaveLength(1);
    expect(await inv.getHold(late.reference)).toMatchObject({ status: 'EXPIRED' });
    expect(await inv.getHold(lapsing.reference)).toMatchObject({ status: 'HELD' });
    expect(await counters(p, '2027-06-05', '2027-06-05')).toEqual(['2027-06-05 a5 h1 s0 r0']);

    await expect(inv.cancelHold(held.reference, NOW)).resolves.toMatchObject({ status: 'CANCELLED' });
    await expect(inv.cancelHold(held.reference, NOW)).resolves.toMatchObject({ status: 'CANCELLED' });
    await expect(inv.cancelHold(lapsing.reference, NOW)).resolves.toMatchObject({ status: 'CANCELLED' });
    await expect(inv.confirmHold(lapsing.reference, NOW)).rejects.toMatchObject({ kind: 'hold-cancelled' });
    await expect(inv.confirmHold(ref('none'), NOW)).rejects.toMatchObject({ kind: 'hold-not-found' });
    expect(await counters(p)).toEqual(['2027-06-01 a5 h0 s0 r0', '2027-06-02 a5 h0 s0 r0', '2027-06-03 a5 h0 s1 r0', '2027-06-04 a5 h0 s1 r0', '2027-06-05 a5 h0 s0 r0']);
  });

  it('is idempotent by reference and refuses the reference with other content', async () => {
    const p = await makeProduct();
    await inventory.createContract(contractOf(p));
    const request = holdOf(p, { quantity: 2 });
    const [a, b] = await Promise.all([inventory.hold(request), inventory.hold(request)]);
    expect(b).toEqual(a);
    await expect(inventory.hold({ ...request, now: new Date(NOW.getTime() + 5_000) })).resolves.toEqual(a);
    expect(await counters(p, '2027-06-01', '2027-06-01')).toEqual(['2027-06-01 a5 h2 s0 r0']);
    await expect(inventory.hold({ ...request, quantity: 3 })).rejects.toMatchObject({ kind: 'reference-conflict' });
    await expect(inventory.sell(request)).rejects.toMatchObject({ kind: 'reference-conflict' });
    await expect(inventory.hold({ ...request, reference: '', nights: 0, quantity: 1.5, from: '2027-02-30' })).rejects.toMatchObject({
      kind: 'invalid-request',
      problems: [{ path: 'reference' }, { path: 'from' }, { path: 'nights' }, { path: 'quantity' }],
    });
  });

  it('holds every night or none, naming the nights short of availability', async () => {
    const p = await makeProduct();
    await inventory.createContract(contractOf(p, { quantity: 2 }));
    await inventory.sell(holdOf(p, { from: '2027-06-03', quantity: 2 }));
    const short = await refusal(inventory.hold(holdOf(p, { from: '2027-06-01', nights: 4 })));
    expect(short).toMatchObject({ kind: 'sold-out', dates: ['2027-06-03'], problems: [{ path: 'quantity', message: '2027-06-03 has 0 of 1 units free' }] });
    const beyond = await refusal(inventory.hold(holdOf(p, { from: '2027-06-04', nights: 4, quantity: 2 })));
    expect(beyond).toMatchObject({ kind: 'no-allotment', dates: ['2027-06-06', '2027-06-07'] });
    expect(await counters(p)).toEqual(['2027-06-01 a2 h0 s0 r0', '2027-06-02 a2 h0 s0 r0', '2027-06-03 a2 h0 s2 r0', '2027-06-04 a2 h0 s0 r0', '2027-06-05 a2 h0 s0 r0']);
    expect(await db.prisma.inventoryHold.count({ where: { productId: p.productId } })).toBe(1);

    expect(await inventory.availability({ productIds: [p.productId], from: '2027-06-01', toExclusive: '2027-06-03' })).toEqual([
      { productId: p.productId, category: 'DBL', available: 2, nightsWithInventory: 2, stopSale: false, minGroupSize: 1, maxGroupSize: 10 },
    ]);
    expect(await fast.availability({ productIds: [p.productId], from: '2027-06-02', toExclusive: '2027-06-04' })).toEqual([
      { productId: p.productId, category: 'DBL', available: 0, nightsWithInventory: 2, stopSale: false, minGroupSize: 1, maxGroupSize: 10 },
    ]);
    expect(await inventory.availability({ productIds: [p.productId], from: '2027-06-05', toExclusive: '2027-06-07' })).toEqual([
      { productId: p.productId, category: 'DBL', available: 0, nightsWithInventory: 1, stopSale: false, minGroupSize: 1, maxGroupSize: 10 },
    ]);
  });

  it('refuses a hold under a stop sale with kind stop-sale, and sells again once it is removed', async () => {
    const p = await makeProduct();
    await inventory.createContract(contractOf(p));
    await inventory.createContract(contractOf(p, { category: 'SGL' }));
    const stop = await inventory.addStopSale({ supplierCode: p.supplierCode, productCode: p.productCode, category: 'DBL', from: '2027-06-02', to: '2027-06-03', reason: 'Renovation' });
    expect(await inventory.listStopSales(p.productId)).toEqual([stop]);
    const refused = await refusal(inventory.hold(holdOf(p, { nights: 4 })));
    expect(refused).toMatchObject({ kind: 'stop-sale', dates: ['2027-06-02', '2027-06-03'] });
    await expect(inventory.hold(holdOf(p, { category: 'SGL', nights: 4 }))).resolves.toMatchObject({ status: 'HELD' });
    expect((await inventory.availability({ productIds: [p.productId], from: '2027-06-01', toExclusive: '2027-06-02' })).map((a) => [a.category, a.stopSale])).toEqual([['DBL', false], ['SGL', false]]);
    expect((await inventory.availability({ productIds: [p.productId], from: '2027-06-01', toExclusive: '2027-06-03' })).map((a) => [a.category, a.stopSale])).toEqual([['DBL', true], ['SGL', false]]);
    await expect(inventory.addStopSale({ supplierCode: p.supplierCode, productCode: p.productCode, category: 'SUITE', from: '2027-06-09', to: '2027-06-02', reason: '' })).rejects.toMatchObject({
      kind: 'invalid-request',
    });

    await inventory.removeStopSale(stop.id);
    await expect(inventory.removeStopSale(stop.id)).rejects.toMatchObject({ kind: 'stop-sale-not-found' });
    await expect(inventory.hold(holdOf(p, { nights: 4 }))).resolves.toMatchObject({ status: 'HELD' });
  });

  it('holds for a party only within the contract group size, and shows the limits with availability', async () => {
    const p = await makeProduct();
    await inventory.createContract(contractOf(p, { minGroupSize: 10, maxGroupSize: 40 }));
    const refused = await refusal(inventory.hold(holdOf(p, { pax: 2 })));
    expect(refused).toBeInstanceOf(InventoryError);
    expect(refused).toMatchObject({ kind: 'group-size', problems: [{ path: 'pax' }] });
    expect((refused as Error).message).toContain('10–40');
    expect(await refusal(inventory.sell({ ...holdOf(p), pax: 41 }))).toMatchObject({ kind: 'group-size' });
    // The driver path reads the same limits.
    expect(await refusal(fast.hold(holdOf(p, { pax: 2 })))).toMatchObject({ kind: 'group-size', message: (refused as Error).message });
    expect(await counters(p, '2027-06-01', '2027-06-01')).toEqual(['2027-06-01 a5 h0 s0 r0']);
    const party = holdOf(p, { pax: 12, quantity: 5 });
    const held = await inventory.hold(party);
    expect(held).toMatchObject({ status: 'HELD', quantity: 5 });
    // No party size given (a channel that only counts rooms): the units alone are checked.
    expect(await refusal(inventory.hold(holdOf(p)))).toMatchObject({ kind: 'sold-out' });
    // The same request again (a retry) answers with its hold, though nothing is free now; the same
    // reference for a party the contract refuses is a conflict, not a group-size refusal.
    for (const store of [inventory, fast]) {
      await expect(store.hold(party)).resolves.toEqual(held);
      expect(await refusal(store.hold({ ...party, pax: 2, quantity: 4 }))).toMatchObject({ kind: 'reference-conflict' });
    }
    expect(await counters(p, '2027-06-01', '2027-06-01')).toEqual(['2027-06-01 a5 h5 s0 r0']);
    const [view] = await fast.availability({ productIds: [p.productId], from: '2027-06-02', toExclusive: '2027-06-04' });
    expect(view).toMatchObject({ category: 'DBL', available: 5, minGroupSize: 10, maxGroupSize: 40 });
  });

  it('never oversells: 200 concurrent attempts on the last 10 units, exactly 10 succeed', async () => {
    const race = openConcurrent ? await openConcurrent() : db;
    try {
      const racing = new PrismaInventory(race.prisma, race.query.bind(race) as Database['query']);
      const p = await makeProduct();
      await inventory.createContract(contractOf(p, { quantity: 12, validFrom: '2027-06-01', validTo: '2027-06-02' }));
      await inventory.sell(holdOf(p, { quantity: 2, nights: 2 }));
      const attempts = Array.from({ length: 200 }, (_, i) => {
        const request = holdOf(p, { reference: ref('race'), nights: i % 3 === 0 ? 2 : 1, from: '2027-06-01' });
        return (i % 2 === 0 ? racing.hold(request) : racing.sell(request)).then(
          (h) => ({ ok: true as const, h }),
          (e: unknown) => ({ ok: false as const, e }),
        );
      });
      const results = await Promise.all(attempts);
      const won = results.filter((r) => r.ok);
      const lost = results.filter((r) => !r.ok);
      expect(won).toHaveLength(10);
      expect(lost).toHaveLength(190);
      for (const l of lost) expect(l.e).toMatchObject({ kind: 'sold-out' });

      const [night1] = await inventory.inventoryRows(p.productId, 'DBL', '2027-06-01', '2027-06-01');
      expect(night1!.held + night1!.sold).toBe(12);
      expect(night1!.available).toBe(0);
      // The rows agree with the holds table, night by night.
      for (const row of await inventory.inventoryRows(p.productId, 'DBL', '2027-06-01', '2027-06-02')) {
        const holds = await db.prisma.inventoryHold.findMany({ where: { productId: p.productId, category: 'DBL', stayFrom: { lte: new Date(`${row.stayDate}T00:00:00Z`) }, stayTo: { gt: new Date(`${row.stayDate}T00:00:00Z`) } } });
        expect(holds.filter((h) => h.status === 'HELD').reduce((s, h) => s + h.quantity, 0)).toBe(row.held);
        expect(holds.filter((h) => h.status === 'SOLD').reduce((s, h) => s + h.quantity, 0)).toBe(row.sold);
      }
    } finally {
      if (race !== db) await race.close();
    }
  });

  it('changes a contract quantity only above what is used, and cancels a contract only once nothing is held or sold', async () => {
    const p = await makeProduct();
    const { contract } = await inventory.createContract(contractOf(p, { quantity: 4 }));
    const sale = await inventory.sell(holdOf(p, { from: '2027-06-02', nights: 2, quantity: 3 }));
    const low = await refusal(inventory.updateContractQuantity(contract.code, 2));
    expect(low).toMatchObject({ kind: 'quantity-below-used', dates: ['2027-06-02', '2027-06-03'] });
    await expect(inventory.updateContractQuantity(contract.code, 3)).resolves.toMatchObject({ quantity: 3, version: 2 });
    expect(await counters(p)).toEqual(['2027-06-01 a3 h0 s0 r0', '2027-06-02 a3 h0 s3 r0', '2027-06-03 a3 h0 s3 r0', '2027-06-04 a3 h0 s0 r0', '2027-06-05 a3 h0 s0 r0']);

    await expect(inventory.cancelContract(contract.code)).rejects.toMatchObject({ kind: 'contract-in-use', dates: ['2027-06-02', '2027-06-03'] });
    await inventory.cancelHold(sale.reference, NOW);
    await expect(inventory.cancelContract(contract.code)).resolves.toMatchObject({ status: 'CANCELLED' });
    expect(await counters(p)).toEqual([]);
    await expect(inventory.updateContractQuantity(contract.code, 5)).rejects.toMatchObject({ kind: 'contract-not-found' });
    // The dates are free for a new contract.
    await expect(inventory.createContract(contractOf(p))).resolves.toMatchObject({ created: true });
  });

  it('tells the change sink after each commit that changes what can be sold, and not when nothing changed', async () => {
    const p = await makeProduct();
    const told: string[] = [];
    const sink = {
      inventoryChanged: (c: InventoryChange) => {
        if (c.productId === p.productId) told.push(`${c.source} ${c.category ?? '*'} ${c.from}..${c.to}`);
        return Promise.resolve();
      },
    };
    const watched = new PrismaInventory(db.prisma, undefined, sink);
    const { contract } = await watched.createContract(contractOf(p, { validFrom: '2027-06-21', validTo: '2027-06-25', release: { kind: 'DAYS_BEFORE', days: 20 } }));
    await watched.createContract(contractOf(p, { code: contract.code, validFrom: '2027-06-21', validTo: '2027-06-25', release: { kind: 'DAYS_BEFORE', days: 20 } })); // replay: nothing new
    const stay = await watched.hold(holdOf(p, { from: '2027-06-22', nights: 2, channel: 'BOOKING' }));
    await watched.hold(holdOf(p, { reference: stay.reference, from: '2027-06-22', nights: 2, channel: 'BOOKING' })); // replay
    await watched.confirmHold(stay.reference, NOW); // held -> sold: nothing to sell changed
    await watched.cancelHold(stay.reference, NOW);
    await watched.cancelHold(stay.reference, NOW); // already cancelled
    await watched.sell(holdOf(p, { from: '2027-06-25' }));
    await watched.hold(holdOf(p, { from: '2027-06-21', ttlSeconds: 60 }));
    await watched.expireHolds(new Date(NOW.getTime() + 61_000));
    const stop = await watched.addStopSale({ supplierCode: p.supplierCode, productCode: p.productCode, category: null, from: '2027-06-23', to: '2027-06-24', reason: 'pool works' });
    await watched.removeStopSale(stop.id);
    await watched.updateContractQuantity(contract.code, 6);
    await watched.releaseDue('2027-06-02', new Date('2027-06-01T22:15:00Z'));
    expect(told).toEqual([
      'contract DBL 2027-06-21..2027-06-25',
      'hold:BOOKING DBL 2027-06-22..2027-06-23',
      'cancel:BOOKING DBL 2027-06-22..2027-06-23',
      'sale:api DBL 2027-06-25..2027-06-25',
      'hold:api DBL 2027-06-21..2027-06-21',
      'expiry DBL 2027-06-21..2027-06-21',
      'stop-sale * 2027-06-23..2027-06-24',
      'stop-sale * 2027-06-23..2027-06-24',
      'contract DBL 2027-06-21..2027-06-25',
      'release DBL 2027-06-21..2027-06-22',
    ]);
  });

  it('releases unsold units exactly on the release day, once, and notifies what came back', async () => {
    const p = await makeProduct();
    const { contract } = await inventory.createContract(contractOf(p, { quantity: 5, validFrom: '2027-06-21', validTo: '2027-06-23', release: { kind: 'DAYS_BEFORE', days: 20 } }));
    const sold = await inventory.sell(holdOf(p, { from: '2027-06-21', quantity: 2 }));
    await inventory.hold(holdOf(p, { from: '2027-06-22', quantity: 1 }));
    const at = new Date('2027-06-01T22:15:00Z');

    const ours = (released: Awaited<ReturnType<PrismaInventory['releaseDue']>>) => released.filter((c) => c.contractId === contract.id);
    expect(ours(await inventory.releaseDue('2027-05-31', at))).toEqual([]);
    expect(ours(await inventory.releaseDue('2027-06-02', at))).toEqual([
      { contractId: contract.id, contractCode: contract.code, supplierCode: p.supplierCode, productCode: p.productCode, productId: p.productId, category: 'DBL', lines: [{ stayDate: '2027-06-21', quantity: 3 }, { stayDate: '2027-06-22', quantity: 4 }] },
    ]);
    expect(ours(await inventory.releaseDue('2027-06-02', at))).toEqual([]);
    expect(ours(await inventory.releaseDue('2027-06-01', at))).toEqual([]);
    expect(await counters(p, '2027-06-21', '2027-06-23')).toEqual(['2027-06-21 a5 h0 s2 r3', '2027-06-22 a5 h1 s0 r4', '2027-06-23 a5 h0 s0 r0']);
    await expect(inventory.hold(holdOf(p, { from: '2027-06-21' }))).rejects.toMatchObject({ kind: 'sold-out' });

    const pending = (await inventory.pendingNotifications()).filter((x) => x.contractId === contract.id);
    expect(pending).toEqual([
      { contractId: contract.id, supplierCode: p.supplierCode, contractCode: contract.code, productCode: p.productCode, category: 'DBL', lines: [{ stayDate: '2027-06-21', quantity: 3 }, { stayDate: '2027-06-22', quantity: 4 }], idempotencyKey: expect.stringMatching(new RegExp(`^allotment-release:${contract.code}:[0-9a-f]{16}$`)) as unknown },
    ]);
    await expect(inventory.markNotified(contract.id, pending[0]!.lines, at)).resolves.toBe(2);
    expect((await inventory.pendingNotifications()).filter((x) => x.contractId === contract.id)).toEqual([]);

    // A sale cancelled after the release goes back to the supplier, not on sale, and is notified again.
    await inventory.cancelHold(sold.reference, at);
    expect(await counters(p, '2027-06-21', '2027-06-21')).toEqual(['2027-06-21 a5 h0 s0 r5']);
    const again = (await inventory.pendingNotifications()).filter((x) => x.contractId === contract.id);
    expect(again.map((x) => x.lines)).toEqual([[{ stayDate: '2027-06-21', quantity: 5 }]]);
    expect(again[0]!.idempotencyKey).not.toBe(pending[0]!.idempotencyKey);
    expect(ours(await inventory.releaseDue('2027-06-03', at))).toEqual([
      expect.objectContaining({ lines: [{ stayDate: '2027-06-23', quantity: 5 }] }),
    ]);
  });
}
