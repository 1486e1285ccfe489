import { z } from 'zod';
import { AGE_BUCKETS, DUE_BUCKETS } from '../../domain/reports/aggregate';
import { CalendarDay, DecimalText, MoneyView } from './answer.schema';
import { AtolLicenceNumber } from '../../domain/atol/classification';
import { CurrencyCode, IsoDate } from '../../domain/schemas/common.schema';

/**
 * Management report queries (issue 9). Every report answers JSON, or CSV with `format=csv`.
 * Problems are 400 naming the query parameter (`query:/from`).
 */

const Format = z.enum(['json', 'csv'], { message: 'must be json or csv' }).default('json').meta({ description: 'json (default) or csv' });

/** The longest window a volume or channel report covers. */
export const MAX_WINDOW_DAYS = 366 * 5;

const windowChecks = { when: () => true };
function windowed<T extends z.ZodRawShape>(shape: T) {
  return z
    .strictObject({
      from: IsoDate.optional().meta({ description: 'First day (inclusive); default: the first day of the month eleven months ago' }),
      to: IsoDate.optional().meta({ description: 'Last day (inclusive); default: today in the operator time zone' }),
      currency: CurrencyCode.optional().meta({ description: 'Only amounts in this currency' }),
      format: Format,
      ...shape,
    })
    .superRefine((q, ctx) => {
      const { from, to } = q as { from?: string; to?: string };
      if (from && to && from > to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
      else if (from && to && (Date.parse(to) - Date.parse(from)) / 86_400_000 > MAX_WINDOW_DAYS) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_WINDOW_DAYS} days after from` });
      }
    }, windowChecks);
}

export const BookingVolumeQuery = windowed({
  groupBy: z.enum(['month', 'product'], { message: 'must be month or product' }).default('month'),
  basis: z.enum(['booked', 'travel'], { message: 'must be booked or travel' }).default('booked').meta({ description: 'Which date the window and months read: the booking date or the travel date' }),
});
export type BookingVolumeQuery = z.infer<typeof BookingVolumeQuery>;

export const RevenueByChannelQuery = windowed({});
export type RevenueByChannelQuery = z.infer<typeof RevenueByChannelQuery>;

export const AsOfQuery = z.strictObject({
  asOf: IsoDate.optional().meta({ description: 'Report date; default: today in the operator time zone' }),
  currency: CurrencyCode.optional().meta({ description: 'Only amounts in this currency' }),
  format: Format,
});
export type AsOfQuery = z.infer<typeof AsOfQuery>;

export const CustomerRetentionQuery = z.strictObject({ asOf: IsoDate.optional(), format: Format });

export const AtolReturnQuery = z.strictObject({
  quarter: z
    .string({ message: 'is required' })
    .regex(/^\d{4}-Q[1-4]$/, 'must be a calendar quarter written YYYY-Qn, e.g. "2027-Q1"')
    .refine((q) => Number(q.slice(0, 4)) >= 2000 && Number(q.slice(0, 4)) <= 2100, 'must be a year between 2000 and 2100')
    .transform((q) => ({ year: Number(q.slice(0, 4)), quarter: Number(q.slice(6)) })),
  licence: AtolLicenceNumber.optional().meta({ description: 'The licence; may be left out when exactly one is registered' }),
  format: Format,
});

export const DashboardQuery = z.strictObject({});

/** The only files GET /reports/assets/:file serves: Chart.js's browser build. */
export const DASHBOARD_ASSETS = ['chart.umd.js', 'chart.umd.min.js'] as const;
export const AssetParam = z.enum(DASHBOARD_ASSETS, { message: `must be one of ${DASHBOARD_ASSETS.join(', ')}` });

// ---------------------------------------------------------------------------------------------
// Responses (JSON; documented in the OpenAPI document, and the reports API test parses every
// answer with them). Money is a decimal string in its row's currency.

const Count = z.number().int();
const Rate = z.string().meta({ description: 'A share, four decimals ("0.6667")' });
const bucketed = <K extends string>(buckets: readonly [K, ...K[]], extra: z.ZodRawShape) =>
  z.strictObject({ ...extra, ...Object.fromEntries(buckets.map((b) => [b, DecimalText])), total: DecimalText });

export const BookingVolumeReport = z
  .strictObject({
    from: CalendarDay,
    to: CalendarDay,
    groupBy: z.enum(['month', 'product']),
    basis: z.enum(['booked', 'travel']),
    currency: z.string().nullable(),
    rows: z.array(
      z.strictObject({
        key: z.string().meta({ description: 'The month ("2027-03") or the product code' }),
        currency: z.string(),
        bookings: Count,
        pax: Count,
        paxUnknown: Count.meta({ description: 'Bookings that did not say how many travel' }),
        gross: DecimalText,
        cancelledBookings: Count,
        cancelledGross: DecimalText,
      }),
    ),
  })
  .meta({ id: 'BookingVolumeReport' });

export const RevenueByChannelReport = z
  .strictObject({
    from: CalendarDay,
    to: CalendarDay,
    currency: z.string().nullable(),
    rows: z.array(z.strictObject({ channel: z.string(), currency: z.string(), bookings: Count, gross: DecimalText, commission: DecimalText.nullable(), net: DecimalText.nullable() })),
    note: z.string(),
  })
  .meta({ id: 'RevenueByChannelReport' });

export const CustomerRetentionReport = z
  .strictObject({
    asOf: CalendarDay,
    customers: Count,
    active: Count,
    archived: Count,
    customersWithTrips: Count,
    repeatCustomers: Count,
    repeatRate: Rate,
    yearsSinceLastTrip: z.strictObject({ '0-1': Count, '1-3': Count, '3-7': Count, '7+': Count, never: Count }),
    byFirstTripYear: z.array(z.strictObject({ year: Count, customers: Count, repeatCustomers: Count, repeatRate: Rate })),
  })
  .meta({ id: 'CustomerRetentionReport' });

export const DeferredRevenueReport = z
  .strictObject({
    asOf: CalendarDay,
    currency: z.string().nullable(),
    months: z.array(z.strictObject({ travelMonth: z.string().meta({ description: '"2027-06"' }), currency: z.string(), items: Count, remaining: DecimalText })),
  })
  .meta({ id: 'DeferredRevenueReport' });

export const AgedReceivablesReport = z
  .strictObject({
    asOf: CalendarDay,
    buckets: z.array(z.enum(AGE_BUCKETS)),
    totals: z.array(bucketed(AGE_BUCKETS, { currency: z.string() })),
    customers: z.array(bucketed(AGE_BUCKETS, { customerId: z.string(), bookings: Count, currency: z.string() })),
  })
  .meta({ id: 'AgedReceivablesReport' });

export const SupplierPayablesReport = z
  .strictObject({
    asOf: CalendarDay,
    buckets: z.array(z.enum(DUE_BUCKETS)),
    totals: z.array(bucketed(DUE_BUCKETS, { currency: z.string() })),
    suppliers: z.array(bucketed(DUE_BUCKETS, { supplier: z.string(), bookings: Count, currency: z.string() })),
    basis: z.string(),
  })
  .meta({ id: 'SupplierPayablesReport' });

const AtolPeriod = z.strictObject({
  period: z.string().meta({ description: '"2027-Q2", "2027-05", or "TOTAL"' }),
  startsOn: CalendarDay,
  endsOn: CalendarDay,
  bookings: Count,
  passengers: z.strictObject({ package: Count, flightOnly: Count, total: Count }),
  revenue: z.array(z.strictObject({ currency: z.string(), package: DecimalText, flightOnly: DecimalText, total: DecimalText })),
  apcDue: z.array(MoneyView),
});

export const AtolReturnReport = z
  .strictObject({
    licence: z.strictObject({ number: z.string(), holder: z.string(), returnFrequency: z.enum(['QUARTERLY', 'MONTHLY']) }),
    basis: z.string(),
    quarter: z.string(),
    startsOn: CalendarDay,
    endsOn: CalendarDay,
    periods: z.array(AtolPeriod),
    total: AtolPeriod,
  })
  .meta({ id: 'AtolReturnReport' });
