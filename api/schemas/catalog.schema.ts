import { z } from 'zod';
import { BOARD_BASES, CATALOG_PRODUCT_TYPES, SUPPLIER_TYPES } from '../../domain/catalog/model';
import {
  AllotmentContractSchema,
  GroundServiceProductSchema,
  HotelProductSchema,
  InsuranceProductSchema,
  MarkupRuleSchema,
  StopSaleSchema,
  SupplierSchema,
  TourProductSchema,
} from '../../domain/catalog/validation';
import { SALES_CHANNELS } from '../../domain/ledger/chart';
import { CurrencyCode, IsoDate } from '../../domain/schemas/common.schema';
import { isIsoDate } from '../../domain/time/instant';
import { CommissionScheduleView } from '../openapi/responses';
import { CalendarDay, DecimalText, EpochMs, Instant, ListView, PageView } from './answer.schema';

/**
 * Catalog requests: URL queries, path parameters, and the bodies of the operational endpoints
 * (holds, sales, prices, releases). The catalog entities themselves (suppliers, products,
 * contracts, stop sales, markup rules) are validated by `domain/catalog/validation.ts`, whose
 * problems come back as 422 with the same JSON Pointers; they are not redefined here.
 */

/**
 * Cross-field checks run even when some field is wrong, so every problem is reported at once;
 * each check looks only at fields that parsed.
 */
export const ALWAYS = { when: () => true };
const isDate = (v: unknown): v is string => typeof v === 'string' && isIsoDate(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const Code = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(CODE_PATTERN, 'may contain only letters, digits and . _ - (starting with a letter or digit)');
export const SupplierCode = Code(32);
export const ProductCode = Code(48);
export const CategoryCode = Code(32);
export const ContractCode = Code(48);
export const HoldReference = Code(128);

/** Query booleans: `true`/`false` only, so a typo is reported, not read as false. */
const QueryBool = z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true');

const Limit = (max: number, dflt: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`).default(dflt);
const Cursor = z.string().min(1).max(512).regex(/^[A-Za-z0-9_-]+$/, 'must be a nextCursor this endpoint returned');

export const SupplierPath = z.strictObject({ code: SupplierCode });
export const ProductPath = z.strictObject({ supplierCode: SupplierCode, productCode: ProductCode });
export const ContractPath = z.strictObject({ code: ContractCode });
export const HoldPath = z.strictObject({ reference: HoldReference });
export const StopSalePath = z.strictObject({ id: z.uuid('must be a stop sale id (a UUID)') });

export const SupplierListQuery = z.strictObject({
  type: z.enum(SUPPLIER_TYPES).optional(),
  active: QueryBool.optional(),
  q: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
  cursor: Cursor.optional(),
  limit: Limit(200, 50),
});
export type SupplierListQuery = z.infer<typeof SupplierListQuery>;

export const ProductListQuery = z.strictObject({
  supplier: SupplierCode.optional(),
  type: z.enum(CATALOG_PRODUCT_TYPES).optional(),
  destination: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').optional(),
  active: QueryBool.optional(),
  q: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
  cursor: Cursor.optional(),
  limit: Limit(200, 50),
});
export type ProductListQuery = z.infer<typeof ProductListQuery>;

export const ContractListQuery = z
  .strictObject({
    supplier: SupplierCode.optional(),
    product: ProductCode.optional().meta({ description: 'Needs supplier (product codes are unique per supplier)' }),
    cursor: ContractCode.optional().meta({ description: 'The nextCursor of the previous page' }),
    limit: Limit(500, 100),
  })
  .superRefine((v, ctx) => {
    if (v.product !== undefined && v.supplier === undefined) ctx.addIssue({ code: 'custom', path: ['supplier'], message: 'is required with product' });
  }, ALWAYS);

export const ContractDetailQuery = z.strictObject({ from: IsoDate.optional(), to: IsoDate.optional() });

export const PatchContractRequest = z.strictObject({
  quantity: z.number({ message: 'must be a whole number' }).int('must be a whole number').min(0, 'must not be negative').max(100_000, 'must be at most 100000'),
});

/**
 * Query filters name what they filter by: `supplier` and `product` (codes), as every list does.
 * `supplierCode` and `productCode`, the names stop sales and inventory took first, are still
 * accepted as deprecated aliases; sending both names with different values is refused.
 */
const SupplierProductFilter = {
  supplier: SupplierCode.optional(),
  product: ProductCode.optional().meta({ description: 'Needs supplier (product codes are unique per supplier)' }),
  supplierCode: SupplierCode.optional().meta({ deprecated: true, description: 'Deprecated: the old name of supplier' }),
  productCode: ProductCode.optional().meta({ deprecated: true, description: 'Deprecated: the old name of product' }),
};

/** A query naming a supplier and product under the current or the deprecated names. */
type SupplierProductQuery = { supplier?: string | undefined; product?: string | undefined; supplierCode?: string | undefined; productCode?: string | undefined };

/** The supplier and product a query names, under either name (checked by `checkAliases`). */
export function supplierAndProduct(q: SupplierProductQuery): { supplier?: string; product?: string } {
  const supplier = q.supplier ?? q.supplierCode;
  const product = q.product ?? q.productCode;
  return { ...(supplier !== undefined ? { supplier } : {}), ...(product !== undefined ? { product } : {}) };
}

function checkAliases(v: SupplierProductQuery, ctx: z.RefinementCtx, required: boolean): void {
  if (v.supplier !== undefined && v.supplierCode !== undefined && v.supplier !== v.supplierCode) ctx.addIssue({ code: 'custom', path: ['supplierCode'], message: 'is the old name of supplier and differs from it: send supplier only' });
  if (v.product !== undefined && v.productCode !== undefined && v.product !== v.productCode) ctx.addIssue({ code: 'custom', path: ['productCode'], message: 'is the old name of product and differs from it: send product only' });
  const { supplier, product } = supplierAndProduct(v);
  if (required) {
    if (supplier === undefined) ctx.addIssue({ code: 'custom', path: ['supplier'], message: 'is required' });
    if (product === undefined) ctx.addIssue({ code: 'custom', path: ['product'], message: 'is required' });
  } else if (product !== undefined && supplier === undefined) {
    ctx.addIssue({ code: 'custom', path: ['supplier'], message: 'is required with product' });
  }
}

export const StopSaleListQuery = z.strictObject(SupplierProductFilter).superRefine((v, ctx) => checkAliases(v, ctx, false), ALWAYS);

export const ImportQuery = z.strictObject({
  kind: z.enum(['suppliers', 'products', 'markup-rules'], { message: 'must be suppliers, products or markup-rules' }),
  dryRun: QueryBool.default(false),
  skipBad: QueryBool.default(false),
  source: z.string().trim().min(1).max(200).optional(),
});

const Channel = z.enum(SALES_CHANNELS);
const Age = z.number({ message: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more').max(17, 'a child is at most 17');

export const Unit = z.strictObject({
  adults: z.number({ message: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more').max(20, 'must be at most 20'),
  childAges: z.array(Age).max(10, 'at most 10 children per unit').default([]),
});

export const PriceRequestBody = z
  .strictObject({
    supplierCode: SupplierCode,
    productCode: ProductCode,
    category: CategoryCode,
    ratePlan: Code(32).optional(),
    startDate: IsoDate,
    nights: z.number({ message: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more').max(90, 'must be at most 90'),
    units: z.array(Unit).min(1, 'must list at least one unit').max(20, 'at most 20 units'),
    channel: Channel.default('direct'),
    sellingCurrency: CurrencyCode,
  })
  .superRefine((v, ctx) => {
    if (!Array.isArray(v.units)) return;
    v.units.forEach((u, i) => {
      if (u && isInt(u.adults) && Array.isArray(u.childAges) && u.adults + u.childAges.length === 0) ctx.addIssue({ code: 'custom', path: ['units', i], message: 'must have at least one traveller' });
    });
  }, ALWAYS);
export type PriceRequestBody = z.infer<typeof PriceRequestBody>;

/** Nights between two calendar dates (checkOut after checkIn gives 1 or more). */
export function nightsBetween(from: string, toExclusive: string): number {
  return Math.round((Date.parse(`${toExclusive}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Longest stay a search covers (inventory of each night is read). */
export const MAX_SEARCH_NIGHTS = 30;

/**
 * `GET /catalog/availability`. `adults` and `childAges` are the whole party, shared among `rooms`
 * units (see `splitParty`). Tours: `checkIn` is the departure date, `checkOut` the return.
 */
export const AvailabilityQuery = z
  .strictObject({
    destination: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').transform((d) => d.toUpperCase()),
    checkIn: IsoDate,
    checkOut: IsoDate,
    adults: z.coerce.number({ message: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(40, 'must be at most 40').default(2),
    childAges: z
      .string()
      .default('')
      .transform((s, ctx) => {
        if (s.trim() === '') return [];
        const ages: number[] = [];
        for (const [i, part] of s.split(',').entries()) {
          const t = part.trim();
          if (!/^\d{1,2}$/.test(t) || Number(t) > 17) {
            ctx.addIssue({ code: 'custom', message: `child age ${i + 1} ("${t}") must be a whole number from 0 to 17` });
          } else ages.push(Number(t));
        }
        if (ages.length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 children' });
        return ages;
      }),
    rooms: z.coerce.number({ message: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(20, 'must be at most 20').default(1),
    type: z.enum(CATALOG_PRODUCT_TYPES).optional(),
    channel: Channel.default('direct'),
    currency: CurrencyCode,
    detail: QueryBool.default(false),
    cursor: Cursor.optional(),
    limit: Limit(100, 20),
  })
  .superRefine((v, ctx) => {
    if (isDate(v.checkIn) && isDate(v.checkOut)) {
      const nights = nightsBetween(v.checkIn, v.checkOut);
      if (nights < 1) ctx.addIssue({ code: 'custom', path: ['checkOut'], message: `must be after checkIn (${v.checkIn})` });
      else if (nights > MAX_SEARCH_NIGHTS) ctx.addIssue({ code: 'custom', path: ['checkOut'], message: `a search covers at most ${MAX_SEARCH_NIGHTS} nights` });
    }
    if (isInt(v.adults) && isInt(v.rooms) && v.rooms > v.adults) {
      ctx.addIssue({ code: 'custom', path: ['rooms'], message: `each room needs an adult: ${v.rooms} rooms for ${v.adults} adults` });
    }
  }, ALWAYS);
export type AvailabilityQuery = z.infer<typeof AvailabilityQuery>;

const Quantity = z.number({ message: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500');
const SaleFields = {
  reference: HoldReference,
  supplierCode: SupplierCode,
  productCode: ProductCode,
  category: CategoryCode,
  from: IsoDate.meta({ description: 'First night (hotels) or departure date (tours)' }),
  nights: z.number({ message: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(90, 'must be at most 90'),
  quantity: Quantity,
  channel: z.string().min(1).max(32).regex(CODE_PATTERN, 'may contain only letters, digits and . _ -').default('api'),
  pax: z
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(999, 'must be at most 999')
    .optional()
    .meta({ description: 'People travelling on these units: checked against the contract\'s min/max group size' }),
};

export const HoldRequest = z.strictObject({
  ...SaleFields,
  ttlSeconds: z.number({ message: 'must be a whole number' }).int('must be a whole number').min(30, 'must be at least 30').max(7 * 86_400, 'must be at most 604800 (7 days)').optional(),
});
export type HoldRequest = z.infer<typeof HoldRequest>;

export const SaleRequest = z.strictObject(SaleFields);
export type SaleRequest = z.infer<typeof SaleRequest>;

export const InventoryQuery = z
  .strictObject({ ...SupplierProductFilter, supplier: SupplierCode.optional().meta({ description: 'Required' }), product: ProductCode.optional().meta({ description: 'Required' }), category: CategoryCode.optional(), from: IsoDate, to: IsoDate })
  .superRefine((v, ctx) => {
    checkAliases(v, ctx, true);
    if (isDate(v.from) && isDate(v.to)) {
      const days = nightsBetween(v.from, v.to);
      if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: `must not be before from (${v.from})` });
      else if (days > 400) ctx.addIssue({ code: 'custom', path: ['to'], message: 'covers at most 400 days' });
    }
  }, ALWAYS);

export const StartReleaseRequest = z.strictObject({ date: IsoDate.optional().meta({ description: 'Operator-calendar day to release for; today when absent' }) });

export const ReleasesQuery = z
  .strictObject({ from: IsoDate, to: IsoDate })
  .superRefine((v, ctx) => {
    if (isDate(v.from) && isDate(v.to) && v.to < v.from) ctx.addIssue({ code: 'custom', path: ['to'], message: `must not be before from (${v.from})` });
  }, ALWAYS);

// ---------------------------------------------------------------------------------------------
// Answers (OpenAPI response schemas; the catalog, availability and booking API tests parse the
// real answers with them). The entities answer what `domain/catalog/validation.ts` accepts, as
// stored (every default filled in), with the store's own fields: each mirrors the store's view in
// activities/catalog.prisma.ts or inventory.prisma.ts as the route sends it.

/** A request shape as answered: a field the request may leave out for its default is always there. */
function answered<S extends z.core.$ZodLooseShape>(shape: S): { [K in keyof S]: S[K] extends z.ZodDefault<infer T> ? T : S[K] } {
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v instanceof z.ZodDefault ? v.unwrap() : v])) as never;
}

const Stamps = {
  version: z.number().int().min(1).meta({ description: 'The ETag without quotes: send it back as If-Match' }),
  createdAt: EpochMs,
  updatedAt: EpochMs,
};

/** `SupplierView`: the supplier, its version, and its commission schedules. */
export const SupplierView = z
  .strictObject({
    ...answered(SupplierSchema.shape),
    ...Stamps,
    commissionSchedules: z.array(CommissionScheduleView).meta({ description: 'The supplier’s commission schedules (GET /finance/commission-schedules)' }),
  })
  .meta({ id: 'SupplierView' });

const ProductStamps = { id: z.uuid(), ...Stamps };
/** `StoredProduct`: the product as stored (one of four types), with its id and version. */
export const ProductView = z
  .discriminatedUnion('type', [
    z.strictObject({ ...answered(TourProductSchema.shape), ...ProductStamps }),
    z.strictObject({ ...answered(HotelProductSchema.shape), ...ProductStamps }),
    z.strictObject({ ...answered(GroundServiceProductSchema.shape), ...ProductStamps }),
    z.strictObject({ ...answered(InsuranceProductSchema.shape), ...ProductStamps }),
  ])
  .meta({ id: 'ProductView' });

export const SupplierPageResponse = PageView(SupplierView);
export const ProductPageResponse = PageView(ProductView);

const MarkupRuleView = z.strictObject(answered(MarkupRuleSchema.shape));
/** `GET /catalog/markup-rules`: every rule, by product type then channel (null: any). */
export const MarkupRuleListResponse = ListView(MarkupRuleView);
/** `PUT /catalog/markup-rules`: the rule as stored and what the write did. */
export const MarkupRuleOutcomeResponse = z.strictObject({
  ...MarkupRuleView.shape,
  outcome: z.enum(['created', 'updated', 'unchanged']).meta({ description: 'created answers 201; updated and unchanged 200' }),
});

const PriceLineView = z.strictObject({
  kind: z.string().meta({ description: 'BASE, CHILD, SINGLE_SUPPLEMENT, EXTRA_NIGHT or TAX' }),
  description: z.string(),
  date: CalendarDay.optional().meta({ description: 'The night or service date the line is for, when it is for one' }),
  quantity: z.number(),
  unitCost: DecimalText,
  cost: DecimalText.meta({ description: 'In the supplier currency' }),
  sell: DecimalText.meta({ description: 'In the selling currency' }),
});

/** `POST /catalog/price` (`PriceBreakdown`): the itemised price of one product for one request. */
export const PriceBreakdownResponse = z
  .strictObject({
    productCode: z.string(),
    category: z.string(),
    ratePlan: z.string(),
    supplierCurrency: z.string(),
    sellingCurrency: z.string(),
    fxRate: DecimalText.meta({ description: 'Units of selling currency per unit of supplier currency ("1" when the same)' }),
    lines: z.array(PriceLineView),
    totalCost: DecimalText.meta({ description: 'In the supplier currency' }),
    totalSellNet: DecimalText.meta({ description: 'In the selling currency, before taxes' }),
    totalTax: DecimalText,
    totalSell: DecimalText.meta({ description: 'totalSellNet + totalTax' }),
  })
  .meta({ id: 'PriceBreakdown' });

/** `GET /catalog/availability` (`SearchResult`): priced options for the stay, cheapest first. */
export const AvailabilityResponse = z
  .strictObject({
    destination: z.string(),
    checkIn: CalendarDay,
    checkOut: CalendarDay,
    nights: z.number().int(),
    units: z.array(z.strictObject({ adults: z.number().int(), childAges: z.array(z.number().int()) })).meta({ description: 'How the party was shared among the rooms priced' }),
    currency: z.string(),
    channel: z.enum(SALES_CHANNELS),
    total: z.number().int().min(0).meta({ description: 'Options on every page' }),
    items: z.array(
      z.strictObject({
        supplierCode: z.string(),
        productCode: z.string(),
        productName: z.string(),
        type: z.enum(CATALOG_PRODUCT_TYPES),
        category: z.string(),
        categoryName: z.string(),
        ratePlan: z.string().meta({ description: 'Send it as the component’s ratePlan when booking' }),
        boardBasis: z.enum(BOARD_BASES).nullable(),
        available: z.number().int().min(0).meta({ description: 'Fewest units free on any date of the stay' }),
        currency: z.string(),
        totalSell: DecimalText,
        totalSellNet: DecimalText,
        totalTax: DecimalText,
        totalCost: DecimalText.meta({ description: 'In `costCurrency`, the product’s currency' }),
        costCurrency: z.string(),
        fxRate: DecimalText,
        lines: z.array(PriceLineView).optional().meta({ description: 'With `detail=true` only' }),
      }),
    ),
    nextCursor: z.string().nullable(),
    skipped: z
      .strictObject({
        count: z.number().int().min(0),
        reasons: z.array(z.strictObject({ supplierCode: z.string(), productCode: z.string(), category: z.string(), ratePlan: z.string().nullable(), reason: z.string() })).meta({ description: 'The first 25' }),
      })
      .meta({ description: 'Options that could not be offered (no rate, no inventory, a stop sale...), and why' }),
  })
  .meta({ id: 'AvailabilityResult' });

/** `StoredContract`: an allotment contract as stored. */
export const ContractView = z
  .strictObject({
    ...answered(AllotmentContractSchema.shape),
    id: z.uuid(),
    productId: z.uuid(),
    status: z.enum(['ACTIVE', 'CANCELLED']),
    version: Stamps.version,
    createdAt: EpochMs,
  })
  .meta({ id: 'AllotmentContractView' });
export const ContractPageResponse = PageView(ContractView);

const InventoryCounts = {
  allotment: z.number().int(),
  held: z.number().int(),
  sold: z.number().int(),
  released: z.number().int(),
  available: z.number().int(),
};
/** `InventoryRowView`: one inventory date of one contract. */
const InventoryRow = z.strictObject({
  stayDate: CalendarDay,
  contractId: z.uuid(),
  ...InventoryCounts,
  releaseOn: CalendarDay.nullable().meta({ description: 'When unsold units go back to the supplier (null: never)' }),
  releasedAt: EpochMs.nullable(),
  version: z.number().int(),
});

/** `GET /catalog/contracts/{code}`: the contract with its inventory per date. */
export const ContractDetailResponse = z
  .strictObject({
    ...ContractView.shape,
    inventory: z.strictObject({ dates: z.number().int().min(0), totals: z.strictObject(InventoryCounts), rows: z.array(InventoryRow.omit({ contractId: true })) }),
  })
  .meta({ id: 'AllotmentContractDetail' });

/** `StoredStopSale`. */
export const StopSaleView = z
  .strictObject({ ...answered(StopSaleSchema.shape), id: z.uuid(), productId: z.uuid(), createdAt: EpochMs })
  .meta({ id: 'StopSaleView' });
export const StopSaleListResponse = ListView(StopSaleView);

/** A hold or sale (`HoldView` with the product's codes; instants as ISO text). */
export const HoldResponse = z
  .strictObject({
    reference: z.string(),
    productId: z.uuid(),
    supplierCode: z.string(),
    productCode: z.string(),
    category: z.string(),
    from: CalendarDay,
    toExclusive: CalendarDay,
    nights: z.number().int(),
    quantity: z.number().int(),
    status: z.enum(['HELD', 'SOLD', 'EXPIRED', 'CANCELLED']),
    channel: z.string(),
    expiresAt: Instant.nullable().meta({ description: 'null for a sale' }),
    createdAt: Instant,
  })
  .meta({ id: 'InventoryHold' });

/** `GET /catalog/inventory`: per category, the inventory of each date from..to. */
export const InventoryResponse = z
  .strictObject({
    supplierCode: z.string(),
    productCode: z.string(),
    from: CalendarDay,
    to: CalendarDay,
    categories: z.array(z.strictObject({ category: z.string(), dates: z.array(InventoryRow) })),
  })
  .meta({ id: 'Inventory' });

/** `POST /catalog/releases` (`AllotmentReleaseResult` with the run's workflow id). */
export const ReleaseRunResponse = z
  .strictObject({
    workflowId: z.string(),
    runDate: CalendarDay,
    holdsExpired: z.number().int().min(0).meta({ description: 'Lapsed holds expired first, so their units were released too' }),
    unitsReleased: z.number().int().min(0),
    contractsReleased: z.number().int().min(0),
    notificationsSent: z.number().int().min(0),
  })
  .meta({ id: 'AllotmentReleaseRun' });

/** `GET /catalog/releases`: the release audit, at most 5000 rows. */
export const ReleaseListResponse = z.strictObject({
  items: z.array(
    z.strictObject({
      contractCode: z.string().nullable(),
      supplierCode: z.string().nullable(),
      productCode: z.string().nullable(),
      category: z.string(),
      stayDate: CalendarDay,
      quantity: z.number().int(),
      releaseOn: CalendarDay,
      runDate: CalendarDay,
      releasedAt: Instant,
      notifiedAt: Instant.nullable().meta({ description: 'When the supplier was told (null: not yet)' }),
    }),
  ),
  truncated: z.boolean().meta({ description: 'More than 5000 rows: narrow from..to' }),
});

/** `POST /catalog/imports` (`ImportReport`). */
export const ImportReportResponse = z
  .strictObject({
    runId: z.string(),
    kind: z.enum(['suppliers', 'products', 'markup-rules']),
    source: z.string(),
    dryRun: z.boolean(),
    skipBad: z.boolean(),
    total: z.number().int().min(0).meta({ description: 'Records in the file (a product of many CSV rows is one record)' }),
    created: z.number().int().min(0),
    updated: z.number().int().min(0),
    unchanged: z.number().int().min(0),
    skipped: z.number().int().min(0),
    problems: z
      .array(z.strictObject({ row: z.number().int().min(0), field: z.string(), problem: z.string() }))
      .meta({ description: 'Row by row: CSV file lines (header = 1) or JSON array index + 1; 0 = the whole file' }),
    inactiveSuppliersSkipped: z.array(z.string()),
    skippedRecords: z.array(z.strictObject({ row: z.number().int(), key: z.string(), reason: z.enum(['invalid', 'inactive-supplier']) })),
    applied: z.boolean().meta({ description: 'The database now holds the file’s (good) records' }),
    startedAt: EpochMs,
    durationMs: z.number().int().min(0),
  })
  .meta({ id: 'CatalogImportReport' });
