import { z } from 'zod';
import { CABIN_CLASSES, CONSENT_PURPOSES, CONTACT_CHANNELS, CUSTOMER_STATUSES, SEAT_PREFERENCES, TRIP_PAYMENT_STATUSES } from '../../domain/customers/model';
import { CalendarDay, DecimalText, Instant, ListView, MoneyView, PageView } from './answer.schema';

/**
 * Customer 360 requests (issue 8): the customer list and search, a customer's trips, advisor
 * routing look-ups and reassignment. Query problems are 400 naming the parameter; body problems 422.
 */

const ALWAYS = { when: () => true };
const Text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const Limit = (max: number, dflt: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`).default(dflt);
const Cursor = z.string().min(1).max(512).regex(/^[A-Za-z0-9_-]+$/, 'must be a nextCursor this endpoint returned');

/** Customer and advisor ids: UUIDs for customers, legacy codes for advisors. */
export const EntityId = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'may contain only letters, digits and . _ : - (starting with a letter or digit)');

export const CustomerPath = z.strictObject({ id: EntityId });

export const CustomerListQuery = z.strictObject({
  q: Text(200).optional().meta({ description: 'A name prefix, an email, a phone or a passport number' }),
  name: Text(200).optional().meta({ description: 'Prefix of "last first" or "first last"; accents and case ignored' }),
  email: Text(254).optional(),
  phone: Text(40).optional().meta({ description: 'Any format; read in the operator country when it has no +country code' }),
  passport: Text(20).optional(),
  advisorId: EntityId.optional(),
  status: z.enum(CUSTOMER_STATUSES, { message: `must be one of ${CUSTOMER_STATUSES.join(', ')}` }).optional(),
  cursor: Cursor.optional(),
  limit: Limit(200, 50),
});
export type CustomerListQuery = z.infer<typeof CustomerListQuery>;

export const TripListQuery = z.strictObject({ cursor: Cursor.optional(), limit: Limit(200, 50) });

export const ContactLookupQuery = z
  .strictObject({ email: Text(254).optional(), phone: Text(40).optional(), passport: Text(20).optional() })
  .superRefine((v, ctx) => {
    if (v.email === undefined && v.phone === undefined && v.passport === undefined) ctx.addIssue({ code: 'custom', path: ['email'], message: 'give email, phone or passport' });
  }, ALWAYS);
export type ContactLookupQuery = z.infer<typeof ContactLookupQuery>;

export const ReassignAdvisorRequest = z.strictObject({
  advisorId: EntityId,
  reason: Text(200),
});
export type ReassignAdvisorRequest = z.infer<typeof ReassignAdvisorRequest>;

export const AdvisorListQuery = z.strictObject({
  active: z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true').optional(),
});

// ---------------------------------------------------------------------------------------------
// Answers (OpenAPI response schemas; customers.routes.test.ts parses the real answers with them).
// Each mirrors the store's view in activities/customers.prisma.ts as the route sends it.

/** `AdvisorView`: a travel advisor customers are assigned to. */
export const AdvisorView = z
  .strictObject({ id: z.string(), name: z.string(), email: z.string().nullable(), branch: z.string().nullable().meta({ description: 'null: works for no branch in particular' }), active: z.boolean() })
  .meta({ id: 'Advisor' });

/** `CustomerSummary`: one row of the customer list (and the customer a look-up routes to). */
export const CustomerSummaryView = z
  .strictObject({
    id: z.string(),
    status: z.enum(CUSTOMER_STATUSES),
    title: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string(),
    dateOfBirth: CalendarDay.nullable(),
    advisorId: z.string().nullable(),
    householdId: z.string().nullable(),
    primaryEmail: z.string().nullable(),
    primaryPhone: z.string().nullable().meta({ description: 'E.164, e.g. +442079460000' }),
    tripCount: z.number().int().min(0).meta({ description: 'Trips travelled (cancelled ones not counted)' }),
    lastTripOn: CalendarDay.nullable().meta({ description: 'The end of the latest trip' }),
    loyaltyPoints: z.number().int(),
  })
  .meta({ id: 'CustomerSummary' });

/** `TripView`: one trip of a customer's travel history (legacy trips and Itinera bookings). */
export const TripView = z
  .strictObject({
    id: z.string(),
    sourceKey: z.string().meta({ description: '`legacy:<system>:trip:<id>` or `booking:<reference>`' }),
    reference: z.string(),
    startDate: CalendarDay,
    endDate: CalendarDay,
    destinations: z.array(z.string()),
    products: z.array(z.string()),
    pax: z.number().int(),
    value: MoneyView,
    paymentStatus: z.enum(TRIP_PAYMENT_STATUSES),
    advisorId: z.string().nullable(),
    components: z
      .array(
        z.strictObject({
          type: z.string().meta({ description: 'FLIGHT, HOTEL, CRUISE, TRANSFER, TOUR, INSURANCE, RAIL, CAR, OTHER...' }),
          supplier: z.string().optional(),
          description: z.string().optional(),
          serviceClass: z.string().optional().meta({ description: 'Cabin or room class' }),
        }),
      )
      .nullable()
      .meta({ description: 'Component detail when the source had it' }),
  })
  .meta({ id: 'CustomerTrip' });

/** `AssignmentView`: one advisor assignment of a customer; the open one has `toAt` null. */
const AssignmentView = z.strictObject({ advisorId: z.string(), advisorName: z.string(), fromAt: Instant, toAt: Instant.nullable(), reason: z.string() });

const PassportView = z.strictObject({
  number: z.string(),
  normalizedNumber: z.string(),
  country: z.string().meta({ description: 'Issuing country, ISO 3166-1 alpha-2' }),
  issuedOn: CalendarDay.nullable(),
  expiresOn: CalendarDay,
  status: z.enum(['VALID', 'EXPIRED']).meta({ description: 'As of `asOf`' }),
});

const ConsentView = z.strictObject({ purpose: z.enum(CONSENT_PURPOSES), granted: z.boolean(), recordedOn: CalendarDay, source: z.string() });

/** `GET /customers/{id}`: the customer 360 (`Customer360`) as of `asOf`. */
export const Customer360View = z
  .strictObject({
    asOf: CalendarDay.meta({ description: 'Today in the operator’s time zone: passport status and days since the last trip are as of this day' }),
    id: z.string(),
    status: z.enum(CUSTOMER_STATUSES),
    archivedReason: z.string().nullable(),
    profile: z.strictObject({ title: z.string().nullable(), firstName: z.string().nullable(), lastName: z.string(), dateOfBirth: CalendarDay.nullable(), customerSince: CalendarDay.nullable() }),
    legacyIds: z.array(z.strictObject({ system: z.string(), legacyId: z.string() })),
    contacts: z.strictObject({
      emails: z.array(z.strictObject({ address: z.string(), normalized: z.string(), primary: z.boolean() })),
      phones: z.array(z.strictObject({ raw: z.string(), e164: z.string(), kind: z.string().meta({ description: 'MOBILE, HOME, WORK or OTHER' }), primary: z.boolean() })),
    }),
    addresses: z.array(
      z.strictObject({
        kind: z.string().meta({ description: 'HOME, BILLING, WORK or OTHER' }),
        line1: z.string(),
        line2: z.string().nullable(),
        city: z.string(),
        region: z.string().nullable(),
        postalCode: z.string().nullable(),
        country: z.string().meta({ description: 'ISO 3166-1 alpha-2' }),
      }),
    ),
    passports: z.strictObject({ items: z.array(PassportView).meta({ description: 'Latest expiry first' }), current: PassportView.nullable().meta({ description: 'The valid passport to travel on, if any' }) }),
    preferences: z.strictObject({
      cabinClass: z.enum(CABIN_CLASSES).optional(),
      seat: z.enum(SEAT_PREFERENCES).optional(),
      dietary: z.array(z.string()),
      preferredAirlines: z.array(z.string()).meta({ description: 'IATA airline designators' }),
      anniversaries: z.array(z.strictObject({ kind: z.string(), date: z.string().meta({ description: 'MM-DD, or YYYY-MM-DD when the year is known' }) })),
      notes: z.string().optional(),
    }),
    communication: z.strictObject({
      preferences: z.strictObject({
        preferredChannel: z.enum(CONTACT_CHANNELS).optional(),
        language: z.string().optional().meta({ description: 'BCP 47 language tag' }),
        doNotContact: z.boolean().meta({ description: 'Never contact for marketing, whatever the consents say' }),
      }),
      consents: z.strictObject(Object.fromEntries(CONSENT_PURPOSES.map((p) => [p, ConsentView.nullable()])) as Record<(typeof CONSENT_PURPOSES)[number], z.ZodNullable<typeof ConsentView>>).meta({
        description: 'The latest record per purpose (null: never asked)',
      }),
      history: z.array(ConsentView).meta({ description: 'Every opt-in and opt-out, oldest first' }),
    }),
    loyalty: z.strictObject({
      balance: z.number().int().meta({ description: 'Sum of the transactions' }),
      tier: z.string().nullable(),
      legacyStatedBalance: z.number().int().nullable().meta({ description: 'The legacy system’s own figure' }),
      differenceFromLegacy: z.number().int().nullable(),
      transactionCount: z.number().int().min(0),
      recentTransactions: z.array(
        z.strictObject({ occurredOn: CalendarDay, points: z.number().int(), kind: z.string().meta({ description: 'EARN, REDEEM, ADJUST or EXPIRE' }), description: z.string().nullable(), tripReference: z.string().nullable() }),
      ),
    }),
    financial: z.strictObject({
      currency: z.string().nullable(),
      creditLimit: DecimalText.nullable(),
      outstandingBalance: DecimalText,
      paymentMethods: z.array(
        z.strictObject({ token: z.string().meta({ description: 'Masked: only the last four characters are shown' }), brand: z.string().nullable(), last4: z.string().nullable(), expiry: z.string().nullable().meta({ description: 'YYYY-MM' }) }),
      ),
    }),
    advisor: AdvisorView.nullable(),
    advisorHistory: z.array(AssignmentView),
    household: z
      .strictObject({ id: z.string(), name: z.string().nullable(), members: z.array(z.strictObject({ id: z.string(), firstName: z.string().nullable(), lastName: z.string(), status: z.enum(CUSTOMER_STATUSES) })).meta({ description: 'The other members' }) })
      .nullable(),
    travelHistory: z.strictObject({ total: z.number().int().min(0), trips: z.array(TripView).meta({ description: 'The most recent trips; GET /customers/{id}/trips pages through all of them' }) }),
    lifetimeValue: z.array(z.strictObject({ currency: z.string(), amount: DecimalText, trips: z.number().int().min(0) })).meta({ description: 'Per currency; cancelled and refunded trips carry no value' }),
    retention: z.strictObject({
      tripCount: z.number().int().min(0),
      firstTripOn: CalendarDay.nullable(),
      lastTripOn: CalendarDay.nullable(),
      daysSinceLastTrip: z.number().int().min(0).nullable(),
      repeatCustomer: z.boolean(),
    }),
  })
  .meta({ id: 'Customer360' });

export const CustomerPageResponse = PageView(CustomerSummaryView);
export const TripPageResponse = PageView(TripView);

/** `GET /customers/lookup`: the customer a contact belongs to, how it matched, and the advisor to route to. */
export const ContactLookupResponse = z
  .strictObject({
    matchedBy: z.enum(['email', 'phone', 'passport']),
    candidates: z.number().int().min(1).meta({ description: 'How many customers share the contact (the one answered: active first, then the latest traveller)' }),
    customer: CustomerSummaryView,
    advisor: AdvisorView.nullable(),
  })
  .meta({ id: 'ContactLookup' });

/** `GET /customers/retention` (`RetentionSummary` with its day). */
export const RetentionSummaryResponse = z
  .strictObject({
    asOf: CalendarDay,
    customers: z.number().int().min(0),
    active: z.number().int().min(0),
    archived: z.number().int().min(0),
    customersWithTrips: z.number().int().min(0),
    repeatCustomers: z.number().int().min(0),
    repeatRate: DecimalText.nullable().meta({ description: 'repeatCustomers / customersWithTrips, 4 decimals; null when nobody travelled' }),
    yearsSinceLastTrip: z
      .strictObject({ '0-1': z.number().int().min(0), '1-3': z.number().int().min(0), '3-7': z.number().int().min(0), '7+': z.number().int().min(0), never: z.number().int().min(0) })
      .meta({ description: 'Customers by whole years since their last trip ended' }),
  })
  .meta({ id: 'CustomerRetention' });

/** `PUT /customers/{id}/advisor`: the assignment made (or already in place), with the whole history. */
export const AdvisorReassignmentResponse = z
  .strictObject({
    customerId: z.string(),
    advisorId: z.string(),
    changed: z.boolean().meta({ description: 'false: the customer already had this advisor' }),
    previousAdvisorId: z.string().nullable(),
    history: z.array(AssignmentView).meta({ description: 'Every assignment, oldest first; the open one has `toAt` null' }),
  })
  .meta({ id: 'AdvisorReassignment' });

/** `GET /advisors`: every advisor with how many customers are assigned to them. */
export const AdvisorListResponse = ListView(AdvisorView.extend({ customers: z.number().int().min(0) }));
