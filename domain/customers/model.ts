/**
 * The CRM's vocabulary (issue 8), shared by the domain rules (normalisation, duplicate detection,
 * merging, passports, loyalty, archiving), the legacy-export reader, the migration workflow, the
 * customer store and the API. Plain JSON: dates are calendar dates `YYYY-MM-DD`, amounts decimal
 * strings, loyalty points integers, countries ISO 3166-1 alpha-2 ("GB"), currencies ISO 4217.
 */

// ------------------------------------------------------------------ the customer

export const CUSTOMER_STATUSES = ['ACTIVE', 'ARCHIVED'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

export const PHONE_KINDS = ['MOBILE', 'HOME', 'WORK', 'OTHER'] as const;
export type PhoneKind = (typeof PHONE_KINDS)[number];

export const ADDRESS_KINDS = ['HOME', 'BILLING', 'WORK', 'OTHER'] as const;
export type AddressKind = (typeof ADDRESS_KINDS)[number];

export const CABIN_CLASSES = ['ECONOMY', 'PREMIUM_ECONOMY', 'BUSINESS', 'FIRST'] as const;
export type CabinClass = (typeof CABIN_CLASSES)[number];

export const SEAT_PREFERENCES = ['WINDOW', 'AISLE', 'MIDDLE', 'NONE'] as const;
export type SeatPreference = (typeof SEAT_PREFERENCES)[number];

export const CONTACT_CHANNELS = ['EMAIL', 'PHONE', 'SMS', 'POST'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

/** What a customer consented to (or withdrew): one row per change, the latest per purpose counts. */
export const CONSENT_PURPOSES = ['MARKETING_EMAIL', 'MARKETING_SMS', 'MARKETING_PHONE', 'MARKETING_POST', 'PROFILING', 'THIRD_PARTY_SHARING'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export const TRIP_PAYMENT_STATUSES = ['PAID', 'PARTIALLY_PAID', 'UNPAID', 'REFUNDED', 'CANCELLED'] as const;
export type TripPaymentStatus = (typeof TRIP_PAYMENT_STATUSES)[number];

export const LOYALTY_KINDS = ['EARN', 'REDEEM', 'ADJUST', 'EXPIRE'] as const;
export type LoyaltyKind = (typeof LOYALTY_KINDS)[number];

export interface EmailAddress {
  /** As given (trimmed). */
  address: string;
  /** Lower-cased, trimmed; the duplicate-detection and search key. */
  normalized: string;
  primary: boolean;
}

export interface PhoneNumber {
  /** As given. */
  raw: string;
  /** E.164 ("+442079460000"); the duplicate-detection and search key. */
  e164: string;
  kind: PhoneKind;
  primary: boolean;
}

export interface PostalAddress {
  kind: AddressKind;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface Anniversary {
  /** "WEDDING", "BIRTHDAY", free text upper-cased. */
  kind: string;
  /** MM-DD, or YYYY-MM-DD when the year is known. */
  date: string;
}

export interface CustomerPreferences {
  cabinClass?: CabinClass;
  seat?: SeatPreference;
  /** Free text items ("vegetarian", "nut allergy"). */
  dietary: string[];
  /** IATA airline designators ("BA", "LH"). */
  preferredAirlines: string[];
  anniversaries: Anniversary[];
  notes?: string;
}

export interface ContactPreferences {
  preferredChannel?: ContactChannel;
  /** BCP 47 language tag ("en", "de-CH"). */
  language?: string;
  /** Never contact for marketing, whatever the consents say (a "do not contact" flag). */
  doNotContact: boolean;
}

/** A payment method kept as the gateway's token only: never a card number. */
export interface PaymentMethodOnFile {
  token: string;
  brand?: string;
  /** Last four digits, for the advisor to recognise the card. */
  last4?: string;
  /** YYYY-MM. */
  expiry?: string;
}

export interface CustomerFinancial {
  /** ISO 4217: the currency of the credit limit and the outstanding balance. */
  currency: string;
  creditLimit?: string;
  outstandingBalance: string;
}

export interface Passport {
  number: string;
  /** Upper-case letters and digits only: the search and uniqueness key. */
  normalizedNumber: string;
  /** Issuing country, ISO 3166-1 alpha-2. */
  country: string;
  issuedOn?: string;
  expiresOn: string;
}

/** One completed (or cancelled) trip in a customer's travel history. */
export interface TripComponent {
  /** FLIGHT, HOTEL, CRUISE, TRANSFER, TOUR, INSURANCE, RAIL, CAR, OTHER (free text upper-cased). */
  type: string;
  supplier?: string;
  description?: string;
  /** Cabin or room class ("Balcony", "BUSINESS"). */
  serviceClass?: string;
}

export interface Trip {
  /** Idempotency key: "legacy:<system>:trip:<id>" or "booking:<reference>". */
  sourceKey: string;
  reference: string;
  startDate: string;
  endDate: string;
  destinations: string[];
  products: string[];
  pax: number;
  value: { amount: string; currency: string };
  paymentStatus: TripPaymentStatus;
  advisorId?: string;
  /** Full component detail when the source has it. */
  components?: TripComponent[];
}

export interface LoyaltyTransaction {
  sourceKey: string;
  occurredOn: string;
  /** Signed: earnings positive, redemptions and expiries negative. */
  points: number;
  kind: LoyaltyKind;
  description?: string;
  tripReference?: string;
}

export interface ConsentRecord {
  sourceKey: string;
  purpose: ConsentPurpose;
  granted: boolean;
  recordedOn: string;
  /** Where the opt-in or opt-out came from ("web form", "phone call", "legacy import"). */
  source: string;
}

// ------------------------------------------------------------------ the legacy export

/**
 * The files of a legacy export, each `.csv` (header row, comma separated, UTF-8 by label), `.jsonl`
 * (one object per line) or `.json` (an array of objects), with the columns below. Only
 * `customers` is required. List fields in CSV are separated by `;`. Dates are `YYYY-MM-DD`, or
 * `DD/MM/YYYY` (the run's `dayFirst` option, default true, says how a slashed date is read).
 */
export const LEGACY_FILES = ['advisors', 'customers', 'passports', 'trips', 'loyalty', 'consents', 'bookings'] as const;
export type LegacyFileKind = (typeof LEGACY_FILES)[number];

export const LEGACY_COLUMNS: Record<LegacyFileKind, { required: readonly string[]; optional: readonly string[] }> = {
  advisors: { required: ['advisor_id', 'name'], optional: ['email', 'branch', 'active'] },
  customers: {
    required: ['customer_id', 'last_name'],
    optional: [
      'title', 'first_name', 'date_of_birth', 'email', 'email_2', 'phone', 'mobile', 'work_phone',
      'address_line1', 'address_line2', 'city', 'region', 'postal_code', 'country',
      'advisor_id', 'household_id', 'created_on',
      'cabin_class', 'seat', 'dietary', 'preferred_airlines', 'anniversaries', 'notes',
      'preferred_channel', 'language', 'do_not_contact',
      'loyalty_tier', 'loyalty_balance',
      'currency', 'credit_limit', 'outstanding_balance',
      'card_token', 'card_brand', 'card_last4', 'card_expiry',
    ],
  },
  passports: { required: ['customer_id', 'number', 'country', 'expires_on'], optional: ['issued_on'] },
  trips: {
    required: ['trip_id', 'customer_id', 'booking_reference', 'start_date', 'end_date', 'value', 'currency'],
    optional: ['destinations', 'products', 'pax', 'payment_status', 'advisor_id', 'components'],
  },
  loyalty: { required: ['transaction_id', 'customer_id', 'date', 'points'], optional: ['kind', 'description', 'booking_reference'] },
  consents: { required: ['customer_id', 'purpose', 'granted', 'date'], optional: ['source'] },
  // bookings: in-flight bookings, nested; see LegacyBooking (JSON or JSONL only).
  bookings: { required: ['booking_reference', 'customer_id'], optional: [] },
};

/** Where a problem was found in the export: the file, and the CSV line (header = 1) or JSON record number (first = 1). */
export interface RowIssue {
  file: LegacyFileKind;
  row: number;
  /** The column, when the problem is in one. */
  field?: string;
  /** Stable machine code: 'malformed-row', 'bad-encoding', 'bad-date', 'impossible-birth-date', 'unknown-customer', 'card-number', … */
  code: string;
  message: string;
  /** ERROR: the record is not loaded. WARNING: loaded, with the problem noted (a value read as Latin-1, an expired passport). */
  severity: 'ERROR' | 'WARNING';
}

/** One record as read from a file: every field as text (JSON numbers and booleans as their text, objects as JSON). */
export interface RawRecord {
  row: number;
  fields: Record<string, string>;
}

export interface LegacyAdvisor {
  advisorId: string;
  name: string;
  email?: string;
  branch?: string;
  active: boolean;
}

/** A customers.csv record after checking; problems in it are RowIssues. */
export interface LegacyCustomer {
  legacyId: string;
  row: number;
  title?: string;
  firstName?: string;
  lastName: string;
  dateOfBirth?: string;
  emails: EmailAddress[];
  phones: PhoneNumber[];
  address?: PostalAddress;
  advisorId?: string;
  householdId?: string;
  /** The date the legacy system created the customer. */
  createdOn?: string;
  preferences: CustomerPreferences;
  contactPreferences: ContactPreferences;
  loyaltyTier?: string;
  /** The balance the legacy system states (checked against the sum of loyalty transactions). */
  loyaltyBalance?: number;
  financial?: CustomerFinancial;
  paymentMethods: PaymentMethodOnFile[];
}

export interface LegacyPassport extends Passport {
  legacyCustomerId: string;
  row: number;
}

export interface LegacyTrip extends Trip {
  legacyCustomerId: string;
  row: number;
}

export interface LegacyLoyaltyTransaction extends LoyaltyTransaction {
  legacyCustomerId: string;
  row: number;
}

export interface LegacyConsent extends ConsentRecord {
  legacyCustomerId: string;
  row: number;
}

/** The outcome of checking one record: the value when it can be loaded (perhaps with warnings), and every problem. */
export interface Checked<T> {
  value?: T;
  issues: RowIssue[];
}

/** Options every record check needs. */
export interface CheckContext {
  /** The migration's "today" (YYYY-MM-DD): birth dates after it are impossible, passports before it expired. */
  today: string;
  /** How `01/02/2003` reads: true = 1 February (the default), false = 2 January. */
  dayFirst: boolean;
  /** The legacy system's name, used in source keys ("legacy:<system>:trip:<id>"). */
  system: string;
}

// ------------------------------------------------------------------ duplicates and merging

/** What duplicate detection looks at, per legacy customer. */
export interface DedupKeys {
  legacyId: string;
  /** Normalised emails. */
  emails: string[];
  /** E.164 phones. */
  phones: string[];
  firstName: string;
  lastName: string;
  dateOfBirth?: string;
  /** Completeness and recency decide the survivor: the latest trip end, else the creation date. */
  lastActivity?: string;
  /** Number of filled fields; a tie-breaker for the survivor. */
  completeness: number;
}

export interface DedupConfig {
  /** Jaro-Winkler similarity of the full names at or above which same-birth-date records are duplicates (default 0.92). */
  nameThreshold: number;
  /** Similarity at or above which a shared email or phone is enough (default 0.80): households share an email, spouses are not one person. */
  sharedContactNameThreshold: number;
  /** Blocks larger than this are not compared pairwise (a shared office switchboard); reported. Default 50. */
  maxBlockSize: number;
}

export const DEFAULT_DEDUP_CONFIG: DedupConfig = { nameThreshold: 0.92, sharedContactNameThreshold: 0.8, maxBlockSize: 50 };

/** Why two legacy customers were judged the same person. */
export interface MatchReason {
  a: string;
  b: string;
  rule: 'email' | 'phone' | 'name-and-birth-date';
  /** Name similarity, 0..1. */
  score: number;
}

/** A group of legacy customers judged to be one person, and the one whose profile leads. */
export interface DuplicateCluster {
  survivorLegacyId: string;
  /** Every member including the survivor, sorted. */
  memberLegacyIds: string[];
  reasons: MatchReason[];
}

/** The archive rule: customers with no booking in more than this many years are archived, not loaded as active. */
export const ARCHIVE_AFTER_YEARS = 7;

// ------------------------------------------------------------------ what the store writes

export interface LegacyRef {
  system: string;
  legacyId: string;
}

/** One customer as the store writes it (a migrated or merged profile, or one created through the API). */
export interface CustomerWrite {
  id: string;
  status: CustomerStatus;
  archivedReason?: string;
  title?: string;
  firstName?: string;
  lastName: string;
  dateOfBirth?: string;
  customerSince?: string;
  advisorId?: string;
  householdId?: string;
  preferences: CustomerPreferences;
  contactPreferences: ContactPreferences;
  financial?: CustomerFinancial;
  loyaltyTier?: string;
  legacyLoyaltyBalance?: number;
  emails: EmailAddress[];
  phones: PhoneNumber[];
  addresses: PostalAddress[];
  paymentMethods: PaymentMethodOnFile[];
  legacyIds: LegacyRef[];
}

export type PassportWrite = Passport & { customerId: string };
export type TripWrite = Trip & { customerId: string };
export type LoyaltyTransactionWrite = LoyaltyTransaction & { customerId: string };
export type ConsentWrite = ConsentRecord & { customerId: string };
