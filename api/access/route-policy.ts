import type { Permission } from '../../domain/access/roles';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route:
 * - `{ permission }`: an authenticated principal holding it;
 * - `public`: anyone (health, sign-in, docs, static assets);
 * - `authenticated`: any signed-in user or API key (own profile, sign-out, step-up);
 * - `channel-signature`: a channel manager proving itself with its own HMAC/WS-Security credentials (checked by the route).
 */
export type RouteAccess = { permission: Permission } | 'public' | 'authenticated' | 'channel-signature';

export interface RoutePolicy {
  method: HttpMethod;
  /** Express path pattern, exactly as the router declares it. */
  path: string;
  access: RouteAccess;
  /**
   * Step-up MFA for people (a TOTP code proved within STEP_UP_MAX_AGE_MS): `always`, or
   * `goodwill-refund` when the body asks for a refund or credit. API keys are not asked (their scope is the grant).
   */
  stepUp?: 'always' | 'goodwill-refund';
  /** POSTs that create or pay honour `Idempotency-Key` (default: every POST with a permission). */
  idempotent?: boolean;
  /**
   * The route keys what it does by the `Idempotency-Key` itself (the booking reference, the
   * payment id, the complaint id): run again with the same key, it finds what the first run did.
   * A key whose first request never answered (its server stopped) is then taken over and the
   * route runs again; elsewhere such a key is refused (`/problems/idempotency-key-abandoned`).
   */
  recoversByKey?: boolean;
  /** Master data: GET answers an ETag, PUT/PATCH/DELETE honour If-Match; before/after in the audit trail. */
  masterData?: boolean;
  /** Customer or booking data: advisors only see their branch's (the route checks the object). */
  branchScoped?: boolean;
  /** Financial action: audited with before/after even though it is not master data. */
  financial?: boolean;
  /**
   * A page for people in a browser: a request that accepts text/html and brings no valid
   * credentials is redirected (303) to the sign-in form instead of answered 401.
   */
  page?: boolean;
}

const p = (permission: Permission) => ({ permission }) as const;

/**
 * Every route the API serves. The authorisation middleware refuses any request whose route is not
 * listed here (deny by default), and a test checks that every route Express knows is listed.
 */
export const ROUTE_POLICIES: readonly RoutePolicy[] = [
  // Health, docs and sign-in
  { method: 'GET', path: '/healthz', access: 'public' },
  { method: 'GET', path: '/readyz', access: 'public' },
  { method: 'GET', path: '/openapi.json', access: 'public' },
  { method: 'GET', path: '/docs{/*rest}', access: 'public' },
  { method: 'POST', path: '/auth/login', access: 'public', idempotent: false },
  { method: 'POST', path: '/auth/mfa', access: 'public', idempotent: false },
  { method: 'POST', path: '/auth/refresh', access: 'public', idempotent: false },
  { method: 'POST', path: '/auth/logout', access: 'authenticated', idempotent: false },
  { method: 'POST', path: '/auth/step-up', access: 'authenticated', idempotent: false },
  { method: 'GET', path: '/auth/me', access: 'authenticated' },
  { method: 'POST', path: '/auth/mfa/enrol', access: 'authenticated', idempotent: false },
  { method: 'POST', path: '/auth/mfa/confirm', access: 'authenticated', idempotent: false },
  { method: 'POST', path: '/auth/password', access: 'authenticated', idempotent: false },
  // Browser sign-in (HTML form, cookie session; api/routes/browser-session.routes.ts)
  { method: 'GET', path: '/auth/sign-in', access: 'public' },
  { method: 'POST', path: '/auth/sign-in', access: 'public', idempotent: false },
  { method: 'POST', path: '/auth/sign-in/mfa', access: 'public', idempotent: false },
  { method: 'POST', path: '/auth/sign-in/enrol', access: 'public', idempotent: false },
  { method: 'POST', path: '/auth/sign-out', access: 'authenticated', idempotent: false, page: true },

  // Users, roles and API keys
  { method: 'POST', path: '/users', access: p('users:manage'), masterData: true },
  { method: 'GET', path: '/users', access: p('users:manage') },
  { method: 'GET', path: '/users/:id', access: p('users:manage'), masterData: true },
  { method: 'PATCH', path: '/users/:id', access: p('users:manage'), masterData: true },
  { method: 'POST', path: '/users/:id/unlock', access: p('users:manage'), masterData: true },
  { method: 'POST', path: '/users/:id/mfa/reset', access: p('users:manage'), masterData: true },
  { method: 'GET', path: '/access/roles', access: p('users:manage') },
  { method: 'PUT', path: '/access/roles/:role/ip-allowlist', access: p('users:manage'), masterData: true },
  { method: 'POST', path: '/api-keys', access: p('users:manage'), masterData: true },
  { method: 'GET', path: '/api-keys', access: p('users:manage') },
  { method: 'DELETE', path: '/api-keys/:id', access: p('users:manage'), masterData: true },

  // Audit trail
  { method: 'GET', path: '/audit', access: p('audit:read') },

  // Bookings
  { method: 'POST', path: '/bookings/quote', access: p('bookings:read'), idempotent: false },
  { method: 'POST', path: '/bookings', access: p('bookings:write'), branchScoped: true, recoversByKey: true },
  { method: 'GET', path: '/bookings', access: p('bookings:read'), branchScoped: true },
  { method: 'GET', path: '/bookings/:reference', access: p('bookings:read'), branchScoped: true },
  { method: 'POST', path: '/bookings/:reference/payments', access: p('payments:take'), branchScoped: true, financial: true, recoversByKey: true },
  { method: 'POST', path: '/bookings/:reference/cancellation/preview', access: p('bookings:read'), branchScoped: true, idempotent: false },
  { method: 'POST', path: '/bookings/:reference/cancellation', access: p('refunds:issue'), branchScoped: true, stepUp: 'always', financial: true },
  { method: 'POST', path: '/bookings/:reference/members/:memberId/name', access: p('bookings:write'), branchScoped: true },
  { method: 'POST', path: '/bookings/:reference/amendments/preview', access: p('bookings:read'), branchScoped: true, idempotent: false },
  { method: 'POST', path: '/bookings/:reference/amendments', access: p('bookings:write'), branchScoped: true, financial: true },
  { method: 'POST', path: '/bookings/:reference/complaints', access: p('bookings:write'), branchScoped: true, recoversByKey: true },
  { method: 'POST', path: '/bookings/:reference/complaints/:complaintId/assign', access: p('bookings:write'), branchScoped: true },
  { method: 'POST', path: '/bookings/:reference/complaints/:complaintId/resolve', access: p('bookings:write'), branchScoped: true, stepUp: 'goodwill-refund', financial: true },

  // Flights
  { method: 'POST', path: '/flights/search', access: p('flights:search'), idempotent: false },

  // Customers
  { method: 'GET', path: '/customers', access: p('customers:read'), branchScoped: true },
  { method: 'GET', path: '/customers/lookup', access: p('customers:read'), branchScoped: true },
  { method: 'GET', path: '/customers/retention', access: p('reports:read') },
  { method: 'GET', path: '/customers/:id', access: p('customers:read'), branchScoped: true, masterData: true },
  { method: 'GET', path: '/customers/:id/trips', access: p('customers:read'), branchScoped: true },
  { method: 'PUT', path: '/customers/:id/advisor', access: p('customers:write'), branchScoped: true, masterData: true },
  { method: 'GET', path: '/advisors', access: p('customers:read') },

  // Migrations
  { method: 'POST', path: '/migrations', access: p('migrations:run') },
  { method: 'GET', path: '/migrations/:runId', access: p('migrations:read') },
  { method: 'GET', path: '/migrations/:runId/issues', access: p('migrations:read') },
  { method: 'GET', path: '/migrations/:runId/merges', access: p('migrations:read') },

  // Finance: rates, ledger, configuration, periods
  { method: 'GET', path: '/finance/rates', access: p('finance:read') },
  { method: 'POST', path: '/finance/rates', access: p('finance:write'), financial: true },
  { method: 'GET', path: '/finance/rates/:source/:base/:quote/:rateDate', access: p('finance:read') },
  { method: 'POST', path: '/finance/rates/import', access: p('finance:write'), financial: true },
  { method: 'GET', path: '/finance/trial-balance', access: p('finance:read') },
  { method: 'GET', path: '/finance/accounts/:code/statement', access: p('finance:read') },
  { method: 'GET', path: '/finance/accounts/:code/balance', access: p('finance:read') },
  { method: 'GET', path: '/finance/readiness', access: p('finance:read') },
  { method: 'GET', path: '/finance/settings', access: p('finance:read'), masterData: true },
  { method: 'PUT', path: '/finance/settings', access: p('finance:write'), masterData: true },
  { method: 'GET', path: '/finance/translation-rules', access: p('finance:read'), masterData: true },
  { method: 'PUT', path: '/finance/translation-rules', access: p('finance:write'), masterData: true },
  { method: 'GET', path: '/finance/product-accounts', access: p('finance:read') },
  { method: 'PUT', path: '/finance/product-accounts/:productType', access: p('finance:write'), masterData: true },
  { method: 'GET', path: '/finance/periods', access: p('finance:read') },
  { method: 'POST', path: '/finance/periods', access: p('finance:write'), financial: true },
  { method: 'GET', path: '/finance/periods/:name', access: p('finance:read') },
  { method: 'POST', path: '/finance/periods/:name/close', access: p('finance:write'), financial: true },
  { method: 'POST', path: '/finance/journal-entries', access: p('ledger:post'), stepUp: 'always', financial: true },
  { method: 'GET', path: '/finance/journal-entries', access: p('finance:read') },
  { method: 'GET', path: '/finance/journal-entries/:id', access: p('finance:read') },
  { method: 'POST', path: '/finance/journal-entries/:id/reversal', access: p('ledger:post'), stepUp: 'always', financial: true },

  // Finance: commissions, ATOL, revaluation, deferred revenue
  { method: 'POST', path: '/finance/commission-schedules', access: p('finance:write'), masterData: true },
  { method: 'GET', path: '/finance/commission-schedules', access: p('finance:read') },
  { method: 'GET', path: '/finance/commission-schedules/:id', access: p('finance:read') },
  { method: 'POST', path: '/finance/sub-agents', access: p('finance:write'), masterData: true },
  { method: 'GET', path: '/finance/sub-agents', access: p('finance:read') },
  { method: 'GET', path: '/finance/sub-agents/:code', access: p('finance:read') },
  { method: 'POST', path: '/finance/commissions', access: p('finance:write'), financial: true },
  { method: 'GET', path: '/finance/commissions', access: p('finance:read') },
  { method: 'GET', path: '/finance/commissions/:id', access: p('finance:read') },
  { method: 'POST', path: '/finance/atol/classifications', access: p('finance:write'), financial: true },
  { method: 'GET', path: '/finance/atol/classifications/:bookingRef', access: p('finance:read') },
  { method: 'GET', path: '/finance/atol/rules', access: p('finance:read') },
  { method: 'POST', path: '/finance/atol/rules', access: p('finance:write'), masterData: true },
  { method: 'GET', path: '/finance/atol/rules/:id', access: p('finance:read') },
  { method: 'GET', path: '/finance/atol/licences', access: p('finance:read') },
  { method: 'POST', path: '/finance/atol/licences', access: p('finance:write'), masterData: true },
  { method: 'GET', path: '/finance/atol/licences/:number', access: p('finance:read'), masterData: true },
  { method: 'PATCH', path: '/finance/atol/licences/:number', access: p('finance:write'), masterData: true },
  { method: 'GET', path: '/finance/atol/returns', access: p('finance:read') },
  { method: 'POST', path: '/finance/revaluations', access: p('finance:write'), financial: true },
  { method: 'GET', path: '/finance/revaluations', access: p('finance:read') },
  { method: 'GET', path: '/finance/revaluations/:periodEnd', access: p('finance:read') },
  { method: 'POST', path: '/finance/deferred-revenue', access: p('finance:write'), financial: true },
  { method: 'GET', path: '/finance/deferred-revenue/by-travel-month', access: p('finance:read') },
  { method: 'GET', path: '/finance/deferred-revenue/:bookingRef/:componentId', access: p('finance:read') },
  { method: 'POST', path: '/finance/deferred-revenue/:bookingRef/:componentId/no-show', access: p('finance:write'), financial: true },
  { method: 'POST', path: '/finance/deferred-revenue/:bookingRef/:componentId/supplier-confirmation', access: p('finance:write'), financial: true },
  { method: 'POST', path: '/finance/deferred-revenue/:bookingRef/:componentId/cancel', access: p('finance:write'), financial: true },
  { method: 'POST', path: '/finance/revenue-recognition/run', access: p('finance:write'), financial: true },

  // Catalog and inventory
  { method: 'POST', path: '/catalog/suppliers', access: p('catalog:write'), masterData: true },
  { method: 'GET', path: '/catalog/suppliers', access: p('catalog:read') },
  { method: 'GET', path: '/catalog/suppliers/:code', access: p('catalog:read'), masterData: true },
  { method: 'PUT', path: '/catalog/suppliers/:code', access: p('catalog:write'), masterData: true },
  { method: 'DELETE', path: '/catalog/suppliers/:code', access: p('catalog:write'), masterData: true },
  { method: 'POST', path: '/catalog/products', access: p('catalog:write'), masterData: true },
  { method: 'GET', path: '/catalog/products', access: p('catalog:read') },
  { method: 'GET', path: '/catalog/products/:supplierCode/:productCode', access: p('catalog:read'), masterData: true },
  { method: 'PUT', path: '/catalog/products/:supplierCode/:productCode', access: p('catalog:write'), masterData: true },
  { method: 'DELETE', path: '/catalog/products/:supplierCode/:productCode', access: p('catalog:write'), masterData: true },
  { method: 'GET', path: '/catalog/markup-rules', access: p('catalog:read'), masterData: true },
  { method: 'PUT', path: '/catalog/markup-rules', access: p('catalog:write'), masterData: true },
  { method: 'POST', path: '/catalog/price', access: p('catalog:read'), idempotent: false },
  { method: 'GET', path: '/catalog/availability', access: p('catalog:read') },
  { method: 'POST', path: '/catalog/contracts', access: p('catalog:write'), masterData: true },
  { method: 'GET', path: '/catalog/contracts', access: p('catalog:read') },
  { method: 'GET', path: '/catalog/contracts/:code', access: p('catalog:read'), masterData: true },
  { method: 'PATCH', path: '/catalog/contracts/:code', access: p('catalog:write'), masterData: true },
  { method: 'DELETE', path: '/catalog/contracts/:code', access: p('catalog:write'), masterData: true },
  { method: 'POST', path: '/catalog/stop-sales', access: p('catalog:write') },
  { method: 'GET', path: '/catalog/stop-sales', access: p('catalog:read') },
  { method: 'DELETE', path: '/catalog/stop-sales/:id', access: p('catalog:write') },
  { method: 'POST', path: '/catalog/holds', access: p('inventory:sell') },
  { method: 'POST', path: '/catalog/sales', access: p('inventory:sell') },
  { method: 'GET', path: '/catalog/holds/:reference', access: p('catalog:read') },
  { method: 'POST', path: '/catalog/holds/:reference/confirm', access: p('inventory:sell') },
  { method: 'DELETE', path: '/catalog/holds/:reference', access: p('inventory:sell') },
  { method: 'GET', path: '/catalog/inventory', access: p('catalog:read') },
  { method: 'POST', path: '/catalog/releases', access: p('catalog:write') },
  { method: 'GET', path: '/catalog/releases', access: p('catalog:read') },
  { method: 'POST', path: '/catalog/imports', access: p('catalog:write') },

  // Channel managers
  { method: 'POST', path: '/channel-managers/:code/notifications', access: 'channel-signature', idempotent: false },
  { method: 'GET', path: '/channel-reservations', access: p('channels:read'), branchScoped: true },
  { method: 'GET', path: '/channel-reservations/:manager/:id', access: p('channels:read'), branchScoped: true },
  { method: 'POST', path: '/channel-managers', access: p('channels:manage'), masterData: true },
  { method: 'GET', path: '/channel-managers', access: p('channels:read') },
  { method: 'GET', path: '/channel-managers/:code', access: p('channels:read') },
  { method: 'POST', path: '/channel-connections', access: p('channels:manage'), masterData: true },
  { method: 'GET', path: '/channel-connections', access: p('channels:read') },
  { method: 'GET', path: '/channel-connections/:code', access: p('channels:read'), masterData: true },
  { method: 'PATCH', path: '/channel-connections/:code', access: p('channels:manage'), masterData: true },
  { method: 'POST', path: '/channel-properties', access: p('channels:manage'), masterData: true },
  { method: 'GET', path: '/channel-properties', access: p('channels:read') },
  { method: 'GET', path: '/channel-properties/:hotelCode', access: p('channels:read') },
  { method: 'PUT', path: '/channel-properties/:hotelCode/rates', access: p('channels:manage'), financial: true },
  { method: 'GET', path: '/channel-rate-operations/:id', access: p('channels:read') },
  { method: 'GET', path: '/channel-properties/:hotelCode/parity', access: p('channels:read') },
  { method: 'GET', path: '/channel-parity-breaks', access: p('channels:read') },
  { method: 'GET', path: '/channel-properties/:hotelCode/sync', access: p('channels:read') },

  // Operations schedule (guides, vehicles, ground services, dispatch)
  { method: 'POST', path: '/operations/resources', access: p('ops:dispatch'), masterData: true },
  { method: 'GET', path: '/operations/resources', access: p('ops:read') },
  { method: 'GET', path: '/operations/resources/:id', access: p('ops:read'), masterData: true },
  { method: 'PATCH', path: '/operations/resources/:id', access: p('ops:dispatch'), masterData: true },
  { method: 'GET', path: '/operations/services', access: p('ops:read') },
  { method: 'POST', path: '/operations/assignments', access: p('ops:dispatch') },
  { method: 'GET', path: '/operations/assignments', access: p('ops:read') },
  { method: 'DELETE', path: '/operations/assignments/:id', access: p('ops:dispatch') },
  { method: 'GET', path: '/operations/conflicts', access: p('ops:read') },
  { method: 'GET', path: '/operations/dispatch-sheet', access: p('ops:read') },

  // Management reports (JSON, or CSV with ?format=csv) and the HTML dashboard
  { method: 'GET', path: '/reports/booking-volume', access: p('reports:read') },
  { method: 'GET', path: '/reports/revenue-by-channel', access: p('reports:read') },
  { method: 'GET', path: '/reports/customer-retention', access: p('reports:read') },
  { method: 'GET', path: '/reports/deferred-revenue', access: p('reports:read') },
  { method: 'GET', path: '/reports/aged-receivables', access: p('reports:read') },
  { method: 'GET', path: '/reports/supplier-payables', access: p('reports:read') },
  { method: 'GET', path: '/reports/atol-return', access: p('reports:read') },
  { method: 'GET', path: '/reports/dashboard', access: p('reports:read'), page: true },
  { method: 'GET', path: '/reports/assets/:file', access: 'public' },
];
