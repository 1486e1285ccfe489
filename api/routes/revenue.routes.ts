import { Router, type Request } from 'express';
import type { PrismaClient } from '../../generated/prisma/client';
import { PrismaDeferredRevenue, RevenueError, type RecognitionFailure } from '../../activities/revenue.prisma';
import { addByCurrency } from '../../domain/revenue/recognition';
import { calendarDateIn } from '../../domain/time/instant';
import { parseOrProblem, ProblemError } from '../problem';
import { BookingRefParam, ByTravelMonthQuery, CancelComponentRequest, ComponentIdParam, DeferComponentRequest, RecognitionRunRequest, SupplierConfirmationRequest } from '../schemas/revenue.schema';

export interface RevenueRouteDeps {
  prisma: PrismaClient;
  /** IANA zone whose calendar decides "today" for reports without `asOf` (default UTC). */
  operatorTimeZone?: string;
  /** Defaults to the store over `prisma` with the PrismaLedger. */
  revenue?: PrismaDeferredRevenue;
}

const STATUS_BY_KIND: Record<RevenueError['kind'], number> = {
  'invalid-component': 422,
  'invalid-request': 422,
  'component-conflict': 409,
  'component-not-found': 404,
  'invalid-state': 409,
  'rate-missing': 422,
};

/** Store refusals as problems: a missing component 404, a clash with stored state 409, bad input or a missing rate 422. */
async function revenueCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RevenueError) {
      throw new ProblemError(STATUS_BY_KIND[err.kind], 'Deferred revenue refused the request', err.message, `/problems/deferred-revenue-${err.kind}`, {
        errors: err.problems.map((p) => ({ pointer: `/${p.path}`, detail: p.message })),
      });
    }
    throw err;
  }
}

function componentParams(req: Request) {
  return {
    bookingRef: parseOrProblem(BookingRefParam, req.params.bookingRef, 'path:bookingRef', 400, 'Invalid booking reference'),
    componentId: parseOrProblem(ComponentIdParam, req.params.componentId, 'path:componentId', 400, 'Invalid component id'),
  };
}

/**
 * Deferred revenue for finance staff: defer a sold component, record no-shows and supplier
 * confirmations, report what is still deferred by travel month, and run recognition now (the
 * same work the daily schedule does, through a given date).
 */
export function revenueRoutes(deps: RevenueRouteDeps): Router {
  const router = Router();
  const revenue = deps.revenue ?? new PrismaDeferredRevenue(deps.prisma, undefined, { operatorTimeZone: deps.operatorTimeZone });

  /**
   * Defers a component: 201 when new, 200 when the same component was already deferred. A
   * foreign-currency component is carried at the booking's rate (422 when that rate is missing).
   */
  router.post('/finance/deferred-revenue', async (req, res) => {
    const body = parseOrProblem(DeferComponentRequest, req.body);
    const { item, created } = await revenueCall(() => revenue.deferComponent(body));
    if (created) res.location(`/finance/deferred-revenue/${encodeURIComponent(item.bookingRef)}/${encodeURIComponent(item.componentId)}`);
    res.status(created ? 201 : 200).json(item);
  });

  router.get('/finance/deferred-revenue/by-travel-month', async (req, res) => {
    const q = parseOrProblem(ByTravelMonthQuery, { ...(req.query as Record<string, unknown>) }, 'query:', 400);
    const asOf = q.asOf ?? calendarDateIn(Date.now(), deps.operatorTimeZone ?? 'UTC');
    res.json({ asOf, months: await revenueCall(() => revenue.deferredBalanceByTravelMonth(asOf)) });
  });

  router.get('/finance/deferred-revenue/:bookingRef/:componentId', async (req, res) => {
    const { bookingRef, componentId } = componentParams(req);
    res.json(await revenueCall(() => revenue.get(bookingRef, componentId)));
  });

  /** The traveller did not show: held for the supplier's confirmation when the policy says so. */
  router.post('/finance/deferred-revenue/:bookingRef/:componentId/no-show', async (req, res) => {
    const { bookingRef, componentId } = componentParams(req);
    res.json(await revenueCall(() => revenue.markNoShow(bookingRef, componentId)));
  });

  router.post('/finance/deferred-revenue/:bookingRef/:componentId/supplier-confirmation', async (req, res) => {
    const { bookingRef, componentId } = componentParams(req);
    const body = parseOrProblem(SupplierConfirmationRequest, req.body ?? {});
    const confirmedAt = body.confirmedAt ? new Date(body.confirmedAt) : new Date();
    res.json(await revenueCall(() => revenue.confirmSupplierNoShow(bookingRef, componentId, confirmedAt)));
  });

  /** No further recognition; repeating it returns the first cancellation (200). */
  router.post('/finance/deferred-revenue/:bookingRef/:componentId/cancel', async (req, res) => {
    const { bookingRef, componentId } = componentParams(req);
    const body = parseOrProblem(CancelComponentRequest, req.body ?? {});
    res.json(await revenueCall(() => revenue.cancelComponent(bookingRef, componentId, body.cancelledAt ? new Date(body.cancelledAt) : new Date())));
  });

  /** Recognises everything due through `date` now, batch after batch; retry-safe like the schedule's run. */
  router.post('/finance/revenue-recognition/run', async (req, res) => {
    const body = parseOrProblem(RecognitionRunRequest, req.body);
    const totals = { date: body.date, itemsRecognised: 0, entriesPosted: 0, amountsByCurrency: {} as Record<string, string>, failures: [] as RecognitionFailure[] };
    let afterId: string | null = null;
    do {
      const batch = await revenueCall(() => revenue.recogniseThrough(body.date, { batchSize: body.batchSize, afterId }));
      totals.itemsRecognised += batch.itemsRecognised;
      totals.entriesPosted += batch.entriesPosted;
      totals.amountsByCurrency = addByCurrency(totals.amountsByCurrency, batch.amountsByCurrency);
      totals.failures.push(...batch.failures);
      afterId = batch.nextAfterId;
    } while (afterId);
    res.json(totals);
  });

  return router;
}
