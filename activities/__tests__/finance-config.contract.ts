import type { Database } from '../../infra/database';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import { seedChartOfAccounts } from '../chart-seed.prisma';
import { FinanceConfigError, PrismaFinanceConfig } from '../finance-config.prisma';
import { PrismaLedger } from '../ledger.prisma';

/** Go-live readiness and the configuration it checks, on every database. Needs its own database. */
export function financeConfigContract(open: () => Promise<Database>): void {
  let db: Database;
  let config: PrismaFinanceConfig;
  const today = '2027-03-10';

  beforeAll(async () => {
    db = await open();
    config = new PrismaFinanceConfig(db.prisma);
  });
  afterAll(() => db?.close());

  it('lists every failure of an empty set-up at once', async () => {
    const report = await config.readiness(today);
    expect(report.ready).toBe(false);
    const checks = new Set(report.failures.map((f) => f.check));
    expect([...checks].sort()).toEqual(['account-missing', 'settings-missing', 'translation-rule-missing']);
    expect(report.failures.map((f) => f.detail)).toEqual(expect.arrayContaining([
      expect.stringContaining('account liability:deferred-revenue:cruises (cruises deferred revenue) does not exist'),
      expect.stringContaining('account revenue:fx:unrealised-gain'),
      expect.stringContaining('no translation rule for "supplier-invoice"'),
    ]));
  });

  it('passes with the demo configuration, leaving no sample posting behind', async () => {
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts({ bankCurrencies: ['GBP', 'EUR', 'USD'], paymentMethods: ['card'] }));
    await config.seedDemoConfig('GBP', ['EUR', 'USD', 'KWD', 'JPY'], today);
    const report = await config.readiness(today);
    expect(report.failures).toEqual([]);
    expect(report.ready).toBe(true);
    expect(await db.prisma.journalEntry.count()).toBe(0);
    // Seeding again changes nothing.
    await config.seedDemoConfig('GBP', ['EUR', 'USD', 'KWD', 'JPY'], today);
    expect(await db.prisma.fxRate.count({ where: { source: 'DEMO' } })).toBe(24 * 7);
  });

  it('names an active currency without a rate, and a product type mapped to missing accounts', async () => {
    const settings = (await config.settings())!;
    await config.putSettings({ ...settings, activeCurrencies: [...settings.activeCurrencies, 'XOF'] }, 'fin-2');
    await expect(config.putProductAccounts('cruises', { revenuePrefix: 'revenue:cruises', deferredAccount: 'liability:deferred:nowhere', costAccount: 'expense:cost-of-sales:cruises' })).rejects.toThrow(
      FinanceConfigError,
    );
    const report = await config.readiness(today);
    expect(report.failures).toEqual([{ check: 'rate-missing', detail: expect.stringMatching(/^XOF: No XOF\/GBP rate for 2027-03-10/) }]);
    await config.putSettings(settings, 'fin-2');
  });

  it('fixes the base currency once postings are translated into it', async () => {
    await new PrismaLedger(db.prisma).post({
      idempotencyKey: 'config-test:first',
      description: 'First deposit',
      accountingDate: today,
      lines: [
        { account: 'asset:bank:GBP', side: 'DEBIT', amount: { amount: '10.00', currency: 'GBP' } },
        { account: 'liability:customer-deposits', side: 'CREDIT', amount: { amount: '10.00', currency: 'GBP' } },
      ],
    });
    const settings = (await config.settings())!;
    await expect(config.putSettings({ ...settings, baseCurrency: 'EUR' }, 'fin-3')).rejects.toThrow(/base currency is GBP and 2 postings are already translated/);
  });
}
