import type { AllotmentContract, Product, ReleaseRule } from './model';
import { addDays, compareDates, eachDate } from './dates';

/**
 * Allotment release dates: when the unsold units of one stay (or departure) date go back to the
 * supplier. Pure and deterministic, safe to call from workflows.
 *
 * The rule, decided once:
 * - `DAYS_BEFORE` n: units of stay date D are released ON D - n calendar days. The release job run
 *   dated that day returns them at the start of its run, not a day earlier: a 21-day rule on
 *   arrival 2027-03-22 releases on 2027-03-01, and units can still be sold on 2027-02-28.
 *   n = 0 releases on the stay date itself.
 * - `FIXED_DATES`: units of D are released on the `releaseOn` of the range whose
 *   `arrivalsFrom..arrivalsTo` (inclusive) contains D. A date outside every range is never
 *   released (null). Valid contracts never have overlapping ranges; should two contain D anyway,
 *   the earliest `releaseOn` wins (units go back no later than any clause says).
 * - `NONE`: never released (null); the contract is fully committed.
 */
export function releaseDateFor(rule: ReleaseRule, stayDate: string): string | null {
  switch (rule.kind) {
    case 'NONE':
      compareDates(stayDate, stayDate); // validates the date
      return null;
    case 'DAYS_BEFORE':
      if (!Number.isInteger(rule.days) || rule.days < 0) throw new RangeError(`Release days must be a whole number >= 0 (got ${rule.days})`);
      return addDays(stayDate, -rule.days);
    case 'FIXED_DATES': {
      let found: string | null = null;
      for (const range of rule.dates) {
        if (compareDates(range.arrivalsFrom, stayDate) <= 0 && compareDates(stayDate, range.arrivalsTo) <= 0) {
          if (found === null || compareDates(range.releaseOn, found) < 0) found = range.releaseOn;
        }
      }
      return found;
    }
  }
}

/**
 * True when the release job run dated `runDate` must release the unsold units of `stayDate`: its
 * release date has come (`releaseOn <= runDate`) and the stay date has not passed
 * (`stayDate >= runDate`; after that there is nothing left to give back). A job that missed some
 * days therefore still releases everything whose release date fell in the gap.
 */
export function isDueForRelease(rule: ReleaseRule, stayDate: string, runDate: string): boolean {
  const releaseOn = releaseDateFor(rule, stayDate);
  return releaseOn !== null && compareDates(releaseOn, runDate) <= 0 && compareDates(stayDate, runDate) >= 0;
}

/**
 * The stay (or departure) dates a contract puts inventory on: every date of its span, except for
 * tours, whose inventory exists only on departures that are not CANCELLED within the span.
 */
export function contractStayDates(contract: Pick<AllotmentContract, 'validFrom' | 'validTo'>, product: Product): string[] {
  const all = eachDate(contract.validFrom, addDays(contract.validTo, 1));
  if (product.type !== 'TOUR') return all;
  const live = new Set(product.departures.filter((d) => d.status !== 'CANCELLED').map((d) => d.date));
  return all.filter((d) => live.has(d));
}
