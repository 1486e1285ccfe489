import { z } from 'zod';
import { isMonthEnd } from '../../domain/fx/revaluation';
import { IsoDate } from '../../domain/schemas/common.schema';

/** A month end, YYYY-MM-DD: revaluations are run at the close of a month. */
export const PeriodEnd = IsoDate.refine(isMonthEnd, { message: 'must be the last day of a month, e.g. "2026-11-30"' });

export const StartRevaluationRequest = z.strictObject({ periodEnd: PeriodEnd });
export type StartRevaluationRequest = z.infer<typeof StartRevaluationRequest>;

export const RevaluationPeriodParam = z.strictObject({ periodEnd: IsoDate });

export const RevaluationDetailQuery = z.strictObject({
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(5000, 'must be at most 5000').optional(),
  after: z.string().regex(/^[^|]+\|[A-Z]{3}$/, 'must be a nextLinesCursor this endpoint returned').optional(),
});
