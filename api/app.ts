import express, { type Express, type Router } from 'express';
import type { PrismaAtolStore } from '../activities/atol.prisma';
import type { PrismaCommissions } from '../activities/commissions.prisma';
import type { PrismaFinanceConfig } from '../activities/finance-config.prisma';
import type { FxRates as PrismaFxRates } from '../activities/fx-rates.prisma';
import type { BookingStore } from '../activities/ports/booking-store';
import type { FxRateFeed } from '../activities/ports/fx-rate-feed';
import type { Ledger } from '../activities/ports/ledger';
import type { Database } from '../infra/database';
import type { Logger } from '../infra/logger';
import type { TemporalClientProvider } from '../infra/temporal';
import { requestLogging } from './request-log';
import { routersBySegment } from './router-gate';
import { errorHandler } from './error-handler';
import type { ReadinessGate } from './readiness-gate';
import { sendProblem } from './problem';
import { flightRoutes } from './routes/flights.routes';
import { bookingRoutes } from './routes/bookings.routes';
import { atolRoutes } from './routes/atol.routes';
import { commissionRoutes } from './routes/commissions.routes';
import { financeRoutes } from './routes/finance.routes';
import { healthRoutes } from './routes/health.routes';
import { revaluationRoutes } from './routes/revaluation.routes';
import { migrationRoutes } from './routes/migrations.routes';
import { customersRouter } from './routes/customers.routes';
import { PrismaCustomerStore } from '../activities/customers.prisma';
import { revenueRoutes } from './routes/revenue.routes';
import { catalogRoutes, type CatalogRouteDeps } from './routes/catalog.routes';
import { AvailabilitySearch, type AvailabilitySearchOptions, type SearchFx } from '../activities/availability-search';
import { PrismaCatalog } from '../activities/catalog.prisma';
import { PrismaInventory } from '../activities/inventory.prisma';
import { calendarDateIn } from '../domain/time/instant';
import { PrismaChannelConfig } from '../activities/channel-config.prisma';
import { PrismaChannelInbox } from '../activities/channel-inbox.prisma';
import { PrismaChannelRates } from '../activities/channel-rates.prisma';
import { TemporalInventoryChangeSink } from '../activities/channel-sync-notifier';
import type { InventoryChangeSink } from '../activities/ports/inventory-changes';
import { channelWebhookRoutes } from './routes/channel-webhooks.routes';
import { channelRoutes } from './routes/channels.routes';
import type { AccessServices } from '../infra/access';
import { routePolicy, RoutePolicyTable } from './access/route-match';
import { ROUTE_POLICIES, type RoutePolicy } from './access/route-policy';
import { auditTrail } from './access/audit-trail';
import { authenticate } from './access/authenticate';
import { authorize } from './access/authorize';
import { idempotency } from './access/idempotency';
import { etags, masterDataLoaders } from './access/etags';
import { authRoutes } from './routes/auth.routes';
import { browserSessionRoutes, formBodies, isFormPost } from './routes/browser-session.routes';
import { userRoutes } from './routes/users.routes';
import { auditRoutes } from './routes/audit.routes';
import { journalEntryRoutes } from './routes/journal-entries.routes';
import { operationsRoutes } from './routes/operations.routes';
import { reportRoutes } from './routes/reports.routes';
import { docsRoutes } from './routes/docs.routes';

/** What the API needs from the outside world; the composition root passes real ones. */
export interface ApiDeps {
  db: Database;
  bookings: BookingStore;
  temporal: TemporalClientProvider;
  logger: Logger;
  /** IANA zone whose calendar decides what "today" is (travel dates in the past are refused). */
  operatorTimeZone: string;
  /** How long `POST /bookings` waits for the draft to be stored before answering 202 (default 10 s). */
  recordWaitMs?: number;
  /** The Temporal UI, for links in answers (default http://localhost:8233). */
  temporalUiUrl?: string;
  finance: {
    ledger: Ledger;
    fxRates: PrismaFxRates;
    fxFeed: FxRateFeed;
    /** Every configured feed by name (`ECB`, `TREASURY`...); defaults to `{ ECB: fxFeed }`. */
    feeds?: Record<string, FxRateFeed>;
    config: PrismaFinanceConfig;
    readinessGate: ReadinessGate;
    commissions: PrismaCommissions;
    atol: PrismaAtolStore;
  };
  /** Told after each inventory change (default: the channel sync workflows through Temporal). */
  inventorySink?: InventoryChangeSink;
  /** Channel parity: how long a rate may wait for acknowledgement before it counts as out of parity. */
  parityGraceMs?: number;
  /** Authentication, the audit trail and idempotency keys (infra/access.ts builds them). */
  access: AccessServices;
  /**
   * More routes behind the same middleware, with their policies (the bookings bench's no-op
   * baseline, so both sides pay for the same HTTP stack). Production passes none.
   */
  extraRoutes?: { policies: readonly RoutePolicy[]; router: Router };
}

/** The one route that takes a large body (a catalog file) and parses it itself. */
export const BULK_UPLOAD_PATH = '/catalog/imports';
/** Channel managers post OpenTravel XML here; the route reads its own body. */
const CHANNEL_NOTIFICATIONS_PATH = /^\/channel-managers\/[^/]+\/notifications$/;

/**
 * The catalog's stores and the availability search over them, on one database (one product cache
 * per search): what the catalog routes take, here and in the tests.
 */
export function catalogStores(db: Pick<Database, 'prisma' | 'query'>, fxRates: SearchFx, search: AvailabilitySearchOptions, inventorySink?: InventoryChangeSink) {
  const catalog = new PrismaCatalog(db.prisma, db);
  const inventory = new PrismaInventory(db.prisma, (sql, params) => db.query(sql, params), inventorySink);
  return { catalog, inventory, search: new AvailabilitySearch(catalog, inventory, fxRates, search) };
}

function catalogDeps(deps: ApiDeps, inventorySink: InventoryChangeSink): CatalogRouteDeps {
  const { db, operatorTimeZone } = deps;
  const stores = catalogStores(
    db,
    deps.finance.fxRates,
    {
      today: () => calendarDateIn(Date.now(), operatorTimeZone),
      // Prices are converted at the rates of the source finance configured (ECB until it is set).
      rateSource: async () => (await deps.finance.config.settings())?.rateSource ?? 'ECB',
    },
    inventorySink,
  );
  return { prisma: db.prisma, ...stores, temporal: deps.temporal, operatorTimeZone };
}

/** The Express app: thin translation between HTTP and Temporal/the database. */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use(requestLogging(deps.logger));
  const json = express.json({ limit: '100kb', strict: true, type: ['application/json', 'application/*+json'] });
  // Catalog imports carry whole files (JSON or CSV, up to 20 MB) and channel managers post XML: those routes parse their own bodies.
  const readsOwnBody = (req: express.Request) => req.method === 'POST' && (req.path === BULK_UPLOAD_PATH || CHANNEL_NOTIFICATIONS_PATH.test(req.path));
  app.use((req, res, next) => (readsOwnBody(req) ? next() : json(req, res, next)));
  // The browser's sign-in and sign-out forms post urlencoded bodies.
  app.use(formBodies);
  app.use((req, res, next) => {
    // A body that is not JSON would otherwise be silently ignored.
    const form = isFormPost(req) && req.is('application/x-www-form-urlencoded');
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && !readsOwnBody(req) && !form && req.headers['content-length'] !== '0' && req.headers['content-type'] && !req.is(['application/json', 'application/*+json'])) {
      sendProblem(res, {
        status: 415,
        title: 'Unsupported media type',
        detail: `Send the body as application/json (got ${req.headers['content-type']})`,
        type: '/problems/unsupported-media-type',
      });
      return;
    }
    next();
  });

  // Access control, in order: which route (and its policy) → the audit trail (records on finish,
  // so refusals below are recorded too) → who is calling (401) → may they (403, step-up) →
  // Idempotency-Key replay → ETag / If-Match on master data.
  const { access } = deps;
  const clock = access.clock ? { clock: access.clock } : {};
  const inventorySink = deps.inventorySink ?? new TemporalInventoryChangeSink(deps.temporal, deps.db, deps.logger.child({ component: 'channel-sync-notifier' }));
  const catalog = catalogDeps(deps, inventorySink);
  const customerStore = new PrismaCustomerStore(deps.db.prisma);
  const channelConfig = new PrismaChannelConfig(deps.db.prisma);
  app.use(routePolicy(deps.extraRoutes ? new RoutePolicyTable([...ROUTE_POLICIES, ...deps.extraRoutes.policies]) : undefined));
  app.use(auditTrail({ audit: access.audit }));
  app.use(authenticate(access.auth));
  app.use(authorize({ audit: access.audit, ...clock }));
  app.use(idempotency({ store: access.idempotency, ...clock }));
  app.use(
    etags({
      prisma: deps.db.prisma,
      loaders: masterDataLoaders({
        prisma: deps.db.prisma,
        catalog: catalog.catalog,
        inventory: catalog.inventory,
        customers: customerStore,
        financeConfig: deps.finance.config,
        atol: deps.finance.atol,
        channelConfig,
        operatorTimeZone: deps.operatorTimeZone,
      }),
    }),
  );

  // Each router is entered only for its own first path segments, all behind one layer (api/router-gate.ts).
  const routers: Router[] = [];
  const mount = (router: Router) => routers.push(router);
  mount(healthRoutes(deps));
  mount(docsRoutes());
  mount(authRoutes(access.auth));
  mount(browserSessionRoutes(access.auth));
  mount(userRoutes(access.auth));
  mount(auditRoutes({ audit: access.audit }));
  mount(bookingRoutes(deps));
  mount(flightRoutes({ temporal: deps.temporal, operatorTimeZone: deps.operatorTimeZone }));
  mount(financeRoutes(deps));
  mount(commissionRoutes({ commissions: deps.finance.commissions }));
  mount(atolRoutes({ atol: deps.finance.atol }));
  mount(revenueRoutes({ prisma: deps.db.prisma, operatorTimeZone: deps.operatorTimeZone }));
  mount(journalEntryRoutes({ ledger: deps.finance.ledger, prisma: deps.db.prisma }));
  mount(customersRouter({ prisma: deps.db.prisma, store: customerStore, operatorTimeZone: deps.operatorTimeZone }));
  mount(migrationRoutes({ prisma: deps.db.prisma, temporal: deps.temporal, operatorTimeZone: deps.operatorTimeZone, ...(deps.temporalUiUrl ? { temporalUiUrl: deps.temporalUiUrl } : {}) }));
  mount(revaluationRoutes({ prisma: deps.db.prisma, temporal: deps.temporal, operatorTimeZone: deps.operatorTimeZone }));
  mount(catalogRoutes(catalog));
  // Inbound channel reservations tell the sync workflows themselves once applied (in the worker).
  mount(channelWebhookRoutes({ prisma: deps.db.prisma, inbox: new PrismaChannelInbox(deps.db.prisma, new PrismaInventory(deps.db.prisma, (sql, params) => deps.db.query(sql, params))), temporal: deps.temporal, logger: deps.logger.child({ component: 'channel-webhooks' }) }));
  mount(channelRoutes({ prisma: deps.db.prisma, config: channelConfig, rates: new PrismaChannelRates(deps.db.prisma, { parityGraceMs: deps.parityGraceMs }), temporal: deps.temporal }));
  mount(operationsRoutes({ prisma: deps.db.prisma, operatorTimeZone: deps.operatorTimeZone }));
  if (deps.extraRoutes) mount(deps.extraRoutes.router);
  mount(reportRoutes({ prisma: deps.db.prisma, operatorTimeZone: deps.operatorTimeZone, atol: deps.finance.atol }));
  app.use(routersBySegment(routers));

  app.use((req, res) => {
    sendProblem(res, { status: 404, title: 'Not found', detail: `No route for ${req.method} ${req.path}`, type: '/problems/not-found' });
  });
  app.use(errorHandler);
  return app;
}
