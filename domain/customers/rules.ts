/**
 * CRM business rules over plain values: passport validity, archiving, loyalty reconciliation,
 * retention figures and lifetime value. Pure: "today" is always an argument (YYYY-MM-DD).
 */
import { Dec } from '../money/money';
import { minorUnits } from '../money/currency';
import { daysBetween } from '../catalog/dates';
import { ARCHIVE_AFTER_YEARS, type TripPaymentStatus } from './model';
import { yearsBefore } from './legacy-records';

/** A passport is valid through its expiry date and expired from the day after. */
export function passportStatus(p: { expiresOn: string }, today: string): 'EXPIRED' | 'VALID' {
  return p.expiresOn < today ? 'EXPIRED' : 'VALID';
}

/** The unexpired passport that expires last (ties: the smaller number), never an expired one; undefined when none is valid. */
export function currentPassport<P extends { expiresOn: string; normalizedNumber?: string }>(passports: readonly P[], today: string): P | undefined {
  let best: P | undefined;
  for (const p of passports) {
    if (passportStatus(p, today) === 'EXPIRED') continue;
    if (
      best === undefined ||
      p.expiresOn > best.expiresOn ||
      (p.expiresOn === best.expiresOn && (p.normalizedNumber ?? '') < (best.normalizedNumber ?? ''))
    ) {
      best = p;
    }
  }
  return best;
}

/**
 * Whether a customer is archived rather than loaded as active: no booking in more than
 * ARCHIVE_AFTER_YEARS years before today, counted from the last trip's end, else from the creation
 * date. Never while a booking is open; a customer with neither trips nor a creation date is archived.
 */
export function archiveDecision(input: { lastTripOn?: string; createdOn?: string; hasOpenBooking: boolean }, today: string): { archived: boolean; reason?: string } {
  if (input.hasOpenBooking) return { archived: false };
  const cutoff = yearsBefore(today, ARCHIVE_AFTER_YEARS);
  if (input.lastTripOn !== undefined) {
    return input.lastTripOn < cutoff
      ? { archived: true, reason: `last trip ended ${input.lastTripOn}, more than ${ARCHIVE_AFTER_YEARS} years before ${today}` }
      : { archived: false };
  }
  if (input.createdOn !== undefined) {
    return input.createdOn < cutoff
      ? { archived: true, reason: `no trips; created ${input.createdOn}, more than ${ARCHIVE_AFTER_YEARS} years before ${today}` }
      : { archived: false };
  }
  return { archived: true, reason: 'no booking history' };
}

/**
 * The legacy system's stated balance against the sum of its transactions. `difference` is stated
 * minus sum (positive: the stated balance is higher than the log explains). Without a stated
 * balance there is nothing to reconcile: it matches.
 */
export function reconcileLoyalty(statedBalance: number | undefined, transactionSum: number): { matches: boolean; difference: number } {
  if (statedBalance === undefined) return { matches: true, difference: 0 };
  const difference = statedBalance - transactionSum;
  return { matches: difference === 0, difference };
}

export interface RetentionFigures {
  tripCount: number;
  firstTripOn?: string;
  lastTripOn?: string;
  /** Days from the last trip's end to today; 0 while a trip is still under way or ahead. */
  daysSinceLastTrip?: number;
  /** Two or more trips. */
  repeatCustomer: boolean;
}

/** Retention figures of a customer's trips (pass the trips that count: cancelled ones are the caller's choice). */
export function retentionFigures(trips: readonly { startDate: string; endDate: string }[], today: string): RetentionFigures {
  if (trips.length === 0) return { tripCount: 0, repeatCustomer: false };
  let first = trips[0]!.startDate;
  let last = trips[0]!.endDate;
  for (const t of trips) {
    if (t.startDate < first) first = t.startDate;
    if (t.endDate > last) last = t.endDate;
  }
  return { tripCount: trips.length, firstTripOn: first, lastTripOn: last, daysSinceLastTrip: Math.max(0, daysBetween(last, today)), repeatCustomer: trips.length >= 2 };
}

const NO_VALUE: readonly TripPaymentStatus[] = ['CANCELLED', 'REFUNDED'];

/** Lifetime value per currency (keys sorted), exact decimal strings; cancelled and refunded trips excluded. */
export function lifetimeValue(trips: readonly { value: { amount: string; currency: string }; paymentStatus: TripPaymentStatus }[]): Record<string, string> {
  const totals = new Map<string, Dec>();
  for (const t of trips) {
    if (NO_VALUE.includes(t.paymentStatus)) continue;
    totals.set(t.value.currency, (totals.get(t.value.currency) ?? new Dec(0)).plus(t.value.amount));
  }
  return Object.fromEntries([...totals.keys()].sort().map((c) => [c, totals.get(c)!.toFixed(minorUnits(c))]));
}
