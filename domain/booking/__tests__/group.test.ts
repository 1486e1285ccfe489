import fc from 'fast-check';
import { minorUnits } from '../../money/currency';
import { Dec } from '../../money/money';
import { DEFAULT_PAYMENT_TERMS, type BookingRequest, type CatalogComponentRequest, type GroupInput, type GroupState, type PricedComponent } from '../model';
import {
  groupProblems,
  initialGroupState,
  memberCancellation,
  memberCancellationProblems,
  memberPaid,
  planMemberPayments,
  roomingUnits,
  roomsAfter,
  shareComponents,
  shrinkUnits,
  splitEvenly,
  withRoomingList,
} from '../group';
import { applyPayment } from '../payment-plan';

const gbp = (amount: string) => ({ amount, currency: 'GBP' });
const member = (id: string, room: string, age?: number) => ({ id, firstName: id.toUpperCase(), lastName: 'Test', room, ...(age === undefined ? {} : { age }) });
const hotel = (units: CatalogComponentRequest['units'] = []): CatalogComponentRequest => ({ id: 'hotel', kind: 'HOTEL', supplierCode: 'S', productCode: 'H', category: 'DBL', startDate: '2027-06-01', nights: 3, units });
const insurance = (pax: number): CatalogComponentRequest => ({
  id: 'insurance',
  kind: 'INSURANCE',
  supplierCode: 'S',
  productCode: 'I',
  category: 'STD',
  startDate: '2027-06-01',
  nights: 3,
  units: Array.from({ length: pax }, () => ({ adults: 1, childAges: [] })),
});
const request = (group: GroupInput, components = [hotel(), insurance(group.members.length)]): Pick<BookingRequest, 'group' | 'components'> => ({ group, components });
const priced = (id: string, sell: string): PricedComponent => ({ id, sell: gbp(sell) }) as PricedComponent;

describe('group requests', () => {
  it('turns the rooming list into hotel rooms, children with their ages', () => {
    const group: GroupInput = { name: 'G', payer: 'SINGLE', members: [member('a', '1'), member('b', '2'), member('c', '1'), member('d', '2', 9)] };
    expect(roomingUnits(group.members)).toEqual([{ adults: 2, childAges: [] }, { adults: 1, childAges: [9] }]);
    const req = withRoomingList({ group, components: [hotel([{ adults: 9, childAges: [] }]), insurance(4)] } as unknown as BookingRequest);
    expect(req.components[0]).toMatchObject({ units: [{ adults: 2, childAges: [] }, { adults: 1, childAges: [9] }] });
    expect(req.components[1]).toMatchObject({ units: insurance(4).units });
  });

  it('names every problem of a bad group', () => {
    const bad: GroupInput = { name: ' ', payer: 'EVERYONE' as never, nameChangeDaysBefore: -1, members: [member('a', '1'), member('a', '2', 5), { ...member('c!', ''), firstName: '' }] };
    const problems = groupProblems(request(bad, [hotel(), insurance(2)]));
    expect(problems).toEqual(
      expect.arrayContaining([
        'group.name is required',
        expect.stringContaining('group.payer must be one of SINGLE, PER_MEMBER'),
        expect.stringContaining('group.nameChangeDaysBefore'),
        'group.members[1].id "a" is used by another member',
        expect.stringContaining('group.members[2].id must be'),
        'group.members[2].firstName is required',
        expect.stringContaining('group.members[2].room is required'),
        'room "2" has only children: every room needs an adult',
        expect.stringContaining('components[1] (insurance): it is for 2 people but the group has 3 members'),
      ]),
    );
    expect(groupProblems(request({ name: 'G', payer: 'SINGLE', members: [member('a', '1')] }, [hotel(), insurance(1)]))).toEqual(['a group needs at least 2 members (got 1)']);
    expect(groupProblems(request({ name: 'G', payer: 'PER_MEMBER', members: [member('a', '1'), member('b', '1', 17)] }))).toEqual([]);
  });
});

describe('shares and member plans', () => {
  it('splits exactly in minor units, the remainder on the last member (JPY, GBP, KWD)', () => {
    fc.assert(
      fc.property(fc.constantFrom('JPY', 'GBP', 'KWD'), fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 60 }), (currency, minor, n) => {
        const amount = new Dec(minor).dividedBy(new Dec(10).pow(minorUnits(currency))).toFixed(minorUnits(currency));
        const parts = splitEvenly({ amount, currency }, n);
        expect(parts).toHaveLength(n);
        expect(parts.reduce((s, p) => s.plus(p.amount), new Dec(0)).toFixed(minorUnits(currency))).toBe(amount);
        const first = new Dec(parts[0]!.amount);
        for (const p of parts.slice(0, -1)) expect(p.amount).toBe(parts[0]!.amount);
        expect(new Dec(parts[n - 1]!.amount).minus(first).abs().times(new Dec(10).pow(minorUnits(currency))).lessThan(n)).toBe(true);
      }),
    );
  });

  it('gives every member a plan for their share; the plans add up to the total and a member payment settles only their lines', () => {
    const members = [member('a', '1'), member('b', '1'), member('c', '2')];
    const state = initialGroupState({ name: 'G', payer: 'PER_MEMBER', members }, [priced('hotel', '1000.00'), priced('insurance', '90.01')], '2027-10-01', 'GBP');
    expect(state.members.map((m) => m.share.amount)).toEqual(['363.33', '363.33', '363.35']);
    expect(state.nameChangeUntil).toBe('2027-09-17');
    const plan = planMemberPayments({ terms: { ...DEFAULT_PAYMENT_TERMS, installments: 1 }, bookedOn: '2027-01-10', departureDate: '2027-10-01', timeZone: 'Europe/London' }, state.members);
    expect(plan.map((l) => l.id).slice(0, 3)).toEqual(['a/deposit', 'b/deposit', 'c/deposit']);
    expect(plan.reduce((s, l) => s.plus(l.amount.amount), new Dec(0)).toFixed(2)).toBe('1090.01');
    for (const m of state.members) expect(plan.filter((l) => l.memberId === m.id).reduce((s, l) => s.plus(l.amount.amount), new Dec(0)).toFixed(2)).toBe(m.share.amount);
    const own = plan.filter((l) => l.memberId === 'b');
    const { schedule } = applyPayment(own, gbp('100.00'));
    expect(memberPaid([...plan.filter((l) => l.memberId !== 'b'), ...schedule], 'b', 'GBP').amount).toBe('100.00');
    expect(memberPaid(plan, 'b', 'GBP').amount).toBe('0.00');
  });

  it('shares a fixed group deposit evenly among the members', () => {
    const members = [member('a', '1'), member('b', '1'), member('c', '2')];
    const state = initialGroupState({ name: 'G', payer: 'PER_MEMBER', members }, [priced('hotel', '900.00')], '2027-10-01', 'GBP');
    const plan = planMemberPayments({ terms: { ...DEFAULT_PAYMENT_TERMS, depositPercent: null, depositAmount: gbp('100.00') }, bookedOn: '2027-01-10', departureDate: '2027-10-01', timeZone: 'UTC' }, state.members);
    expect(plan.filter((l) => l.kind === 'DEPOSIT').map((l) => l.amount.amount)).toEqual(['33.33', '33.33', '33.34']);
  });
});

describe('cancelling members', () => {
  const members = [member('a', '1'), member('b', '1'), member('c', '2'), member('d', '2')];
  const components = [priced('hotel', '1000.00'), priced('insurance', '200.00')];
  const group = (payer: GroupState['payer']) => initialGroupState({ name: 'G', payer, members }, components, '2027-10-01', 'GBP');
  const fullPenalties = [
    { componentId: 'hotel', penalty: gbp('500.00') },
    { componentId: 'insurance', penalty: gbp('0.00') },
  ];

  it('charges each member the penalty on their share; a single payer owes the new total and gets back what was paid above it', () => {
    const mc = memberCancellation({ group: group('SINGLE'), memberIds: ['c', 'd'], components, penalties: fullPenalties, total: gbp('1200.00'), paid: gbp('1200.00'), schedule: [] });
    expect(mc.members.map((m) => [m.memberId, m.share.amount, m.penalty.amount, m.refund])).toEqual([
      ['c', '300.00', '125.00', null],
      ['d', '300.00', '125.00', null],
    ]);
    expect(mc.newTotal.amount).toBe('850.00');
    expect(mc.refund.amount).toBe('350.00');
    expect(mc.retained.amount).toBe('250.00');
    expect(mc.components).toEqual([
      { componentId: 'hotel', share: gbp('500.00'), penalty: gbp('250.00') },
      { componentId: 'insurance', share: gbp('100.00'), penalty: gbp('0.00') },
    ]);
  });

  it('per member: the penalty is kept from what the member paid (never more) and the rest refunded to them', () => {
    const g = group('PER_MEMBER');
    const plan = planMemberPayments({ terms: DEFAULT_PAYMENT_TERMS, bookedOn: '2027-01-10', departureDate: '2027-10-01', timeZone: 'UTC' }, g.members);
    // c paid their deposit (60.00) only; d paid everything (300.00).
    let schedule = plan;
    for (const [id, amount] of [['c', '60.00'], ['d', '300.00']] as const) {
      const own = schedule.filter((l) => l.memberId === id);
      schedule = [...schedule.filter((l) => l.memberId !== id), ...applyPayment(own, gbp(amount)).schedule];
    }
    const mc = memberCancellation({ group: g, memberIds: ['c', 'd'], components, penalties: fullPenalties, total: gbp('1200.00'), paid: gbp('360.00'), schedule });
    expect(mc.members.map((m) => [m.memberId, m.paid?.amount, m.penalty.amount, m.refund?.amount])).toEqual([
      ['c', '60.00', '125.00', '0.00'],
      ['d', '300.00', '125.00', '175.00'],
    ]);
    expect(mc.retained.amount).toBe('185.00');
    expect(mc.refund.amount).toBe('175.00');
    expect(mc.newTotal.amount).toBe('785.00');
  });

  it('refuses what cannot be cancelled this way', () => {
    const g = group('SINGLE');
    expect(memberCancellationProblems(null, ['a'])).toEqual(['memberIds: this is not a group booking']);
    expect(memberCancellationProblems(g, [])).toContain('memberIds: name at least one member');
    expect(memberCancellationProblems(g, ['x'])).toContain('memberIds: no member "x" in group G');
    expect(memberCancellationProblems(g, ['a', 'a'])).toContain('memberIds: a member is named twice');
    expect(memberCancellationProblems(g, ['a', 'b', 'c', 'd'])).toEqual(['memberIds: that is every member left: cancel the whole booking instead']);
    const later = { ...g, members: g.members.map((m) => (m.id === 'a' ? { ...m, status: 'CANCELLED' as const } : m)) };
    expect(memberCancellationProblems(later, ['a'])).toEqual(['memberIds: member "a" is already cancelled']);
  });

  it('frees a room only when all its members go', () => {
    const g = group('SINGLE');
    expect(roomsAfter(g, ['a'])).toEqual({ units: [{ adults: 1, childAges: [] }, { adults: 2, childAges: [] }], freed: 0 });
    expect(roomsAfter(g, ['c', 'd'])).toEqual({ units: [{ adults: 2, childAges: [] }], freed: 1 });
    expect(shrinkUnits([{ adults: 2, childAges: [] }, { adults: 1, childAges: [7] }], 2)).toEqual([{ adults: 2, childAges: [] }]);
    expect(shrinkUnits([{ adults: 2, childAges: [] }, { adults: 2, childAges: [] }], 3)).toEqual([{ adults: 1, childAges: [] }]);
  });

  it('re-shares nothing it should not: shares of every component add up to its price', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 5 }), (n, sells) => {
        const cs = sells.map((minor, k) => priced(`c${k}`, new Dec(minor).dividedBy(100).toFixed(2)));
        const shares = shareComponents(cs, Array.from({ length: n }, (_, k) => `m${k}`));
        for (const c of cs) expect(Object.values(shares).reduce((s, byC) => s.plus(byC[c.id]!.amount), new Dec(0)).toFixed(2)).toBe(c.sell.amount);
      }),
    );
  });
});
