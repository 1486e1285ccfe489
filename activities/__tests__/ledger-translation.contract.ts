import type { EntryDraft, PostingLine } from '../../domain/ledger/entry';
import type { Database } from '../../infra/database';
import { PrismaLedger } from '../ledger.prisma';
import { PrismaFxRates } from '../fx-rates.prisma';
import { LedgerError } from '../ports/ledger';

/**
 * Translation to the base currency, asked of every database. Needs a database of its own: it
 * writes the one-row finance settings, which every posting then reads.
 */
export function ledgerTranslationContract(open: () => Promise<Database>): void {
  let db: Database;
  let ledger: PrismaLedger;
  let n = 0;
  const line = (account: string, side: 'DEBIT' | 'CREDIT', amount: string, currency: string): PostingLine => ({ account, side, amount: { amount, currency } });
  const entry = (lines: PostingLine[], overrides: Partial<EntryDraft> = {}): EntryDraft => ({
    idempotencyKey: `translation:e${++n}`,
    description: 'Tour sold in dollars',
    accountingDate: '2027-01-16',
    lines,
    ...overrides,
  });

  beforeAll(async () => {
    db = await open();
    ledger = new PrismaLedger(db.prisma, db);
    await db.prisma.ledgerAccount.createMany({
      data: [
        { code: 'asset:bank:GBP', name: 'Bank GBP', type: 'ASSET', currency: 'GBP' },
        { code: 'asset:bank:USD', name: 'Bank USD', type: 'ASSET', currency: 'USD' },
        { code: 'asset:receivable:customers', name: 'Receivables', type: 'ASSET' },
        { code: 'revenue:packages:direct', name: 'Revenue', type: 'REVENUE' },
        { code: 'revenue:fx:unrealised-gain', name: 'Unrealised FX gain', type: 'REVENUE' },
      ],
    });
    await db.prisma.financeSettings.create({ data: { baseCurrency: 'GBP', rateSource: 'MANUAL', activeCurrencies: ['GBP', 'USD', 'EUR'] } });
    await db.prisma.fxTranslationRule.createMany({
      data: [
        { transactionType: 'booking', rule: 'BOOKING_DATE' },
        { transactionType: 'customer-payment', rule: 'PAYMENT_DATE' },
        { transactionType: 'supplier-invoice', rule: 'PERIOD_AVERAGE' },
      ],
    });
    // 1 USD = x GBP (Thursday 14th and Friday 15th; nothing on the weekend), 1 EUR = 0.85 GBP.
    await new PrismaFxRates(db.prisma).importQuotes([
      { source: 'MANUAL', base: 'USD', quote: 'GBP', rate: '0.7800', rateDate: '2027-01-04' },
      { source: 'MANUAL', base: 'USD', quote: 'GBP', rate: '0.7700', rateDate: '2027-01-11' },
      { source: 'MANUAL', base: 'USD', quote: 'GBP', rate: '0.7900', rateDate: '2027-01-14' },
      { source: 'MANUAL', base: 'USD', quote: 'GBP', rate: '0.8000', rateDate: '2027-01-15' },
      { source: 'MANUAL', base: 'EUR', quote: 'GBP', rate: '0.85', rateDate: '2027-01-15' },
    ]);
  });
  afterAll(() => db?.close());

  it('translates on the payment date by default, recording the rate date actually used (Saturday -> Friday)', async () => {
    const posted = await ledger.post(entry([line('asset:receivable:customers', 'DEBIT', '10000.00', 'USD'), line('revenue:packages:direct', 'CREDIT', '10000.00', 'USD')]));
    expect(posted.lines[0]!.translation).toEqual({ base: { amount: '8000.00', currency: 'GBP' }, rate: '0.8', source: 'MANUAL', rateDate: '2027-01-15', rule: 'PAYMENT_DATE' });
    const stored = await db.prisma.posting.findMany({ where: { entryId: posted.id }, orderBy: { id: 'asc' } });
    expect(stored.map((p) => [p.baseAmount?.toFixed(2), p.baseCurrency, p.fxRate?.toFixed(4), p.fxRateSource, p.fxRateDate?.toISOString().slice(0, 10), p.translationRule])).toEqual([
      ['8000.00', 'GBP', '0.8000', 'MANUAL', '2027-01-15', 'PAYMENT_DATE'],
      ['8000.00', 'GBP', '0.8000', 'MANUAL', '2027-01-15', 'PAYMENT_DATE'],
    ]);
  });

  it('uses the booking-date rate for the booking transaction type', async () => {
    const posted = await ledger.post(
      entry([line('asset:receivable:customers', 'DEBIT', '10000.00', 'USD'), line('revenue:packages:direct', 'CREDIT', '10000.00', 'USD')], { transactionType: 'booking', bookingDate: '2027-01-14' }),
    );
    expect(posted.lines[0]!.translation).toMatchObject({ base: { amount: '7900.00' }, rate: '0.79', rateDate: '2027-01-14', rule: 'BOOKING_DATE' });
  });

  it('uses the average of the month so far for the period-average rule', async () => {
    const posted = await ledger.post(
      entry([line('asset:receivable:customers', 'DEBIT', '100.00', 'USD'), line('revenue:packages:direct', 'CREDIT', '100.00', 'USD')], { transactionType: 'supplier-invoice' }),
    );
    // (0.78 + 0.77 + 0.79 + 0.80) / 4 = 0.785 -> USD 100.00 = GBP 78.50
    expect(posted.lines[0]!.translation).toMatchObject({ base: { amount: '78.50' }, rate: '0.785', rateDate: '2027-01-15', rule: 'PERIOD_AVERAGE' });
  });

  it('refuses a currency without a rate, naming the pair and the date, writing nothing', async () => {
    const draft = entry([line('asset:receivable:customers', 'DEBIT', '5000', 'JPY'), line('revenue:packages:direct', 'CREDIT', '5000', 'JPY')]);
    const err = await ledger.post(draft).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerError);
    expect((err as LedgerError).kind).toBe('rate-missing');
    expect((err as LedgerError).message).toMatch(/JPY\/GBP.*2027-01-16/);
    expect(await db.prisma.journalEntry.count({ where: { idempotencyKey: draft.idempotencyKey } })).toBe(0);
  });

  it('reverses at the original rates, so the reversal undoes the base figures exactly', async () => {
    const original = await ledger.post(entry([line('asset:bank:USD', 'DEBIT', '333.33', 'USD'), line('revenue:packages:direct', 'CREDIT', '333.33', 'USD')]));
    const reversal = await ledger.reverse(original.id, 'translation:rev-1', '2027-02-03');
    expect(reversal.lines.map((l) => [l.side, l.translation!.base.amount, l.translation!.rateDate])).toEqual([
      ['CREDIT', '266.66', '2027-01-15'],
      ['DEBIT', '266.66', '2027-01-15'],
    ]);
  });

  it('accepts a revaluation line in base currency on a single-currency account, and refuses one outside base', async () => {
    const posted = await ledger.post(
      entry([{ ...line('asset:bank:USD', 'DEBIT', '12.34', 'GBP'), revalues: 'USD' }, line('revenue:fx:unrealised-gain', 'CREDIT', '12.34', 'GBP')], { kind: 'fx-revaluation' }),
    );
    expect(posted.lines[0]).toMatchObject({ revalues: 'USD', translation: { rule: 'IDENTITY' } });
    await expect(ledger.post(entry([{ ...line('asset:bank:USD', 'DEBIT', '1.00', 'EUR'), revalues: 'USD' }, line('revenue:fx:unrealised-gain', 'CREDIT', '1.00', 'EUR')]))).rejects.toThrow(
      /revaluation line is in the base currency GBP/,
    );
  });

  it('reports the trial balance translated to base, balanced, and an account statement with each rate', async () => {
    const tb = await ledger.translatedTrialBalance('2027-12-31');
    expect(tb.baseCurrency).toBe('GBP');
    expect(tb.balanced).toBe(true);
    expect(tb.totals.debits).toBe(tb.totals.credits);
    expect(tb.untranslatedPostings).toBe(0);
    const statement = await ledger.statement('asset:receivable:customers', { from: '2027-01-01', to: '2027-01-31', currency: 'USD', limit: 2 });
    expect(statement.opening).toEqual([]);
    expect(statement.lines.map((l) => [l.amount.amount, l.balance, l.translation?.rate])).toEqual([
      ['10000.00', '10000.00', '0.8'],
      ['10000.00', '20000.00', '0.79'],
    ]);
    const next = await ledger.statement('asset:receivable:customers', { from: '2027-01-01', to: '2027-01-31', currency: 'USD', limit: 2, cursor: statement.nextCursor! });
    expect(next.opening).toEqual([{ currency: 'USD', balance: '20000.00' }]);
    expect(next.lines.map((l) => l.balance)).toEqual(['20100.00']);
    expect(next.nextCursor).toBeNull();
  });

  it('refuses, in the database, an entry that balances per currency but not in base', async () => {
    const bank = await db.prisma.ledgerAccount.findUniqueOrThrow({ where: { code: 'asset:bank:USD' } });
    const rev = await db.prisma.ledgerAccount.findUniqueOrThrow({ where: { code: 'revenue:packages:direct' } });
    const id = '00000000-0000-4000-8000-00000000b001';
    const tr = (base: string) => `${base}, 'GBP', 0.8, 'MANUAL', DATE '2027-01-15'`;
    await expect(
      db.execScript(
        `INSERT INTO journal_entries (id, idempotency_key, content_hash, description, accounting_date) VALUES ('${id}', 'translation:raw', repeat('0', 64), 'raw', DATE '2027-01-15');
         INSERT INTO postings (entry_id, account_id, side, amount, currency, base_amount, base_currency, fx_rate, fx_rate_source, fx_rate_date)
         VALUES ('${id}', '${bank.id}', 'DEBIT', 10, 'USD', ${tr('8.00')}), ('${id}', '${rev.id}', 'CREDIT', 10, 'USD', ${tr('7.99')});`,
      ),
    ).rejects.toThrow(/does not balance in base currency/);
  });
}
