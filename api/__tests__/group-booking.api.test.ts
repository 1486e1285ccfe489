import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { BookingLedgerEntry } from '../../activities/booking-ledger.prisma';
import { PrismaBookingProjection } from '../../activities/booking-projection.prisma';
import { PrismaInventory } from '../../activities/inventory.prisma';
import { bookingWorkflowId } from '../../domain/booking/draft';
import type { BookingRequest, GroupMemberState, Installment, LifecycleView } from '../../domain/booking/model';
import { addDays } from '../../domain/catalog/dates';
import type { Policy } from '../../domain/catalog/model';
import { Dec } from '../../domain/money/money';
import { calendarDateIn } from '../../domain/time/instant';
import type { Database } from '../../infra/database';
import { registerSearchAttributes } from '../../infra/search-attributes';
import { temporalTestServerPath } from '../../infra/tools';
import { startApiUnderTest, prepareReadyFinance, type ApiUnderTest } from '../../test/support/api-harness';
import { openTestPglite } from '../../test/support/databases';
import { firstRatePlan, seedTripCatalog, type TripCatalog } from '../../test/support/trip-catalog';
import { BookingDetailResponse, BookingQuoteResponse, CancellationOutcomeResponse, CancellationQuoteResponse, GroupMemberResponse } from '../schemas/booking.schema';

/** Every supplier in this suite: 20 % from 60 to 31 days before, 50 % inside 30 days. */
const CANCELLATION: Policy = {
  windows: [
    { fromDaysBefore: 60, toDaysBefore: 31, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '20', nonRefundable: false },
    { fromDaysBefore: 30, toDaysBefore: 0, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '50', nonRefundable: false },
  ],
};
const AMENDMENT: Policy = { windows: [] };

const d = (v: string | { amount: string }) => new Dec(typeof v === 'string' ? v : v.amount);
const sum = (xs: Array<string | { amount: string }>) => xs.reduce((acc: InstanceType<typeof Dec>, x) => acc.plus(d(x)), new Dec(0));

/** Debits equal credits in every currency of the entry. */
function balanced(entry: BookingLedgerEntry): boolean {
  const net = new Map<string, InstanceType<typeof Dec>>();
  for (const p of entry.postings) {
    const v = new Dec(p.amount.amount);
    net.set(p.amount.currency, (net.get(p.amount.currency) ?? new Dec(0)).plus(p.side === 'DEBIT' ? v : v.negated()));
  }
  return [...net.values()].every((v) => v.isZero());
}

/** Net (debits − credits) of one account over the booking's ledger. */
function net(ledger: BookingLedgerEntry[], account: string): InstanceType<typeof Dec> {
  return ledger.flatMap((e) => e.postings).filter((p) => p.account === account).reduce((acc, p) => (p.side === 'DEBIT' ? acc.plus(p.amount.amount) : acc.minus(p.amount.amount)), new Dec(0));
}

/**
 * Group bookings through the REST API on the time-skipping server, with the workers `npm start`
 * runs and embedded PGlite: rooming list → inventory, per-member payments, name changes and their
 * deadline, partial cancellations with per-member penalties and refunds, and the ledger.
 */
describe('group bookings through the REST API (time-skipping Temporal, real workers, PGlite)', () => {
  let env: TestWorkflowEnvironment;
  let db: Database;
  let api: ApiUnderTest;
  let client: Client;
  let trip: TripCatalog;
  let inventory: PrismaInventory;
  const today = calendarDateIn(Date.now(), 'UTC');
  const departure = addDays(today, 60);
  const ret = addDays(departure, 4);

  beforeAll(async () => {
    [env, db] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
      openTestPglite(),
    ]);
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    await prepareReadyFinance(db);
    trip = await seedTripCatalog(db, { today, seed: 21, prefix: 'G-', hotels: 1, rooms: 10, days: 400, policies: { cancellation: CANCELLATION, amendment: AMENDMENT } });
    inventory = new PrismaInventory(db.prisma, (sql, params) => db.query(sql, params));
    api = startApiUnderTest(db, { address: env.address, namespace: env.namespace ?? 'default' });
    // A plain client: time moves only when the test sleeps the environment, never behind a result().
    client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    await api.worker.ready;
  }, 180_000);
  afterAll(async () => {
    await api?.stop();
    await env?.teardown();
    await db?.close();
  });

  const members = [
    { id: 'm1', firstName: 'Ada', lastName: 'Lovelace', room: 'A' },
    { id: 'm2', firstName: 'Charles', lastName: 'Babbage', room: 'A' },
    { id: 'm3', firstName: 'Mary', lastName: 'Somerville', room: 'B' },
    { id: 'm4', firstName: 'Annabella', lastName: 'Somerville', room: 'B', age: 10 },
    { id: 'm5', firstName: 'Alan', lastName: 'Turing', room: 'C', email: 'alan@example.com' },
    { id: 'm6', firstName: 'Joan', lastName: 'Clarke', room: 'C' },
  ];

  /** Hotel from the rooming list (no units), transfer and insurance for every member. */
  function groupBody(over: { group?: unknown; components?: unknown[] } = {}) {
    return {
      customerId: 'C-GROUP-1',
      advisorId: 'ADV-G',
      currency: 'GBP',
      departureDate: departure,
      returnDate: ret,
      components: over.components ?? [
        { id: 'hotel', kind: 'HOTEL', supplierCode: trip.hotel.supplierCode, productCode: trip.hotel.code, ...firstRatePlan(trip.hotel), startDate: departure, nights: 4 },
        { id: 'transfer', kind: 'TRANSFER', supplierCode: trip.transfer.supplierCode, productCode: trip.transfer.code, ...firstRatePlan(trip.transfer), startDate: departure, nights: 0, units: [{ adults: 6, childAges: [] }] },
        {
          id: 'insurance',
          kind: 'INSURANCE',
          supplierCode: trip.insurance.supplierCode,
          productCode: trip.insurance.code,
          ...firstRatePlan(trip.insurance),
          startDate: departure,
          nights: 4,
          // Transfer and insurance have no child bands in this catalog: the child rides and is covered as an adult.
          units: members.map(() => ({ adults: 1, childAges: [] })),
        },
      ],
      // The balance falls due a week before departure: long after the name-change deadline this suite skips past.
      paymentTerms: { depositPercent: '30', finalDueDaysBefore: 7 },
      contactEmail: 'organiser@example.com',
      group: over.group ?? { name: 'Analytical Society', payer: 'PER_MEMBER', members, nameChangeDaysBefore: 30 },
    };
  }

  // Every detail read here also has the shape the OpenAPI document gives it.
  const view = async (reference: string): Promise<LifecycleView & { source: string; ledger: BookingLedgerEntry[] }> => {
    const body = (await request(api.app).get(`/bookings/${reference}`).expect(200)).body;
    BookingDetailResponse.parse(body);
    return body;
  };
  const member = (v: Pick<LifecycleView, 'group'>, id: string): GroupMemberState => v.group!.members.find((m) => m.id === id)!;
  const linesOf = (v: Pick<LifecycleView, 'schedule'>, id: string): Installment[] => v.schedule.filter((l) => l.memberId === id);

  it('refuses malformed groups with a pointer at each problem, before anything is held', async () => {
    const refused = async (body: object) => {
      const res = await request(api.app).post('/bookings').send(body);
      expect({ status: res.status, type: res.headers['content-type'] }).toEqual({ status: 422, type: expect.stringContaining('application/problem+json') });
      return res.body.errors as Array<{ pointer: string; detail: string }>;
    };
    const group = (ms: unknown[], extra: object = {}) => ({ name: 'G', payer: 'SINGLE', members: ms, ...extra });

    expect(await refused(groupBody({ group: group([members[0]]) }))).toEqual([{ pointer: '/group/members', detail: 'a group needs at least 2 members' }]);
    expect(await refused(groupBody({ group: group(members.map((m) => (m.id === 'm3' ? { ...m, id: 'm1' } : m))) }))).toEqual([
      { pointer: '/group/members/2/id', detail: '"m1" is used by another member' },
    ]);
    // Room "K" holds only a child: every room needs an adult.
    const kid = members.map((m) => (m.id === 'm4' ? { ...m, room: 'K' } : m));
    expect(await refused(groupBody({ group: group(kid) }))).toEqual([{ pointer: '/group/members/3/room', detail: 'room "K" has only children: every room needs an adult' }]);
    const bad = await refused(groupBody({ group: group(members.map((m) => (m.id === 'm2' ? { ...m, age: 30, firstName: '' } : m)), { payer: 'EVERYONE' }) }));
    expect(bad).toEqual(
      expect.arrayContaining([
        { pointer: '/group/payer', detail: 'must be one of SINGLE, PER_MEMBER' },
        { pointer: '/group/members/1/age', detail: 'is for children (0-17): leave it out for an adult' },
        { pointer: '/group/members/1/firstName', detail: 'must not be empty' },
      ]),
    );
    // Every member takes every service: a transfer for 2 does not carry a group of 6.
    const [hotel, transfer, insurance] = groupBody().components as Array<Record<string, unknown>>;
    expect(await refused(groupBody({ components: [hotel, { ...transfer, units: [{ adults: 2, childAges: [] }] }, insurance] }))).toEqual([
      { pointer: '/components/1/units', detail: 'it is for 2 people but the group has 6 members (every member takes every service)' },
    ]);
    // Without a group, a hotel needs its rooms.
    const { group: _g, ...fit } = groupBody();
    expect(await refused(fit)).toEqual([{ pointer: '/components/0/units', detail: 'is required (a group booking may leave it out: its rooming list gives the rooms)' }]);
    // Nothing was started: no booking for this customer in the projection or the allotment.
    expect((await request(api.app).get('/bookings').query({ customerId: 'C-GROUP-1' }).expect(200)).body.items).toEqual([]);
  });

  it('refuses member-level requests on a FIT booking', async () => {
    const { group: _g, components, ...rest } = groupBody();
    const hotel = { ...(components[0] as Record<string, unknown>), units: [{ adults: 2, childAges: [] }] };
    const held = await request(api.app).post('/bookings').send({ ...rest, customerId: 'C-FIT-1', components: [hotel] }).expect(201);
    const reference: string = held.body.reference;
    expect(held.body.group).toBeNull();

    const pay = await request(api.app).post(`/bookings/${reference}/payments`).set('Idempotency-Key', 'fit-m1').send({ amount: held.body.schedule[0].amount, method: 'card', memberId: 'm1' }).expect(422);
    expect(pay.body).toMatchObject({ failureType: 'PaymentInvalid', detail: `Booking ${reference} is not a group booking: leave memberId out` });
    const cancel = await request(api.app).post(`/bookings/${reference}/cancellation/preview`).send({ memberIds: ['m1'] }).expect(422);
    expect(cancel.body).toMatchObject({ failureType: 'CancellationInvalid', detail: 'memberIds: this is not a group booking' });
    const rename = await request(api.app).post(`/bookings/${reference}/members/m1/name`).send({ firstName: 'Ada', lastName: 'King' }).expect(422);
    expect(rename.body).toMatchObject({ failureType: 'NameChangeRefused', detail: `Booking ${reference} is not a group booking` });
    // Still held, nothing paid.
    expect(await view(reference)).toMatchObject({ status: 'HELD', paid: { amount: '0.00' }, payments: [] });
  });

  it('quotes a group from its rooming list, and a single-payer group takes no member payments', async () => {
    const single = groupBody({ group: { name: 'Board', payer: 'SINGLE', members } });
    const quote = await request(api.app).post('/bookings/quote').send(single);
    expect({ status: quote.status, problem: quote.status === 200 ? null : quote.body }).toEqual({ status: 200, problem: null });
    BookingQuoteResponse.parse(quote.body);
    expect(quote.body.components.find((c: { id: string }) => c.id === 'hotel')).toMatchObject({ inventory: { quantity: 3 }, pax: 6 });

    const held = await request(api.app).post('/bookings').send({ ...single, customerId: 'C-GROUP-2' }).expect(201);
    expect(held.body.total).toEqual(quote.body.total);
    expect(held.body.group).toMatchObject({ payer: 'SINGLE' });
    // One payer: one plan for the whole booking, no member lines.
    expect(held.body.schedule.every((l: Installment) => l.memberId === undefined)).toBe(true);
    const pay = await request(api.app).post(`/bookings/${held.body.reference}/payments`).set('Idempotency-Key', 'single-m1').send({ amount: held.body.schedule[0].amount, method: 'card', memberId: 'm1' }).expect(422);
    expect(pay.body).toMatchObject({ failureType: 'PaymentInvalid', detail: 'Group Board has a single payer: leave memberId out' });
  });

  it('books a group per member, renames until the deadline, cancels two members and keeps the ledger balanced', async () => {
    // ---- book: the rooming list gives the hotel 3 rooms ----------------------------------------
    const held = await request(api.app).post('/bookings').send(groupBody());
    expect({ status: held.status, problem: held.status === 201 ? null : held.body }).toEqual({ status: 201, problem: null });
    const reference: string = held.body.reference;
    const booked = held.body as LifecycleView;
    expect(booked.status).toBe('HELD');
    const rooms = [
      { adults: 2, childAges: [] },
      { adults: 1, childAges: [10] },
      { adults: 2, childAges: [] },
    ];
    const hotel = booked.components.find((c) => c.id === 'hotel')!;
    expect(hotel.request).toMatchObject({ units: rooms });
    expect(hotel.inventory).toMatchObject({ quantity: 3 });
    expect(await inventory.getHold(hotel.supplierRef!)).toMatchObject({ quantity: 3, status: 'HELD' });
    // The request in the workflow's history names the rooms (replays do not depend on the API's code).
    const history = await client.workflow.getHandle(bookingWorkflowId(reference)).fetchHistory();
    const started = JSON.parse(Buffer.from(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!.data!).toString()) as BookingRequest;
    expect(started.components[0]).toMatchObject({ kind: 'HOTEL', units: rooms });
    expect(started.group).toMatchObject({ name: 'Analytical Society', payer: 'PER_MEMBER' });

    // Every member has a share; the shares add up to the total; each member has their own plan.
    expect(booked.group).toMatchObject({ name: 'Analytical Society', payer: 'PER_MEMBER', nameChangeUntil: addDays(departure, -30) });
    expect(booked.group!.members.map((m) => [m.id, m.status])).toEqual(members.map((m) => [m.id, 'ACTIVE']));
    expect(sum(booked.group!.members.map((m) => m.share)).eq(d(booked.total))).toBe(true);
    for (const m of booked.group!.members) {
      const own = linesOf(booked, m.id);
      expect(own.map((l) => l.kind)).toEqual(['DEPOSIT', 'BALANCE']);
      expect(sum(own.map((l) => l.amount)).eq(d(m.share))).toBe(true);
    }
    expect(booked.schedule.every((l) => l.memberId !== undefined)).toBe(true);

    // ---- the organiser pays the whole group deposit in one payment -------------------------------
    const deposits = booked.schedule.filter((l) => l.kind === 'DEPOSIT');
    const groupDeposit = { amount: sum(deposits.map((l) => l.amount)).toFixed(2), currency: 'GBP' };
    const dep = await request(api.app).post(`/bookings/${reference}/payments`).set('Idempotency-Key', 'group-dep').send({ amount: groupDeposit, method: 'bank-transfer' }).expect(200);
    expect(dep.body).toMatchObject({ duplicate: false, status: 'CONFIRMED', payment: { amount: groupDeposit } });
    expect(dep.body.payment.memberId).toBeUndefined();
    let v = await view(reference);
    expect(v.schedule.filter((l) => l.kind === 'DEPOSIT').every((l) => d(l.paid).eq(d(l.amount)))).toBe(true);
    expect(v.schedule.filter((l) => l.kind === 'BALANCE').every((l) => d(l.paid).isZero())).toBe(true);
    expect(await inventory.getHold(hotel.supplierRef!)).toMatchObject({ quantity: 3, status: 'SOLD' });

    // ---- a member pays their own balance: only their lines move ----------------------------------
    const m5Balance = linesOf(v, 'm5').find((l) => l.kind === 'BALANCE')!;
    const own = await request(api.app).post(`/bookings/${reference}/payments`).set('Idempotency-Key', 'm5-balance').send({ amount: m5Balance.amount, method: 'card', memberId: 'm5' }).expect(200);
    expect(own.body).toMatchObject({ status: 'CONFIRMED', payment: { memberId: 'm5', amount: m5Balance.amount } });
    expect(d(own.body.balanceDue).eq(d(v.balanceDue).minus(d(m5Balance.amount)))).toBe(true);
    const before = v;
    v = await view(reference);
    expect(linesOf(v, 'm5').every((l) => d(l.paid).eq(d(l.amount)))).toBe(true);
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm6']) expect(linesOf(v, id)).toEqual(linesOf(before, id));
    const unknownMember = await request(api.app).post(`/bookings/${reference}/payments`).set('Idempotency-Key', 'm9-x').send({ amount: m5Balance.amount, method: 'card', memberId: 'm9' }).expect(422);
    expect(unknownMember.body).toMatchObject({ failureType: 'PaymentInvalid', detail: 'No member "m9" in group Analytical Society' });

    // ---- a name change before the deadline --------------------------------------------------------
    const renamed = await request(api.app).post(`/bookings/${reference}/members/m3/name`).send({ firstName: 'Grace', lastName: 'Hopper' }).expect(200);
    GroupMemberResponse.parse(renamed.body);
    expect(renamed.body).toMatchObject({ id: 'm3', firstName: 'Grace', lastName: 'Hopper', room: 'B', status: 'ACTIVE', nameHistory: [{ firstName: 'Mary', lastName: 'Somerville', changedAt: expect.any(Number) }] });
    const badName = await request(api.app).post(`/bookings/${reference}/members/m3/name`).send({ firstName: '', lastName: 'Hopper', middle: 'M' }).expect(422);
    expect(badName.body.errors).toEqual([
      { pointer: '/firstName', detail: 'must not be empty' },
      { pointer: '/firstName', detail: 'may contain only letters, spaces, apostrophes, dots and hyphens' },
      { pointer: '/middle', detail: 'is not a known field' },
    ]);
    expect((await request(api.app).post(`/bookings/${reference}/members/no%20such/name`).send({ firstName: 'A', lastName: 'B' }).expect(400)).body.errors[0].pointer).toBe('path:memberId');

    // ---- cancelling two members (room C): per-member penalties and refunds ----------------------
    const dupIds = await request(api.app).post(`/bookings/${reference}/cancellation/preview`).send({ memberIds: ['m5', 'm5'] }).expect(422);
    expect(dupIds.body.errors).toEqual([{ pointer: '/memberIds/1', detail: '"m5" is already named at memberIds/0' }]);
    const everyone = await request(api.app).post(`/bookings/${reference}/cancellation/preview`).send({ memberIds: members.map((m) => m.id) }).expect(422);
    expect(everyone.body).toMatchObject({ failureType: 'CancellationInvalid', detail: 'memberIds: that is every member left: cancel the whole booking instead' });

    const preview = await request(api.app).post(`/bookings/${reference}/cancellation/preview`).send({ reason: 'two cannot travel', memberIds: ['m5', 'm6'] }).expect(200);
    CancellationQuoteResponse.parse(preview.body);
    const q = preview.body as { quoteId: string; members: Array<{ memberId: string; share: { amount: string }; penalty: { amount: string }; paid: { amount: string }; refund: { amount: string } }>; newTotal: { amount: string }; refund: { amount: string }; totalPenalty: { amount: string } };
    expect(q.members.map((l) => l.memberId)).toEqual(['m5', 'm6']);
    for (const line of q.members) {
      const m = member(v, line.memberId);
      expect(line.share).toEqual(m.share);
      // 60 days before departure: the 20 % window, on the member's share.
      expect(d(line.penalty).minus(d(m.share).times('0.2')).abs().lte('0.03')).toBe(true);
      expect(d(line.paid).eq(sum(linesOf(v, line.memberId).map((l) => l.paid)))).toBe(true);
      expect(d(line.refund).eq(Dec.max(0, d(line.paid).minus(d(line.penalty))))).toBe(true);
    }
    // m5 paid everything and gets back all but the penalty; m6 paid the 30 % deposit and gets back the 10 % above the penalty.
    expect(d(q.members[0]!.refund).gt(d(q.members[1]!.refund))).toBe(true);
    expect(d(q.refund).eq(sum(q.members.map((l) => l.refund)))).toBe(true);
    const retained = q.members.reduce((acc: InstanceType<typeof Dec>, l) => acc.plus(Dec.min(d(l.penalty), d(l.paid))), new Dec(0));
    expect(d(q.newTotal).eq(d(v.total).minus(sum(q.members.map((l) => l.share))).plus(retained))).toBe(true);
    // A preview changes nothing.
    expect((await view(reference)).group!.members.every((m) => m.status === 'ACTIVE')).toBe(true);

    const mismatch = await request(api.app).post(`/bookings/${reference}/cancellation`).send({ quoteId: q.quoteId, reason: 'two cannot travel', memberIds: ['m6'] }).expect(422);
    expect(mismatch.body).toMatchObject({ failureType: 'CancellationInvalid' });
    const accepted = await request(api.app).post(`/bookings/${reference}/cancellation`).send({ quoteId: q.quoteId, reason: 'two cannot travel', memberIds: ['m5', 'm6'] }).expect(200);
    CancellationOutcomeResponse.parse(accepted.body);
    expect(accepted.body).toMatchObject({ status: 'CONFIRMED', quote: { newTotal: q.newTotal, refund: q.refund, totalPenalty: q.totalPenalty } });

    v = await view(reference);
    expect(v).toMatchObject({ source: 'workflow', status: 'CONFIRMED', total: q.newTotal });
    expect(v.group!.members.map((m) => [m.id, m.status])).toEqual([
      ['m1', 'ACTIVE'],
      ['m2', 'ACTIVE'],
      ['m3', 'ACTIVE'],
      ['m4', 'ACTIVE'],
      ['m5', 'CANCELLED'],
      ['m6', 'CANCELLED'],
    ]);
    for (const line of q.members) expect(member(v, line.memberId).penalty).toEqual(line.penalty);
    expect(member(v, 'm3')).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', nameHistory: [{ firstName: 'Mary', lastName: 'Somerville' }] });
    const memberRefunds = v.refunds.filter((r) => r.reason === 'MEMBER_CANCELLATION');
    expect(sum(memberRefunds.map((r) => r.amount)).eq(d(q.refund))).toBe(true);
    expect(memberRefunds.every((r) => r.ledgerEntryId !== null && v.ledger.some((e) => e.id === r.ledgerEntryId))).toBe(true);
    // Room C went back to the allotment: the hotel is now sold for 2 rooms, the 3-room sale released.
    const hotelAfter = v.components.find((c) => c.id === 'hotel')!;
    expect(hotelAfter.request).toMatchObject({ units: rooms.slice(0, 2) });
    expect(hotelAfter.supplierRef).not.toBe(hotel.supplierRef);
    expect(await inventory.getHold(hotelAfter.supplierRef!)).toMatchObject({ quantity: 2, status: 'SOLD' });
    expect(await inventory.getHold(hotel.supplierRef!)).toMatchObject({ quantity: 3, status: 'CANCELLED' });
    expect(v.needsManualReview).toBe(false);
    // The stored snapshot (what GET /bookings/:reference shows once the workflow is gone) carries the group too.
    const snapshot = await new PrismaBookingProjection(db.prisma).get(reference);
    expect(snapshot?.group).toEqual(v.group);

    // The ledger: every entry balanced; what the customers owe is what the booking says is due.
    expect(v.ledger.length).toBeGreaterThan(0);
    expect(v.ledger.every(balanced)).toBe(true);
    expect(net(v.ledger, 'asset:receivable:customers').eq(d(v.balanceDue))).toBe(true);

    // Cancelled members take no more payments; the rest can no longer all be cancelled one by one.
    const cancelledPays = await request(api.app).post(`/bookings/${reference}/payments`).set('Idempotency-Key', 'm6-late').send({ amount: { amount: '10.00', currency: 'GBP' }, method: 'card', memberId: 'm6' }).expect(409);
    expect(cancelledPays.body.failureType).toBe('BookingStateConflict');
    const rest = await request(api.app).post(`/bookings/${reference}/cancellation`).send({ reason: 'all of them', memberIds: ['m1', 'm2', 'm3', 'm4'] }).expect(422);
    expect(rest.body).toMatchObject({ failureType: 'CancellationInvalid', detail: 'memberIds: that is every member left: cancel the whole booking instead' });

    // ---- past the name-change deadline (30 days before departure) --------------------------------
    await env.sleep(Date.parse(`${addDays(v.group!.nameChangeUntil, 1)}T12:00:00Z`) - (await env.currentTimeMs()));
    const late = await request(api.app).post(`/bookings/${reference}/members/m1/name`).send({ firstName: 'Augusta', lastName: 'King' }).expect(422);
    expect(late.body).toMatchObject({
      title: 'Booking refused the request',
      type: '/problems/booking-name-change-refused',
      failureType: 'NameChangeRefused',
      reference,
      detail: `Names could be changed until ${addDays(departure, -30)} (30 days before departure)`,
    });
    const cancelledRename = await request(api.app).post(`/bookings/${reference}/members/m5/name`).send({ firstName: 'Alan', lastName: 'T' }).expect(422);
    expect(cancelledRename.body.detail).toBe('Member m5 was cancelled');
    v = await view(reference);
    expect(member(v, 'm1')).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', nameHistory: [] });
    expect(v.status).toBe('CONFIRMED');
    expect(v.ledger.every(balanced)).toBe(true);
  });
});
