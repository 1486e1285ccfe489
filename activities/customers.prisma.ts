import type { Prisma, PrismaClient } from '../generated/prisma/client';
import { bulkInsert, rawQuery, type RawSql } from './bulk-insert';
import type { SqlDriver } from '../infra/database';
import { decodeCursor as decodeKeysetCursor, encodeCursor } from './keyset-cursor';
import { randomUUID } from 'node:crypto';
import { daysBetween } from '../domain/catalog/dates';
import {
  CONSENT_PURPOSES,
  type ConsentPurpose,
  type ConsentWrite,
  type ContactPreferences,
  type CustomerPreferences,
  type CustomerStatus,
  type CustomerWrite,
  type LegacyAdvisor,
  type LoyaltyTransactionWrite,
  type PassportWrite,
  type Trip,
  type TripComponent,
  type TripPaymentStatus,
  type TripWrite,
} from '../domain/customers/model';
import { currentPassport, passportStatus } from '../domain/customers/rules';
import { nameKey, normalizeEmail, normalizePassportNumber, normalizePhone, searchNameOf } from '../domain/customers/normalize';
import { minorUnits } from '../domain/money/currency';
import { Dec } from '../domain/money/money';
import { isIsoDate, isoDateOf, utcDate } from '../domain/time/instant';

/**
 * The customer store (issue 8): writes migrated or merged customers and their history
 * idempotently, keeps the per-customer figures (trip count, first/last trip, loyalty points) and
 * answers the Customer 360 reads, searches, advisor routing and retention figures.
 * Search keys (email, phone, passport, name) are normalised by domain/customers/normalize.ts, as
 * the migration normalises them.
 */

export type CustomerStoreErrorKind =
  | 'unknown-customer'
  | 'unknown-customers'
  | 'unknown-advisor'
  | 'unknown-advisors'
  | 'legacy-id-conflict'
  | 'invalid-request'
  | 'invalid-cursor';

/** A refusal of the store: what was asked cannot be done; `field` names the offending input. */
export class CustomerStoreError extends Error {
  constructor(
    readonly kind: CustomerStoreErrorKind,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CustomerStoreError';
  }
}

export interface WriteCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface HistoryWriteCounts {
  created: number;
  existing: number;
}

export interface CustomerSummary {
  id: string;
  status: CustomerStatus;
  title: string | null;
  firstName: string | null;
  lastName: string;
  dateOfBirth: string | null;
  advisorId: string | null;
  householdId: string | null;
  primaryEmail: string | null;
  primaryPhone: string | null;
  tripCount: number;
  lastTripOn: string | null;
  loyaltyPoints: number;
}

export interface CustomerSearch {
  /** Anything: an email (has "@"), a phone or passport number (digits), else a name prefix or passport number. */
  q?: string;
  /** Prefix of "last first" (or "first last"), accent- and case-insensitive. */
  name?: string;
  email?: string;
  phone?: string;
  passport?: string;
  advisorId?: string;
  status?: CustomerStatus;
  /** Only customers whose assigned advisor works in this branch (an advisor's own branch). */
  branch?: string;
  limit: number;
  cursor?: string;
}

/** A stored trip: the domain's Trip with its row id, and the optional parts as explicit nulls. */
export interface TripView extends Omit<Trip, 'advisorId' | 'components'> {
  id: string;
  advisorId: string | null;
  components: TripComponent[] | null;
}

export interface AdvisorView {
  id: string;
  name: string;
  email: string | null;
  branch: string | null;
  active: boolean;
}

export type PassportStatus = 'VALID' | 'EXPIRED';

export interface PassportView {
  number: string;
  normalizedNumber: string;
  country: string;
  issuedOn: string | null;
  expiresOn: string;
  status: PassportStatus;
}

export interface ConsentView {
  purpose: ConsentPurpose;
  granted: boolean;
  recordedOn: string;
  source: string;
}

export interface AssignmentView {
  advisorId: string;
  advisorName: string;
  fromAt: string;
  toAt: string | null;
  reason: string;
}

export interface RetentionFigures {
  tripCount: number;
  firstTripOn: string | null;
  lastTripOn: string | null;
  daysSinceLastTrip: number | null;
  repeatCustomer: boolean;
}

export interface Customer360 {
  id: string;
  status: CustomerStatus;
  archivedReason: string | null;
  profile: { title: string | null; firstName: string | null; lastName: string; dateOfBirth: string | null; customerSince: string | null };
  legacyIds: { system: string; legacyId: string }[];
  contacts: {
    emails: { address: string; normalized: string; primary: boolean }[];
    phones: { raw: string; e164: string; kind: string; primary: boolean }[];
  };
  addresses: { kind: string; line1: string; line2: string | null; city: string; region: string | null; postalCode: string | null; country: string }[];
  passports: { items: PassportView[]; current: PassportView | null };
  preferences: CustomerPreferences;
  communication: {
    preferences: ContactPreferences;
    /** The latest record per purpose (null: never asked). */
    consents: Record<ConsentPurpose, ConsentView | null>;
    /** Every opt-in and opt-out, oldest first. */
    history: ConsentView[];
  };
  loyalty: {
    /** Sum of the transactions. */
    balance: number;
    tier: string | null;
    /** The legacy system's own figure, and how far the transactions are from it. */
    legacyStatedBalance: number | null;
    differenceFromLegacy: number | null;
    transactionCount: number;
    recentTransactions: { occurredOn: string; points: number; kind: string; description: string | null; tripReference: string | null }[];
  };
  financial: {
    currency: string | null;
    creditLimit: string | null;
    outstandingBalance: string;
    /** Tokens masked: only their last four characters are shown. */
    paymentMethods: { token: string; brand: string | null; last4: string | null; expiry: string | null }[];
  };
  advisor: AdvisorView | null;
  advisorHistory: AssignmentView[];
  household: { id: string; name: string | null; members: { id: string; firstName: string | null; lastName: string; status: CustomerStatus }[] } | null;
  travelHistory: { total: number; trips: TripView[] };
  lifetimeValue: { currency: string; amount: string; trips: number }[];
  retention: RetentionFigures;
}

export interface ContactRoute {
  customerId: string;
  advisorId: string | null;
  matchedBy: 'email' | 'phone' | 'passport';
  /** How many customers share the contact (the chosen one: ACTIVE first, then the latest traveller). */
  candidates: number;
}

export interface RetentionSummary {
  customers: number;
  active: number;
  archived: number;
  customersWithTrips: number;
  repeatCustomers: number;
  /** repeatCustomers / customersWithTrips, 4 decimals; null when nobody travelled. */
  repeatRate: string | null;
  /** Customers by whole years since their last trip ended. */
  yearsSinceLastTrip: { '0-1': number; '1-3': number; '3-7': number; '7+': number; never: number };
}

export interface StoreOptions {
  /** Country a phone number without a country code is read in (ISO 3166-1 alpha-2, default GB). */
  defaultPhoneCountry?: string;
  /**
   * The driver, for the history writes (passports, trips, loyalty, consents): each is one
   * statement whose parameter is a whole batch, where Prisma's per-query work would cost more
   * than the database's. Without it they go through Prisma.
   */
  sql?: SqlDriver;
}

/** The 360 view shows this many trips and loyalty transactions (the rest through their own lists). */
const RECENT_TRIPS = 50;
const RECENT_LOYALTY = 20;
const WRITE_TX = { maxWait: 15_000, timeout: 120_000 };
/** Trips that count for value and retention: not cancelled (value also excludes refunds). */
const NO_VALUE_STATUSES = ['CANCELLED', 'REFUNDED'];

// ---------------------------------------------------------------------------------------------
// Helpers

const unique = <T>(values: Iterable<T>): T[] => [...new Set(values)];
const dateOrNull = (d: Date | null | undefined): string | null => (d ? isoDateOf(d) : null);
const amountOf = (value: { toString(): string }, currency: string | null): string => {
  const dec = new Dec(value.toString());
  return currency ? dec.toFixed(minorUnits(currency)) : dec.toString();
};

/** JSON with sorted keys and no undefined members: jsonb does not keep key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Tokens are secrets of the payment gateway: never shown whole. */
export function maskToken(token: string): string {
  return token.length > 8 ? `****${token.slice(-4)}` : '****';
}

function decodeCursor(cursor: string, arity: number): string[] {
  const parts = decodeKeysetCursor(cursor, arity);
  if (parts) return parts;
  throw new CustomerStoreError('invalid-cursor', 'cursor: is not a nextCursor this list returned', 'cursor');
}

function emailKey(raw: string, field: string): string {
  const key = normalizeEmail(raw);
  if (key === null) throw new CustomerStoreError('invalid-request', `${field}: ${JSON.stringify(raw)} is not an email address`, field);
  return key;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

function checkDate(value: string | undefined, what: string): void {
  if (value !== undefined && !isIsoDate(value)) throw new CustomerStoreError('invalid-request', `${what}: ${JSON.stringify(value)} is not a calendar date YYYY-MM-DD`, what);
}

/** The customers columns of a write (children apart). */
function columnsOf(c: CustomerWrite) {
  return {
    id: c.id,
    status: c.status,
    archivedReason: c.archivedReason ?? null,
    title: c.title ?? null,
    firstName: c.firstName ?? null,
    lastName: c.lastName,
    searchName: searchNameOf(c.firstName, c.lastName).slice(0, 220),
    dateOfBirth: c.dateOfBirth ? utcDate(c.dateOfBirth) : null,
    customerSince: c.customerSince ? utcDate(c.customerSince) : null,
    advisorId: c.advisorId ?? null,
    householdId: c.householdId ?? null,
    preferences: c.preferences as unknown as Prisma.InputJsonValue,
    contactPreferences: c.contactPreferences as unknown as Prisma.InputJsonValue,
    financialCurrency: c.financial?.currency ?? null,
    creditLimit: c.financial?.creditLimit ?? null,
    outstandingBalance: c.financial?.outstandingBalance ?? '0',
    loyaltyTier: c.loyaltyTier ?? null,
    legacyLoyaltyBalance: c.legacyLoyaltyBalance ?? null,
  };
}
type CustomerColumns = ReturnType<typeof columnsOf>;

/** The customers table's columns as bulkInsert writes them (the same values as `columnsOf`). */
const CUSTOMER_COLUMNS: Record<string, string> = {
  id: 'text',
  status: '"CustomerStatus"',
  archived_reason: 'text',
  title: 'text',
  first_name: 'text',
  last_name: 'text',
  search_name: 'text',
  date_of_birth: 'date',
  customer_since: 'date',
  advisor_id: 'text',
  household_id: 'text',
  preferences: 'jsonb',
  contact_preferences: 'jsonb',
  financial_currency: 'text',
  credit_limit: 'numeric',
  outstanding_balance: 'numeric',
  loyalty_tier: 'text',
  legacy_loyalty_balance: 'int',
  updated_at: 'timestamptz',
};

const customerRow = (at: Date) => (c: CustomerWrite): Record<string, unknown> => {
  const v = columnsOf(c);
  return {
    id: v.id,
    status: v.status,
    archived_reason: v.archivedReason,
    title: v.title,
    first_name: v.firstName,
    last_name: v.lastName,
    search_name: v.searchName,
    date_of_birth: c.dateOfBirth ?? null,
    customer_since: c.customerSince ?? null,
    advisor_id: v.advisorId,
    household_id: v.householdId,
    preferences: v.preferences,
    contact_preferences: v.contactPreferences,
    financial_currency: v.financialCurrency,
    credit_limit: v.creditLimit,
    outstanding_balance: v.outstandingBalance,
    loyalty_tier: v.loyaltyTier,
    legacy_loyalty_balance: v.legacyLoyaltyBalance,
    updated_at: at.toISOString(),
  };
};

interface StoredColumns {
  status: string;
  archivedReason: string | null;
  title: string | null;
  firstName: string | null;
  lastName: string;
  searchName: string;
  dateOfBirth: Date | null;
  customerSince: Date | null;
  advisorId: string | null;
  householdId: string | null;
  preferences: unknown;
  contactPreferences: unknown;
  financialCurrency: string | null;
  creditLimit: { toString(): string } | null;
  outstandingBalance: { toString(): string };
  loyaltyTier: string | null;
  legacyLoyaltyBalance: number | null;
}

function sameProfile(stored: StoredColumns, next: CustomerColumns): boolean {
  const sameDec = (a: { toString(): string } | null, b: string | null) => (a === null || b === null ? a === b : new Dec(a.toString()).eq(b));
  return (
    stored.status === next.status &&
    stored.archivedReason === next.archivedReason &&
    stored.title === next.title &&
    stored.firstName === next.firstName &&
    stored.lastName === next.lastName &&
    stored.searchName === next.searchName &&
    dateOrNull(stored.dateOfBirth) === dateOrNull(next.dateOfBirth) &&
    dateOrNull(stored.customerSince) === dateOrNull(next.customerSince) &&
    stored.advisorId === next.advisorId &&
    stored.householdId === next.householdId &&
    canonical(stored.preferences) === canonical(next.preferences) &&
    canonical(stored.contactPreferences) === canonical(next.contactPreferences) &&
    stored.financialCurrency === next.financialCurrency &&
    sameDec(stored.creditLimit, next.creditLimit) &&
    sameDec(stored.outstandingBalance, next.outstandingBalance) &&
    stored.loyaltyTier === next.loyaltyTier &&
    stored.legacyLoyaltyBalance === next.legacyLoyaltyBalance
  );
}

const addressKey = (a: { kind: string; line1: string; city: string; country: string }) => `${a.kind}\u0000${a.line1}\u0000${a.city}\u0000${a.country}`;

interface TripRow {
  id: string;
  sourceKey: string;
  reference: string;
  startDate: Date;
  endDate: Date;
  destinations: string[];
  products: string[];
  pax: number;
  value: { toString(): string };
  currency: string;
  paymentStatus: string;
  advisorId: string | null;
  components: unknown;
}

function tripView(t: TripRow): TripView {
  return {
    id: t.id,
    sourceKey: t.sourceKey,
    reference: t.reference,
    startDate: isoDateOf(t.startDate),
    endDate: isoDateOf(t.endDate),
    destinations: t.destinations,
    products: t.products,
    pax: t.pax,
    value: { amount: amountOf(t.value, t.currency), currency: t.currency },
    paymentStatus: t.paymentStatus as TripPaymentStatus,
    advisorId: t.advisorId,
    components: (t.components as TripComponent[] | null) ?? null,
  };
}

const advisorView = (a: { id: string; name: string; email: string | null; branch: string | null; active: boolean }): AdvisorView => ({
  id: a.id,
  name: a.name,
  email: a.email,
  branch: a.branch,
  active: a.active,
});

// ---------------------------------------------------------------------------------------------

export class PrismaCustomerStore {
  private readonly defaultPhoneCountry: string;
  /** Where the history's batch statements run: the driver when given one, else Prisma. */
  private readonly bulk: RawSql;

  constructor(
    private readonly prisma: PrismaClient,
    options: StoreOptions = {},
  ) {
    this.defaultPhoneCountry = options.defaultPhoneCountry ?? 'GB';
    this.bulk = options.sql ?? prisma;
  }

  // ------------------------------------------------------------------------------- writes

  /** Creates or updates advisors by id (one transaction). */
  async upsertAdvisors(advisors: LegacyAdvisor[]): Promise<WriteCounts> {
    const ids = advisors.map((a) => a.advisorId);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) throw new CustomerStoreError('invalid-request', `advisor ${dup} is listed twice`, 'advisorId');
    return this.prisma.$transaction(async (tx) => {
      const stored = new Map((await tx.advisor.findMany({ where: { id: { in: ids } } })).map((a) => [a.id, a]));
      const counts: WriteCounts = { created: 0, updated: 0, unchanged: 0 };
      const fresh = advisors.filter((a) => !stored.has(a.advisorId));
      if (fresh.length) {
        await tx.advisor.createMany({ data: fresh.map((a) => ({ id: a.advisorId, name: a.name, email: a.email ?? null, branch: a.branch ?? null, active: a.active })) });
        counts.created = fresh.length;
      }
      for (const a of advisors) {
        const s = stored.get(a.advisorId);
        if (!s) continue;
        const data = { name: a.name, email: a.email ?? null, branch: a.branch ?? null, active: a.active };
        if (s.name === data.name && s.email === data.email && s.branch === data.branch && s.active === data.active) counts.unchanged++;
        else {
          await tx.advisor.update({ where: { id: a.advisorId }, data });
          counts.updated++;
        }
      }
      return counts;
    }, WRITE_TX);
  }

  /**
   * Writes a batch of customers in one transaction. New customers are created with every child
   * row, their household (created on demand by id), their legacy ids and an open advisor
   * assignment. A stored customer whose profile differs is updated; missing emails, phones,
   * addresses, payment methods and legacy ids are added, existing ones kept (a write never
   * removes a contact). A changed advisor closes the open assignment and opens another.
   *
   * Refuses the whole batch (nothing written) when an advisor id is not in the advisors table
   * (`unknown-advisors`, naming them and their customers), or when a legacy id already belongs to
   * another customer (`legacy-id-conflict`).
   */
  async writeCustomers(batch: CustomerWrite[], opts: { reason: string; at: Date }): Promise<WriteCounts> {
    if (batch.length === 0) return { created: 0, updated: 0, unchanged: 0 };
    const ids = batch.map((c) => c.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) throw new CustomerStoreError('invalid-request', `customer ${dup} is written twice in one batch`, 'id');
    for (const c of batch) {
      checkDate(c.dateOfBirth, `customer ${c.id} dateOfBirth`);
      checkDate(c.customerSince, `customer ${c.id} customerSince`);
      if (!c.lastName.trim()) throw new CustomerStoreError('invalid-request', `customer ${c.id} has no last name`, 'lastName');
    }

    return this.prisma.$transaction(async (tx) => {
      const advisorIds = unique(batch.flatMap((c) => (c.advisorId ? [c.advisorId] : [])));
      if (advisorIds.length) {
        const known = new Set((await tx.advisor.findMany({ where: { id: { in: advisorIds } }, select: { id: true } })).map((a) => a.id));
        const missing = advisorIds.filter((id) => !known.has(id));
        if (missing.length) {
          const who = batch.filter((c) => c.advisorId && missing.includes(c.advisorId)).map((c) => c.id);
          throw new CustomerStoreError('unknown-advisors', `advisors not in the advisors table: ${missing.join(', ')} (customers ${who.slice(0, 10).join(', ')}${who.length > 10 ? ', …' : ''}); nothing was written`, 'advisorId');
        }
      }

      const refs = batch.flatMap((c) => c.legacyIds.map((r) => ({ ...r, customerId: c.id })));
      if (refs.length) {
        const bySystem = new Map<string, string[]>();
        for (const r of refs) bySystem.set(r.system, [...(bySystem.get(r.system) ?? []), r.legacyId]);
        const owned = await tx.customerLegacyId.findMany({ where: { OR: [...bySystem].map(([system, legacyIds]) => ({ system, legacyId: { in: legacyIds } })) } });
        const owner = new Map(owned.map((o) => [`${o.system}:${o.legacyId}`, o.customerId]));
        const clashes = refs.filter((r) => {
          const o = owner.get(`${r.system}:${r.legacyId}`);
          return o !== undefined && o !== r.customerId;
        });
        if (clashes.length) {
          throw new CustomerStoreError(
            'legacy-id-conflict',
            `legacy ids already belong to other customers: ${clashes.map((r) => `${r.system}:${r.legacyId} (stored on ${owner.get(`${r.system}:${r.legacyId}`)}, written for ${r.customerId})`).join('; ')}; nothing was written`,
            'legacyIds',
          );
        }
      }

      const householdIds = unique(batch.flatMap((c) => (c.householdId ? [c.householdId] : [])));
      if (householdIds.length) await tx.household.createMany({ data: householdIds.map((id) => ({ id })), skipDuplicates: true });

      const stored = new Map(
        (
          await tx.customer.findMany({
            where: { id: { in: ids } },
            include: {
              emails: { select: { normalized: true } },
              phones: { select: { e164: true } },
              addresses: { select: { kind: true, line1: true, city: true, country: true } },
              paymentMethods: { select: { token: true } },
              legacyIds: { select: { system: true, legacyId: true } },
            },
          })
        ).map((c) => [c.id, c]),
      );

      const fresh = batch.filter((c) => !stored.has(c.id));
      if (fresh.length) await bulkInsert(tx, 'customers', CUSTOMER_COLUMNS, fresh.map(customerRow(opts.at)));

      // Children each customer lacks (all of them for a new one); duplicates within a write kept once.
      const touched = new Set<string>();
      const emails: Prisma.CustomerEmailCreateManyInput[] = [];
      const phones: Prisma.CustomerPhoneCreateManyInput[] = [];
      const addresses: Prisma.CustomerAddressCreateManyInput[] = [];
      const methods: Prisma.CustomerPaymentMethodCreateManyInput[] = [];
      const legacyIds: Prisma.CustomerLegacyIdCreateManyInput[] = [];
      for (const c of batch) {
        const s = stored.get(c.id);
        const have = {
          emails: new Set(s?.emails.map((e) => e.normalized)),
          phones: new Set(s?.phones.map((p) => p.e164)),
          addresses: new Set(s?.addresses.map(addressKey)),
          methods: new Set(s?.paymentMethods.map((m) => m.token)),
          legacy: new Set(s?.legacyIds.map((l) => `${l.system}:${l.legacyId}`)),
        };
        const before = emails.length + phones.length + addresses.length + methods.length + legacyIds.length;
        for (const e of c.emails) {
          if (have.emails.has(e.normalized)) continue;
          have.emails.add(e.normalized);
          emails.push({ customerId: c.id, address: e.address, normalized: e.normalized, primary: e.primary });
        }
        for (const p of c.phones) {
          if (have.phones.has(p.e164)) continue;
          have.phones.add(p.e164);
          phones.push({ customerId: c.id, raw: p.raw, e164: p.e164, kind: p.kind, primary: p.primary });
        }
        for (const a of c.addresses) {
          if (have.addresses.has(addressKey(a))) continue;
          have.addresses.add(addressKey(a));
          addresses.push({ customerId: c.id, kind: a.kind, line1: a.line1, line2: a.line2 ?? null, city: a.city, region: a.region ?? null, postalCode: a.postalCode ?? null, country: a.country });
        }
        for (const m of c.paymentMethods) {
          if (have.methods.has(m.token)) continue;
          have.methods.add(m.token);
          methods.push({ customerId: c.id, token: m.token, brand: m.brand ?? null, last4: m.last4 ?? null, expiry: m.expiry ?? null });
        }
        for (const r of c.legacyIds) {
          if (have.legacy.has(`${r.system}:${r.legacyId}`)) continue;
          have.legacy.add(`${r.system}:${r.legacyId}`);
          legacyIds.push({ system: r.system, legacyId: r.legacyId, customerId: c.id });
        }
        if (s && emails.length + phones.length + addresses.length + methods.length + legacyIds.length > before) touched.add(c.id);
      }
      await bulkInsert(tx, 'customer_emails', { id: 'uuid', customer_id: 'text', address: 'text', normalized: 'text', primary: 'boolean' }, emails.map((e) => ({ id: randomUUID(), customer_id: e.customerId, address: e.address, normalized: e.normalized, primary: e.primary ?? false })));
      await bulkInsert(tx, 'customer_phones', { id: 'uuid', customer_id: 'text', raw: 'text', e164: 'text', kind: 'text', primary: 'boolean' }, phones.map((x) => ({ id: randomUUID(), customer_id: x.customerId, raw: x.raw, e164: x.e164, kind: x.kind, primary: x.primary ?? false })));
      await bulkInsert(
        tx,
        'customer_addresses',
        { id: 'uuid', customer_id: 'text', kind: 'text', line1: 'text', line2: 'text', city: 'text', region: 'text', postal_code: 'text', country: 'text' },
        addresses.map((a) => ({ id: randomUUID(), customer_id: a.customerId, kind: a.kind, line1: a.line1, line2: a.line2 ?? null, city: a.city, region: a.region ?? null, postal_code: a.postalCode ?? null, country: a.country })),
      );
      await bulkInsert(
        tx,
        'customer_payment_methods',
        { id: 'uuid', customer_id: 'text', token: 'text', brand: 'text', last4: 'text', expiry: 'text' },
        methods.map((m) => ({ id: randomUUID(), customer_id: m.customerId, token: m.token, brand: m.brand ?? null, last4: m.last4 ?? null, expiry: m.expiry ?? null })),
      );
      await bulkInsert(tx, 'customer_legacy_ids', { system: 'text', legacy_id: 'text', customer_id: 'text' }, legacyIds.map((l) => ({ system: l.system, legacy_id: l.legacyId, customer_id: l.customerId })));

      const opened = fresh.filter((c) => c.advisorId).map((c) => ({ customerId: c.id, advisorId: c.advisorId!, fromAt: opts.at, reason: opts.reason }));
      for (const c of batch) {
        const s = stored.get(c.id);
        if (!s) continue;
        const next = columnsOf(c);
        if (sameProfile(s, next)) continue;
        const { id: _id, ...data } = next;
        await tx.customer.update({ where: { id: c.id }, data });
        touched.add(c.id);
        if (s.advisorId !== next.advisorId) {
          await tx.advisorAssignment.updateMany({ where: { customerId: c.id, toAt: null }, data: { toAt: opts.at } });
          if (next.advisorId) opened.push({ customerId: c.id, advisorId: next.advisorId, fromAt: opts.at, reason: opts.reason });
        }
      }
      await bulkInsert(
        tx,
        'advisor_assignments',
        { id: 'uuid', customer_id: 'text', advisor_id: 'text', from_at: 'timestamptz', reason: 'text' },
        opened.map((o) => ({ id: randomUUID(), customer_id: o.customerId, advisor_id: o.advisorId, from_at: (o.fromAt as Date).toISOString(), reason: o.reason })),
      );

      return { created: fresh.length, updated: touched.size, unchanged: stored.size - touched.size };
    }, WRITE_TX);
  }

  private async requireCustomers(ids: string[], what: string): Promise<void> {
    const wanted = unique(ids);
    if (!wanted.length) return;
    const known = new Set((await rawQuery<{ id: string }>(this.bulk, `SELECT id FROM customers WHERE id = ANY($1::text[])`, [wanted])).map((c) => c.id));
    const missing = wanted.filter((id) => !known.has(id));
    if (missing.length) throw new CustomerStoreError('unknown-customers', `${what} for customers that are not stored: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}; nothing was written`, 'customerId');
  }

  /** Passports, idempotent by (customer, country, number). */
  async writePassports(rows: PassportWrite[]): Promise<HistoryWriteCounts> {
    if (!rows.length) return { created: 0, existing: 0 };
    for (const r of rows) {
      checkDate(r.expiresOn, `passport ${r.normalizedNumber} expiresOn`);
      checkDate(r.issuedOn, `passport ${r.normalizedNumber} issuedOn`);
    }
    await this.requireCustomers(
      rows.map((r) => r.customerId),
      'passports',
    );
    const count = await bulkInsert(
      this.bulk,
      'customer_passports',
      { id: 'uuid', customer_id: 'text', number: 'text', normalized_number: 'text', country: 'text', issued_on: 'date', expires_on: 'date' },
      rows.map((r) => ({ id: randomUUID(), customer_id: r.customerId, number: r.number, normalized_number: r.normalizedNumber, country: r.country, issued_on: r.issuedOn ?? null, expires_on: r.expiresOn })),
      { onConflict: 'nothing' },
    );
    return { created: count, existing: rows.length - count };
  }

  /** Travel history, idempotent by source key. */
  async writeTrips(rows: TripWrite[]): Promise<HistoryWriteCounts> {
    if (!rows.length) return { created: 0, existing: 0 };
    for (const r of rows) {
      checkDate(r.startDate, `trip ${r.sourceKey} startDate`);
      checkDate(r.endDate, `trip ${r.sourceKey} endDate`);
    }
    await this.requireCustomers(
      rows.map((r) => r.customerId),
      'trips',
    );
    const count = await bulkInsert(
      this.bulk,
      'customer_trips',
      {
        id: 'uuid',
        customer_id: 'text',
        source_key: 'text',
        reference: 'text',
        start_date: 'date',
        end_date: 'date',
        destinations: 'text[]',
        products: 'text[]',
        pax: 'int',
        value: 'numeric',
        currency: 'text',
        payment_status: 'text',
        advisor_id: 'text',
        components: 'jsonb',
      },
      rows.map((r) => ({
        id: randomUUID(),
        customer_id: r.customerId,
        source_key: r.sourceKey,
        reference: r.reference,
        start_date: r.startDate,
        end_date: r.endDate,
        destinations: r.destinations,
        products: r.products,
        pax: r.pax,
        value: r.value.amount,
        currency: r.value.currency,
        payment_status: r.paymentStatus,
        advisor_id: r.advisorId ?? null,
        components: r.components ?? null,
      })),
      { onConflict: 'nothing' },
    );
    return { created: count, existing: rows.length - count };
  }

  /** Loyalty transactions, idempotent by source key. */
  async writeLoyaltyTransactions(rows: LoyaltyTransactionWrite[]): Promise<HistoryWriteCounts> {
    if (!rows.length) return { created: 0, existing: 0 };
    for (const r of rows) checkDate(r.occurredOn, `loyalty ${r.sourceKey} occurredOn`);
    await this.requireCustomers(
      rows.map((r) => r.customerId),
      'loyalty transactions',
    );
    const count = await bulkInsert(
      this.bulk,
      'loyalty_transactions',
      { id: 'uuid', customer_id: 'text', source_key: 'text', occurred_on: 'date', points: 'int', kind: 'text', description: 'text', trip_reference: 'text' },
      rows.map((r) => ({
        id: randomUUID(),
        customer_id: r.customerId,
        source_key: r.sourceKey,
        occurred_on: r.occurredOn,
        points: r.points,
        kind: r.kind,
        description: r.description ?? null,
        trip_reference: r.tripReference ?? null,
      })),
      { onConflict: 'nothing' },
    );
    return { created: count, existing: rows.length - count };
  }

  /** Consent history, idempotent by source key. */
  async writeConsents(rows: ConsentWrite[]): Promise<HistoryWriteCounts> {
    if (!rows.length) return { created: 0, existing: 0 };
    for (const r of rows) checkDate(r.recordedOn, `consent ${r.sourceKey} recordedOn`);
    await this.requireCustomers(
      rows.map((r) => r.customerId),
      'consents',
    );
    const count = await bulkInsert(
      this.bulk,
      'customer_consents',
      { id: 'uuid', customer_id: 'text', source_key: 'text', purpose: 'text', granted: 'boolean', recorded_on: 'date', source: 'text' },
      rows.map((r) => ({ id: randomUUID(), customer_id: r.customerId, source_key: r.sourceKey, purpose: r.purpose, granted: r.granted, recorded_on: r.recordedOn, source: r.source })),
      { onConflict: 'nothing' },
    );
    return { created: count, existing: rows.length - count };
  }

  /**
   * Recomputes trip_count (trips not CANCELLED), first_trip_on (earliest start), last_trip_on
   * (latest end) and loyalty_points (sum of transactions) for these customers in one statement;
   * rows whose figures are already right are not touched. Returns how many changed.
   */
  async refreshCustomerStats(customerIds: string[]): Promise<number> {
    const ids = unique(customerIds);
    if (!ids.length) return 0;
    return this.prisma.$executeRawUnsafe(
      `UPDATE customers AS c
          SET trip_count = s.trip_count, first_trip_on = s.first_trip_on, last_trip_on = s.last_trip_on,
              loyalty_points = s.points, updated_at = now()
         FROM (
           SELECT x.id, COALESCE(t.n, 0)::int AS trip_count, t.first_on AS first_trip_on, t.last_on AS last_trip_on, COALESCE(l.points, 0)::int AS points
             FROM unnest($1::text[]) AS x(id)
             LEFT JOIN (SELECT customer_id, COUNT(*) AS n, MIN(start_date) AS first_on, MAX(end_date) AS last_on
                          FROM customer_trips WHERE customer_id = ANY($1::text[]) AND payment_status <> 'CANCELLED' GROUP BY customer_id) t ON t.customer_id = x.id
             LEFT JOIN (SELECT customer_id, SUM(points) AS points
                          FROM loyalty_transactions WHERE customer_id = ANY($1::text[]) GROUP BY customer_id) l ON l.customer_id = x.id
         ) AS s
        WHERE c.id = s.id
          AND (c.trip_count, c.first_trip_on, c.last_trip_on, c.loyalty_points) IS DISTINCT FROM (s.trip_count, s.first_trip_on, s.last_trip_on, s.points)`,
      ids,
    );
  }

  /**
   * Moves a customer to another advisor: closes the open assignment at `at`, opens one for the
   * new advisor and updates the customer, in one transaction. Assigning the current advisor again
   * changes nothing (`changed: false`).
   */
  async reassignAdvisor(customerId: string, advisorId: string, reason: string, at: Date): Promise<{ changed: boolean; previousAdvisorId: string | null; history: AssignmentView[] }> {
    if (!reason.trim()) throw new CustomerStoreError('invalid-request', 'reason: must say why the customer is reassigned', 'reason');
    return this.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRawUnsafe<{ advisor_id: string | null }[]>(`SELECT advisor_id FROM customers WHERE id = $1 FOR UPDATE`, customerId);
      if (!row) throw new CustomerStoreError('unknown-customer', `customer ${customerId} does not exist`, 'customerId');
      const advisor = await tx.advisor.findUnique({ where: { id: advisorId } });
      if (!advisor) throw new CustomerStoreError('unknown-advisor', `advisorId: advisor ${advisorId} does not exist`, 'advisorId');
      const open = await tx.advisorAssignment.findFirst({ where: { customerId, toAt: null }, orderBy: { fromAt: 'desc' } });
      const previousAdvisorId = row.advisor_id;
      let changed = false;
      if (previousAdvisorId !== advisorId || !open || open.advisorId !== advisorId) {
        if (open && open.fromAt.getTime() > at.getTime()) {
          throw new CustomerStoreError('invalid-request', `the open assignment started at ${open.fromAt.toISOString()}, after ${at.toISOString()}`, 'at');
        }
        await tx.advisorAssignment.updateMany({ where: { customerId, toAt: null }, data: { toAt: at } });
        await tx.advisorAssignment.create({ data: { customerId, advisorId, fromAt: at, reason } });
        await tx.customer.update({ where: { id: customerId }, data: { advisorId } });
        changed = true;
      }
      const history = await tx.advisorAssignment.findMany({ where: { customerId }, include: { advisor: { select: { name: true } } }, orderBy: [{ fromAt: 'asc' }, { id: 'asc' }] });
      return { changed, previousAdvisorId, history: history.map(assignmentView) };
    }, WRITE_TX);
  }

  // ------------------------------------------------------------------------------- reads

  async listAdvisors(filter: { active?: boolean } = {}): Promise<(AdvisorView & { customers: number })[]> {
    const rows = await this.prisma.advisor.findMany({
      where: filter.active === undefined ? {} : { active: filter.active },
      include: { _count: { select: { customers: true } } },
      orderBy: { id: 'asc' },
    });
    return rows.map((a) => ({ ...advisorView(a), customers: a._count.customers }));
  }

  /** Everything known about a customer as of `today` (YYYY-MM-DD); null when there is no such customer. */
  async getCustomer360(id: string, today: string): Promise<Customer360 | null> {
    checkDate(today, 'today');
    const c = await this.prisma.customer.findUnique({
      where: { id },
      include: {
        legacyIds: { orderBy: [{ system: 'asc' }, { legacyId: 'asc' }] },
        emails: { orderBy: [{ primary: 'desc' }, { normalized: 'asc' }] },
        phones: { orderBy: [{ primary: 'desc' }, { e164: 'asc' }] },
        addresses: { orderBy: [{ kind: 'asc' }, { line1: 'asc' }] },
        passports: { orderBy: [{ expiresOn: 'desc' }, { normalizedNumber: 'asc' }] },
        consents: { orderBy: [{ recordedOn: 'asc' }, { sourceKey: 'asc' }] },
        paymentMethods: { orderBy: { token: 'asc' } },
        advisor: true,
        assignments: { include: { advisor: { select: { name: true } } }, orderBy: [{ fromAt: 'asc' }, { id: 'asc' }] },
        household: { include: { members: { select: { id: true, firstName: true, lastName: true, status: true }, orderBy: [{ searchName: 'asc' }, { id: 'asc' }] } } },
        loyalty: { orderBy: [{ occurredOn: 'desc' }, { sourceKey: 'desc' }], take: RECENT_LOYALTY },
        trips: { orderBy: [{ startDate: 'desc' }, { id: 'desc' }], take: RECENT_TRIPS },
      },
    });
    if (!c) return null;

    // Value and retention are aggregated in SQL (a customer may have hundreds of trips) by the
    // rules of domain/customers/rules.ts `lifetimeValue` and `retentionFigures`: cancelled and
    // refunded trips carry no value; cancelled ones are not trips; the last trip is the latest end.
    const [loyaltySum, tripTotal, value, retentionRows] = await Promise.all([
      this.prisma.loyaltyTransaction.aggregate({ where: { customerId: id }, _sum: { points: true }, _count: true }),
      this.prisma.customerTrip.count({ where: { customerId: id } }),
      this.prisma.customerTrip.groupBy({ by: ['currency'], where: { customerId: id, paymentStatus: { notIn: NO_VALUE_STATUSES } }, _sum: { value: true }, _count: true, orderBy: { currency: 'asc' } }),
      this.prisma.$queryRawUnsafe<{ n: number; first_on: string | null; last_on: string | null }[]>(
        `SELECT COUNT(*)::int AS n, MIN(start_date)::text AS first_on, MAX(end_date)::text AS last_on FROM customer_trips WHERE customer_id = $1 AND payment_status <> 'CANCELLED'`,
        id,
      ),
    ]);

    const passports: PassportView[] = c.passports.map((p) => {
      const expiresOn = isoDateOf(p.expiresOn);
      return { number: p.number, normalizedNumber: p.normalizedNumber, country: p.country, issuedOn: dateOrNull(p.issuedOn), expiresOn, status: passportStatus({ expiresOn }, today) };
    });
    const current = currentPassport(passports, today) ?? null;

    const history: ConsentView[] = c.consents.map((k) => ({ purpose: k.purpose as ConsentPurpose, granted: k.granted, recordedOn: isoDateOf(k.recordedOn), source: k.source }));
    const consents = Object.fromEntries(CONSENT_PURPOSES.map((p) => [p, null])) as Record<ConsentPurpose, ConsentView | null>;
    for (const k of history) consents[k.purpose] = k; // oldest first: the latest wins

    const balance = loyaltySum._sum.points ?? 0;
    const r = retentionRows[0] ?? { n: 0, first_on: null, last_on: null };
    const lastTripOn = r.last_on;

    return {
      id: c.id,
      status: c.status,
      archivedReason: c.archivedReason,
      profile: { title: c.title, firstName: c.firstName, lastName: c.lastName, dateOfBirth: dateOrNull(c.dateOfBirth), customerSince: dateOrNull(c.customerSince) },
      legacyIds: c.legacyIds.map((l) => ({ system: l.system, legacyId: l.legacyId })),
      contacts: {
        emails: c.emails.map((e) => ({ address: e.address, normalized: e.normalized, primary: e.primary })),
        phones: c.phones.map((p) => ({ raw: p.raw, e164: p.e164, kind: p.kind, primary: p.primary })),
      },
      addresses: c.addresses.map((a) => ({ kind: a.kind, line1: a.line1, line2: a.line2, city: a.city, region: a.region, postalCode: a.postalCode, country: a.country })),
      passports: { items: passports, current },
      preferences: c.preferences as unknown as CustomerPreferences,
      communication: { preferences: c.contactPreferences as unknown as ContactPreferences, consents, history },
      loyalty: {
        balance,
        tier: c.loyaltyTier,
        legacyStatedBalance: c.legacyLoyaltyBalance,
        differenceFromLegacy: c.legacyLoyaltyBalance === null ? null : balance - c.legacyLoyaltyBalance,
        transactionCount: loyaltySum._count,
        recentTransactions: c.loyalty.map((l) => ({ occurredOn: isoDateOf(l.occurredOn), points: l.points, kind: l.kind, description: l.description, tripReference: l.tripReference })),
      },
      financial: {
        currency: c.financialCurrency,
        creditLimit: c.creditLimit === null ? null : amountOf(c.creditLimit, c.financialCurrency),
        outstandingBalance: amountOf(c.outstandingBalance, c.financialCurrency),
        paymentMethods: c.paymentMethods.map((m) => ({ token: maskToken(m.token), brand: m.brand, last4: m.last4, expiry: m.expiry })),
      },
      advisor: c.advisor ? advisorView(c.advisor) : null,
      advisorHistory: c.assignments.map(assignmentView),
      household: c.household ? { id: c.household.id, name: c.household.name, members: c.household.members.filter((m) => m.id !== c.id) } : null,
      travelHistory: { total: tripTotal, trips: c.trips.map(tripView) },
      lifetimeValue: value.map((v) => ({ currency: v.currency, amount: amountOf(v._sum.value ?? 0, v.currency), trips: v._count })),
      retention: {
        tripCount: r.n,
        firstTripOn: r.first_on,
        lastTripOn,
        daysSinceLastTrip: lastTripOn === null ? null : Math.max(0, daysBetween(lastTripOn, today)),
        repeatCustomer: r.n >= 2,
      },
    };
  }

  /** A customer's trips, newest first (keyset pages); null when there is no such customer. */
  async listTrips(customerId: string, page: { limit: number; cursor?: string }): Promise<{ items: TripView[]; nextCursor: string | null } | null> {
    const exists = await this.prisma.customer.findUnique({ where: { id: customerId }, select: { id: true } });
    if (!exists) return null;
    const where: Prisma.CustomerTripWhereInput = { customerId };
    if (page.cursor) {
      const [start, id] = decodeCursor(page.cursor, 2) as [string, string];
      if (!isIsoDate(start)) throw new CustomerStoreError('invalid-cursor', 'cursor: is not a nextCursor this list returned', 'cursor');
      where.OR = [{ startDate: { lt: utcDate(start) } }, { startDate: utcDate(start), id: { lt: id } }];
    }
    const rows = await this.prisma.customerTrip.findMany({ where, orderBy: [{ startDate: 'desc' }, { id: 'desc' }], take: page.limit + 1 });
    const items = rows.slice(0, page.limit).map(tripView);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > page.limit && last ? encodeCursor([last.startDate, last.id]) : null };
  }

  /**
   * Customers matching every given criterion, ordered by search name then id (keyset pages).
   * Email, phone and passport are normalised as the migration normalises them; a phone that
   * cannot be read is refused (`invalid-request`, field `phone`).
   */
  async searchCustomers(search: CustomerSearch): Promise<{ items: CustomerSummary[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const nameClause = (text: string): string | null => {
      const key = nameKey(text);
      if (!key) return null;
      const words = key.split(' ');
      const keys = unique([key, words.length > 1 ? [...words.slice(1), words[0]].join(' ') : key, words.length > 1 ? [words[words.length - 1], ...words.slice(0, -1)].join(' ') : key]);
      return `(${keys.map((k) => `c.search_name COLLATE "C" LIKE ${p(`${escapeLike(k)}%`)}`).join(' OR ')})`;
    };
    const emailClause = (email: string, field: string) => `EXISTS (SELECT 1 FROM customer_emails e WHERE e.customer_id = c.id AND e.normalized = ${p(emailKey(email, field))})`;
    const phoneClause = (e164: string) => `EXISTS (SELECT 1 FROM customer_phones ph WHERE ph.customer_id = c.id AND ph.e164 = ${p(e164)})`;
    const passportClause = (number: string) => `EXISTS (SELECT 1 FROM customer_passports pp WHERE pp.customer_id = c.id AND pp.normalized_number = ${p(normalizePassportNumber(number))})`;

    if (search.name !== undefined) {
      const clause = nameClause(search.name);
      if (!clause) throw new CustomerStoreError('invalid-request', 'name: has no letters or digits to search for', 'name');
      where.push(clause);
    }
    if (search.email !== undefined) where.push(emailClause(search.email, 'email'));
    if (search.phone !== undefined) {
      const e164 = normalizePhone(search.phone, this.defaultPhoneCountry);
      if (!e164) throw new CustomerStoreError('invalid-request', `phone: ${JSON.stringify(search.phone)} is not a valid phone number (read with default country ${this.defaultPhoneCountry})`, 'phone');
      where.push(phoneClause(e164));
    }
    if (search.passport !== undefined) {
      if (!normalizePassportNumber(search.passport)) throw new CustomerStoreError('invalid-request', 'passport: has no letters or digits', 'passport');
      where.push(passportClause(search.passport));
    }
    if (search.q !== undefined) {
      const q = search.q.trim();
      const any: string[] = [];
      if (q.includes('@')) any.push(emailClause(q, 'q'));
      else {
        const digits = q.replace(/\D/g, '').length;
        const e164 = /^\+?[\d\s()./-]+$/.test(q) && digits >= 6 ? normalizePhone(q, this.defaultPhoneCountry) : null;
        if (e164) any.push(phoneClause(e164));
        if (normalizePassportNumber(q).length >= 5) any.push(passportClause(q));
        if (!/^\+?[\d\s()./-]+$/.test(q)) {
          const clause = nameClause(q);
          if (clause) any.push(clause);
        }
      }
      if (!any.length) throw new CustomerStoreError('invalid-request', `q: ${JSON.stringify(search.q)} is not a name, email, phone or passport number to search for`, 'q');
      where.push(`(${any.join(' OR ')})`);
    }
    if (search.advisorId !== undefined) where.push(`c.advisor_id = ${p(search.advisorId)}`);
    if (search.branch !== undefined) where.push(`c.advisor_id IN (SELECT a.id FROM advisors a WHERE a.branch = ${p(search.branch)})`);
    if (search.status !== undefined) where.push(`c.status = ${p(search.status)}::"CustomerStatus"`);
    if (search.cursor) {
      const [name, id] = decodeCursor(search.cursor, 2);
      const a = p(name);
      where.push(`(c.search_name COLLATE "C" > ${a} OR (c.search_name = ${a} AND c.id COLLATE "C" > ${p(id)}))`);
    }
    const rows = await this.prisma.$queryRawUnsafe<
      {
        id: string;
        status: CustomerStatus;
        title: string | null;
        first_name: string | null;
        last_name: string;
        search_name: string;
        date_of_birth: string | null;
        advisor_id: string | null;
        household_id: string | null;
        trip_count: number;
        last_trip_on: string | null;
        loyalty_points: number;
        email: string | null;
        phone: string | null;
      }[]
    >(
      `SELECT c.id, c.status::text AS status, c.title, c.first_name, c.last_name, c.search_name, c.date_of_birth::text AS date_of_birth,
              c.advisor_id, c.household_id, c.trip_count, c.last_trip_on::text AS last_trip_on, c.loyalty_points,
              (SELECT e.address FROM customer_emails e WHERE e.customer_id = c.id ORDER BY e."primary" DESC, e.normalized LIMIT 1) AS email,
              (SELECT ph.e164 FROM customer_phones ph WHERE ph.customer_id = c.id ORDER BY ph."primary" DESC, ph.e164 LIMIT 1) AS phone
         FROM customers c
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c.search_name COLLATE "C", c.id COLLATE "C"
        LIMIT ${p(search.limit + 1)}`,
      ...params,
    );
    const page = rows.slice(0, search.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        id: r.id,
        status: r.status,
        title: r.title,
        firstName: r.first_name,
        lastName: r.last_name,
        dateOfBirth: r.date_of_birth,
        advisorId: r.advisor_id,
        householdId: r.household_id,
        primaryEmail: r.email,
        primaryPhone: r.phone,
        tripCount: r.trip_count,
        lastTripOn: r.last_trip_on,
        loyaltyPoints: r.loyalty_points,
      })),
      nextCursor: rows.length > search.limit && last ? encodeCursor([last.search_name, last.id]) : null,
    };
  }

  async getAdvisor(id: string): Promise<AdvisorView | null> {
    const a = await this.prisma.advisor.findUnique({ where: { id } });
    return a ? advisorView(a) : null;
  }

  /**
   * Advisor routing: the customer an inbound contact belongs to and the advisor it goes to. Tries
   * email, then phone, then passport; among customers sharing the contact, ACTIVE ones first, then
   * the one who travelled last. Archived customers still match. Null when nobody matches. With
   * `branch`, only customers whose advisor works in that branch are considered (and counted).
   */
  async routeContact(contact: { email?: string; phone?: string; passport?: string }, branch?: string): Promise<ContactRoute | null> {
    const attempts: { by: ContactRoute['matchedBy']; sql: string; value: string }[] = [];
    if (contact.email !== undefined) attempts.push({ by: 'email', sql: `SELECT customer_id FROM customer_emails WHERE normalized = $1`, value: emailKey(contact.email, 'email') });
    if (contact.phone !== undefined) {
      const e164 = normalizePhone(contact.phone, this.defaultPhoneCountry);
      if (!e164) throw new CustomerStoreError('invalid-request', `phone: ${JSON.stringify(contact.phone)} is not a valid phone number (read with default country ${this.defaultPhoneCountry})`, 'phone');
      attempts.push({ by: 'phone', sql: `SELECT customer_id FROM customer_phones WHERE e164 = $1`, value: e164 });
    }
    if (contact.passport !== undefined && !normalizePassportNumber(contact.passport)) throw new CustomerStoreError('invalid-request', 'passport: has no letters or digits', 'passport');
    if (contact.passport !== undefined) attempts.push({ by: 'passport', sql: `SELECT customer_id FROM customer_passports WHERE normalized_number = $1`, value: normalizePassportNumber(contact.passport) });
    if (!attempts.length) throw new CustomerStoreError('invalid-request', 'give an email, a phone or a passport number to route', 'email');
    for (const a of attempts) {
      const rows = await this.prisma.$queryRawUnsafe<{ id: string; advisor_id: string | null }[]>(
        `SELECT c.id, c.advisor_id FROM customers c WHERE c.id IN (${a.sql})
          ${branch === undefined ? '' : 'AND c.advisor_id IN (SELECT b.id FROM advisors b WHERE b.branch = $2)'}
          ORDER BY (c.status = 'ACTIVE') DESC, c.last_trip_on DESC NULLS LAST, c.id COLLATE "C"`,
        ...(branch === undefined ? [a.value] : [a.value, branch]),
      );
      const first = rows[0];
      if (first) return { customerId: first.id, advisorId: first.advisor_id, matchedBy: a.by, candidates: rows.length };
    }
    return null;
  }

  async getSummary(id: string): Promise<CustomerSummary | null> {
    const c = await this.prisma.customer.findUnique({
      where: { id },
      include: { emails: { orderBy: [{ primary: 'desc' }, { normalized: 'asc' }], take: 1 }, phones: { orderBy: [{ primary: 'desc' }, { e164: 'asc' }], take: 1 } },
    });
    if (!c) return null;
    return {
      id: c.id,
      status: c.status,
      title: c.title,
      firstName: c.firstName,
      lastName: c.lastName,
      dateOfBirth: dateOrNull(c.dateOfBirth),
      advisorId: c.advisorId,
      householdId: c.householdId,
      primaryEmail: c.emails[0]?.address ?? null,
      primaryPhone: c.phones[0]?.e164 ?? null,
      tripCount: c.tripCount,
      lastTripOn: dateOrNull(c.lastTripOn),
      loyaltyPoints: c.loyaltyPoints,
    };
  }

  /** Retention across all customers as of `today`, from the figures `refreshCustomerStats` keeps. */
  async retentionSummary(today: string): Promise<RetentionSummary> {
    checkDate(today, 'today');
    const [r] = await this.prisma.$queryRawUnsafe<
      { customers: number; active: number; archived: number; travelled: number; repeat: number; y1: number; y3: number; y7: number; older: number; never: number }[]
    >(
      `SELECT COUNT(*)::int AS customers,
              COUNT(*) FILTER (WHERE status = 'ACTIVE')::int AS active,
              COUNT(*) FILTER (WHERE status = 'ARCHIVED')::int AS archived,
              COUNT(*) FILTER (WHERE trip_count >= 1)::int AS travelled,
              COUNT(*) FILTER (WHERE trip_count >= 2)::int AS repeat,
              COUNT(*) FILTER (WHERE last_trip_on > ($1::date - interval '1 year')::date)::int AS y1,
              COUNT(*) FILTER (WHERE last_trip_on <= ($1::date - interval '1 year')::date AND last_trip_on > ($1::date - interval '3 years')::date)::int AS y3,
              COUNT(*) FILTER (WHERE last_trip_on <= ($1::date - interval '3 years')::date AND last_trip_on > ($1::date - interval '7 years')::date)::int AS y7,
              COUNT(*) FILTER (WHERE last_trip_on <= ($1::date - interval '7 years')::date)::int AS older,
              COUNT(*) FILTER (WHERE last_trip_on IS NULL)::int AS never
         FROM customers`,
      today,
    );
    const s = r!;
    return {
      customers: s.customers,
      active: s.active,
      archived: s.archived,
      customersWithTrips: s.travelled,
      repeatCustomers: s.repeat,
      repeatRate: s.travelled ? new Dec(s.repeat).div(s.travelled).toFixed(4) : null,
      yearsSinceLastTrip: { '0-1': s.y1, '1-3': s.y3, '3-7': s.y7, '7+': s.older, never: s.never },
    };
  }
}

function assignmentView(a: { advisorId: string; fromAt: Date; toAt: Date | null; reason: string; advisor: { name: string } }): AssignmentView {
  return { advisorId: a.advisorId, advisorName: a.advisor.name, fromAt: a.fromAt.toISOString(), toAt: a.toAt ? a.toAt.toISOString() : null, reason: a.reason };
}
