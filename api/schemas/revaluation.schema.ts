import { z } from 'zod';
import { isMonthEnd } from '../../domain/fx/revaluation';
import { IsoDate } from '../../domain/schemas/common.schema';
import { CalendarDay, DecimalText, EpochMs, MoneyView } from './answer.schema';

/** A month end, YYYY-MM-DD: revaluations are run at the close of a month. */
export const PeriodEnd = IsoDate.refine(isMonthEnd, { message: 'must be the last day of a month, e.g. "2026-11-30"' });

export const StartRevaluationRequest = z.strictObject({ periodEnd: PeriodEnd });
export type StartRevaluationRequest = z.infer<typeof StartRevaluationRequest>;

export const RevaluationPeriodParam = z.strictObject({ periodEnd: IsoDate });

export const RevaluationDetailQuery = z.strictObject({
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(5000, 'must be at most 5000').optional(),
  after: z.string().regex(/^[^|]+\|[A-Z]{3}$/, 'must be a nextLinesCursor this endpoint returned').optional(),
});

// ---------------------------------------------------------------------------------------------
// Answers (OpenAPI response schemas; revaluation.api.test.ts parses the real answers with them).
// Each mirrors activities/revaluation.prisma.ts as api/routes/revaluation.routes.ts sends it.

/** `RevaluationRunSummary`: one month-end run, the entries it posted and their reversals. */
export const RevaluationRunView = z
  .strictObject({
    periodEnd: CalendarDay,
    baseCurrency: z.string(),
    rateSource: z.string(),
    balances: z.number().int().min(0).meta({ description: 'Foreign balances revalued (0 until the run completes)' }),
    totalGain: DecimalText,
    totalLoss: DecimalText,
    entryIds: z.array(z.string()).meta({ description: 'The run’s entries, in order' }),
    reversalEntryIds: z.array(z.string()).meta({ description: 'Their reversals, dated the day after the period end (empty until reversed)' }),
    createdAt: EpochMs,
    completedAt: EpochMs.nullable().meta({ description: 'null while unfinished: running it again resumes it' }),
    reversedAt: EpochMs.nullable().meta({ description: 'null until every reversal is posted' }),
  })
  .meta({ id: 'RevaluationRun' });

export const RevaluationRunListResponse = z.strictObject({ runs: z.array(RevaluationRunView).meta({ description: 'Newest first' }) });

/** `RevaluationDetail`: the run, a page of its lines (how each balance was revalued) and the postings with their rates. */
export const RevaluationDetailResponse = z
  .strictObject({
    run: RevaluationRunView,
    lines: z.array(
      z.strictObject({
        account: z.string(),
        currency: z.string(),
        foreignBalance: DecimalText,
        carryingBase: DecimalText.meta({ description: 'The balance in base currency at the rates it was posted at' }),
        closingRate: DecimalText,
        closingRateDate: CalendarDay,
        revaluedBase: DecimalText,
        difference: DecimalText.meta({ description: 'revaluedBase − carryingBase (debit-positive balances)' }),
      }),
    ),
    postings: z.array(
      z.strictObject({
        entryId: z.string(),
        idempotencyKey: z.string(),
        accountingDate: CalendarDay,
        reversesId: z.string().nullable(),
        account: z.string(),
        side: z.enum(['DEBIT', 'CREDIT']),
        amount: MoneyView,
        revalues: z.string().nullable().meta({ description: 'The foreign currency whose base value the line adjusts' }),
        translation: z.strictObject({ base: MoneyView, rate: DecimalText, source: z.string(), rateDate: CalendarDay }).nullable(),
      }),
    ),
    nextLinesCursor: z.string().nullable().meta({ description: 'Pass as `after` for the next page of lines; null on the last page' }),
  })
  .meta({ id: 'RevaluationDetail' });
