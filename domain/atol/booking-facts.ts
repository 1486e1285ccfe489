import { minorUnits } from '../money/currency';
import { Dec, type MoneyJson } from '../money/money';
import type { AtolBooking } from './classification';

/**
 * The facts a classification was made from, written canonically: fixed key order, revenue with
 * exactly the currency's decimals ("1500" and "1500.00" are the same fact), components sorted
 * (their order says nothing about the booking). The licence is not a fact of the booking's
 * classification and is compared on its own. Its sha256 is stored as the record's facts hash;
 * change the version tag whenever this form changes.
 */
export function canonicalBookingFacts(booking: AtolBooking): string {
  const components = booking.components
    .map((c) => ({ type: c.type, ticketIssuedAt: c.ticketIssuedAt ?? null }))
    .sort((a, b) => (a.type !== b.type ? (a.type < b.type ? -1 : 1) : (a.ticketIssuedAt ?? '') < (b.ticketIssuedAt ?? '') ? -1 : (a.ticketIssuedAt ?? '') > (b.ticketIssuedAt ?? '') ? 1 : 0));
  return JSON.stringify({
    v: 1,
    bookingDate: booking.bookingDate,
    sellerCountry: booking.sellerCountry,
    passengers: booking.passengers,
    departureDate: booking.departureDate,
    revenue: { amount: fixedAmount(booking.revenue), currency: booking.revenue.currency },
    components,
    linkedArrangement: booking.linkedArrangement,
  });
}

/**
 * The amount with exactly the currency's decimals. The schema refuses more decimals than the
 * currency has, so this only pads with zeros; ROUND_HALF_EVEN is named but never applies.
 */
function fixedAmount(m: MoneyJson): string {
  return new Dec(m.amount).toFixed(minorUnits(m.currency), Dec.ROUND_HALF_EVEN);
}

/** The facts kept in columns of a classification record (bookingDate is null on records from before it was kept). */
export interface RecordedFacts {
  bookingDate: string | null;
  sellerCountry: string;
  passengers: number;
  departureDate: string;
  revenue: MoneyJson;
}

/**
 * What differs between a recorded classification and the booking facts sent again, as far as the
 * record's columns tell ("passengers was 2, now 4"). Components and the linked-arrangement flag
 * are only in the facts hash: when the hash differs and nothing here does, they are what changed.
 */
export function recordedFactChanges(recorded: RecordedFacts, booking: AtolBooking): string[] {
  const changes: string[] = [];
  const differ = (what: string, was: string | number, now: string | number) => {
    if (was !== now) changes.push(`${what} was ${was}, now ${now}`);
  };
  if (recorded.bookingDate !== null) differ('bookingDate', recorded.bookingDate, booking.bookingDate);
  differ('sellerCountry', recorded.sellerCountry, booking.sellerCountry);
  differ('passengers', recorded.passengers, booking.passengers);
  differ('departureDate', recorded.departureDate, booking.departureDate);
  differ('revenue', `${fixedAmount(recorded.revenue)} ${recorded.revenue.currency}`, `${fixedAmount(booking.revenue)} ${booking.revenue.currency}`);
  return changes;
}
