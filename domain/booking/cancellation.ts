import { computePenalty, PenaltyError } from '../catalog/policy';
import type { Policy } from '../catalog/model';
import { minorUnits } from '../money/currency';
import { Dec, type MoneyJson } from '../money/money';
import { isIsoDate } from '../time/instant';
import type { ComponentState } from './model';
import { BookingRuleError, fmt, moneyProblems } from './payment-plan';

/**
 * What a cancellation costs the customer, component by component. Pure and deterministic.
 *
 * The supplier's policy decides what it keeps of its cost (`computePenalty`); the customer pays the
 * same share of the component's sell price (fee / cost x sell, HALF_UP to the sell currency), so a
 * supplier paid in USD and a booking sold in GBP need no FX rate. Components already CANCELLED or
 * FAILED cost nothing more, nor do components only PRICED or HELD (the supplier has sold nothing).
 * Flights take the airline's own quote, already in the booking currency.
 */

const HALF_UP = Dec.ROUND_HALF_UP;

export interface ComponentCharge {
  penalty: MoneyJson;
  /** Why, in words an advisor can read out: "cancellation 14-0 days before: 50 % (supplier policy)". */
  basis: string;
}

const zero = (currency: string): MoneyJson => ({ amount: fmt(new Dec(0), currency), currency });

/** The sell-side charge of `policy` for a component changed on `changeDate`; `what` is "cancellation" or "amendment". */
export function policyCharge(c: ComponentState, policy: Policy, changeDate: string, what: 'cancellation' | 'amendment'): ComponentCharge {
  const problems = [...moneyProblems(`component ${c.id}: sell`, c.sell, { allowZero: true }), ...moneyProblems(`component ${c.id}: cost`, c.cost, { allowZero: true })];
  if (!isIsoDate(changeDate)) problems.push(`changeDate "${changeDate}" is not a date YYYY-MM-DD`);
  if (problems.length) throw new BookingRuleError(problems);
  const currency = c.sell.currency;
  if (c.status === 'CANCELLED' || c.status === 'FAILED') return { penalty: zero(currency), basis: `no fee (component already ${c.status.toLowerCase()})` };
  if (c.status === 'PRICED' || c.status === 'HELD') return { penalty: zero(currency), basis: 'no fee (only held, not yet confirmed with the supplier)' };
  let result;
  try {
    result = computePenalty(policy, { departureDate: c.serviceStart, changeDate, pax: c.pax, cost: c.cost });
  } catch (e) {
    if (e instanceof PenaltyError) throw new BookingRuleError([`component ${c.id}: ${e.message}`]);
    throw e;
  }
  const cost = new Dec(c.cost.amount);
  const fee = new Dec(result.fee.amount);
  const penalty = cost.isZero() ? new Dec(0) : fee.dividedBy(cost).times(c.sell.amount).toDecimalPlaces(minorUnits(currency), HALF_UP);
  const w = result.window;
  const noShow = result.daysBefore < 0;
  let basis: string;
  if (w === null) {
    const farthest = Math.max(...policy.windows.map((x) => x.fromDaysBefore));
    basis = policy.windows.length === 0
      ? `no fee (the supplier policy has no ${what} charges)`
      : result.daysBefore > farthest
        ? `no fee (more than ${farthest} days before)`
        : `no fee (${result.daysBefore} days before: no window of the supplier policy applies)`;
  } else {
    const range = w.toDaysBefore < 0
      ? `${what} after departure (no-show)`
      : `${what} ${w.fromDaysBefore}-${w.toDaysBefore} days before${noShow ? ' (no-show, nearest window)' : ''}`;
    const rate = w.nonRefundable
      ? 'non-refundable'
      : w.basis === 'PERCENT'
        ? `${w.amount} %`
        : `${w.amount} ${w.currency ?? ''} ${w.scope === 'PER_PERSON' ? `per person x ${c.pax}` : 'per booking'}`.replace(/ {2,}/g, ' ');
    basis = `${range}: ${rate} (supplier policy)`;
  }
  return { penalty: { amount: fmt(penalty, currency), currency }, basis };
}

/** The customer's penalty for cancelling component `c` on `changeDate` (its cancellation policy). */
export function componentPenalty(c: ComponentState, changeDate: string): ComponentCharge {
  return policyCharge(c, c.cancellationPolicy, changeDate, 'cancellation');
}

export interface CancellationQuoteInput {
  components: ComponentState[];
  changeDate: string;
  /** What the customer has paid so far (booking currency). */
  paid: MoneyJson;
  /** Booking currency. */
  currency: string;
  /** The airline's penalty per flight component id, in the booking currency. */
  flightPenalties: Record<string, MoneyJson>;
}

export interface CancellationQuote {
  penalties: Array<{ componentId: string; description: string; penalty: MoneyJson; basis: string }>;
  totalPenalty: MoneyJson;
  /** paid − totalPenalty, never negative. */
  refund: MoneyJson;
  /** What is kept of what was paid: min(totalPenalty, paid). */
  retained: MoneyJson;
}

/** Penalties for cancelling `components` on `changeDate`, and what that means for the money paid. */
export function cancellationQuote(input: CancellationQuoteInput): CancellationQuote {
  const { currency } = input;
  const problems = moneyProblems('paid', input.paid, { allowZero: true });
  if (!problems.length && input.paid.currency !== currency) problems.push(`paid is in ${input.paid.currency} but the booking is in ${currency}`);
  for (const c of input.components) {
    if (c.sell?.currency !== currency) problems.push(`component ${c.id}: sold in ${c.sell?.currency} but the booking is in ${currency}`);
  }
  for (const [id, p] of Object.entries(input.flightPenalties)) {
    problems.push(...moneyProblems(`flightPenalties.${id}`, p, { allowZero: true }));
    if (p?.currency && p.currency !== currency) problems.push(`flightPenalties.${id} is in ${p.currency} but the booking is in ${currency}`);
  }
  if (problems.length) throw new BookingRuleError(problems);

  const penalties = input.components.map((c) => {
    let charge: ComponentCharge;
    if (c.kind !== 'FLIGHT' || c.status === 'CANCELLED' || c.status === 'FAILED') {
      charge = componentPenalty(c, input.changeDate);
    } else {
      const quoted = input.flightPenalties[c.id];
      const sell = new Dec(c.sell.amount);
      if (!quoted) charge = { penalty: { ...c.sell }, basis: 'no airline quote: non-refundable' };
      else if (new Dec(quoted.amount).gt(sell)) charge = { penalty: { ...c.sell }, basis: `airline penalty ${quoted.amount} ${currency}, capped at the fare sold` };
      else charge = { penalty: { amount: fmt(new Dec(quoted.amount), currency), currency }, basis: 'airline change/refund quote' };
    }
    return { componentId: c.id, description: c.description, ...charge };
  });
  const total = penalties.reduce((acc, p) => acc.plus(p.penalty.amount), new Dec(0));
  const paid = new Dec(input.paid.amount);
  return {
    penalties,
    totalPenalty: { amount: fmt(total, currency), currency },
    refund: { amount: fmt(Dec.max(paid.minus(total), 0), currency), currency },
    retained: { amount: fmt(Dec.min(total, paid), currency), currency },
  };
}
