import type { CatalogComponentRequest, ComponentRequest, GroupInput, LifecycleView } from '../../../domain/booking/model';
import { withRoomingList } from '../../../domain/booking/group';
import { addDays } from '../../../domain/catalog/dates';
import { Dec } from '../../../domain/money/money';
import { DAY_MS, HOUR_MS } from '../../../domain/time/instant';
import { firstRatePlan } from '../../../test/support/trip-catalog';
import { acceptCancellationUpdate, changeMemberNameUpdate, lifecycleStatusQuery, previewCancellationUpdate } from '../messages';
import { startLifecycleRig, type LifecycleRig } from './lifecycle.rig';
import { lifecycleTools } from './lifecycle.tools';

/**
 * Group bookings on the time-skipping server with the real activities: the rooming list held as
 * rooms, the group deposit, per-member installments over nine months, a member who does not pay
 * cancelled alone, a partial cancellation that gives a room back, and name changes until the deadline.
 */
jest.setTimeout(120_000);

let rig: LifecycleRig;
beforeAll(async () => {
  rig = await startLifecycleRig();
});
afterAll(async () => {
  await rig?.stop();
});

const { skipTo, request, open, pay, record, result, ledgerNet, holdStatus, failureType } = lifecycleTools(() => rig);

function members(rooms: string[][]): GroupInput['members'] {
  return rooms.flatMap((room, r) => room.map((name) => ({ id: name.toLowerCase(), firstName: name, lastName: 'Traveller', room: `R${r + 1}`, email: `${name.toLowerCase()}@example.com` })));
}

/** Hotel (rooms from the rooming list) and insurance for every member. */
function groupComponents(departureDate: string, nights: number, pax: number): ComponentRequest[] {
  const hotel: CatalogComponentRequest = { id: 'hotel', kind: 'HOTEL', supplierCode: rig.hotel.supplierCode, productCode: rig.hotel.code, ...firstRatePlan(rig.hotel), startDate: departureDate, nights, units: [] };
  const insurance: CatalogComponentRequest = {
    id: 'insurance',
    kind: 'INSURANCE',
    supplierCode: rig.insurance.supplierCode,
    productCode: rig.insurance.code,
    ...firstRatePlan(rig.insurance),
    startDate: departureDate,
    nights,
    units: Array.from({ length: pax }, () => ({ adults: 1, childAges: [] })),
  };
  return [hotel, insurance];
}

async function groupRequest(daysAhead: number, nights: number, group: GroupInput, extra: Parameters<typeof request>[2] = {}) {
  const base = await request(daysAhead, nights, { group, ...extra }, []);
  return withRoomingList({ ...base, components: groupComponents(base.departureDate, nights, group.members.length) });
}

const sumOf = (xs: Array<{ amount: string }>) => xs.reduce((s, x) => s.plus(x.amount), new Dec(0));
const memberLines = (view: LifecycleView, id: string) => view.schedule.filter((i) => i.memberId === id);

describe('group bookings', () => {
  it('(b) a group of six paying per member over nine months: one group deposit, reminders to each member, a member who never pays the balance is cancelled alone', async () => {
    const group: GroupInput = { name: 'Choir tour', payer: 'PER_MEMBER', members: members([['Ann', 'Bea'], ['Cal', 'Dee'], ['Eve', 'Fay']]) };
    const req = await groupRequest(270, 7, group, { paymentTerms: { depositPercent: '20', installments: 2, finalDueDaysBefore: 42, reminderDaysBefore: 7, graceDays: 3 } });
    const { handle, view: held } = await open(req);

    // The rooming list became three rooms, held together for six people.
    expect(held.components.find((c) => c.id === 'hotel')!.request).toMatchObject({ units: [{ adults: 2 }, { adults: 2 }, { adults: 2 }] });
    expect((await rig.inventory.getHold(`${handle.workflowId}:hold:hotel`))?.quantity).toBe(3);
    // Every member's share adds up to the total; each has their own plan for it.
    const g = held.group!;
    expect(g.members).toHaveLength(6);
    expect(sumOf(g.members.map((m) => m.share)).toFixed(2)).toBe(held.total.amount);
    for (const m of g.members) {
      expect(memberLines(held, m.id).map((i) => i.kind)).toEqual(['DEPOSIT', 'INSTALLMENT', 'INSTALLMENT', 'BALANCE']);
      expect(sumOf(memberLines(held, m.id).map((i) => i.amount)).toFixed(2)).toBe(m.share.amount);
    }
    expect(sumOf(held.schedule.map((i) => i.amount)).toFixed(2)).toBe(held.total.amount);

    // The organiser pays the group deposit in one payment: the booking is confirmed.
    const groupDeposit = sumOf(held.schedule.filter((i) => i.kind === 'DEPOSIT').map((i) => i.amount));
    expect((await pay(handle, groupDeposit.toFixed(2), 'group-deposit')).status).toBe('CONFIRMED');

    // Installments and balance: each member is reminded at their own address and pays their own line; Fay never pays the balance.
    const later = held.schedule.filter((i) => i.kind !== 'DEPOSIT' && i.memberId === 'ann').map((i) => i.id.split('/')[1]!);
    for (const lineId of later) {
      const line = held.schedule.find((i) => i.id === `ann/${lineId}`)!;
      await skipTo(line.dueAt - 7 * DAY_MS + HOUR_MS);
      const reminders = rig.notices.filter((n) => n.reference === req.reference && n.kind === 'REMINDER' && n.subject.includes(line.dueDate));
      expect(reminders.map((n) => n.recipient).sort()).toEqual(g.members.map((m) => m.email).sort());
      for (const m of g.members) {
        if (m.id === 'fay' && lineId === 'balance') continue;
        const own = held.schedule.find((i) => i.id === `${m.id}/${lineId}`)!;
        const outcome = await pay(handle, own.amount.amount, `${m.id}-${lineId}`, 'GBP', m.id);
        expect(outcome.payment.excessRefunded).toBe('0.00');
      }
    }
    const beforeGrace = await handle.query(lifecycleStatusQuery);
    expect(beforeGrace.status).toBe('CONFIRMED');
    expect(beforeGrace.balanceDue.amount).toBe(held.schedule.find((i) => i.id === 'fay/balance')!.amount.amount);

    // Past the balance date and the grace days: Fay alone is cancelled with the policy penalty on her share (20 % 31-60 days out).
    const balance = held.schedule.find((i) => i.id === 'fay/balance')!;
    await skipTo(balance.dueAt + 3 * DAY_MS + HOUR_MS);
    const after = await handle.query(lifecycleStatusQuery);
    const fay = after.group!.members.find((m) => m.id === 'fay')!;
    expect(fay.status).toBe('CANCELLED');
    const fayShare = g.members.find((m) => m.id === 'fay')!.shares;
    const expectedPenalty = Object.values(fayShare).reduce((s, x) => s.plus(new Dec(x.amount).times('0.2').toDecimalPlaces(2, Dec.ROUND_HALF_UP)), new Dec(0));
    expect(fay.penalty!.amount).toBe(expectedPenalty.toFixed(2));
    const fayPaid = sumOf(memberLines(after, 'fay').map((i) => ({ amount: i.paid })));
    const refunds = after.refunds.filter((r) => r.reason === 'MEMBER_CANCELLATION');
    expect(sumOf(refunds.map((r) => r.amount)).toFixed(2)).toBe(fayPaid.minus(expectedPenalty).toFixed(2));
    expect(after.status).toBe('PAID');
    expect(after.group!.members.filter((m) => m.status === 'ACTIVE')).toHaveLength(5);
    // Eve still sleeps in room 3: no room was freed.
    expect((await rig.inventory.getHold(`${handle.workflowId}:hold:hotel`))?.status).toBe('SOLD');
    expect(rig.notices.filter((n) => n.reference === req.reference && n.kind === 'CANCELLED')).toHaveLength(0);

    const net = await ledgerNet(req.reference);
    expect(net['asset:receivable:customers']).toBe('0.00');
    const paidIn = sumOf(after.payments.map((p) => p.amount)).minus(sumOf(after.refunds.map((r) => r.amount)));
    expect(net['asset:clearing:card']).toBe(paidIn.toFixed(2));
    expect(new Dec(after.total.amount).toFixed(2)).toBe(paidIn.toFixed(2));

    const final = await result(handle, req);
    expect(final.status).toBe('COMPLETED');
    await record('group-per-member-nine-months', handle);
  });

  it('a single payer: names change until the deadline, two members sharing a room cancel and the room goes back to the allotment', async () => {
    const group: GroupInput = { name: 'Smith family', payer: 'SINGLE', nameChangeDaysBefore: 30, members: members([['Gus', 'Hal'], ['Ian', 'Joy']]) };
    const req = await groupRequest(100, 5, group);
    const { handle, view: held } = await open(req);
    expect(held.schedule.every((i) => i.memberId === undefined)).toBe(true);
    expect((await pay(handle, held.total.amount, 'organiser-full')).status).toBe('PAID');

    // A name change before the deadline is kept with its history.
    const renamed = await handle.executeUpdate(changeMemberNameUpdate, { args: [{ memberId: 'hal', firstName: 'Hank', lastName: 'Other' }] });
    expect(renamed).toMatchObject({ firstName: 'Hank', lastName: 'Other', nameHistory: [{ firstName: 'Hal', lastName: 'Traveller' }] });

    // 50 days out (20 % window) Ian and Joy cancel: their room is freed.
    await skipTo(Date.parse(`${addDays(req.departureDate, -50)}T09:00:00Z`));
    const quote = await handle.executeUpdate(previewCancellationUpdate, { args: [{ reason: 'work', memberIds: ['ian', 'joy'] }] });
    const shares = held.group!.members.filter((m) => m.id === 'ian' || m.id === 'joy');
    const expectedPenalties = shares.map((m) => Object.values(m.shares).reduce((s, x) => s.plus(new Dec(x.amount).times('0.2').toDecimalPlaces(2, Dec.ROUND_HALF_UP)), new Dec(0)));
    expect(quote.members!.map((l) => l.penalty.amount)).toEqual(expectedPenalties.map((p) => p.toFixed(2)));
    const shareSum = sumOf(shares.map((m) => m.share));
    const penaltySum = expectedPenalties.reduce((a, b) => a.plus(b), new Dec(0));
    expect(quote.newTotal!.amount).toBe(new Dec(held.total.amount).minus(shareSum).plus(penaltySum).toFixed(2));
    expect(quote.refund.amount).toBe(shareSum.minus(penaltySum).toFixed(2));

    const outcome = await handle.executeUpdate(acceptCancellationUpdate, { args: [{ quoteId: quote.quoteId, reason: 'work', memberIds: ['ian', 'joy'] }] });
    expect(outcome.status).toBe('PAID');
    const view = await handle.query(lifecycleStatusQuery);
    expect(view.group!.members.filter((m) => m.status === 'CANCELLED').map((m) => m.id)).toEqual(['ian', 'joy']);
    expect(view.total.amount).toBe(quote.newTotal!.amount);
    // The hotel is now one room: sold again at the smaller size, the old sale released.
    expect(await holdStatus(`${handle.workflowId}:hold:hotel`)).toBe('CANCELLED');
    const smaller = await rig.inventory.getHold(`${handle.workflowId}:hold:hotel:p1`);
    expect(smaller).toMatchObject({ status: 'SOLD', quantity: 1 });
    expect(view.components.find((c) => c.id === 'hotel')!.pax).toBe(2);
    const net = await ledgerNet(req.reference);
    expect(net['asset:receivable:customers']).toBe('0.00');
    expect(net['asset:clearing:card']).toBe(new Dec(held.total.amount).minus(quote.refund.amount).toFixed(2));

    // Bad input: cancelling everyone left through memberIds, a member payment on a single-payer group, an unknown member.
    expect(await failureType(handle.executeUpdate(previewCancellationUpdate, { args: [{ memberIds: ['gus', 'hal'] }] }))).toBe('CancellationInvalid');
    expect(await failureType(handle.executeUpdate(previewCancellationUpdate, { args: [{ memberIds: ['ian'] }] }))).toBe('CancellationInvalid');
    expect(await failureType(pay(handle, '10.00', 'member-pay', 'GBP', 'gus'))).toBe('PaymentInvalid');
    expect(await failureType(handle.executeUpdate(changeMemberNameUpdate, { args: [{ memberId: 'ian', firstName: 'X', lastName: 'Y' }] }))).toBe('NameChangeRefused');

    // After the deadline (30 days before departure) names are fixed.
    await skipTo(Date.parse(`${addDays(req.departureDate, -29)}T09:00:00Z`));
    expect(await failureType(handle.executeUpdate(changeMemberNameUpdate, { args: [{ memberId: 'gus', firstName: 'Guy', lastName: 'Late' }] }))).toBe('NameChangeRefused');
    await record('group-single-payer-partial-cancellation', handle);
    await handle.terminate('scenario done');
  });
});
