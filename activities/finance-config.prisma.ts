import type { Prisma, PrismaClient } from '../generated/prisma/client';
import {
  conventionalProductAccounts,
  evaluateReadiness,
  READINESS_CHECKS,
  type ProductAccounts,
  type ReadinessFailure,
  type ReadinessReport,
} from '../domain/finance/readiness';
import { RateMissingError } from '../domain/fx/rates';
import { PRODUCT_TYPES } from '../domain/ledger/chart';
import type { TranslationRule } from '../domain/ledger/entry';
import { TRANSACTION_TYPES } from '../domain/ledger/translation';
import { isCurrencyCode } from '../domain/money/currency';
import { DAY_MS, isoDateOf, startOfDateUtc } from '../domain/time/instant';
import { PrismaFxRates } from './fx-rates.prisma';
import { PrismaLedger } from './ledger.prisma';
import { LedgerError } from './ports/ledger';

export interface FinanceSettingsView {
  baseCurrency: string;
  rateSource: string;
  activeCurrencies: string[];
  recognitionPolicy: 'PRO_RATA_DAILY' | 'AT_DEPARTURE';
  noShowPolicy: 'SCHEDULED_DATE' | 'SUPPLIER_CONFIRMATION';
  updatedAt: number;
  updatedBy: string | null;
}

export type SettingsInput = Omit<FinanceSettingsView, 'updatedAt' | 'updatedBy'>;

/** A configuration change that would corrupt the books: refused with the reason. */
export class FinanceConfigError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'FinanceConfigError';
  }
}

class Rollback extends Error {}

/** Finance configuration: settings, translation rules, product account map, go-live readiness. */
export class PrismaFinanceConfig {
  constructor(private readonly prisma: PrismaClient) {}

  async settings(): Promise<FinanceSettingsView | null> {
    const row = await this.prisma.financeSettings.findUnique({ where: { id: 1 } });
    if (!row) return null;
    return {
      baseCurrency: row.baseCurrency,
      rateSource: row.rateSource,
      activeCurrencies: row.activeCurrencies,
      recognitionPolicy: row.recognitionPolicy as FinanceSettingsView['recognitionPolicy'],
      noShowPolicy: row.noShowPolicy as FinanceSettingsView['noShowPolicy'],
      updatedAt: row.updatedAt.getTime(),
      updatedBy: row.updatedBy,
    };
  }

  /**
   * Sets the settings. The base currency is fixed once anything has been posted: changing it
   * would make every stored translation wrong (the fix is a new company ledger, not an edit).
   */
  async putSettings(input: SettingsInput, by: string): Promise<FinanceSettingsView> {
    const current = await this.prisma.financeSettings.findUnique({ where: { id: 1 } });
    if (current && current.baseCurrency !== input.baseCurrency) {
      const posted = await this.prisma.posting.count({ where: { baseCurrency: { not: null } } });
      if (posted > 0) {
        throw new FinanceConfigError(
          `The base currency is ${current.baseCurrency} and ${posted} postings are already translated into it; it cannot change to ${input.baseCurrency}`,
          'baseCurrency',
        );
      }
    }
    const data = {
      baseCurrency: input.baseCurrency,
      rateSource: input.rateSource,
      activeCurrencies: [...new Set(input.activeCurrencies)].sort(),
      recognitionPolicy: input.recognitionPolicy,
      noShowPolicy: input.noShowPolicy,
      updatedBy: by,
    };
    await this.prisma.financeSettings.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
    return (await this.settings())!;
  }

  async translationRules(): Promise<Array<{ transactionType: string; rule: TranslationRule }>> {
    return (await this.prisma.fxTranslationRule.findMany({ orderBy: { transactionType: 'asc' } })).map((r) => ({ transactionType: r.transactionType, rule: r.rule }));
  }

  /** Sets the rule of each named transaction type (others unchanged). Postings already made keep their stored rate. */
  async putTranslationRules(rules: Array<{ transactionType: string; rule: TranslationRule }>): Promise<Array<{ transactionType: string; rule: TranslationRule }>> {
    await this.prisma.$transaction(
      rules.map((r) => this.prisma.fxTranslationRule.upsert({ where: { transactionType: r.transactionType }, create: r, update: { rule: r.rule } })),
    );
    return this.translationRules();
  }

  /** Every product type with the accounts it posts to (finance's mapping, else the chart's convention). */
  async productAccounts(): Promise<Array<ProductAccounts & { mapped: boolean }>> {
    const rows = new Map((await this.prisma.productAccountMap.findMany()).map((r) => [r.productType, r]));
    const types = [...new Set([...PRODUCT_TYPES, ...rows.keys()])];
    return types.map((p) => {
      const row = rows.get(p);
      return row ? { ...row, mapped: true } : { ...conventionalProductAccounts(p), mapped: false };
    });
  }

  async putProductAccounts(productType: string, accounts: Omit<ProductAccounts, 'productType'>): Promise<ProductAccounts> {
    const revenue = await this.prisma.ledgerAccount.count({ where: { code: { startsWith: `${accounts.revenuePrefix}:` }, isActive: true } });
    const named = await this.prisma.ledgerAccount.findMany({ where: { code: { in: [accounts.deferredAccount, accounts.costAccount] }, isActive: true } });
    const missing = [accounts.deferredAccount, accounts.costAccount].filter((c) => !named.some((a) => a.code === c));
    if (missing.length) throw new FinanceConfigError(`No active account ${missing.join(', ')}`, missing[0] === accounts.deferredAccount ? 'deferredAccount' : 'costAccount');
    if (revenue === 0) throw new FinanceConfigError(`No active revenue account under ${accounts.revenuePrefix}: (one per sales channel, e.g. ${accounts.revenuePrefix}:direct)`, 'revenuePrefix');
    const row = await this.prisma.productAccountMap.upsert({ where: { productType }, create: { productType, ...accounts }, update: accounts });
    return row;
  }

  /**
   * Go-live readiness at `today`: the configuration checks of {@link evaluateReadiness}, then
   * sample transactions (a booking and a customer payment in every active currency) posted,
   * translated and balance-checked inside a database transaction that is rolled back.
   */
  async readiness(today: string): Promise<ReadinessReport> {
    const settings = await this.settings();
    const [accounts, products, rules] = await Promise.all([
      this.prisma.ledgerAccount.findMany({ where: { isActive: true }, select: { code: true } }),
      this.productAccounts(),
      this.translationRules(),
    ]);
    const rateProblems = new Map<string, string>();
    if (settings) {
      const fx = new PrismaFxRates(this.prisma);
      for (const currency of settings.activeCurrencies.filter((c) => c !== settings.baseCurrency)) {
        try {
          await fx.resolve(currency, settings.baseCurrency, today, settings.rateSource);
        } catch (err) {
          if (!(err instanceof RateMissingError)) throw err;
          rateProblems.set(currency, `${err.message} (source ${settings.rateSource})`);
        }
      }
    }
    const failures = evaluateReadiness({
      settings,
      activeAccounts: new Set(accounts.map((a) => a.code)),
      productAccounts: new Map(products.map((p) => [p.productType, p])),
      translationRules: new Map(rules.map((r) => [r.transactionType, r.rule])),
      rateProblems,
    });
    if (settings && failures.length === 0) failures.push(...(await this.sampleTransactions(settings, products, today)));
    return { ready: failures.length === 0, checkedAt: new Date().toISOString(), baseCurrency: settings?.baseCurrency ?? null, failures, checks: READINESS_CHECKS };
  }

  private async sampleTransactions(settings: FinanceSettingsView, products: ProductAccounts[], today: string): Promise<ReadinessFailure[]> {
    const failures: ReadinessFailure[] = [];
    const packages = products.find((p) => p.productType === 'packages') ?? conventionalProductAccounts('packages');
    try {
      await this.prisma.$transaction(async (tx: Prisma.TransactionClient) => {
        // Deferred balance checks run at once, inside the sample, not at a commit that never comes.
        await tx.$executeRawUnsafe('SET CONSTRAINTS ALL IMMEDIATE');
        const ledger = new PrismaLedger(tx);
        for (const currency of settings.activeCurrencies) {
          const amount = { amount: '100', currency };
          const samples = [
            { type: 'booking', lines: [{ account: 'asset:receivable:customers', side: 'DEBIT' as const, amount }, { account: packages.deferredAccount, side: 'CREDIT' as const, amount }] },
            { type: 'customer-payment', lines: [{ account: `asset:bank:${settings.baseCurrency}`, side: 'DEBIT' as const, amount: { amount: '100', currency: settings.baseCurrency } }, { account: 'liability:customer-deposits', side: 'CREDIT' as const, amount: { amount: '100', currency: settings.baseCurrency } }] },
          ];
          for (const s of samples) {
            try {
              const posted = await ledger.post({
                idempotencyKey: `readiness-sample:${today}:${currency}:${s.type}`,
                description: `Readiness sample ${s.type} in ${currency} (rolled back)`,
                accountingDate: today,
                bookingDate: today,
                transactionType: s.type,
                lines: s.lines,
              });
              if (posted.lines.some((l) => !l.translation)) failures.push({ check: 'sample-transaction', detail: `sample ${s.type} in ${currency} was not translated into ${settings.baseCurrency}` });
            } catch (err) {
              if (!(err instanceof LedgerError)) throw err;
              failures.push({ check: 'sample-transaction', detail: `sample ${s.type} in ${currency}: ${err.message}` });
            }
          }
        }
        throw new Rollback('readiness samples are never kept');
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
    return failures;
  }

  /**
   * The embedded default's demo configuration, so `npm start` is ready to take bookings: settings
   * (base currency, the bank currencies active), a translation rule per transaction type, and
   * illustrative DEMO-source rates for the last week. Never used for a production database.
   */
  async seedDemoConfig(baseCurrency: string, currencies: string[], today: string): Promise<void> {
    const bad = [baseCurrency, ...currencies].filter((c) => !isCurrencyCode(c));
    if (bad.length) throw new FinanceConfigError(`Not ISO 4217 currency codes: ${bad.join(', ')}`, 'currencies');
    const active = [...new Set([baseCurrency, ...currencies])];
    const existing = await this.settings();
    if (!existing) await this.putSettings({ baseCurrency, rateSource: 'DEMO', activeCurrencies: active, recognitionPolicy: 'PRO_RATA_DAILY', noShowPolicy: 'SCHEDULED_DATE' }, 'demo-seed');
    const have = new Set((await this.translationRules()).map((r) => r.transactionType));
    await this.putTranslationRules(TRANSACTION_TYPES.filter((t) => !have.has(t)).map((t) => ({ transactionType: t, rule: DEMO_RULES[t] })));
    // Illustrative euro reference rates (units per 1 EUR), published daily for the last 7 days.
    const quotes = [];
    for (let d = 0; d < 7; d++) {
      const rateDate = isoDateOf(startOfDateUtc(today) - d * DAY_MS);
      for (const [quote, rate] of Object.entries(DEMO_EUR_RATES)) quotes.push({ source: 'DEMO', base: 'EUR', quote, rate, rateDate });
    }
    await new PrismaFxRates(this.prisma).importQuotes(quotes, 'demo-seed');
  }
}

const DEMO_RULES: Record<(typeof TRANSACTION_TYPES)[number], TranslationRule> = {
  booking: 'BOOKING_DATE',
  'customer-payment': 'PAYMENT_DATE',
  refund: 'PAYMENT_DATE',
  'supplier-invoice': 'BOOKING_DATE',
  'supplier-payment': 'PAYMENT_DATE',
  commission: 'PAYMENT_DATE',
  'revenue-recognition': 'PERIOD_AVERAGE',
  'atol-contribution': 'BOOKING_DATE',
};

const DEMO_EUR_RATES: Record<string, string> = {
  GBP: '0.8500', USD: '1.0800', JPY: '162.50', CHF: '0.9600', AUD: '1.6500', CAD: '1.4700', NZD: '1.7900', SEK: '11.3000',
  NOK: '11.5000', DKK: '7.4600', PLN: '4.3000', CZK: '25.100', HUF: '395.00', ZAR: '19.900', SGD: '1.4500', HKD: '8.4300',
  INR: '90.100', THB: '38.500', AED: '3.9700', TRY: '35.000', MXN: '19.800', BRL: '5.9000', KWD: '0.33200', BHD: '0.40700',
};
