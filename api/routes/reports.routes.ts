import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { Router, type Response } from 'express';
import type { PrismaAtolStore } from '../../activities/atol.prisma';
import { PrismaCustomerStore } from '../../activities/customers.prisma';
import { PrismaReports } from '../../activities/reports.prisma';
import { PrismaDeferredRevenue, RevenueError } from '../../activities/revenue.prisma';
import { AtolError } from '../../domain/atol/classification';
import { passengerReturnCsv } from '../../domain/atol/returns';
import { AGE_BUCKETS, agedReceivables, bookingVolume, DUE_BUCKETS, revenueByChannel, supplierPayables } from '../../domain/reports/aggregate';
import { quarterOfReturn } from '../../domain/reports/atol-quarter';
import { calendarDateIn } from '../../domain/time/instant';
import type { PrismaClient } from '../../generated/prisma/client';
import { dashboardCsp, renderDashboard, type DashboardData } from '../reports/dashboard';
import { NotFoundProblem, parseOrProblem, pointersOf, ProblemError, queryOf, ValidationProblem } from '../problem';
import { AssetParam, AsOfQuery, AtolReturnQuery, BookingVolumeQuery, CustomerRetentionQuery, DashboardQuery, RevenueByChannelQuery } from '../schemas/reports.schema';

export interface ReportRouteDeps {
  prisma: PrismaClient;
  /** IANA zone whose calendar says what "today" is and which day a booking was made. */
  operatorTimeZone: string;
  /** The ATOL store (the finance module's): the quarter's return is cut from its yearly return. */
  atol: PrismaAtolStore;
  /** Defaults to the deferred revenue store over `prisma` (reads only). */
  revenue?: PrismaDeferredRevenue;
  /** Defaults to the customer store over `prisma` (reads only). */
  customers?: PrismaCustomerStore;
  /** Clock (epoch ms); tests pass a fixed one. */
  now?: () => number;
}

/** Where Chart.js's browser builds live (the package exports only its entry points). */
const CHART_DIST = path.dirname(require.resolve('chart.js'));

/** A text cell a spreadsheet must not run as a formula (OWASP CSV injection): prefixed with a quote. */
const text = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

function sendCsv(res: Response, filename: string, columns: string[], rows: Array<Array<string | number | null>>): void {
  res
    .status(200)
    .type('text/csv; charset=utf-8')
    .setHeader('Content-Disposition', `attachment; filename="${filename}.csv"`)
    .send(stringify([columns, ...rows.map((r) => r.map((c) => c ?? ''))], { record_delimiter: 'windows' }));
}

/** The first day of the month eleven months before `today`: a twelve-month window ending today. */
function twelveMonthsBefore(today: string): string {
  const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
  const first = new Date(Date.UTC(y, m - 1 - 11, 1));
  return first.toISOString().slice(0, 10);
}

/** Refusals from the stores reused here, as problems (query parameters named). */
async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RevenueError) throw new ValidationProblem(err.problems.map((p) => ({ pointer: `query:/${p.path}`, detail: p.message })), 400);
    if (err instanceof AtolError) {
      const status = err.kind === 'licence-not-found' ? 404 : 422;
      throw new ProblemError(status, 'ATOL return refused', err.message, `/problems/atol-${err.kind}`, { errors: pointersOf(err.problems) });
    }
    throw err;
  }
}

/**
 * Management reports (issue 9): booking volume, revenue by channel, customer retention, deferred
 * revenue, aged receivables and supplier payables, the ATOL return of a quarter, each JSON or CSV;
 * and the HTML dashboard with its charts. Money is per currency, exact decimal strings.
 */
export function reportRoutes(deps: ReportRouteDeps): Router {
  const router = Router();
  const reports = new PrismaReports(deps.prisma);
  const revenue = deps.revenue ?? new PrismaDeferredRevenue(deps.prisma, undefined, { operatorTimeZone: deps.operatorTimeZone });
  const customers = deps.customers ?? new PrismaCustomerStore(deps.prisma);
  const now = deps.now ?? Date.now;
  const tz = deps.operatorTimeZone;
  const today = () => calendarDateIn(now(), tz);
  const window = (q: { from?: string; to?: string; currency?: string }) => {
    const to = q.to ?? today();
    const from = q.from ?? twelveMonthsBefore(to);
    if (from > to) throw new ValidationProblem([{ pointer: 'query:/from', detail: `must not be after to (${to})` }], 400);
    return { from, to, timeZone: tz, ...(q.currency ? { currency: q.currency } : {}) };
  };

  const volumeOf = async (q: { from?: string; to?: string; currency?: string; groupBy: 'month' | 'product'; basis: 'booked' | 'travel' }) => {
    const w = window(q);
    return { from: w.from, to: w.to, groupBy: q.groupBy, basis: q.basis, currency: q.currency ?? null, rows: bookingVolume(await reports.bookingFacts(w, q.basis), q.groupBy, q.basis) };
  };
  const channelsOf = async (q: { from?: string; to?: string; currency?: string }) => {
    const w = window(q);
    return { from: w.from, to: w.to, currency: q.currency ?? null, rows: revenueByChannel(await reports.channelSales(w)) };
  };
  const deferredOf = async (asOf: string, currency?: string) => {
    const months = await storeCall(() => revenue.deferredBalanceByTravelMonth(asOf));
    return { asOf, currency: currency ?? null, months: months.filter((m) => !currency || m.currency === currency) };
  };
  const receivablesOf = async (asOf: string, currency?: string) => agedReceivables(await reports.receivableLines(asOf, tz, currency), asOf);

  router.get('/reports/booking-volume', async (req, res) => {
    const q = parseOrProblem(BookingVolumeQuery, queryOf(req), 'query:', 400);
    const report = await volumeOf(q);
    if (q.format === 'csv') {
      sendCsv(
        res,
        `booking-volume-${report.from}-${report.to}`,
        [q.groupBy, 'currency', 'bookings', 'pax', 'pax_unknown', 'gross', 'cancelled_bookings', 'cancelled_gross'],
        report.rows.map((r) => [text(r.key), r.currency, r.bookings, r.pax, r.paxUnknown, r.gross, r.cancelledBookings, r.cancelledGross]),
      );
      return;
    }
    res.json(report);
  });

  router.get('/reports/revenue-by-channel', async (req, res) => {
    const q = parseOrProblem(RevenueByChannelQuery, queryOf(req), 'query:', 400);
    const report = await channelsOf(q);
    if (q.format === 'csv') {
      sendCsv(
        res,
        `revenue-by-channel-${report.from}-${report.to}`,
        ['channel', 'currency', 'bookings', 'gross', 'commission', 'net'],
        report.rows.map((r) => [text(r.channel), r.currency, r.bookings, r.gross, r.commission, r.net]),
      );
      return;
    }
    res.json({ ...report, note: 'commission: sub-agent commission recorded on the booking; null where Itinera does not record it (OTA reservations)' });
  });

  router.get('/reports/customer-retention', async (req, res) => {
    const q = parseOrProblem(CustomerRetentionQuery, queryOf(req), 'query:', 400);
    const asOf = q.asOf ?? today();
    const [summary, byYear] = await Promise.all([customers.retentionSummary(asOf), reports.repeatRateByFirstTripYear()]);
    const byFirstTripYear = byYear.map((y) => ({ ...y, repeatRate: y.customers ? (y.repeatCustomers / y.customers).toFixed(4) : null }));
    if (q.format === 'csv') {
      sendCsv(res, `customer-retention-${asOf}`, ['first_trip_year', 'customers', 'repeat_customers', 'repeat_rate'], [
        ...byFirstTripYear.map((y) => [y.year, y.customers, y.repeatCustomers, y.repeatRate]),
        ['all', summary.customersWithTrips, summary.repeatCustomers, summary.repeatRate],
      ]);
      return;
    }
    res.json({ asOf, ...summary, byFirstTripYear });
  });

  router.get('/reports/deferred-revenue', async (req, res) => {
    const q = parseOrProblem(AsOfQuery, queryOf(req), 'query:', 400);
    const report = await deferredOf(q.asOf ?? today(), q.currency);
    if (q.format === 'csv') {
      sendCsv(res, `deferred-revenue-${report.asOf}`, ['travel_month', 'currency', 'items', 'remaining'], report.months.map((m) => [m.travelMonth, m.currency, m.items, m.remaining]));
      return;
    }
    res.json(report);
  });

  router.get('/reports/aged-receivables', async (req, res) => {
    const q = parseOrProblem(AsOfQuery, queryOf(req), 'query:', 400);
    const report = await receivablesOf(q.asOf ?? today(), q.currency);
    if (q.format === 'csv') {
      sendCsv(res, `aged-receivables-${report.asOf}`, ['customer_id', 'currency', 'bookings', ...AGE_BUCKETS, 'total'], [
        ...report.customers.map((c) => [text(c.customerId), c.currency, c.bookings, ...AGE_BUCKETS.map((b) => c[b]), c.total]),
        ...report.totals.map((t) => ['TOTAL', t.currency, null, ...AGE_BUCKETS.map((b) => t[b]), t.total]),
      ]);
      return;
    }
    res.json(report);
  });

  router.get('/reports/supplier-payables', async (req, res) => {
    const q = parseOrProblem(AsOfQuery, queryOf(req), 'query:', 400);
    const asOf = q.asOf ?? today();
    const { lines, payments } = await reports.payables(asOf, q.currency);
    const report = supplierPayables(lines, payments, asOf);
    if (q.format === 'csv') {
      sendCsv(res, `supplier-payables-${asOf}`, ['supplier', 'currency', 'bookings', ...DUE_BUCKETS, 'total'], [
        ...report.suppliers.map((s) => [text(s.supplier), s.currency, s.bookings, ...DUE_BUCKETS.map((b) => s[b]), s.total]),
        ...report.totals.map((t) => ['TOTAL', t.currency, null, ...DUE_BUCKETS.map((b) => t[b]), t.total]),
      ]);
      return;
    }
    res.json({ ...report, basis: 'confirmed components at cost (flights: airline settlement), due on their first service day, less supplier payments in the ledger' });
  });

  router.get('/reports/atol-return', async (req, res) => {
    const q = parseOrProblem(AtolReturnQuery, queryOf(req), 'query:', 400);
    let licence = q.licence;
    if (!licence) {
      const licences = await deps.atol.listLicences();
      if (licences.length !== 1) {
        throw new ValidationProblem([{ pointer: 'query:/licence', detail: licences.length ? `is required: ${licences.length} licences are registered (${licences.map((l) => l.number).join(', ')})` : 'no ATOL licence is registered' }], licences.length ? 400 : 422);
      }
      licence = licences[0]!.number;
    }
    const chosen = licence;
    const year = await storeCall(() => deps.atol.passengerReturn(chosen, q.quarter.year));
    const cut = quarterOfReturn(year, q.quarter.quarter);
    if (q.format === 'csv') {
      res
        .status(200)
        .type('text/csv; charset=utf-8')
        .setHeader('Content-Disposition', `attachment; filename="atol-return-${year.licence.number}-${cut.quarter}.csv"`)
        .send(passengerReturnCsv({ ...year, periods: cut.periods, total: cut.total }));
      return;
    }
    res.json({ licence: year.licence, basis: year.basis, ...cut });
  });

  router.get('/reports/dashboard', async (req, res) => {
    parseOrProblem(DashboardQuery, queryOf(req), 'query:', 400);
    const asOf = today();
    const [volume, channels, deferred, receivables] = await Promise.all([
      volumeOf({ groupBy: 'month', basis: 'booked' }),
      channelsOf({}),
      deferredOf(asOf),
      receivablesOf(asOf),
    ]);
    const data: DashboardData = { asOf, from: volume.from, to: volume.to, volume: volume.rows, channels: channels.rows, deferred: deferred.months, receivables };
    const nonce = randomBytes(18).toString('base64');
    res
      .status(200)
      .setHeader('Content-Security-Policy', dashboardCsp(nonce))
      .setHeader('Cache-Control', 'no-store')
      .setHeader('X-Content-Type-Options', 'nosniff')
      // same-origin, not no-referrer: the sign-out form's POST must carry the page's Origin (not `null`).
      .setHeader('Referrer-Policy', 'same-origin')
      .type('text/html; charset=utf-8')
      .send(renderDashboard(data, nonce, res.locals.csrfToken ? { csrfToken: res.locals.csrfToken, signedInAs: res.locals.principal?.name ?? '' } : {}));
  });

  /** Chart.js's browser build for the dashboard: only the files named in DASHBOARD_ASSETS. */
  router.get('/reports/assets/:file', (req, res, next) => {
    const parsed = AssetParam.safeParse(req.params.file);
    if (!parsed.success) throw new NotFoundProblem(`No dashboard asset ${JSON.stringify(req.params.file)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('application/javascript; charset=utf-8');
    res.sendFile(parsed.data, { root: CHART_DIST, dotfiles: 'deny' }, (err) => {
      if (err) next(err);
    });
  });

  return router;
}
