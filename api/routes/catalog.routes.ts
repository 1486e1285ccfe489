import express, { Router, type Request, type Response } from 'express';
import { WorkflowFailedError } from '@temporalio/client';
import { SearchCursorError, type AvailabilitySearch } from '../../activities/availability-search';
import { importCatalog, type ImportReport } from '../../activities/catalog-import';
import { CatalogError, type PrismaCatalog, type StoredProduct, type VersionExpectation } from '../../activities/catalog.prisma';
import { InventoryError, type HoldView, type InventoryErrorKind, type PrismaInventory } from '../../activities/inventory.prisma';
import type { RowProblem } from '../../domain/catalog/import-rows';
import type { MarkupRule, Product, StopSale, Supplier } from '../../domain/catalog/model';
import { PricingError } from '../../domain/catalog/pricing';
import { pathToPointer, type CatalogProblem } from '../../domain/catalog/problems';
import { checkAllotmentContract, checkMarkupRule, checkProduct, checkStopSale, checkSupplier, type CheckResult } from '../../domain/catalog/validation';
import { RateMissingError } from '../../domain/fx/rates';
import { calendarDateIn, isoDateOf, utcDate } from '../../domain/time/instant';
import type { PrismaClient } from '../../generated/prisma/client';
import type { TemporalClientProvider } from '../../infra/temporal';
import type { AllotmentReleaseResult, AllotmentReleaseWorkflow } from '../../workflows/catalog/allotment-release.workflow';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { NotFoundProblem, parseOrProblem, ProblemError, queryOf, type FieldError } from '../problem';
import {
  AvailabilityQuery,
  ContractDetailQuery,
  ContractListQuery,
  ContractPath,
  HoldPath,
  HoldRequest,
  ImportQuery,
  InventoryQuery,
  PatchContractRequest,
  PriceRequestBody,
  ProductListQuery,
  ProductPath,
  ReleasesQuery,
  SaleRequest,
  StartReleaseRequest,
  StopSaleListQuery,
  supplierAndProduct,
  StopSalePath,
  SupplierListQuery,
  SupplierPath,
} from '../schemas/catalog.schema';

export interface CatalogRouteDeps {
  prisma: PrismaClient;
  catalog: PrismaCatalog;
  inventory: PrismaInventory;
  search: AvailabilitySearch;
  temporal: TemporalClientProvider;
  /** IANA zone whose calendar says what "today" is (searches in the past, release dates). */
  operatorTimeZone: string;
  /** Clock for holds and sales (epoch ms); tests pass a fixed one. */
  now?: () => number;
  /** Seconds a hold lasts when the request gives no ttlSeconds (default 900). */
  defaultHoldTtlSeconds?: number;
}

/** Workflow id of a release run started by hand: one per run date, so a repeat joins or replays it. */
export const releaseWorkflowId = (date: string) => `catalog-release-${date}`;

/** Largest catalog file an import takes. */
const IMPORT_LIMIT = '20mb';

// ---------------------------------------------------------------------------------------------
// Problems

const fieldErrors = (problems: readonly CatalogProblem[], root = ''): FieldError[] =>
  problems.map((p) => ({ pointer: root + (p.path ? pathToPointer(p.path) : root ? '' : '/'), detail: p.message }));

/** A catalog record that cannot be accepted: 422 naming every problem. */
function invalid(what: string, problems: readonly CatalogProblem[], root = ''): ProblemError {
  return new ProblemError(422, 'Invalid request', `${problems.length} problem${problems.length === 1 ? '' : 's'} in the ${what}: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`, '/problems/invalid-request', {
    errors: fieldErrors(problems, root),
  });
}

function valid<T>(result: CheckResult<T>, what: string): T {
  if (!result.ok) throw invalid(what, result.problems);
  return result.value;
}

/** Conflicts with what is stored are 409, unknown resources named in the URL 404, input to fix 422. */
const INVENTORY_STATUS: Record<InventoryErrorKind, number> = {
  'invalid-request': 422,
  'invalid-contract': 422,
  'product-not-found': 422,
  'contract-conflict': 409,
  'contract-overlap': 409,
  'contract-in-use': 409,
  'quantity-below-used': 409,
  'contract-not-found': 404,
  'stop-sale-not-found': 404,
  'hold-not-found': 404,
  'sold-out': 409,
  'no-allotment': 409,
  'stop-sale': 409,
  'reference-conflict': 409,
  'hold-expired': 409,
  'hold-cancelled': 409,
  'group-size': 422,
};

const INVENTORY_TITLE: Partial<Record<InventoryErrorKind, string>> = {
  'sold-out': 'Sold out',
  'no-allotment': 'No allotment',
  'stop-sale': 'Stop sale',
  'reference-conflict': 'Reference already used',
  'hold-expired': 'Hold expired',
  'hold-cancelled': 'Hold cancelled',
};

function inventoryProblem(err: InventoryError): ProblemError {
  const status = INVENTORY_STATUS[err.kind];
  const detail = err.kind === 'sold-out' ? `sold out: ${err.message}` : err.message;
  const type = err.kind === 'sold-out' || err.kind === 'stop-sale' || err.kind === 'no-allotment' ? `/problems/${err.kind}` : `/problems/inventory-${err.kind}`;
  return new ProblemError(status, INVENTORY_TITLE[err.kind] ?? (status === 404 ? 'Not found' : status === 409 ? 'Conflict' : 'Invalid request'), detail, type, {
    errors: err.problems.length ? fieldErrors(err.problems) : [{ pointer: '/', detail: err.message }],
    ...(err.dates.length ? { dates: err.dates } : {}),
  });
}

function catalogProblem(err: CatalogError): ProblemError {
  const pointer = err.kind === 'unknown-product' ? '/productCode' : '/supplierCode';
  if (err.kind === 'version-mismatch') return preconditionFailed(undefined, err.currentVersion);
  if (err.kind === 'conflict' || err.kind === 'exists') return new ProblemError(409, 'Conflict', err.message, '/problems/catalog-conflict', { errors: [{ pointer: '/', detail: err.message }] });
  return new ProblemError(422, 'Invalid request', err.message, `/problems/catalog-${err.kind}`, { errors: [{ pointer, detail: err.message }] });
}

/** How a route words the refusals of a guarded catalog write (see `call`). */
interface WriteContext {
  /** The request whose If-Match header the write checked (named in a 412). */
  req?: Request;
  /** The answer when a create-only write finds the record exists (CatalogError 'exists'). */
  exists?: () => ProblemError;
  /** The answer when a replace-only write finds no record. */
  missing?: () => ProblemError;
}

/** Store refusals as problems; anything else goes to the error handler. */
async function call<T>(fn: () => Promise<T>, context: WriteContext = {}): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InventoryError) throw inventoryProblem(err);
    if (err instanceof CatalogError) {
      if (err.kind === 'version-mismatch') throw preconditionFailed(context.req?.get('if-match'), err.currentVersion);
      if (err.kind === 'exists' && context.exists) throw context.exists();
      if ((err.kind === 'unknown-supplier' || err.kind === 'unknown-product') && context.missing) throw context.missing();
      throw catalogProblem(err);
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// ETags: the stored version, strong (`"3"`); If-Match takes one or more, or `*`.

const etagOf = (version: number) => `"${version}"`;

const ifMatchTags = (header: string) => header.split(',').map((t) => t.trim().replace(/^W\//, ''));

function preconditionFailed(header: string | undefined, version: number | undefined): ProblemError {
  const current = version === undefined ? 'the current version' : `the current version ${etagOf(version)}`;
  return new ProblemError(412, 'Precondition failed', `If-Match ${header ?? ''} does not match ${current}: read the resource again and reapply the change`, '/problems/precondition-failed', {
    errors: [{ pointer: 'header:If-Match', detail: `is ${header ?? ''}; the current ETag is ${version === undefined ? 'another one' : etagOf(version)}` }],
  });
}

/** Compares If-Match with a version read before the write (contracts; catalog records use `ifMatchExpectation`). */
function checkIfMatch(req: Request, version: number): void {
  const header = req.get('if-match');
  if (header === undefined) return;
  const tags = ifMatchTags(header);
  if (tags.includes('*') || tags.includes(etagOf(version))) return;
  throw preconditionFailed(header, version);
}

/**
 * If-Match as a precondition the store checks inside the write's transaction (so a concurrent
 * write cannot slip in between check and write): undefined without the header or with `*` (the
 * record is known to exist: records are never deleted, only deactivated), else the versions of the
 * listed strong or weak tags (a tag that is not one of our ETags matches nothing: 412).
 */
function ifMatchExpectation(req: Request): VersionExpectation | undefined {
  const header = req.get('if-match');
  if (header === undefined) return undefined;
  const tags = ifMatchTags(header);
  if (tags.includes('*')) return undefined;
  return { version: tags.flatMap((t) => /^"(\d{1,15})"$/.exec(t)?.[1] ?? []).map(Number) };
}

/** The body of a PUT takes the code from the URL; a different code in the body is a problem. */
function withPathCodes(body: unknown, codes: Record<string, string>): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const merged: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  const problems: CatalogProblem[] = [];
  for (const [field, value] of Object.entries(codes)) {
    if (merged[field] === undefined) merged[field] = value;
    else if (merged[field] !== value) problems.push({ path: field, message: `is ${JSON.stringify(merged[field])} but the URL names ${value}; a code cannot be changed` });
  }
  if (problems.length) throw invalid('request', problems);
  return merged;
}

const pathOf = (req: Request) => ({ ...(req.params as Record<string, string>) });

// ---------------------------------------------------------------------------------------------

/**
 * The catalog API: suppliers, products, markup rules, catalog imports, prices and availability
 * search, allotment contracts and stop sales, holds and sales, inventory, allotment releases.
 * Every refusal is an RFC 9457 problem listing every offending field (`errors`).
 */
export function catalogRoutes(deps: CatalogRouteDeps): Router {
  const router = Router();
  const { catalog, inventory, search } = deps;
  const now = deps.now ?? Date.now;
  const today = () => calendarDateIn(now(), deps.operatorTimeZone);

  const unknownProduct = (supplierCode: string, productCode: string) =>
    new ProblemError(422, 'Invalid request', `Supplier ${supplierCode} has no product ${productCode}`, '/problems/unknown-product', {
      errors: [{ pointer: '/productCode', detail: `supplier ${supplierCode} has no product ${productCode}` }],
    });
  const productOrProblem = async (supplierCode: string, productCode: string): Promise<StoredProduct> => {
    const product = await catalog.getProduct(supplierCode, productCode);
    if (!product) throw unknownProduct(supplierCode, productCode);
    return product;
  };
  /** Whether the supplier exists (one indexed query, not the full supplier). */
  const supplierExists = async (code: string) => (await deps.prisma.supplier.findUnique({ where: { code }, select: { id: true } })) !== null;
  /** Whether the product exists (one indexed query, not the full product). */
  const productExists = async (supplierCode: string, productCode: string) =>
    (await deps.prisma.product.findFirst({ where: { code: productCode, supplier: { code: supplierCode } }, select: { id: true } })) !== null;
  /** The product's id alone (one indexed query): holds and sales need no more. */
  const productIdOrProblem = async (supplierCode: string, productCode: string): Promise<{ id: string; supplierCode: string; code: string }> => {
    const product = await deps.prisma.product.findFirst({ where: { code: productCode, supplier: { code: supplierCode } }, select: { id: true } });
    if (!product) throw unknownProduct(supplierCode, productCode);
    return { id: product.id, supplierCode, code: productCode };
  };

  // --- suppliers ------------------------------------------------------------------------------

  router.post('/catalog/suppliers', async (req, res) => {
    const supplier = valid(checkSupplier(req.body), 'supplier');
    // Create-only in the store: a concurrent POST of the same code gets the 409, never an update.
    const exists = () =>
      new ProblemError(409, 'Supplier exists', `Supplier ${supplier.code} already exists; change it with PUT /catalog/suppliers/${supplier.code}`, '/problems/supplier-exists', {
        errors: [{ pointer: '/code', detail: 'is already used by another supplier' }],
      });
    const { supplier: stored } = await call(() => catalog.upsertSupplier(supplier, { expect: 'absent' }), { exists });
    res.status(201).location(`/catalog/suppliers/${encodeURIComponent(stored.code)}`).set('ETag', etagOf(stored.version)).json(stored);
  });

  router.get('/catalog/suppliers', async (req, res) => {
    const q = parseOrProblem(SupplierListQuery, queryOf(req), 'query:', 400);
    res.json(await call(() => catalog.listSuppliers(q)));
  });

  router.get('/catalog/suppliers/:code', async (req, res) => {
    const { code } = parseOrProblem(SupplierPath, pathOf(req), 'path:', 400);
    const supplier = await catalog.getSupplier(code);
    if (!supplier) throw new NotFoundProblem(`No supplier ${code}`);
    res.set('ETag', etagOf(supplier.version)).json(supplier);
  });

  /** Replaces the supplier (its code stays). If-Match with the ETag guards against a lost update. */
  router.put('/catalog/suppliers/:code', async (req, res) => {
    const { code } = parseOrProblem(SupplierPath, pathOf(req), 'path:', 400);
    const supplier: Supplier = valid(checkSupplier(withPathCodes(req.body, { code })), 'supplier');
    const missing = () => new NotFoundProblem(`No supplier ${code}; create it with POST /catalog/suppliers`);
    if (!(await supplierExists(code))) throw missing();
    // If-Match is checked by the store against the row it locks for the write.
    const { supplier: stored } = await call(() => catalog.upsertSupplier(supplier, { expect: ifMatchExpectation(req) ?? 'present' }), { req, missing });
    search.invalidate();
    res.set('ETag', etagOf(stored.version)).json(stored);
  });

  /** Deactivates the supplier (kept for history; its products leave the search). */
  router.delete('/catalog/suppliers/:code', async (req, res) => {
    const { code } = parseOrProblem(SupplierPath, pathOf(req), 'path:', 400);
    const missing = () => new NotFoundProblem(`No supplier ${code}`);
    if (!(await supplierExists(code))) throw missing();
    const expect = ifMatchExpectation(req);
    await call(() => catalog.setSupplierActive(code, false, expect && { expect }), { req, missing });
    search.invalidate();
    res.status(204).end();
  });

  // --- products -------------------------------------------------------------------------------

  router.post('/catalog/products', async (req, res) => {
    const product: Product = valid(checkProduct(req.body), 'product');
    // Create-only in the store: a concurrent POST of the same product gets the 409, never an update.
    const exists = () =>
      new ProblemError(409, 'Product exists', `Supplier ${product.supplierCode} already has a product ${product.code}; change it with PUT`, '/problems/product-exists', {
        errors: [{ pointer: '/code', detail: `is already used by another product of ${product.supplierCode}` }],
      });
    const { product: stored } = await call(() => catalog.upsertProduct(product, { expect: 'absent' }), { exists });
    search.invalidate();
    res
      .status(201)
      .location(`/catalog/products/${encodeURIComponent(stored.supplierCode)}/${encodeURIComponent(stored.code)}`)
      .set('ETag', etagOf(stored.version))
      .json(stored);
  });

  router.get('/catalog/products', async (req, res) => {
    const { supplier, ...q } = parseOrProblem(ProductListQuery, queryOf(req), 'query:', 400);
    res.json(await call(() => catalog.listProducts({ ...q, supplierCode: supplier, destination: q.destination?.toUpperCase() })));
  });

  router.get('/catalog/products/:supplierCode/:productCode', async (req, res) => {
    const { supplierCode, productCode } = parseOrProblem(ProductPath, pathOf(req), 'path:', 400);
    const product = await catalog.getProduct(supplierCode, productCode);
    if (!product) throw new NotFoundProblem(`No product ${productCode} of supplier ${supplierCode}`);
    res.set('ETag', etagOf(product.version)).json(product);
  });

  router.put('/catalog/products/:supplierCode/:productCode', async (req, res) => {
    const { supplierCode, productCode } = parseOrProblem(ProductPath, pathOf(req), 'path:', 400);
    const product: Product = valid(checkProduct(withPathCodes(req.body, { supplierCode, code: productCode })), 'product');
    const missing = () => new NotFoundProblem(`No product ${productCode} of supplier ${supplierCode}; create it with POST /catalog/products`);
    if (!(await productExists(supplierCode, productCode))) throw missing();
    // If-Match is checked by the store against the row it locks for the write.
    const { product: stored } = await call(() => catalog.upsertProduct(product, { expect: ifMatchExpectation(req) ?? 'present' }), { req, missing });
    search.invalidate();
    res.set('ETag', etagOf(stored.version)).json(stored);
  });

  router.delete('/catalog/products/:supplierCode/:productCode', async (req, res) => {
    const { supplierCode, productCode } = parseOrProblem(ProductPath, pathOf(req), 'path:', 400);
    const missing = () => new NotFoundProblem(`No product ${productCode} of supplier ${supplierCode}`);
    if (!(await productExists(supplierCode, productCode))) throw missing();
    const expect = ifMatchExpectation(req);
    await call(() => catalog.setProductActive(supplierCode, productCode, false, expect && { expect }), { req, missing });
    search.invalidate();
    res.status(204).end();
  });

  // --- markup rules ---------------------------------------------------------------------------

  router.get('/catalog/markup-rules', async (_req, res) => {
    res.json({ items: await catalog.listMarkupRules() });
  });

  /** Sets the rule of one (productType, channel); null or absent = any. 201 when new, 200 otherwise. */
  router.put('/catalog/markup-rules', async (req, res) => {
    const rule: MarkupRule = valid(checkMarkupRule(req.body), 'markup rule');
    const { outcome, rule: stored } = await call(() => catalog.setMarkupRule(rule));
    search.invalidate();
    res.status(outcome === 'created' ? 201 : 200).json({ ...stored, outcome });
  });

  // --- imports --------------------------------------------------------------------------------

  /**
   * A catalog file (text/csv, or application/json: an array of records) checked and applied as one
   * import. 200 with the report when applied or a dry run; 422 with the report when nothing was
   * applied because of problems. The app exempts this path from its 100 kB JSON parser.
   */
  router.post(
    '/catalog/imports',
    express.text({ type: ['text/csv', 'application/csv', 'application/json', 'application/*+json'], limit: IMPORT_LIMIT }),
    async (req, res) => {
      const q = parseOrProblem(ImportQuery, queryOf(req), 'query:', 400);
      const format = req.is(['text/csv', 'application/csv']) ? 'csv' : req.is(['application/json', 'application/*+json']) ? 'json' : null;
      if (!format) {
        throw new ProblemError(415, 'Unsupported media type', `Send the catalog file as text/csv or application/json (got ${req.get('content-type') ?? 'no content type'})`, '/problems/unsupported-media-type', {
          errors: [{ pointer: 'header:Content-Type', detail: 'must be text/csv or application/json' }],
        });
      }
      // A JSON body already parsed by an app-level parser is taken as it is.
      const text = typeof req.body === 'string' ? req.body : req.body && typeof req.body === 'object' ? JSON.stringify(req.body) : '';
      if (text.trim() === '') throw new ProblemError(422, 'Invalid request', 'The catalog file is empty', '/problems/invalid-request', { errors: [{ pointer: '/', detail: 'is empty' }] });
      const report = await importCatalog(catalog, { kind: q.kind, format, text, source: q.source ?? `api upload (${format})` }, { dryRun: q.dryRun, skipBad: q.skipBad });
      if (report.applied) search.invalidate();
      if (report.applied || report.dryRun) {
        res.json(report);
        return;
      }
      throw importRefused(report, format);
    },
  );

  // --- prices and availability ----------------------------------------------------------------

  /** Prices one product for one request: the itemised breakdown, or 422 listing every problem. */
  router.post('/catalog/price', async (req, res) => {
    const body = parseOrProblem(PriceRequestBody, req.body);
    const product = await productOrProblem(body.supplierCode, body.productCode);
    try {
      res.json(
        await search.price({
          product,
          category: body.category,
          ratePlan: body.ratePlan,
          startDate: body.startDate,
          nights: body.nights,
          units: body.units,
          channel: body.channel,
          sellingCurrency: body.sellingCurrency,
          saleDate: today(),
        }),
      );
    } catch (err) {
      if (err instanceof PricingError) throw invalid('price request', err.problems.map(priceProblemInBody));
      if (err instanceof RateMissingError) {
        throw new ProblemError(422, 'Invalid request', err.message, '/problems/fx-rate-missing', { errors: [{ pointer: '/sellingCurrency', detail: err.message }] });
      }
      throw err;
    }
  });

  /**
   * Priced options for a stay in a destination, cheapest first (see AvailabilitySearch). Bad
   * parameters are a 400 naming each one.
   */
  router.get('/catalog/availability', async (req, res) => {
    const q = parseOrProblem(AvailabilityQuery, queryOf(req), 'query:', 400);
    const day = today();
    if (q.checkIn < day) {
      throw new ProblemError(400, 'Invalid request', `checkIn ${q.checkIn} is in the past (today is ${day} in ${deps.operatorTimeZone})`, '/problems/invalid-request', {
        errors: [{ pointer: 'query:/checkIn', detail: `must not be before today (${day})` }],
      });
    }
    try {
      res.json(await search.search(q));
    } catch (err) {
      if (err instanceof SearchCursorError) {
        throw new ProblemError(400, 'Invalid request', err.message, '/problems/invalid-request', { errors: [{ pointer: 'query:/cursor', detail: 'is not a nextCursor this search returned' }] });
      }
      throw err;
    }
  });

  // --- allotment contracts --------------------------------------------------------------------

  router.post('/catalog/contracts', async (req, res) => {
    const contract = valid(checkAllotmentContract(req.body), 'allotment contract');
    const { contract: stored, created } = await call(() => inventory.createContract(contract));
    if (created) res.status(201).location(`/catalog/contracts/${encodeURIComponent(stored.code)}`);
    res.set('ETag', etagOf(stored.version)).json(stored);
  });

  router.get('/catalog/contracts', async (req, res) => {
    const q = parseOrProblem(ContractListQuery, queryOf(req), 'query:', 400);
    let productId: string | undefined;
    if (q.product) {
      const product = await catalog.getProduct(q.supplier!, q.product);
      if (!product) {
        res.json({ items: [], nextCursor: null });
        return;
      }
      productId = product.id;
    }
    res.json(await call(() => inventory.listContracts({ productId, supplierCode: q.supplier, cursor: q.cursor, limit: q.limit })));
  });

  /** The contract and its inventory per date (all its dates, or from..to). */
  router.get('/catalog/contracts/:code', async (req, res) => {
    const { code } = parseOrProblem(ContractPath, pathOf(req), 'path:', 400);
    const q = parseOrProblem(ContractDetailQuery, queryOf(req), 'query:', 400);
    const contract = await inventory.getContract(code);
    if (!contract) throw new NotFoundProblem(`No allotment contract ${code}`);
    const rows = await inventory.inventoryRows(contract.productId, contract.category, q.from ?? contract.validFrom, q.to ?? contract.validTo);
    const own = rows.filter((r) => r.contractId === contract.id).map(({ contractId: _c, ...r }) => r);
    const totals = own.reduce((t, r) => ({ allotment: t.allotment + r.allotment, held: t.held + r.held, sold: t.sold + r.sold, released: t.released + r.released, available: t.available + r.available }), {
      allotment: 0,
      held: 0,
      sold: 0,
      released: 0,
      available: 0,
    });
    res.set('ETag', etagOf(contract.version)).json({ ...contract, inventory: { dates: own.length, totals, rows: own } });
  });

  /** Changes the units per date of the dates not yet released. */
  router.patch('/catalog/contracts/:code', async (req, res) => {
    const { code } = parseOrProblem(ContractPath, pathOf(req), 'path:', 400);
    const { quantity } = parseOrProblem(PatchContractRequest, req.body);
    const current = await inventory.getContract(code);
    if (!current) throw new NotFoundProblem(`No allotment contract ${code}`);
    checkIfMatch(req, current.version);
    const stored = await call(() => inventory.updateContractQuantity(code, quantity));
    res.set('ETag', etagOf(stored.version)).json(stored);
  });

  /** Cancels a contract with nothing held or sold (its unreleased inventory goes). */
  router.delete('/catalog/contracts/:code', async (req, res) => {
    const { code } = parseOrProblem(ContractPath, pathOf(req), 'path:', 400);
    res.json(await call(() => inventory.cancelContract(code)));
  });

  // --- stop sales -----------------------------------------------------------------------------

  router.post('/catalog/stop-sales', async (req, res) => {
    const stop: StopSale = valid(checkStopSale(req.body), 'stop sale');
    const stored = await call(() => inventory.addStopSale(stop));
    res.status(201).location(`/catalog/stop-sales/${stored.id}`).json(stored);
  });

  router.get('/catalog/stop-sales', async (req, res) => {
    const { supplier, product: productCode } = supplierAndProduct(parseOrProblem(StopSaleListQuery, queryOf(req), 'query:', 400));
    let productId: string | undefined;
    if (productCode) {
      const product = await catalog.getProduct(supplier!, productCode);
      if (!product) {
        res.json({ items: [] });
        return;
      }
      productId = product.id;
    }
    const items = await inventory.listStopSales(productId);
    res.json({ items: supplier && !productId ? items.filter((s) => s.supplierCode === supplier) : items });
  });

  router.delete('/catalog/stop-sales/:id', async (req, res) => {
    const { id } = parseOrProblem(StopSalePath, pathOf(req), 'path:', 400);
    await call(() => inventory.removeStopSale(id));
    res.status(204).end();
  });

  // --- holds and sales ------------------------------------------------------------------------

  const holdView = (hold: HoldView, product: Pick<StoredProduct, 'supplierCode' | 'code'>) => ({
    ...hold,
    supplierCode: product.supplierCode,
    productCode: product.code,
    expiresAt: hold.expiresAt === null ? null : new Date(hold.expiresAt).toISOString(),
    createdAt: new Date(hold.createdAt).toISOString(),
  });

  /** 201 for a new hold or sale, 200 for a repeat of the same request (idempotent by reference). */
  const take = async (req: Request, res: Response, kind: 'hold' | 'sale') => {
    const body = kind === 'hold' ? parseOrProblem(HoldRequest, req.body) : { ...parseOrProblem(SaleRequest, req.body), ttlSeconds: undefined };
    const product = await productIdOrProblem(body.supplierCode, body.productCode);
    const request = {
      reference: body.reference,
      productId: product.id,
      category: body.category,
      from: body.from,
      nights: body.nights,
      quantity: body.quantity,
      channel: body.channel,
      now: new Date(now()),
      ttlSeconds: body.ttlSeconds ?? deps.defaultHoldTtlSeconds ?? 900,
      ...(body.pax !== undefined ? { pax: body.pax } : {}),
    };
    const { hold, created } = await call(() => inventory.acquire(request, kind));
    if (created) res.status(201).location(`/catalog/holds/${encodeURIComponent(hold.reference)}`);
    res.json(holdView(hold, product));
  };

  const heldProduct = async (productId: string) => {
    const [product] = await catalog.getProductsByIds([productId]);
    return product ?? { supplierCode: '', code: '' };
  };

  router.post('/catalog/holds', (req, res) => take(req, res, 'hold'));
  router.post('/catalog/sales', (req, res) => take(req, res, 'sale'));

  router.get('/catalog/holds/:reference', async (req, res) => {
    const { reference } = parseOrProblem(HoldPath, pathOf(req), 'path:', 400);
    const hold = await inventory.getHold(reference);
    if (!hold) throw new NotFoundProblem(`No hold ${reference}`);
    res.json(holdView(hold, await heldProduct(hold.productId)));
  });

  router.post('/catalog/holds/:reference/confirm', async (req, res) => {
    const { reference } = parseOrProblem(HoldPath, pathOf(req), 'path:', 400);
    const hold = await call(() => inventory.confirmHold(reference, new Date(now())));
    res.json(holdView(hold, await heldProduct(hold.productId)));
  });

  router.delete('/catalog/holds/:reference', async (req, res) => {
    const { reference } = parseOrProblem(HoldPath, pathOf(req), 'path:', 400);
    const hold = await call(() => inventory.cancelHold(reference, new Date(now())));
    res.json(holdView(hold, await heldProduct(hold.productId)));
  });

  /** Inventory per date of one product (every category, or one), from..to inclusive. */
  router.get('/catalog/inventory', async (req, res) => {
    const q = parseOrProblem(InventoryQuery, queryOf(req), 'query:', 400);
    const { supplier, product: productCode } = supplierAndProduct(q) as { supplier: string; product: string };
    const product = await catalog.getProduct(supplier, productCode);
    if (!product) throw new NotFoundProblem(`No product ${productCode} of supplier ${supplier}`);
    const categories = q.category ? [q.category] : product.categories.map((c) => c.code);
    if (q.category && !product.categories.some((c) => c.code === q.category)) throw new NotFoundProblem(`Product ${productCode} has no category ${q.category}`);
    const rows = await Promise.all(categories.map(async (category) => ({ category, dates: await inventory.inventoryRows(product.id, category, q.from, q.to) })));
    res.json({ supplierCode: product.supplierCode, productCode: product.code, from: q.from, to: q.to, categories: rows });
  });

  // --- releases -------------------------------------------------------------------------------

  /**
   * Runs the allotment release for a date (today when absent; never a future date) and answers
   * with its summary. A repeat while that date's run is going joins it; once it has finished, a
   * repeat runs again, which is harmless (nothing is released twice) and picks up dates that
   * became due since (a contract entered later that day).
   */
  router.post('/catalog/releases', async (req, res) => {
    const { date: asked } = parseOrProblem(StartReleaseRequest, req.body ?? {});
    const day = today();
    if (asked && asked > day) {
      throw new ProblemError(422, 'Invalid request', `${asked} is after today (${day} in ${deps.operatorTimeZone}): allotments are never released ahead of time`, '/problems/invalid-request', {
        errors: [{ pointer: '/date', detail: `must not be after today (${day})` }],
      });
    }
    const date = asked ?? day;
    const client = await deps.temporal.get();
    const handle = await client.workflow.start<typeof AllotmentReleaseWorkflow>('AllotmentReleaseWorkflow', {
      taskQueue: TASK_QUEUES.catalog,
      workflowId: releaseWorkflowId(date),
      args: [{ date, timeZone: deps.operatorTimeZone }],
      // A run still going for this date is joined, not refused.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    let result: AllotmentReleaseResult;
    try {
      result = await handle.result();
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      const cause = err.cause as { type?: string; message?: string } | undefined;
      throw new ProblemError(422, 'Release failed', cause?.message ?? err.message, '/problems/release-failed', { failureType: cause?.type ?? null });
    }
    res.json({ workflowId: releaseWorkflowId(date), ...result });
  });

  /** The release audit: one row per inventory date given back, by run date from..to inclusive. */
  router.get('/catalog/releases', async (req, res) => {
    const q = parseOrProblem(ReleasesQuery, queryOf(req), 'query:', 400);
    const rows = await deps.prisma.allotmentRelease.findMany({
      where: { runDate: { gte: utcDate(q.from), lte: utcDate(q.to) } },
      orderBy: [{ runDate: 'asc' }, { contractId: 'asc' }, { stayDate: 'asc' }],
      take: 5001,
    });
    const contracts = await deps.prisma.allotmentContract.findMany({
      where: { id: { in: [...new Set(rows.map((r) => r.contractId))] } },
      include: { supplier: { select: { code: true } }, product: { select: { code: true } } },
    });
    const byId = new Map(contracts.map((c) => [c.id, c]));
    res.json({
      items: rows.slice(0, 5000).map((r) => ({
        contractCode: byId.get(r.contractId)?.code ?? null,
        supplierCode: byId.get(r.contractId)?.supplier.code ?? null,
        productCode: byId.get(r.contractId)?.product.code ?? null,
        category: r.category,
        stayDate: isoDateOf(r.stayDate),
        quantity: r.quantity,
        releaseOn: isoDateOf(r.releaseOn),
        runDate: isoDateOf(r.runDate),
        releasedAt: r.releasedAt.toISOString(),
        notifiedAt: r.notifiedAt ? r.notifiedAt.toISOString() : null,
      })),
      truncated: rows.length > 5000,
    });
  });

  return router;
}

/**
 * A pricing problem as a problem of the request body: problems of the stored product's data
 * (`product.rates[2].amount`) point at /productCode, of the exchange rate at /sellingCurrency, of
 * the markup rules at /channel; the rest name the body field.
 */
function priceProblemInBody(p: CatalogProblem): CatalogProblem {
  if (p.path.startsWith('product.') || p.path === 'product') return { path: 'productCode', message: `${p.path}: ${p.message}` };
  if (p.path === 'fxRate') return { path: 'sellingCurrency', message: p.message };
  if (p.path.startsWith('markupRules')) return { path: 'channel', message: `${p.path}: ${p.message}` };
  return p;
}

/** An import that applied nothing: 422 with the report and every problem located in the file. */
function importRefused(report: ImportReport, format: 'csv' | 'json'): ProblemError {
  const pointer = (p: RowProblem) => {
    if (p.row === 0) return p.field ? `/${p.field}` : '/';
    if (format === 'csv') return `line:${p.row}${p.field ? `/${p.field}` : ''}`;
    return `/${p.row - 1}${p.field ? pathToPointer(p.field) : ''}`;
  };
  return new ProblemError(422, 'Import refused', `Nothing was imported: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in the file (import again with skipBad=true to apply the good records)`, '/problems/import-refused', {
    errors: report.problems.map((p) => ({ pointer: pointer(p), detail: p.problem })),
    report,
  });
}
