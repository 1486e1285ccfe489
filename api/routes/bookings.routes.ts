import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { bookingWorkflowId, referenceFromBytes, type BookingDraft } from '../../domain/booking/draft';
import { calendarDateIn, startOfDateUtc } from '../../domain/time/instant';
import { awaitRecordedUpdate, statusQuery, type BookingView } from '../../workflows/booking/messages';
import type { BookingWorkflow } from '../../workflows/booking/booking.workflow';
import {
  AdvisorId,
  BookingReference,
  BookingStatus,
  CustomerId,
  TravelDate,
} from '../../workflows/booking/search-attributes';
import { TASK_QUEUES } from '../../workflows/task-queues';
import type { ApiDeps } from '../app';
import { NotFoundProblem, parseOrProblem } from '../problem';
import { BookingReferenceParam, createBookingRequestSchema } from '../schemas/booking.schema';

/** How long `POST /bookings` waits, by default, for the booking to be stored before answering 202. */
export const DEFAULT_RECORD_WAIT_MS = 10_000;


export function bookingRoutes(deps: ApiDeps): Router {
  const router = Router();

  /** Open a draft booking: validates, starts `booking-<ref>` and returns it once stored. */
  router.post('/bookings', async (req, res) => {
    const today = calendarDateIn(Date.now(), deps.operatorTimeZone);
    const body = parseOrProblem(createBookingRequestSchema(today), req.body);
    const reference = referenceFromBytes(randomBytes(8));
    const workflowId = bookingWorkflowId(reference);
    const draft: BookingDraft = { reference, ...body };

    // Refuse before starting anything when the database is down: the workflow would only retry.
    await Promise.all([deps.db.ping(), deps.temporal.ping()]);
    // No booking before finance is set up: a currency mistake found later means re-entering them all.
    await deps.finance.readinessGate.assertReady();
    const client = await deps.temporal.get();

    const startOp = new WithStartWorkflowOperation<typeof BookingWorkflow>('BookingWorkflow', {
      workflowId,
      taskQueue: TASK_QUEUES.bookingOrchestration,
      args: [draft],
      workflowIdConflictPolicy: 'FAIL',
      staticSummary: `Booking ${reference} · customer ${body.customerId} · ${body.productCode} · travel ${body.travelDate}`,
      typedSearchAttributes: [
        { key: BookingReference, value: reference },
        { key: BookingStatus, value: 'DRAFT' },
        { key: CustomerId, value: body.customerId },
        ...(body.advisorId ? [{ key: AdvisorId, value: body.advisorId }] : []),
        { key: TravelDate, value: new Date(startOfDateUtc(body.travelDate)) },
      ],
    });

    let view: BookingView;
    try {
      view = await client.withDeadline(Date.now() + (deps.recordWaitMs ?? DEFAULT_RECORD_WAIT_MS), () =>
        client.workflow.executeUpdateWithStart(awaitRecordedUpdate, { startWorkflowOperation: startOp }),
      );
    } catch (err) {
      // Started, but not stored in time (no worker, or the database slowed down): the workflow
      // keeps trying; tell the caller where to look instead of failing a booking that exists.
      // Whatever the error (deadline, RPC timeout, cancelled), what matters is whether it started.
      const started = await workflowExists(client, workflowId);
      if (started) {
        req.log.warn({ reference }, 'booking started but not yet stored; answering 202');
        res.status(202).location(`/bookings/${reference}`).json({ reference, workflowId, status: 'DRAFT', recorded: false });
        return;
      }
      throw err;
    }
    req.log.info({ reference, workflowId }, 'booking draft opened');
    res.status(201).location(`/bookings/${reference}`).json({ workflowId, ...view });
  });

  /** The stored booking plus the live workflow's own view of it. */
  router.get('/bookings/:reference', async (req, res) => {
    const reference = parseOrProblem(BookingReferenceParam, req.params.reference, 'path:reference', 400, 'Invalid booking reference');
    const workflowId = bookingWorkflowId(reference);

    const stored = await deps.bookings.findByReference(reference);
    const client = await deps.temporal.get();
    const workflow = await describeBookingWorkflow(client, workflowId);
    if (!stored && !workflow) throw new NotFoundProblem(`No booking with reference ${reference}`);
    res.json({ reference, booking: stored, workflow });
  });

  return router;
}

/** Whether the workflow exists (a failed update-with-start call may still have started it). */
async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.withDeadline(Date.now() + 3_000, () => client.workflow.getHandle(workflowId).describe());
    return true;
  } catch {
    return false;
  }
}

async function describeBookingWorkflow(client: Client, workflowId: string) {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const description = await client.withDeadline(Date.now() + 5_000, () => handle.describe());
    let view: BookingView | null = null;
    try {
      view = await client.withDeadline(Date.now() + 5_000, () => handle.query(statusQuery));
    } catch {
      // No worker answered in time: the execution status below still tells ops where it stands.
    }
    return {
      workflowId,
      runId: description.runId,
      executionStatus: description.status.name,
      startedAt: description.startTime.toISOString(),
      closedAt: description.closeTime?.toISOString() ?? null,
      view,
    };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}
