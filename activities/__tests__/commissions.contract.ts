import { randomBytes, randomInt } from 'node:crypto';
import { CommissionError, type CommissionSale, type CommissionScheduleSpec } from '../../domain/commission/commission';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import type { Database } from '../../infra/database';
import { seedChartOfAccounts } from '../chart-seed.prisma';
import { PrismaCommissions } from '../commissions.prisma';

/**
 * Commissions, asked of every database Itinera runs on. The PostgreSQL database is shared by test
 * files: every supplier, sub-agent and booking reference carries this run's namespace.
 */
export function commissionsContract(open: () => Promise<Database>): void {
  let db: Database;
  let commissions: PrismaCommissions;
  let ns: string;
  let n = 0;

  const supplier = (name: string) => `S${ns}-${name}`;
  const ref = () => `B${ns}-${++n}`;
  const schedule = (overrides: Partial<CommissionScheduleSpec>): CommissionScheduleSpec => ({
    supplier: supplier('x'),
    productType: null,
    validFrom: '2027-01-01',
    validTo: '2027-12-31',
    basis: 'PERCENT',
    rate: '10',
    fixedAmount: null,
    currency: null,
    tiers: [],
    ...overrides,
  });
  const sale = (overrides: Partial<CommissionSale>): CommissionSale => ({
    bookingRef: ref(),
    supplier: supplier('x'),
    productType: 'hotels',
    channel: 'direct',
    saleDate: '2027-03-10',
    saleAmount: { amount: '1000.00', currency: 'GBP' },
    ...overrides,
  });
  const entryLines = async (entryId: string | null) => {
    if (!entryId) return [];
    const postings = await db.prisma.posting.findMany({ where: { entryId }, include: { account: true }, orderBy: { id: 'asc' } });
    return postings.map((p) => `${p.side} ${p.account.code} ${p.amount.toFixed(2)} ${p.currency}`);
  };
  const recordsOf = (name: string) => db.prisma.commissionRecord.count({ where: { supplier: supplier(name) } });

  beforeAll(async () => {
    db = await open();
    commissions = new PrismaCommissions(db.prisma);
    ns = randomBytes(4).toString('hex');
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
  });
  afterAll(() => db?.close());

  it('stores a schedule with its tiers, returns it again for the same content, and refuses an overlapping one naming it', async () => {
    const spec = schedule({ supplier: supplier('sched'), tiers: [{ threshold: '50000', basis: 'PERCENT', rate: '12.5', fixedAmount: null }] });
    const first = await commissions.createSchedule(spec);
    expect(first.created).toBe(true);
    expect(first.schedule).toMatchObject({ supplier: supplier('sched'), productType: null, rate: '10', tiers: [{ threshold: '50000', basis: 'PERCENT', rate: '12.5', fixedAmount: null }] });
    const again = await commissions.createSchedule({ ...spec, rate: '10.00' });
    expect(again).toEqual({ schedule: first.schedule, created: false });

    const clash = await commissions.createSchedule(schedule({ supplier: supplier('sched'), validFrom: '2027-12-31', validTo: null, rate: '11' })).catch((e: unknown) => e);
    expect(clash).toBeInstanceOf(CommissionError);
    expect(clash).toMatchObject({ kind: 'overlapping-schedule' });
    expect((clash as Error).message).toContain(`overlaps schedule ${first.schedule.id} (2027-01-01..2027-12-31) of supplier ${supplier('sched')} for every product type`);
    // The same dates for one product type are a different scope: allowed (and it wins for that product).
    await expect(commissions.createSchedule(schedule({ supplier: supplier('sched'), productType: 'hotels', rate: '8' }))).resolves.toMatchObject({ created: true });
    expect((await commissions.listSchedules({ supplier: supplier('sched'), activeOn: '2027-06-01' })).map((s) => s.rate)).toEqual(['10', '8']);
    expect(await commissions.listSchedules({ supplier: supplier('sched'), activeOn: '2028-01-01' })).toEqual([]);
  });

  it('refuses rate 0, rate above 100 and inconsistent basis fields, writing nothing', async () => {
    for (const rate of ['0', '100.01']) {
      await expect(commissions.createSchedule(schedule({ supplier: supplier('bad'), rate }))).rejects.toMatchObject({ kind: 'invalid-schedule', problems: [{ path: 'rate' }] });
    }
    await expect(commissions.createSchedule(schedule({ supplier: supplier('bad'), basis: 'FIXED', rate: '5', fixedAmount: null }))).rejects.toThrow(
      /currency: is required when the schedule or a tier has basis FIXED.*rate: must be absent with basis FIXED; fixedAmount: is required with basis FIXED/,
    );
    expect(await commissions.listSchedules({ supplier: supplier('bad') })).toEqual([]);
  });

  it('posts commission income apart from package revenue, and crosses a tier on the sale after the threshold', async () => {
    await commissions.createSchedule(schedule({ supplier: supplier('tier'), tiers: [{ threshold: '2000', basis: 'PERCENT', rate: '15', fixedAmount: null }] }));
    const s1 = await commissions.recordSale(sale({ supplier: supplier('tier'), saleAmount: { amount: '1500.00', currency: 'GBP' } }));
    const s2 = await commissions.recordSale(sale({ supplier: supplier('tier'), saleDate: '2027-03-11', saleAmount: { amount: '1000.00', currency: 'GBP' } }));
    const s3 = await commissions.recordSale(sale({ supplier: supplier('tier'), saleDate: '2027-03-12', saleAmount: { amount: '500.50', currency: 'GBP' } }));
    // Volume before each sale: 0, 1500 (below 2000: the crossing sale still earns 10%), 2500.
    expect([s1, s2, s3].map((r) => [r.commission.amount, r.tierThreshold])).toEqual([
      ['150.00', null],
      ['100.00', null],
      ['75.08', '2000'], // 500.50 x 15% = 75.075, half up
    ]);
    expect(s3).toMatchObject({ created: true, scheduleId: expect.any(String), subAgentCommission: null, saleAmount: { amount: '500.50', currency: 'GBP' } });
    expect(await entryLines(s3.entryId)).toEqual(['DEBIT asset:receivable:commissions 75.08 GBP', 'CREDIT revenue:commission-income 75.08 GBP']);
    const entry = await db.prisma.journalEntry.findUniqueOrThrow({ where: { id: s3.entryId! } });
    expect(entry).toMatchObject({ idempotencyKey: `commission:${s3.bookingRef}:${supplier('tier')}:hotels`, accountingDate: new Date('2027-03-12T00:00:00Z') });
  });

  it('does not let two concurrent sales both miss a tier crossing', async () => {
    await commissions.createSchedule(schedule({ supplier: supplier('race'), tiers: [{ threshold: '1000', basis: 'PERCENT', rate: '20', fixedAmount: null }] }));
    const results = await Promise.all([1, 2].map(() => commissions.recordSale(sale({ supplier: supplier('race') }))));
    expect(results.map((r) => r.commission.amount).sort()).toEqual(['100.00', '200.00']);
    // The same sale twice at once: one record, one entry, both callers get it.
    const same = sale({ supplier: supplier('race') });
    const twice = await Promise.all([commissions.recordSale(same), commissions.recordSale(same)]);
    expect(twice[0].id).toBe(twice[1].id);
    expect(twice.map((r) => r.created).sort()).toEqual([false, true]);
    expect(await db.prisma.journalEntry.count({ where: { idempotencyKey: `commission:${same.bookingRef}:${supplier('race')}:hotels` } })).toBe(1);
  });

  it('books the sub-agent share as expense and payable on agent-channel sales', async () => {
    const code = `SA${ns}`;
    await expect(commissions.createSubAgent({ code, name: 'Sunshine Agents', rate: '2.5' })).resolves.toMatchObject({ created: true, subAgent: { code, rate: '2.5', isActive: true } });
    await expect(commissions.createSubAgent({ code, name: 'Sunshine Agents', rate: '2.50' })).resolves.toMatchObject({ created: false });
    await expect(commissions.createSubAgent({ code, name: 'Sunshine Agents', rate: '3' })).rejects.toMatchObject({ kind: 'sub-agent-conflict' });
    expect((await commissions.listSubAgents({ limit: 500 })).items.filter((a) => a.code === code)).toHaveLength(1);

    await commissions.createSchedule(schedule({ supplier: supplier('agent'), productType: 'flights', basis: 'FIXED', rate: null, fixedAmount: '30', currency: 'GBP' }));
    const r = await commissions.recordSale(sale({ supplier: supplier('agent'), productType: 'flights', channel: 'agent', subAgentCode: code, saleAmount: { amount: '999.99', currency: 'GBP' } }));
    expect(r).toMatchObject({ commission: { amount: '30.00' }, subAgentCode: code, subAgentCommission: { amount: '25.00', currency: 'GBP' } }); // 24.99975 -> 25.00
    expect(await entryLines(r.entryId)).toEqual([
      'DEBIT asset:receivable:commissions 30.00 GBP',
      'CREDIT revenue:commission-income 30.00 GBP',
      'DEBIT expense:sub-agent-commissions 25.00 GBP',
      'CREDIT liability:payable:sub-agent-commissions 25.00 GBP',
    ]);
  });

  it('returns the same record for the same sale, and refuses other content under the same booking, supplier and product', async () => {
    await commissions.createSchedule(schedule({ supplier: supplier('idem') }));
    const s = sale({ supplier: supplier('idem') });
    const first = await commissions.recordSale(s);
    const again = await commissions.recordSale({ ...s, saleAmount: { amount: '1000', currency: 'GBP' } });
    expect(again).toEqual({ ...first, created: false });
    expect(await db.prisma.journalEntry.count({ where: { idempotencyKey: `commission:${s.bookingRef}:${supplier('idem')}:hotels` } })).toBe(1);
    await expect(commissions.recordSale({ ...s, saleAmount: { amount: '1200.00', currency: 'GBP' } })).rejects.toMatchObject({
      kind: 'sale-conflict',
      message: expect.stringContaining('saleAmount 1000.00 GBP vs 1200.00 GBP'),
    });
    expect((await commissions.listCommissions({ bookingRef: s.bookingRef }, { limit: 100 })).items).toEqual([expect.objectContaining({ id: first.id, commission: first.commission, entryId: first.entryId })]);
  });

  it('refuses an unknown sub-agent and a FIXED schedule in another currency, writing nothing', async () => {
    await commissions.createSchedule(schedule({ supplier: supplier('refuse'), basis: 'FIXED', rate: null, fixedAmount: '1500', currency: 'JPY' }));
    const unknown = commissions.recordSale(sale({ supplier: supplier('refuse'), channel: 'agent', subAgentCode: `NOPE${ns}`, saleAmount: { amount: '20000', currency: 'JPY' } }));
    await expect(unknown).rejects.toMatchObject({ kind: 'unknown-sub-agent', problems: [{ path: 'subAgentCode', message: 'is not a known sub-agent' }] });
    await expect(commissions.recordSale(sale({ supplier: supplier('refuse') }))).rejects.toMatchObject({
      kind: 'currency-mismatch',
      message: expect.stringContaining('fixed 1500 JPY per booking but the sale is in GBP; amounts are not converted'),
    });
    await expect(commissions.recordSale(sale({ supplier: supplier('refuse'), channel: 'online', subAgentCode: 'SA1', saleAmount: { amount: '-5', currency: 'GBP' } }))).rejects.toMatchObject({
      kind: 'invalid-sale',
      problems: [
        { path: 'saleAmount/amount', message: 'amount must not be negative (got "-5")' },
        { path: 'subAgentCode', message: 'sub-agents earn commission on agent-channel sales only (channel is "online")' },
      ],
    });
    expect(await recordsOf('refuse')).toBe(0);
  });

  it('records commission 0 with no schedule and posts nothing', async () => {
    const r = await commissions.recordSale(sale({ supplier: supplier('none') }));
    expect(r).toMatchObject({ created: true, scheduleId: null, tierThreshold: null, commission: { amount: '0.00', currency: 'GBP' }, entryId: null });
  });

  it('writes no record when the ledger refuses the entry (closed period)', async () => {
    const day = `19${String(randomInt(10, 99))}-0${randomInt(1, 9)}-1${randomInt(0, 9)}`;
    await db.prisma.accountingPeriod.create({ data: { name: `c${ns}`, startsOn: new Date(day), endsOn: new Date(day), status: 'CLOSED', closedAt: new Date(), closedBy: 'finance' } });
    await commissions.createSchedule(schedule({ supplier: supplier('closed'), validFrom: day, validTo: day }));
    await expect(commissions.recordSale(sale({ supplier: supplier('closed'), saleDate: day }))).rejects.toMatchObject({ name: 'LedgerError', kind: 'closed-period' });
    expect(await recordsOf('closed')).toBe(0);
  });
}
