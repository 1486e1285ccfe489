import { isCurrencyCode, minorUnits } from '../money/currency';
import { checkAmount, Dec, type MoneyJson } from '../money/money';
import { isIsoDate } from '../time/instant';
import { daysBetween } from './dates';
import type { Policy, PolicyWindow } from './model';

/**
 * Supplier cancellation and amendment penalties. Pure and deterministic (safe in workflows).
 *
 * Rules decided here, once:
 * - Days before = calendar days from the change date to the departure date
 *   (`daysBetween(changeDate, departureDate)`): 0 on the departure day, negative after it.
 * - A window applies when `toDaysBefore <= days <= fromDaysBefore`. After departure (days < 0) the
 *   change is a no-show: the window that covers -1 applies; a policy without one charges its
 *   nearest window (the smallest `toDaysBefore`). Before departure, days that fall in no window
 *   (a gap, or earlier than the farthest window) cost nothing.
 * - PERCENT: that share of `cost` (what the customer's part costs with this supplier); the scope
 *   does not matter, the cost already covers everyone. FIXED: the amount per person x `pax`
 *   (PER_PERSON) or once (PER_BOOKING); its currency must be the cost's (no silent FX:
 *   PenaltyError 'currency-mismatch').
 * - A non-refundable window charges the whole cost, whatever its fee says.
 * - The fee never exceeds the cost: a supplier cannot keep more than it was paid for the part
 *   cancelled, so a fixed fee larger than a cheap booking is capped at the cost.
 * - Rounding: HALF_UP (commercial, as suppliers' statements do) to the cost currency's minor units.
 */

export type PenaltyErrorKind = 'currency-mismatch' | 'invalid-input';

/** A penalty that cannot be computed as asked (bad input, or a fee in another currency). */
export class PenaltyError extends Error {
  constructor(
    readonly kind: PenaltyErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'PenaltyError';
  }
}

export interface PenaltyInput {
  departureDate: string;
  changeDate: string;
  /** People the change concerns (PER_PERSON fees are charged for each). */
  pax: number;
  /** What the customer's part costs with this supplier. */
  cost: MoneyJson;
}

export interface Penalty {
  /** The window that applied, or null when none did (no fee). */
  window: PolicyWindow | null;
  /** Days from the change to departure; negative after departure (no-show). */
  daysBefore: number;
  /** Never more than the cost, in the cost's currency with its minor units. */
  fee: MoneyJson;
  nonRefundable: boolean;
}

const ROUNDING = Dec.ROUND_HALF_UP;
const NO_SHOW = -1;

/** The window that applies `daysBefore` days before departure, per the rules above. */
export function windowFor(policy: Policy, daysBefore: number): PolicyWindow | null {
  const days = Math.max(daysBefore, NO_SHOW);
  const hit = policy.windows.find((w) => w.toDaysBefore <= days && days <= w.fromDaysBefore);
  if (hit || days >= 0 || policy.windows.length === 0) return hit ?? null;
  return policy.windows.reduce((nearest, w) => (w.toDaysBefore < nearest.toDaysBefore ? w : nearest));
}

function checkInput(input: PenaltyInput): void {
  const problems: string[] = [];
  if (!isIsoDate(input.departureDate)) problems.push(`departureDate "${input.departureDate}" is not a date YYYY-MM-DD`);
  if (!isIsoDate(input.changeDate)) problems.push(`changeDate "${input.changeDate}" is not a date YYYY-MM-DD`);
  if (!Number.isInteger(input.pax) || input.pax < 1) problems.push(`pax must be a whole number of at least 1 (got ${input.pax})`);
  if (!isCurrencyCode(input.cost.currency)) problems.push(`cost currency "${input.cost.currency}" is not an ISO 4217 currency code`);
  for (const p of checkAmount(input.cost.amount, input.cost.currency)) problems.push(`cost: ${p.message}`);
  if (problems.length) throw new PenaltyError('invalid-input', problems.join('; '));
}

/** The penalty for a cancellation (or amendment) under `policy`; see the module rules. */
export function computePenalty(policy: Policy, input: PenaltyInput): Penalty {
  checkInput(input);
  const daysBefore = daysBetween(input.changeDate, input.departureDate);
  const window = windowFor(policy, daysBefore);
  const currency = input.cost.currency;
  const cost = new Dec(input.cost.amount);
  let fee: Dec;
  if (window === null) {
    fee = new Dec(0);
  } else if (window.nonRefundable) {
    fee = cost;
  } else if (window.basis === 'PERCENT') {
    fee = cost.times(window.amount).dividedBy(100);
  } else {
    if (window.currency !== currency) {
      throw new PenaltyError(
        'currency-mismatch',
        `The window ${window.fromDaysBefore}..${window.toDaysBefore} days charges a fixed ${window.currency ?? '(no currency)'} fee but the cost is in ${currency}; convert the cost first (no silent FX)`,
      );
    }
    fee = window.scope === 'PER_PERSON' ? new Dec(window.amount).times(input.pax) : new Dec(window.amount);
  }
  fee = Dec.min(fee.toDecimalPlaces(minorUnits(currency), ROUNDING), cost);
  return {
    window,
    daysBefore,
    fee: { amount: fee.toFixed(minorUnits(currency), ROUNDING), currency },
    nonRefundable: window?.nonRefundable ?? false,
  };
}
