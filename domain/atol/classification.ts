import { z } from 'zod';
import { Money as MoneySchema, IsoDate } from '../schemas/common.schema';
import { isIsoDate } from '../time/instant';

/**
 * ATOL classification of a booking (Civil Aviation (Air Travel Organisers' Licensing) Regulations
 * 2012 as amended by the Package Travel Regulations 2018). PACKAGE and FLIGHT_ONLY are protected
 * and bear the ATOL Protection Contribution; the others are outside the scheme.
 */
export const ATOL_CLASSIFICATIONS = ['PACKAGE', 'FLIGHT_ONLY', 'FLIGHT_ONLY_EXEMPT', 'LINKED_TRAVEL_ARRANGEMENT', 'NOT_APPLICABLE'] as const;
export type AtolClassification = (typeof ATOL_CLASSIFICATIONS)[number];

/** Classifications the ATOL scheme protects: they are counted in CAA returns and pay the APC. */
export const PROTECTED_CLASSIFICATIONS: readonly AtolClassification[] = ['PACKAGE', 'FLIGHT_ONLY'];
export const isProtected = (c: AtolClassification): boolean => PROTECTED_CLASSIFICATIONS.includes(c);

export const COMPONENT_TYPES = ['flight', 'hotel', 'transfer', 'car', 'tour', 'cruise', 'insurance', 'other'] as const;
export type ComponentType = (typeof COMPONENT_TYPES)[number];

export type AtolErrorKind =
  | 'invalid-input'
  | 'no-rules-in-force'
  | 'no-rule-matched'
  | 'ambiguous-rule-version'
  | 'no-contribution-rate'
  | 'inexact-contribution'
  | 'booking-conflict'
  | 'rule-conflict'
  | 'licence-conflict'
  | 'licence-not-found'
  | 'invalid-licence'
  | 'no-licence-in-force'
  | 'licence-ambiguous'
  | 'record-not-found'
  | 'unknown-turnover-band';

/** An ATOL request that cannot succeed as made; the message names what is wrong. */
export class AtolError extends Error {
  constructor(
    readonly kind: AtolErrorKind,
    message: string,
    readonly problems: Array<{ path: string; message: string }> = [],
  ) {
    super(problems.length ? `${message}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` : message);
    this.name = 'AtolError';
  }
}

/** A CAA licence number as issued (e.g. "11234"). */
export const AtolLicenceNumber = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/, 'must be 1-16 letters, digits and - (the CAA licence number, e.g. "11234")');

const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code in upper case, e.g. "GB"');

/**
 * What a rule asks of a booking. Every condition present must hold (AND); an absent condition
 * does not matter; `{}` matches every booking. Stored as JSON in `atol_rules.criteria`.
 */
export const AtolCriteria = z
  .strictObject({
    /** The seller's country (where the contract is made from). */
    sellerCountry: z
      .strictObject({ in: z.array(CountryCode).min(1).optional(), notIn: z.array(CountryCode).min(1).optional() })
      .refine((s) => s.in !== undefined || s.notIn !== undefined, 'needs "in" or "notIn"')
      .optional(),
    /** At least one flight component. */
    hasFlight: z.boolean().optional(),
    /**
     * How many travel components other than flights were sold together with the flight, counting
     * only the types in `of` (default: every type but flight).
     */
    otherComponents: z
      .strictObject({
        min: z.number().int().min(0).optional(),
        max: z.number().int().min(0).optional(),
        of: z.array(z.enum(COMPONENT_TYPES).exclude(['flight'])).min(1).optional(),
      })
      .refine((o) => o.min !== undefined || o.max !== undefined, 'needs "min" or "max"')
      .refine((o) => o.min === undefined || o.max === undefined || o.min <= o.max, '"min" must not exceed "max"')
      .optional(),
    /** Every flight has a confirmed ticket issued on the booking date (see {@link deriveFacts}). */
    ticketIssuedImmediately: z.boolean().optional(),
    /**
     * The customer booked further services through a linked click-through within 24 hours, under
     * separate contracts with another trader (a linked travel arrangement, PTR 2018 reg. 2(5)).
     */
    linkedArrangement: z.boolean().optional(),
  })
  .meta({ description: 'Conditions on a booking; all present must hold', examples: [{ hasFlight: true, otherComponents: { min: 1 } }] });
export type AtolCriteria = z.infer<typeof AtolCriteria>;

/** One version of a classification rule. Versions of the same `name` supersede one another. */
export interface AtolRule {
  id?: string;
  name: string;
  /** Lower runs first; ties are broken by name so the order is always the same. */
  priority: number;
  /** First day in force (YYYY-MM-DD), judged against the booking date. */
  effectiveFrom: string;
  /** Last day in force (inclusive), or null while in force. */
  effectiveTo: string | null;
  criteria: AtolCriteria;
  classification: AtolClassification;
}

export const AtolRuleSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,119}$/, 'must be 1-120 lower-case letters, digits and - (e.g. "flight-package")'),
    priority: z.number().int().min(0).max(1_000_000),
    effectiveFrom: IsoDate,
    effectiveTo: IsoDate.nullable().default(null),
    criteria: AtolCriteria,
    classification: z.enum(ATOL_CLASSIFICATIONS),
  })
  .refine((r) => r.effectiveTo === null || r.effectiveTo >= r.effectiveFrom, {
    path: ['effectiveTo'],
    message: 'must not be before effectiveFrom',
    // Checked even when other fields are wrong, so every problem is reported at once.
    when: ({ value }) => {
      const v = value as { effectiveFrom?: unknown; effectiveTo?: unknown };
      return typeof v.effectiveFrom === 'string' && isIsoDate(v.effectiveFrom) && (v.effectiveTo == null || (typeof v.effectiveTo === 'string' && isIsoDate(v.effectiveTo)));
    },
  });

/** As the ledger takes it on entries (`journal_entries.booking_ref`). */
export const AtolBookingRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/, 'must be 1-32 letters, digits and - (e.g. "ITN-7K3M9QXZ")');
const TicketIssuedAt = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/, 'must be a date (YYYY-MM-DD) or a date-time with offset (2027-03-01T10:15:00Z)')
  .refine((s) => IsoDate.safeParse(s.slice(0, 10)).success, 'is not a real calendar date');

/** The facts of a booking that ATOL classification and the returns need. */
export const AtolBookingInput = z
  .strictObject({
    bookingRef: AtolBookingRef,
    /** The day the contract was made: decides the rules and contribution rate in force. */
    bookingDate: IsoDate,
    sellerCountry: CountryCode,
    passengers: z.number().int().min(1, 'must be at least 1').max(10_000),
    /** Outbound departure: decides the return period (departure-date basis). */
    departureDate: IsoDate,
    revenue: MoneySchema,
    components: z
      .array(z.strictObject({ type: z.enum(COMPONENT_TYPES), ticketIssuedAt: TicketIssuedAt.optional() }))
      .min(1, 'a booking has at least one component'),
    linkedArrangement: z.boolean().default(false),
    /**
     * The ATOL licence the booking is sold under; it must be valid on the booking date. Optional
     * when exactly one licence is valid then (that one is recorded).
     */
    licenceNumber: AtolLicenceNumber.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.departureDate < b.bookingDate) ctx.addIssue({ code: 'custom', path: ['departureDate'], message: `must not be before bookingDate (${b.bookingDate})` });
    b.components.forEach((c, i) => {
      if (c.ticketIssuedAt !== undefined && c.type !== 'flight') {
        ctx.addIssue({ code: 'custom', path: ['components', i, 'ticketIssuedAt'], message: 'only a flight has a ticket' });
      }
      if (c.ticketIssuedAt !== undefined && c.ticketIssuedAt.slice(0, 10) < b.bookingDate) {
        ctx.addIssue({ code: 'custom', path: ['components', i, 'ticketIssuedAt'], message: `a ticket cannot be issued before the booking (${b.bookingDate})` });
      }
    });
  });
export type AtolBookingInput = z.input<typeof AtolBookingInput>;
export type AtolBooking = z.output<typeof AtolBookingInput>;

/** Parses booking facts, or throws an {@link AtolError} naming every offending field. */
export function parseAtolBooking(input: unknown): AtolBooking {
  const parsed = AtolBookingInput.safeParse(input);
  if (!parsed.success) {
    throw new AtolError(
      'invalid-input',
      'The booking facts are invalid',
      parsed.error.issues.map((i) => ({ path: i.path.join('/') || '(booking)', message: i.message })),
    );
  }
  return parsed.data;
}

/** What the criteria look at, derived from the booking. */
export interface AtolFacts {
  sellerCountry: string;
  hasFlight: boolean;
  components: ComponentType[];
  ticketIssuedImmediately: boolean;
  linkedArrangement: boolean;
}

/**
 * A ticket counts as issued immediately when every flight's `ticketIssuedAt` falls on the booking
 * date, read as the calendar date written in the value (the issuing office's local date): the
 * flight-only exemption needs the customer to hold a confirmed ticket at once.
 */
export function deriveFacts(booking: AtolBooking): AtolFacts {
  const flights = booking.components.filter((c) => c.type === 'flight');
  return {
    sellerCountry: booking.sellerCountry,
    hasFlight: flights.length > 0,
    components: booking.components.map((c) => c.type),
    ticketIssuedImmediately: flights.length > 0 && flights.every((f) => f.ticketIssuedAt !== undefined && f.ticketIssuedAt.slice(0, 10) === booking.bookingDate),
    linkedArrangement: booking.linkedArrangement,
  };
}

/** True when the booking's facts meet every condition of `criteria`. */
export function matches(criteria: AtolCriteria, facts: AtolFacts): boolean {
  const s = criteria.sellerCountry;
  if (s?.in && !s.in.includes(facts.sellerCountry)) return false;
  if (s?.notIn && s.notIn.includes(facts.sellerCountry)) return false;
  if (criteria.hasFlight !== undefined && criteria.hasFlight !== facts.hasFlight) return false;
  if (criteria.otherComponents) {
    const { min, max, of } = criteria.otherComponents;
    const counted: readonly ComponentType[] = of ?? COMPONENT_TYPES.filter((t) => t !== 'flight');
    const n = facts.components.filter((t) => counted.includes(t)).length;
    if (min !== undefined && n < min) return false;
    if (max !== undefined && n > max) return false;
  }
  if (criteria.ticketIssuedImmediately !== undefined && criteria.ticketIssuedImmediately !== facts.ticketIssuedImmediately) return false;
  if (criteria.linkedArrangement !== undefined && criteria.linkedArrangement !== facts.linkedArrangement) return false;
  return true;
}

/**
 * The rules in force on `date`, in evaluation order: for each rule name the version with the
 * latest `effectiveFrom` on or before the date, unless that version has ended (an ended version
 * retires the rule; it does not bring an older version back); then by priority, then name.
 */
export function rulesInForce<R extends AtolRule>(rules: readonly R[], date: string): R[] {
  const latest = new Map<string, R>();
  for (const r of rules) {
    if (r.effectiveFrom > date) continue;
    const current = latest.get(r.name);
    if (current && current.effectiveFrom === r.effectiveFrom) {
      throw new AtolError('ambiguous-rule-version', `Rule "${r.name}" has two versions effective from ${r.effectiveFrom}`);
    }
    if (!current || current.effectiveFrom < r.effectiveFrom) latest.set(r.name, r);
  }
  return [...latest.values()]
    .filter((r) => r.effectiveTo === null || date <= r.effectiveTo)
    .sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface ClassificationResult<R extends AtolRule = AtolRule> {
  classification: AtolClassification;
  rule: R;
}

/**
 * Classifies a booking with the rules in force on its booking date: first match wins. No rule in
 * force, or none matching, is an error: a booking is never classified by default.
 */
export function classify<R extends AtolRule>(rules: readonly R[], booking: AtolBooking): ClassificationResult<R> {
  const inForce = rulesInForce(rules, booking.bookingDate);
  if (!inForce.length) throw new AtolError('no-rules-in-force', `No ATOL classification rule is in force on ${booking.bookingDate}`);
  const facts = deriveFacts(booking);
  const rule = inForce.find((r) => matches(r.criteria, facts));
  if (!rule) {
    throw new AtolError(
      'no-rule-matched',
      `No ATOL rule in force on ${booking.bookingDate} matches booking ${booking.bookingRef} (seller ${facts.sellerCountry}, components ${facts.components.join('+')}, ` +
        `ticket issued immediately: ${facts.ticketIssuedImmediately}, linked arrangement: ${facts.linkedArrangement}); rules tried: ${inForce.map((r) => r.name).join(', ')}`,
    );
  }
  return { classification: rule.classification, rule };
}
