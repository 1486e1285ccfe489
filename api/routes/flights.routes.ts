import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { calendarDateIn } from '../../domain/time/instant';
import type { TemporalClientProvider } from '../../infra/temporal';
import type { FlightSearchWorkflow } from '../../workflows/flights/flight-search.workflow';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { parseOrProblem, ProblemError } from '../problem';
import { FlightSearchRequest } from '../schemas/flight.schema';

export interface FlightRouteDeps {
  temporal: TemporalClientProvider;
  operatorTimeZone: string;
}

/** How long `POST /flights/search` waits for the supplier before answering 504. */
export const FLIGHT_SEARCH_WAIT_MS = 45_000;

/** Flight search for advisors: offers to put in a booking's FLIGHT component (`offerId`). */
export function flightRoutes(deps: FlightRouteDeps): Router {
  const router = Router();

  router.post('/flights/search', async (req, res) => {
    const body = parseOrProblem(FlightSearchRequest, req.body);
    const today = calendarDateIn(Date.now(), deps.operatorTimeZone);
    if (body.slices[0]!.departureDate < today) {
      throw new ProblemError(422, 'Invalid request', `departureDate ${body.slices[0]!.departureDate} is in the past (today is ${today})`, '/problems/invalid-request', {
        errors: [{ pointer: '/slices/0/departureDate', detail: `must not be before today (${today})` }],
      });
    }
    const client = await deps.temporal.get();
    const { supplier, ...search } = body;
    try {
      const offers = await client.withDeadline(Date.now() + FLIGHT_SEARCH_WAIT_MS, () =>
        client.workflow.execute<typeof FlightSearchWorkflow>('FlightSearchWorkflow', {
          workflowId: `flight-search-${randomUUID()}`,
          taskQueue: TASK_QUEUES.supplierIo,
          args: [{ supplier, search }],
          workflowExecutionTimeout: '2 minutes',
        }),
      );
      res.json({ supplier, offers });
    } catch (err) {
      const cause = err instanceof WorkflowFailedError && err.cause instanceof ActivityFailure && err.cause.cause instanceof ApplicationFailure ? err.cause.cause : null;
      if (cause) {
        const status = cause.type === 'FlightRequestInvalid' || cause.type === 'FlightSupplierUnknown' ? 422 : 502;
        throw new ProblemError(status, status === 422 ? 'Search refused' : 'Supplier failed', cause.message, '/problems/flight-search', { failureType: cause.type });
      }
      throw err;
    }
  });

  return router;
}
