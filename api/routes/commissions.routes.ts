import { Router } from 'express';
import type { PrismaCommissions } from '../../activities/commissions.prisma';
import { LedgerError } from '../../activities/ports/ledger';
import { CommissionError, type CommissionErrorKind } from '../../domain/commission/commission';
import { ledgerProblem, NotFoundProblem, parseOrProblem, ProblemError, queryOf } from '../problem';
import {
  CommissionRecordPath,
  CommissionSchedulePath,
  CommissionScheduleQuery,
  CommissionsQuery,
  CreateCommissionScheduleRequest,
  CreateSubAgentRequest,
  RecordCommissionRequest,
  SubAgentPath,
} from '../schemas/commissions.schema';
import { PageQuery } from '../schemas/page.schema';

export interface CommissionRoutesDeps {
  commissions: PrismaCommissions;
}

/** Conflicts with what is stored are 409; input or configuration the caller must fix is 422. */
const STATUS: Record<CommissionErrorKind, number> = {
  'invalid-schedule': 422,
  'invalid-sale': 422,
  'invalid-sub-agent': 422,
  'unknown-sub-agent': 422,
  'currency-mismatch': 422,
  'overlapping-schedule': 409,
  'ambiguous-schedules': 409,
  'sale-conflict': 409,
  'sub-agent-conflict': 409,
};

/** Domain and ledger refusals as problems naming what is wrong, with JSON Pointers into the body. */
async function commissionCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CommissionError) {
      throw new ProblemError(STATUS[err.kind], 'Commission refused', err.message, `/problems/commission-${err.kind}`, {
        errors: err.problems.map((p) => ({ pointer: `/${p.path}`, detail: p.message })),
      });
    }
    if (err instanceof LedgerError) throw ledgerProblem(err);
    throw err;
  }
}


/**
 * Commissions: supplier schedules (with override tiers), sub-agents, and the commission recorded
 * on each sale with its one ledger entry. Creation is idempotent: 201 when created (Location:
 * the single-item GET), 200 for a repeat of the same content, 409 for other content under the
 * same identity.
 */
export function commissionRoutes(deps: CommissionRoutesDeps): Router {
  const router = Router();
  const { commissions } = deps;

  router.post('/finance/commission-schedules', async (req, res) => {
    const body = parseOrProblem(CreateCommissionScheduleRequest, req.body, '');
    const { schedule, created } = await commissionCall(() =>
      commissions.createSchedule({
        ...body,
        rate: body.rate ?? null,
        fixedAmount: body.fixedAmount ?? null,
        currency: body.currency ?? null,
        tiers: body.tiers.map((t) => ({ threshold: t.threshold, basis: t.basis, rate: t.rate ?? null, fixedAmount: t.fixedAmount ?? null })),
      }),
    );
    if (created) res.location(`/finance/commission-schedules/${schedule.id}`);
    res.status(created ? 201 : 200).json(schedule);
  });

  router.get('/finance/commission-schedules', async (req, res) => {
    const q = parseOrProblem(CommissionScheduleQuery, queryOf(req), 'query:', 400);
    const { limit, cursor, ...filter } = q;
    res.json(await commissions.pageSchedules(filter, { limit, cursor }));
  });

  router.get('/finance/commission-schedules/:id', async (req, res) => {
    const { id } = parseOrProblem(CommissionSchedulePath, req.params, 'path:', 400);
    const schedule = await commissions.getSchedule(id);
    if (!schedule) throw new NotFoundProblem(`No commission schedule ${id}`);
    res.json(schedule);
  });

  router.post('/finance/sub-agents', async (req, res) => {
    const body = parseOrProblem(CreateSubAgentRequest, req.body, '');
    const { subAgent, created } = await commissionCall(() => commissions.createSubAgent(body));
    if (created) res.location(`/finance/sub-agents/${encodeURIComponent(subAgent.code)}`);
    res.status(created ? 201 : 200).json(subAgent);
  });

  router.get('/finance/sub-agents', async (req, res) => {
    const q = parseOrProblem(PageQuery, queryOf(req), 'query:', 400);
    res.json(await commissions.listSubAgents(q));
  });

  router.get('/finance/sub-agents/:code', async (req, res) => {
    const { code } = parseOrProblem(SubAgentPath, req.params, 'path:', 400);
    const subAgent = await commissions.getSubAgent(code);
    if (!subAgent) throw new NotFoundProblem(`No sub-agent ${code}`);
    res.json(subAgent);
  });

  /** Records a sale's commission and posts its entry; `scheduleId` null means no schedule was in force. */
  router.post('/finance/commissions', async (req, res) => {
    const body = parseOrProblem(RecordCommissionRequest, req.body, '');
    const { created, ...record } = await commissionCall(() => commissions.recordSale(body));
    if (created) res.location(`/finance/commissions/${record.id}`);
    res.status(created ? 201 : 200).json({ ...record, noSchedule: record.scheduleId === null });
  });

  router.get('/finance/commissions', async (req, res) => {
    const q = parseOrProblem(CommissionsQuery, queryOf(req), 'query:', 400);
    const page = await commissions.listCommissions({ bookingRef: q.bookingRef }, { limit: q.limit, cursor: q.cursor });
    res.json({ ...page, items: page.items.map((record) => ({ ...record, noSchedule: record.scheduleId === null })) });
  });

  router.get('/finance/commissions/:id', async (req, res) => {
    const { id } = parseOrProblem(CommissionRecordPath, req.params, 'path:', 400);
    const record = await commissions.getCommission(id);
    if (!record) throw new NotFoundProblem(`No commission record ${id}`);
    res.json({ ...record, noSchedule: record.scheduleId === null });
  });

  return router;
}
