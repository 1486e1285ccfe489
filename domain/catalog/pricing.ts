import { isCurrencyCode, minorUnits } from '../money/currency';
import { Dec } from '../money/money';
import { markupFor } from './markup';
import type { Category, ChildBand, PriceBreakdown, PriceLine, PriceRequest, Product, Rate, RateBasis, Tax, TourProduct } from './model';
import type { CatalogProblem } from './problems';

/**
 * The pricing engine: what one product costs us (supplier currency) and what we sell it for
 * (selling currency), line by line. Pure and deterministic: same request, same breakdown.
 *
 * Rules decided here, once:
 * - Rate choice. Only rates of the request's category and rate plan count. A date takes the rate
 *   whose `validFrom..validTo` contains it AND whose `weekdays` contain its ISO weekday (so a
 *   weekend rate can sit beside a weekday rate). Omitting `ratePlan` is allowed only when the
 *   category has a single plan. No rate, or two rates, for a date is a problem naming the date.
 * - Hotels are priced night by night: a stay crossing a season boundary or a month end takes each
 *   night's own rate. Night i is `startDate + i`, i = 0..nights-1; a stay needs at least 1 night.
 *   PER_ROOM_PER_NIGHT: amount x rooms each night. PER_PERSON_PER_NIGHT: amount x adults each night.
 * - Children (age on the first travel date) take the child band containing their age; an age in no
 *   band is a problem (book older children as adults). A child pays the adult amount x
 *   (100 - discount) / 100 on per-person bases. On PER_ROOM_PER_NIGHT children sharing a room
 *   are free while the room holds no more than `standardOccupancy` people (adults take the
 *   standard places first); each child beyond it pays the per-person share of the room,
 *   amount / standardOccupancy, less the band discount. When only some children of a room are
 *   free, the free places go to the children who would pay most (smallest discount), so the
 *   customer never pays for an arbitrary ordering of ages.
 * - Single supplement: a unit with exactly one adult and no children, in a category whose
 *   `standardOccupancy` is above 1, pays `singleSupplement` when the rate sets one: each night on
 *   nightly bases, once on PER_PERSON. Never on PER_UNIT (a vehicle is a vehicle).
 * - Tours: the departure (`startDate`) must be a SCHEDULED or GUARANTEED departure; the rate of the
 *   departure date prices the whole itinerary PER_PERSON, children by band, single supplement
 *   once. `nights - durationNights` extra nights (fewer nights than the tour is a problem) cost the
 *   departure rate's `extraNight` per person per night, children by band; extra nights carry no
 *   single supplement and no date (before/after is a booking detail).
 * - Ground services: the service date's rate, PER_UNIT (x units: vehicles, guides) or PER_PERSON
 *   (adults, children by band). Insurance: the trip start date's rate, PER_PERSON, children by
 *   band; the trip covers `startDate` through `startDate + nights`, both days counted, so it lasts
 *   `nights + 1` days, which must not exceed `maxTripDays`.
 * - Sell price. A rate with `sellAmount` is sold at that contracted price by the same computation
 *   (children by band, per-room share), no markup. Otherwise, and always for single supplements and
 *   extra nights (the model has no contracted sell price for them), sell = cost x (1 + markup / 100)
 *   with the most specific markup rule (markupFor; no rule = 0 %). The result is converted with
 *   `fxRate` (selling units per product-currency unit); `fxRate` must be 1 when both are the same.
 * - Taxes, after the priced lines, in the product's order. Fixed taxes (PER_PERSON_PER_NIGHT,
 *   PER_PERSON) are product-currency amounts x adults (plus children when `appliesToChildren`)
 *   (x nights); they are passed through: cost = the amount, sell = the amount converted, no
 *   markup. PERCENT taxes are levied once on the total selling net (every non-tax line), in the
 *   selling currency; they are not a supplier cost (cost 0) and never tax another tax.
 * - Rounding. Each line is computed at full precision (34 digits) and rounded once: its cost to the
 *   product currency's minor units and its sell to the selling currency's, both HALF_UP (commercial
 *   rounding, as suppliers' statements do). Totals are sums of the rounded lines, so a breakdown
 *   always adds up: totalCost = sum of costs (fixed taxes included), totalSellNet = sum of non-tax
 *   sells, totalTax = sum of tax sells, totalSell = totalSellNet + totalTax. `unitCost` is shown
 *   for information with the product currency's decimals, or rounded HALF_UP to 4 decimals (the
 *   catalog's stored scale) when it has more (a per-room share of 100 / 3).
 * - Every problem of a request is reported at once in a PricingError; nothing is priced then.
 */

/** A request that cannot be priced as submitted; `problems` names every reason. */
export class PricingError extends Error {
  constructor(readonly problems: CatalogProblem[]) {
    const shown = problems.slice(0, 20).map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    const more = problems.length > 20 ? `; ... and ${problems.length - 20} more` : '';
    super(`Cannot price: ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}`);
    this.name = 'PricingError';
  }
}

/** Line kinds of a breakdown. */
export const PRICE_LINE_KINDS = ['BASE', 'CHILD', 'SINGLE_SUPPLEMENT', 'EXTRA_NIGHT', 'TAX'] as const;
export type PriceLineKind = (typeof PRICE_LINE_KINDS)[number];

const ROUNDING = Dec.ROUND_HALF_UP;
const UNIT_COST_DECIMALS = 4;
const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;
const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const TAX_KINDS = ['PERCENT', 'PER_PERSON_PER_NIGHT', 'PER_PERSON'];
const ZERO = new Dec(0);
const ONE = new Dec(1);
const HUNDRED = new Dec(100);
/** x / 100 written as x times 0.01: exact, and much cheaper than a 34-digit division. */
const PERCENT = new Dec('0.01');
/** A missing rate (-1) or two rates for one date (-2), as returned by rateOn. */
const NO_RATE = -1;
const TWO_RATES = -2;

const BASES_BY_TYPE: Record<Product['type'], readonly RateBasis[]> = {
  HOTEL: ['PER_ROOM_PER_NIGHT', 'PER_PERSON_PER_NIGHT'],
  TOUR: ['PER_PERSON'],
  GROUND_SERVICE: ['PER_UNIT', 'PER_PERSON'],
  INSURANCE: ['PER_PERSON'],
};

// Calendar arithmetic on day numbers (days since 1970-01-01, UTC), done without Date objects or
// string slicing because it runs for every night of every request (Hinnant's civil algorithms).

function digitsAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Day number of a real calendar date YYYY-MM-DD, or null. */
function dayOf(iso: unknown): number | null {
  if (typeof iso !== 'string' || iso.length !== 10 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45) return null;
  const y0 = digitsAt(iso, 0, 4);
  const m = digitsAt(iso, 5, 7);
  const d = digitsAt(iso, 8, 10);
  if (y0 < 0 || m < 1 || m > 12 || d < 1) return null;
  const leap = y0 % 4 === 0 && (y0 % 100 !== 0 || y0 % 400 === 0);
  const monthDays = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  if (d > monthDays) return null;
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** YYYY-MM-DD of a day number. */
function isoOfDay(day: number): string {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y < 1000 ? String(y).padStart(4, '0') : y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

/** ISO weekday (Monday 1 ... Sunday 7) of a day number; 1970-01-01 was a Thursday. */
function weekdayOf(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

function isCount(n: unknown, min: number): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= min;
}

/**
 * A decimal string >= 0 parsed once, or null with a problem at `${prefix}[${index}].${field}`
 * (`prefix.field` without an index). The path is only built for a problem: this runs per request.
 */
function decimalAt(text: unknown, problems: CatalogProblem[], prefix: string, index: number, field: string): Dec | null {
  if (typeof text !== 'string' || !DECIMAL.test(text)) {
    const path = index < 0 ? `${prefix}.${field}` : `${prefix}[${index}].${field}`;
    problems.push({ path, message: `${field} must be a decimal number >= 0 such as "120.50" (got ${JSON.stringify(text)})` });
    return null;
  }
  return parse(text);
}

/**
 * Decimal strings already parsed, by their text. Parsing is the dearest decimal.js step (about as
 * much as three multiplications) and a catalog repeats the same few hundred amounts, percentages
 * and exchange rates from request to request. Dec values are immutable and the text fixes the
 * value, so sharing them changes no result; the cache is emptied when it fills, never evicted
 * piecemeal, so its size stays bounded and its behaviour trivially deterministic.
 */
const parsedDecimals = new Map<string, Dec>();
const PARSED_LIMIT = 10_000;

/** `text` must already match DECIMAL. */
function parse(text: string): Dec {
  let value = parsedDecimals.get(text);
  if (value === undefined) {
    if (parsedDecimals.size >= PARSED_LIMIT) parsedDecimals.clear();
    value = new Dec(text);
    parsedDecimals.set(text, value);
  }
  return value;
}

function optionalDecimalAt(text: string | undefined | null, problems: CatalogProblem[], index: number, field: string): Dec | null {
  return text === undefined || text === null ? null : decimalAt(text, problems, 'product.rates', index, field);
}

/** A rate of the requested category and plan, with its dates parsed once. */
interface Candidate {
  rate: Rate;
  /** Index in product.rates, for problem paths. */
  index: number;
  from: number;
  to: number;
  /** Bit w set when ISO weekday w applies. */
  mask: number;
}

interface RateAmounts {
  amount: Dec;
  sell: Dec | null;
  singleSupplement: Dec | null;
  extraNight: Dec | null;
}

interface Band {
  band: ChildBand;
  /** Index in product.childBands. */
  index: number;
  /** Set (with factor and label) only for bands some child of the request falls in. */
  discount: Dec | null;
  /** (100 - discount) / 100 */
  factor: Dec;
  label: string;
}

/** Index into candidates of the one rate applying on `day`, or NO_RATE / TWO_RATES. */
function rateOn(candidates: Candidate[], day: number): number {
  const wd = 1 << weekdayOf(day);
  let found = NO_RATE;
  for (let c = 0; c < candidates.length; c++) {
    const cand = candidates[c]!;
    if (day < cand.from || day > cand.to || (cand.mask & wd) === 0) continue;
    if (found >= 0) return TWO_RATES;
    found = c;
  }
  return found;
}

/** One problem for a run of dates from `first` to `last` that all have no rate, or two. */
function missingRateProblem(problems: CatalogProblem[], path: string, rateName: string, what: string, first: number, last: number, kind: number): void {
  const rates = kind === NO_RATE ? `no ${rateName} rate` : `two ${rateName} rates apply (seasons must not overlap)`;
  if (first === last) problems.push({ path, message: `${rates} for ${what} ${isoOfDay(first)} (${WEEKDAY_NAMES[weekdayOf(first)]})` });
  else problems.push({ path, message: `${rates} for the nights ${isoOfDay(first)} to ${isoOfDay(last)} (${last - first + 1} nights)` });
}

/** Everything a valid request resolves to; only built when no problem was found. */
interface Plan {
  req: PriceRequest;
  category: Category;
  ratePlan: string;
  start: number;
  costDigits: number;
  sellDigits: number;
  fx: Dec;
  /** (1 + markup / 100) x fx: cost in product currency to sell in selling currency. */
  markupFx: Dec;
  candidates: Candidate[];
  amounts: (RateAmounts | null)[];
  /** Hotels: candidate index of each night. Other types: one entry, the start date's rate. */
  dateRates: number[];
  extraNights: number;
  bands: Band[];
  adults: number;
  children: number;
  /** Children per band index. */
  bandCounts: number[];
  /** Units with one adult and no children, when the category's standard occupancy is above 1. */
  singles: number;
  unitAdults: number[];
  /** Band index of each child, per unit. */
  unitBands: number[][];
  taxAmounts: Dec[];
}

/** Checks the request, collecting every problem; returns the plan when there is none. */
function plan(req: PriceRequest): Plan | CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const product = req.product;

  // Currencies and exchange rate.
  if (!isCurrencyCode(product.currency)) problems.push({ path: 'product.currency', message: `"${product.currency}" is not an ISO 4217 currency code` });
  const sellOk = typeof req.sellingCurrency === 'string' && isCurrencyCode(req.sellingCurrency);
  if (!sellOk) problems.push({ path: 'sellingCurrency', message: `${JSON.stringify(req.sellingCurrency)} is not an ISO 4217 currency code` });
  let fx: Dec | null = null;
  if (typeof req.fxRate === 'string' && DECIMAL.test(req.fxRate)) fx = parse(req.fxRate);
  if (!fx || fx.isZero()) {
    problems.push({ path: 'fxRate', message: `must be a positive decimal such as "1.1734" (got ${JSON.stringify(req.fxRate)})` });
  } else if (sellOk && req.sellingCurrency === product.currency && !fx.equals(ONE)) {
    problems.push({ path: 'fxRate', message: `must be 1 when selling in the product currency ${product.currency} (got "${req.fxRate}")` });
  }

  // Dates and length.
  const start = dayOf(req.startDate);
  if (start === null) problems.push({ path: 'startDate', message: `${JSON.stringify(req.startDate)} is not a calendar date YYYY-MM-DD` });
  const nightsOk = isCount(req.nights, 0);
  if (!nightsOk) problems.push({ path: 'nights', message: `must be a whole number >= 0 (got ${JSON.stringify(req.nights)})` });
  else if (product.type === 'HOTEL' && req.nights === 0) problems.push({ path: 'nights', message: 'a hotel stay needs at least 1 night' });

  // Category.
  let category: Category | undefined;
  for (const c of product.categories) if (c.code === req.category) category = c;
  if (!category) {
    const known = product.categories.map((c) => c.code).join(', ') || 'none';
    problems.push({ path: 'category', message: `unknown category "${req.category}" for product ${product.code} (categories: ${known})` });
  }

  // Child bands by age; their decimals are parsed below for the bands in use only.
  const bands: Band[] = product.childBands
    .map((band, index): Band => ({ band, index, discount: null, factor: ONE, label: '' }))
    .sort((a, b) => a.band.minAge - b.band.minAge || a.index - b.index);

  // Occupancy.
  let adults = 0;
  let children = 0;
  let singles = 0;
  const bandCounts: number[] = new Array<number>(bands.length).fill(0);
  const unitBands: number[][] = [];
  const unitAdults: number[] = [];
  let bandList: string | undefined;
  const units = Array.isArray(req.units) ? req.units : [];
  if (units.length === 0) problems.push({ path: 'units', message: 'at least one unit (room, cabin, vehicle) with its occupancy is required' });
  for (let u = 0; u < units.length; u++) {
    const unit = units[u]!;
    let unitAdultCount = 0;
    if (isCount(unit?.adults, 0)) unitAdultCount = unit.adults;
    else problems.push({ path: `units[${u}].adults`, message: `must be a whole number >= 0 (got ${JSON.stringify(unit?.adults)})` });
    let ages: number[] = [];
    if (Array.isArray(unit?.childAges)) ages = unit.childAges;
    else problems.push({ path: `units[${u}].childAges`, message: 'must be a list of ages' });
    const ofUnit: number[] = [];
    for (let c = 0; c < ages.length; c++) {
      const age = ages[c];
      if (!isCount(age, 0)) {
        problems.push({ path: `units[${u}].childAges[${c}]`, message: `an age is a whole number of years >= 0 (got ${JSON.stringify(age)})` });
        continue;
      }
      let found = -1;
      let twice = false;
      for (let b = 0; b < bands.length; b++) {
        const band = bands[b]!.band;
        if (age < band.minAge || age > band.maxAge) continue;
        if (found >= 0) twice = true;
        else found = b;
      }
      if (twice || found < 0) bandList ??= bands.map((b) => `${b.band.minAge}-${b.band.maxAge}`).join(', ') || 'none';
      if (twice) problems.push({ path: `units[${u}].childAges[${c}]`, message: `age ${age} is in two child bands (${bandList}) of product ${product.code}` });
      else if (found < 0) {
        problems.push({ path: `units[${u}].childAges[${c}]`, message: `age ${age} is outside every child band of product ${product.code} (bands: ${bandList}); book older travellers as adults` });
      } else {
        ofUnit.push(found);
        bandCounts[found]!++;
      }
    }
    const people = unitAdultCount + ages.length;
    if (people === 0) problems.push({ path: `units[${u}]`, message: 'a unit needs at least one traveller' });
    if (category && people > category.maxOccupancy) {
      problems.push({ path: `units[${u}]`, message: `${people} people exceed the maximum occupancy ${category.maxOccupancy} of category ${category.code}` });
    }
    if (unitAdultCount === 1 && ages.length === 0 && category && category.standardOccupancy > 1) singles++;
    adults += unitAdultCount;
    children += ages.length;
    unitBands.push(ofUnit);
    unitAdults.push(unitAdultCount);
  }
  if (units.length > 0) {
    const pax = adults + children;
    if (pax < product.minPax || pax > product.maxPax) {
      problems.push({ path: 'units', message: `${pax} travellers is outside the ${product.minPax}..${product.maxPax} travellers product ${product.code} accepts` });
    }
  }
  for (let b = 0; b < bands.length; b++) {
    if (bandCounts[b] === 0) continue;
    const band = bands[b]!;
    const discount = decimalAt(band.band.discountPercent, problems, 'product.childBands', band.index, 'discountPercent');
    if (!discount) continue;
    if (discount.greaterThan(HUNDRED)) {
      problems.push({ path: `product.childBands[${band.index}].discountPercent`, message: `must be at most 100 (got "${band.band.discountPercent}")` });
    }
    band.discount = discount;
    band.factor = HUNDRED.minus(discount).times(PERCENT);
    band.label = `${band.band.minAge}-${band.band.maxAge}${discount.equals(HUNDRED) ? ' free' : discount.isZero() ? '' : ` (${discount.toFixed()} % off)`}`;
  }

  // Rate plan and the candidate rates.
  let ratePlan = req.ratePlan ?? '';
  const candidates: Candidate[] = [];
  if (category) {
    const plans: string[] = [];
    for (const r of product.rates) if (r.category === category.code && !plans.includes(r.ratePlan)) plans.push(r.ratePlan);
    plans.sort();
    if (!ratePlan) {
      if (plans.length === 1) ratePlan = plans[0]!;
      else if (plans.length === 0) problems.push({ path: 'category', message: `category ${category.code} of product ${product.code} has no rates` });
      else problems.push({ path: 'ratePlan', message: `is required: category ${category.code} has rate plans ${plans.join(', ')}` });
    } else if (!plans.includes(ratePlan)) {
      problems.push({ path: 'ratePlan', message: `unknown rate plan "${ratePlan}" for category ${category.code} (plans: ${plans.join(', ') || 'none'})` });
      ratePlan = '';
    }
    const allowedBases = BASES_BY_TYPE[product.type];
    for (let index = 0; ratePlan && index < product.rates.length; index++) {
      const rate = product.rates[index]!;
      if (rate.category !== category.code || rate.ratePlan !== ratePlan) continue;
      const from = dayOf(rate.validFrom);
      const to = dayOf(rate.validTo);
      if (from === null) problems.push({ path: `product.rates[${index}].validFrom`, message: `${JSON.stringify(rate.validFrom)} is not a calendar date` });
      if (to === null) problems.push({ path: `product.rates[${index}].validTo`, message: `${JSON.stringify(rate.validTo)} is not a calendar date` });
      if (!allowedBases.includes(rate.basis)) {
        problems.push({ path: `product.rates[${index}].basis`, message: `a ${product.type} rate is priced ${allowedBases.join(' or ')}, not ${rate.basis}` });
      }
      let mask = 0;
      for (const w of rate.weekdays) mask |= 1 << w;
      if (from !== null && to !== null) candidates.push({ rate, index, from, to, mask });
    }
  }

  // Dates priced: every night of a hotel stay, or the departure / service / trip start date.
  const rateName = `${req.category}/${ratePlan}`;
  const dateRates: number[] = [];
  if (candidates.length > 0 && start !== null) {
    if (product.type === 'HOTEL') {
      if (nightsOk) {
        let runFrom = -1;
        let runKind = 0;
        for (let n = 0; n <= req.nights; n++) {
          const found = n < req.nights ? rateOn(candidates, start + n) : 0;
          if (n < req.nights) dateRates.push(found);
          if (runFrom >= 0 && found !== runKind) {
            missingRateProblem(problems, 'nights', rateName, 'the night of', start + runFrom, start + n - 1, runKind);
            runFrom = -1;
          }
          if (found < 0 && runFrom < 0) {
            runFrom = n;
            runKind = found;
          }
        }
      }
    } else {
      const found = rateOn(candidates, start);
      dateRates.push(found);
      const what = product.type === 'TOUR' ? 'the departure' : product.type === 'INSURANCE' ? 'the trip start' : 'the service date';
      if (found < 0) missingRateProblem(problems, 'startDate', rateName, what, start, start, found);
    }
  } else if (category && ratePlan && candidates.length === 0) {
    problems.push({ path: 'ratePlan', message: `rate plan ${ratePlan} of category ${category.code} has no usable rate` });
  }

  // Type-specific checks.
  let extraNights = 0;
  if (product.type === 'TOUR') {
    if (start !== null) {
      let departure: TourProduct['departures'][number] | undefined;
      for (const d of product.departures) if (d.date === req.startDate) departure = d;
      if (!departure) problems.push({ path: 'startDate', message: `product ${product.code} has no departure on ${req.startDate}` });
      else if (departure.status === 'CANCELLED') problems.push({ path: 'startDate', message: `the departure of ${req.startDate} is cancelled` });
    }
    if (nightsOk) {
      if (req.nights < product.durationNights) problems.push({ path: 'nights', message: `the tour lasts ${product.durationNights} nights; ${req.nights} is fewer` });
      else extraNights = req.nights - product.durationNights;
    }
    const c = dateRates[0] ?? NO_RATE;
    if (extraNights > 0 && c >= 0 && (candidates[c]!.rate.extraNight === undefined || candidates[c]!.rate.extraNight === null)) {
      problems.push({ path: 'nights', message: `${extraNights} extra night(s) asked but the rate of ${req.startDate} (product.rates[${candidates[c]!.index}]) has no extraNight price` });
    }
  } else if (product.type === 'INSURANCE' && nightsOk && req.nights + 1 > product.maxTripDays) {
    problems.push({ path: 'nights', message: `a trip of ${req.nights + 1} days (${req.nights} nights) is longer than the ${product.maxTripDays} days product ${product.code} covers` });
  }

  // Markup and taxes.
  const markupRules = Array.isArray(req.markupRules) ? req.markupRules : [];
  const rule = markupFor(markupRules, product.type, req.channel);
  const markup = rule ? decimalAt(rule.percent, problems, 'markupRules', markupRules.indexOf(rule), 'percent') : null;
  const taxAmounts: Dec[] = [];
  for (let i = 0; i < product.taxes.length; i++) {
    const tax = product.taxes[i]!;
    if (!TAX_KINDS.includes(tax.kind)) problems.push({ path: `product.taxes[${i}].kind`, message: `unknown tax kind ${JSON.stringify(tax.kind)}` });
    taxAmounts.push(decimalAt(tax.amount, problems, 'product.taxes', i, 'amount') ?? ZERO);
  }

  // Amounts of the rates actually used, parsed once.
  const amounts: (RateAmounts | null)[] = new Array<RateAmounts | null>(candidates.length).fill(null);
  const seen: boolean[] = new Array<boolean>(candidates.length).fill(false);
  for (const c of dateRates) {
    if (c < 0 || seen[c]) continue;
    seen[c] = true;
    const rate = candidates[c]!.rate;
    const index = candidates[c]!.index;
    const before = problems.length;
    const amount = decimalAt(rate.amount, problems, 'product.rates', index, 'amount');
    const rateAmounts = {
      amount: amount ?? ZERO,
      sell: optionalDecimalAt(rate.sellAmount, problems, index, 'sellAmount'),
      singleSupplement: optionalDecimalAt(rate.singleSupplement, problems, index, 'singleSupplement'),
      extraNight: optionalDecimalAt(rate.extraNight, problems, index, 'extraNight'),
    };
    if (problems.length === before) amounts[c] = rateAmounts;
  }

  if (problems.length > 0) return problems;
  return {
    req,
    category: category!,
    ratePlan,
    start: start!,
    costDigits: minorUnits(product.currency),
    sellDigits: minorUnits(req.sellingCurrency),
    fx: fx!,
    markupFx: !markup || markup.isZero() ? fx! : markup.times(PERCENT).plus(ONE).times(fx!),
    candidates,
    amounts,
    dateRates,
    extraNights,
    bands,
    adults,
    children,
    bandCounts,
    singles,
    unitAdults,
    unitBands,
    taxAmounts,
  };
}

/** A priced line before it is given its date: amounts rounded once, strings made once. */
interface LineTemplate {
  kind: PriceLineKind;
  description: string;
  quantity: number;
  unitCost: string;
  cost: string;
  sell: string;
  costDec: Dec;
  sellDec: Dec;
}

/** `x` rounded HALF_UP to `digits` decimals; no new Decimal when it already fits (the usual case). */
function toMinor(x: Dec, digits: number): Dec {
  return x.decimalPlaces() <= digits ? x : x.toDecimalPlaces(digits, ROUNDING);
}

/**
 * `x`, which has at most `digits` decimals, written with exactly `digits` ("80" -> "80.00").
 * Same text as x.toFixed(digits) without the rounding pass toFixed(dp) makes on every call.
 */
function fixed(x: Dec, digits: number): string {
  const s = x.toFixed();
  if (digits === 0) return s;
  const dot = s.indexOf('.');
  const have = dot < 0 ? 0 : s.length - dot - 1;
  return (dot < 0 ? `${s}.` : s) + '0'.repeat(digits - have);
}

/** A unit cost for information: the currency's decimals, or up to 4 when it has more (HALF_UP). */
function formatUnit(unit: Dec, digits: number): string {
  if (unit.decimalPlaces() <= digits) return fixed(unit, digits);
  return unit.toDecimalPlaces(Math.max(UNIT_COST_DECIMALS, digits), ROUNDING).toFixed();
}

/**
 * One line: `unitCost` x `quantity` at full precision; sold at `contractedUnit` x quantity x fx
 * when a contracted sell price applies, else at cost x (1 + markup) x fx; each rounded once.
 */
function template(p: Plan, kind: PriceLineKind, description: string, quantity: number, unitCost: Dec, contractedUnit: Dec | null): LineTemplate {
  const costFull = quantity === 1 ? unitCost : unitCost.times(quantity);
  const sellFull = contractedUnit ? (quantity === 1 ? contractedUnit : contractedUnit.times(quantity)).times(p.fx) : costFull.times(p.markupFx);
  const costDec = toMinor(costFull, p.costDigits);
  const sellDec = toMinor(sellFull, p.sellDigits);
  return {
    kind,
    description,
    quantity,
    unitCost: formatUnit(unitCost, p.costDigits),
    cost: fixed(costDec, p.costDigits),
    sell: fixed(sellDec, p.sellDigits),
    costDec,
    sellDec,
  };
}

/** Children beyond the standard occupancy of their unit, per band (per-room bases). */
function extraChildren(p: Plan): number[] {
  const counts: number[] = new Array<number>(p.bands.length).fill(0);
  const standard = Math.max(1, p.category.standardOccupancy);
  for (let u = 0; u < p.unitBands.length; u++) {
    const ofUnit = p.unitBands[u]!;
    const free = Math.max(0, standard - p.unitAdults[u]!);
    if (ofUnit.length <= free) continue;
    // Free places go to the children who would pay most: smallest discount first, then band order.
    const sorted = [...ofUnit].sort((a, b) => p.bands[a]!.discount!.comparedTo(p.bands[b]!.discount!) || a - b);
    for (let i = free; i < sorted.length; i++) counts[sorted[i]!]!++;
  }
  return counts;
}

/** Lines of one application of a rate: a night (nightly bases) or the service/departure date. */
function rateLines(p: Plan, rate: Rate, amounts: RateAmounts): LineTemplate[] {
  const lines: LineTemplate[] = [];
  const { amount, sell, singleSupplement } = amounts;
  const name = `${p.category.name} (${p.ratePlan})`;
  switch (rate.basis) {
    case 'PER_ROOM_PER_NIGHT': {
      lines.push(template(p, 'BASE', `${name}, per room per night`, p.unitAdults.length, amount, sell));
      if (p.children === 0) break;
      const extras = extraChildren(p);
      const standard = Math.max(1, p.category.standardOccupancy);
      const shareCost = amount.dividedBy(standard);
      const shareSell = sell ? sell.dividedBy(standard) : null;
      for (let b = 0; b < p.bands.length; b++) {
        const n = extras[b]!;
        if (n === 0) continue;
        const band = p.bands[b]!;
        const description = `Child ${band.label} beyond standard occupancy, per night`;
        lines.push(template(p, 'CHILD', description, n, shareCost.times(band.factor), shareSell ? shareSell.times(band.factor) : null));
      }
      break;
    }
    case 'PER_PERSON_PER_NIGHT':
    case 'PER_PERSON': {
      const per = rate.basis === 'PER_PERSON' ? 'per person' : 'per person per night';
      if (p.adults > 0) lines.push(template(p, 'BASE', `${name}, ${per}`, p.adults, amount, sell));
      for (let b = 0; b < p.bands.length; b++) {
        const n = p.bandCounts[b]!;
        if (n === 0) continue;
        const band = p.bands[b]!;
        lines.push(template(p, 'CHILD', `Child ${band.label}, ${per}`, n, amount.times(band.factor), sell ? sell.times(band.factor) : null));
      }
      break;
    }
    case 'PER_UNIT':
      lines.push(template(p, 'BASE', `${name}, per unit`, p.unitAdults.length, amount, sell));
      return lines;
  }
  if (singleSupplement && p.singles > 0) {
    const description = rate.basis === 'PER_PERSON' ? 'Single supplement' : 'Single supplement, per night';
    lines.push(template(p, 'SINGLE_SUPPLEMENT', description, p.singles, singleSupplement, null));
  }
  return lines;
}

function pushLines(lines: PriceLine[], templates: LineTemplate[], date: string | undefined): void {
  for (const t of templates) {
    lines.push(
      date === undefined
        ? { kind: t.kind, description: t.description, quantity: t.quantity, unitCost: t.unitCost, cost: t.cost, sell: t.sell }
        : { kind: t.kind, description: t.description, date, quantity: t.quantity, unitCost: t.unitCost, cost: t.cost, sell: t.sell },
    );
  }
}

/** Builds the breakdown of a valid plan. */
function breakdown(p: Plan): PriceBreakdown {
  const { req, candidates, costDigits, sellDigits } = p;
  const product = req.product;
  const lines: PriceLine[] = [];
  const templates: (LineTemplate[] | null)[] = new Array<LineTemplate[] | null>(candidates.length).fill(null);
  const timesUsed: number[] = new Array<number>(candidates.length).fill(0);

  // Priced dates: each night (hotels) or the start date, each with its rate's lines.
  const dated = product.type === 'HOTEL';
  for (let n = 0; n < p.dateRates.length; n++) {
    const c = p.dateRates[n]!;
    let t = templates[c];
    if (!t) {
      t = rateLines(p, candidates[c]!.rate, p.amounts[c]!);
      templates[c] = t;
    }
    timesUsed[c]!++;
    pushLines(lines, t, dated ? isoOfDay(p.start + n) : req.startDate);
  }
  // Totals from the rounded lines: each rate's lines once, times the dates it priced.
  let totalCost = ZERO;
  let totalSellNet = ZERO;
  for (let c = 0; c < candidates.length; c++) {
    const t = templates[c];
    if (!t || t.length === 0) continue;
    let cost = t[0]!.costDec;
    let sell = t[0]!.sellDec;
    for (let i = 1; i < t.length; i++) {
      cost = cost.plus(t[i]!.costDec);
      sell = sell.plus(t[i]!.sellDec);
    }
    const n = timesUsed[c]!;
    totalCost = totalCost.plus(n === 1 ? cost : cost.times(n));
    totalSellNet = totalSellNet.plus(n === 1 ? sell : sell.times(n));
  }

  // Tour extra nights: the departure rate's extraNight per person per night, children by band.
  if (p.extraNights > 0) {
    const extra = p.amounts[p.dateRates[0]!]!.extraNight!;
    const nights = p.extraNights;
    const extraLines: LineTemplate[] = [];
    if (p.adults > 0) extraLines.push(template(p, 'EXTRA_NIGHT', `Extra night, per person per night (${nights} nights)`, p.adults * nights, extra, null));
    for (let b = 0; b < p.bands.length; b++) {
      const count = p.bandCounts[b]!;
      if (count === 0) continue;
      const band = p.bands[b]!;
      extraLines.push(template(p, 'EXTRA_NIGHT', `Extra night, child ${band.label}, per night (${nights} nights)`, count * nights, extra.times(band.factor), null));
    }
    pushLines(lines, extraLines, undefined);
    for (const t of extraLines) {
      totalCost = totalCost.plus(t.costDec);
      totalSellNet = totalSellNet.plus(t.sellDec);
    }
  }

  // Taxes: fixed ones passed through (no markup), percent ones on the total selling net.
  let totalTax = ZERO;
  const zeroCost = fixed(ZERO, costDigits);
  for (let i = 0; i < product.taxes.length; i++) {
    const tax: Tax = product.taxes[i]!;
    const amount = p.taxAmounts[i]!;
    if (tax.kind === 'PERCENT') {
      const sellDec = toMinor(totalSellNet.times(amount).times(PERCENT), sellDigits);
      const description = `${tax.name} ${amount.toFixed()} % of ${fixed(totalSellNet, sellDigits)} ${req.sellingCurrency}`;
      lines.push({ kind: 'TAX', description, quantity: 1, unitCost: zeroCost, cost: zeroCost, sell: fixed(sellDec, sellDigits) });
      totalTax = totalTax.plus(sellDec);
      continue;
    }
    const people = p.adults + (tax.appliesToChildren ? p.children : 0);
    const perNight = tax.kind === 'PER_PERSON_PER_NIGHT';
    const quantity = perNight ? people * req.nights : people;
    if (quantity === 0) continue;
    const costFull = amount.times(quantity);
    const costDec = toMinor(costFull, costDigits);
    const sellDec = toMinor(p.fx.equals(ONE) ? costFull : costFull.times(p.fx), sellDigits);
    const nights = perNight ? ` x ${req.nights} night${req.nights === 1 ? '' : 's'}` : '';
    lines.push({
      kind: 'TAX',
      description: `${tax.name}, ${people} ${people === 1 ? 'person' : 'people'}${nights}`,
      quantity,
      unitCost: formatUnit(amount, costDigits),
      cost: fixed(costDec, costDigits),
      sell: fixed(sellDec, sellDigits),
    });
    totalCost = totalCost.plus(costDec);
    totalTax = totalTax.plus(sellDec);
  }

  return {
    productCode: product.code,
    category: p.category.code,
    ratePlan: p.ratePlan,
    supplierCurrency: product.currency,
    sellingCurrency: req.sellingCurrency,
    fxRate: req.fxRate,
    lines,
    totalCost: fixed(totalCost, costDigits),
    totalSellNet: fixed(totalSellNet, sellDigits),
    totalTax: fixed(totalTax, sellDigits),
    totalSell: fixed(totalSellNet.plus(totalTax), sellDigits),
  };
}

/**
 * Prices one product for one request. Throws PricingError listing every problem of the request;
 * otherwise returns the itemised breakdown (see the rules at the top of this file).
 */
export function priceRequest(req: PriceRequest): PriceBreakdown {
  const planned = plan(req);
  if (Array.isArray(planned)) throw new PricingError(planned);
  return breakdown(planned);
}
