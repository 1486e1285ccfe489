import { Router, type Response } from 'express';
import { CustomerStoreError, type CustomerStoreErrorKind, type PrismaCustomerStore } from '../../activities/customers.prisma';
import { calendarDateIn } from '../../domain/time/instant';
import type { PrismaClient } from '../../generated/prisma/client';
import { BranchGuard, requestScope, seesAll } from '../access/branch-scope';
import { NotFoundProblem, parseOrProblem, ProblemError, queryOf } from '../problem';
import { AdvisorListQuery, ContactLookupQuery, CustomerListQuery, CustomerPath, ReassignAdvisorRequest, TripListQuery } from '../schemas/customer.schema';

export interface CustomerRouteDeps {
  prisma: PrismaClient;
  store: PrismaCustomerStore;
  /** Clock (epoch ms); tests pass a fixed one. */
  now?: () => number;
  /** IANA zone whose calendar says what "today" is (passport expiry, days since the last trip). */
  operatorTimeZone: string;
}

const STATUS: Record<CustomerStoreErrorKind, number> = {
  'unknown-customer': 404,
  'unknown-customers': 422,
  'unknown-advisor': 422,
  'unknown-advisors': 422,
  'legacy-id-conflict': 409,
  'invalid-request': 400,
  'invalid-cursor': 400,
};

/**
 * Store refusals as problems naming the parameter: `query:/<name>` on reads (400), `/<field>` in
 * the body on writes (422), 404 for an unknown customer in the URL.
 */
async function call<T>(fn: () => Promise<T>, where: 'query' | 'body'): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof CustomerStoreError)) throw err;
    const status = where === 'body' && STATUS[err.kind] === 400 ? 422 : STATUS[err.kind];
    if (status === 404) throw new NotFoundProblem(err.message);
    const pointer = err.field ? (where === 'query' ? `query:/${err.field}` : `/${err.field}`) : '/';
    throw new ProblemError(status, status === 409 ? 'Conflict' : 'Invalid request', err.message, `/problems/customer-${err.kind}`, { errors: [{ pointer, detail: err.message }] });
  }
}

/** The branch the principal is limited to: undefined when they see all, null when they have none (they see nothing). */
function branchOf(res: Response): string | null | undefined {
  const scope = requestScope(res);
  return seesAll(scope) ? undefined : scope.branch;
}

/**
 * Customer 360 (issue 8): search and list customers, the full profile with history, lifetime
 * value and retention, advisor routing look-ups, reassignment with history, and advisors.
 */
export function customersRouter(deps: CustomerRouteDeps): Router {
  const router = Router();
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const today = () => calendarDateIn(now(), deps.operatorTimeZone);
  const guard = new BranchGuard(deps.prisma);

  /** Another branch's customer is answered exactly as an unknown one (404): its existence is not revealed. */
  const assertCustomerInScope = async (res: Response, id: string): Promise<void> => {
    if (!(await guard.customerInScope(requestScope(res), id))) throw new NotFoundProblem(`Customer ${id} does not exist`);
  };

  router.get('/customers', async (req, res) => {
    const q = parseOrProblem(CustomerListQuery, queryOf(req), 'query:', 400);
    // An advisor lists their branch's customers only (a principal without a branch lists none).
    const branch = branchOf(res);
    if (branch === null) {
      res.json({ items: [], nextCursor: null });
      return;
    }
    res.json(await call(() => store.searchCustomers(branch === undefined ? q : { ...q, branch }), 'query'));
  });

  /** Advisor routing: which customer an email, phone or passport belongs to, and their advisor. */
  router.get('/customers/lookup', async (req, res) => {
    const q = parseOrProblem(ContactLookupQuery, queryOf(req), 'query:', 400);
    // Only the principal's branch is searched: another branch's customer is not found, nor counted.
    const branch = branchOf(res);
    const route = branch === null ? null : await call(() => store.routeContact(q, branch), 'query');
    if (!route) {
      const given = Object.entries(q).map(([k, v]) => `${k} ${JSON.stringify(v)}`);
      throw new NotFoundProblem(`No customer has ${given.join(' or ')}`);
    }
    const [customer, advisor] = await Promise.all([store.getSummary(route.customerId), route.advisorId ? store.getAdvisor(route.advisorId) : null]);
    res.json({ matchedBy: route.matchedBy, candidates: route.candidates, customer, advisor });
  });

  router.get('/customers/retention', async (_req, res) => {
    res.json({ asOf: today(), ...(await store.retentionSummary(today())) });
  });

  router.get('/customers/:id', async (req, res) => {
    const { id } = parseOrProblem(CustomerPath, req.params, 'path:', 400);
    await assertCustomerInScope(res, id);
    const view = await store.getCustomer360(id, today());
    if (!view) throw new NotFoundProblem(`Customer ${id} does not exist`);
    res.json({ asOf: today(), ...view });
  });

  router.get('/customers/:id/trips', async (req, res) => {
    const { id } = parseOrProblem(CustomerPath, req.params, 'path:', 400);
    await assertCustomerInScope(res, id);
    const q = parseOrProblem(TripListQuery, queryOf(req), 'query:', 400);
    const page = await call(() => store.listTrips(id, q), 'query');
    if (!page) throw new NotFoundProblem(`Customer ${id} does not exist`);
    res.json(page);
  });

  /** Reassigns the customer's advisor: the open assignment is closed, a new one opened; history kept. */
  router.put('/customers/:id/advisor', async (req, res) => {
    const { id } = parseOrProblem(CustomerPath, req.params, 'path:', 400);
    await assertCustomerInScope(res, id);
    const body = parseOrProblem(ReassignAdvisorRequest, req.body, '');
    // An advisor hands a customer over within their branch only.
    if (!(await guard.advisorInScope(requestScope(res), body.advisorId))) {
      throw new ProblemError(422, 'Invalid request', `/advisorId: advisor ${body.advisorId} is not in your branch`, '/problems/invalid-request', {
        errors: [{ pointer: '/advisorId', detail: `advisor ${body.advisorId} is not in your branch` }],
      });
    }
    const result = await call(() => store.reassignAdvisor(id, body.advisorId, body.reason, new Date(now())), 'body');
    res.json({ customerId: id, advisorId: body.advisorId, ...result });
  });

  router.get('/advisors', async (req, res) => {
    const q = parseOrProblem(AdvisorListQuery, queryOf(req), 'query:', 400);
    res.json({ items: await store.listAdvisors(q) });
  });

  return router;
}
