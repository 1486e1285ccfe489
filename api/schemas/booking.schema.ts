import { z } from 'zod';
import { REFERENCE_PATTERN } from '../../domain/booking/draft';
import { ExternalId, IsoDate, Money } from '../../domain/schemas/common.schema';

/**
 * `POST /bookings` body. Built per request because "not in the past" depends on today's date in
 * the operator's time zone.
 */
export function createBookingRequestSchema(today: string) {
  return z.strictObject({
    customerId: ExternalId.meta({ description: 'Customer id in the CRM' }),
    advisorId: ExternalId.optional().meta({ description: 'Travel advisor who owns the booking' }),
    productCode: ExternalId.meta({ description: 'Catalog product code, e.g. a tour or package code' }),
    travelDate: IsoDate.refine((d) => d >= today, { message: `must not be in the past (today is ${today})` }),
    price: Money,
    holdDays: z.number().int().min(1).max(365).optional().meta({ description: 'Days the draft is held (default 30)' }),
  });
}
export type CreateBookingRequest = z.infer<ReturnType<typeof createBookingRequestSchema>>;

export const BookingReferenceParam = z.string().regex(REFERENCE_PATTERN, 'must look like ITN-7K3M9QXZ');
