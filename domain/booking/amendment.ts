import { addDays, daysBetween } from '../catalog/dates';
import type { MoneyJson } from '../money/money';
import { isIsoDate } from '../time/instant';
import { policyCharge } from './cancellation';
import type { ComponentRequest, ComponentState } from './model';
import { BookingRuleError } from './payment-plan';

/**
 * Moving a booking to other dates. Pure and deterministic. Catalog components move with the
 * departure; flights do not move here: they change through the airline's change quote (a new offer).
 */

/** The request `days` later (earlier when negative): catalog start date shifted, flights unchanged. */
export function shiftRequest(req: ComponentRequest, days: number): ComponentRequest {
  if (!Number.isInteger(days)) throw new BookingRuleError([`days must be a whole number (got ${days})`]);
  if (req.kind === 'FLIGHT') return { ...req, passengers: [...req.passengers] };
  if (!isIsoDate(req.startDate)) throw new BookingRuleError([`component ${req.id}: startDate "${req.startDate}" is not a date YYYY-MM-DD`]);
  return { ...req, units: req.units.map((u) => ({ ...u, childAges: [...u.childAges] })), startDate: addDays(req.startDate, days) };
}

/** How far a new departure date moves the trip, and the return date that keeps its length. */
export function shiftDates(departureDate: string, returnDate: string, newDepartureDate: string): { days: number; returnDate: string } {
  const problems = (
    [
      ['departureDate', departureDate],
      ['returnDate', returnDate],
      ['newDepartureDate', newDepartureDate],
    ] as const
  )
    .filter(([, v]) => !isIsoDate(v))
    .map(([k, v]) => `${k} "${v}" is not a date YYYY-MM-DD`);
  if (!problems.length && returnDate < departureDate) problems.push(`returnDate ${returnDate} is before departureDate ${departureDate}`);
  if (problems.length) throw new BookingRuleError(problems);
  const days = daysBetween(departureDate, newDepartureDate);
  return { days, returnDate: addDays(returnDate, days) };
}

/** The customer's fee for amending component `c` on `changeDate` (its amendment policy, as a share of its sell). */
export function amendmentFee(c: ComponentState, changeDate: string): MoneyJson {
  return policyCharge(c, c.amendmentPolicy, changeDate, 'amendment').penalty;
}
