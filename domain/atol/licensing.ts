import { AtolError, isProtected, type AtolClassification } from './classification';

/** A licence's number and the days it is valid (validTo inclusive, null: open-ended). */
export interface LicenceValidity {
  number: string;
  validFrom: string;
  validTo: string | null;
}

export const validOn = (licence: LicenceValidity, date: string): boolean => licence.validFrom <= date && (licence.validTo === null || date <= licence.validTo);

const span = (l: LicenceValidity) => (l.validTo ? `from ${l.validFrom} to ${l.validTo}` : `from ${l.validFrom}`);

/**
 * The licence a booking is recorded under, judged on its booking date:
 * - a licence the booking names must exist and be valid that day (whatever the classification);
 * - otherwise the one licence valid that day, when there is exactly one;
 * - otherwise none for a booking ATOL does not protect (it is not in any return);
 * - and an error for a protected one: a UK seller may not sell ATOL-protected bookings without a
 *   licence (the ATOL Regulations 2012 require one for every protected sale), and with several in force
 *   the booking must say which one it is sold under (returns are filed per licence).
 */
export function licenceForBooking(
  licences: readonly LicenceValidity[],
  booking: { bookingRef: string; bookingDate: string; licenceNumber?: string | undefined },
  classification: AtolClassification,
): string | null {
  const { bookingRef, bookingDate, licenceNumber } = booking;
  if (licenceNumber !== undefined) {
    const named = licences.find((l) => l.number === licenceNumber);
    if (!named) {
      throw new AtolError('invalid-licence', `Booking ${bookingRef} names an ATOL licence that is not registered`, [
        { path: 'licenceNumber', message: `no ATOL licence ${licenceNumber} is registered` },
      ]);
    }
    if (!validOn(named, bookingDate)) {
      throw new AtolError('invalid-licence', `Booking ${bookingRef} names an ATOL licence not valid on its booking date`, [
        { path: 'licenceNumber', message: `licence ${licenceNumber} is valid ${span(named)}, not on the booking date ${bookingDate}` },
      ]);
    }
    return named.number;
  }
  const inForce = licences.filter((l) => validOn(l, bookingDate));
  if (inForce.length === 1) return inForce[0]!.number;
  if (!isProtected(classification)) return null;
  if (!inForce.length) {
    throw new AtolError(
      'no-licence-in-force',
      `Booking ${bookingRef} is ATOL-protected (${classification}) but no ATOL licence is valid on its booking date ${bookingDate}: ` +
        'a UK seller may not sell ATOL-protected bookings without a licence; register the licence or correct its validity dates',
    );
  }
  throw new AtolError('licence-ambiguous', `Booking ${bookingRef} is ATOL-protected (${classification}) and ${inForce.length} licences are valid on ${bookingDate}`, [
    { path: 'licenceNumber', message: `must name the licence the booking is sold under: one of ${inForce.map((l) => l.number).join(', ')}` },
  ]);
}
