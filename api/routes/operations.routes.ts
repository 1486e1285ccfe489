import { Router, type Request, type Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { OperationsError, PrismaOperationsStore, type OperationsErrorKind } from '../../activities/operations.prisma';
import { dispatchSheetRows } from '../../domain/operations/schedule';
import type { PrismaClient } from '../../generated/prisma/client';
import { NotFoundProblem, parseOrProblem, ProblemError, queryOf, ValidationProblem } from '../problem';
import {
  AssignmentListQuery,
  AssignmentPath,
  ConflictQuery,
  CreateAssignmentRequest,
  CreateResourceRequest,
  DispatchSheetQuery,
  ResourceListQuery,
  ResourcePath,
  ServiceListQuery,
  UpdateResourceRequest,
} from '../schemas/operations.schema';

export interface OperationsRouteDeps {
  prisma: PrismaClient;
  /** IANA zone of the operator: service days, default pickup times and the dispatch sheet's clock. */
  operatorTimeZone: string;
}

const STATUS: Record<OperationsErrorKind, number> = {
  'unknown-resource': 422,
  'unknown-assignment': 404,
  'unknown-service': 404,
  'not-a-confirmed-service': 409,
  'resource-inactive': 422,
  'wrong-destination': 422,
  'over-capacity': 422,
  'already-assigned': 409,
  'resource-conflict': 409,
  'version-conflict': 409,
  'invalid-cursor': 400,
  'invalid-window': 422,
};

const TITLE: Partial<Record<OperationsErrorKind, string>> = {
  'resource-conflict': 'Resource double-booked',
  'already-assigned': 'Already assigned',
  'not-a-confirmed-service': 'Not a confirmed ground service',
  'version-conflict': 'Conflict',
  'unknown-service': 'Not found',
};

/** Store refusals as problems: `query:/<field>` on reads, `/<field>` in the body on writes. */
async function call<T>(fn: () => Promise<T>, where: 'query' | 'body'): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof OperationsError)) throw err;
    const status = STATUS[err.kind];
    const pointer = err.field ? (where === 'query' ? `query:/${err.field}` : `/${err.field}`) : '/';
    const title = TITLE[err.kind] ?? (status === 400 || status === 422 ? 'Invalid request' : 'Conflict');
    throw new ProblemError(status, title, err.message, `/problems/operations-${err.kind}`, { errors: [{ pointer, detail: err.message }], ...err.details });
  }
}

/** `If-Match: "<version>"` as the version the write expects (the etags middleware checks it too; the store makes it atomic). */
function expectedVersion(req: Request): number | undefined {
  const m = /^"(\d{1,9})"$/.exec(req.get('if-match')?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}

const versionTag = (version: number) => `"${version}"`;
const actor = (res: Response): string | null => res.locals.principal?.name ?? null;

/**
 * The operations schedule (issue 9): guides and vehicles, the ground services of confirmed
 * bookings, assignments with conflict checks, double bookings, and the daily dispatch sheet.
 */
export function operationsRoutes(deps: OperationsRouteDeps): Router {
  const router = Router();
  const store = new PrismaOperationsStore(deps.prisma, deps.operatorTimeZone);

  router.post('/operations/resources', async (req, res) => {
    const body = parseOrProblem(CreateResourceRequest, req.body);
    const created = await store.createResource(body);
    res.status(201).location(`/operations/resources/${created.id}`).set('ETag', versionTag(created.version)).json(created);
  });

  router.get('/operations/resources', async (req, res) => {
    const q = parseOrProblem(ResourceListQuery, queryOf(req), 'query:', 400);
    res.json(await call(() => store.listResources(q), 'query'));
  });

  router.get('/operations/resources/:id', async (req, res) => {
    const { id } = parseOrProblem(ResourcePath, req.params, 'path:', 400);
    const found = await store.getResource(id);
    if (!found) throw new NotFoundProblem(`Resource ${id} does not exist`);
    res.set('ETag', versionTag(found.version)).json(found);
  });

  router.patch('/operations/resources/:id', async (req, res) => {
    const { id } = parseOrProblem(ResourcePath, req.params, 'path:', 400);
    const patch = parseOrProblem(UpdateResourceRequest, req.body);
    if (Object.keys(patch).length === 0) throw new ValidationProblem([{ pointer: '/', detail: 'give at least one field to change' }]);
    const changed = await call(() => store.updateResource(id, patch, expectedVersion(req)), 'body');
    if (!changed) throw new NotFoundProblem(`Resource ${id} does not exist`);
    res.set('ETag', versionTag(changed.after.version)).json(changed.after);
  });

  router.get('/operations/services', async (req, res) => {
    const q = parseOrProblem(ServiceListQuery, queryOf(req), 'query:', 400);
    res.json(await call(() => store.listServices(q), 'query'));
  });

  router.post('/operations/assignments', async (req, res) => {
    const body = parseOrProblem(CreateAssignmentRequest, req.body);
    const created = await call(() => store.assign({ ...body, createdBy: actor(res) }), 'body');
    res.status(201).location(`/operations/assignments/${created.id}`).json(created);
  });

  router.get('/operations/assignments', async (req, res) => {
    const q = parseOrProblem(AssignmentListQuery, queryOf(req), 'query:', 400);
    res.json(await call(() => store.listAssignments(q), 'query'));
  });

  router.delete('/operations/assignments/:id', async (req, res) => {
    const { id } = parseOrProblem(AssignmentPath, req.params, 'path:', 400);
    const removed = await store.deleteAssignment(id);
    if (!removed) throw new NotFoundProblem(`Assignment ${id} does not exist`);
    res.status(204).end();
  });

  router.get('/operations/conflicts', async (req, res) => {
    const q = parseOrProblem(ConflictQuery, queryOf(req), 'query:', 400);
    res.json(await store.conflicts(q.from, q.to));
  });

  router.get('/operations/dispatch-sheet', async (req, res) => {
    const q = parseOrProblem(DispatchSheetQuery, queryOf(req), 'query:', 400);
    const sheet = await store.dispatchSheet(q.date, q.destination);
    if (q.format === 'csv') {
      const name = `dispatch-${q.date}${q.destination ? `-${q.destination}` : ''}.csv`;
      // escape_formulas: a description starting with = + - @ is not run by a spreadsheet.
      res.type('text/csv; charset=utf-8').attachment(name).send(stringify(dispatchSheetRows(sheet), { escape_formulas: true }));
      return;
    }
    res.json(sheet);
  });

  return router;
}
