import type { Client } from '@temporalio/client';
import request from 'supertest';
import { PrismaBookingLedger, type BookingLedgerEntry } from '../../activities/booking-ledger.prisma';
import { PrismaLedger } from '../../activities/ledger.prisma';
import { addDays } from '../../domain/catalog/dates';
import { Dec } from '../../domain/money/money';
import { calendarDateIn } from '../../domain/time/instant';
import type { Database } from '../../infra/database';
import { seedDemoCatalog } from '../../infra/demo-catalog';
import type { DevServer } from '../../infra/dev-server';
import { openTestPglite } from '../../test/support/databases';
import { connectClient, prepareReadyFinance, silentLogger, startApiUnderTest, startTestDevServer, type ApiUnderTest } from '../../test/support/api-harness';
import { AvailabilityResponse, ProductPageResponse } from '../schemas/catalog.schema';
import { AmendmentQuoteResponse, BookingDetailResponse, BookingPageResponse, BookingQuoteResponse, BookingView, CancellationOutcomeResponse, CancellationQuoteResponse, HeldBookingResponse, PaymentOutcomeResponse } from '../schemas/booking.schema';

/** Debits equal credits in every currency of the entry. */
function balanced(entry: BookingLedgerEntry): boolean {
  const net = new Map<string, InstanceType<typeof Dec>>();
  for (const p of entry.postings) {
    const v = new Dec(p.amount.amount);
    net.set(p.amount.currency, (net.get(p.amount.currency) ?? new Dec(0)).plus(p.side === 'DEBIT' ? v : v.negated()));
  }
  return [...net.values()].every((v) => v.isZero());
}

describe('PrismaBookingLedger: the journal of one booking', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestPglite();
    await prepareReadyFinance(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('lists the entries tagged with the reference, oldest first, with postings, translations and reversals', async () => {
    const ledger = new PrismaLedger(db.prisma);
    const today = calendarDateIn(Date.now(), 'UTC');
    const line = (account: string, side: 'DEBIT' | 'CREDIT', amount: string, currency = 'EUR') => ({ account, side, amount: { amount, currency } });
    const deposit = await ledger.post({
      idempotencyKey: 'booking-ITN-AAAAAAAA:deposit:pay-1',
      description: 'Deposit ITN-AAAAAAAA',
      accountingDate: today,
      bookingRef: 'ITN-AAAAAAAA',
      lines: [line('asset:clearing:card', 'DEBIT', '240.5'), line('liability:customer-deposits', 'CREDIT', '240.5')],
    });
    await ledger.post({
      idempotencyKey: 'booking-ITN-BBBBBBBB:deposit:pay-1',
      description: 'Another booking',
      accountingDate: today,
      bookingRef: 'ITN-BBBBBBBB',
      lines: [line('asset:clearing:card', 'DEBIT', '10'), line('liability:customer-deposits', 'CREDIT', '10')],
    });
    const reversal = await ledger.reverse(deposit.id, 'booking-ITN-AAAAAAAA:refund:pay-1', today, 'Refund ITN-AAAAAAAA');

    const entries = await new PrismaBookingLedger(db.prisma).entriesOf('ITN-AAAAAAAA');
    expect(entries.map((e) => e.idempotencyKey)).toEqual(['booking-ITN-AAAAAAAA:deposit:pay-1', 'booking-ITN-AAAAAAAA:refund:pay-1']);
    const [first, second] = entries;
    expect(first).toMatchObject({ id: deposit.id, description: 'Deposit ITN-AAAAAAAA', accountingDate: today, reversesId: null, reversedById: reversal.id, kind: 'standard' });
    expect(first!.postings).toEqual([
      expect.objectContaining({ account: 'asset:clearing:card', side: 'DEBIT', amount: { amount: '240.50', currency: 'EUR' } }),
      expect.objectContaining({ account: 'liability:customer-deposits', side: 'CREDIT', amount: { amount: '240.50', currency: 'EUR' } }),
    ]);
    // The demo finance configuration translates EUR to the GBP base at the day's DEMO rate.
    expect(first!.postings[0]!.base).toMatchObject({ amount: { currency: 'GBP' }, rateDate: today });
    expect(new Dec(first!.postings[0]!.base!.amount.amount).gt(0)).toBe(true);
    expect(second).toMatchObject({ id: reversal.id, reversesId: deposit.id, reversedById: null });
    expect(second!.postings.map((p) => [p.account, p.side])).toEqual([
      ['asset:clearing:card', 'CREDIT'],
      ['liability:customer-deposits', 'DEBIT'],
    ]);
    expect(entries.every(balanced)).toBe(true);
    expect(await new PrismaBookingLedger(db.prisma).entriesOf('ITN-CCCCCCCC')).toEqual([]);
  });
});

/**
 * Book → pay (twice with one key) → cancel through the REST API, on a real Temporal dev server
 * with the worker and embedded PGlite: workflow state, ledger postings and inventory.
 */
describe('booking lifecycle through the REST API', () => {
  let server: DevServer;
  let db: Database;
  let api: ApiUnderTest;
  let client: Client;
  const today = calendarDateIn(Date.now(), 'UTC');
  // Inside the demo contracts (today+1..today+120) and before their 21-day release.
  const departure = addDays(today, 60);
  const ret = addDays(departure, 3);

  beforeAll(async () => {
    [server, db] = await Promise.all([startTestDevServer(), openTestPglite()]);
    await prepareReadyFinance(db);
    await seedDemoCatalog(db, today, silentLogger);
    api = startApiUnderTest(db, { address: server.address, namespace: 'default' });
    client = await connectClient(server.address);
    await api.worker.ready;
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    await client?.connection.close();
    await db?.close();
    await server?.stop();
  });

  async function hotelOption() {
    const products = await request(api.app).get('/catalog/products').query({ type: 'HOTEL', limit: 1 }).expect(200);
    ProductPageResponse.parse(products.body);
    const destination: string = products.body.items[0].destination;
    const search = await request(api.app).get('/catalog/availability').query({ destination, checkIn: departure, checkOut: ret, adults: 2, rooms: 1, type: 'HOTEL', currency: 'EUR' }).expect(200);
    AvailabilityResponse.parse(search.body);
    expect(search.body.items.length).toBeGreaterThan(0);
    return { destination, option: search.body.items[0] as { supplierCode: string; productCode: string; category: string; ratePlan: string; available: number } };
  }

  /** A booking request for three nights in `option` for two adults, 25 % deposit. */
  const hotelBooking = (customerId: string, option: { supplierCode: string; productCode: string; category: string; ratePlan: string }) => ({
    customerId,
    advisorId: 'ADV-1',
    currency: 'EUR',
    departureDate: departure,
    returnDate: ret,
    components: [
      { id: 'hotel', kind: 'HOTEL', supplierCode: option.supplierCode, productCode: option.productCode, category: option.category, ratePlan: option.ratePlan, startDate: departure, nights: 3, units: [{ adults: 2, childAges: [] }] },
    ],
    paymentTerms: { depositPercent: '25' },
  });

  async function available(destination: string, o: { supplierCode: string; productCode: string; category: string }): Promise<number> {
    const search = await request(api.app).get('/catalog/availability').query({ destination, checkIn: departure, checkOut: ret, adults: 2, rooms: 1, type: 'HOTEL', currency: 'EUR', limit: 100 }).expect(200);
    const hit = (search.body.items as Array<{ supplierCode: string; productCode: string; category: string; available: number }>).find(
      (i) => i.supplierCode === o.supplierCode && i.productCode === o.productCode && i.category === o.category,
    );
    return hit?.available ?? 0;
  }

  it('books a hotel, takes the deposit once, cancels with the policy penalty and refunds the rest', async () => {
    const { destination, option } = await hotelOption();
    const before = await available(destination, option);
    const customerId = 'C-LIFE-1';
    const body = hotelBooking(customerId, option);

    const quote = await request(api.app).post('/bookings/quote').send(body);
    expect({ status: quote.status, problem: quote.status === 200 ? null : quote.body }).toEqual({ status: 200, problem: null });
    BookingQuoteResponse.parse(quote.body);
    expect(quote.body.total.currency).toBe('EUR');

    const held = await request(api.app).post('/bookings').send(body).expect(201);
    // The answers have the shapes the OpenAPI document gives them.
    HeldBookingResponse.parse(held.body);
    const reference: string = held.body.reference;
    expect(held.headers.location).toBe(`/bookings/${reference}`);
    expect(held.body).toMatchObject({ workflowId: `booking-${reference}`, status: 'HELD', customerId, total: quote.body.total });
    expect(held.body.components).toHaveLength(1);
    const deposit = held.body.schedule[0];
    expect(deposit.kind).toBe('DEPOSIT');
    // 25 % of the total, to the cent (whichever way the plan rounds), and the plan adds up to the total.
    expect(new Dec(deposit.amount.amount).minus(new Dec(held.body.total.amount).times('0.25')).abs().lte('0.01')).toBe(true);
    expect(held.body.schedule.reduce((sum: InstanceType<typeof Dec>, i: { amount: { amount: string } }) => sum.plus(i.amount.amount), new Dec(0)).eq(held.body.total.amount)).toBe(true);
    expect(await available(destination, option)).toBe(before - 1);

    const pay = () => request(api.app).post(`/bookings/${reference}/payments`).set('Idempotency-Key', 'dep-1').send({ amount: deposit.amount, method: 'card' });
    const first = await pay().expect(200);
    PaymentOutcomeResponse.parse(first.body);
    expect(first.body).toMatchObject({ duplicate: false, status: 'CONFIRMED', payment: { paymentId: 'dep-1', amount: deposit.amount } });
    // The same Idempotency-Key again: the first answer replayed exactly (the API's idempotency layer), nothing paid twice.
    const again = await pay().expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);

    const wrongCurrency = await request(api.app).post(`/bookings/${reference}/payments`).set('Idempotency-Key', 'dep-gbp').send({ amount: { amount: '10.00', currency: 'GBP' }, method: 'card' }).expect(422);
    expect(wrongCurrency.body.failureType).toBe('PaymentCurrencyMismatch');

    const detail = await request(api.app).get(`/bookings/${reference}`).expect(200);
    BookingDetailResponse.parse(detail.body);
    expect(detail.body).toMatchObject({ source: 'workflow', status: 'CONFIRMED', paid: deposit.amount });
    const depositEntries = (detail.body.ledger as BookingLedgerEntry[]).filter((e) => e.idempotencyKey.includes('dep-1'));
    expect(depositEntries).toHaveLength(1);
    expect((detail.body.ledger as BookingLedgerEntry[]).every(balanced)).toBe(true);

    const preview = await request(api.app).post(`/bookings/${reference}/cancellation/preview`).send({ reason: 'customer asked' }).expect(200);
    const q = CancellationQuoteResponse.parse(preview.body);
    expect(q.paid).toEqual(deposit.amount);
    expect(new Dec(q.refund.amount).eq(Dec.max(0, new Dec(q.paid.amount).minus(q.totalPenalty.amount)))).toBe(true);

    // A quote the booking never gave: refused (422), nothing cancelled.
    const unknownQuote = await request(api.app).post(`/bookings/${reference}/cancellation`).send({ quoteId: 'no-such-quote', reason: 'customer asked' }).expect(422);
    expect(unknownQuote.body).toMatchObject({ failureType: 'QuoteNotFound', reference });

    const cancelled = await request(api.app).post(`/bookings/${reference}/cancellation`).send({ quoteId: q.quoteId, reason: 'customer asked' }).expect(200);
    CancellationOutcomeResponse.parse(cancelled.body);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', quote: { totalPenalty: q.totalPenalty, refund: q.refund } });
    expect(await available(destination, option)).toBe(before);

    const twice = await request(api.app).post(`/bookings/${reference}/cancellation`).send({ reason: 'again' });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ title: 'Booking state conflict', failureType: 'BookingStateConflict' });
    const late = await request(api.app).post(`/bookings/${reference}/payments`).set('Idempotency-Key', 'late-1').send({ amount: deposit.amount, method: 'card' });
    expect(late.status).toBe(409);
    expect(late.body.failureType).toBe('BookingStateConflict');

    const after = await request(api.app).get(`/bookings/${reference}`).expect(200);
    BookingDetailResponse.parse(after.body);
    expect(after.body.status).toBe('CANCELLED');
    const ledger = after.body.ledger as BookingLedgerEntry[];
    expect(ledger.every(balanced)).toBe(true);
    if (new Dec(q.refund.amount).gt(0)) {
      expect(after.body.refunds).toEqual([expect.objectContaining({ reason: 'CANCELLATION', amount: q.refund })]);
      expect(ledger.length).toBeGreaterThan(depositEntries.length);
    }

    // The projection catches up (written by an activity after each change).
    let listed: Array<{ reference: string; status: string }> = [];
    for (let i = 0; i < 50 && !listed.some((b) => b.reference === reference && b.status === 'CANCELLED'); i++) {
      listed = BookingPageResponse.parse((await request(api.app).get('/bookings').query({ customerId }).expect(200)).body).items;
      if (!listed.some((b) => b.reference === reference && b.status === 'CANCELLED')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(listed).toEqual([expect.objectContaining({ reference, status: 'CANCELLED' })]);
  });

  it('moves a confirmed booking to new dates: the amendment quote, then the amended view', async () => {
    const { option } = await hotelOption();
    const body = hotelBooking('C-LIFE-2', option);
    const held = await request(api.app).post('/bookings').send(body).expect(201);
    const reference: string = held.body.reference;
    await request(api.app).post(`/bookings/${reference}/payments`).set('Idempotency-Key', 'amend-dep').send({ amount: held.body.schedule[0].amount, method: 'card' }).expect(200);

    const newDeparture = addDays(departure, 1);
    const preview = await request(api.app).post(`/bookings/${reference}/amendments/preview`).send({ departureDate: newDeparture });
    expect({ status: preview.status, problem: preview.status === 200 ? null : preview.body }).toEqual({ status: 200, problem: null });
    const quote = AmendmentQuoteResponse.parse(preview.body);
    expect(quote).toMatchObject({ departureDate: newDeparture, returnDate: addDays(ret, 1), oldTotal: held.body.total });
    expect(quote.lines.map((l) => l.componentId)).toEqual(['hotel']);

    const amended = await request(api.app).post(`/bookings/${reference}/amendments`).send({ quoteId: quote.quoteId }).expect(200);
    BookingView.parse(amended.body);
    expect(amended.body).toMatchObject({ reference, departureDate: newDeparture, returnDate: addDays(ret, 1), total: quote.newTotal });
  });
});
