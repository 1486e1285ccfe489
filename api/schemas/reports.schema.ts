import { z } from 'zod';
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
