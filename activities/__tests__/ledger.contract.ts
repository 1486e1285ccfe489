import { randomBytes } from 'node:crypto';
import type { EntryDraft, PostingLine } from '../../domain/ledger/entry';
import type { Database } from '../../infra/database';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import { seedChartOfAccounts } from '../chart-seed.prisma';
import { PrismaLedger } from '../ledger.prisma';
import { LedgerError } from '../ports/ledger';
import { Dec } from '../../domain/money/money';

/** The ledger's behaviour, asked of every database Itinera runs on (PGlite and PostgreSQL). */
export function ledgerContract(open: () => Promise<Database>): void {
  let db: Database;
  let ledger: PrismaLedger;
  let ns: string;
  let n = 0;

  const acct = (name: string) => `t${ns}:${name}`;
  const key = (step: string) => `test-${ns}:${step}`;
  const line = (account: string, side: 'DEBIT' | 'CREDIT', amount: string, currency = 'GBP'): PostingLine => ({ account: acct(account), side, amount: { amount, currency } });
  const entry = (lines: PostingLine[], overrides: Partial<EntryDraft> = {}): EntryDraft => ({
    idempotencyKey: key(`e${++n}`),
    description: 'Deposit received',
    accountingDate: '2027-01-15',
    lines,
    ...overrides,
  });

  beforeAll(async () => {
    db = await open();
    ledger = new PrismaLedger(db.prisma, db);
    ns = randomBytes(4).toString('hex');
    await db.prisma.ledgerAccount.createMany({
      data: [
        { code: acct('bank:GBP'), name: 'Bank GBP', type: 'ASSET', currency: 'GBP' },
        { code: acct('bank:USD'), name: 'Bank USD', type: 'ASSET', currency: 'USD' },
        { code: acct('receivable'), name: 'Customer receivables', type: 'ASSET' },
        { code: acct('deposits'), name: 'Customer deposits', type: 'LIABILITY' },
        { code: acct('revenue'), name: 'Package revenue', type: 'REVENUE' },
        { code: acct('closed-account'), name: 'Closed', type: 'ASSET', isActive: false },
      ],
    });
  });
  afterAll(() => db?.close());

  it('posts a balanced entry and reads it back exactly', async () => {
    const posted = await ledger.post(entry([line('bank:GBP', 'DEBIT', '250.00'), line('deposits', 'CREDIT', '250.00')]));
    expect(posted.lines).toEqual([line('bank:GBP', 'DEBIT', '250.00'), line('deposits', 'CREDIT', '250.00')]);
    expect(await ledger.balance(acct('deposits'), 'GBP')).toMatchObject({ net: '-250.00', credits: '250.00' });
  });

  it('keeps JPY, KWD and multi-currency entries exact', async () => {
    await ledger.post(entry([line('receivable', 'DEBIT', '150000', 'JPY'), line('revenue', 'CREDIT', '150000', 'JPY'), line('receivable', 'DEBIT', '12.345', 'KWD'), line('revenue', 'CREDIT', '12.345', 'KWD')]));
    expect(await ledger.balance(acct('revenue'), 'JPY')).toMatchObject({ net: '-150000' });
    expect(await ledger.balance(acct('revenue'), 'KWD')).toMatchObject({ net: '-12.345' });
  });

  it('posts once per idempotency key, and refuses the key with other content', async () => {
    const draft = entry([line('bank:GBP', 'DEBIT', '99.99'), line('deposits', 'CREDIT', '99.99')]);
    const first = await ledger.post(draft);
    const again = await ledger.post({ ...draft, lines: [...draft.lines].reverse() });
    expect(again.id).toBe(first.id);
    expect(await db.prisma.journalEntry.count({ where: { idempotencyKey: draft.idempotencyKey } })).toBe(1);
    await expect(ledger.post({ ...draft, lines: [line('bank:GBP', 'DEBIT', '100.00'), line('deposits', 'CREDIT', '100.00')] })).rejects.toMatchObject({
      kind: 'idempotency-conflict',
    });
  });

  it('refuses bad entries with every reason, writing nothing', async () => {
    const before = await db.prisma.journalEntry.count();
    await expect(ledger.post(entry([line('bank:GBP', 'DEBIT', '10.00'), line('deposits', 'CREDIT', '9.99')]))).rejects.toThrow(/does not balance in GBP: debits exceed credits by 0.01/);
    await expect(ledger.post(entry([line('nowhere', 'DEBIT', '10.00'), line('deposits', 'CREDIT', '10.00')]))).rejects.toMatchObject({ kind: 'unknown-account' });
    await expect(ledger.post(entry([line('bank:USD', 'DEBIT', '10.00'), line('deposits', 'CREDIT', '10.00')]))).rejects.toThrow(/holds USD, not GBP/);
    await expect(ledger.post(entry([line('closed-account', 'DEBIT', '10.00'), line('deposits', 'CREDIT', '10.00')]))).rejects.toThrow(/is inactive/);
    expect(await db.prisma.journalEntry.count()).toBe(before);
  });

  it('refuses postings into a closed period (in code and in the database)', async () => {
    await db.prisma.accountingPeriod.create({ data: { name: `t${ns}-1999-12`, startsOn: new Date('1999-12-01'), endsOn: new Date('1999-12-31'), status: 'CLOSED', closedAt: new Date(), closedBy: 'finance' } });
    const draft = entry([line('bank:GBP', 'DEBIT', '5.00'), line('deposits', 'CREDIT', '5.00')], { accountingDate: '1999-12-31' });
    await expect(ledger.post(draft)).rejects.toMatchObject({ kind: 'closed-period' });
    await expect(
      db.prisma.$executeRawUnsafe(`INSERT INTO journal_entries (id, idempotency_key, content_hash, description, accounting_date) VALUES (gen_random_uuid(), $1, repeat('0', 64), 'x', DATE '1999-12-15')`, key('raw-closed')),
    ).rejects.toThrow(/period .* is closed/);
  });

  it('defines periods without overlap and closes them for good', async () => {
    const name = `t${ns}-1998`;
    expect(await ledger.definePeriod(name, '1998-01-01', '1998-12-31')).toMatchObject({ status: 'OPEN' });
    await expect(ledger.definePeriod(`${name}-b`, '1998-06-01', '1999-01-31')).rejects.toThrow(`would overlap period ${name}`);
    await ledger.post(entry([line('bank:GBP', 'DEBIT', '3.00'), line('deposits', 'CREDIT', '3.00')], { accountingDate: '1998-06-30' }));
    expect(await ledger.closePeriod(name, 'finance')).toMatchObject({ status: 'CLOSED', closedBy: 'finance' });
    await expect(ledger.post(entry([line('bank:GBP', 'DEBIT', '3.00'), line('deposits', 'CREDIT', '3.00')], { accountingDate: '1998-06-30' }))).rejects.toMatchObject({ kind: 'closed-period' });
    expect((await ledger.balance(acct('bank:GBP'), 'GBP', '1998-12-31')).debits).toBe('3.00');
  });

  it('reverses an entry once, pointing back to it, and the balances return to zero', async () => {
    const original = await ledger.post(entry([line('receivable', 'DEBIT', '40.00', 'EUR'), line('revenue', 'CREDIT', '40.00', 'EUR')]));
    const reversal = await ledger.reverse(original.id, key('rev-1'), '2027-01-20');
    expect(reversal.reversesId).toBe(original.id);
    expect(reversal.lines.map((l) => l.side)).toEqual(['CREDIT', 'DEBIT']);
    expect(await ledger.balance(acct('receivable'), 'EUR')).toMatchObject({ net: '0.00' });
    await expect(ledger.reverse(original.id, key('rev-2'), '2027-01-21')).rejects.toBeInstanceOf(LedgerError);
  });

  it('is append-only and balanced at the database level', async () => {
    await expect(db.prisma.$executeRawUnsafe(`UPDATE postings SET amount = amount + 1`)).rejects.toThrow(/append-only/);
    await expect(db.prisma.$executeRawUnsafe(`DELETE FROM journal_entries`)).rejects.toThrow(/append-only/);
    await expect(db.prisma.$executeRawUnsafe(`TRUNCATE postings`)).rejects.toThrow(/append-only|truncate/i);
    const [bank] = await db.prisma.ledgerAccount.findMany({ where: { code: acct('bank:GBP') } });
    // An unbalanced entry written straight to the tables (no Prisma, no code checks) is refused at commit.
    const id = `00000000-0000-4000-8000-${ns}0001`;
    await expect(
      db.execScript(
        `INSERT INTO journal_entries (id, idempotency_key, content_hash, description, accounting_date) VALUES ('${id}', '${key('raw-unbalanced')}', repeat('0', 64), 'raw', DATE '2027-01-15');
         INSERT INTO postings (entry_id, account_id, side, amount, currency) VALUES ('${id}', '${bank!.id}', 'DEBIT', 10, 'GBP'), ('${id}', '${bank!.id}', 'CREDIT', 9.99, 'GBP');`,
      ),
    ).rejects.toThrow(/does not balance in GBP/);
    await expect(
      db.execScript(`INSERT INTO journal_entries (id, idempotency_key, content_hash, description, accounting_date) VALUES ('${id}', '${key('raw-empty')}', repeat('0', 64), 'raw', DATE '2027-01-15');`),
    ).rejects.toThrow(/needs at least two/);
    expect(await db.prisma.journalEntry.count({ where: { idempotencyKey: { in: [key('raw-unbalanced'), key('raw-empty')] } } })).toBe(0);
  });

  it('keeps a hot account exact under 16 concurrent posters, and one key racing posts once', async () => {
    const posters = Array.from({ length: 16 }, (_, i) =>
      ledger.post(entry([line('bank:GBP', 'DEBIT', `${i + 1}.01`), line('revenue', 'CREDIT', `${i + 1}.01`)], { idempotencyKey: key(`hot-${i}`) })),
    );
    const before = await ledger.balance(acct('bank:GBP'), 'GBP');
    await Promise.all(posters);
    const after = await ledger.balance(acct('bank:GBP'), 'GBP');
    // 1.01 + 2.01 + … + 16.01 = 136.16, exactly
    expect(new Dec(after.debits).minus(before.debits).toFixed(2)).toBe('136.16');

    const same = entry([line('bank:GBP', 'DEBIT', '7.00'), line('revenue', 'CREDIT', '7.00')], { idempotencyKey: key('race') });
    const results = await Promise.all(Array.from({ length: 8 }, () => ledger.post(same)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await db.prisma.journalEntry.count({ where: { idempotencyKey: key('race') } })).toBe(1);
  });

  it('lets two first postings race on a never-used account: both land, the balance is their sum, no deadlock', async () => {
    await db.prisma.ledgerAccount.createMany({ data: [{ code: acct('fresh-a'), name: 'Fresh A', type: 'ASSET' }, { code: acct('fresh-b'), name: 'Fresh B', type: 'LIABILITY' }] });
    const racers = await Promise.all(
      ['10.25', '20.50'].map((amount, i) =>
        ledger.post(entry([line('fresh-a', 'DEBIT', amount, 'EUR'), line('fresh-b', 'CREDIT', amount, 'EUR')], { idempotencyKey: key(`first-${i}`) })),
      ),
    );
    expect(new Set(racers.map((r) => r.id)).size).toBe(2);
    expect(await ledger.balance(acct('fresh-a'), 'EUR')).toMatchObject({ net: '30.75' });
    expect(await ledger.balance(acct('fresh-b'), 'EUR')).toMatchObject({ net: '-30.75' });
  });

  it('reports a trial balance whose debits equal its credits in every currency', async () => {
    const rows = await ledger.trialBalance();
    const net = new Map<string, Dec>();
    for (const r of rows) net.set(r.currency, (net.get(r.currency) ?? new Dec(0)).plus(r.net));
    for (const total of net.values()) expect(total.isZero()).toBe(true);
  });
}

/** Seeding the chart is idempotent on every database. */
export function chartSeedContract(open: () => Promise<Database>): void {
  it('seeds the travel chart once, and again changes nothing', async () => {
    const db = await open();
    try {
      const chart = travelChartOfAccounts({ bankCurrencies: ['GBP', 'EUR'], paymentMethods: ['card'] });
      const first = await seedChartOfAccounts(db.prisma, chart);
      const second = await seedChartOfAccounts(db.prisma, chart);
      expect(first.created.length + first.unchanged + first.renamed.length).toBe(chart.length);
      expect(second).toEqual({ created: [], renamed: [], unchanged: chart.length });
      expect(await db.prisma.ledgerAccount.count({ where: { code: { in: chart.map((a) => a.code) } } })).toBe(chart.length);
    } finally {
      await db.close();
    }
  });
}
