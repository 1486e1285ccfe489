import { Router } from 'express';
import { RateMissingError } from '../../domain/fx/rates';
import { minorUnits } from '../../domain/money/currency';
import { Dec } from '../../domain/money/money';
import type { ApiDeps } from '../app';
import { ledgerProblem, NotFoundProblem, parseOrProblem, ProblemError, queryOf } from '../problem';
import {
  BalanceQuery,
  ClosePeriodRequest,
  DefinePeriodRequest,
  FinanceSettingsRequest,
  ManualRateRequest,
  PeriodPath,
  ProductAccountsRequest,
  ProductTypeParam,
  RateLookupQuery,
  StatementQuery,
  StoredRatePath,
  TranslationRulesRequest,
  TrialBalanceQuery,
  ImportFeedQuery,
} from '../schemas/finance.schema';
import { PageQuery } from '../schemas/page.schema';
import { FinanceConfigError } from '../../activities/finance-config.prisma';
import { TRANSACTION_TYPES } from '../../domain/ledger/translation';
import { calendarDateIn } from '../../domain/time/instant';
import { LedgerError } from '../../activities/ports/ledger';
import type { FxRateFeed } from '../../activities/ports/fx-rate-feed';

/** Ledger refusals as problems: a missing period, entry or account is 404. */
async function ledgerCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LedgerError) throw ledgerProblem(err, ['period-not-found', 'entry-not-found', 'unknown-account']);
    throw err;
  }
}

/** Configuration changes that would corrupt the books are refused as 409 naming the field. */
async function configCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof FinanceConfigError) {
      throw new ProblemError(409, 'Finance configuration refused', err.message, '/problems/finance-config-refused', { errors: [{ pointer: `/${err.field}`, detail: err.message }] });
    }
    throw err;
  }
}


/** Finance: exchange rates (lookup, manual entry, feed import), trial balance, account balances. */
export function financeRoutes(deps: ApiDeps): Router {
  const router = Router();
  const { fxRates, ledger, config, readinessGate } = deps.finance;

  /** The rate in force on a date, with the publication date and source actually used. */
  router.get('/finance/rates', async (req, res) => {
    const q = parseOrProblem(RateLookupQuery, queryOf(req), 'query:', 400);
    try {
      res.json(await fxRates.resolve(q.from, q.to, q.date, q.source));
    } catch (err) {
      if (err instanceof RateMissingError) throw new ProblemError(404, 'Rate not found', err.message, '/problems/rate-not-found');
      throw err;
    }
  });

  /** Manual daily rate entry (finance), e.g. for a currency no feed publishes. */
  router.post('/finance/rates', async (req, res) => {
    const body = parseOrProblem(ManualRateRequest, req.body, '');
    const report = await fxRates.importQuotes([{ source: body.source, base: body.base, quote: body.quote, rate: body.rate, rateDate: body.rateDate }], 'api');
    if (report.conflicts.length) {
      throw new ProblemError(
        409,
        'Rate already recorded',
        `${body.source} ${body.base}/${body.quote} for ${body.rateDate} is already recorded as ${report.conflicts[0]!.stored}; rates are not overwritten`,
        '/problems/rate-conflict',
      );
    }
    if (report.inserted) res.location(`/finance/rates/${body.source}/${body.base}/${body.quote}/${body.rateDate}`);
    // The rate as stored (normalised: "4.65120" is kept as "4.6512"), as its Location answers it.
    const stored = await fxRates.find(body.source, body.base, body.quote, body.rateDate);
    res.status(report.inserted ? 201 : 200).json({ ...body, rate: stored?.rate ?? body.rate, created: report.inserted === 1 });
  });

  /** One stored rate exactly as recorded (unlike the lookup above: no earlier date, no inverse or cross rate). */
  router.get('/finance/rates/:source/:base/:quote/:rateDate', async (req, res) => {
    const p = parseOrProblem(StoredRatePath, req.params, 'path:', 400);
    const stored = await fxRates.find(p.source, p.base, p.quote, p.rateDate);
    if (!stored) throw new NotFoundProblem(`No ${p.source} ${p.base}/${p.quote} rate is stored for ${p.rateDate}`);
    res.json(stored);
  });

  /**
   * Imports a configured feed now (`?feed=ECB` by default, or e.g. `TREASURY`); the daily
   * schedule does the same for every feed.
   */
  router.post('/finance/rates/import', async (req, res) => {
    const q = parseOrProblem(ImportFeedQuery, queryOf(req), 'query:', 400);
    const feeds: Record<string, FxRateFeed> = deps.finance.feeds ?? { ECB: deps.finance.fxFeed };
    const chosen = Object.hasOwn(feeds, q.feed) ? feeds[q.feed] : undefined;
    if (!chosen) {
      throw new ProblemError(404, 'Rate feed not configured', `No rate feed "${q.feed}" is configured (configured: ${Object.keys(feeds).sort().join(', ')})`, '/problems/rate-feed-not-configured');
    }
    const feed = chosen;
    let quotes;
    try {
      quotes = await feed.latest();
    } catch (err) {
      throw new ProblemError(502, 'Rate feed unavailable', `Could not import from ${feed.source}: ${err instanceof Error ? err.message : String(err)}`, '/problems/rate-feed-unavailable');
    }
    const report = await fxRates.importQuotes(quotes, 'api');
    res.json({
      source: feed.source,
      dates: [...new Set(quotes.map((q) => q.rateDate))].sort(),
      currencies: [...new Set(quotes.map((q) => q.quote))].sort(),
      inserted: report.inserted,
      unchanged: report.unchanged,
      conflicts: report.conflicts.map((c) => ({ ...c.quote, stored: c.stored })),
    });
  });

  /**
   * The trial balance at a date: per account and currency with totals per currency, or with
   * `view=base` every account translated into the base currency from the rates on the postings.
   */
  router.get('/finance/trial-balance', async (req, res) => {
    const q = parseOrProblem(TrialBalanceQuery, queryOf(req), 'query:', 400);
    if (q.view === 'base') {
      res.json(await ledger.translatedTrialBalance(q.asOf));
      return;
    }
    const rows = await ledger.trialBalance(q.asOf);
    const totals = new Map<string, { debits: Dec; credits: Dec }>();
    for (const r of rows) {
      const t = totals.get(r.currency) ?? { debits: new Dec(0), credits: new Dec(0) };
      totals.set(r.currency, { debits: t.debits.plus(r.debits), credits: t.credits.plus(r.credits) });
    }
    res.json({
      asOf: q.asOf ?? null,
      accounts: rows,
      totals: [...totals].map(([currency, t]) => ({
        currency,
        debits: t.debits.toFixed(minorUnits(currency)),
        credits: t.credits.toFixed(minorUnits(currency)),
        balanced: t.debits.equals(t.credits),
      })),
    });
  });

  /** An account's postings in a date range, with running balance and each posting's rate. */
  router.get('/finance/accounts/:code/statement', async (req, res) => {
    const q = parseOrProblem(StatementQuery, queryOf(req), 'query:', 400);
    res.json(await ledgerCall(() => ledger.statement(String(req.params.code), q)));
  });

  /** Go-live readiness: every configuration failure, checked with rolled-back sample postings. */
  router.get('/finance/readiness', async (_req, res) => {
    const report = await config.readiness(calendarDateIn(Date.now(), deps.operatorTimeZone));
    readinessGate.remember(report);
    res.json(report);
  });

  router.get('/finance/settings', async (_req, res) => {
    const settings = await config.settings();
    if (!settings) throw new ProblemError(404, 'Finance settings not set', 'No finance settings yet: PUT /finance/settings with the base currency, rate source and active currencies', '/problems/finance-settings-missing');
    res.json(settings);
  });

  router.put('/finance/settings', async (req, res) => {
    const body = parseOrProblem(FinanceSettingsRequest, req.body, '');
    const { updatedBy, ...settings } = body;
    res.json(await configCall(() => config.putSettings(settings, updatedBy)));
    readinessGate.forget();
  });

  router.get('/finance/translation-rules', async (_req, res) => {
    res.json({ rules: await config.translationRules(), required: TRANSACTION_TYPES });
  });

  router.put('/finance/translation-rules', async (req, res) => {
    const body = parseOrProblem(TranslationRulesRequest, req.body, '');
    res.json({ rules: await config.putTranslationRules(body.rules), required: TRANSACTION_TYPES });
    readinessGate.forget();
  });

  /** One row per product type: a small fixed list, answered whole (`nextCursor` always null). */
  router.get('/finance/product-accounts', async (_req, res) => {
    res.json({ items: await config.productAccounts(), nextCursor: null });
  });

  router.put('/finance/product-accounts/:productType', async (req, res) => {
    const productType = parseOrProblem(ProductTypeParam, req.params.productType, 'path:productType', 400);
    const body = parseOrProblem(ProductAccountsRequest, req.body, '');
    res.json(await configCall(() => config.putProductAccounts(productType, body)));
    readinessGate.forget();
  });

  /** Accounting periods: define (open), list, close. A closed period takes no further postings. */
  router.get('/finance/periods', async (req, res) => {
    const q = parseOrProblem(PageQuery, queryOf(req), 'query:', 400);
    res.json(await ledger.listPeriods(q));
  });

  router.post('/finance/periods', async (req, res) => {
    const body = parseOrProblem(DefinePeriodRequest, req.body, '');
    const period = await ledgerCall(() => ledger.definePeriod(body.name, body.startsOn, body.endsOn));
    res.status(201).location(`/finance/periods/${encodeURIComponent(period.name)}`).json(period);
  });

  router.get('/finance/periods/:name', async (req, res) => {
    const { name } = parseOrProblem(PeriodPath, req.params, 'path:', 400);
    const period = await ledger.getPeriod(name);
    if (!period) throw new NotFoundProblem(`No accounting period ${name}`);
    res.json(period);
  });

  router.post('/finance/periods/:name/close', async (req, res) => {
    const body = parseOrProblem(ClosePeriodRequest, req.body, '');
    res.json(await ledgerCall(() => ledger.closePeriod(String(req.params.name), body.closedBy)));
  });

  router.get('/finance/accounts/:code/balance', async (req, res) => {
    const q = parseOrProblem(BalanceQuery, queryOf(req), 'query:', 400);
    res.json(await ledger.balance(String(req.params.code), q.currency, q.asOf));
  });

  return router;
}
