import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { PrismaAtolStore } from '../../activities/atol.prisma';
import type { PrismaCatalog } from '../../activities/catalog.prisma';
import type { PrismaChannelConfig } from '../../activities/channel-config.prisma';
import type { PrismaCustomerStore } from '../../activities/customers.prisma';
import type { PrismaFinanceConfig } from '../../activities/finance-config.prisma';
import type { PrismaInventory } from '../../activities/inventory.prisma';
import { TRANSACTION_TYPES } from '../../domain/ledger/translation';
import { calendarDateIn } from '../../domain/time/instant';
import type { PrismaClient } from '../../generated/prisma/client';
import { ProblemError } from '../problem';
import './audit-trail';

/** The current representation of a master-data resource, as its GET answers it, and its ETag when the route sets its own (a version). */
export interface Current {
  body: unknown;
  etag?: string;
}

/** Loads the resource a route pattern addresses; null when it does not exist. */
export type EtagLoader = (params: Record<string, string>, req: Request) => Promise<Current | null>;

export interface EtagDeps {
  prisma: PrismaClient;
  /** Loaders by route pattern (`/catalog/suppliers/:code`); see `masterDataLoaders`. */
  loaders?: Record<string, EtagLoader>;
}

/** A strong ETag of a JSON representation: the SHA-256 of the JSON the route sends. */
export function etagOfJson(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body) ?? '').digest('base64url')}"`;
}

/** The tags of an If-Match / If-None-Match header (`*` kept; weak prefixes kept, so they never match strongly). */
export function parseTags(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

const tagOf = (current: Current) => current.etag ?? etagOfJson(current.body);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const versionTag = (version: number) => `"${version}"`;

function preconditionFailed(header: string | null, current: string | null): ProblemError {
  return new ProblemError(
    412,
    'Precondition failed',
    current
      ? `If-Match ${header} does not match the current ETag ${current}: read the resource again and reapply the change`
      : `If-Match ${header} names a resource that does not exist`,
    '/problems/precondition-failed',
    { errors: [{ pointer: 'header:If-Match', detail: current ? `is ${header}; the current ETag is ${current}` : 'the resource does not exist' }] },
  );
}

function plainParams(params: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join('/') : v]));
}

/**
 * ETag and If-Match on master data (issue 9), for routes whose policy says `masterData`:
 * - GET answers a strong ETag (the route's own, e.g. a version, or the SHA-256 of the JSON body)
 *   and `If-None-Match` → 304 (Express's freshness check, given the ETag).
 * - PUT/PATCH/DELETE/POST on an existing resource load the current representation with the loader
 *   of the route pattern, put it in `res.locals.auditBefore`, and check `If-Match` (strong
 *   comparison, `*` = exists): a mismatch → 412 /problems/precondition-failed. If-Match is
 *   honoured, not required: without it the update proceeds. A successful write answers the new ETag.
 */
export function etags(deps: EtagDeps): RequestHandler {
  const loaders = deps.loaders ?? {};
  return (req: Request, res: Response, next: NextFunction) => {
    const matched = res.locals.route;
    if (!matched?.policy.masterData) return next();
    const loader = loaders[matched.policy.path];
    const params = plainParams(matched.params);

    if (req.method === 'GET' || req.method === 'HEAD') {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        if (res.statusCode >= 200 && res.statusCode < 300 && !res.get('ETag')) res.set('ETag', etagOfJson(body));
        return json(body);
      };
      return next();
    }
    if (!loader) return next();

    const run = async () => {
      const current = await loader(params, req);
      const header = req.get('if-match') ?? null;
      if (current) res.locals.auditBefore = current.body;
      if (header !== null) {
        const tags = parseTags(header);
        if (!current) throw preconditionFailed(header, null);
        const tag = tagOf(current);
        if (!tags.includes('*') && !tags.includes(tag)) throw preconditionFailed(header, tag);
      }
      // The new ETag on a successful write: the representation read again, as its GET would answer it.
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        if (res.statusCode < 200 || res.statusCode >= 300 || res.get('ETag')) return json(body);
        loader(params, req)
          .then((after) => {
            if (after && !res.headersSent) res.set('ETag', tagOf(after));
          })
          .catch((err: unknown) => req.log?.warn({ err }, 'etags: could not read the resource after the write'))
          .finally(() => json(body));
        return res;
      };
    };
    run().then(() => next(), next);
  };
}

/** A loader that answers null for a store error (not found), any other error propagating. */
const orNull =
  <T>(fn: () => Promise<T | null>, notFound: (err: unknown) => boolean) =>
  async (): Promise<T | null> => {
    try {
      return await fn();
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  };

export interface MasterDataStores {
  prisma: PrismaClient;
  catalog: PrismaCatalog;
  inventory: PrismaInventory;
  customers: PrismaCustomerStore;
  financeConfig: PrismaFinanceConfig;
  atol: PrismaAtolStore;
  channelConfig: PrismaChannelConfig;
  operatorTimeZone: string;
  now?: () => number;
}

/**
 * The loaders of the master-data routes: each reads the resource the way its GET route does, so
 * the ETag a write checks is the ETag the GET answered. Users, roles' IP allowlists and operations
 * resources carry a `version` column: their ETag is `"<version>"` (their GET routes set the same).
 */
export function masterDataLoaders(s: MasterDataStores): Record<string, EtagLoader> {
  const now = s.now ?? Date.now;
  const isKind = (err: unknown, kind: string) => (err as { kind?: unknown })?.kind === kind;
  const supplier: EtagLoader = async ({ code }) => {
    const found = await s.catalog.getSupplier(code!);
    return found ? { body: found, etag: versionTag(found.version) } : null;
  };
  const product: EtagLoader = async ({ supplierCode, productCode }) => {
    const found = await s.catalog.getProduct(supplierCode!, productCode!);
    return found ? { body: found, etag: versionTag(found.version) } : null;
  };
  const contract: EtagLoader = async ({ code }) => {
    const found = await s.inventory.getContract(code!);
    return found ? { body: found, etag: versionTag(found.version) } : null;
  };
  const customer: EtagLoader = async ({ id }) => {
    const today = calendarDateIn(now(), s.operatorTimeZone);
    const view = await s.customers.getCustomer360(id!, today);
    return view ? { body: { asOf: today, ...view } } : null;
  };
  const user: EtagLoader = async ({ id }) => {
    if (!UUID.test(id!)) return null;
    const row = await s.prisma.user.findUnique({
      where: { id: id! },
      select: { id: true, email: true, name: true, role: true, branch: true, advisorId: true, grants: true, ipAllowlist: true, mfaEnabled: true, lockedUntil: true, disabled: true, version: true, createdAt: true, updatedAt: true },
    });
    return row ? { body: row, etag: versionTag(row.version) } : null;
  };
  return {
    '/catalog/suppliers/:code': supplier,
    '/catalog/products/:supplierCode/:productCode': product,
    '/catalog/contracts/:code': contract,
    '/catalog/markup-rules': async () => ({ body: { items: await s.catalog.listMarkupRules() } }),
    '/customers/:id': customer,
    '/customers/:id/advisor': customer,
    '/finance/settings': async () => {
      const settings = await s.financeConfig.settings();
      return settings ? { body: settings } : null;
    },
    '/finance/translation-rules': async () => ({ body: { rules: await s.financeConfig.translationRules(), required: TRANSACTION_TYPES } }),
    '/finance/atol/licences/:number': async ({ number }) => {
      const licence = await orNull(() => s.atol.getLicence(number!), (err) => isKind(err, 'licence-not-found'))();
      return licence ? { body: licence } : null;
    },
    '/channel-connections/:code': async ({ code }) => {
      const connection = await s.channelConfig.getConnection(code!);
      return connection ? { body: connection } : null;
    },
    '/users/:id': user,
    '/users/:id/unlock': user,
    '/users/:id/mfa/reset': user,
    '/operations/resources/:id': async ({ id }) => {
      if (!UUID.test(id!)) return null;
      const row = await s.prisma.opsResource.findUnique({ where: { id: id! } });
      return row ? { body: row, etag: versionTag(row.version) } : null;
    },
    '/access/roles/:role/ip-allowlist': async ({ role }) => {
      const row = await s.prisma.roleAccessPolicy.findUnique({ where: { role: role as never } }).catch(() => null);
      return row ? { body: { role: row.role, ipAllowlist: row.ipAllowlist, version: row.version }, etag: versionTag(row.version) } : null;
    },
  };
}
