import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { seedChartOfAccounts } from '../../activities/chart-seed.prisma';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import type { Database } from '../../infra/database';
import { financeDeps } from '../../infra/finance';
import { TemporalClientProvider } from '../../infra/temporal';
import { silentLogger, testAccess, withApiKey } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { createApp } from '../app';
import {
  AccountBalanceView,
  AccountingPeriodResponse,
  AccountStatementResponse,
  FinanceSettingsView,
  ProductAccountsPageResponse,
  ProductAccountsView,
  RateFeedImportResponse,
  ResolvedRateResponse,
  TranslationRulesResponse,
  TrialBalanceResponse,
} from '../schemas/finance.schema';
import { expectPagingRefusals, walkPages } from '../../test/support/paging';
import { ManualRateView, StoredRateView } from '../openapi/responses';

describe('finance API (embedded PGlite)', () => {
  let db: Database;
  let feed: http.Server;
  let app: ReturnType<typeof createApp>;
  let feedStatus = 200;

  beforeAll(async () => {
    db = await openTestPglite();
    feed = http.createServer((_req, res) => {
      res.writeHead(feedStatus, { 'content-type': 'text/xml' });
      res.end(feedStatus === 200 ? readFileSync(path.join(__dirname, '../../adapters/ecb-xml/__fixtures__/eurofxref-hist-3d.xml')) : 'maintenance');
    });
    await new Promise<void>((r) => feed.listen(0, '127.0.0.1', () => r()));
    const feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/eurofxref-hist-90d.xml`;
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
    app = withApiKey(createApp({
      db,
      bookings: new PrismaBookingStore(db.prisma),
      // Finance routes never call Temporal; nothing listens on this port.
      temporal: new TemporalClientProvider({ address: '127.0.0.1:1', namespace: 'default' }),
      logger: silentLogger,
      operatorTimeZone: 'UTC',
      finance: financeDeps(db.prisma, { ecbRatesUrl: feedUrl }),
      access: testAccess(db),
    }), db);
  });
  afterAll(async () => {
    await new Promise((r) => feed.close(r));
    await db?.close();
  });

  it('imports the ECB feed idempotently and looks rates up with the date actually used', async () => {
    const first = await request(app).post('/finance/rates/import').expect(200);
    // The answers have the shapes the OpenAPI document gives them.
    RateFeedImportResponse.parse(first.body);
    expect(first.body).toMatchObject({ source: 'ECB', dates: ['2026-11-25', '2026-11-26', '2026-11-27'], inserted: 9, unchanged: 0 });
    expect(first.body.currencies).toEqual(['GBP', 'JPY', 'RUB', 'USD']);
    const again = await request(app).post('/finance/rates/import').query({ feed: 'ECB' }).expect(200);
    expect(again.body).toMatchObject({ inserted: 0, unchanged: 9 });
    const unknown = await request(app).post('/finance/rates/import').query({ feed: 'TREASURY' }).expect(404);
    expect(unknown.body.detail).toBe('No rate feed "TREASURY" is configured (configured: ECB)');

    const rate = await request(app).get('/finance/rates').query({ from: 'GBP', to: 'USD', date: '2026-11-28' }).expect(200);
    ResolvedRateResponse.parse(rate.body);
    expect(rate.body).toEqual({ from: 'GBP', to: 'USD', rate: '1.263233792', source: 'ECB', requestedDate: '2026-11-28', rateDate: '2026-11-27', path: 'cross via EUR' });
  });

  it('answers a missing rate with 404 naming the pair and date, and bad queries with 400', async () => {
    const missing = await request(app).get('/finance/rates').query({ from: 'EUR', to: 'CHF', date: '2026-11-27' }).expect(404);
    expect(missing.body.detail).toMatch(/^No EUR\/CHF rate for 2026-11-27/);
    const bad = await request(app).get('/finance/rates').query({ from: 'eur', date: '2026-13-01' }).expect(400);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['query:/from', 'query:/to', 'query:/date']);
  });

  it('takes manual rates, refuses to overwrite one, and reports an unreachable feed as 502', async () => {
    const stored = await request(app).post('/finance/rates').send({ base: 'GBP', quote: 'AED', rate: '4.6512', rateDate: '2026-11-27' }).expect(201);
    expect(stored.headers.location).toBe('/finance/rates/MANUAL/GBP/AED/2026-11-27');
    const { created, ...sent } = ManualRateView.parse(stored.body);
    expect(created).toBe(true);
    const read = await request(app).get(stored.headers.location!).expect(200);
    StoredRateView.parse(read.body);
    expect(read.body).toEqual({ ...sent, source: 'MANUAL', importedAt: expect.any(Number), importedBy: 'api' });
    const repeat = await request(app).post('/finance/rates').send({ base: 'GBP', quote: 'AED', rate: '4.6512', rateDate: '2026-11-27' }).expect(200);
    expect(repeat.headers.location).toBeUndefined();
    expect(ManualRateView.parse(repeat.body).created).toBe(false);
    // The same rate written with trailing zeros is the same rate: answered as stored, not as sent.
    const padded = await request(app).post('/finance/rates').send({ base: 'GBP', quote: 'AED', rate: '4.65120', rateDate: '2026-11-27' }).expect(200);
    expect(padded.body).toMatchObject({ rate: '4.6512', created: false });
    const clash = await request(app).post('/finance/rates').send({ base: 'GBP', quote: 'AED', rate: '4.7000', rateDate: '2026-11-27' }).expect(409);
    expect(clash.body.detail).toContain('already recorded as 4.6512');
    const manual = await request(app).get('/finance/rates').query({ from: 'AED', to: 'GBP', date: '2026-11-29', source: 'MANUAL' }).expect(200);
    expect(manual.body).toMatchObject({ rate: '0.21499828', rateDate: '2026-11-27', path: 'inverse' });
    const invalid = await request(app).post('/finance/rates').send({ base: 'GBP', quote: 'GBP', rate: '-1', rateDate: 'today' }).expect(422);
    expect(invalid.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/quote', '/rate', '/rate', '/rateDate']);
    feedStatus = 503;
    try {
      const down = await request(app).post('/finance/rates/import').expect(502);
      expect(down.body.title).toBe('Rate feed unavailable');
    } finally {
      feedStatus = 200;
    }
  });

  it('answers a stored rate or period that does not exist with 404 problems, and malformed ones with 400', async () => {
    await request(app).post('/finance/rates').send({ base: 'GBP', quote: 'CHF', rate: '1.1200', rateDate: '2026-11-20' }).expect(201);
    // Exactly what is stored: no earlier publication and no inverse, unlike GET /finance/rates.
    for (const url of ['/finance/rates/MANUAL/GBP/CHF/2026-11-21', '/finance/rates/MANUAL/CHF/GBP/2026-11-20', '/finance/rates/ECB/GBP/CHF/2026-11-20']) {
      const missing = await request(app).get(url).expect(404);
      expect(missing.type).toBe('application/problem+json');
      expect(missing.body).toMatchObject({ status: 404, instance: url });
    }
    const missingRate = await request(app).get('/finance/rates/MANUAL/GBP/CHF/2026-11-21').expect(404);
    expect(missingRate.body.detail).toBe('No MANUAL GBP/CHF rate is stored for 2026-11-21');
    const badRate = await request(app).get('/finance/rates/manual/GBP/chf/21-11-2026').expect(400);
    expect(badRate.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['path:/source', 'path:/quote', 'path:/rateDate']);

    const missingPeriod = await request(app).get('/finance/periods/2099-01').expect(404);
    expect(missingPeriod.type).toBe('application/problem+json');
    expect(missingPeriod.body).toMatchObject({ status: 404, detail: 'No accounting period 2099-01' });
    const badPeriod = await request(app).get(`/finance/periods/${'x'.repeat(33)}`).expect(400);
    expect(badPeriod.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['path:/name']);
  });

  it('shows a balanced trial balance and account balances from the ledger', async () => {
    const { ledger } = financeDeps(db.prisma);
    await ledger.post({
      idempotencyKey: 'booking-ITN-TB000001:deposit:p1',
      description: 'Deposit by card',
      accountingDate: '2026-11-27',
      lines: [
        { account: 'asset:clearing:card', side: 'DEBIT', amount: { amount: '500.00', currency: 'GBP' } },
        { account: 'liability:customer-deposits', side: 'CREDIT', amount: { amount: '500.00', currency: 'GBP' } },
      ],
    });
    const tb = await request(app).get('/finance/trial-balance').query({ asOf: '2026-11-30' }).expect(200);
    TrialBalanceResponse.parse(tb.body);
    expect(tb.body.totals).toEqual([{ currency: 'GBP', debits: '500.00', credits: '500.00', balanced: true }]);
    const before = await request(app).get('/finance/trial-balance').query({ asOf: '2026-11-26' }).expect(200);
    expect(before.body.accounts).toEqual([]);
    const bal = await request(app).get('/finance/accounts/liability:customer-deposits/balance').query({ currency: 'GBP' }).expect(200);
    AccountBalanceView.parse(bal.body);
    expect(bal.body).toEqual({ account: 'liability:customer-deposits', currency: 'GBP', debits: '0.00', credits: '500.00', net: '-500.00' });
  });

  it('defines and closes accounting periods; a closed period takes no postings', async () => {
    const defined = await request(app).post('/finance/periods').send({ name: '2026-10', startsOn: '2026-10-01', endsOn: '2026-10-31' }).expect(201);
    AccountingPeriodResponse.parse(defined.body);
    expect(defined.body).toMatchObject({ name: '2026-10', status: 'OPEN' });
    expect(defined.headers.location).toBe('/finance/periods/2026-10');
    expect((await request(app).get(defined.headers.location!).expect(200)).body).toEqual(defined.body);
    const repeat = await request(app).post('/finance/periods').send({ name: '2026-10', startsOn: '2026-10-01', endsOn: '2026-10-31' }).expect(201);
    expect(repeat.headers.location).toBe('/finance/periods/2026-10');
    const overlap = await request(app).post('/finance/periods').send({ name: 'Q4', startsOn: '2026-10-15', endsOn: '2026-12-31' }).expect(422);
    expect(overlap.body.detail).toContain('would overlap period 2026-10');
    const backwards = await request(app).post('/finance/periods').send({ name: 'bad', startsOn: '2026-12-31', endsOn: '2026-12-01' }).expect(422);
    expect(backwards.body.errors).toEqual([{ pointer: '/endsOn', detail: 'must not be before startsOn (2026-12-31)' }]);

    const closed = await request(app).post('/finance/periods/2026-10/close').send({ closedBy: 'finance-lead' }).expect(200);
    AccountingPeriodResponse.parse(closed.body);
    expect(closed.body).toMatchObject({ status: 'CLOSED', closedBy: 'finance-lead' });
    expect((await request(app).get('/finance/periods/2026-10').expect(200)).body).toEqual(closed.body);
    await request(app).post('/finance/periods/2099-01/close').send({ closedBy: 'x' }).expect(404);
    expect((await request(app).get('/finance/periods').expect(200)).body).toEqual({ items: [closed.body], nextCursor: null });

    const { ledger } = financeDeps(db.prisma);
    await expect(
      ledger.post({
        idempotencyKey: 'late-adjustment-1',
        description: 'Late adjustment',
        accountingDate: '2026-10-31',
        lines: [
          { account: 'asset:bank:GBP', side: 'DEBIT', amount: { amount: '1.00', currency: 'GBP' } },
          { account: 'revenue:packages:direct', side: 'CREDIT', amount: { amount: '1.00', currency: 'GBP' } },
        ],
      }),
    ).rejects.toThrow('Accounting period 2026-10 is closed; cannot post on 2026-10-31');
  });

  it('pages accounting periods by start date with limit and cursor; a cursor it did not hand out is 400', async () => {
    // Defined out of order: the list is by start date, whatever the order of definition or the names.
    for (const [name, startsOn, endsOn] of [
      ['P-2031-03', '2031-03-01', '2031-03-31'],
      ['P-2031-01', '2031-01-01', '2031-01-31'],
      ['A-2031-02', '2031-02-01', '2031-02-28'],
    ]) {
      await request(app).post('/finance/periods').send({ name, startsOn, endsOn }).expect(201);
    }
    const all = (await request(app).get('/finance/periods').expect(200)).body;
    expect(all.nextCursor).toBeNull();
    const starts = all.items.map((p: { startsOn: string }) => p.startsOn);
    expect(starts).toEqual([...starts].sort());
    expect(all.items.map((p: { name: string }) => p.name).slice(-3)).toEqual(['P-2031-01', 'A-2031-02', 'P-2031-03']);

    expect(await walkPages(app, '/finance/periods')).toEqual(all.items);
    await expectPagingRefusals(app, '/finance/periods', ['garbage', Buffer.from('["2031-01-01"]').toString('base64url'), Buffer.from('["soon","P-2031-01"]').toString('base64url')]);
    expect((await request(app).get('/finance/periods').query({ limit: 0 }).expect(400)).body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['query:/limit']);
  });

  it('lists the product accounts, one per product type, in the list envelope', async () => {
    const res = await request(app).get('/finance/product-accounts').expect(200);
    ProductAccountsPageResponse.parse(res.body);
    expect(res.body).toEqual({ items: expect.any(Array), nextCursor: null });
    expect(res.body.items.map((p: { productType: string }) => p.productType)).toEqual(expect.arrayContaining(['packages', 'flights', 'hotels']));
    expect(res.body.items[0]).toMatchObject({ productType: expect.any(String), mapped: expect.any(Boolean) });
    // Mapping a product type to the chart's conventional accounts: the mapping as stored, then listed as mapped.
    const accounts = { revenuePrefix: 'revenue:hotels', deferredAccount: 'liability:deferred-revenue:hotels', costAccount: 'expense:cost-of-sales:hotels' };
    const put = await request(app).put('/finance/product-accounts/hotels').send(accounts).expect(200);
    expect(ProductAccountsView.parse(put.body)).toEqual({ productType: 'hotels', ...accounts });
    const mapped = ProductAccountsPageResponse.parse((await request(app).get('/finance/product-accounts').expect(200)).body);
    expect(mapped.items.find((p) => p.productType === 'hotels')).toEqual({ productType: 'hotels', ...accounts, mapped: true });
  });

  it('sets the base currency, then translates postings: trial balance in base and an account statement with rates', async () => {
    await request(app).put('/finance/settings').send({ baseCurrency: 'GBP', rateSource: 'ECB', activeCurrencies: ['USD'], updatedBy: 'fin' }).expect(422);
    FinanceSettingsView.parse((await request(app).put('/finance/settings').send({ baseCurrency: 'GBP', rateSource: 'ECB', activeCurrencies: ['GBP', 'USD'], updatedBy: 'fin' }).expect(200)).body);
    FinanceSettingsView.parse((await request(app).get('/finance/settings').expect(200)).body);
    await request(app).put('/finance/translation-rules').send({ rules: [{ transactionType: 'booking', rule: 'SOMETIMES' }] }).expect(422);
    TranslationRulesResponse.parse((await request(app).put('/finance/translation-rules').send({ rules: [{ transactionType: 'booking', rule: 'BOOKING_DATE' }] }).expect(200)).body);
    TranslationRulesResponse.parse((await request(app).get('/finance/translation-rules').expect(200)).body);
    const { ledger } = financeDeps(db.prisma);
    // ECB fixture: 2026-11-27 EUR/USD 1.0567, EUR/GBP 0.8365 -> 1 USD = 0.7916154064 GBP (cross via EUR).
    await ledger.post({
      idempotencyKey: 'booking-ITN-USD00001:sold',
      description: 'Tour sold in dollars',
      accountingDate: '2026-11-28',
      bookingDate: '2026-11-27',
      transactionType: 'booking',
      lines: [
        { account: 'asset:receivable:customers', side: 'DEBIT', amount: { amount: '1000.00', currency: 'USD' } },
        { account: 'liability:deferred-revenue:tours', side: 'CREDIT', amount: { amount: '1000.00', currency: 'USD' } },
      ],
    });
    const statement = await request(app).get('/finance/accounts/asset:receivable:customers/statement').query({ from: '2026-11-01', to: '2026-11-30' }).expect(200);
    AccountStatementResponse.parse(statement.body);
    expect(statement.body.lines).toHaveLength(1);
    expect(statement.body.lines[0]).toMatchObject({ amount: { amount: '1000.00', currency: 'USD' }, balance: '1000.00', translation: { source: 'ECB', rateDate: '2026-11-27', rule: 'BOOKING_DATE' } });
    const baseAmount = statement.body.lines[0].translation.base.amount as string;
    expect(baseAmount).toMatch(/^7\d\d\.\d\d$/);
    const tb = await request(app).get('/finance/trial-balance').query({ view: 'base' }).expect(200);
    TrialBalanceResponse.parse(tb.body);
    expect(tb.body).toMatchObject({ baseCurrency: 'GBP', balanced: true });
    // Earlier GBP postings in this file were made before the base currency was set: reported, not guessed.
    expect(tb.body.untranslatedPostings).toBeGreaterThan(0);
    expect(tb.body.accounts).toContainEqual(expect.objectContaining({ account: 'asset:receivable:customers', debits: baseAmount }));
    await request(app).get('/finance/accounts/asset:nowhere/statement').query({ from: '2026-11-01', to: '2026-11-30' }).expect(404);
    await request(app).get('/finance/accounts/asset:receivable:customers/statement').query({ from: '2026-11-30', to: '2026-11-01' }).expect(422);
    await request(app).get('/finance/accounts/asset:receivable:customers/statement').query({ from: 'yesterday' }).expect(400);
  });
});
