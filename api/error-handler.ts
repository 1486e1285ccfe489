import type { ErrorRequestHandler } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DatabaseUnavailableError, isDatabaseUnreachable } from '../infra/database';
import { isTemporalUnreachable, TemporalUnavailableError } from '../infra/temporal';
import { InvalidCursorError } from '../activities/keyset-cursor';
import { ProblemError, sendProblem } from './problem';

/**
 * The one error handler: app errors -> their status, infrastructure outages -> 503, anything else
 * -> an opaque 500 and a log line with the request id.
 */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  const body = err as { type?: string; status?: number; message?: string };
  if (err instanceof ProblemError) {
    const { retryAfterSeconds, ...extra } = err.extra;
    if (typeof retryAfterSeconds === 'number') res.setHeader('Retry-After', String(retryAfterSeconds));
    sendProblem(res, { status: err.status, title: err.title, detail: err.detail, type: err.type, extra });
    return;
  }
  if (err instanceof InvalidCursorError) {
    sendProblem(res, {
      status: 400,
      title: 'Invalid request',
      detail: err.message,
      type: '/problems/invalid-cursor',
      extra: { errors: [{ pointer: 'query:/cursor', detail: 'must be a nextCursor this endpoint returned' }] },
    });
    return;
  }
  if (body.type === 'entity.parse.failed') {
    sendProblem(res, {
      status: 400,
      title: 'Malformed JSON',
      detail: `The request body is not valid JSON: ${body.message ?? 'parse error'}`,
      type: '/problems/malformed-json',
      extra: { errors: [{ pointer: '/', detail: 'is not valid JSON' }] },
    });
    return;
  }
  if (body.type === 'entity.too.large') {
    const limit = typeof (body as { limit?: unknown }).limit === 'number' ? (body as { limit: number }).limit : 100 * 1024;
    const shown = limit >= 1024 * 1024 ? `${Math.round(limit / (1024 * 1024))} MB` : `${Math.round(limit / 1024)} kB`;
    sendProblem(res, { status: 413, title: 'Request too large', detail: `The request body exceeds ${shown}`, type: '/problems/request-too-large' });
    return;
  }
  if (body.type === 'charset.unsupported' || body.type === 'encoding.unsupported') {
    sendProblem(res, { status: 415, title: 'Unsupported encoding', detail: body.message ?? 'unsupported', type: '/problems/unsupported-media-type' });
    return;
  }
  if (err instanceof DatabaseUnavailableError || isDatabaseUnreachable(err)) {
    req.log.warn({ err }, 'database unavailable');
    res.setHeader('Retry-After', '5');
    sendProblem(res, {
      status: 503,
      title: 'Database unavailable',
      detail: 'The database cannot be reached right now. Nothing was changed; please retry shortly.',
      type: '/problems/database-unavailable',
    });
    return;
  }
  if (err instanceof TemporalUnavailableError || isTemporalUnreachable(err)) {
    req.log.warn({ err }, 'temporal unavailable');
    res.setHeader('Retry-After', '5');
    sendProblem(res, {
      status: 503,
      title: 'Workflow engine unavailable',
      detail: 'Temporal cannot be reached right now. Nothing was started; please retry shortly.',
      type: '/problems/temporal-unavailable',
    });
    return;
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    sendProblem(res, { status: 409, title: 'Already started', detail: err.message, type: '/problems/already-started' });
    return;
  }
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause as { type?: string; message?: string } | undefined;
    sendProblem(res, {
      status: 422,
      title: 'Update refused',
      detail: cause?.message ?? err.message,
      type: '/problems/update-refused',
      extra: { failureType: cause?.type ?? null },
    });
    return;
  }
  req.log.error({ err }, 'unhandled error');
  sendProblem(res, {
    status: 500,
    title: 'Internal error',
    detail: 'Something went wrong on our side. Quote the request id when reporting it.',
    type: '/problems/internal-error',
  });
};
