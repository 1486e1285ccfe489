import { Router } from 'express';
import { WorkflowFailedError } from '@temporalio/client';
import { PrismaFxRevaluation, type FxRevaluation, type RevaluationRunSummary } from '../../activities/revaluation.prisma';
import { calendarDateIn } from '../../domain/time/instant';
import type { PrismaClient } from '../../generated/prisma/client';
import type { TemporalClientProvider } from '../../infra/temporal';
import type { MonthEndRevaluationWorkflow } from '../../workflows/finance/revaluation.workflow';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { NotFoundProblem, parseOrProblem, ProblemError } from '../problem';
import { RevaluationDetailQuery, RevaluationPeriodParam, StartRevaluationRequest } from '../schemas/revaluation.schema';

export interface RevaluationRouteDeps {
  prisma: PrismaClient;
  temporal: TemporalClientProvider;
  /** IANA zone whose calendar decides whether a month has ended yet. */
  operatorTimeZone: string;
}

/** Workflow id of a revaluation started by hand: one per period end, so a repeat joins or replays it. */
export const revaluationWorkflowId = (periodEnd: string) => `finance-revaluation-${periodEnd}`;

/** Month-end FX revaluation: run one by hand (the schedule runs it monthly), list runs, inspect one. */
export function revaluationRoutes(deps: RevaluationRouteDeps): Router {
  const router = Router();
  const revaluation: FxRevaluation = new PrismaFxRevaluation(deps.prisma);

  /**
   * Runs the revaluation of a month that has ended, and its reversal on the next day, and answers
   * with the run (201). Running a period again returns the run already made (200; nothing is
   * posted twice), or finishes one left unfinished (200).
   */
  router.post('/finance/revaluations', async (req, res) => {
    const { periodEnd } = parseOrProblem(StartRevaluationRequest, req.body);
    const today = calendarDateIn(Date.now(), deps.operatorTimeZone);
    if (periodEnd >= today) {
      throw new ProblemError(422, 'Period not ended', `${periodEnd} has not ended yet (today is ${today} in ${deps.operatorTimeZone}); revalue a month once it is over`, '/problems/period-not-ended', {
        errors: [{ pointer: '/periodEnd', detail: `must be before ${today}` }],
      });
    }
    // A period already revalued (and reversed) answers its run as it stands: 200, nothing posted again.
    const existing = await revaluation.get(periodEnd);
    if (existing?.completedAt != null && existing.reversedAt != null) {
      res.status(200).location(`/finance/revaluations/${periodEnd}`).json(existing);
      return;
    }
    const client = await deps.temporal.get();
    const handle = await client.workflow.start<typeof MonthEndRevaluationWorkflow>('MonthEndRevaluationWorkflow', {
      taskQueue: TASK_QUEUES.finance,
      workflowId: revaluationWorkflowId(periodEnd),
      args: [{ periodEnd, timeZone: deps.operatorTimeZone }],
      // A run still going for this period is joined, not refused.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    let run: RevaluationRunSummary;
    try {
      run = await handle.result();
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      const cause = err.cause as { type?: string; message?: string; details?: unknown[] } | undefined;
      throw new ProblemError(422, 'Revaluation failed', cause?.message ?? err.message, '/problems/revaluation-failed', {
        failureType: cause?.type ?? null,
        // The pairs and dates without a closing rate, for finance to enter.
        ...(cause?.type === 'FxRevaluationRateMissing' && Array.isArray(cause.details?.[0]) ? { missingRates: cause.details[0] } : {}),
      });
    }
    // 201 when this request made the run; 200 when it finished one an earlier request started.
    res.status(existing ? 200 : 201).location(`/finance/revaluations/${periodEnd}`).json(run);
  });

  /** Every run, newest first; `completedAt` is null while a run is unfinished, `reversedAt` until its reversal is posted. */
  router.get('/finance/revaluations', async (_req, res) => {
    res.json({ runs: await revaluation.list() });
  });

  /** The run, a page of its lines (how each balance was revalued) and the postings with their rates. */
  router.get('/finance/revaluations/:periodEnd', async (req, res) => {
    const { periodEnd } = parseOrProblem(RevaluationPeriodParam, { periodEnd: req.params.periodEnd }, 'path:', 400);
    const q = parseOrProblem(RevaluationDetailQuery, { ...(req.query as Record<string, unknown>) }, 'query:', 400);
    const detail = await revaluation.detail(periodEnd, q);
    if (!detail) throw new NotFoundProblem(`No FX revaluation run for ${periodEnd}`);
    res.json(detail);
  });

  return router;
}
