import { electronicFormatIBAN, getCountrySpecifications, isValidBIC, validateIBAN, ValidationErrorsIBAN } from 'ibantools';
import { z } from 'zod';
import { SALES_CHANNELS } from '../ledger/chart';
import { isCurrencyCode } from '../money/currency';
import { checkAmount, Dec } from '../money/money';
import { CurrencyCode, ExternalId, IsoDate } from '../schemas/common.schema';
import { isIsoDate } from '../time/instant';
import { addDays, isoWeekday } from './dates';
import {
  ALL_WEEKDAYS,
  BOARD_BASES,
  CATALOG_PRODUCT_TYPES,
  FEE_BASES,
  FEE_SCOPES,
  GROUND_SERVICE_KINDS,
  PAYMENT_METHODS,
  RATE_BASES,
  SUPPLIER_TYPES,
  TAX_KINDS,
  type AllotmentContract,
  type MarkupRule,
  type Product,
  type StopSale,
  type Supplier,
} from './model';
import { CatalogValidationError, formatPath, type CatalogProblem } from './problems';

/**
 * Validation of catalog input: zod 4 schemas over the `model.ts` types (shapes, formats, ranges)
 * plus the cross-field rules below. Every problem is collected, never only the first: the
 * cross-field rules still run when some fields are malformed, and skip only the comparisons that
 * need those fields.
 *
 * Rules decided here:
 * - Amounts are non-negative decimal strings (never JSON numbers) with at most the currency's
 *   decimal places (product currency for rates and fixed taxes, window currency for FIXED policy
 *   windows, contract currency for contracted prices). Percentages: decimal strings, at most 4
 *   decimals (NUMERIC(7,4) in the database), 0..100 (markups 0 up to but excluding 1000).
 * - IBANs are stored in electronic form (spaces and hyphens removed, upper case) and must pass
 *   ISO 13616 (country, length, national format, mod-97 checksum). BICs likewise upper case.
 *   A supplier paid by BANK_TRANSFER or DIRECT_DEBIT needs an IBAN or an account number.
 * - Policy windows: `toDaysBefore` >= -1 (-1 = no-show), `fromDaysBefore` >= `toDaysBefore` and
 *   >= 0 except for the no-show-only window (-1..-1); windows of one policy must not overlap.
 *   FIXED windows need a currency; PERCENT windows must not carry one.
 * - Seasons: within one (category, rate plan), no two rates may apply to the same date on a
 *   shared weekday; each overlap is reported once, naming both rates and the first and last
 *   overlapping dates.
 * - Tours: each departure that is not CANCELLED must be priced for every category by some rate
 *   (its season and weekdays include the departure date).
 * - Fixed-date releases: each `releaseOn` must be strictly before its `arrivalsFrom`; the arrival
 *   ranges lie inside the contract's span and do not overlap.
 */

// ---------------------------------------------------------------------------------------------
// Building blocks

type Loose = Record<string, unknown>;
type Ctx = z.core.$RefinementCtx<unknown>;

const isObject = (x: unknown): x is Loose => typeof x === 'object' && x !== null && !Array.isArray(x);
const asDate = (x: unknown): string | null => (typeof x === 'string' && isIsoDate(x) ? x : null);
const asInt = (x: unknown): number | null => (Number.isSafeInteger(x) ? (x as number) : null);
const asString = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const asCurrency = (x: unknown): string | null => (typeof x === 'string' && isCurrencyCode(x) ? x : null);
const asArray = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const asObjects = (x: unknown): [Loose, number][] =>
  asArray(x).flatMap((item, i): [Loose, number][] => (isObject(item) ? [[item, i]] : []));

/** Object-level rules run whenever the input is an object, even when some fields failed. */
const WHEN_OBJECT = { when: (payload: { value: unknown }) => isObject(payload.value) };

function issue(ctx: Ctx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message, input: undefined });
}

const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const PERCENT_DECIMALS = 4;

/** A code such as a supplier, product or category code, bounded by its column's width. */
const code = (max: number) => ExternalId.max(max, `must be at most ${max} characters`);
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const wholeNumber = (min: number, max: number) =>
  z.int(`must be a whole number from ${min} to ${max}`).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/**
 * An amount as a decimal string: format, sign and size checked here; the decimal places allowed
 * by the currency are checked by the object that knows the currency.
 */
export const AmountText = z
  .string()
  .superRefine((amount, ctx) => {
    for (const problem of checkAmount(amount, '')) ctx.addIssue({ code: 'custom', message: problem.message, input: amount });
  })
  .meta({ description: 'Non-negative decimal string, never a JSON number', examples: ['149.90'] });

/** A percentage as a decimal string, 0..max (inclusive unless `exclusiveMax`), at most 4 decimals. */
export function percentText(max: number, opts: { exclusiveMax?: boolean } = {}) {
  return z
    .string()
    .superRefine((value, ctx) => {
      for (const message of percentProblems(value, max, opts)) ctx.addIssue({ code: 'custom', message, input: value });
    })
    .meta({ description: `Percentage as a decimal string, 0 to ${max}${opts.exclusiveMax ? ' (exclusive)' : ''}`, examples: ['12.5'] });
}

function percentProblems(value: string, max: number, opts: { exclusiveMax?: boolean } = {}): string[] {
  if (!DECIMAL.test(value)) return [`"${value}" is not a decimal percentage such as "10" or "12.5"`];
  const v = new Dec(value);
  const problems: string[] = [];
  if (v.isNegative() && !v.isZero()) problems.push(`must not be negative (got "${value}")`);
  if (opts.exclusiveMax ? v.greaterThanOrEqualTo(max) : v.greaterThan(max)) {
    problems.push(`must be ${opts.exclusiveMax ? 'less than' : 'at most'} ${max} (got "${value}")`);
  }
  if (v.decimalPlaces() > PERCENT_DECIMALS) problems.push(`must have at most ${PERCENT_DECIMALS} decimal places (got "${value}")`);
  return problems;
}

/** Reports an amount with more decimals than its (valid) currency has; other problems are the field's. */
function checkMinorUnits(ctx: Ctx, path: PropertyKey[], amount: unknown, currency: string | null): void {
  if (currency === null || typeof amount !== 'string') return;
  for (const problem of checkAmount(amount, currency)) {
    if (problem.code === 'too-many-decimals') issue(ctx, path, problem.message);
  }
}

/** Both dates valid and `from` after `to`: one problem on `toField`. */
function checkDateOrder(ctx: Ctx, value: Loose, fromField: string, toField: string, prefix: PropertyKey[] = []): void {
  const from = asDate(value[fromField]);
  const to = asDate(value[toField]);
  if (from && to && from > to) issue(ctx, [...prefix, toField], `must not be before ${fromField} ${from} (got ${to})`);
}

const WEEKDAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

// ---------------------------------------------------------------------------------------------
// Supplier

const IBAN_ERRORS: Record<ValidationErrorsIBAN, string> = {
  [ValidationErrorsIBAN.NoIBANProvided]: 'must not be empty',
  [ValidationErrorsIBAN.NoIBANCountry]: 'does not start with the code of a country that uses IBANs',
  [ValidationErrorsIBAN.WrongBBANLength]: 'has the wrong length for its country',
  [ValidationErrorsIBAN.WrongBBANFormat]: "does not follow its country's account number format",
  [ValidationErrorsIBAN.ChecksumNotNumber]: 'check digits (characters 3 and 4) must be digits',
  [ValidationErrorsIBAN.WrongIBANChecksum]: 'has a wrong checksum (ISO 13616 mod 97): a character is mistyped',
  [ValidationErrorsIBAN.WrongAccountBankBranchChecksum]: 'has wrong national check digits (bank, branch or account)',
  [ValidationErrorsIBAN.QRIBANNotAllowed]: 'is a QR-IBAN, which cannot receive ordinary transfers',
};

/** An IBAN; spaces and hyphens are removed and letters upper-cased, then ISO 13616 is checked. */
export const IbanSchema = z
  .string()
  .transform((raw) => electronicFormatIBAN(raw) ?? '')
  .superRefine((iban, ctx) => {
    const result = validateIBAN(iban, { allowQRIBAN: false });
    if (result.valid) return;
    const spec = getCountrySpecifications()[iban.slice(0, 2)];
    // An unknown country or a wrong length makes the format and checksum errors mere echoes of it.
    const fundamental = result.errorCodes.find((c) => c === ValidationErrorsIBAN.NoIBANProvided || c === ValidationErrorsIBAN.NoIBANCountry || c === ValidationErrorsIBAN.WrongBBANLength);
    for (const code of fundamental !== undefined ? [fundamental] : result.errorCodes) {
      let message = IBAN_ERRORS[code] ?? 'is not a valid IBAN';
      if (code === ValidationErrorsIBAN.WrongBBANLength && spec?.chars) {
        message = `has ${iban.length} characters; a ${iban.slice(0, 2)} IBAN has ${spec.chars}`;
      }
      ctx.addIssue({ code: 'custom', message, input: iban });
    }
  })
  .meta({ description: 'IBAN (ISO 13616); stored without spaces', examples: ['DE89370400440532013000'] });

/** A BIC (ISO 9362), 8 or 11 characters; spaces removed, letters upper-cased. */
export const BicSchema = z
  .string()
  .transform((raw) => raw.replace(/\s+/g, '').toUpperCase())
  .refine(isValidBIC, { message: 'is not a valid BIC (SWIFT code): 8 or 11 characters such as "DEUTDEFF" or "DEUTDEFF500"' })
  .meta({ examples: ['DEUTDEFF'] });

export const SupplierContactSchema = z.strictObject({
  name: text(200),
  role: text(100).optional(),
  email: z.email('is not an e-mail address').optional(),
  phone: z.string().regex(/^\+?[0-9][0-9 ()./-]{2,31}$/, 'is not a phone number such as "+39 06 1234 5678"').optional(),
});

export const PaymentTermsSchema = z.strictObject({
  depositPercent: percentText(100),
  balanceDueDaysBeforeTravel: wholeNumber(0, 3650),
  netDaysAfterInvoice: wholeNumber(0, 365),
});

/** One cancellation/amendment window; see the module rules for days, amounts and currency. */
export const PolicyWindowSchema = z
  .strictObject({
    fromDaysBefore: wholeNumber(-1, 3650),
    toDaysBefore: wholeNumber(-1, 3650),
    basis: z.enum(FEE_BASES),
    scope: z.enum(FEE_SCOPES),
    amount: AmountText,
    currency: CurrencyCode.optional(),
    nonRefundable: z.boolean().default(false),
  })
  .superRefine((value, ctx) => checkPolicyWindow(value as unknown as Loose, ctx), WHEN_OBJECT);

function checkPolicyWindow(w: Loose, ctx: Ctx): void {
  const from = asInt(w.fromDaysBefore);
  const to = asInt(w.toDaysBefore);
  if (from !== null && to !== null) {
    if (from < to) issue(ctx, ['fromDaysBefore'], `must be at least toDaysBefore (${to}): windows run from the far end to the near end (got ${from})`);
    else if (from < 0 && to >= 0) issue(ctx, ['fromDaysBefore'], `must not be negative (got ${from})`);
    else if (from === -1 && to !== -1) issue(ctx, ['fromDaysBefore'], 'may be -1 only for the no-show window (-1..-1)');
  }
  const amount = asString(w.amount);
  if (w.basis === 'PERCENT') {
    if (w.currency !== undefined) issue(ctx, ['currency'], 'must be left out for a PERCENT window (the fee is a share of the cost)');
    if (amount !== null && DECIMAL.test(amount)) {
      for (const message of percentProblems(amount, 100)) if (!message.startsWith('must not be negative')) issue(ctx, ['amount'], message);
    }
  } else if (w.basis === 'FIXED') {
    if (w.currency === undefined) issue(ctx, ['currency'], 'is required for a FIXED window (the currency of the fee)');
    else checkMinorUnits(ctx, ['amount'], amount, asCurrency(w.currency));
  }
}

function describeDays(days: number): string {
  return days < 0 ? 'no-show' : `${days}`;
}

export const PolicySchema = z
  .strictObject({ windows: z.array(PolicyWindowSchema).default([]) })
  .superRefine((value, ctx) => {
    const windows = asObjects((value as unknown as Loose).windows)
      .map(([w, i]) => ({ i, from: asInt(w.fromDaysBefore), to: asInt(w.toDaysBefore) }))
      .filter((w): w is { i: number; from: number; to: number } => w.from !== null && w.to !== null && w.from >= w.to);
    for (let a = 0; a < windows.length; a++) {
      for (let b = a + 1; b < windows.length; b++) {
        const x = windows[a]!;
        const y = windows[b]!;
        const lo = Math.max(x.to, y.to);
        const hi = Math.min(x.from, y.from);
        if (lo <= hi) {
          const span = lo === hi ? describeDays(lo) : `${describeDays(hi)}..${describeDays(lo)}`;
          issue(ctx, ['windows', y.i], `overlaps windows[${x.i}]: both cover ${span} days before departure`);
        }
      }
    }
  }, WHEN_OBJECT);

const BANK_PAID = new Set(['BANK_TRANSFER', 'DIRECT_DEBIT']);

export const SupplierSchema = z
  .strictObject({
    code: code(32),
    name: text(200),
    type: z.enum(SUPPLIER_TYPES),
    active: z.boolean().default(true),
    contacts: z.array(SupplierContactSchema).default(() => []),
    iban: IbanSchema.optional(),
    bic: BicSchema.optional(),
    accountNumber: z.string().trim().regex(/^[A-Za-z0-9 -]{4,34}$/, 'must be 4 to 34 letters, digits, spaces or hyphens').optional(),
    paymentTerms: PaymentTermsSchema,
    preferredPaymentMethod: z.enum(PAYMENT_METHODS),
    invoiceCurrency: CurrencyCode,
    paymentCurrency: CurrencyCode,
    cancellationPolicy: PolicySchema.default(() => ({ windows: [] })),
    amendmentPolicy: PolicySchema.default(() => ({ windows: [] })),
  })
  .superRefine((value, ctx) => {
    const s = value as unknown as Loose;
    if (typeof s.preferredPaymentMethod === 'string' && BANK_PAID.has(s.preferredPaymentMethod) && s.iban === undefined && s.accountNumber === undefined) {
      issue(ctx, ['iban'], `is required (or accountNumber) when the supplier is paid by ${s.preferredPaymentMethod}`);
    }
  }, WHEN_OBJECT);

// ---------------------------------------------------------------------------------------------
// Product

export const CategorySchema = z
  .strictObject({
    code: code(32),
    name: text(120),
    maxOccupancy: wholeNumber(1, 100),
    standardOccupancy: wholeNumber(1, 100),
  })
  .superRefine((value, ctx) => {
    const c = value as unknown as Loose;
    const max = asInt(c.maxOccupancy);
    const std = asInt(c.standardOccupancy);
    if (max !== null && std !== null && std > max) issue(ctx, ['standardOccupancy'], `must not exceed maxOccupancy (${max}) (got ${std})`);
  }, WHEN_OBJECT);

const Weekday = z.literal([1, 2, 3, 4, 5, 6, 7], { error: 'must be a weekday number from 1 (Monday) to 7 (Sunday)' });

export const RateSchema = z
  .strictObject({
    category: code(32),
    ratePlan: text(32),
    boardBasis: z.enum(BOARD_BASES).optional(),
    validFrom: IsoDate,
    validTo: IsoDate,
    weekdays: z
      .array(Weekday)
      .min(1, 'must list at least one weekday (1 = Monday ... 7 = Sunday)')
      .default(() => [...ALL_WEEKDAYS]),
    basis: z.enum(RATE_BASES),
    amount: AmountText,
    singleSupplement: AmountText.optional(),
    extraNight: AmountText.optional(),
    sellAmount: AmountText.optional(),
  })
  .superRefine((value, ctx) => {
    const r = value as unknown as Loose;
    checkDateOrder(ctx, r, 'validFrom', 'validTo');
    const days = asArray(r.weekdays);
    const seen = new Set<unknown>();
    days.forEach((d, i) => {
      if (seen.has(d)) issue(ctx, ['weekdays', i], `lists weekday ${String(d)} twice`);
      seen.add(d);
    });
  }, WHEN_OBJECT);

export const ChildBandSchema = z
  .strictObject({
    minAge: wholeNumber(0, 17),
    maxAge: wholeNumber(0, 17),
    discountPercent: percentText(100),
  })
  .superRefine((value, ctx) => {
    const b = value as unknown as Loose;
    const min = asInt(b.minAge);
    const max = asInt(b.maxAge);
    if (min !== null && max !== null && min > max) issue(ctx, ['maxAge'], `must not be below minAge (${min}) (got ${max})`);
  }, WHEN_OBJECT);

export const TaxSchema = z
  .strictObject({
    code: code(16),
    name: text(120),
    kind: z.enum(TAX_KINDS),
    amount: AmountText,
    appliesToChildren: z.boolean().default(false),
  })
  .superRefine((value, ctx) => {
    const t = value as unknown as Loose;
    const amount = asString(t.amount);
    if (t.kind === 'PERCENT' && amount !== null && DECIMAL.test(amount)) {
      for (const message of percentProblems(amount, 100)) if (!message.startsWith('must not be negative')) issue(ctx, ['amount'], message);
    }
  }, WHEN_OBJECT);

export const TourDepartureSchema = z.strictObject({
  date: IsoDate,
  status: z.enum(['SCHEDULED', 'GUARANTEED', 'CANCELLED']).default('SCHEDULED'),
});

export const ItineraryDaySchema = z.strictObject({
  day: wholeNumber(1, 366),
  title: text(200),
  overnight: text(200).optional(),
});

const productBase = {
  supplierCode: code(32),
  code: code(48),
  name: text(200),
  destination: z
    .string()
    .regex(/^[A-Z0-9][A-Z0-9-]{0,63}$/, 'must be an upper-case destination code such as "IT-ROME" (letters, digits, hyphens; at most 64)'),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as "IT"'),
  currency: CurrencyCode,
  active: z.boolean().default(true),
  minPax: wholeNumber(1, 1000),
  maxPax: wholeNumber(1, 1000),
  categories: z.array(CategorySchema).min(1, 'must list at least one category (room type, cabin, vehicle)'),
  rates: z.array(RateSchema).default(() => []),
  childBands: z.array(ChildBandSchema).default(() => []),
  taxes: z.array(TaxSchema).default(() => []),
};

export const TourProductSchema = z.strictObject({
  ...productBase,
  type: z.literal('TOUR'),
  itinerary: z.array(ItineraryDaySchema).min(1, 'must describe at least one day'),
  durationNights: wholeNumber(0, 365),
  departures: z.array(TourDepartureSchema).default(() => []),
  guaranteedThreshold: wholeNumber(1, 1000),
});

export const HotelProductSchema = z.strictObject({
  ...productBase,
  type: z.literal('HOTEL'),
  starRating: z.number().min(0, 'must be from 0 to 5').max(5, 'must be from 0 to 5').multipleOf(0.5, 'must be a whole or half star').optional(),
  address: text(500).optional(),
});

export const GroundServiceProductSchema = z.strictObject({
  ...productBase,
  type: z.literal('GROUND_SERVICE'),
  kind: z.enum(GROUND_SERVICE_KINDS),
  durationHours: z.number().positive('must be more than 0').max(720, 'must be at most 720').optional(),
});

export const InsuranceProductSchema = z.strictObject({
  ...productBase,
  type: z.literal('INSURANCE'),
  cover: text(200),
  maxTripDays: wholeNumber(1, 3650),
});

export const ProductSchema = z
  .discriminatedUnion('type', [TourProductSchema, HotelProductSchema, GroundServiceProductSchema, InsuranceProductSchema], {
    error: `must have a type that is one of ${CATALOG_PRODUCT_TYPES.join(', ')}`,
  })
  .superRefine((value, ctx) => {
    const p = value as unknown as Loose;
    if (!(CATALOG_PRODUCT_TYPES as readonly unknown[]).includes(p.type)) {
      // No variant matched, so zod checked nothing else: still report the common fields' problems.
      const common = ProductCommonSchema.safeParse(p, { reportInput: true });
      if (!common.success) for (const iss of common.error.issues) ctx.addIssue({ ...iss, input: iss.input } as z.core.$ZodRawIssue);
    }
    checkProductRules(p, ctx);
  }, WHEN_OBJECT);

/** The fields every product type has, checked alone when the type is missing or unknown. */
const ProductCommonSchema = z.looseObject(productBase);

interface SeasonRate {
  i: number;
  category: string;
  ratePlan: string;
  from: string;
  to: string;
  weekdays: Set<number>;
}

function seasonRates(rates: unknown): SeasonRate[] {
  const out: SeasonRate[] = [];
  for (const [r, i] of asObjects(rates)) {
    const category = asString(r.category);
    const ratePlan = asString(r.ratePlan);
    const from = asDate(r.validFrom);
    const to = asDate(r.validTo);
    // Rates given without weekdays apply every day (the schema's default).
    const days = r.weekdays === undefined ? ALL_WEEKDAYS : asArray(r.weekdays);
    const weekdays = new Set(days.filter((d): d is number => typeof d === 'number' && Number.isInteger(d) && d >= 1 && d <= 7));
    if (category && ratePlan !== null && from && to && from <= to && weekdays.size > 0) {
      out.push({ i, category, ratePlan: ratePlan.trim(), from, to, weekdays });
    }
  }
  return out;
}

/** First date from `from` (forward) or `to` (backward, when `step` = -1) within from..to on one of `days`. */
function firstDateOn(from: string, to: string, days: Set<number>, step: 1 | -1): string | null {
  let date = step === 1 ? from : to;
  for (let n = 0; n < 7; n++) {
    if (date < from || date > to) return null;
    if (days.has(isoWeekday(date))) return date;
    date = addDays(date, step);
  }
  return null;
}

function checkSeasonOverlaps(ctx: Ctx, rates: SeasonRate[]): void {
  const groups = new Map<string, SeasonRate[]>();
  for (const r of rates) {
    const key = `${r.category}\u0000${r.ratePlan}`;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  const found: { a: SeasonRate; b: SeasonRate; first: string; last: string; shared: number[] }[] = [];
  for (const group of groups.values()) {
    group.sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : x.i - y.i));
    for (let a = 0; a < group.length; a++) {
      const x = group[a]!;
      for (let b = a + 1; b < group.length && group[b]!.from <= x.to; b++) {
        const y = group[b]!;
        const shared = [...x.weekdays].filter((d) => y.weekdays.has(d)).sort();
        if (shared.length === 0) continue;
        const from = y.from; // >= x.from by the sort
        const to = x.to < y.to ? x.to : y.to;
        const sharedSet = new Set(shared);
        const first = firstDateOn(from, to, sharedSet, 1);
        const last = firstDateOn(from, to, sharedSet, -1);
        if (first && last) {
          const [lo, hi] = x.i < y.i ? [x, y] : [y, x];
          found.push({ a: lo, b: hi, first, last, shared });
        }
      }
    }
  }
  found.sort((p, q) => p.b.i - q.b.i || p.a.i - q.a.i);
  for (const { a, b, first, last, shared } of found) {
    const dates = first === last ? first : `${first}..${last}`;
    const days = shared.length === 7 ? 'every day' : shared.map((d) => WEEKDAY_NAMES[d]).join(', ');
    issue(
      ctx,
      ['rates', b.i],
      `overlaps rates[${a.i}]: both price category ${b.category}, rate plan ${b.ratePlan} on ${dates} (${days}); seasons of one category and rate plan must not overlap`,
    );
  }
}

function checkProductRules(p: Loose, ctx: Ctx): void {
  const minPax = asInt(p.minPax);
  const maxPax = asInt(p.maxPax);
  if (minPax !== null && maxPax !== null && maxPax < minPax) issue(ctx, ['maxPax'], `must be at least minPax (${minPax}) (got ${maxPax})`);
  const currency = asCurrency(p.currency);

  // Categories: unique codes.
  const categories = new Map<string, number>();
  for (const [c, i] of asObjects(p.categories)) {
    const code = asString(c.code);
    if (code === null) continue;
    if (categories.has(code)) issue(ctx, ['categories', i, 'code'], `repeats category ${code} (already categories[${categories.get(code)}])`);
    else categories.set(code, i);
  }
  const knownCategories = [...categories.keys()].join(', ') || 'none';

  // Rates: category exists; amounts fit the product currency; seasons do not overlap.
  const rates = asObjects(p.rates);
  for (const [r, i] of rates) {
    const category = asString(r.category);
    if (category !== null && Array.isArray(p.categories) && !categories.has(category)) {
      issue(ctx, ['rates', i, 'category'], `${category} is not a category of this product (categories: ${knownCategories})`);
    }
    for (const field of ['amount', 'singleSupplement', 'extraNight', 'sellAmount']) checkMinorUnits(ctx, ['rates', i, field], r[field], currency);
  }
  const seasons = seasonRates(p.rates);
  checkSeasonOverlaps(ctx, seasons);

  // Child bands: age ranges do not overlap.
  const bands = asObjects(p.childBands)
    .map(([b, i]) => ({ i, min: asInt(b.minAge), max: asInt(b.maxAge) }))
    .filter((b): b is { i: number; min: number; max: number } => b.min !== null && b.max !== null && b.min <= b.max);
  for (let a = 0; a < bands.length; a++) {
    for (let b = a + 1; b < bands.length; b++) {
      const x = bands[a]!;
      const y = bands[b]!;
      if (Math.max(x.min, y.min) <= Math.min(x.max, y.max)) {
        issue(ctx, ['childBands', y.i], `overlaps childBands[${x.i}]: both cover ages ${Math.max(x.min, y.min)}..${Math.min(x.max, y.max)}`);
      }
    }
  }

  // Taxes: unique codes; fixed amounts fit the product currency.
  const taxCodes = new Map<string, number>();
  for (const [t, i] of asObjects(p.taxes)) {
    const code = asString(t.code);
    if (code !== null) {
      if (taxCodes.has(code)) issue(ctx, ['taxes', i, 'code'], `repeats tax ${code} (already taxes[${taxCodes.get(code)}])`);
      else taxCodes.set(code, i);
    }
    if (t.kind !== 'PERCENT') checkMinorUnits(ctx, ['taxes', i, 'amount'], t.amount, currency);
  }

  if (p.type === 'TOUR') checkTourRules(p, ctx, { minPax, maxPax, categories: [...categories.keys()], seasons, hasRates: rates.length > 0 });
}

function checkTourRules(
  p: Loose,
  ctx: Ctx,
  known: { minPax: number | null; maxPax: number | null; categories: string[]; seasons: SeasonRate[]; hasRates: boolean },
): void {
  const threshold = asInt(p.guaranteedThreshold);
  if (threshold !== null && known.minPax !== null && threshold < known.minPax) {
    issue(ctx, ['guaranteedThreshold'], `must be at least minPax (${known.minPax}) (got ${threshold})`);
  }
  if (threshold !== null && known.maxPax !== null && threshold > known.maxPax) {
    issue(ctx, ['guaranteedThreshold'], `must not exceed maxPax (${known.maxPax}) (got ${threshold})`);
  }

  // Itinerary: days 1..n, each once, no longer than the tour (n <= durationNights + 1).
  const days = asObjects(p.itinerary).map(([d, i]) => ({ i, day: asInt(d.day) }));
  const seenDays = new Map<number, number>();
  for (const { i, day } of days) {
    if (day === null) continue;
    if (seenDays.has(day)) issue(ctx, ['itinerary', i, 'day'], `repeats day ${day} (already itinerary[${seenDays.get(day)}])`);
    else seenDays.set(day, i);
  }
  const numbered = [...seenDays.keys()].sort((a, b) => a - b);
  const missing = numbered.length ? Array.from({ length: numbered.at(-1)! }, (_, k) => k + 1).filter((d) => !seenDays.has(d)) : [];
  if (missing.length) issue(ctx, ['itinerary'], `skips day${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: days run 1, 2, 3 ...`);
  const nights = asInt(p.durationNights);
  if (nights !== null && numbered.length && numbered.at(-1)! > nights + 1) {
    issue(ctx, ['itinerary', seenDays.get(numbered.at(-1)!)!, 'day'], `is day ${numbered.at(-1)} but a ${nights}-night tour has ${nights + 1} days`);
  }

  // Departures: each date once; each live departure priced for every category.
  if (!known.hasRates) {
    issue(ctx, ['rates'], 'a tour needs at least one rate to price its departures');
    return;
  }
  const seenDates = new Map<string, number>();
  for (const [d, i] of asObjects(p.departures)) {
    const date = asDate(d.date);
    if (date === null) continue;
    if (seenDates.has(date)) {
      issue(ctx, ['departures', i, 'date'], `repeats departure ${date} (already departures[${seenDates.get(date)}])`);
      continue;
    }
    seenDates.set(date, i);
    if (d.status === 'CANCELLED') continue;
    const weekday = isoWeekday(date);
    for (const category of known.categories) {
      const priced = known.seasons.some((r) => r.category === category && r.from <= date && date <= r.to && r.weekdays.has(weekday));
      if (!priced) issue(ctx, ['departures', i], `departure ${date} has no rate for category ${category} (no season and weekday of that category covers it)`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Allotment contracts, stop sales, markup rules

export const FixedReleaseSchema = z
  .strictObject({
    releaseOn: IsoDate,
    arrivalsFrom: IsoDate,
    arrivalsTo: IsoDate,
  })
  .superRefine((value, ctx) => {
    const d = value as unknown as Loose;
    checkDateOrder(ctx, d, 'arrivalsFrom', 'arrivalsTo');
    const releaseOn = asDate(d.releaseOn);
    const arrivalsFrom = asDate(d.arrivalsFrom);
    if (releaseOn && arrivalsFrom && releaseOn >= arrivalsFrom) {
      issue(
        ctx,
        ['releaseOn'],
        `release date ${releaseOn} is ${releaseOn === arrivalsFrom ? 'on' : 'after'} the first arrival ${arrivalsFrom} of its range: units must be released before the arrivals they cover`,
      );
    }
  }, WHEN_OBJECT);

export const ReleaseRuleSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('NONE') }),
    z.strictObject({ kind: z.literal('DAYS_BEFORE'), days: wholeNumber(0, 730) }),
    z.strictObject({ kind: z.literal('FIXED_DATES'), dates: z.array(FixedReleaseSchema).min(1, 'must list at least one release date') }),
  ],
  { error: 'must have a kind that is one of NONE, DAYS_BEFORE, FIXED_DATES' },
);

export const AllotmentContractSchema = z
  .strictObject({
    code: code(48),
    supplierCode: code(32),
    productCode: code(48),
    category: code(32),
    validFrom: IsoDate,
    validTo: IsoDate,
    quantity: wholeNumber(0, 100_000),
    contractedPrice: AmountText,
    currency: CurrencyCode,
    basis: z.enum(RATE_BASES),
    release: ReleaseRuleSchema,
    minGroupSize: wholeNumber(1, 1000),
    maxGroupSize: wholeNumber(1, 1000),
  })
  .superRefine((value, ctx) => {
    const c = value as unknown as Loose;
    checkDateOrder(ctx, c, 'validFrom', 'validTo');
    checkMinorUnits(ctx, ['contractedPrice'], c.contractedPrice, asCurrency(c.currency));
    const min = asInt(c.minGroupSize);
    const max = asInt(c.maxGroupSize);
    if (min !== null && max !== null && max < min) issue(ctx, ['maxGroupSize'], `must be at least minGroupSize (${min}) (got ${max})`);
    if (!isObject(c.release) || c.release.kind !== 'FIXED_DATES') return;
    const validFrom = asDate(c.validFrom);
    const validTo = asDate(c.validTo);
    const ranges: { i: number; from: string; to: string }[] = [];
    for (const [d, i] of asObjects(c.release.dates)) {
      const from = asDate(d.arrivalsFrom);
      const to = asDate(d.arrivalsTo);
      if (from && validFrom && from < validFrom) issue(ctx, ['release', 'dates', i, 'arrivalsFrom'], `${from} is before the contract starts (validFrom ${validFrom})`);
      if (to && validTo && to > validTo) issue(ctx, ['release', 'dates', i, 'arrivalsTo'], `${to} is after the contract ends (validTo ${validTo})`);
      if (from && to && from <= to) ranges.push({ i, from, to });
    }
    for (let a = 0; a < ranges.length; a++) {
      for (let b = a + 1; b < ranges.length; b++) {
        const x = ranges[a]!;
        const y = ranges[b]!;
        const lo = x.from > y.from ? x.from : y.from;
        const hi = x.to < y.to ? x.to : y.to;
        if (lo <= hi) issue(ctx, ['release', 'dates', y.i], `overlaps release.dates[${x.i}]: arrivals ${lo === hi ? lo : `${lo}..${hi}`} would have two release dates`);
      }
    }
  }, WHEN_OBJECT);

export const StopSaleSchema = z
  .strictObject({
    supplierCode: code(32),
    productCode: code(48),
    category: code(32).nullable().default(null),
    from: IsoDate,
    to: IsoDate,
    reason: text(200),
  })
  .superRefine((value, ctx) => checkDateOrder(ctx, value as unknown as Loose, 'from', 'to'), WHEN_OBJECT);

export const MarkupRuleSchema = z.strictObject({
  productType: z.enum(CATALOG_PRODUCT_TYPES).nullable().default(null),
  channel: z.enum(SALES_CHANNELS).nullable().default(null),
  percent: percentText(1000, { exclusiveMax: true }),
});

// ---------------------------------------------------------------------------------------------
// Parsing

export type CheckResult<T> = { ok: true; value: T } | { ok: false; problems: CatalogProblem[] };

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Every zod issue as a catalog problem with a readable path; unknown keys are reported one by one. */
export function problemsFromZod(error: z.ZodError): CatalogProblem[] {
  const out: CatalogProblem[] = [];
  for (const iss of error.issues) {
    const path = formatPath(iss.path);
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) out.push({ path: formatPath([...iss.path, key]), message: 'is not a known field' });
    } else if ((iss.code === 'invalid_type' || iss.code === 'invalid_value' || iss.code === 'invalid_union') && iss.input === undefined) {
      out.push({ path, message: 'is required' });
    } else if (iss.code === 'invalid_value' && iss.values.length > 1 && iss.message.startsWith('Invalid option')) {
      out.push({ path, message: `must be one of ${iss.values.map(String).join(', ')} (got ${describeType(iss.input)})` });
    } else if (iss.code === 'invalid_type') {
      out.push({ path, message: `must be ${iss.expected === 'int' ? 'a whole number' : `${/^[aeiou]/.test(iss.expected) ? 'an' : 'a'} ${iss.expected}`} (got ${describeType(iss.input)})` });
    } else {
      out.push({ path, message: iss.message });
    }
  }
  return out;
}

function check<T>(schema: z.ZodType<T>, input: unknown): CheckResult<T> {
  const result = schema.safeParse(input, { reportInput: true });
  return result.success ? { ok: true, value: result.data } : { ok: false, problems: problemsFromZod(result.error) };
}

function what(kind: string, input: unknown): string {
  const code = isObject(input) && typeof input.code === 'string' ? input.code : null;
  return code ? `${kind} ${code}` : kind;
}

function parse<T>(result: CheckResult<T>, description: string): T {
  if (!result.ok) throw new CatalogValidationError(result.problems, description);
  return result.value;
}

export function checkSupplier(input: unknown): CheckResult<Supplier> {
  return check<Supplier>(SupplierSchema, input);
}

export function checkProduct(input: unknown): CheckResult<Product> {
  return check<Product>(ProductSchema, input);
}

export function checkAllotmentContract(input: unknown): CheckResult<AllotmentContract> {
  return check<AllotmentContract>(AllotmentContractSchema, input);
}

export function checkStopSale(input: unknown): CheckResult<StopSale> {
  return check<StopSale>(StopSaleSchema, input);
}

export function checkMarkupRule(input: unknown): CheckResult<MarkupRule> {
  return check<MarkupRule>(MarkupRuleSchema, input);
}

/** A valid supplier (IBAN/BIC normalised, defaults filled), or a CatalogValidationError with every problem. */
export function parseSupplier(input: unknown): Supplier {
  return parse(checkSupplier(input), what('supplier', input));
}

/** A valid product (defaults filled), or a CatalogValidationError with every problem. */
export function parseProduct(input: unknown): Product {
  return parse(checkProduct(input), what('product', input));
}

/** A valid allotment contract, or a CatalogValidationError with every problem. */
export function parseAllotmentContract(input: unknown): AllotmentContract {
  return parse(checkAllotmentContract(input), what('allotment contract', input));
}

export function parseStopSale(input: unknown): StopSale {
  const sale = isObject(input) && typeof input.productCode === 'string' ? `stop sale of ${input.productCode}` : 'stop sale';
  return parse(checkStopSale(input), sale);
}

export function parseMarkupRule(input: unknown): MarkupRule {
  return parse(checkMarkupRule(input), 'markup rule');
}

/**
 * Rules between a (valid) contract and the (valid) product it allots: same product and supplier,
 * a category of the product, and for tours a span that starts and ends on live departures (tour
 * inventory exists only on departure dates; see `contractStayDates` in release.ts). The contract's
 * currency may differ from the product's.
 */
export function checkContractAgainstProduct(contract: AllotmentContract, product: Product): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  if (contract.productCode !== product.code) {
    problems.push({ path: 'productCode', message: `is ${contract.productCode} but the product is ${product.code}` });
  }
  if (contract.supplierCode !== product.supplierCode) {
    problems.push({ path: 'supplierCode', message: `is ${contract.supplierCode} but product ${product.code} is supplied by ${product.supplierCode}` });
  }
  if (!product.categories.some((c) => c.code === contract.category)) {
    const known = product.categories.map((c) => c.code).join(', ');
    problems.push({ path: 'category', message: `${contract.category} is not a category of product ${product.code} (categories: ${known})` });
  }
  if (product.type === 'TOUR') {
    const live = new Set(product.departures.filter((d) => d.status !== 'CANCELLED').map((d) => d.date));
    for (const field of ['validFrom', 'validTo'] as const) {
      if (!live.has(contract[field])) {
        problems.push({ path: field, message: `${contract[field]} is not a departure date of tour ${product.code}: a tour allotment covers departures` });
      }
    }
  }
  return problems;
}

