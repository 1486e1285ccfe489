import { randomBytes } from 'node:crypto';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import { Dec } from '../../domain/money/money';
import { calendarDateIn } from '../../domain/time/instant';
import type { Database } from '../../infra/database';
import { seedChartOfAccounts } from '../chart-seed.prisma';
import { PrismaFxRates } from '../fx-rates.prisma';
import { PrismaLedger } from '../ledger.prisma';
import { PrismaDeferredRevenue, recognitionKey, RevenueError, type DeferComponentInput } from '../revenue.prisma';

/**
 * Deferred revenue, asked of every database Itinera runs on. The database must be the file's own
 * (the suite writes finance_settings and reads balances of chart accounts).
 */
export function deferredRevenueContract(open: () => Promise<Database>): void {
  let db: Database;
  let ledger: PrismaLedger;
  let revenue: PrismaDeferredRevenue;
  /** The same store with the driver (as the booking worker builds it). */
  let revenueOnDriver: PrismaDeferredRevenue;
  let n = 0;
  const ns = randomBytes(3).toString('hex').toUpperCase();

  const component = (overrides: Partial<DeferComponentInput> = {}): DeferComponentInput => ({
    bookingRef: `ITN-${ns}${String(++n).padStart(3, '0')}`,
    componentId: 'tour-1',
    productType: 'tours',
    channel: 'direct',
    amount: { amount: '1000.00', currency: 'GBP' },
    serviceStart: '2027-03-01',
    serviceEnd: '2027-03-10',
    ...overrides,
  });
  const setPolicies = (recognitionPolicy: string, noShowPolicy: string) =>
    db.prisma.financeSettings.upsert({
      where: { id: 1 },
      create: { id: 1, baseCurrency: 'GBP', activeCurrencies: ['GBP'], recognitionPolicy, noShowPolicy },
      update: { recognitionPolicy, noShowPolicy },
    });
  const net = async (account: string) => new Dec((await ledger.balance(account, 'GBP')).net);
  const recognitionsOf = async (itemId: string) =>
    (await db.prisma.revenueRecognition.findMany({ where: { itemId }, orderBy: { recognitionDate: 'asc' } })).map((r) => ({
      date: r.recognitionDate.toISOString().slice(0, 10),
      amount: new Dec(r.amount.toFixed()).toFixed(2),
    }));
  const runAll = async (date: string, batchSize = 50) => {
    let afterId: string | null = null;
    const totals = { itemsRecognised: 0, entriesPosted: 0, scanned: 0 };
    do {
      const batch = await revenue.recogniseThrough(date, { batchSize, afterId });
      expect(batch.failures).toEqual([]);
      totals.itemsRecognised += batch.itemsRecognised;
      totals.entriesPosted += batch.entriesPosted;
      totals.scanned += batch.scanned;
      afterId = batch.nextAfterId;
    } while (afterId);
    return totals;
  };
  const days = (from: string, count: number) => Array.from({ length: count }, (_, i) => new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10));

  beforeAll(async () => {
    db = await open();
    ledger = new PrismaLedger(db.prisma);
    revenue = new PrismaDeferredRevenue(db.prisma, ledger);
    revenueOnDriver = new PrismaDeferredRevenue(db.prisma, ledger, { sql: db });
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
    await setPolicies('PRO_RATA_DAILY', 'SCHEDULED_DATE');
  });
  afterAll(() => db?.close());

  it('defers a component once, returns it again for the same terms, and refuses other terms', async () => {
    const input = component();
    const first = await revenue.deferComponent(input);
    expect(first.created).toBe(true);
    expect(first.item).toMatchObject({ bookingRef: input.bookingRef, amount: { amount: '1000.00', currency: 'GBP' }, recognised: '0.00', status: 'OPEN', policy: 'PRO_RATA_DAILY', noShowPolicy: 'SCHEDULED_DATE' });
    const again = await revenue.deferComponent({ ...input, amount: { amount: '1000', currency: 'GBP' } });
    expect(again).toEqual({ item: first.item, created: false });
    await expect(revenue.deferComponent({ ...input, serviceEnd: '2027-03-11', channel: 'agent' })).rejects.toMatchObject({
      kind: 'component-conflict',
      message: expect.stringContaining('already deferred with channel direct, serviceEnd 2027-03-10'),
    });
  });

  it.each([
    ['Prisma', false],
    ['the driver', true],
  ])("defers a booking's components at once through %s: new ones created, stored ones returned, one bad component writes nothing", async (_path, onDriver) => {
    const store = onDriver ? revenueOnDriver : revenue;
    // Served in 2090: no recognition run of the other tests reaches them.
    const hotel = component({ componentId: 'hotel', productType: 'hotels', amount: { amount: '300.00', currency: 'GBP' }, serviceStart: '2090-03-01', serviceEnd: '2090-03-03' });
    const ref = hotel.bookingRef;
    const transfer = { ...hotel, componentId: 'transfer', productType: 'transfers', amount: { amount: '40.00', currency: 'GBP' }, serviceEnd: hotel.serviceStart };
    const storedHotel = await store.deferComponent(hotel);
    const both = await store.deferComponents([hotel, transfer]);
    expect(both.map((r) => [r.item.componentId, r.created, r.item.amount.amount])).toEqual([
      ['hotel', false, '300.00'],
      ['transfer', true, '40.00'],
    ]);
    expect(both[0]!.item).toEqual(storedHotel.item);
    expect(both[1]!.item).toMatchObject({ bookingRef: ref, productType: 'transfers', deferredAccount: 'liability:deferred-revenue:transfers', status: 'OPEN' });
    expect(await store.deferComponents([transfer, hotel])).toEqual([
      { item: both[1]!.item, created: false },
      { item: both[0]!.item, created: false },
    ]);

    const tour = { ...hotel, componentId: 'tour', productType: 'tours' };
    const err = await store.deferComponents([tour, { ...hotel, componentId: 'bad', channel: 'pigeon' }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid-component', message: expect.stringContaining('Component bad cannot be deferred'), problems: [{ path: 'channel', message: expect.stringContaining('"pigeon" is not a sales channel') }] });
    const conflict = await store.deferComponents([tour, { ...transfer, amount: { amount: '41.00', currency: 'GBP' } }]).catch((e: unknown) => e);
    expect(conflict).toMatchObject({ kind: 'component-conflict' });
    expect((await db.prisma.deferredRevenueItem.findMany({ where: { bookingRef: ref } })).map((r) => r.componentId).sort()).toEqual(['hotel', 'transfer']);
    expect(await store.deferComponents([])).toEqual([]);
    // The policies in force are read at each deferral.
    await setPolicies('AT_DEPARTURE', 'SUPPLIER_CONFIRMATION');
    try {
      const [later] = await store.deferComponents([{ ...hotel, componentId: 'excursion', productType: 'tours' }]);
      expect(later!.item).toMatchObject({ policy: 'AT_DEPARTURE', noShowPolicy: 'SUPPLIER_CONFIRMATION', deferredAccount: 'liability:deferred-revenue:tours', revenueAccount: 'revenue:tours:direct' });
    } finally {
      await setPolicies('PRO_RATA_DAILY', 'SCHEDULED_DATE');
    }
    // Out of the way of the balance reports below.
    await db.prisma.deferredRevenueItem.deleteMany({ where: { bookingRef: ref } });
  });

  it('names every problem with a component', async () => {
    const err = await revenue
      .deferComponent(component({ productType: 'spaceflights', channel: 'pigeon', serviceStart: '2027-03-10', serviceEnd: '2027-03-01', amount: { amount: '0', currency: 'GBP' } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RevenueError);
    expect((err as RevenueError).problems.map((p) => p.path)).toEqual(['productType', 'channel', 'serviceEnd', 'amount/amount']);
    expect((err as RevenueError).message).toContain('"spaceflights" is not a product type');
    const negative = await revenue.deferComponent(component({ amount: { amount: '-5.00', currency: 'GBP' } })).catch((e: RevenueError) => e);
    expect((negative as RevenueError).problems).toEqual([{ path: 'amount/amount', message: 'amount must not be negative (got "-5.00")' }]);
    const decimals = await revenue.deferComponent(component({ amount: { amount: '5.001', currency: 'GBP' } })).catch((e: RevenueError) => e);
    expect((decimals as RevenueError).problems).toEqual([{ path: 'amount/amount', message: 'GBP has 2 decimal places; "5.001" has 3' }]);
  });

  it('releases a 10-day GBP 1,000.00 tour at 100.00 a day, nothing before or after, and a re-run posts nothing', async () => {
    const { item } = await revenue.deferComponent(component({ productType: 'cruises' }));
    const deferred = 'liability:deferred-revenue:cruises';
    const earned = 'revenue:cruises:direct';
    for (const date of ['2027-02-27', ...days('2027-02-28', 12)]) {
      const before = { deferred: await net(deferred), earned: await net(earned) };
      await runAll(date);
      const expected = date >= '2027-03-01' && date <= '2027-03-10' ? '100.00' : '0.00';
      expect({ date, deferred: (await net(deferred)).minus(before.deferred).toFixed(2), earned: before.earned.minus(await net(earned)).toFixed(2) }).toEqual({ date, deferred: expected, earned: expected });
    }
    expect(await recognitionsOf(item.id)).toEqual(days('2027-03-01', 10).map((date) => ({ date, amount: '100.00' })));
    expect(await revenue.get(item.bookingRef, item.componentId)).toMatchObject({ status: 'RECOGNISED', recognised: '1000.00', remaining: '0.00' });

    const entries = await db.prisma.journalEntry.count();
    const rerun = await runAll('2027-03-05');
    expect(rerun).toMatchObject({ itemsRecognised: 0, entriesPosted: 0 });
    expect(await db.prisma.journalEntry.count()).toBe(entries);
    const entry = await db.prisma.journalEntry.findUniqueOrThrow({ where: { idempotencyKey: recognitionKey(item.id, '2027-03-04') }, include: { postings: true } });
    expect(entry).toMatchObject({ kind: 'revenue-recognition', bookingRef: item.bookingRef });
    expect(entry.accountingDate.toISOString().slice(0, 10)).toBe('2027-03-04');
    // Base currency GBP: the ledger translates each line at rate 1.
    expect(entry.postings.map((p) => [p.side, p.amount.toFixed(2), p.baseAmount?.toFixed(2), p.baseCurrency, p.fxRateSource])).toEqual([
      ['DEBIT', '100.00', '100.00', 'GBP', 'IDENTITY'],
      ['CREDIT', '100.00', '100.00', 'GBP', 'IDENTITY'],
    ]);
  });

  it('sums an awkward amount exactly, the remainder pennies first, and catches up a missed day in one entry', async () => {
    const { item } = await revenue.deferComponent(component({ amount: { amount: '1000.03', currency: 'GBP' }, productType: 'packages' }));
    await runAll('2027-03-02');
    await runAll('2027-03-05');
    await runAll('2027-03-20');
    expect(await recognitionsOf(item.id)).toEqual([
      { date: '2027-03-02', amount: '200.02' },
      { date: '2027-03-05', amount: '300.01' },
      { date: '2027-03-20', amount: '500.00' },
    ]);
    expect(await revenue.get(item.bookingRef, item.componentId)).toMatchObject({ status: 'RECOGNISED', recognised: '1000.03' });
  });

  it('recognises everything on the first service day under AT_DEPARTURE (the policy in force at deferral)', async () => {
    await setPolicies('AT_DEPARTURE', 'SCHEDULED_DATE');
    const { item } = await revenue.deferComponent(component({ serviceStart: '2027-04-01', serviceEnd: '2027-04-07' }));
    await setPolicies('PRO_RATA_DAILY', 'SCHEDULED_DATE');
    expect(item.policy).toBe('AT_DEPARTURE');
    await runAll('2027-03-31');
    expect(await recognitionsOf(item.id)).toEqual([]);
    await runAll('2027-04-01');
    expect(await recognitionsOf(item.id)).toEqual([{ date: '2027-04-01', amount: '1000.00' }]);
  });

  it('keeps recognising a no-show on the scheduled dates under SCHEDULED_DATE', async () => {
    const { item } = await revenue.deferComponent(component({ serviceStart: '2027-05-01', serviceEnd: '2027-05-04' }));
    expect(await revenue.markNoShow(item.bookingRef, item.componentId)).toMatchObject({ status: 'OPEN' });
    await runAll('2027-05-02');
    expect(await revenue.get(item.bookingRef, item.componentId)).toMatchObject({ status: 'OPEN', recognised: '500.00' });
    await expect(revenue.confirmSupplierNoShow(item.bookingRef, item.componentId, new Date())).rejects.toMatchObject({
      kind: 'invalid-state',
      message: expect.stringContaining('its no-show policy is SCHEDULED_DATE'),
    });
  });

  it('holds a no-show under SUPPLIER_CONFIRMATION until the supplier confirms, then recognises what is due', async () => {
    await setPolicies('PRO_RATA_DAILY', 'SUPPLIER_CONFIRMATION');
    const { item } = await revenue.deferComponent(component({ serviceStart: '2027-06-01', serviceEnd: '2027-06-04' }));
    await setPolicies('PRO_RATA_DAILY', 'SCHEDULED_DATE');
    await runAll('2027-06-01');
    expect(await revenue.markNoShow(item.bookingRef, item.componentId)).toMatchObject({ status: 'AWAITING_SUPPLIER', recognised: '250.00' });
    expect(await revenue.markNoShow(item.bookingRef, item.componentId)).toMatchObject({ status: 'AWAITING_SUPPLIER' });
    await runAll('2027-06-03');
    expect(await recognitionsOf(item.id)).toEqual([{ date: '2027-06-01', amount: '250.00' }]);

    const confirmedAt = new Date('2027-06-03T09:30:00Z');
    expect(await revenue.confirmSupplierNoShow(item.bookingRef, item.componentId, confirmedAt)).toMatchObject({ status: 'OPEN', supplierConfirmedAt: confirmedAt.getTime() });
    expect(await revenue.confirmSupplierNoShow(item.bookingRef, item.componentId, new Date())).toMatchObject({ supplierConfirmedAt: confirmedAt.getTime() });
    await runAll('2027-06-03');
    expect(await recognitionsOf(item.id)).toEqual([
      { date: '2027-06-01', amount: '250.00' },
      { date: '2027-06-03', amount: '500.00' },
    ]);
  });

  it('stops recognising a cancelled component, and refuses to change unknown ones', async () => {
    const { item } = await revenue.deferComponent(component({ serviceStart: '2027-07-01', serviceEnd: '2027-07-02' }));
    await runAll('2027-07-01');
    expect(await revenue.cancelComponent(item.bookingRef, item.componentId)).toMatchObject({ status: 'CANCELLED', recognised: '500.00' });
    expect(await revenue.cancelComponent(item.bookingRef, item.componentId)).toMatchObject({ status: 'CANCELLED' });
    await runAll('2027-07-05');
    expect(await recognitionsOf(item.id)).toEqual([{ date: '2027-07-01', amount: '500.00' }]);
    await expect(revenue.markNoShow(item.bookingRef, item.componentId)).rejects.toMatchObject({ kind: 'invalid-state' });
    await expect(revenue.markNoShow('ITN-NOPE', 'x')).rejects.toMatchObject({ kind: 'component-not-found', message: 'No deferred component x on booking ITN-NOPE' });
  });

  it('works through many items in bounded batches with a cursor', async () => {
    const refs = Array.from({ length: 5 }, () => component({ serviceStart: '2027-08-01', serviceEnd: '2027-08-01', amount: { amount: '10.00', currency: 'GBP' } }));
    for (const c of refs) await revenue.deferComponent(c);
    const first = await revenue.recogniseThrough('2027-08-01', { batchSize: 2 });
    expect(first).toMatchObject({ scanned: 2, itemsRecognised: 2, nextAfterId: expect.any(String) });
    const totals = await runAll('2027-08-01', 2);
    expect(totals.itemsRecognised).toBe(3);
    for (const c of refs) expect(await revenue.get(c.bookingRef, c.componentId)).toMatchObject({ status: 'RECOGNISED' });
    await expect(revenue.recogniseThrough('2027-08-32', { batchSize: 0 })).rejects.toMatchObject({ kind: 'invalid-request', problems: [{ path: 'date' }, { path: 'batchSize' }] });
  });

  it('records an entry that was posted but not recorded (a crash in between) instead of posting again', async () => {
    const { item } = await revenue.deferComponent(component({ serviceStart: '2027-09-01', serviceEnd: '2027-09-04' }));
    await ledger.post({
      idempotencyKey: recognitionKey(item.id, '2027-09-01'),
      description: 'crashed before recording',
      accountingDate: '2027-09-01',
      kind: 'revenue-recognition',
      bookingRef: item.bookingRef,
      lines: [
        { account: 'liability:deferred-revenue:tours', side: 'DEBIT', amount: { amount: '250.00', currency: 'GBP' } },
        { account: 'revenue:tours:direct', side: 'CREDIT', amount: { amount: '250.00', currency: 'GBP' } },
      ],
    });
    await runAll('2027-09-02');
    expect(await recognitionsOf(item.id)).toEqual([
      { date: '2027-09-01', amount: '250.00' },
      { date: '2027-09-02', amount: '250.00' },
    ]);
    expect(await revenue.get(item.bookingRef, item.componentId)).toMatchObject({ recognised: '500.00' });
  });

  it('reports the remaining deferred balance by travel month and currency, as of a date', async () => {
    // Deferral dates as finance would see them: everything sold in February, the September trip on 6 March.
    await db.prisma.deferredRevenueItem.updateMany({ data: { createdAt: new Date('2027-02-01T12:00:00Z') } });
    await db.prisma.deferredRevenueItem.updateMany({ where: { serviceStart: new Date('2027-09-01T00:00:00Z') }, data: { createdAt: new Date('2027-03-06T08:00:00Z') } });
    // As of 5 March: the tour and the cruise have 500.00 each left, the package 1000.03 - 200.02 - 300.01;
    // July's only item is cancelled; September's was not sold yet.
    expect(await revenue.deferredBalanceByTravelMonth('2027-03-05')).toEqual([
      { travelMonth: '2027-03', currency: 'GBP', items: 3, remaining: '1500.00' },
      { travelMonth: '2027-04', currency: 'GBP', items: 1, remaining: '1000.00' },
      { travelMonth: '2027-05', currency: 'GBP', items: 1, remaining: '1000.00' },
      { travelMonth: '2027-06', currency: 'GBP', items: 1, remaining: '1000.00' },
      { travelMonth: '2027-08', currency: 'GBP', items: 5, remaining: '50.00' },
    ]);
    const later = await revenue.deferredBalanceByTravelMonth('2027-09-01');
    // By 1 September everything else ran its course (June's confirmed no-show was caught up by the later runs).
    expect(later).toEqual([{ travelMonth: '2027-09', currency: 'GBP', items: 1, remaining: '750.00' }]);
    await expect(revenue.deferredBalanceByTravelMonth('March')).rejects.toMatchObject({ kind: 'invalid-request' });
  });

  // The tests below run after the report above (they defer items it must not see), in 2028.

  describe('a foreign-currency component at its historical rate', () => {
    const bookingDate = '2028-01-14';
    beforeAll(async () => {
      // Settings rate source ECB; the booking rule as finance would set it. 1 USD = x GBP: 0.79 on
      // the booking date, a different rate on every service day (which recognition must not use).
      await db.prisma.fxTranslationRule.upsert({ where: { transactionType: 'booking' }, create: { transactionType: 'booking', rule: 'BOOKING_DATE' }, update: { rule: 'BOOKING_DATE' } });
      await new PrismaFxRates(db.prisma).importQuotes(
        [
          [bookingDate, '0.79'],
          ['2028-03-01', '0.81'],
          ['2028-03-02', '0.83'],
          ['2028-03-03', '0.77'],
        ].map(([rateDate, rate]) => ({ source: 'ECB', base: 'USD', quote: 'GBP', rate: rate!, rateDate: rateDate! })),
      );
    });

    it('recognises a USD tour at the 0.79 it was deferred at, leaving the deferred account at zero in USD and in GBP', async () => {
      // USD 1,000.05 over 3 days = 333.35 a day; 333.35 x 0.79 = 263.3465 would round to 263.35 three
      // times (790.05), but the sale put round(1000.05 x 0.79) = 790.04 on the deferred account.
      const input = component({ productType: 'hotels', amount: { amount: '1000.05', currency: 'USD' }, serviceStart: '2028-03-01', serviceEnd: '2028-03-03', bookingDate });
      await ledger.post({
        idempotencyKey: `test-sale:${input.bookingRef}`,
        description: 'Hotel sold in dollars',
        accountingDate: bookingDate,
        bookingDate,
        transactionType: 'booking',
        bookingRef: input.bookingRef,
        lines: [
          { account: 'asset:receivable:customers', side: 'DEBIT', amount: { amount: '1000.05', currency: 'USD' } },
          { account: 'liability:deferred-revenue:hotels', side: 'CREDIT', amount: { amount: '1000.05', currency: 'USD' } },
        ],
      });
      const { item } = await revenue.deferComponent(input);
      expect(item).toMatchObject({
        deferredAccount: 'liability:deferred-revenue:hotels',
        revenueAccount: 'revenue:hotels:direct',
        historicalRate: { baseCurrency: 'GBP', rate: '0.79', source: 'ECB', rateDate: bookingDate },
      });
      for (const date of ['2028-03-01', '2028-03-02', '2028-03-03']) await runAll(date);

      const entries = await db.prisma.journalEntry.findMany({
        where: { idempotencyKey: { startsWith: `revenue-recognition:${item.id}:` } },
        include: { postings: { include: { account: true }, orderBy: { id: 'asc' } } },
        orderBy: { accountingDate: 'asc' },
      });
      expect(
        entries.map((e) => e.postings.map((p) => [p.account.code, p.side, p.amount.toFixed(2), p.currency, p.baseAmount?.toFixed(2), p.baseCurrency, p.fxRate?.toFixed(), p.fxRateSource, p.fxRateDate?.toISOString().slice(0, 10), p.translationRule])),
      ).toEqual(
        ['263.35', '263.34', '263.35'].map((base) => [
          ['liability:deferred-revenue:hotels', 'DEBIT', '333.35', 'USD', base, 'GBP', '0.79', 'ECB', bookingDate, 'BOOKING_DATE'],
          ['revenue:hotels:direct', 'CREDIT', '333.35', 'USD', base, 'GBP', '0.79', 'ECB', bookingDate, 'BOOKING_DATE'],
        ]),
      );
      expect((await ledger.balance('liability:deferred-revenue:hotels', 'USD')).net).toBe('0.00');
      const translated = await ledger.translatedTrialBalance();
      expect(translated.accounts.find((a) => a.account === 'liability:deferred-revenue:hotels')).toMatchObject({ debits: '790.04', credits: '790.04', net: '0.00' });
      expect(translated.accounts.find((a) => a.account === 'revenue:hotels:direct')).toMatchObject({ net: '-790.04' });
      expect(await revenue.get(item.bookingRef, item.componentId)).toMatchObject({ status: 'RECOGNISED', remaining: '0.00' });
    });

    it('refuses a deferral without a rate on the booking date, naming the pair and the date, and stores nothing', async () => {
      const input = component({ amount: { amount: '100.00', currency: 'USD' }, serviceStart: '2028-07-01', serviceEnd: '2028-07-02', bookingDate: '2028-06-01' });
      const err = await revenue.deferComponent(input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RevenueError);
      expect(err).toMatchObject({ kind: 'rate-missing', problems: [{ path: 'amount/currency', message: expect.stringMatching(/^No USD\/GBP rate for 2028-06-01: .*\(rule BOOKING_DATE for booking, source ECB\)$/) }] });
      expect(await db.prisma.deferredRevenueItem.count({ where: { bookingRef: input.bookingRef } })).toBe(0);
      const badDate = await revenue.deferComponent({ ...input, bookingDate: '2028-02-30' }).catch((e: RevenueError) => e);
      expect((badDate as RevenueError).problems).toEqual([{ path: 'bookingDate', message: 'must be a calendar date written YYYY-MM-DD' }]);
    });

    it("takes the booking date from the operator's calendar when none is given, and carries base-currency components untranslated", async () => {
      const zone = 'Pacific/Kiritimati'; // UTC+14: its "today" is often not UTC's
      const today = calendarDateIn(Date.now(), zone);
      await new PrismaFxRates(db.prisma).importQuotes([{ source: 'ECB', base: 'USD', quote: 'GBP', rate: '0.8123', rateDate: today }]);
      const inZone = new PrismaDeferredRevenue(db.prisma, ledger, { operatorTimeZone: zone });
      const { item } = await inZone.deferComponent(component({ amount: { amount: '50.00', currency: 'USD' }, serviceStart: '2028-08-01', serviceEnd: '2028-08-01' }));
      expect(item.historicalRate).toEqual({ baseCurrency: 'GBP', rate: '0.8123', source: 'ECB', rateDate: today });
      const { item: gbp } = await inZone.deferComponent(component({ serviceStart: '2028-08-01', serviceEnd: '2028-08-01' }));
      expect(gbp.historicalRate).toBeNull();
      expect(() => new PrismaDeferredRevenue(db.prisma, ledger, { operatorTimeZone: 'Mars/Olympus' })).toThrow('Unknown IANA time zone: Mars/Olympus');
    });
  });

  it('recognises between the accounts stored at deferral even after the product account map changes; older items keep the lookup', async () => {
    const stored = (await revenue.deferComponent(component({ productType: 'transfers', serviceStart: '2028-09-01', serviceEnd: '2028-09-01', amount: { amount: '40.00', currency: 'GBP' } }))).item;
    const legacy = (await revenue.deferComponent(component({ productType: 'transfers', serviceStart: '2028-09-01', serviceEnd: '2028-09-01', amount: { amount: '60.00', currency: 'GBP' } }))).item;
    expect(stored).toMatchObject({ deferredAccount: 'liability:deferred-revenue:transfers', revenueAccount: 'revenue:transfers:direct' });
    // An item deferred before accounts were stored, then finance remaps transfers.
    await db.prisma.deferredRevenueItem.update({ where: { id: legacy.id }, data: { deferredAccount: null, revenueAccount: null } });
    await db.prisma.productAccountMap.create({ data: { productType: 'transfers', deferredAccount: 'liability:deferred-revenue:insurance', revenuePrefix: 'revenue:insurance', costAccount: 'expense:cost-of-sales:insurance' } });
    try {
      const before = { transfers: await net('liability:deferred-revenue:transfers'), insurance: await net('liability:deferred-revenue:insurance') };
      await runAll('2028-09-01');
      expect((await net('liability:deferred-revenue:transfers')).minus(before.transfers).toFixed(2)).toBe('40.00');
      expect((await net('liability:deferred-revenue:insurance')).minus(before.insurance).toFixed(2)).toBe('60.00');
      const credited = async (itemId: string) =>
        (await db.prisma.posting.findFirstOrThrow({ where: { side: 'CREDIT', entry: { idempotencyKey: recognitionKey(itemId, '2028-09-01') } }, include: { account: true } })).account.code;
      expect(await credited(stored.id)).toBe('revenue:transfers:direct');
      expect(await credited(legacy.id)).toBe('revenue:insurance:direct');
    } finally {
      await db.prisma.productAccountMap.delete({ where: { productType: 'transfers' } });
    }
  });

  it('keeps the cancellation date: a component cancelled after the report date still counts as deferred then', async () => {
    const { item } = await revenue.deferComponent(component({ serviceStart: '2029-01-10', serviceEnd: '2029-01-11', amount: { amount: '300.00', currency: 'GBP' } }));
    const cancelledAt = new Date('2028-04-10T12:00:00Z');
    expect(await revenue.cancelComponent(item.bookingRef, item.componentId, cancelledAt)).toMatchObject({ status: 'CANCELLED', cancelledAt: cancelledAt.getTime() });
    expect(await revenue.cancelComponent(item.bookingRef, item.componentId)).toMatchObject({ cancelledAt: cancelledAt.getTime() });
    const january = async (asOf: string) => (await revenue.deferredBalanceByTravelMonth(asOf)).filter((m) => m.travelMonth === '2029-01');
    expect(await january('2028-04-09')).toEqual([{ travelMonth: '2029-01', currency: 'GBP', items: 1, remaining: '300.00' }]);
    expect(await january('2028-04-10')).toEqual([]);
    // Cancelled before cancellation dates were kept: cancelled on every date.
    await db.prisma.deferredRevenueItem.update({ where: { id: item.id }, data: { cancelledAt: null } });
    expect(await january('2028-04-09')).toEqual([]);
  });
}
