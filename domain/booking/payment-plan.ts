import { addDays, daysBetween } from '../catalog/dates';
import { isCurrencyCode, minorUnits } from '../money/currency';
import { checkAmount, Dec, type MoneyJson } from '../money/money';
import { DAY_MS, endOfDateIn, isIsoDate, isTimeZone, type Instant } from '../time/instant';
import { DEFAULT_PAYMENT_TERMS, type Installment, type InstallmentKind, type PaymentTerms, type PaymentTermsInput } from './model';

/**
 * Payment plans: deposit, installments and final balance, and how payments settle them. Pure and
 * deterministic (safe in workflows): dates are YYYY-MM-DD, `now` is an argument, amounts are
 * decimal strings computed with decimal.js in the currency's minor units.
 *
 * Rules decided here, once:
 * - The deposit is due the day of booking; the balance `finalDueDaysBefore` days before departure;
 *   a booking made on or after that day pays everything at once (one BALANCE due the day of booking).
 * - Installments fall evenly (whole days, rounded down) strictly between the two; on a short lead
 *   time those that would share a date with another are dropped.
 * - What remains after the deposit is split evenly in minor units; the rounding remainder goes on
 *   the last line (the balance). Zero-amount lines are dropped. The lines always add up to the total.
 * - Payments settle the oldest due line first.
 */

/** Booking input that breaks a rule; `problems` names each thing wrong. */
export class BookingRuleError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'BookingRuleError';
  }
}

const HALF_UP = Dec.ROUND_HALF_UP;

function intIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Problems with a money value (currency and amount), prefixed by `field`. */
export function moneyProblems(field: string, money: MoneyJson | undefined | null, opts: { allowZero?: boolean } = {}): string[] {
  if (!money || typeof money.amount !== 'string' || typeof money.currency !== 'string') return [`${field} must be {amount, currency}`];
  if (!isCurrencyCode(money.currency)) return [`${field}: "${money.currency}" is not an ISO 4217 currency code`];
  const problems = checkAmount(money.amount, money.currency).map((p) => `${field}: ${p.message}`);
  if (!problems.length && !opts.allowZero && new Dec(money.amount).isZero()) problems.push(`${field} must be greater than zero`);
  return problems;
}

/** `amount` with exactly its currency's decimals. */
export function fmt(amount: Dec, currency: string): string {
  return amount.toFixed(minorUnits(currency), HALF_UP);
}

function scale(currency: string): Dec {
  return new Dec(10).pow(minorUnits(currency));
}

/** Payment terms with defaults filled in; throws BookingRuleError naming every bad field. */
export function resolveTerms(input: PaymentTermsInput | undefined): PaymentTerms {
  const i = input ?? {};
  const problems: string[] = [];
  const hasPercent = i.depositPercent !== undefined && i.depositPercent !== null;
  const hasAmount = i.depositAmount !== undefined && i.depositAmount !== null;
  if (hasPercent && hasAmount) problems.push('paymentTerms: give depositPercent or depositAmount, not both');
  if (hasPercent) {
    const p = i.depositPercent!;
    if (typeof p !== 'string' || !/^(0|[1-9]\d*)(\.\d+)?$/.test(p)) problems.push(`depositPercent must be a decimal string such as "20" (got ${JSON.stringify(p)})`);
    else if (new Dec(p).lte(0) || new Dec(p).gt(100)) problems.push(`depositPercent must be more than 0 and at most 100 (got "${p}")`);
  }
  if (hasAmount) problems.push(...moneyProblems('depositAmount', i.depositAmount));
  const ints: Array<[keyof PaymentTerms, number, number]> = [
    ['installments', 0, 24],
    ['finalDueDaysBefore', 0, 365],
    ['reminderDaysBefore', 0, 60],
    ['graceDays', 0, 60],
  ];
  for (const [field, min, max] of ints) {
    const v = i[field as keyof PaymentTermsInput];
    if (v !== undefined && !intIn(v, min, max)) problems.push(`${field} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  }
  if (problems.length) throw new BookingRuleError(problems);
  const useDefaultDeposit = !hasPercent && !hasAmount;
  return {
    depositPercent: hasPercent ? i.depositPercent! : useDefaultDeposit ? DEFAULT_PAYMENT_TERMS.depositPercent : null,
    depositAmount: hasAmount ? { ...i.depositAmount! } : useDefaultDeposit ? DEFAULT_PAYMENT_TERMS.depositAmount : null,
    installments: i.installments ?? DEFAULT_PAYMENT_TERMS.installments,
    finalDueDaysBefore: i.finalDueDaysBefore ?? DEFAULT_PAYMENT_TERMS.finalDueDaysBefore,
    reminderDaysBefore: i.reminderDaysBefore ?? DEFAULT_PAYMENT_TERMS.reminderDaysBefore,
    graceDays: i.graceDays ?? DEFAULT_PAYMENT_TERMS.graceDays,
  };
}

export interface PlanInput {
  total: MoneyJson;
  terms: PaymentTerms;
  /** Day of booking (YYYY-MM-DD, operator's zone): the deposit's due date. */
  bookedOn: string;
  departureDate: string;
  /** IANA zone turning due dates into instants. */
  timeZone: string;
}

function planProblems(input: PlanInput): string[] {
  const problems = moneyProblems('total', input.total, { allowZero: true });
  if (!isIsoDate(input.bookedOn)) problems.push(`bookedOn "${input.bookedOn}" is not a date YYYY-MM-DD`);
  if (!isIsoDate(input.departureDate)) problems.push(`departureDate "${input.departureDate}" is not a date YYYY-MM-DD`);
  if (!isTimeZone(input.timeZone)) problems.push(`timeZone "${input.timeZone}" is not an IANA time zone`);
  const t = input.terms;
  if (t.depositAmount && isCurrencyCode(input.total.currency) && t.depositAmount.currency !== input.total.currency) {
    problems.push(`depositAmount is in ${t.depositAmount.currency} but the booking is in ${input.total.currency}`);
  }
  if (t.depositPercent === null && t.depositAmount === null) problems.push('terms need depositPercent or depositAmount (use resolveTerms)');
  if (!intIn(t.installments, 0, 24)) problems.push(`installments must be a whole number from 0 to 24 (got ${t.installments})`);
  if (!intIn(t.finalDueDaysBefore, 0, 365)) problems.push(`finalDueDaysBefore must be a whole number from 0 to 365 (got ${t.finalDueDaysBefore})`);
  return problems;
}

function line(id: string, kind: InstallmentKind, dueDate: string, amountMinor: Dec, currency: string, timeZone: string): Installment {
  return {
    id,
    kind,
    dueDate,
    dueAt: endOfDateIn(dueDate, timeZone),
    amount: { amount: fmt(amountMinor.dividedBy(scale(currency)), currency), currency },
    paid: fmt(new Dec(0), currency),
    reminded: false,
  };
}

/** Splits `totalMinor` (whole minor units) over `count` parts evenly; the remainder goes on the last. */
function splitEven(totalMinor: Dec, count: number): Dec[] {
  if (count === 0) return [];
  const each = totalMinor.dividedToIntegerBy(count);
  return Array.from({ length: count }, (_, k) => (k === count - 1 ? totalMinor.minus(each.times(count - 1)) : each));
}

/** The payment schedule for a booking; see the module rules. Lines add up to `total` exactly. */
export function planPayments(input: PlanInput): Installment[] {
  const problems = planProblems(input);
  if (problems.length) throw new BookingRuleError(problems);
  const { total, terms, bookedOn, departureDate, timeZone } = input;
  const currency = total.currency;
  const totalMinor = new Dec(total.amount).times(scale(currency));
  if (totalMinor.isZero()) return [];
  const balanceDate = addDays(departureDate, -terms.finalDueDaysBefore);
  if (bookedOn >= balanceDate) return [line('balance', 'BALANCE', bookedOn, totalMinor, currency, timeZone)];

  const depositMajor = terms.depositPercent !== null
    ? new Dec(total.amount).times(terms.depositPercent).dividedBy(100).toDecimalPlaces(minorUnits(currency), HALF_UP)
    : Dec.min(new Dec(terms.depositAmount!.amount), new Dec(total.amount));
  const depositMinor = depositMajor.times(scale(currency));
  const span = daysBetween(bookedOn, balanceDate);
  const installmentDates: string[] = [];
  for (let k = 1; k <= terms.installments; k++) {
    const offset = Math.floor((span * k) / (terms.installments + 1));
    const date = addDays(bookedOn, offset);
    // Short lead time: an installment on the booking day or on another's date is dropped.
    if (offset > 0 && !installmentDates.includes(date)) installmentDates.push(date);
  }
  const dates = [...installmentDates, balanceDate];
  const parts = splitEven(totalMinor.minus(depositMinor), dates.length);
  const out: Installment[] = [];
  if (!depositMinor.isZero()) out.push(line('deposit', 'DEPOSIT', bookedOn, depositMinor, currency, timeZone));
  let n = 0;
  dates.forEach((date, k) => {
    if (parts[k]!.isZero()) return;
    const isBalance = k === dates.length - 1;
    out.push(line(isBalance ? 'balance' : `installment-${++n}`, isBalance ? 'BALANCE' : 'INSTALLMENT', date, parts[k]!, currency, timeZone));
  });
  return out;
}

function unpaid(inst: Installment): Dec {
  return new Dec(inst.amount.amount).minus(inst.paid);
}

function isOpen(inst: Installment): boolean {
  return unpaid(inst).gt(0);
}

/** Indexes of the schedule, oldest due first (ties keep schedule order). */
function dueOrder(schedule: Installment[]): number[] {
  return schedule.map((_, i) => i).sort((a, b) => schedule[a]!.dueAt - schedule[b]!.dueAt || a - b);
}

function scheduleCurrency(schedule: Installment[], fallback?: string): string {
  const currencies = [...new Set(schedule.map((s) => s.amount.currency))];
  if (currencies.length > 1) throw new BookingRuleError([`the schedule mixes currencies: ${currencies.join(', ')}`]);
  const currency = currencies[0] ?? fallback;
  if (!currency) throw new BookingRuleError(['an empty schedule has no currency: pass the booking currency']);
  return currency;
}

/**
 * Applies a payment to the schedule, oldest due line first. Returns a new schedule (the input is
 * not changed), what was applied and what exceeded the amount still owed.
 */
export function applyPayment(schedule: Installment[], amount: MoneyJson): { schedule: Installment[]; applied: MoneyJson; excess: MoneyJson } {
  const problems = moneyProblems('payment', amount);
  if (problems.length) throw new BookingRuleError(problems);
  const currency = scheduleCurrency(schedule, amount.currency);
  if (amount.currency !== currency) throw new BookingRuleError([`payment is in ${amount.currency} but the booking is in ${currency}`]);
  let left = new Dec(amount.amount);
  const next = schedule.map((s) => ({ ...s, amount: { ...s.amount } }));
  for (const i of dueOrder(next)) {
    if (left.isZero()) break;
    const take = Dec.min(unpaid(next[i]!), left);
    if (take.lte(0)) continue;
    next[i]!.paid = fmt(new Dec(next[i]!.paid).plus(take), currency);
    left = left.minus(take);
  }
  return {
    schedule: next,
    applied: { amount: fmt(new Dec(amount.amount).minus(left), currency), currency },
    excess: { amount: fmt(left, currency), currency },
  };
}

/** What is still owed: the sum of amount − paid. `currency` is needed only for an empty schedule. */
export function outstanding(schedule: Installment[], currency?: string): MoneyJson {
  const cur = scheduleCurrency(schedule, currency);
  const sum = schedule.reduce((acc, s) => acc.plus(Dec.max(unpaid(s), 0)), new Dec(0));
  return { amount: fmt(sum, cur), currency: cur };
}

/** What has been paid against the schedule. `currency` is needed only for an empty schedule. */
export function paidSoFar(schedule: Installment[], currency?: string): MoneyJson {
  const cur = scheduleCurrency(schedule, currency);
  return { amount: fmt(schedule.reduce((acc, s) => acc.plus(s.paid), new Dec(0)), cur), currency: cur };
}

/** The earliest-due line not fully paid, or null when everything is paid. */
export function nextUnpaid(schedule: Installment[]): Installment | null {
  const i = dueOrder(schedule).find((k) => isOpen(schedule[k]!));
  return i === undefined ? null : schedule[i]!;
}

/** Lines whose due instant has passed (dueAt < now) and that are not fully paid. */
export function overdue(schedule: Installment[], now: Instant): Installment[] {
  return dueOrder(schedule).map((i) => schedule[i]!).filter((s) => s.dueAt < now && isOpen(s));
}

/** When the reminder for a line is due: `reminderDaysBefore` days (of 24 h) before its due instant. */
export function reminderAt(inst: Installment, reminderDaysBefore: number): Instant {
  return inst.dueAt - reminderDaysBefore * DAY_MS;
}

/** Lines to remind about now: not reminded yet, not fully paid, and their reminder time reached. */
export function remindersDue(schedule: Installment[], now: Instant, reminderDaysBefore: number): Installment[] {
  return dueOrder(schedule)
    .map((i) => schedule[i]!)
    .filter((s) => !s.reminded && isOpen(s) && now >= reminderAt(s, reminderDaysBefore));
}

export interface ReplanInput {
  terms: PaymentTerms;
  bookedOn: string;
  /** The (new) departure date. */
  departureDate: string;
  timeZone: string;
  /** Today in the operator's zone: nothing new falls due before it. */
  today: string;
}

/**
 * The schedule after an amendment. What was paid stays (each paid line keeps its id with
 * amount = paid); what remains of `newTotal` is spread, in proportion, over the not-yet-due lines
 * of a fresh plan for the new departure (lines due before `today` are left out, and so is its
 * deposit when the booking already had one; if all are, one
 * BALANCE due today takes it). New lines get ids suffixed `-r<n>` (n = one more than any earlier
 * replan), so reminders and timers keyed by id are not mistaken for the old ones. When newTotal <
 * paid there is nothing left to pay (the excess is the caller's refund); otherwise the lines add
 * up to newTotal exactly.
 */
export function replan(schedule: Installment[], newTotal: MoneyJson, input: ReplanInput): Installment[] {
  const problems = moneyProblems('newTotal', newTotal, { allowZero: true });
  if (!isIsoDate(input.today)) problems.push(`today "${input.today}" is not a date YYYY-MM-DD`);
  if (problems.length) throw new BookingRuleError(problems);
  const currency = scheduleCurrency(schedule, newTotal.currency);
  if (newTotal.currency !== currency) throw new BookingRuleError([`newTotal is in ${newTotal.currency} but the booking is in ${currency}`]);

  const kept = schedule
    .filter((s) => new Dec(s.paid).gt(0))
    .map((s) => ({ ...s, amount: { amount: fmt(new Dec(s.paid), currency), currency }, paid: fmt(new Dec(s.paid), currency) }));
  const paid = kept.reduce((acc, s) => acc.plus(s.paid), new Dec(0));
  const remainingMinor = new Dec(newTotal.amount).minus(paid).times(scale(currency));
  if (remainingMinor.lte(0)) return kept;

  const fresh = planPayments({ total: newTotal, terms: input.terms, bookedOn: input.bookedOn, departureDate: input.departureDate, timeZone: input.timeZone });
  // The deposit was asked for once, when the booking was made: a new plan never asks for it again.
  const hadDeposit = schedule.some((s) => s.kind === 'DEPOSIT');
  let targets = fresh.filter((s) => s.dueDate >= input.today && !(hadDeposit && s.kind === 'DEPOSIT'));
  if (!targets.length) targets = [line('balance', 'BALANCE', input.today, new Dec(1), currency, input.timeZone)];
  const round = 1 + Math.max(0, ...schedule.map((s) => Number(/-r(\d+)$/.exec(s.id)?.[1] ?? 0)));
  const weights = targets.map((t) => new Dec(t.amount.amount));
  const weightSum = weights.reduce((a, b) => a.plus(b), new Dec(0));
  let allocated = new Dec(0);
  const added: Installment[] = [];
  targets.forEach((t, k) => {
    const share = k === targets.length - 1
      ? remainingMinor.minus(allocated)
      : remainingMinor.times(weights[k]!).dividedBy(weightSum).floor();
    allocated = allocated.plus(share);
    if (share.isZero()) return;
    added.push(line(`${t.id.replace(/-r\d+$/, '')}-r${round}`, t.kind, t.dueDate, share, currency, input.timeZone));
  });
  return [...kept, ...added].sort((a, b) => a.dueAt - b.dueAt);
}
