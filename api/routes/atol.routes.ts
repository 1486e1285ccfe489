import { Router } from 'express';
import type { PrismaAtolStore } from '../../activities/atol.prisma';
import { LedgerError } from '../../activities/ports/ledger';
import { AtolError, isProtected, type AtolErrorKind } from '../../domain/atol/classification';
import { passengerReturnCsv } from '../../domain/atol/returns';
import { ledgerProblem, NotFoundProblem, parseOrProblem, pointersOf, ProblemError, queryOf } from '../problem';
import {
  AddAtolRuleRequest,
  AtolBookingRefParam,
  AtolLicenceParam,
  AtolReturnsQuery,
  AtolRulePath,
  AtolRulesQuery,
  ClassifyAtolBookingRequest,
  CreateAtolLicenceRequest,
  UpdateAtolLicenceRequest,
} from '../schemas/atol.schema';
import { PageQuery } from '../schemas/page.schema';

const STATUS: Record<AtolErrorKind, number> = {
  'invalid-input': 422,
  'no-rules-in-force': 422,
  'no-rule-matched': 422,
  'ambiguous-rule-version': 422,
  'no-contribution-rate': 422,
  'inexact-contribution': 422,
  'unknown-turnover-band': 422,
  'invalid-licence': 422,
  'no-licence-in-force': 422,
  'licence-ambiguous': 422,
  'booking-conflict': 409,
  'rule-conflict': 409,
  'licence-conflict': 409,
  'licence-not-found': 404,
  'record-not-found': 404,
};

/** ATOL and ledger refusals as problems: missing 404, conflicting 409, anything else to fix 422. */
async function atolCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AtolError) {
      throw new ProblemError(STATUS[err.kind], 'ATOL request refused', err.message, `/problems/atol-${err.kind}`, {
        errors: pointersOf(err.problems),
      });
    }
    if (err instanceof LedgerError) throw ledgerProblem(err);
    throw err;
  }
}


/**
 * ATOL (finance): classify bookings and post their APC, rule versions, licences, and the CAA
 * passenger returns as JSON or CSV.
 */
export function atolRoutes(deps: { atol: PrismaAtolStore }): Router {
  const router = Router();
  const { atol } = deps;

  /**
   * Classifies a booking, posts its APC when protected and records it under its licence: 201, or
   * 200 on a repeat with the same facts; other facts 409; a protected booking without a licence
   * valid on its booking date (or with several, none named) 422.
   */
  router.post('/finance/atol/classifications', async (req, res) => {
    const body = parseOrProblem(ClassifyAtolBookingRequest, req.body, '');
    const outcome = await atolCall(() => atol.classifyAndRecord(body));
    if (outcome.created) res.location(`/finance/atol/classifications/${encodeURIComponent(outcome.record.bookingRef)}`);
    res.status(outcome.created ? 201 : 200).json({
      bookingRef: outcome.record.bookingRef,
      classification: outcome.record.classification,
      protected: isProtected(outcome.record.classification),
      licenceNumber: outcome.record.licenceNumber,
      rule: outcome.rule,
      contribution: outcome.record.contribution,
      entryId: outcome.record.entryId,
      record: outcome.record,
    });
  });

  router.get('/finance/atol/classifications/:bookingRef', async (req, res) => {
    const ref = parseOrProblem(AtolBookingRefParam, req.params.bookingRef, 'path:bookingRef', 400);
    res.json(await atolCall(() => atol.getRecord(ref)));
  });

  /** Every rule version, or with `asOf` the rules in force that day in evaluation order; plus the APC rates. */
  router.get('/finance/atol/rules', async (req, res) => {
    const q = parseOrProblem(AtolRulesQuery, queryOf(req), 'query:', 400);
    const [rules, contributionRates] = await Promise.all([atolCall(() => atol.listRules(q.asOf)), atol.listContributionRates()]);
    res.json({ asOf: q.asOf ?? null, rules, contributionRates });
  });

  /** A new rule version: applies to bookings made on or after its effectiveFrom. */
  router.post('/finance/atol/rules', async (req, res) => {
    const body = parseOrProblem(AddAtolRuleRequest, req.body, '');
    const { created, rule } = await atolCall(() => atol.addRuleVersion(body));
    if (created) res.location(`/finance/atol/rules/${rule.id}`);
    res.status(created ? 201 : 200).json(rule);
  });

  router.get('/finance/atol/rules/:id', async (req, res) => {
    const { id } = parseOrProblem(AtolRulePath, req.params, 'path:', 400);
    const rule = await atol.getRule(id);
    if (!rule) throw new NotFoundProblem(`No ATOL rule version ${id}`);
    res.json(rule);
  });

  router.get('/finance/atol/licences', async (req, res) => {
    const q = parseOrProblem(PageQuery, queryOf(req), 'query:', 400);
    res.json(await atol.pageLicences(q));
  });

  router.post('/finance/atol/licences', async (req, res) => {
    const body = parseOrProblem(CreateAtolLicenceRequest, req.body, '');
    const { created, licence } = await atolCall(() => atol.createLicence(body));
    if (created) res.location(`/finance/atol/licences/${encodeURIComponent(licence.number)}`);
    res.status(created ? 201 : 200).json(licence);
  });

  router.get('/finance/atol/licences/:number', async (req, res) => {
    const number = parseOrProblem(AtolLicenceParam, req.params.number, 'path:number', 400);
    res.json(await atolCall(() => atol.getLicence(number)));
  });

  router.patch('/finance/atol/licences/:number', async (req, res) => {
    const number = parseOrProblem(AtolLicenceParam, req.params.number, 'path:number', 400);
    const body = parseOrProblem(UpdateAtolLicenceRequest, req.body, '');
    res.json(await atolCall(() => atol.updateLicence(number, body)));
  });

  /**
   * The CAA passenger return of a licence for a year (departure-date basis), as JSON or CSV: only
   * the bookings sold under that licence (see PrismaAtolStore.passengerReturn for records without one).
   */
  router.get('/finance/atol/returns', async (req, res) => {
    const q = parseOrProblem(AtolReturnsQuery, queryOf(req), 'query:', 400);
    const ret = await atolCall(() => atol.passengerReturn(q.licence, q.year));
    if (q.format === 'csv') {
      res
        .status(200)
        .type('text/csv; charset=utf-8')
        .setHeader('Content-Disposition', `attachment; filename="atol-return-${ret.licence.number}-${ret.year}.csv"`)
        .send(passengerReturnCsv(ret));
      return;
    }
    res.json(ret);
  });

  return router;
}
