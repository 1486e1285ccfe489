import express, { type Express } from 'express';
import request from 'supertest';
import { seedChartOfAccounts } from '../../activities/chart-seed.prisma';
import { PrismaLedger } from '../../activities/ledger.prisma';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import { Dec } from '../../domain/money/money';
import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { errorHandler } from '../error-handler';
import { JournalEntryView } from '../openapi/responses';
import { PageView } from '../schemas/answer.schema';
import { journalEntryRoutes } from '../routes/journal-entries.routes';

const line = (account: string, side: 'DEBIT' | 'CREDIT', amount: string, currency = 'GBP') => ({ account, side, amount: { amount, currency } });

describe('manual journal entries API (embedded PGlite)', () => {
  let db: Database;
  let app: Express;
  let ledger: PrismaLedger;

  beforeAll(async () => {
    db = await openTestPglite();
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
    ledger = new PrismaLedger(db.prisma);
    app = express();
    app.use(express.json());
    app.use(journalEntryRoutes({ ledger, prisma: db.prisma }));
    app.use(errorHandler);
  });
  afterAll(() => db?.close());

  const goodwill = {
    date: '2026-11-20',
    description: 'Goodwill paid to the Smiths',
    reference: 'JE-2026-0001',
    lines: [line('expense:goodwill', 'DEBIT', '120.5'), line('asset:bank:GBP', 'CREDIT', '120.50')],
  };

  it('posts a balanced entry through the ledger (201, Location) and reads it back; the same reference again is 200', async () => {
    const posted = await request(app).post('/finance/journal-entries').send(goodwill).expect(201);
    JournalEntryView.parse(posted.body);
    expect(posted.body).toMatchObject({
      reference: 'JE-2026-0001',
      kind: 'manual',
      date: '2026-11-20',
      description: 'Goodwill paid to the Smiths',
      lines: [line('expense:goodwill', 'DEBIT', '120.50'), line('asset:bank:GBP', 'CREDIT', '120.50')],
    });
    expect(posted.headers.location).toBe(`/finance/journal-entries/${posted.body.id}`);
    expect((await request(app).get(posted.headers.location!).expect(200)).body).toEqual(posted.body);
    expect((await ledger.balance('expense:goodwill', 'GBP')).net).toBe('120.50');
    const again = await request(app).post('/finance/journal-entries').send(goodwill).expect(200);
    expect(JournalEntryView.parse(again.body).id).toBe(posted.body.id);
    const conflict = await request(app).post('/finance/journal-entries').send({ ...goodwill, lines: [line('expense:goodwill', 'DEBIT', '99.00'), line('asset:bank:GBP', 'CREDIT', '99.00')] }).expect(409);
    expect(conflict.body.errors).toEqual([{ pointer: '/reference', detail: expect.any(String) }]);
    expect((await ledger.balance('expense:goodwill', 'GBP')).net).toBe('120.50');
  });

  it('refuses an unbalanced entry (422 naming the lines) and writes nothing', async () => {
    const before = await db.prisma.journalEntry.count();
    const res = await request(app)
      .post('/finance/journal-entries')
      .send({ date: '2026-11-21', description: 'Typo', lines: [line('expense:goodwill', 'DEBIT', '10.00'), line('asset:bank:GBP', 'CREDIT', '1.00')] })
      .expect(422);
    expect(res.body.errors).toEqual([{ pointer: '/lines', detail: expect.stringContaining('does not balance in GBP') }]);
    const zero = await request(app)
      .post('/finance/journal-entries')
      .send({ date: '2026-11-21', description: 'Zero', lines: [line('expense:goodwill', 'DEBIT', '0.00'), line('asset:bank:GBP', 'CREDIT', '0.00')] })
      .expect(422);
    expect(zero.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/lines/0/amount/amount', '/lines/1/amount/amount']);
    expect(await db.prisma.journalEntry.count()).toBe(before);
  });

  it('names bad fields, unknown accounts (404) and closed periods (409)', async () => {
    const bad = await request(app)
      .post('/finance/journal-entries')
      .send({ date: '2026-13-01', description: '', lines: [{ account: 'Bank', side: 'LEFT', amount: { amount: 5, currency: 'GBP' } }], extra: true })
      .expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/date', '/description', '/extra', '/lines', '/lines/0/account', '/lines/0/amount/amount', '/lines/0/side'].sort());
    const unknown = await request(app)
      .post('/finance/journal-entries')
      .send({ ...goodwill, reference: 'JE-X', lines: [line('expense:nothing-here', 'DEBIT', '5.00'), line('asset:bank:GBP', 'CREDIT', '5.00')] })
      .expect(404);
    expect(unknown.body.errors).toEqual([{ pointer: '/lines/0/account', detail: 'no account "expense:nothing-here"' }]);
    await ledger.definePeriod('2026-10', '2026-10-01', '2026-10-31');
    await ledger.closePeriod('2026-10', 'fin@example.com');
    const closed = await request(app).post('/finance/journal-entries').send({ ...goodwill, reference: 'JE-Y', date: '2026-10-15' }).expect(409);
    expect(closed.body).toMatchObject({ type: '/problems/ledger-closed-period', errors: [{ pointer: '/date' }] });
  });

  it('lists entries newest first, filtered by date, account and reference, in pages', async () => {
    for (const [i, date] of ['2026-11-02', '2026-11-03', '2026-11-04'].entries()) {
      await request(app)
        .post('/finance/journal-entries')
        .send({ date, description: `Bank fee ${i}`, reference: `FEE-${i}`, lines: [line('expense:goodwill', 'DEBIT', '1.00'), line('asset:bank:GBP', 'CREDIT', '1.00')] })
        .expect(201);
    }
    const page1 = await request(app).get('/finance/journal-entries').query({ from: '2026-11-01', to: '2026-11-30', account: 'asset:bank:GBP', limit: 2 }).expect(200);
    expect(PageView(JournalEntryView).parse(page1.body).items.map((e) => e.reference)).toEqual(['FEE-2', 'FEE-1']);
    const page2 = await request(app).get('/finance/journal-entries').query({ from: '2026-11-01', to: '2026-11-30', account: 'asset:bank:GBP', limit: 2, cursor: page1.body.nextCursor }).expect(200);
    expect(page2.body.items.map((e: { reference: string }) => e.reference)).toEqual(['FEE-0', 'JE-2026-0001']);
    expect(PageView(JournalEntryView).parse(page2.body).nextCursor).toBeNull();
    const one = await request(app).get('/finance/journal-entries').query({ reference: 'FEE-1' }).expect(200);
    expect(one.body.items).toHaveLength(1);
    const window = await request(app).get('/finance/journal-entries').query({ from: '2026-11-03', to: '2026-11-03' }).expect(200);
    expect(window.body.items.map((e: { reference: string }) => e.reference)).toEqual(['FEE-1']);
    await request(app).get('/finance/journal-entries').query({ from: '2026-11-05', to: '2026-11-01' }).expect(400);
    await request(app).get('/finance/journal-entries/not-a-uuid').expect(400);
    await request(app).get('/finance/journal-entries/00000000-0000-4000-8000-000000000000').expect(404);
  });
  it('reverses a manual entry once: every line on the other side, reversesId set, the balances back where they were', async () => {
    const wrong = await request(app)
      .post('/finance/journal-entries')
      .send({ date: '2026-12-01', description: 'Fee booked twice', reference: 'FEE-TWICE', lines: [line('expense:goodwill', 'DEBIT', '42.10'), line('asset:bank:GBP', 'CREDIT', '42.10')] })
      .expect(201);
    const bankBefore = await ledger.balance('asset:bank:GBP', 'GBP', '2026-12-31');

    const reversed = await request(app).post(`/finance/journal-entries/${wrong.body.id}/reversal`).send({ date: '2026-12-02' }).expect(201);
    const entry = JournalEntryView.parse(reversed.body);
    expect(reversed.headers.location).toBe(`/finance/journal-entries/${entry.id}`);
    expect(entry).toMatchObject({ kind: 'reversal', reversesId: wrong.body.id, date: '2026-12-02', description: 'Reversal of: Fee booked twice', reference: `reversal-of:${wrong.body.id}` });
    expect(entry.lines).toEqual([line('expense:goodwill', 'CREDIT', '42.10'), line('asset:bank:GBP', 'DEBIT', '42.10')]);
    const bankAfter = await ledger.balance('asset:bank:GBP', 'GBP', '2026-12-31');
    expect(new Dec(bankAfter.net).minus(bankBefore.net).toFixed(2)).toBe('42.10');

    // The same reversal again answers the first; another one is refused, nothing posted twice.
    const again = await request(app).post(`/finance/journal-entries/${wrong.body.id}/reversal`).send({ date: '2026-12-02' }).expect(200);
    expect(again.body.id).toBe(entry.id);
    const other = await request(app).post(`/finance/journal-entries/${wrong.body.id}/reversal`).send({ date: '2026-12-03', description: 'Second go' }).expect(409);
    expect(other.body).toMatchObject({ type: '/problems/ledger-already-reversed', errors: [{ pointer: 'path:/id' }] });
    expect(await db.prisma.journalEntry.count({ where: { reversesId: wrong.body.id } })).toBe(1);
    // A reversal is not a manual entry: it is not reversed in turn.
    const twice = await request(app).post(`/finance/journal-entries/${entry.id}/reversal`).send({ date: '2026-12-04' }).expect(409);
    expect(twice.body.type).toBe('/problems/journal-entry-not-manual');
  });

  it('refuses to reverse what the system posted, unknown entries, bad bodies and closed periods, writing nothing', async () => {
    const payment = await ledger.post({
      idempotencyKey: 'booking:ITN-7K3M9QXZ:payment:1',
      description: 'Deposit ITN-7K3M9QXZ',
      accountingDate: '2026-12-05',
      kind: 'payment',
      bookingRef: 'ITN-7K3M9QXZ',
      lines: [line('asset:bank:GBP', 'DEBIT', '300.00'), line('liability:customer-deposits', 'CREDIT', '300.00')],
    });
    const manual = await request(app)
      .post('/finance/journal-entries')
      .send({ date: '2026-12-05', description: 'Petty cash', reference: 'PETTY-1', lines: [line('expense:goodwill', 'DEBIT', '5.00'), line('asset:bank:GBP', 'CREDIT', '5.00')] })
      .expect(201);
    const before = await db.prisma.journalEntry.count();

    const system = await request(app).post(`/finance/journal-entries/${payment.id}/reversal`).send({ date: '2026-12-06' }).expect(409);
    expect(system.body).toMatchObject({ type: '/problems/journal-entry-not-manual', errors: [{ pointer: 'path:/id', detail: 'a payment entry; only manual entries are reversed here' }] });
    await request(app).post('/finance/journal-entries/00000000-0000-4000-8000-000000000000/reversal').send({ date: '2026-12-06' }).expect(404);
    await request(app).post('/finance/journal-entries/not-a-uuid/reversal').send({ date: '2026-12-06' }).expect(400);
    const bad = await request(app).post(`/finance/journal-entries/${manual.body.id}/reversal`).send({ date: '2026-02-30', description: ' ', lines: [] }).expect(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/date', '/description', '/lines']);
    // October 2026 was closed above: a reversal dated in it is refused like any posting.
    const closed = await request(app).post(`/finance/journal-entries/${manual.body.id}/reversal`).send({ date: '2026-10-20' }).expect(409);
    expect(closed.body.type).toBe('/problems/ledger-closed-period');
    expect(await db.prisma.journalEntry.count()).toBe(before);

    // The booking's entries, and only those, by bookingRef.
    const mine = await request(app).get('/finance/journal-entries').query({ bookingRef: 'ITN-7K3M9QXZ' }).expect(200);
    expect(PageView(JournalEntryView).parse(mine.body).items.map((e) => [e.id, e.bookingRef, e.kind])).toEqual([[payment.id, 'ITN-7K3M9QXZ', 'payment']]);
    const badRef = await request(app).get('/finance/journal-entries').query({ bookingRef: 'nope' }).expect(400);
    expect(badRef.body.errors).toEqual([{ pointer: 'query:/bookingRef', detail: 'must look like ITN-7K3M9QXZ' }]);
  });
});
