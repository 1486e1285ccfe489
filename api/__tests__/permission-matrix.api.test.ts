import type { Server } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import request from 'supertest';
import { PrismaBookingStore } from '../../activities/booking-store.prisma';
import { NO_INVENTORY_SINK } from '../../activities/ports/inventory-changes';
import { PERMISSIONS, ROLE_PERMISSIONS, ROLES, type Permission, type Role } from '../../domain/access/roles';
import type { Database } from '../../infra/database';
import { financeDeps } from '../../infra/finance';
import { TemporalClientProvider } from '../../infra/temporal';
import { silentLogger, testAccess } from '../../test/support/api-harness';
import { createApiKey } from '../access/authenticate';
import { openTestPglite } from '../../test/support/databases';
import type { AuditRecord } from '../access/audit-sink';
import { authorize } from '../access/authorize';
import type { Principal } from '../access/principal';
import { RoutePolicyTable, routePolicy } from '../access/route-match';
import { ROUTE_POLICIES, type RoutePolicy } from '../access/route-policy';
import { createApp } from '../app';
import { errorHandler } from '../error-handler';

/**
 * The permission matrix (issue 9): every route of ROUTE_POLICIES × every role (and API keys with
 * one scope) → refused (403) or let through, as ROLE_PERMISSIONS says. The route's own answer
 * (400, 404, 422, 503...) counts as "let through": only 403 means refused.
 */

const NOW = Date.parse('2026-11-29T09:00:00.000Z');

function userOf(role: Role, mfaAt: number | null = NOW): Principal {
  return { kind: 'user', id: `u-${role}`, name: `${role.toLowerCase()}@example.com`, role, permissions: new Set(ROLE_PERMISSIONS[role]), branch: 'LON', allBranches: role !== 'ADVISOR', advisorId: null, sessionId: 's1', mfaAt };
}

function keyOf(scope: Permission): Principal {
  return { kind: 'api-key', id: `k-${scope}`, name: `key ${scope}`, role: null, permissions: new Set([scope]), branch: null, allBranches: true, advisorId: null };
}

/** A concrete URL for a route pattern: every `:param` a plain value, optional groups left out. */
export function concretePath(pattern: string): string {
  return pattern.replace(/\{[^}]*\}/g, '').replace(/:(\w+)/g, 'p1');
}

/** Whether the principal may call the route, decided from the policy and the principal's permissions. */
function expectAllowed(policy: RoutePolicy, principal: Principal): boolean {
  return typeof policy.access === 'string' || principal.permissions.has(policy.access.permission);
}

/** A body for the route: a goodwill refund on the complaint resolution, so its step-up is exercised too. */
function bodyFor(policy: RoutePolicy): object {
  return policy.stepUp === 'goodwill-refund' ? { resolution: 'Refunded', goodwill: { kind: 'REFUND', amount: { amount: '10.00', currency: 'GBP' } } } : {};
}

const PRINCIPAL_HEADER = 'x-test-principal';

/** The test's stand-in for authentication: the principal named in a header (no header: anonymous). */
function principalFromHeader(principals: Map<string, Principal>): RequestHandler {
  return (req, res, next) => {
    const name = req.get(PRINCIPAL_HEADER);
    const principal = name ? principals.get(name) : undefined;
    if (principal) res.locals.principal = principal;
    next();
  };
}

const principals = new Map<string, Principal>([
  ...ROLES.map((r) => [r, userOf(r)] as const),
  ...PERMISSIONS.map((p) => [`key:${p}`, keyOf(p)] as const),
  ...ROLES.map((r) => [`stale:${r}`, userOf(r, NOW - 60 * 60_000)] as const),
]);

type Probe = { policy: RoutePolicy; who: string };

async function send(server: Server, { policy, who }: Probe) {
  const url = concretePath(policy.path);
  const agent = request(server);
  const req =
    policy.method === 'GET'
      ? agent.get(url)
      : policy.method === 'DELETE'
        ? agent.delete(url)
        : agent[policy.method.toLowerCase() as 'post' | 'put' | 'patch'](url).send(bodyFor(policy));
  return req.set(PRINCIPAL_HEADER, who);
}

/** The probes of the matrix: each route with each role, a key holding its scope, and a key holding another one. */
function matrixProbes(): Probe[] {
  const probes: Probe[] = [];
  for (const policy of ROUTE_POLICIES) {
    for (const role of ROLES) probes.push({ policy, who: role });
    const scope = typeof policy.access === 'string' ? null : policy.access.permission;
    probes.push({ policy, who: 'key:channels:manage' });
    if (scope) probes.push({ policy, who: `key:${scope}` });
  }
  return probes;
}

/** Runs the probes a few at a time; answers "route who: expected X, got status" for every disagreement. */
async function disagreements(server: Server, probes: Probe[], expected: (p: Probe) => 'allowed' | 'forbidden'): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < probes.length; i += 16) {
    const batch = probes.slice(i, i + 16);
    const answers = await Promise.all(batch.map((p) => send(server, p)));
    batch.forEach((probe, k) => {
      const status = answers[k]!.status;
      const want = expected(probe);
      if ((status === 403) !== (want === 'forbidden')) out.push(`${probe.policy.method} ${probe.policy.path} as ${probe.who}: expected ${want}, got ${status}`);
    });
  }
  return out;
}

const expectation = (p: Probe) => (expectAllowed(p.policy, principals.get(p.who)!) ? 'allowed' : 'forbidden');

describe('permission matrix: every route × every role, on the access middleware', () => {
  let server: Server;
  const audit: AuditRecord[] = [];

  beforeAll(async () => {
    const app = express();
    app.use(express.json());
    app.use(routePolicy());
    app.use(principalFromHeader(principals));
    app.use(authorize({ audit: { record: async (e) => void audit.push(e) }, clock: () => NOW }));
    app.use((_req, res) => void res.status(204).end());
    app.use(errorHandler);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('every concrete URL finds its own policy (no route is shadowed by an earlier pattern)', () => {
    const table = new RoutePolicyTable();
    const shadowed = ROUTE_POLICIES.filter((p) => table.match(p.method, concretePath(p.path))?.policy !== p).map((p) => `${p.method} ${p.path}`);
    expect(shadowed).toEqual([]);
  });

  it('refuses (403) exactly the role × route pairs ROLE_PERMISSIONS does not grant, and lets every other through', async () => {
    const probes = matrixProbes();
    expect(probes.length).toBeGreaterThan(ROUTE_POLICIES.length * ROLES.length);
    expect(await disagreements(server, probes, expectation)).toEqual([]);
    // Every refusal is in the audit trail.
    const refused = probes.filter((p) => expectation(p) === 'forbidden').length;
    expect(audit.filter((r) => r.status === 403 && r.outcome === 'denied' && r.category === 'access')).toHaveLength(refused);
  });

  it('holds the separation of duties the issue names', async () => {
    const check = async (method: RoutePolicy['method'], path: string, who: string) => {
      const policy = ROUTE_POLICIES.find((p) => p.method === method && p.path === path);
      expect(policy).toBeDefined();
      return (await send(server, { policy: policy!, who })).status;
    };
    // Advisors cannot post journal entries; finance cannot change bookings.
    expect(await check('POST', '/finance/journal-entries', 'ADVISOR')).toBe(403);
    expect(await check('POST', '/bookings', 'FINANCE')).toBe(403);
    expect(await check('POST', '/bookings/:reference/cancellation', 'FINANCE')).toBe(403);
    expect(await check('POST', '/bookings/:reference/amendments', 'FINANCE')).toBe(403);
    // Operations dispatch but post nothing to the ledger; management reads and reassigns but books nothing.
    expect(await check('POST', '/operations/assignments', 'OPERATIONS')).toBe(204);
    expect(await check('POST', '/finance/journal-entries', 'OPERATIONS')).toBe(403);
    expect(await check('POST', '/bookings', 'MANAGEMENT')).toBe(403);
    expect(await check('PUT', '/customers/:id/advisor', 'MANAGEMENT')).toBe(204);
    expect(await check('GET', '/audit', 'MANAGEMENT')).toBe(204);
    expect(await check('GET', '/audit', 'ADVISOR')).toBe(403);
    // Only admin manages users and keys.
    for (const role of ROLES) expect(await check('POST', '/users', role)).toBe(role === 'ADMIN' ? 204 : 403);
    // Finance posts journal entries (with a fresh TOTP proof) and advisors sell.
    expect(await check('POST', '/finance/journal-entries', 'FINANCE')).toBe(204);
    expect(await check('POST', '/bookings', 'ADVISOR')).toBe(204);
  });

  it('asks people holding the permission for step-up MFA on refunds and journal entries once their TOTP proof is stale', async () => {
    const stepUp = ROUTE_POLICIES.filter((p) => p.stepUp);
    expect(stepUp.map((p) => `${p.method} ${p.path}`)).toEqual(
      expect.arrayContaining(['POST /finance/journal-entries', 'POST /bookings/:reference/cancellation', 'POST /bookings/:reference/complaints/:complaintId/resolve']),
    );
    for (const policy of stepUp) {
      for (const role of ROLES) {
        const res = await send(server, { policy, who: `stale:${role}` });
        const holds = expectAllowed(policy, userOf(role));
        expect([`${policy.path} ${role}`, res.status, res.body.type]).toEqual([`${policy.path} ${role}`, 403, holds ? '/problems/step-up-required' : '/problems/forbidden']);
      }
    }
  });
});

/** Every route Express serves, as `METHOD path`, from the app's router stack (Express 5 layers). */
function expressRoutes(app: Express): string[] {
  const out: string[] = [];
  type Layer = { route?: { path: unknown; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) out.push(`${method.toUpperCase()} ${String(layer.route.path)}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

describe('permission matrix on the real routers (createApp; Temporal unreachable, PGlite)', () => {
  let db: Database;
  let api: Express;
  let server: Server;

  beforeAll(async () => {
    db = await openTestPglite();
    // Nothing listens on port 1: routes that need Temporal answer 503 at once, which is "let through".
    const temporal = new TemporalClientProvider({ address: '127.0.0.1:1', namespace: 'default' });
    api = createApp({ db, bookings: new PrismaBookingStore(db.prisma), temporal, logger: silentLogger, operatorTimeZone: 'UTC', finance: financeDeps(db.prisma), inventorySink: NO_INVENTORY_SINK, access: testAccess(db) });
    // The real authentication runs: each role is an API key scoped to the role's permissions, each `key:<scope>` a key with that one scope.
    const keys = new Map<string, Promise<string>>();
    const keyFor = (who: string) => {
      let key = keys.get(who);
      if (!key) {
        const scopes: readonly Permission[] = who.startsWith('key:') ? [who.slice(4) as Permission] : ROLE_PERMISSIONS[who as Role];
        key = createApiKey(db.prisma, { name: who, scopes }).then((k) => k.token);
        keys.set(who, key);
      }
      return key;
    };
    const outer = express();
    outer.set('trust proxy', 'loopback');
    outer.use((req, res, next) => {
      const who = req.get(PRINCIPAL_HEADER);
      if (!who) return api(req, res, next);
      keyFor(who).then((token) => {
        req.headers['x-api-key'] = token;
        api(req, res, next);
      }, next);
    });
    outer.use(errorHandler);
    server = await new Promise<Server>((resolve) => {
      const s = outer.listen(0, '127.0.0.1', () => resolve(s));
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  it('lists every route Express serves in ROUTE_POLICIES, with the same method and pattern', () => {
    const declared = new Set(ROUTE_POLICIES.map((p) => `${p.method} ${p.path}`));
    const served = expressRoutes(api);
    expect(served.length).toBeGreaterThan(100);
    // A route Express serves is declared with the same pattern, or falls under a declared wildcard (the docs' assets).
    const table = new RoutePolicyTable();
    const undeclared = served.filter((r) => {
      const [method, pattern] = r.split(' ') as [string, string];
      const policy = table.match(method, concretePath(pattern))?.policy;
      return !declared.has(r) && !(policy && policy.path.includes('*'));
    });
    expect(undeclared).toEqual([]);
  });

  /** Per route: a key holding its scope (ADMIN for routes without a permission), and a role refused it. All at once: most wait on Temporal's connect timeout. */
  async function probeAll(): Promise<Array<{ probe: Probe; status: number; detail: string }>> {
    const probes: Probe[] = [];
    for (const policy of ROUTE_POLICIES) {
      if (typeof policy.access === 'string') {
        probes.push({ policy, who: 'ADMIN' });
        continue;
      }
      const permission = policy.access.permission;
      const refused = ROLES.find((r) => !ROLE_PERMISSIONS[r].includes(permission));
      if (refused) probes.push({ policy, who: refused });
      probes.push({ policy, who: `key:${permission}` });
    }
    const out: Array<{ probe: Probe; status: number; detail: string }> = [];
    for (let i = 0; i < probes.length; i += 200) {
      const batch = probes.slice(i, i + 200);
      const answers = await Promise.all(batch.map((p) => send(server, p)));
      batch.forEach((probe, k) => out.push({ probe, status: answers[k]!.status, detail: String(answers[k]!.body?.detail ?? '') }));
    }
    return out;
  }

  it('serves every route of ROUTE_POLICIES, and refuses or lets through each as ROLE_PERMISSIONS says', async () => {
    const results = await probeAll();
    const missing = results.filter((r) => expectation(r.probe) === 'allowed' && r.status === 404 && r.detail.startsWith('No route for')).map((r) => `${r.probe.policy.method} ${r.probe.policy.path}`);
    // Here every caller is an API key: the routes of a person's own session (sign-out, step-up, MFA, password) refuse keys.
    const sessionOnly = (p: RoutePolicy) => p.access === 'authenticated' && p.path.startsWith('/auth/') && p.path !== '/auth/me';
    const expected = (p: Probe) => (sessionOnly(p.policy) ? 'forbidden' : expectation(p));
    const wrong = results.filter((r) => (r.status === 403) !== (expected(r.probe) === 'forbidden')).map((r) => `${r.probe.policy.method} ${r.probe.policy.path} as ${r.probe.who}: got ${r.status}`);
    expect({ missing, wrong }).toEqual({ missing: [], wrong: [] });
  });
});
