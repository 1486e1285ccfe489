import { z } from 'zod';
import { SALES_CHANNELS } from '../../domain/ledger/chart';
import { isPositiveDecimal } from '../../domain/money/money';
import { ExternalId, IsoDate, Money } from '../../domain/schemas/common.schema';

export const BookingRefParam = ExternalId.max(32, 'must be at most 32 characters');
export const ComponentIdParam = ExternalId;

/** `POST /finance/deferred-revenue`: one sold service component to defer until delivered. */
export const DeferComponentRequest = z
  .strictObject({
    bookingRef: BookingRefParam.meta({ description: 'Booking reference, e.g. ITN-7K3M9QXZ' }),
    componentId: ComponentIdParam.meta({ description: 'The component within the booking (tour, hotel stay...)' }),
    // Checked by the store: product_account_map may add types to the chart's list.
    productType: z.string().min(1, 'must not be empty').max(32).meta({ examples: ['tours', 'packages'] }),
    channel: z.enum(SALES_CHANNELS, { message: `must be one of ${SALES_CHANNELS.join(', ')}` }),
    amount: Money.refine((m) => isPositiveDecimal(m.amount), { path: ['amount'], message: 'must be greater than zero' }),
    serviceStart: IsoDate.meta({ description: 'First service day (inclusive)' }),
    serviceEnd: IsoDate.meta({ description: 'Last service day (inclusive)' }),
    bookingDate: IsoDate.optional().meta({ description: "The booking's date, whose rate carries a foreign-currency component (default: today in the operator's zone)" }),
  })
  .refine((r) => r.serviceEnd >= r.serviceStart, { path: ['serviceEnd'], message: 'must not be before serviceStart' });
export type DeferComponentRequest = z.infer<typeof DeferComponentRequest>;

/** `POST .../supplier-confirmation`: when the supplier confirmed the no-show (default: now). */
export const SupplierConfirmationRequest = z.strictObject({
  confirmedAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as "2027-03-02T09:30:00Z"' }).optional(),
});

/** `POST .../cancel`: when the component was cancelled (default: now); reports before then still count it. */
export const CancelComponentRequest = z.strictObject({
  cancelledAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as "2027-03-02T09:30:00Z"' }).optional(),
});

export const ByTravelMonthQuery = z.strictObject({ asOf: IsoDate.optional() });

/** `POST /finance/revenue-recognition/run`: recognise everything due through `date`. */
export const RecognitionRunRequest = z.strictObject({
  date: IsoDate,
  batchSize: z.number().int().min(1).max(1000).optional(),
});
