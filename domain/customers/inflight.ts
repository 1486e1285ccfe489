import type { ComponentKind, ComponentState, Installment, MigratedBookingState, PaymentRecord } from '../booking/model';
import type { Policy } from '../catalog/model';
import type { ProductType } from '../ledger/chart';
import { fmt } from '../booking/payment-plan';
import { isCurrencyCode, minorUnits } from '../money/currency';
import { checkAmount, Dec } from '../money/money';
import { endOfDateIn, startOfDateUtc } from '../time/instant';
import type { CheckContext, Checked, RawRecord, RowIssue } from './model';
import { parseLegacyDate } from './legacy-records';

/**
 * In-flight legacy bookings (confirmed, not yet travelled): checking a `bookings.json` record and
 * turning it into the state a booking workflow adopts (MigratedBookingState).
 */

/** Bookings per currency: how many, their total and what is still due (decimal strings). */
export type BookingTotals = Record<string, { count: number; total: string; balanceDue: string }>;

export const LEGACY_BOOKING_STATUSES = ['DEPOSIT_PAID', 'CONFIRMED', 'PAID'] as const;
export type LegacyBookingStatus = (typeof LEGACY_BOOKING_STATUSES)[number];

export interface LegacyBookingComponent {
  /** FLIGHT, HOTEL, CRUISE, TRANSFER, TOUR, INSURANCE, RAIL, CAR, OTHER. */
  type: string;
  supplier: string;
  description: string;
  serviceClass?: string;
  supplierReference: string;
  /** What the supplier charges, in the booking currency. */
  cost: string;
}

export interface LegacyBooking {
  reference: string;
  legacyCustomerId: string;
  row: number;
  status: LegacyBookingStatus;
  bookedOn?: string;
  departureDate: string;
  returnDate: string;
  currency: string;
  total: string;
  payments: { date: string; amount: string; reference: string }[];
  installments: { dueDate: string; amount: string }[];
  components: LegacyBookingComponent[];
  advisorId?: string;
}

/** Booking references Itinera keeps (bookings.reference is 16 characters). */
const REFERENCE = /^[A-Z0-9][A-Z0-9-]{2,15}$/;

const KINDS: Record<string, { kind: Exclude<ComponentKind, 'FLIGHT'> | 'FLIGHT'; productType: ProductType }> = {
  FLIGHT: { kind: 'FLIGHT', productType: 'flights' },
  HOTEL: { kind: 'HOTEL', productType: 'hotels' },
  TRANSFER: { kind: 'TRANSFER', productType: 'transfers' },
  INSURANCE: { kind: 'INSURANCE', productType: 'insurance' },
  CRUISE: { kind: 'TOUR', productType: 'cruises' },
  TOUR: { kind: 'TOUR', productType: 'tours' },
  RAIL: { kind: 'TRANSFER', productType: 'transfers' },
  CAR: { kind: 'TRANSFER', productType: 'transfers' },
  OTHER: { kind: 'TOUR', productType: 'tours' },
};

/**
 * A migrated component carries no supplier policy (the legacy export has none): cancelling costs
 * everything, so a cancellation refunds nothing automatically and goes to finance for review
 * against the supplier's real terms.
 */
export const MIGRATED_POLICY: Policy = { windows: [{ fromDaysBefore: 100_000, toDaysBefore: -1, basis: 'PERCENT', scope: 'PER_BOOKING', amount: '100', nonRefundable: true }] };

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined);

/** Checks one bookings.json record (its whole object is in `__json`); every problem names its field. */
export function checkLegacyBooking(raw: RawRecord, ctx: CheckContext): Checked<LegacyBooking> {
  const issues: RowIssue[] = [];
  const error = (field: string, code: string, message: string) => issues.push({ file: 'bookings', row: raw.row, field, code, message, severity: 'ERROR' });
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(raw.fields.__json ?? JSON.stringify(raw.fields)) as Record<string, unknown>;
  } catch {
    error('__json', 'malformed-row', 'the booking is not a JSON object');
    return { issues };
  }
  const reference = text(obj.booking_reference)?.toUpperCase();
  if (!reference) error('booking_reference', 'missing-field', 'booking_reference is missing');
  else if (!REFERENCE.test(reference)) error('booking_reference', 'bad-reference', `booking_reference "${reference}" must be 3–16 letters, digits or - (Itinera keeps the legacy reference)`);
  const legacyCustomerId = text(obj.customer_id);
  if (!legacyCustomerId) error('customer_id', 'missing-field', 'customer_id is missing');
  const status = text(obj.status)?.toUpperCase();
  if (!status || !(LEGACY_BOOKING_STATUSES as readonly string[]).includes(status)) error('status', 'unknown-value', `status "${status ?? ''}" is not one of ${LEGACY_BOOKING_STATUSES.join(', ')} (only confirmed bookings not yet travelled migrate)`);
  const date = (field: string, required: boolean) => {
    const v = text(obj[field]);
    if (!v) {
      if (required) error(field, 'missing-field', `${field} is missing`);
      return undefined;
    }
    const d = parseLegacyDate(v, ctx.dayFirst);
    if (!d) error(field, 'bad-date', `${field} "${v}" is not a date`);
    return d ?? undefined;
  };
  const departureDate = date('departure_date', true);
  const returnDate = date('return_date', true);
  const bookedOn = date('booked_on', false);
  if (departureDate && returnDate && returnDate < departureDate) error('return_date', 'reversed-dates', `return_date ${returnDate} is before departure_date ${departureDate}`);
  if (departureDate && departureDate <= ctx.today) error('departure_date', 'already-travelled', `departure_date ${departureDate} is not after ${ctx.today}: a booking already travelling or travelled belongs in the travel history (trips file)`);
  const currency = text(obj.currency)?.toUpperCase();
  if (!currency) error('currency', 'missing-currency', 'currency is missing');
  else if (!isCurrencyCode(currency)) error('currency', 'bad-currency', `currency "${currency}" is not an ISO 4217 code`);
  const amount = (field: string, v: unknown, allowZero = false): string | undefined => {
    const s = text(v);
    if (!s) {
      error(field, 'bad-amount', `${field} is missing`);
      return undefined;
    }
    const problems = checkAmount(s, currency && isCurrencyCode(currency) ? currency : '');
    if (problems.length) {
      error(field, 'bad-amount', `${field} "${s}": ${problems.map((p) => p.message).join('; ')}`);
      return undefined;
    }
    if (!allowZero && new Dec(s).isZero()) {
      error(field, 'bad-amount', `${field} must be more than zero`);
      return undefined;
    }
    return s;
  };
  const total = amount('total', obj.total);
  const list = (field: string): Record<string, unknown>[] => {
    const v = obj[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      error(field, 'bad-list', `${field} must be a list`);
      return [];
    }
    return v as Record<string, unknown>[];
  };
  /** A date inside a list item; '' (with an error) when it cannot be read. */
  const itemDate = (field: string, v: unknown): string => {
    const d = parseLegacyDate(text(v) ?? '', ctx.dayFirst);
    if (!d) error(field, 'bad-date', `${field} "${text(v) ?? ''}" is not a date`);
    return d ?? '';
  };
  const payments = list('payments').map((p, i) => ({
    date: itemDate(`payments[${i}].date`, p.date),
    amount: amount(`payments[${i}].amount`, p.amount) ?? '0',
    reference: text(p.reference) ?? `P${i + 1}`,
  }));
  const installments = list('installments').map((p, i) => ({
    dueDate: itemDate(`installments[${i}].due_date`, p.due_date),
    amount: amount(`installments[${i}].amount`, p.amount) ?? '0',
  }));
  const components = list('components').map((c, i): LegacyBookingComponent => {
    const type = (text(c.type) ?? 'OTHER').toUpperCase();
    if (!KINDS[type]) error(`components[${i}].type`, 'unknown-value', `components[${i}].type "${type}" is not one of ${Object.keys(KINDS).join(', ')}`);
    const supplierReference = text(c.supplier_reference);
    if (!supplierReference) error(`components[${i}].supplier_reference`, 'missing-field', `components[${i}].supplier_reference is missing: a confirmed component needs the supplier's reference`);
    return {
      type,
      supplier: text(c.supplier) ?? 'UNKNOWN',
      description: text(c.description) ?? type.toLowerCase(),
      ...(text(c.service_class) ? { serviceClass: text(c.service_class)! } : {}),
      supplierReference: supplierReference ?? '',
      cost: amount(`components[${i}].cost`, c.cost, true) ?? '0',
    };
  });
  if (components.length === 0) error('components', 'missing-field', 'a booking needs at least one component');
  if (total && issues.length === 0) {
    const paid = payments.reduce((s, p) => s.plus(p.amount), new Dec(0));
    const due = installments.reduce((s, p) => s.plus(p.amount), new Dec(0));
    if (paid.gt(total)) error('payments', 'overpaid', `payments add up to ${paid.toFixed()} ${currency}, more than the total ${total}`);
    else if (!paid.plus(due).eq(total)) {
      error('installments', 'schedule-mismatch', `payments (${paid.toFixed()}) and installments (${due.toFixed()}) add up to ${paid.plus(due).toFixed()} ${currency}, not the total ${total}`);
    }
    if (status === 'PAID' && !paid.eq(total)) error('status', 'status-mismatch', `status PAID but only ${paid.toFixed()} of ${total} ${currency} was paid`);
  }
  const advisorId = text(obj.advisor_id);
  if (issues.length > 0) return { issues };
  return {
    value: {
      reference: reference!,
      legacyCustomerId: legacyCustomerId!,
      row: raw.row,
      status: status as LegacyBookingStatus,
      ...(bookedOn ? { bookedOn } : {}),
      departureDate: departureDate!,
      returnDate: returnDate!,
      currency: currency!,
      total: total!,
      payments,
      installments,
      components,
      ...(advisorId ? { advisorId } : {}),
    },
    issues,
  };
}

/** Unpaid installments already due on `today`: the booking's grace period and cancellation rules apply to them at once. */
export function overdueInstallments(b: LegacyBooking, today: string): { dueDate: string; amount: string }[] {
  return b.installments.filter((i) => i.dueDate < today);
}

/**
 * The state a booking workflow adopts for a legacy booking: components confirmed with the
 * suppliers' references (flights ticketed), each selling for its share of the total (by cost;
 * the last takes the rounding), one paid line per payment date and the legacy installments as
 * they were agreed (the last is the balance).
 */
export function migratedBookingState(b: LegacyBooking, opts: { system: string; timeZone: string }): MigratedBookingState {
  const cur = b.currency;
  const totalCost = b.components.reduce((s, c) => s.plus(c.cost), new Dec(0));
  const total = new Dec(b.total);
  let allotted = new Dec(0);
  const nights = Math.max(0, Math.round((startOfDateUtc(b.returnDate) - startOfDateUtc(b.departureDate)) / 86_400_000));
  const components: ComponentState[] = b.components.map((c, i) => {
    const last = i === b.components.length - 1;
    const share = last ? total.minus(allotted) : totalCost.isZero() ? total.div(b.components.length).toDecimalPlaces(minorUnits(cur), Dec.ROUND_DOWN) : total.times(c.cost).div(totalCost).toDecimalPlaces(minorUnits(cur), Dec.ROUND_DOWN);
    allotted = allotted.plus(share);
    const { kind, productType } = KINDS[c.type] ?? KINDS.OTHER!;
    const id = `${c.type.toLowerCase()}-${i + 1}`;
    const cost = { amount: fmt(new Dec(c.cost), cur), currency: cur };
    return {
      id,
      kind,
      description: `${c.description}${c.serviceClass ? ` (${c.serviceClass})` : ''} — ${c.supplier}`,
      supplierCode: c.supplier,
      productType,
      serviceStart: b.departureDate,
      serviceEnd: b.returnDate,
      pax: 1,
      sell: { amount: fmt(share, cur), currency: cur },
      cost,
      // Flights are sold as agent: what the airline is owed is settled with it.
      settlement: kind === 'FLIGHT' ? cost : null,
      cancellationPolicy: MIGRATED_POLICY,
      amendmentPolicy: MIGRATED_POLICY,
      inventory: null,
      flight: null,
      request: { id, kind: kind === 'FLIGHT' ? 'TOUR' : kind, supplierCode: c.supplier, productCode: `LEGACY:${c.supplierReference}`, category: c.serviceClass ?? 'legacy', startDate: b.departureDate, nights, units: [{ adults: 1, childAges: [] }] },
      status: kind === 'FLIGHT' ? 'TICKETED' : 'CONFIRMED',
      supplierRef: c.supplierReference,
      locator: kind === 'FLIGHT' ? c.supplierReference : null,
      documents: [],
      penalty: null,
    };
  });

  const byDate = new Map<string, Dec>();
  for (const p of b.payments) byDate.set(p.date, (byDate.get(p.date) ?? new Dec(0)).plus(p.amount));
  const paidLines: Installment[] = [...byDate.entries()]
    .sort(([a], [c]) => a.localeCompare(c))
    .map(([date, amount], i) => ({
      id: i === 0 ? 'deposit' : `paid-${i + 1}`,
      kind: i === 0 ? 'DEPOSIT' : 'INSTALLMENT',
      dueDate: date,
      dueAt: endOfDateIn(date, opts.timeZone),
      amount: { amount: fmt(amount, cur), currency: cur },
      paid: fmt(amount, cur),
      reminded: true,
    }));
  const dueLines: Installment[] = [...b.installments]
    .sort((a, c) => a.dueDate.localeCompare(c.dueDate))
    .map((inst, i, all) => ({
      id: i === all.length - 1 ? 'balance' : `installment-${i + 1}`,
      kind: i === all.length - 1 ? 'BALANCE' : 'INSTALLMENT',
      dueDate: inst.dueDate,
      dueAt: endOfDateIn(inst.dueDate, opts.timeZone),
      amount: { amount: fmt(new Dec(inst.amount), cur), currency: cur },
      paid: '0',
      reminded: false,
    }));
  const payments: PaymentRecord[] = b.payments.map((p) => ({
    paymentId: `legacy:${opts.system}:${b.reference}:${p.reference}`,
    amount: { amount: fmt(new Dec(p.amount), cur), currency: cur },
    // Legacy payments were bank receipts as far as a refund is concerned (refunds go out by transfer).
    method: 'bank-transfer',
    receivedAt: startOfDateUtc(p.date),
    excessRefunded: '0',
    ledgerEntryId: null,
  }));
  const bookedOn = b.bookedOn ?? b.payments.map((p) => p.date).sort()[0] ?? b.departureDate;
  return { source: `legacy:${opts.system}`, legacyReference: b.reference, bookedOn, components, schedule: [...paidLines, ...dueLines], payments };
}

/** Legacy totals per currency of accepted in-flight bookings: count, total, balance due. */
export function legacyTotals(bookings: LegacyBooking[]): BookingTotals {
  const out: Record<string, { count: number; total: Dec; due: Dec }> = {};
  for (const b of bookings) {
    const t = (out[b.currency] ??= { count: 0, total: new Dec(0), due: new Dec(0) });
    const paid = b.payments.reduce((s, p) => s.plus(p.amount), new Dec(0));
    t.count++;
    t.total = t.total.plus(b.total);
    t.due = t.due.plus(new Dec(b.total).minus(paid));
  }
  return Object.fromEntries(Object.entries(out).map(([c, t]) => [c, { count: t.count, total: fmt(t.total, c), balanceDue: fmt(t.due, c) }]));
}

/** Adds chunk totals into running totals (the workflow sums chunks the same way). */
export function addBookingTotals(into: BookingTotals, from: BookingTotals): BookingTotals {
  const out: BookingTotals = { ...into };
  for (const [c, t] of Object.entries(from)) {
    const was = out[c];
    out[c] = was ? { count: was.count + t.count, total: fmt(new Dec(was.total).plus(t.total), c), balanceDue: fmt(new Dec(was.balanceDue).plus(t.balanceDue), c) } : { ...t };
  }
  return out;
}
