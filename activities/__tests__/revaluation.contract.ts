import { travelChartOfAccounts } from '../../domain/ledger/chart';
import type { PostingLine } from '../../domain/ledger/entry';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Database } from '../../infra/database';
import { seedChartOfAccounts } from '../chart-seed.prisma';
import { PrismaFxRates } from '../fx-rates.prisma';
import { PrismaLedger } from '../ledger.prisma';
import { PrismaFxRevaluation, RevaluationError } from '../revaluation.prisma';

/** Base GBP, MANUAL rates, the travel chart (CHF bank account included). Shared by the revaluation suites. */
export async function setUpRevaluationBooks(prisma: PrismaClient, rates: Array<[currency: string, date: string, rate: string]>): Promise<void> {
  await prisma.financeSettings.create({ data: { id: 1, baseCurrency: 'GBP', rateSource: 'MANUAL', activeCurrencies: ['GBP', 'USD', 'EUR', 'CHF'] } });
  await seedChartOfAccounts(prisma, travelChartOfAccounts({ bankCurrencies: ['GBP', 'EUR', 'USD', 'CHF'], paymentMethods: ['card'] }));
  await addManualRates(prisma, rates);
}

export async function addManualRates(prisma: PrismaClient, rates: Array<[currency: string, date: string, rate: string]>): Promise<void> {
  await new PrismaFxRates(prisma).importQuotes(rates.map(([base, rateDate, rate]) => ({ source: 'MANUAL', base, quote: 'GBP', rate, rateDate })), 'test');
}

export const line = (account: string, side: 'DEBIT' | 'CREDIT', amount: string, currency: string): PostingLine => ({ account, side, amount: { amount, currency } });

const RECEIVABLE = 'asset:receivable:customers';

/** The month-end revaluation, asked of every database Itinera runs on. */
export function revaluationContract(open: () => Promise<Database>): void {
  let db: Database;
  let ledger: PrismaLedger;
  let revaluation: PrismaFxRevaluation;

  const kindCount = async (kind: string) => db.prisma.journalEntry.count({ where: { kind } });

  beforeAll(async () => {
    db = await open();
    ledger = new PrismaLedger(db.prisma);
    revaluation = new PrismaFxRevaluation(db.prisma);
    await setUpRevaluationBooks(db.prisma, [
      ['CHF', '2026-09-03', '0.9000'],
      ['USD', '2026-10-02', '0.7800'],
      ['USD', '2026-10-30', '0.8000'], // Friday: the rate of Saturday 31 October
      ['USD', '2026-11-10', '0.7900'],
      ['USD', '2026-11-30', '0.8100'],
    ]);
  });
  afterAll(() => db?.close());

  it('fails a run naming the pair and date when a closing rate is missing, posting nothing', async () => {
    const payable = await ledger.post({
      idempotencyKey: 'test:chf-invoice',
      description: 'Swiss hotel invoice',
      accountingDate: '2026-09-03',
      lines: [line('expense:cost-of-sales:hotels', 'DEBIT', '1000.00', 'CHF'), line('liability:payable:suppliers', 'CREDIT', '1000.00', 'CHF')],
    });
    const failure = revaluation.run('2026-09-30');
    await expect(failure).rejects.toBeInstanceOf(RevaluationError);
    await expect(failure).rejects.toMatchObject({ kind: 'rate-missing', details: [{ from: 'CHF', to: 'GBP', date: '2026-09-30', source: 'MANUAL' }] });
    await expect(failure).rejects.toThrow(/No CHF\/GBP rate for 2026-09-30: .*nothing was posted/);
    expect(await db.prisma.fxRevaluationRun.count()).toBe(0);
    expect(await kindCount('fx-revaluation')).toBe(0);
    // The invoice is settled in October: no CHF balance is left for the later periods.
    await ledger.reverse(payable.id, 'test:chf-invoice:settled', '2026-10-15');
  });

  it('revalues gains and losses in chunks, resumes a crashed run by its keys, and reverses it the next day', async () => {
    // USD 1,000.00 received on account at 0.78: bank USD +1,000 (GBP 780), deposits USD -1,000 (GBP -780).
    await ledger.post({
      idempotencyKey: 'test:usd-deposit',
      description: 'Deposit in USD',
      accountingDate: '2026-10-02',
      lines: [line('asset:bank:USD', 'DEBIT', '1000.00', 'USD'), line('liability:customer-deposits', 'CREDIT', '1000.00', 'USD')],
    });
    const oneByOne = new PrismaFxRevaluation(db.prisma, { chunkSize: 1 });
    await expect(
      oneByOne.run('2026-10-31', {
        startedBy: 'test',
        onChunk: (chunkNo) => {
          if (chunkNo === 1) throw new Error('worker lost (simulated crash after the first chunk)');
        },
      }),
    ).rejects.toThrow(/simulated crash/);
    expect(await revaluation.get('2026-10-31')).toMatchObject({ balances: 0, entryIds: [expect.any(String)], completedAt: null, reversedAt: null });
    await expect(revaluation.reverse('2026-10-31')).rejects.toMatchObject({ kind: 'run-incomplete' });

    const progress: Array<[number, number]> = [];
    const run = await oneByOne.run('2026-10-31', { startedBy: 'resumer', onChunk: (entries, balances) => progress.push([entries, balances]) });
    // It resumes after the chunk it recorded: only the second balance is read and posted, as entry 2.
    expect(progress).toEqual([[2, 2]]);
    expect(run).toMatchObject({ periodEnd: '2026-10-31', baseCurrency: 'GBP', rateSource: 'MANUAL', balances: 2, totalGain: '20.00', totalLoss: '20.00', reversalEntryIds: [], reversedAt: null });
    expect(run.completedAt).toBeGreaterThanOrEqual(run.createdAt);
    expect(run.entryIds).toHaveLength(2);
    expect(await db.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: 'fx-revaluation:2026-10-31:' } } })).toBe(2);

    const detail = await revaluation.detail('2026-10-31');
    expect(detail!.lines).toEqual([
      { account: 'asset:bank:USD', currency: 'USD', foreignBalance: '1000.00', carryingBase: '780.00', closingRate: '0.8', closingRateDate: '2026-10-30', revaluedBase: '800.00', difference: '20.00' },
      { account: 'liability:customer-deposits', currency: 'USD', foreignBalance: '-1000.00', carryingBase: '-780.00', closingRate: '0.8', closingRateDate: '2026-10-30', revaluedBase: '-800.00', difference: '-20.00' },
    ]);
    // The bank account holds USD only: its revaluation line is in GBP and says which balance it revalues.
    expect(detail!.postings.filter((p) => p.revalues)).toEqual([
      expect.objectContaining({ account: 'asset:bank:USD', side: 'DEBIT', amount: { amount: '20.00', currency: 'GBP' }, revalues: 'USD', accountingDate: '2026-10-31' }),
      expect.objectContaining({ account: 'liability:customer-deposits', side: 'CREDIT', amount: { amount: '20.00', currency: 'GBP' }, revalues: 'USD' }),
    ]);

    // A reversal that stopped after its first entry (posted the plain way, PrismaLedger.reverse) is carried on.
    const firstReversal = await ledger.reverse(run.entryIds[0]!, 'fx-revaluation:2026-10-31:1:reversal', '2026-11-01', 'Reversal of FX revaluation at 2026-10-31 (part 1)');
    const reversed = await revaluation.reverse('2026-10-31');
    expect(reversed.reversalEntryIds).toHaveLength(2);
    expect(reversed.reversalEntryIds[0]).toBe(firstReversal.id);
    expect(reversed.reversedAt).toBeGreaterThanOrEqual(run.completedAt!);
    expect(await revaluation.reverse('2026-10-31')).toEqual(reversed);
    // The second reversal is exactly what PrismaLedger.reverse would have posted: asking again replays it.
    expect((await ledger.reverse(run.entryIds[1]!, 'fx-revaluation:2026-10-31:2:reversal', '2026-11-01', 'Reversal of FX revaluation at 2026-10-31 (part 2)')).id).toBe(reversed.reversalEntryIds[1]);
    const stored = await db.prisma.fxRevaluationRun.findUnique({ where: { periodEnd: new Date('2026-10-31') } });
    expect(stored).toMatchObject({ entryId: run.entryIds[0], reversalEntryId: reversed.reversalEntryIds[0], balances: 2, startedBy: 'test' });
    const reversal = await db.prisma.journalEntry.findUnique({ where: { id: reversed.reversalEntryIds[0] } });
    expect(reversal).toMatchObject({ accountingDate: new Date('2026-11-01'), reversesId: run.entryIds[0], idempotencyKey: 'fx-revaluation:2026-10-31:1:reversal' });
    expect(await ledger.balance('revenue:fx:unrealised-gain', 'GBP', '2026-10-31')).toMatchObject({ net: '-20.00' });
    expect(await ledger.balance('revenue:fx:unrealised-gain', 'GBP', '2026-11-01')).toMatchObject({ net: '0.00' });
  });

  it('hand-computed: USD 10,000.00 receivable booked at 0.7900, closing 0.8100 -> gain GBP 200.00, netting to zero from the next day', async () => {
    await ledger.post({
      idempotencyKey: 'test:usd-invoice',
      description: 'Tour sold in USD',
      accountingDate: '2026-11-10',
      lines: [line(RECEIVABLE, 'DEBIT', '10000.00', 'USD'), line('liability:deferred-revenue:tours', 'CREDIT', '10000.00', 'USD')],
    });
    const run = await revaluation.run('2026-11-30');
    const detail = await revaluation.detail('2026-11-30');
    const receivable = detail!.lines.find((l) => l.account === RECEIVABLE);
    expect(receivable).toEqual({
      account: RECEIVABLE,
      currency: 'USD',
      foreignBalance: '10000.00',
      carryingBase: '7900.00',
      closingRate: '0.81',
      closingRateDate: '2026-11-30',
      revaluedBase: '8100.00',
      difference: '200.00',
    });
    // Deferred revenue is non-monetary. The October revaluation was reversed on 1 November, so the
    // bank is carried at its booked GBP 780.00 again: 1,000 x 0.81 = 810 -> +30; deposits -30.
    expect(detail!.lines.map((l) => [l.account, l.difference])).toEqual([
      ['asset:bank:USD', '30.00'],
      [RECEIVABLE, '200.00'],
      ['liability:customer-deposits', '-30.00'],
    ]);
    expect(run).toMatchObject({ balances: 3, totalGain: '230.00', totalLoss: '30.00' });
    expect(detail!.postings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ account: RECEIVABLE, side: 'DEBIT', amount: { amount: '200.00', currency: 'GBP' }, revalues: 'USD' }),
        expect.objectContaining({ account: 'revenue:fx:unrealised-gain', side: 'CREDIT', amount: { amount: '230.00', currency: 'GBP' }, revalues: null }),
        expect.objectContaining({ account: 'expense:fx:unrealised-loss', side: 'DEBIT', amount: { amount: '30.00', currency: 'GBP' } }),
      ]),
    );
    expect(await ledger.balance(RECEIVABLE, 'GBP', '2026-11-30')).toMatchObject({ net: '200.00' });

    // Running the period again changes nothing.
    const entriesBefore = await db.prisma.journalEntry.count();
    expect(await revaluation.run('2026-11-30')).toEqual(run);
    expect(await db.prisma.journalEntry.count()).toBe(entriesBefore);

    await revaluation.reverse('2026-11-30');
    expect(await ledger.balance(RECEIVABLE, 'GBP', '2026-12-01')).toMatchObject({ net: '0.00' });
    expect(await ledger.balance('revenue:fx:unrealised-gain', 'GBP', '2026-12-01')).toMatchObject({ net: '0.00' });
    expect((await revaluation.list()).map((r) => r.periodEnd)).toEqual(['2026-11-30', '2026-10-31']);
  });

  it('numbers entries in posting order: a chunk with no difference posts nothing and takes no number, across a crash too', async () => {
    // Mid-November, closing at the 10 November rate 0.79: the receivable (booked at 0.79) has no
    // difference; the bank (carried at 0.78 since the October reversal) gains 10.00, deposits lose 10.00.
    const oneByOne = new PrismaFxRevaluation(db.prisma, { chunkSize: 1 });
    await expect(
      oneByOne.run('2026-11-15', {
        onChunk: (_entries, balances) => {
          if (balances === 2) throw new Error('worker lost (simulated crash after the chunk without a difference)');
        },
      }),
    ).rejects.toThrow(/simulated crash/);
    const progress: Array<[number, number]> = [];
    const run = await oneByOne.run('2026-11-15', { onChunk: (entries, balances) => progress.push([entries, balances]) });
    expect(progress).toEqual([[2, 3]]);
    expect(run).toMatchObject({ balances: 3, totalGain: '10.00', totalLoss: '10.00' });
    const entries = await db.prisma.journalEntry.findMany({ where: { id: { in: run.entryIds } }, orderBy: { idempotencyKey: 'asc' } });
    expect(entries.map((e) => [e.idempotencyKey, e.description])).toEqual([
      ['fx-revaluation:2026-11-15:1', 'FX revaluation at 2026-11-15 (part 1)'],
      ['fx-revaluation:2026-11-15:2', 'FX revaluation at 2026-11-15 (part 2)'],
    ]);
    expect((await revaluation.detail('2026-11-15'))!.lines.map((l) => [l.account, l.difference])).toEqual([
      ['asset:bank:USD', '10.00'],
      [RECEIVABLE, '0.00'],
      ['liability:customer-deposits', '-10.00'],
    ]);
    expect((await revaluation.reverse('2026-11-15')).reversalEntryIds).toHaveLength(2);
  });

  it('refuses to revalue postings that have no base-currency translation', async () => {
    // A posting written before a base currency was configured (raw, as a migration would).
    const [acct] = await db.prisma.ledgerAccount.findMany({ where: { code: 'asset:clearing:card' } });
    const [rev] = await db.prisma.ledgerAccount.findMany({ where: { code: 'liability:deferred-revenue:hotels' } });
    const id = '00000000-0000-4000-8000-00000000abcd';
    await db.execScript(
      `INSERT INTO journal_entries (id, idempotency_key, content_hash, description, accounting_date) VALUES ('${id}', 'test:legacy', repeat('0', 64), 'legacy', DATE '2026-12-05');
       INSERT INTO postings (entry_id, account_id, side, amount, currency) VALUES ('${id}', '${acct!.id}', 'DEBIT', 50, 'USD'), ('${id}', '${rev!.id}', 'CREDIT', 50, 'USD');`,
    );
    await addManualRates(db.prisma, [['USD', '2026-12-31', '0.8200']]);
    await expect(revaluation.run('2026-12-31')).rejects.toMatchObject({ kind: 'untranslated', message: expect.stringMatching(/1 posting\(s\) of asset:clearing:card in USD up to 2026-12-31 have no base-currency translation/) });
    await expect(revaluation.reverse('2026-12-31')).rejects.toMatchObject({ kind: 'run-not-found' });
  });
}
