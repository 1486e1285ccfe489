import type { ProductType as LedgerProductType, SalesChannel } from '../ledger/chart';

/**
 * The catalog's vocabulary, shared by the domain rules (validation, pricing, policies, releases),
 * the stores and the API. Plain JSON: amounts are decimal strings (never JS numbers), dates are
 * calendar dates `YYYY-MM-DD`, percentages are decimal strings ("12.5" = 12.5 %).
 */

export const SUPPLIER_TYPES = ['CRUISE_LINE', 'HOTEL', 'AIRLINE', 'GROUND_OPERATOR', 'INSURER', 'CAR_RENTAL', 'VISA_SERVICE', 'TRANSFER'] as const;
export type SupplierType = (typeof SUPPLIER_TYPES)[number];

export const PAYMENT_METHODS = ['BANK_TRANSFER', 'VIRTUAL_CARD', 'CREDIT_CARD', 'DIRECT_DEBIT'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface SupplierContact {
  name: string;
  role?: string;
  email?: string;
  phone?: string;
}

export interface PaymentTerms {
  /** Deposit the supplier asks for, percent of the cost ("25"). */
  depositPercent: string;
  /** Balance due this many days before travel. */
  balanceDueDaysBeforeTravel: number;
  /** Invoices are payable this many days after the invoice date. */
  netDaysAfterInvoice: number;
}

export const FEE_BASES = ['PERCENT', 'FIXED'] as const;
export type FeeBasis = (typeof FEE_BASES)[number];
export const FEE_SCOPES = ['PER_PERSON', 'PER_BOOKING'] as const;
export type FeeScope = (typeof FEE_SCOPES)[number];

/**
 * One window of a cancellation or amendment policy: applies when the change happens between
 * `fromDaysBefore` (inclusive, the far end) and `toDaysBefore` (inclusive, the near end) days before
 * departure. `toDaysBefore` 0 covers the departure day; a window may cover "no-show" with -1.
 */
export interface PolicyWindow {
  fromDaysBefore: number;
  toDaysBefore: number;
  basis: FeeBasis;
  scope: FeeScope;
  /** PERCENT: percentage of the cost ("50"); FIXED: an amount in `currency`. */
  amount: string;
  /** FIXED only. */
  currency?: string;
  /** Nothing is refunded in this window, whatever the fee says. */
  nonRefundable: boolean;
}

export interface Policy {
  windows: PolicyWindow[];
}

export interface Supplier {
  code: string;
  name: string;
  type: SupplierType;
  active: boolean;
  contacts: SupplierContact[];
  /** Validated by its ISO 13616 checksum; stored electronic format (no spaces). */
  iban?: string;
  bic?: string;
  /** Non-IBAN account number (e.g. US ABA/account) when the supplier has no IBAN. */
  accountNumber?: string;
  paymentTerms: PaymentTerms;
  preferredPaymentMethod: PaymentMethod;
  invoiceCurrency: string;
  paymentCurrency: string;
  cancellationPolicy: Policy;
  amendmentPolicy: Policy;
}

export const CATALOG_PRODUCT_TYPES = ['TOUR', 'HOTEL', 'GROUND_SERVICE', 'INSURANCE'] as const;
export type CatalogProductType = (typeof CATALOG_PRODUCT_TYPES)[number];

/** Which ledger product type (revenue / cost accounts) a catalog product type posts to. */
export const LEDGER_PRODUCT_TYPE: Record<CatalogProductType, LedgerProductType> = {
  TOUR: 'tours',
  HOTEL: 'hotels',
  GROUND_SERVICE: 'transfers',
  INSURANCE: 'insurance',
};

export const GROUND_SERVICE_KINDS = ['TRANSFER', 'EXCURSION', 'GUIDE', 'VEHICLE'] as const;
export type GroundServiceKind = (typeof GROUND_SERVICE_KINDS)[number];

export const BOARD_BASES = ['RO', 'BB', 'HB', 'FB', 'AI'] as const;
export type BoardBasis = (typeof BOARD_BASES)[number];

/** A room type (hotel) or cabin/room category (tour): what inventory is counted in. */
export interface Category {
  code: string;
  name: string;
  /** Most people sharing one unit (room/cabin). */
  maxOccupancy: number;
  /** Fewest people in one unit before a single supplement applies (usually 2). */
  standardOccupancy: number;
}

/**
 * How a rate's amount is charged:
 * - PER_PERSON_PER_NIGHT: each adult, each night (hotels, tour extra nights);
 * - PER_ROOM_PER_NIGHT: each unit, each night, whoever is in it (hotels);
 * - PER_PERSON: each adult once (tours: the whole itinerary; insurance: the trip; excursions);
 * - PER_UNIT: each vehicle/guide once, up to the category's maxOccupancy (transfers, guides).
 */
export const RATE_BASES = ['PER_PERSON_PER_NIGHT', 'PER_ROOM_PER_NIGHT', 'PER_PERSON', 'PER_UNIT'] as const;
export type RateBasis = (typeof RATE_BASES)[number];

/** Monday = 1 ... Sunday = 7 (ISO weekday). */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const ALL_WEEKDAYS: IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

/**
 * A seasonal rate: applies to nights (or departure/service dates) from `validFrom` to `validTo`
 * inclusive, on the listed weekdays. Within one product, category and rate plan, two rates must
 * not both apply to the same date (overlapping seasons are refused).
 */
export interface Rate {
  category: string;
  ratePlan: string;
  boardBasis?: BoardBasis;
  validFrom: string;
  validTo: string;
  weekdays: IsoWeekday[];
  basis: RateBasis;
  /** Cost price from the supplier, in the product's currency, per the basis. */
  amount: string;
  /** Added per single traveller (alone in a unit): per night for nightly bases, once otherwise. */
  singleSupplement?: string;
  /** Tours: cost per person per night before or after the itinerary. */
  extraNight?: string;
  /** Contracted selling price per the same basis; when present no markup rule applies. */
  sellAmount?: string;
}

/** Children aged `minAge`..`maxAge` (inclusive, age on the first travel date) pay (100 - discount) %. */
export interface ChildBand {
  minAge: number;
  maxAge: number;
  discountPercent: string;
}

export const TAX_KINDS = ['PERCENT', 'PER_PERSON_PER_NIGHT', 'PER_PERSON'] as const;
export type TaxKind = (typeof TAX_KINDS)[number];

/**
 * A tax the customer pays on top: PERCENT of the selling price (VAT-like, in the selling currency),
 * or a fixed amount in the product's currency per person (per night) (city tax, port tax).
 */
export interface Tax {
  code: string;
  name: string;
  kind: TaxKind;
  amount: string;
  /** Children pay this tax too (default: adults only). */
  appliesToChildren: boolean;
}

export interface TourDeparture {
  date: string;
  status: 'SCHEDULED' | 'GUARANTEED' | 'CANCELLED';
}

export interface ItineraryDay {
  day: number;
  title: string;
  overnight?: string;
}

interface ProductBase {
  supplierCode: string;
  code: string;
  name: string;
  /** Destination code, upper case ("IT-ROME", "KE-MASAI-MARA"). */
  destination: string;
  /** ISO 3166-1 alpha-2 country of the destination. */
  country: string;
  /** Currency of every cost amount of this product (the supplier contract's currency). */
  currency: string;
  active: boolean;
  minPax: number;
  maxPax: number;
  categories: Category[];
  rates: Rate[];
  childBands: ChildBand[];
  taxes: Tax[];
}

export interface TourProduct extends ProductBase {
  type: 'TOUR';
  itinerary: ItineraryDay[];
  /** Nights of the itinerary (the tour's own length). */
  durationNights: number;
  departures: TourDeparture[];
  /** Departure is guaranteed once this many passengers are sold. */
  guaranteedThreshold: number;
}

export interface HotelProduct extends ProductBase {
  type: 'HOTEL';
  starRating?: number;
  address?: string;
}

export interface GroundServiceProduct extends ProductBase {
  type: 'GROUND_SERVICE';
  kind: GroundServiceKind;
  durationHours?: number;
}

export interface InsuranceProduct extends ProductBase {
  type: 'INSURANCE';
  cover: string;
  maxTripDays: number;
}

export type Product = TourProduct | HotelProduct | GroundServiceProduct | InsuranceProduct;

/** Markup on cost for products without a contracted sell rate; the most specific rule wins. */
export interface MarkupRule {
  /** null = any product type */
  productType: CatalogProductType | null;
  /** null = any channel */
  channel: SalesChannel | null;
  percent: string;
}

export type ReleaseRule =
  | { kind: 'NONE' }
  /** Unsold units of a date return to the supplier `days` days before that date. */
  | { kind: 'DAYS_BEFORE'; days: number }
  /** On `releaseOn`, unsold units of every date from `arrivalsFrom` to `arrivalsTo` return. */
  | { kind: 'FIXED_DATES'; dates: { releaseOn: string; arrivalsFrom: string; arrivalsTo: string }[] };

/** Rooms/cabins of one category contracted per date at a contracted price. */
export interface AllotmentContract {
  code: string;
  supplierCode: string;
  productCode: string;
  category: string;
  /** First and last stay (or departure) date covered, inclusive. */
  validFrom: string;
  validTo: string;
  /** Units per date. */
  quantity: number;
  contractedPrice: string;
  currency: string;
  basis: RateBasis;
  release: ReleaseRule;
  /** Group size limits for a booking against this allotment (people). */
  minGroupSize: number;
  maxGroupSize: number;
}

export interface StopSale {
  supplierCode: string;
  productCode: string;
  /** null = every category of the product */
  category: string | null;
  from: string;
  to: string;
  reason: string;
}

/** Who travels: adults, plus children by age on the first travel date. */
export interface Occupancy {
  adults: number;
  childAges: number[];
}

/**
 * A request to price one product. Hotels: `rooms` units from `startDate` for `nights` nights.
 * Tours: `startDate` is the departure; `nights` beyond `durationNights` are extra nights (half
 * before, half after is a booking detail; pricing only counts them). Ground services / insurance:
 * `startDate` is the service or trip start, `nights` the trip length (insurance) or 0.
 */
export interface PriceRequest {
  product: Product;
  category: string;
  ratePlan?: string;
  startDate: string;
  nights: number;
  /** One occupancy per unit (room/cabin/vehicle). */
  units: Occupancy[];
  channel: SalesChannel;
  sellingCurrency: string;
  /** Units of selling currency per one unit of the product currency ("1.1734"); "1" when the same. */
  fxRate: string;
  markupRules: MarkupRule[];
}

export interface PriceLine {
  /** BASE, CHILD, SINGLE_SUPPLEMENT, EXTRA_NIGHT or TAX (see PRICE_LINE_KINDS in pricing.ts) */
  kind: string;
  description: string;
  /** Night or service date the line is for, when it is for one. */
  date?: string;
  quantity: number;
  unitCost: string;
  cost: string;
  sell: string;
}

export interface PriceBreakdown {
  productCode: string;
  category: string;
  ratePlan: string;
  supplierCurrency: string;
  sellingCurrency: string;
  fxRate: string;
  lines: PriceLine[];
  /** In the supplier (product) currency. */
  totalCost: string;
  /** In the selling currency, before taxes. */
  totalSellNet: string;
  totalTax: string;
  /** totalSellNet + totalTax. */
  totalSell: string;
}
