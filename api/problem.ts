import type { Request, Response } from 'express';
import type { LedgerError, LedgerErrorKind } from '../activities/ports/ledger';
import type { z } from 'zod';

/** One offending input, as RFC 9457 extension member `errors`. */
export interface FieldError {
  /** JSON Pointer (RFC 6901) into the request body, or `header:<name>` / `path:<name>` / `query:<name>`. */
  pointer: string;
  detail: string;
}

/** An RFC 9457 problem the API answers with; thrown from routes, rendered by the error handler. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly type = `/problems/${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

export class ValidationProblem extends ProblemError {
  constructor(
    readonly errors: FieldError[],
    status = 422,
    title = 'Invalid request',
  ) {
    super(status, title, errors.map((e) => `${e.pointer}: ${e.detail}`).join('; '), undefined, { errors });
  }
}

export class NotFoundProblem extends ProblemError {
  constructor(detail: string) {
    super(404, 'Not found', detail);
  }
}

function escapePointer(segment: PropertyKey): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Every zod issue as a field error with a JSON Pointer; unknown keys are reported one by one. */
export function fieldErrorsFromZod(error: z.ZodError, root = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = root + issue.path.map((p) => `/${escapePointer(p)}`).join('');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ pointer: `${base}/${escapePointer(key)}`, detail: 'is not a known field' });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      out.push({ pointer: base || '/', detail: 'is required' });
    } else {
      out.push({ pointer: base || '/', detail: issue.message });
    }
  }
  return out;
}

export function sendProblem(
  res: Response,
  problem: { status: number; title: string; detail: string; type: string; extra?: Record<string, unknown> },
): void {
  const requestId = res.getHeader('x-request-id');
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: problem.type,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      instance: res.req.originalUrl,
      ...(requestId ? { requestId } : {}),
      ...(problem.extra ?? {}),
    });
}

/**
 * Parses `value` with `schema`, or throws a problem naming every offending field. `root` prefixes
 * the pointers (`query:`, `path:reference`); `status` is 422 for bodies, 400 for URLs.
 */
export function parseOrProblem<T extends z.ZodType>(schema: T, value: unknown, root = '', status = 422, title?: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationProblem(fieldErrorsFromZod(parsed.error, root), status, title);
  return parsed.data;
}

/** Problems named by path (`lines/2/amount`, `(entry)` for the whole) as JSON Pointers. */
export function pointersOf(problems: ReadonlyArray<{ path: string; message: string }>): FieldError[] {
  return problems.map((p) => ({ pointer: p.path.startsWith('(') ? '/' : `/${p.path}`, detail: p.message }));
}

/**
 * A ledger refusal as a problem: 409 for a reused idempotency key, 404 for the kinds the route
 * names as "not found" (an unknown account in a statement URL), 422 for anything else to fix.
 */
export function ledgerProblem(err: LedgerError, notFound: readonly LedgerErrorKind[] = []): ProblemError {
  const status = notFound.includes(err.kind) ? 404 : err.kind === 'idempotency-conflict' ? 409 : 422;
  return new ProblemError(status, 'Ledger refused the request', err.message, `/problems/ledger-${err.kind}`, { errors: pointersOf(err.problems) });
}

/** The query string as a plain object, for zod. */
export const queryOf = (req: Request): Record<string, unknown> => ({ ...(req.query as Record<string, unknown>) });
