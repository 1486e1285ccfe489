import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import {
  ServiceError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { PrismaBookingLedger, type BookingLedgerEntry } from '../../activities/booking-ledger.prisma';
import { BookingQueryError, PrismaBookingProjection, type BookingListFilter, type BookingSummary } from '../../activities/booking-projection.prisma';
import { PrismaCustomerLinks, type CustomerLinkReader } from '../../activities/customer-links';
import { bookingWorkflowId, referenceFromBytes } from '../../domain/booking/draft';
import { withRoomingList } from '../../domain/booking/group';
import { CURRENT_LIFECYCLE_REVISION, type BookingRequest, type Installment, type LifecycleView, type PricedComponent } from '../../domain/booking/model';
import type { MoneyJson } from '../../domain/money/money';
import { calendarDateIn, startOfDateUtc } from '../../domain/time/instant';
import {
  acceptAmendmentUpdate,
  acceptCancellationUpdate,
  assignComplaintUpdate,
  awaitHeldUpdate,
  changeMemberNameUpdate,
  lifecycleStatusQuery,
  logComplaintUpdate,
  previewAmendmentUpdate,
  previewCancellationUpdate,
  recordPaymentUpdate,
  resolveComplaintUpdate,
  type BookingView,
} from '../../workflows/booking/messages';
import { AdvisorId, BookingReference, BookingStatus, CustomerId, TravelDate } from '../../workflows/booking/search-attributes';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { BranchGuard, requestScope, seesAll } from '../access/branch-scope';
import type { ApiDeps } from '../app';
import { NotFoundProblem, parseOrProblem, ProblemError, queryOf } from '../problem';
import {
  AmendmentAcceptSchema,
  amendmentPreviewSchema,
  BookingListQuery,
  BookingReferenceParam,
  CancellationPreviewSchema,
  CancellationRequestSchema,
  ComplaintAssignSchema,
  ComplaintIdParam,
  ComplaintRequestSchema,
  ComplaintResolveSchema,
  createBookingRequestSchema,
  IdempotencyKeyHeader,
  MemberId,
  NameChangeSchema,
  PaymentRequestSchema,
  type CreateBookingRequestBody,
} from '../schemas/booking.schema';

/** How long `POST /bookings` waits, by default, for the components to be held before answering 202. */
export const DEFAULT_RECORD_WAIT_MS = 10_000;
/** How long an update (payment, cancellation, amendment...) may take before the API answers 504. */
export const UPDATE_WAIT_MS = 30_000;
/** How long a quote (pricing only) may take. */
export const QUOTE_WAIT_MS = 20_000;
const QUERY_WAIT_MS = 5_000;

/** What `POST /bookings/quote` answers (the BookingQuoteWorkflow's result). */
export interface BookingQuote {
  components: PricedComponent[];
  total: MoneyJson;
  schedule: Installment[];
}

/** The stored projection the list and the detail of closed bookings read. */
export interface BookingProjectionReader {
  list(filter: BookingListFilter): Promise<{ items: BookingSummary[]; nextCursor: string | null }>;
  get(reference: string): Promise<LifecycleView | null>;
}

export interface BookingLedgerReader {
  entriesOf(reference: string): Promise<BookingLedgerEntry[]>;
}

export interface BookingRouteReaders {
  projection: BookingProjectionReader;
  ledger: BookingLedgerReader;
  /** The CRM: a customer's assigned advisor, and returning customers made active again. */
  customers: CustomerLinkReader;
}

/**
 * How the lifecycle's update failure types map to HTTP: the booking is not in a state that allows
 * the request (409), something named in it does not exist (404), or the request itself is wrong or
 * can no longer be honoured (422). An unknown type is treated as input to fix (422).
 */
export const UPDATE_FAILURE_STATUS: Readonly<Record<string, 404 | 409 | 422>> = {
  BookingStateConflict: 409,
  ComplaintNotFound: 404,
  PaymentCurrencyMismatch: 422,
  PaymentInvalid: 422,
  CancellationInvalid: 422,
  QuoteNotFound: 422,
  QuoteExpired: 422,
  AmendmentInvalid: 422,
  AmendmentUnavailable: 422,
  ComplaintInvalid: 422,
  // A group member's name cannot be changed (past the deadline, member cancelled or unknown,
  // names booked with an airline): like an expired quote, the request can no longer be honoured.
  NameChangeRefused: 422,
};

export function bookingRoutes(deps: ApiDeps, readers: Partial<BookingRouteReaders> = {}): Router {
  const router = Router();
  const projection: BookingProjectionReader = readers.projection ?? new PrismaBookingProjection(deps.db.prisma);
  const ledger: BookingLedgerReader = readers.ledger ?? new PrismaBookingLedger(deps.db.prisma);
  const customers: CustomerLinkReader = readers.customers ?? new PrismaCustomerLinks(deps.db.prisma, { sql: deps.db });
  const today = () => calendarDateIn(Date.now(), deps.operatorTimeZone);
  const guard = new BranchGuard(deps.db.prisma);

  /**
   * The booking in the URL, when the principal's branch covers it: another branch's booking is
   * answered 404 exactly as an unknown one (its existence is not revealed), before any workflow call.
   */
  const scopedReference = async (req: Request, res: Response): Promise<string> => {
    const reference = referenceParam(req);
    if (!(await guard.bookingInScope(requestScope(res), reference))) throw new NotFoundProblem(`No booking with reference ${reference}`);
    return reference;
  };

  /**
   * Who a new booking is for: an advisor books for themselves unless they name another advisor,
   * who must work in their branch (422 at /advisorId otherwise; an unknown advisor is in no branch).
   */
  const withPrincipalAdvisor = async (res: Response, body: CreateBookingRequestBody): Promise<CreateBookingRequestBody> => {
    const scope = requestScope(res);
    if (seesAll(scope)) return body;
    const own = res.locals.principal?.advisorId ?? null;
    const advisorId = body.advisorId ?? own ?? undefined;
    if (advisorId !== undefined && advisorId !== own && !(await guard.advisorInScope(scope, advisorId))) {
      throw new ProblemError(422, 'Invalid request', `/advisorId: advisor ${advisorId} is not in your branch`, '/problems/invalid-request', {
        errors: [{ pointer: '/advisorId', detail: `advisor ${advisorId} is not in your branch` }],
      });
    }
    return advisorId === undefined ? body : { ...body, advisorId };
  };

  /**
   * The workflow's input. A group's hotel rooms are taken from its rooming list here, so the
   * request in the workflow's history says exactly which rooms were asked for.
   */
  const toRequest = (reference: string, body: CreateBookingRequestBody): BookingRequest =>
    withRoomingList({ reference, ...body, timeZone: deps.operatorTimeZone, revision: CURRENT_LIFECYCLE_REVISION } as BookingRequest);

  /**
   * Advisor routing: a booking made without an advisor for a CRM customer goes to the customer's
   * assigned advisor. A customer the CRM does not know (or without an advisor) is left as given.
   */
  const withCrmAdvisor = async (body: CreateBookingRequestBody): Promise<CreateBookingRequestBody> => {
    if (body.advisorId) return body;
    const advisorId = (await customers.customerAdvisor(body.customerId))?.advisorId;
    return advisorId ? { ...body, advisorId } : body;
  };

  /** Price a trip without holding anything. */
  router.post('/bookings/quote', async (req, res) => {
    const body = await withCrmAdvisor(parseOrProblem(createBookingRequestSchema(today()), req.body));
    const client = await deps.temporal.get();
    const request = toRequest(referenceFromBytes(randomBytes(8)), body);
    try {
      const quote = await client.withDeadline(Date.now() + QUOTE_WAIT_MS, () =>
        client.workflow.execute<(input: { request: BookingRequest }) => Promise<BookingQuote>>('BookingQuoteWorkflow', {
          workflowId: `quote-${randomUUID()}`,
          taskQueue: TASK_QUEUES.bookingOrchestration,
          args: [{ request }],
          workflowExecutionTimeout: '2 minutes',
          staticSummary: `Quote for customer ${body.customerId} · travel ${body.departureDate}`,
        }),
      );
      res.json(quote);
    } catch (err) {
      if (err instanceof WorkflowFailedError) {
        const cause = failureOf(err);
        throw new ProblemError(422, 'Cannot be quoted', cause.message, `/problems/booking-${kebab(cause.type ?? 'quote-failed')}`, { failureType: cause.type });
      }
      throw err;
    }
  });

  /**
   * Book: validates, starts `booking-<ref>` and answers once the components are held (201), could
   * not be held (422 with the view), or are still being held (202). With an `Idempotency-Key` the
   * reference is derived from the key, so repeating the POST returns the same booking.
   */
  router.post('/bookings', async (req, res) => {
    const parsed = await withPrincipalAdvisor(res, parseOrProblem(createBookingRequestSchema(today()), req.body));
    const key = req.get('idempotency-key');
    const idempotent = key !== undefined;
    if (idempotent) parseOrProblem(IdempotencyKeyHeader, key, 'header:Idempotency-Key', 400);
    const reference = idempotent ? referenceForKey(key) : referenceFromBytes(randomBytes(8));
    const workflowId = bookingWorkflowId(reference);

    // Refuse before starting anything when the database is down: the workflow would only retry.
    // The customer's CRM advisor is read meanwhile; an outage is reported as the pings see it.
    const [pings, advised] = await Promise.allSettled([Promise.all([deps.db.ping(), deps.temporal.ping()]), withCrmAdvisor(parsed)]);
    if (pings.status === 'rejected') throw pings.reason;
    if (advised.status === 'rejected') throw advised.reason;
    const body = advised.value;
    const request = toRequest(reference, body);
    // No booking before finance is set up: a currency mistake found later means re-entering them all.
    await deps.finance.readinessGate.assertReady();
    const client = await deps.temporal.get();

    const kinds = [...new Set(body.components.map((c) => c.kind))].join('+');
    const startOp = new WithStartWorkflowOperation('BookingWorkflow', {
      workflowId,
      taskQueue: TASK_QUEUES.bookingOrchestration,
      args: [request],
      workflowIdConflictPolicy: idempotent ? 'USE_EXISTING' : 'FAIL',
      // A reference is never reused, not even after its booking closed (a repeat must not rebook).
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Booking ${reference} · customer ${body.customerId} · ${kinds} · ${body.departureDate} to ${body.returnDate}`,
      typedSearchAttributes: [
        { key: BookingReference, value: reference },
        { key: BookingStatus, value: 'HELD' },
        { key: CustomerId, value: body.customerId },
        ...(body.advisorId ? [{ key: AdvisorId, value: body.advisorId }] : []),
        { key: TravelDate, value: new Date(startOfDateUtc(body.departureDate)) },
      ],
    });

    let view: LifecycleView;
    try {
      view = await client.withDeadline(Date.now() + (deps.recordWaitMs ?? DEFAULT_RECORD_WAIT_MS), () =>
        client.workflow.executeUpdateWithStart(awaitHeldUpdate, { startWorkflowOperation: startOp }),
      );
    } catch (err) {
      if (idempotent && err instanceof WorkflowExecutionAlreadyStartedError) {
        // The same key after its booking closed (failed, cancelled...): answer with that booking.
        const existing = await client.withDeadline(Date.now() + QUERY_WAIT_MS, () => client.workflow.getHandle(workflowId).query(lifecycleStatusQuery));
        res.status(200).location(`/bookings/${reference}`).json({ workflowId, ...existing });
        return;
      }
      // Started, but not held in time (no worker, a slow supplier): the workflow keeps going;
      // tell the caller where to look instead of failing a booking that exists.
      if (!(err instanceof WorkflowUpdateFailedError) && (await workflowExists(client, workflowId))) {
        req.log.warn({ reference }, 'booking started but not yet held; answering 202');
        await customers.reactivateCustomer(body.customerId);
        res.status(202).location(`/bookings/${reference}`).json({ reference, workflowId, held: false });
        return;
      }
      throw err;
    }
    if (view.status === 'FAILED') {
      req.log.info({ reference, failure: view.failure }, 'booking could not be held');
      throw new ProblemError(422, 'Booking could not be held', view.failure ?? 'the components could not be held', '/problems/booking-not-held', { reference, workflowId, view });
    }
    // A returning customer: booking again makes an archived CRM customer active (no-op otherwise).
    if (await customers.reactivateCustomer(body.customerId)) req.log.info({ reference, customerId: body.customerId }, 'archived customer reactivated by a new booking');
    req.log.info({ reference, workflowId, status: view.status }, 'booking held');
    res.status(201).location(`/bookings/${reference}`).json({ workflowId, ...view });
  });

  /** Bookings from the projection, newest change first (see PrismaBookingProjection.list). */
  router.get('/bookings', async (req, res) => {
    const q = parseOrProblem(BookingListQuery, queryOf(req), 'query:', 400);
    const scope = requestScope(res);
    try {
      if (seesAll(scope)) {
        res.json(await projection.list(q));
        return;
      }
      // An advisor sees their branch's bookings only: the list is filtered, never counted across branches.
      const advisorIds = (await guard.advisorIds(scope)).filter((id) => q.advisorId === undefined || id === q.advisorId);
      res.json(advisorIds.length ? await projection.list({ ...q, advisorIds }) : { items: [], nextCursor: null });
    } catch (err) {
      if (err instanceof BookingQueryError) {
        throw new ProblemError(400, 'Invalid request', err.message, '/problems/invalid-request', { errors: err.problems.map((p) => ({ pointer: `query:/${p.path}`, detail: p.message })) });
      }
      throw err;
    }
  });

  /** The live view (or the stored snapshot once the workflow is gone) plus the booking's ledger. */
  router.get('/bookings/:reference', async (req, res) => {
    const reference = await scopedReference(req, res);
    const workflowId = bookingWorkflowId(reference);
    const client = await deps.temporal.get();
    const handle = client.workflow.getHandle(workflowId);

    let live: LifecycleView | BookingView | null = null;
    let gone = false;
    try {
      live = await client.withDeadline(Date.now() + QUERY_WAIT_MS, () => handle.query(lifecycleStatusQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) gone = true;
      else req.log.warn({ err, reference }, 'status query not answered; falling back to the stored snapshot');
    }

    if (live && !isLifecycleView(live)) {
      // A first-slice draft: its status query returns the older BookingView.
      const stored = await deps.bookings.findByReference(reference);
      const workflow = await describeBookingWorkflow(client, workflowId, live);
      res.json({ reference, booking: stored, workflow, ledger: await ledger.entriesOf(reference) });
      return;
    }
    if (live) {
      res.json({ workflowId, source: 'workflow', ...live, ledger: await ledger.entriesOf(reference) });
      return;
    }
    const snapshot = await projection.get(reference);
    if (snapshot) {
      res.json({ workflowId, source: 'projection', ...snapshot, ledger: await ledger.entriesOf(reference) });
      return;
    }
    // A draft whose workflow answered no query (no worker) or whose history is gone: the stored row.
    const stored = await deps.bookings.findByReference(reference);
    const workflow = gone ? null : await describeBookingWorkflow(client, workflowId, null);
    if (!stored && !workflow) throw new NotFoundProblem(`No booking with reference ${reference}`);
    res.json({ reference, booking: stored, workflow, ledger: await ledger.entriesOf(reference) });
  });

  // -------------------------------------------------------------------------------------------
  // Changes to one booking: Temporal Updates, refused by the workflow's validators when the
  // booking's state does not allow them.

  router.post('/bookings/:reference/payments', async (req, res) => {
    const reference = await scopedReference(req, res);
    const paymentId = parseOrProblem(IdempotencyKeyHeader, req.get('idempotency-key'), 'header:Idempotency-Key', 400, 'Idempotency-Key required');
    const body = parseOrProblem(PaymentRequestSchema, req.body);
    const outcome = await update(deps, reference, (h) => h.executeUpdate(recordPaymentUpdate, { args: [{ paymentId, ...body }] }));
    req.log.info({ reference, paymentId, memberId: body.memberId, duplicate: outcome.duplicate, status: outcome.status }, 'payment recorded');
    res.json(outcome);
  });

  router.post('/bookings/:reference/cancellation/preview', async (req, res) => {
    const reference = await scopedReference(req, res);
    const body = parseOrProblem(CancellationPreviewSchema, req.body ?? {});
    res.json(await update(deps, reference, (h) => h.executeUpdate(previewCancellationUpdate, { args: [body] })));
  });

  router.post('/bookings/:reference/cancellation', async (req, res) => {
    const reference = await scopedReference(req, res);
    const body = parseOrProblem(CancellationRequestSchema, req.body);
    const outcome = await update(deps, reference, (h) => h.executeUpdate(acceptCancellationUpdate, { args: [body] }));
    req.log.info({ reference, memberIds: body.memberIds, status: outcome.status, refund: outcome.quote.refund }, body.memberIds ? 'group members cancelled' : 'booking cancelled');
    res.json(outcome);
  });

  /** A group member's name changed (a replacement or a correction), until the group's deadline: the updated member. */
  router.post('/bookings/:reference/members/:memberId/name', async (req, res) => {
    const reference = await scopedReference(req, res);
    const memberId = parseOrProblem(MemberId, req.params.memberId, 'path:memberId', 400, 'Invalid member id');
    const body = parseOrProblem(NameChangeSchema, req.body);
    const member = await update(deps, reference, (h) => h.executeUpdate(changeMemberNameUpdate, { args: [{ memberId, ...body }] }));
    req.log.info({ reference, memberId }, 'group member renamed');
    res.json(member);
  });

  router.post('/bookings/:reference/amendments/preview', async (req, res) => {
    const reference = await scopedReference(req, res);
    const body = parseOrProblem(amendmentPreviewSchema(today()), req.body);
    res.json(await update(deps, reference, (h) => h.executeUpdate(previewAmendmentUpdate, { args: [body] })));
  });

  router.post('/bookings/:reference/amendments', async (req, res) => {
    const reference = await scopedReference(req, res);
    const body = parseOrProblem(AmendmentAcceptSchema, req.body);
    const view = await update(deps, reference, (h) => h.executeUpdate(acceptAmendmentUpdate, { args: [body] }));
    req.log.info({ reference, departureDate: view.departureDate }, 'amendment applied');
    res.json(view);
  });

  router.post('/bookings/:reference/complaints', async (req, res) => {
    const reference = await scopedReference(req, res);
    const key = req.get('idempotency-key');
    const complaintId = key === undefined ? randomUUID() : parseOrProblem(IdempotencyKeyHeader, key, 'header:Idempotency-Key', 400);
    const body = parseOrProblem(ComplaintRequestSchema, req.body);
    const complaint = await update(deps, reference, (h) => h.executeUpdate(logComplaintUpdate, { args: [{ complaintId, ...body }] }));
    res.status(201).location(`/bookings/${reference}/complaints/${complaint.id}`).json(complaint);
  });

  router.post('/bookings/:reference/complaints/:complaintId/assign', async (req, res) => {
    const reference = await scopedReference(req, res);
    const complaintId = parseOrProblem(ComplaintIdParam, req.params.complaintId, 'path:complaintId', 400);
    const body = parseOrProblem(ComplaintAssignSchema, req.body);
    res.json(await update(deps, reference, (h) => h.executeUpdate(assignComplaintUpdate, { args: [{ complaintId, ...body }] })));
  });

  router.post('/bookings/:reference/complaints/:complaintId/resolve', async (req, res) => {
    const reference = await scopedReference(req, res);
    const complaintId = parseOrProblem(ComplaintIdParam, req.params.complaintId, 'path:complaintId', 400);
    const body = parseOrProblem(ComplaintResolveSchema, req.body);
    res.json(await update(deps, reference, (h) => h.executeUpdate(resolveComplaintUpdate, { args: [{ complaintId, ...body }] })));
  });

  return router;
}

/** The reference a `POST /bookings` with this Idempotency-Key opens (the same key, the same booking). */
export function referenceForKey(key: string): string {
  return referenceFromBytes(createHash('sha256').update(`booking:${key}`).digest());
}

function referenceParam(req: Request): string {
  return parseOrProblem(BookingReferenceParam, req.params.reference, 'path:reference', 400, 'Invalid booking reference');
}

function isLifecycleView(view: LifecycleView | BookingView): view is LifecycleView {
  return Array.isArray((view as Partial<LifecycleView>).components);
}

function kebab(type: string): string {
  return type.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** The ApplicationFailure behind a failed workflow or update (its type and message), if any. */
function failureOf(err: WorkflowFailedError | WorkflowUpdateFailedError): { type: string | null; message: string; details: unknown[] | null } {
  let cause: unknown = err.cause;
  // An activity failure wraps the activity's ApplicationFailure one level deeper.
  while (cause && !(cause instanceof ApplicationFailure) && (cause as { cause?: unknown }).cause) cause = (cause as { cause?: unknown }).cause;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? null, message: cause.message, details: (cause.details as unknown[] | undefined) ?? null };
  return { type: null, message: (err.cause as Error | undefined)?.message ?? err.message, details: null };
}

/**
 * Sends one update to `booking-<reference>` and turns Temporal's answers into problems: unknown
 * booking → 404; closed workflow → 409 "booking is closed"; refused by the validator or the
 * handler → 409 for state conflicts, 422 for the rest (detail = the workflow's message); no answer
 * in time → 504 (the change may still apply: retry with the same key).
 */
export async function update<T>(deps: Pick<ApiDeps, 'temporal'>, reference: string, send: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
  const client = await deps.temporal.get();
  const workflowId = bookingWorkflowId(reference);
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await client.withDeadline(Date.now() + UPDATE_WAIT_MS, () => send(handle));
  } catch (err) {
    throw await updateProblem(client, reference, err);
  }
}

/** gRPC status FAILED_PRECONDITION (e.g. "Workflow Task in failed state"). */
const GRPC_FAILED_PRECONDITION = 9;

async function updateProblem(client: Client, reference: string, err: unknown): Promise<unknown> {
  if (err instanceof WorkflowNotFoundError) {
    const status = await executionStatus(client, bookingWorkflowId(reference));
    if (status === null) return new NotFoundProblem(`No booking with reference ${reference}`);
    return new ProblemError(409, 'Booking closed', `booking is closed: booking ${reference} (workflow ${status.toLowerCase()}) takes no more changes`, '/problems/booking-closed', { reference });
  }
  if (err instanceof WorkflowUpdateFailedError) {
    const failure = failureOf(err);
    const type = failure.type ?? 'UpdateRefused';
    if (/no registered handler|handler not found|not registered/i.test(failure.message)) {
      return new ProblemError(409, 'Booking state conflict', `booking ${reference} is a first-slice draft and does not take this request`, '/problems/booking-state-conflict', { failureType: type, reference });
    }
    const status = UPDATE_FAILURE_STATUS[type] ?? 422;
    const title = status === 409 ? 'Booking state conflict' : status === 404 ? 'Not found' : 'Booking refused the request';
    return new ProblemError(status, title, failure.message, `/problems/booking-${kebab(type)}`, {
      failureType: type,
      reference,
      ...(failure.details ? { failureDetails: failure.details } : {}),
    });
  }
  // Right after a worker crash the booking's workflow task may be failing until a worker replays
  // it: Temporal refuses updates meanwhile. Nothing was applied; the caller should retry.
  if (err instanceof ServiceError && (err.cause as { code?: number } | undefined)?.code === GRPC_FAILED_PRECONDITION) {
    return new ProblemError(
      503,
      'Booking busy',
      `booking ${reference} is recovering and cannot take changes for a moment: nothing was applied; retry shortly (payments: with the same Idempotency-Key)`,
      '/problems/booking-busy',
      { reference, retryAfterSeconds: 2 },
    );
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new ProblemError(
      504,
      'Booking did not answer in time',
      `booking ${reference} did not answer within ${UPDATE_WAIT_MS / 1000} s; the change may still be applied: check GET /bookings/${reference} before retrying (payments: retry with the same Idempotency-Key)`,
      '/problems/booking-timeout',
    );
  }
  return err;
}

/** RUNNING, COMPLETED, TERMINATED...; null when there is no such workflow. */
async function executionStatus(client: Client, workflowId: string): Promise<string | null> {
  try {
    const d = await client.withDeadline(Date.now() + 3_000, () => client.workflow.getHandle(workflowId).describe());
    return d.status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** Whether the workflow exists (a failed update-with-start call may still have started it). */
async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await executionStatus(client, workflowId)) !== null;
  } catch {
    return false;
  }
}

/** First-slice drafts: the execution as ops see it, with the view the query returned. */
async function describeBookingWorkflow(client: Client, workflowId: string, view: BookingView | null) {
  try {
    const description = await client.withDeadline(Date.now() + QUERY_WAIT_MS, () => client.workflow.getHandle(workflowId).describe());
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
