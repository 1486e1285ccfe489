import { z } from 'zod';
import { SALES_CHANNELS } from '../../domain/ledger/chart';
import { isPositiveDecimal } from '../../domain/money/money';
import { NO_SHOW_POLICIES, RECOGNITION_POLICIES } from '../../domain/revenue/recognition';
import { ExternalId, IsoDate, Money } from '../../domain/schemas/common.schema';
import { CalendarDay, DecimalText, EpochMs, MoneyView } from './answer.schema';

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

// ---------------------------------------------------------------------------------------------
// Answers (OpenAPI response schemas; revenue.api.test.ts parses the real answers with them).
// Each mirrors activities/revenue.prisma.ts as api/routes/revenue.routes.ts sends it.

/** `DeferredItemView`: one sold component whose revenue is deferred until it is delivered. */
export const DeferredItemView = z
  .strictObject({
    id: z.uuid(),
    bookingRef: z.string(),
    componentId: z.string(),
    productType: z.string(),
    channel: z.string(),
    amount: MoneyView,
    recognised: DecimalText.meta({ description: 'Recognised so far, in the amount’s currency' }),
    remaining: DecimalText,
    serviceStart: CalendarDay,
    serviceEnd: CalendarDay,
    policy: z.enum(RECOGNITION_POLICIES),
    noShowPolicy: z.enum(NO_SHOW_POLICIES),
    status: z.enum(['OPEN', 'RECOGNISED', 'AWAITING_SUPPLIER', 'CANCELLED']),
    supplierConfirmedAt: EpochMs.nullable(),
    cancelledAt: EpochMs.nullable(),
    deferredAccount: z.string().nullable().meta({ description: 'null: deferred before accounts were stored; looked up at each run' }),
    revenueAccount: z.string().nullable(),
    historicalRate: z
      .strictObject({ baseCurrency: z.string(), rate: DecimalText.meta({ description: '1 unit of the amount’s currency = `rate` base' }), source: z.string(), rateDate: CalendarDay })
      .nullable()
      .meta({ description: 'The rate a foreign-currency component is carried at; null in the base currency' }),
    createdAt: EpochMs,
  })
  .meta({ id: 'DeferredRevenueItem' });

/** `GET /finance/deferred-revenue/by-travel-month`: what is still deferred, per travel month and currency. */
export const DeferredByTravelMonthResponse = z
  .strictObject({
    asOf: CalendarDay,
    months: z.array(z.strictObject({ travelMonth: z.string().meta({ description: 'YYYY-MM' }), currency: z.string(), items: z.number().int().min(0), remaining: DecimalText })),
  })
  .meta({ id: 'DeferredRevenueByTravelMonth' });

/** `POST /finance/revenue-recognition/run`: the totals of every batch of the run. */
export const RecognitionRunResponse = z
  .strictObject({
    date: CalendarDay,
    itemsRecognised: z.number().int().min(0),
    entriesPosted: z.number().int().min(0),
    amountsByCurrency: z.record(z.string(), DecimalText).meta({ description: 'Revenue recognised per currency' }),
    failures: z.array(
      z.strictObject({
        itemId: z.string(),
        bookingRef: z.string(),
        componentId: z.string(),
        reason: z.string().meta({ description: 'The ledger’s refusal kind (closed-period, unknown-account...)' }),
        message: z.string(),
      }),
    ),
  })
  .meta({ id: 'RecognitionRun' });
