import { z } from 'zod';
import { Dec } from '../money/money';
import type { PayableLine, ReceivableLine } from './aggregate';

/**
 * What the reports read from a booking's snapshot (the lifecycle workflow's LifecycleView, see
 * domain/booking/model.ts): the customer payment schedule, the components' supplier costs and
 * the travellers. Read leniently: a snapshot without a part (first-slice drafts, older versions)
 * gives nothing for it rather than failing the whole report.
 */

const MoneyJson = z.object({ amount: z.string().regex(/^-?\d+(\.\d+)?$/), currency: z.string().regex(/^[A-Z]{3}$/) });
const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const Installment = z.object({ dueDate: IsoDay, amount: MoneyJson, paid: z.string().regex(/^-?\d+(\.\d+)?$/) });
const Component = z.object({
  kind: z.string(),
  status: z.string(),
  supplierCode: z.string(),
  serviceStart: IsoDay,
  pax: z.number().int().nonnegative().optional(),
  cost: MoneyJson,
  settlement: MoneyJson.nullable().optional(),
});
const Snapshot = z.object({
  schedule: z.array(z.unknown()).optional(),
  components: z.array(z.unknown()).optional(),
  group: z.object({ members: z.array(z.object({ status: z.string() })) }).nullable().optional(),
});

const parts = <T extends z.ZodType>(schema: T, items: readonly unknown[] | undefined): Array<z.infer<T>> =>
  (items ?? []).flatMap((i) => {
    const parsed = schema.safeParse(i);
    return parsed.success ? [parsed.data] : [];
  });

function snapshotOf(json: unknown) {
  const parsed = Snapshot.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Travellers: the live group members, else the largest component party; null when unknown. */
export function paxOf(json: unknown): number | null {
  const s = snapshotOf(json);
  if (!s) return null;
  if (s.group) return s.group.members.filter((m) => m.status !== 'CANCELLED').length;
  const pax = parts(Component, s.components).flatMap((c) => (c.pax === undefined ? [] : [c.pax]));
  return pax.length ? Math.max(...pax) : null;
}

/**
 * The unpaid part of each installment of the schedule; null when the snapshot has no schedule
 * (the caller then falls back to the booking's balance due).
 */
export function receivableLines(json: unknown, booking: { reference: string; customerId: string; currency: string }): ReceivableLine[] | null {
  const s = snapshotOf(json);
  if (!s?.schedule) return null;
  return parts(Installment, s.schedule).flatMap((i) => {
    const outstanding = new Dec(i.amount.amount).minus(i.paid);
    return outstanding.gt(0) ? [{ ...booking, currency: i.amount.currency, dueDate: i.dueDate, outstanding: outstanding.toString() }] : [];
  });
}

/** Components confirmed with their supplier (and flights ticketed). */
export const OWED_COMPONENT_STATUSES = ['CONFIRMED', 'TICKETED'];

/**
 * What the booking owes each supplier: a confirmed component's cost (a flight's settlement with the
 * airline when known), due on its first service day (the snapshot carries no supplier schedule).
 */
export function payableLines(json: unknown, reference: string): PayableLine[] {
  const s = snapshotOf(json);
  if (!s) return [];
  return parts(Component, s.components)
    .filter((c) => OWED_COMPONENT_STATUSES.includes(c.status))
    .map((c) => {
      const owed = c.settlement ?? c.cost;
      return { reference, supplier: c.supplierCode, currency: owed.currency, dueDate: c.serviceStart, amount: owed.amount };
    });
}
