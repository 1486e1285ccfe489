import type { LifecycleView } from '../../../domain/booking/model';
import { addDays } from '../../../domain/catalog/dates';
import type { Offer, OrderPassenger } from '../../../domain/flights/model';
import { Dec } from '../../../domain/money/money';
import { DAY_MS, HOUR_MS } from '../../../domain/time/instant';
import {
  acceptAmendmentUpdate,
  acceptCancellationUpdate,
  assignComplaintUpdate,
  lifecycleStatusQuery,
  logComplaintUpdate,
  previewAmendmentUpdate,
  previewCancellationUpdate,
  resolveComplaintUpdate,
} from '../messages';
import { startLifecycleRig, type LifecycleRig } from './lifecycle.rig';
import { lifecycleTools } from './lifecycle.tools';
import { ComplaintView } from '../../../api/schemas/booking.schema';

/**
 * The five business scenarios and the failure cases of issue 7, on the time-skipping server with
 * the real activities: PGlite (catalog, inventory, ledger, deferred revenue, projection), and the
 * sandbox GDS over HTTP for flights. Each asserts the workflow's state, the ledger and inventory.
 */
jest.setTimeout(120_000);

const PASSENGERS: OrderPassenger[] = [
  { id: 'P-1', type: 'ADT', title: 'MS', givenName: 'Ada', familyName: 'Lovelace', bornOn: '1980-12-10', gender: 'F', passport: { number: '501234567', issuingCountry: 'GB', expiresOn: '2034-01-01' } },
  { id: 'P-2', type: 'ADT', title: 'MR', givenName: 'Charles', familyName: 'Babbage', bornOn: '1979-12-26', gender: 'M', passport: { number: '701234567', issuingCountry: 'GB', expiresOn: '2033-06-01' } },
];

let rig: LifecycleRig;
beforeAll(async () => {
  rig = await startLifecycleRig();
});
afterAll(async () => {
  await rig?.stop();
});

const { skipTo, skipUntilSettled, request, open, pay, record, result, ledgerNet, entryCount, holdStatus, failureType } = lifecycleTools(() => rig);

async function holdableOffer(departureDate: string, returnDate: string): Promise<Offer> {
  const offers = await rig.duffel.search({
    slices: [
      { origin: 'LHR', destination: 'JFK', departureDate },
      { origin: 'JFK', destination: 'LHR', departureDate: returnDate },
    ],
    passengers: [{ type: 'ADT' }, { type: 'ADT' }],
    cabin: 'ECONOMY',
  });
  const offer = offers.find((o) => !o.instantPaymentRequired);
  if (!offer) throw new Error('the sandbox GDS returned no holdable offer');
  return offer;
}

const sellOf = (view: LifecycleView, id: string) => view.components.find((c) => c.id === id)!.sell.amount;
const total = (view: LifecycleView) => new Dec(view.total.amount);

describe('booking lifecycle: business scenarios', () => {


  it('(c) cancellation 20 days out: 50 % penalty by the supplier policy, the rest refunded, inventory returned', async () => {
    const req = await request(45, 5);
    const { handle, view: held } = await open(req);
    await pay(handle, held.total.amount, 'full-c');
    await skipTo(Date.parse(`${addDays(req.departureDate, -20)}T09:00:00Z`));

    const quote = await handle.executeUpdate(previewCancellationUpdate, { args: [{ reason: 'illness' }] });
    const expectedPenalty = held.components.reduce((s, c) => s.plus(new Dec(c.sell.amount).times('0.5').toDecimalPlaces(2, Dec.ROUND_HALF_UP)), new Dec(0));
    expect(quote.totalPenalty.amount).toBe(expectedPenalty.toFixed(2));
    expect(quote.refund.amount).toBe(total(held).minus(expectedPenalty).toFixed(2));

    const outcome = await handle.executeUpdate(acceptCancellationUpdate, { args: [{ quoteId: quote.quoteId, reason: 'illness' }] });
    expect(outcome.status).toBe('CANCELLED');
    expect((await handle.query(lifecycleStatusQuery)).balanceDue.amount).toBe('0.00');
    expect(await holdStatus(`${handle.workflowId}:hold:hotel`)).toBe('CANCELLED');
    const refunds = await rig.db.query<{ amount: string }>(`SELECT amount::text FROM payment_refunds WHERE booking_ref = $1`, [req.reference]);
    expect(refunds.map((r) => new Dec(r.amount).toFixed(2))).toEqual([quote.refund.amount]);

    const net = await ledgerNet(req.reference);
    expect(net['asset:receivable:customers']).toBe('0.00');
    expect(net['asset:clearing:card']).toBe(expectedPenalty.toFixed(2));
    expect(net['liability:deferred-revenue:hotels']).toBe('0.00');
    expect(net['revenue:hotels:direct']).toBe(new Dec(sellOf(held, 'hotel')).times('0.5').toDecimalPlaces(2, Dec.ROUND_HALF_UP).neg().toFixed(2));

    // Bad input after the fact: cancelling twice, paying a cancelled booking.
    expect(await failureType(handle.executeUpdate(acceptCancellationUpdate, { args: [{ reason: 'again' }] }))).toBe('BookingStateConflict');
    expect(await failureType(pay(handle, '10.00'))).toBe('BookingStateConflict');
    await record('cancellation-with-penalty', handle);
    await handle.terminate('scenario done');
  });

  it('(d) amendment of the departure date: repriced, new dates held, old released, schedule moved', async () => {
    const req = await request(90, 4);
    const { handle, view: held } = await open(req);
    await pay(handle, held.schedule[0]!.amount.amount, 'dep-d');
    const newDeparture = addDays(req.departureDate, 7);

    // A date with no allotment is refused and changes nothing.
    expect(await failureType(handle.executeUpdate(previewAmendmentUpdate, { args: [{ departureDate: addDays(req.departureDate, 1600) }] }))).toBe('AmendmentUnavailable');

    const quote = await handle.executeUpdate(previewAmendmentUpdate, { args: [{ departureDate: newDeparture }] });
    expect(quote.returnDate).toBe(addDays(req.returnDate, 7));
    expect(quote.fees.amount).toBe('0.00'); // 90 days out: outside the 30-day amendment window
    const amended = await handle.executeUpdate(acceptAmendmentUpdate, { args: [{ quoteId: quote.quoteId }] });
    expect(amended.departureDate).toBe(newDeparture);
    expect(amended.total).toEqual(quote.newTotal);
    expect(await holdStatus(`${handle.workflowId}:hold:hotel`)).toBe('CANCELLED');
    expect(await holdStatus(`${handle.workflowId}:hold:hotel:v2`)).toBe('SOLD');
    expect(amended.schedule.filter((i) => i.kind === 'DEPOSIT')).toHaveLength(1);
    const balance = amended.schedule.find((i) => i.kind === 'BALANCE')!;
    expect(balance.dueDate).toBe(addDays(newDeparture, -42));
    expect(amended.schedule.reduce((s, i) => s.plus(i.amount.amount), new Dec(0)).toFixed(2)).toBe(quote.newTotal.amount);

    const net = await ledgerNet(req.reference);
    expect(net['asset:receivable:customers']).toBe(new Dec(quote.newTotal.amount).minus(held.schedule[0]!.amount.amount).toFixed(2));
    await record('amendment-departure-date', handle);
    await handle.terminate('scenario done');
  });

  it('(e) complaint logged, assigned and resolved with a goodwill credit posted to the ledger', async () => {
    const req = await request(30, 3);
    const { handle, view: held } = await open(req);
    await pay(handle, held.total.amount, 'full-e');
    const complaint = await handle.executeUpdate(logComplaintUpdate, { args: [{ complaintId: 'c-1', category: 'ACCOMMODATION', severity: 'MEDIUM', notes: 'Room not as described' }] });
    expect(complaint.status).toBe('OPEN');
    // What POST /bookings/:reference/complaints answers, in the shape the OpenAPI document gives it.
    ComplaintView.parse(complaint);
    await handle.executeUpdate(assignComplaintUpdate, { args: [{ complaintId: 'c-1', assignee: 'ops-anna' }] });
    const resolved = await handle.executeUpdate(resolveComplaintUpdate, {
      args: [{ complaintId: 'c-1', resolution: 'Apologised; credit for the next trip', goodwill: { kind: 'CREDIT', amount: { amount: '50.00', currency: 'GBP' } } }],
    });
    expect(ComplaintView.parse(resolved)).toMatchObject({ status: 'RESOLVED', assignee: 'ops-anna', goodwill: { kind: 'CREDIT', amount: { amount: '50.00', currency: 'GBP' } } });
    const net = await ledgerNet(req.reference);
    expect(net['expense:goodwill']).toBe('50.00');
    expect(net['liability:customer-credits']).toBe('-50.00');
    const view = await handle.query(lifecycleStatusQuery);
    expect(view.complaints).toHaveLength(1);
    expect(view.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['COMPLAINT', 'COMPLAINT_ASSIGNED', 'COMPLAINT_RESOLVED']));
    await record('complaint-goodwill-credit', handle);
    await handle.terminate('scenario done');
  });
});

describe('booking lifecycle: failures', () => {
  it('a supplier that times out during confirmation: what was confirmed is compensated, the deposit refunded, the booking FAILED', async () => {
    const req0 = await request(40, 4);
    const offers = await rig.duffel.search({ slices: [{ origin: 'LHR', destination: 'JFK', departureDate: req0.departureDate }], passengers: [{ type: 'ADT' }, { type: 'ADT' }], cabin: 'ECONOMY' });
    const instant = offers.find((o) => o.instantPaymentRequired);
    if (!instant) throw new Error('no instant-payment offer in the sandbox');
    const req = { ...req0, components: [...req0.components, { id: 'flight', kind: 'FLIGHT' as const, supplier: 'duffel-sandbox', offerId: instant.id, passengers: PASSENGERS }] };
    const { handle, view: held } = await open(req);
    expect(held.status).toBe('HELD');
    rig.gds.faults.add({ method: 'POST', path: '/air/orders', fault: 'status=503' });
    try {
      const outcome = await skipUntilSettled(pay(handle, held.schedule[0]!.amount.amount, 'dep-fail'));
      expect(outcome.status).toBe('FAILED');
    } finally {
      rig.gds.faults.clear();
    }
    const view = await handle.query(lifecycleStatusQuery);
    expect(view.failure).toMatch(/Confirmation failed/);
    expect(view.components.every((c) => c.status === 'CANCELLED')).toBe(true);
    expect(await holdStatus(`${handle.workflowId}:hold:hotel`)).toBe('CANCELLED');
    const [cancelledServices] = await rig.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM supplier_service_orders WHERE booking_ref = $1 AND status = 'CANCELLED'`, [req.reference]);
    expect(cancelledServices!.n).toBe(2);
    const net = await ledgerNet(req.reference);
    expect(net['liability:customer-deposits']).toBe('0.00');
    expect(net['asset:clearing:card']).toBe('0.00');
    expect(await entryCount(`${handle.workflowId}:sale%`)).toBe(0);
    expect((await handle.result()).status).toBe('FAILED');
    await record('supplier-timeout-compensated', handle);
  });


  it('a payment delivered twice is posted once', async () => {
    const req = await request(50, 3);
    const { handle, view: held } = await open(req);
    const first = await pay(handle, held.schedule[0]!.amount.amount, 'psp-123');
    const again = await pay(handle, held.schedule[0]!.amount.amount, 'psp-123');
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(again.payment).toEqual(first.payment);
    expect(await entryCount(`${handle.workflowId}:payment:%`)).toBe(1);
    const view = await handle.query(lifecycleStatusQuery);
    expect(view.payments).toHaveLength(1);
    // Wrong currency is refused by the validator: nothing recorded.
    expect(await failureType(pay(handle, '10.00', 'psp-eur', 'EUR'))).toBe('PaymentCurrencyMismatch');
    expect((await handle.query(lifecycleStatusQuery)).payments).toHaveLength(1);
    await handle.terminate('scenario done');
  });

  it('revision 4: the confirming deposit is posted while the booking is confirmed; the sale, its deferred revenue and the projection are written side by side', async () => {
    const req = await request(50, 3);
    const { handle, view: held } = await open(req);
    const key = (input: unknown) => (input as { idempotencyKey?: string }).idempotencyKey ?? '';
    const depositPosting = (name: string, input: unknown) => name === 'postLedgerEntry' && key(input).includes(':payment:');
    const salePosting = (name: string, input: unknown) => name === 'postLedgerEntry' && key(input).endsWith(':sale');
    // Each posting waits (up to 10 s) for its partner to start: run one after the other, the
    // partner cannot start until the posting ended, and the order below shows it.
    const started = new Set<string>();
    const partnerStarted = (partner: string) => async () => {
      for (let i = 0; i < 1000 && !started.has(partner); i++) await new Promise((r) => setTimeout(r, 10));
    };
    rig.beforeActivity = async (name, input) => {
      started.add(name);
      if (depositPosting(name, input)) await partnerStarted('confirmBookingComponents')();
      if (salePosting(name, input)) {
        await partnerStarted('deferBookingRevenue')();
        await partnerStarted('publishBooking')();
      }
    };
    const from = rig.activityTrace.length;
    try {
      expect((await pay(handle, held.schedule[0]!.amount.amount, 'psp-side-by-side')).status).toBe('CONFIRMED');
    } finally {
      rig.beforeActivity = null;
    }
    const trace = rig.activityTrace.slice(from);
    const at = (pick: (e: (typeof trace)[number]) => boolean) => trace.findIndex(pick);
    expect(at((e) => e.phase === 'start' && e.name === 'confirmBookingComponents')).toBeLessThan(at((e) => e.phase === 'end' && depositPosting(e.name, e.input)));
    expect(at((e) => e.phase === 'start' && e.name === 'deferBookingRevenue')).toBeLessThan(at((e) => e.phase === 'end' && salePosting(e.name, e.input)));
    expect(at((e) => e.phase === 'start' && e.name === 'publishBooking')).toBeLessThan(at((e) => e.phase === 'end' && salePosting(e.name, e.input)));
    // Side by side, and still one of each in the ledger; the projection written once, confirmed,
    // with the payment's ledger entry and the confirmation notice.
    expect(await entryCount(`${handle.workflowId}:payment:%`)).toBe(1);
    expect(await entryCount(`${handle.workflowId}:sale`)).toBe(1);
    const published = trace.filter((e) => e.phase === 'start' && e.name === 'publishBooking').map((e) => e.input as { view: LifecycleView; notices: { kind: string }[] });
    expect(published).toHaveLength(1);
    expect(published[0]!.view.status).toBe('CONFIRMED');
    expect(published[0]!.view.payments[0]!.ledgerEntryId).toEqual(expect.any(String));
    expect(published[0]!.notices.map((n) => n.kind)).toEqual(['CONFIRMED']);
    await handle.terminate('scenario done');
  });

  it('the same payment delivered twice at once (a retry racing the first attempt) is applied once', async () => {
    const req = await request(50, 3);
    const { handle, view: held } = await open(req);
    const amount = held.schedule[0]!.amount.amount;
    const outcomes = await Promise.all([pay(handle, amount, 'psp-race'), pay(handle, amount, 'psp-race'), pay(handle, amount, 'psp-race')]);
    expect(outcomes.filter((o) => !o.duplicate)).toHaveLength(1);
    expect(new Set(outcomes.map((o) => JSON.stringify(o.payment))).size).toBe(1);
    const view = await handle.query(lifecycleStatusQuery);
    expect(view.payments).toHaveLength(1);
    expect(view.paid.amount).toBe(amount);
    expect(view.status).toBe('CONFIRMED');
    expect(await entryCount(`${handle.workflowId}:payment:%`)).toBe(1);
    await handle.terminate('scenario done');
  });

  it('an overpayment: the excess is refunded at once', async () => {
    const req = await request(50, 2);
    const { handle, view: held } = await open(req);
    const outcome = await pay(handle, total(held).plus(25).toFixed(2), 'psp-over');
    expect(outcome.payment.excessRefunded).toBe('25.00');
    expect(outcome.status).toBe('PAID');
    const net = await ledgerNet(req.reference);
    expect(net['asset:clearing:card']).toBe(total(held).toFixed(2));
    expect(net['asset:receivable:customers']).toBe('0.00');
    await handle.terminate('scenario done');
  });

  it('an unpaid flight at its ticketing deadline is cancelled before the deadline and ops are alerted', async () => {
    const req0 = await request(30, 5, { paymentTerms: { depositPercent: '10', finalDueDaysBefore: 14 } });
    const offer = await holdableOffer(req0.departureDate, req0.returnDate);
    const req = { ...req0, components: [...req0.components.slice(0, 1), { id: 'flight', kind: 'FLIGHT' as const, supplier: 'duffel-sandbox', offerId: offer.id, passengers: PASSENGERS }] };
    const { handle, view: held } = await open(req);
    const deposit = held.schedule[0]!.amount.amount;
    expect(new Dec(deposit).lessThan(sellOf(held, 'flight'))).toBe(true);
    await pay(handle, deposit, 'dep-ticket');
    const flight = held.components.find((c) => c.id === 'flight')!;
    await skipTo(offer.ticketingDeadline! - HOUR_MS);
    const view = await handle.query(lifecycleStatusQuery);
    expect(view.components.find((c) => c.id === 'flight')!.status).toBe('CANCELLED');
    expect((await rig.gds.core.getOrder(flight.supplierRef!)).status).toBe('CANCELLED');
    expect(rig.notices.some((n) => n.reference === req.reference && n.kind === 'TICKETING_ALERT' && n.recipient === 'ops')).toBe(true);
    expect(view.total.amount).toBe(new Dec(held.total.amount).minus(sellOf(held, 'flight')).toFixed(2));
    const net = await ledgerNet(req.reference);
    expect(net['liability:payable:suppliers'] ?? '0.00').toBe('0.00');
    await record('unpaid-ticketing-deadline', handle);
    await handle.terminate('scenario done');
  });

  it('a hold whose deposit never comes lapses: inventory and the flight hold are released', async () => {
    const req = await request(25, 2, { holdHours: 24 });
    const { handle, view } = await open(req);
    await skipTo(view.holdExpiresAt! + 60_000);
    expect(((await handle.result()) as LifecycleView).status).toBe('EXPIRED');
    expect(await holdStatus(`${handle.workflowId}:hold:hotel`)).toBe('CANCELLED');
    await record('hold-lapses', handle);
  });
});

/** Last: these move the shared test clock by months (travel, completion, a nine-month plan). */
describe('booking lifecycle: journeys that run to completion', () => {
  it('(a) FIT flight + hotel + transfer + insurance: held, paid, confirmed as agent for the flight, ticketed, travelled, completed', async () => {
    const req0 = await request(60, 7);
    const offer = await holdableOffer(req0.departureDate, req0.returnDate);
    const req = { ...req0, components: [{ id: 'flight', kind: 'FLIGHT' as const, supplier: 'duffel-sandbox', offerId: offer.id, passengers: PASSENGERS }, ...req0.components] };
    const { handle, view: held } = await open(req);

    expect(held.status).toBe('HELD');
    expect(held.components.map((c) => [c.id, c.status])).toEqual([
      ['flight', 'HELD'],
      ['hotel', 'HELD'],
      ['transfer', 'PRICED'],
      ['insurance', 'PRICED'],
    ]);
    expect(await holdStatus(`${handle.workflowId}:hold:hotel`)).toBe('HELD');
    const flight = held.components[0]!;
    expect((await rig.gds.core.getOrder(flight.supplierRef!)).status).toBe('HELD');
    expect(held.schedule.reduce((s, i) => s.plus(i.amount.amount), new Dec(0)).toFixed(2)).toBe(held.total.amount);
    expect(held.holdExpiresAt).toBeLessThanOrEqual(offer.ticketingDeadline!);

    const outcome = await pay(handle, held.total.amount);
    expect(outcome).toMatchObject({ duplicate: false, status: 'PAID', balanceDue: { amount: '0.00', currency: 'GBP' } });
    const paid = await handle.query(lifecycleStatusQuery);
    expect(paid.components.map((c) => [c.id, c.status])).toEqual([
      ['flight', 'TICKETED'],
      ['hotel', 'CONFIRMED'],
      ['transfer', 'CONFIRMED'],
      ['insurance', 'CONFIRMED'],
    ]);
    expect(paid.components[0]!.documents.filter((d) => d.type === 'ETICKET')).toHaveLength(2);
    expect((await rig.gds.core.getOrder(flight.supplierRef!)).status).toBe('TICKETED');
    expect(await holdStatus(`${handle.workflowId}:hold:hotel`)).toBe('SOLD');
    const [orders] = await rig.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM supplier_service_orders WHERE booking_ref = $1 AND status = 'CONFIRMED'`, [req.reference]);
    expect(orders!.n).toBe(2);

    // Ledger: everything paid is applied; the flight's fare is owed to the airline, the rest deferred.
    const net = await ledgerNet(req.reference);
    const settlement = new Dec(flight.settlement!.amount);
    expect(net['asset:receivable:customers']).toBe('0.00');
    expect(net['asset:clearing:card']).toBe(total(held).toFixed(2));
    expect(net['liability:payable:suppliers']).toBe(settlement.neg().toFixed(2));
    expect(net['liability:deferred-revenue:hotels']).toBe(new Dec(sellOf(held, 'hotel')).neg().toFixed(2));
    expect(net['liability:customer-deposits'] ?? '0.00').toBe('0.00');

    // Travel, return, completion (the workflow then stays open 30 days for complaints).
    await skipTo(Date.parse(`${req.departureDate}T12:00:00Z`));
    expect((await handle.query(lifecycleStatusQuery)).status).toBe('TRAVELLING');
    const final = await result(handle, req);
    expect(final.status).toBe('COMPLETED');
    expect(final.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['HELD', 'PAYMENT', 'PAID', 'TRAVELLING', 'COMPLETED']));
    const [row] = await rig.db.query<{ status: string; balance_due: string }>(`SELECT status::text, balance_due::text FROM bookings WHERE reference = $1`, [req.reference]);
    expect(row).toEqual({ status: 'COMPLETED', balance_due: '0.0000' });
    await record('fit-flight-hotel-transfer', handle);
  });

  it('a worker restarted mid-workflow: the booking carries on and completes', async () => {
    const req = await request(60, 2);
    const { handle, view: held } = await open(req);
    await pay(handle, held.schedule[0]!.amount.amount, 'dep-restart');
    expect((await handle.query(lifecycleStatusQuery)).status).toBe('CONFIRMED');
    await rig.restartBookingWorker();
    const outcome = await pay(handle, (await handle.query(lifecycleStatusQuery)).balanceDue.amount, 'bal-restart');
    expect(outcome.status).toBe('PAID');
    expect((await result(handle, req)).status).toBe('COMPLETED');
  });

  it('a FIT booking: deposit, three installments and the final balance over nine months, each reminded before it is due', async () => {
    const req = await request(270, 10, { paymentTerms: { depositPercent: '25', installments: 3, finalDueDaysBefore: 42, reminderDaysBefore: 7, graceDays: 3 } });
    const { handle, view: held } = await open(req);
    expect(held.schedule.map((i) => i.kind)).toEqual(['DEPOSIT', 'INSTALLMENT', 'INSTALLMENT', 'INSTALLMENT', 'BALANCE']);
    expect(held.schedule.reduce((s, i) => s.plus(i.amount.amount), new Dec(0)).toFixed(2)).toBe(held.total.amount);

    const deposit = await pay(handle, held.schedule[0]!.amount.amount, 'dep-1');
    expect(deposit.status).toBe('CONFIRMED');
    for (const inst of held.schedule.slice(1)) {
      // A week before it is due the customer is reminded; then it is paid.
      await skipTo(inst.dueAt - 7 * DAY_MS + HOUR_MS);
      expect(rig.notices.filter((n) => n.reference === req.reference && n.kind === 'REMINDER' && n.subject.includes(inst.dueDate))).toHaveLength(1);
      const outcome = await pay(handle, inst.amount.amount, `pay-${inst.id}`);
      expect(outcome.payment.excessRefunded).toBe('0.00');
    }
    const view = await handle.query(lifecycleStatusQuery);
    expect(view.status).toBe('PAID');
    expect(view.schedule.every((i) => i.paid === i.amount.amount)).toBe(true);
    expect(await entryCount(`${handle.workflowId}:payment:%`)).toBe(5);
    const net = await ledgerNet(req.reference);
    expect(net['asset:receivable:customers']).toBe('0.00');
    expect(net['asset:clearing:card']).toBe(total(held).toFixed(2));
    expect(rig.notices.filter((n) => n.reference === req.reference && n.kind === 'PAYMENT_OVERDUE')).toHaveLength(0);
    const final = await result(handle, req);
    expect(final.status).toBe('COMPLETED');
    await record('nine-month-payment-plan', handle);
  });
});
