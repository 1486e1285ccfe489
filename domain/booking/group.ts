import type { Occupancy } from '../catalog/model';
import { addDays } from '../catalog/dates';
import { minorUnits } from '../money/currency';
import { Dec, type MoneyJson } from '../money/money';
import {
  DEFAULT_NAME_CHANGE_DAYS_BEFORE,
  GROUP_PAYERS,
  type BookingRequest,
  type ComponentState,
  type GroupInput,
  type GroupState,
  type Installment,
  type PricedComponent,
} from './model';
import { fmt, planPayments, replan, type PlanInput, type ReplanInput } from './payment-plan';

/**
 * Group bookings: rooming list, per-person shares, per-member payment plans and what cancelling
 * some members costs. Pure and deterministic (safe in workflows).
 *
 * Rules decided here, once:
 * - Every member takes every service. Hotel rooms come from the rooming list; every other catalog
 *   component must be for as many people as there are members, and every flight must carry them all.
 * - Each component's price (and penalty) is shared evenly per person in minor units; the rounding
 *   remainder goes to the last member. A member's share of a component is fixed when it is priced.
 * - PER_MEMBER: each member gets the booking's plan for their share (their deposit is part of the
 *   group deposit); lines are `<memberId>/<line>`. A payment naming a member settles only that
 *   member's lines; one without settles the oldest lines of anyone (the organiser paying the group deposit).
 * - Cancelling members: each pays the supplier penalty on their share of each component. With a
 *   single payer the booking's total falls by the shares and rises by the penalties; per member, a
 *   cancelled member's penalty is kept from what they paid (never more: the rest is waived, as when a
 *   whole booking is cancelled) and the remainder is refunded to them.
 */

const MAX_MEMBERS = 200;
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

/** Problems with a group request (empty when fine). Paths are the API's (`group.members[2].room`). */
export function groupProblems(req: Pick<BookingRequest, 'group' | 'components'>): string[] {
  const g = req.group;
  if (!g) return [];
  const problems: string[] = [];
  if (typeof g.name !== 'string' || !g.name.trim()) problems.push('group.name is required');
  if (!GROUP_PAYERS.includes(g.payer)) problems.push(`group.payer must be one of ${GROUP_PAYERS.join(', ')} (got ${JSON.stringify(g.payer)})`);
  if (g.nameChangeDaysBefore !== undefined && !(Number.isInteger(g.nameChangeDaysBefore) && g.nameChangeDaysBefore >= 0 && g.nameChangeDaysBefore <= 365)) {
    problems.push(`group.nameChangeDaysBefore must be a whole number from 0 to 365 (got ${JSON.stringify(g.nameChangeDaysBefore)})`);
  }
  const members = Array.isArray(g.members) ? g.members : [];
  if (members.length < 2) problems.push(`a group needs at least 2 members (got ${members.length})`);
  if (members.length > MAX_MEMBERS) problems.push(`a group has at most ${MAX_MEMBERS} members (got ${members.length})`);
  const seen = new Set<string>();
  members.forEach((m, i) => {
    const at = `group.members[${i}]`;
    if (typeof m.id !== 'string' || !ID.test(m.id)) problems.push(`${at}.id must be 1-40 letters, digits, _ or - (got ${JSON.stringify(m.id)})`);
    else if (seen.has(m.id)) problems.push(`${at}.id "${m.id}" is used by another member`);
    else seen.add(m.id);
    if (typeof m.firstName !== 'string' || !m.firstName.trim()) problems.push(`${at}.firstName is required`);
    if (typeof m.lastName !== 'string' || !m.lastName.trim()) problems.push(`${at}.lastName is required`);
    if (typeof m.room !== 'string' || !m.room.trim()) problems.push(`${at}.room is required (the rooming list: members sharing a room share its label)`);
    if (m.age !== undefined && !(Number.isInteger(m.age) && m.age >= 0 && m.age <= 17)) problems.push(`${at}.age is for children: a whole number from 0 to 17 (got ${JSON.stringify(m.age)})`);
  });
  const rooms = roomingUnits(members);
  rooms.forEach((r, k) => {
    if (r.adults === 0) problems.push(`room "${roomLabels(members)[k]}" has only children: every room needs an adult`);
  });
  req.components.forEach((c, i) => {
    if (c.kind === 'FLIGHT') {
      if (c.passengers.length !== members.length) problems.push(`components[${i}] (${c.id}): the flight carries ${c.passengers.length} passengers but the group has ${members.length} members`);
    } else if (c.kind !== 'HOTEL') {
      const pax = c.units.reduce((n, u) => n + u.adults + u.childAges.length, 0);
      if (pax !== members.length) problems.push(`components[${i}] (${c.id}): it is for ${pax} people but the group has ${members.length} members (every member takes every service)`);
    }
  });
  return problems;
}

function roomLabels(members: GroupInput['members']): string[] {
  const labels: string[] = [];
  for (const m of members) if (!labels.includes(m.room)) labels.push(m.room);
  return labels;
}

/** The rooming list as hotel units: one per room label, in order of first appearance. */
export function roomingUnits(members: GroupInput['members']): Occupancy[] {
  return roomLabels(members).map((label) => {
    const inRoom = members.filter((m) => m.room === label);
    return { adults: inRoom.filter((m) => m.age === undefined).length, childAges: inRoom.filter((m) => m.age !== undefined).map((m) => m.age!) };
  });
}

/** The request with every hotel component's rooms taken from the rooming list (unchanged for FIT). */
export function withRoomingList(req: BookingRequest): BookingRequest {
  if (!req.group) return req;
  const units = roomingUnits(req.group.members);
  return { ...req, components: req.components.map((c) => (c.kind === 'HOTEL' ? { ...c, units } : c)) };
}

const scale = (currency: string) => new Dec(10).pow(minorUnits(currency));

/** `amount` split into `n` parts in minor units; the remainder goes on the last part. */
export function splitEvenly(amount: MoneyJson, n: number): MoneyJson[] {
  if (n <= 0) return [];
  const s = scale(amount.currency);
  const minor = new Dec(amount.amount).times(s);
  const each = minor.dividedToIntegerBy(n);
  return Array.from({ length: n }, (_, k) => {
    const part = k === n - 1 ? minor.minus(each.times(n - 1)) : each;
    return { amount: fmt(part.dividedBy(s), amount.currency), currency: amount.currency };
  });
}

function add(a: MoneyJson, b: MoneyJson): MoneyJson {
  return { amount: fmt(new Dec(a.amount).plus(b.amount), a.currency), currency: a.currency };
}

/**
 * Shares each component's sell price evenly among `memberIds` (in that order) and returns every
 * member's shares by component id.
 */
export function shareComponents(components: Array<Pick<PricedComponent, 'id' | 'sell'>>, memberIds: string[]): Record<string, Record<string, MoneyJson>> {
  const out: Record<string, Record<string, MoneyJson>> = Object.fromEntries(memberIds.map((id) => [id, {}]));
  for (const c of components) {
    splitEvenly(c.sell, memberIds.length).forEach((part, k) => {
      out[memberIds[k]!]![c.id] = part;
    });
  }
  return out;
}

/** The group as the workflow keeps it, with every member's shares of the priced components. */
export function initialGroupState(group: GroupInput, components: PricedComponent[], departureDate: string, currency: string): GroupState {
  const shares = shareComponents(components, group.members.map((m) => m.id));
  return {
    name: group.name,
    payer: group.payer,
    nameChangeUntil: addDays(departureDate, -(group.nameChangeDaysBefore ?? DEFAULT_NAME_CHANGE_DAYS_BEFORE)),
    members: group.members.map((m) => ({
      ...m,
      status: 'ACTIVE',
      shares: shares[m.id]!,
      share: Object.values(shares[m.id]!).reduce(add, { amount: fmt(new Dec(0), currency), currency }),
      penalty: null,
      nameHistory: [],
    })),
  };
}

/** Re-shares the live components among the members still travelling (after an amendment re-priced them). */
export function reshare(group: GroupState, components: Array<Pick<PricedComponent, 'id' | 'sell'>>, currency: string): GroupState {
  const active = group.members.filter((m) => m.status === 'ACTIVE');
  const shares = shareComponents(components, active.map((m) => m.id));
  return {
    ...group,
    members: group.members.map((m) =>
      m.status !== 'ACTIVE'
        ? m
        : { ...m, shares: shares[m.id]!, share: Object.values(shares[m.id]!).reduce(add, { amount: fmt(new Dec(0), currency), currency }) },
    ),
  };
}

/** Each member's plan for their share, lines `<memberId>/<line>`, oldest due first. */
export function planMemberPayments(base: Omit<PlanInput, 'total'>, members: Array<{ id: string; share: MoneyJson }>): Installment[] {
  // A fixed deposit amount is the group's: each member's deposit is an even part of it.
  const deposits = base.terms.depositAmount ? splitEvenly(base.terms.depositAmount, members.length) : [];
  const lines = members.flatMap((m, k) =>
    planPayments({ ...base, total: m.share, terms: base.terms.depositAmount ? { ...base.terms, depositAmount: deposits[k]! } : base.terms }).map((l) => ({
      ...l,
      id: `${m.id}/${l.id}`,
      memberId: m.id,
    })),
  );
  return lines.sort((a, b) => a.dueAt - b.dueAt);
}

/** Re-plans each member's own lines for their new share (see `replan`); the other lines are kept. */
export function replanMembers(schedule: Installment[], members: Array<{ id: string; share: MoneyJson }>, input: ReplanInput): Installment[] {
  const ids = new Set(members.map((m) => m.id));
  const out = schedule.filter((l) => !l.memberId || !ids.has(l.memberId));
  for (const m of members) {
    const own = schedule.filter((l) => l.memberId === m.id);
    for (const l of replan(own.length ? own : [], m.share, input)) {
      out.push(l.memberId ? l : { ...l, id: `${m.id}/${l.id}`, memberId: m.id });
    }
  }
  return out.sort((a, b) => a.dueAt - b.dueAt);
}

/** What a member has paid against their own lines. */
export function memberPaid(schedule: Installment[], memberId: string, currency: string): MoneyJson {
  const paid = schedule.filter((l) => l.memberId === memberId).reduce((acc, l) => acc.plus(l.paid), new Dec(0));
  return { amount: fmt(paid, currency), currency };
}

export interface MemberCancellationLine {
  memberId: string;
  name: string;
  /** Their share of the live components. */
  share: MoneyJson;
  /** The supplier penalties on that share, component by component, summed. */
  penalty: MoneyJson;
  /** PER_MEMBER only: what they paid, and what of it comes back (paid − penalty, never negative). */
  paid: MoneyJson | null;
  refund: MoneyJson | null;
}

export interface MemberCancellation {
  members: MemberCancellationLine[];
  /** Per component: the cancelled members' shares and penalties (for the ledger and inventory). */
  components: Array<{ componentId: string; share: MoneyJson; penalty: MoneyJson }>;
  totalShare: MoneyJson;
  totalPenalty: MoneyJson;
  /** What the booking is worth afterwards: total − shares + penalties kept. */
  newTotal: MoneyJson;
  /** Penalties kept from money paid (the ledger's `retained`). */
  retained: MoneyJson;
  /** Money going back: per member (PER_MEMBER) or what was paid beyond the new total (SINGLE). */
  refund: MoneyJson;
}

export interface MemberCancellationInput {
  group: GroupState;
  memberIds: string[];
  /** Live components with each one's full cancellation penalty (cancellationQuote's penalties). */
  components: Array<Pick<ComponentState, 'id' | 'sell'>>;
  penalties: Array<{ componentId: string; penalty: MoneyJson }>;
  total: MoneyJson;
  paid: MoneyJson;
  schedule: Installment[];
}

/** Problems with cancelling `memberIds` out of the group (empty when fine). */
export function memberCancellationProblems(group: GroupState | null, memberIds: string[]): string[] {
  if (!group) return ['memberIds: this is not a group booking'];
  const problems: string[] = [];
  if (!memberIds.length) problems.push('memberIds: name at least one member');
  if (new Set(memberIds).size !== memberIds.length) problems.push('memberIds: a member is named twice');
  for (const id of memberIds) {
    const m = group.members.find((x) => x.id === id);
    if (!m) problems.push(`memberIds: no member "${id}" in group ${group.name}`);
    else if (m.status === 'CANCELLED') problems.push(`memberIds: member "${id}" is already cancelled`);
  }
  const active = group.members.filter((m) => m.status === 'ACTIVE').length;
  if (!problems.length && memberIds.length >= active) problems.push('memberIds: that is every member left: cancel the whole booking instead');
  return problems;
}

/** What cancelling some members costs each of them, and what it does to the booking's money. */
export function memberCancellation(input: MemberCancellationInput): MemberCancellation {
  const { group, total } = input;
  const currency = total.currency;
  const zero = (): MoneyJson => ({ amount: fmt(new Dec(0), currency), currency });
  const members = input.memberIds.map((id) => group.members.find((m) => m.id === id)!);
  // Each cancelled member's share and penalty on each component, worked out once: the penalty on a
  // share is the component's penalty in the proportion share / sell, rounded to the minor unit.
  const cells = members.map((m) =>
    input.components.map((c) => {
      const full = new Dec(input.penalties.find((p) => p.componentId === c.id)?.penalty.amount ?? 0);
      const sell = new Dec(c.sell.amount);
      const share = new Dec(m.shares[c.id]?.amount ?? 0);
      return { share, penalty: sell.isZero() ? new Dec(0) : full.times(share).dividedBy(sell).toDecimalPlaces(minorUnits(currency), Dec.ROUND_HALF_UP) };
    }),
  );
  const add = (acc: { share: Dec; penalty: Dec }, x: { share: Dec; penalty: Dec }) => ({ share: acc.share.plus(x.share), penalty: acc.penalty.plus(x.penalty) });
  const none = { share: new Dec(0), penalty: new Dec(0) };
  const perComponent = input.components.map((c, k) => ({ componentId: c.id, ...cells.reduce((acc, row) => add(acc, row[k]!), none) }));
  const lines: MemberCancellationLine[] = members.map((m, i) => {
    const { share, penalty } = cells[i]!.reduce(add, none);
    const paid = group.payer === 'PER_MEMBER' ? new Dec(memberPaid(input.schedule, m.id, currency).amount) : null;
    return {
      memberId: m.id,
      name: `${m.firstName} ${m.lastName}`,
      share: { amount: fmt(share, currency), currency },
      penalty: { amount: fmt(penalty, currency), currency },
      paid: paid === null ? null : { amount: fmt(paid, currency), currency },
      refund: paid === null ? null : { amount: fmt(Dec.max(paid.minus(penalty), 0), currency), currency },
    };
  });
  const totalShare = lines.reduce((acc, l) => acc.plus(l.share.amount), new Dec(0));
  const totalPenalty = lines.reduce((acc, l) => acc.plus(l.penalty.amount), new Dec(0));
  let retained: Dec;
  let refund: Dec;
  let newTotal: Dec;
  if (group.payer === 'PER_MEMBER') {
    retained = lines.reduce((acc, l) => acc.plus(Dec.min(new Dec(l.penalty.amount), new Dec(l.paid!.amount))), new Dec(0));
    refund = lines.reduce((acc, l) => acc.plus(l.refund!.amount), new Dec(0));
    newTotal = new Dec(total.amount).minus(totalShare).plus(retained);
  } else {
    newTotal = new Dec(total.amount).minus(totalShare).plus(totalPenalty);
    retained = totalPenalty;
    refund = Dec.max(new Dec(input.paid.amount).minus(newTotal), 0);
  }
  return {
    members: lines,
    components: perComponent.map((c) => ({ componentId: c.componentId, share: { amount: fmt(c.share, currency), currency }, penalty: { amount: fmt(c.penalty, currency), currency } })),
    totalShare: { amount: fmt(totalShare, currency), currency },
    totalPenalty: { amount: fmt(totalPenalty, currency), currency },
    newTotal: { amount: fmt(newTotal, currency), currency },
    retained: { amount: fmt(retained, currency), currency },
    refund: refund.isZero() ? zero() : { amount: fmt(refund, currency), currency },
  };
}

/**
 * The rooms left once `memberIds` are gone: hotel units after the cancellation, and how many rooms
 * were freed (a room is freed when all its members are cancelled).
 */
export function roomsAfter(group: GroupState, memberIds: string[]): { units: Occupancy[]; freed: number } {
  const before = roomingUnits(group.members.filter((m) => m.status === 'ACTIVE'));
  const after = roomingUnits(group.members.filter((m) => m.status === 'ACTIVE' && !memberIds.includes(m.id)));
  return { units: after, freed: before.length - after.length };
}

/** `units` with `people` fewer travellers: adults taken from the last units first, emptied units dropped. */
export function shrinkUnits(units: Occupancy[], people: number): Occupancy[] {
  const out = units.map((u) => ({ adults: u.adults, childAges: [...u.childAges] }));
  let left = people;
  for (let k = out.length - 1; k >= 0 && left > 0; k--) {
    const u = out[k]!;
    while (left > 0 && u.childAges.length > 0 && u.adults <= 1) {
      u.childAges.pop();
      left--;
    }
    while (left > 0 && u.adults > 0) {
      u.adults--;
      left--;
    }
  }
  return out.filter((u) => u.adults + u.childAges.length > 0);
}

/** A payment for `memberId` settles only that member's lines; without one, the oldest lines of anyone. */
export function memberLines(schedule: Installment[], memberId: string | undefined): { own: Installment[]; others: Installment[] } {
  if (memberId === undefined) return { own: schedule, others: [] };
  return { own: schedule.filter((l) => l.memberId === memberId), others: schedule.filter((l) => l.memberId !== memberId) };
}
