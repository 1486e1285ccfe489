import { z } from 'zod';
import { CalendarDay, DecimalText, EpochMs, MoneyView, PageView } from './answer.schema';
import { REFERENCE_PATTERN } from '../../domain/booking/draft';
import { groupProblems } from '../../domain/booking/group';
import { COMPLAINT_CATEGORIES, COMPONENT_STATUSES, COMPLAINT_SEVERITIES, GROUP_PAYERS, LIFECYCLE_STATUSES, type BookingRequest } from '../../domain/booking/model';
import { addDays, daysBetween } from '../../domain/catalog/dates';
import { PASSENGER_TYPES } from '../../domain/flights/model';
import { SALES_CHANNELS } from '../../domain/ledger/chart';
import { Dec, isPositiveDecimal } from '../../domain/money/money';
import { CurrencyCode, ExternalId, IsoDate, Money } from '../../domain/schemas/common.schema';
import { isIsoDate } from '../../domain/time/instant';
import { CategoryCode, ProductCode, SupplierCode, Unit } from './catalog.schema';

/**
 * Booking lifecycle requests (`/bookings...`). Bodies are built per request where "not in the
 * past" depends on today's date in the operator's time zone. Cross-field checks run even when
 * some field is wrong (`ALWAYS`), so every problem is reported at once, each with its pointer.
 */

const ALWAYS = { when: () => true };
const isDate = (v: unknown): v is string => typeof v === 'string' && isIsoDate(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const whole = (min: number, max: number) =>
  z.number({ message: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const BookingReferenceParam = z.string().regex(REFERENCE_PATTERN, 'must look like ITN-7K3M9QXZ');

/** Longest trip a booking covers (departure to return). */
export const MAX_TRIP_DAYS = 180;
/** Nights one component may span. */
export const MAX_COMPONENT_NIGHTS = 90;
export const MAX_COMPONENTS = 20;

/** Component ids are part of every idempotency key: short, lower-case, no separators. */
export const ComponentId = z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be 1-32 characters: a-z, 0-9 and -');

/** A positive amount (the Money schema allows zero). */
const PositiveMoney = Money.refine((m) => typeof m.amount !== 'string' || !/^\d+(\.\d+)?$/.test(m.amount) || isPositiveDecimal(m.amount), {
  path: ['amount'],
  message: 'must be greater than zero',
});

const PersonName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[\p{L}][\p{L}' .-]*$/u, 'may contain only letters, spaces, apostrophes, dots and hyphens');

export const Passport = z.strictObject({
  number: z.string().regex(/^[A-Z0-9]{5,20}$/, 'must be 5-20 upper-case letters and digits'),
  issuingCountry: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code, e.g. "GB"'),
  expiresOn: IsoDate,
  nationality: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code, e.g. "GB"').optional(),
});

const PassengerId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'must be 1-32 letters, digits, _ and -');

export const PassengerSchema = z.strictObject({
  id: PassengerId,
  type: z.enum(PASSENGER_TYPES, { message: `must be one of ${PASSENGER_TYPES.join(', ')}` }),
  title: z.enum(['MR', 'MRS', 'MS', 'MISS', 'MSTR', 'DR']).optional(),
  givenName: PersonName,
  familyName: PersonName,
  bornOn: IsoDate,
  gender: z.enum(['M', 'F', 'X']).optional(),
  email: z.email('must be an e-mail address').max(200).optional(),
  phone: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'must be in E.164 form, e.g. +447700900123').optional(),
  passport: Passport.optional(),
  infantOf: PassengerId.optional(),
});

const CatalogComponent = z.strictObject({
  id: ComponentId,
  kind: z.enum(['HOTEL', 'TRANSFER', 'INSURANCE', 'TOUR']),
  supplierCode: SupplierCode,
  productCode: ProductCode,
  category: CategoryCode,
  ratePlan: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'must be 1-32 letters, digits and . _ -').optional(),
  startDate: IsoDate,
  nights: whole(0, MAX_COMPONENT_NIGHTS),
  /** Required, except a group booking's hotels: their rooms come from the rooming list. */
  units: z.array(Unit).min(1, 'must list at least one unit').max(20, 'at most 20 units').optional(),
});

const FlightComponent = z.strictObject({
  id: ComponentId,
  kind: z.literal('FLIGHT'),
  supplier: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be a flight supplier name, e.g. "duffel-sandbox"'),
  offerId: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters').regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -'),
  passengers: z.array(PassengerSchema).min(1, 'must list at least one passenger').max(9, 'at most 9 passengers per flight order'),
});

const KINDS = ['FLIGHT', 'HOTEL', 'TRANSFER', 'INSURANCE', 'TOUR'] as const;
export const ComponentSchema = z.discriminatedUnion('kind', [CatalogComponent, FlightComponent], {
  error: (issue) => (issue.code === 'invalid_union' ? `must be one of ${KINDS.join(', ')}` : undefined),
});

export const PaymentTermsSchema = z
  .strictObject({
    depositPercent: z
      .string()
      .regex(/^\d{1,3}(\.\d{1,2})?$/, 'must be a decimal string, e.g. "20" or "12.5"')
      .refine((p) => !/^\d/.test(p) || (new Dec(p).gt(0) && new Dec(p).lte(100)), 'must be more than 0 and at most 100')
      .optional(),
    depositAmount: PositiveMoney.optional(),
    installments: whole(0, 24).optional(),
    finalDueDaysBefore: whole(0, 365).optional(),
    reminderDaysBefore: whole(0, 60).optional(),
    graceDays: whole(0, 60).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.depositPercent !== undefined && v.depositAmount !== undefined) ctx.addIssue({ code: 'custom', path: ['depositAmount'], message: 'give depositPercent or depositAmount, not both' });
  }, ALWAYS);

// ---------------------------------------------------------------------------------------------
// Group bookings (see domain/booking/group.ts for the rules)

/** Most members one group booking takes (as `groupProblems` allows). */
export const MAX_GROUP_MEMBERS = 200;

/** A member id: named by payments, cancellations and name changes. */
export const MemberId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'must be 1-40 letters, digits, _ or - (starting with a letter or digit)');

export const GroupMemberSchema = z.strictObject({
  id: MemberId,
  firstName: PersonName,
  lastName: PersonName,
  room: z.string().trim().min(1, 'must not be empty: members sharing a room share its label').max(32, 'must be at most 32 characters'),
  age: z.number({ message: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more').max(17, 'is for children (0-17): leave it out for an adult').optional(),
  email: z.email('must be an e-mail address').max(200).optional(),
});

export const GroupSchema = z.strictObject({
  name: text(120),
  payer: z.enum(GROUP_PAYERS, { message: `must be one of ${GROUP_PAYERS.join(', ')}` }),
  members: z.array(GroupMemberSchema).min(2, 'a group needs at least 2 members').max(MAX_GROUP_MEMBERS, `a group has at most ${MAX_GROUP_MEMBERS} members`),
  nameChangeDaysBefore: whole(0, 365).optional().meta({ description: 'Names can be changed until this many days before departure (default 14)' }),
});

/**
 * `groupProblems` (the workflow's own check) speaks in dotted paths (`group.members[2].room`,
 * `components[1] (transfer): ...`, `room "B" has only children`); this turns each into a zod path.
 */
function groupProblemPath(problem: string, members: ReadonlyArray<{ room?: unknown }>): Array<string | number> {
  const room = /^room "(.*)" has only children/.exec(problem);
  if (room) {
    const k = members.findIndex((m) => m.room === room[1]);
    return k >= 0 ? ['group', 'members', k, 'room'] : ['group', 'members'];
  }
  const component = /^components\[(\d+)\]/.exec(problem);
  if (component) return ['components', Number(component[1]), /the flight carries/.test(problem) ? 'passengers' : 'units'];
  const field = /^(group(?:\.[A-Za-z]+|\[\d+\])*)/.exec(problem);
  if (field && field[1] !== 'group') return field[1]!.split(/\.|\[|\]/).filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (/members/.test(problem)) return ['group', 'members'];
  return ['group'];
}

/** The message without its leading path (the pointer carries it). */
function groupProblemMessage(problem: string): string {
  return problem.replace(/^group(?:\.[A-Za-z]+|\[\d+\])+ /, '').replace(/^components\[\d+\] \([^)]*\): /, '');
}

const UnitsSchema = z.array(Unit).min(1);

/**
 * The group's cross-field rules, run once the group and the components are well formed (zod has
 * reported any malformed field already): ids unique, an adult in every room, every member on every
 * service. Each problem is reported at the field it is about.
 */
function checkGroup(v: { group?: unknown; components?: unknown }, ctx: z.RefinementCtx): void {
  if (v.group === undefined || !GroupSchema.safeParse(v.group).success || !Array.isArray(v.components)) return;
  const wellFormed = v.components.every(
    (c: { kind?: unknown; units?: unknown; passengers?: unknown }) =>
      c && typeof c === 'object' && (c.kind === 'FLIGHT' ? Array.isArray(c.passengers) : c.kind === 'HOTEL' || UnitsSchema.safeParse(c.units).success),
  );
  if (!wellFormed) return;
  const group = v.group as NonNullable<BookingRequest['group']>;
  for (const problem of groupProblems({ group, components: v.components as BookingRequest['components'] })) {
    ctx.addIssue({ code: 'custom', path: groupProblemPath(problem, group.members), message: groupProblemMessage(problem) });
  }
}

/**
 * A schema that depends on today's date, built once per day: building a zod schema and its first
 * parse cost about 0.3 ms, a parse with a built one about 0.02 ms. The last day's is kept.
 */
function builtOncePerDay<T>(build: (today: string) => T): (today: string) => T {
  let last: { today: string; schema: T } | null = null;
  return (today) => {
    if (last?.today !== today) last = { today, schema: build(today) };
    return last.schema;
  };
}

/** The trip-level checks of a booking body (see `createBookingRequestSchema`). */
function buildBookingRequestSchema(today: string) {
  return z
    .strictObject({
      customerId: ExternalId.meta({ description: 'Customer id in the CRM' }),
      advisorId: ExternalId.optional().meta({ description: 'Travel advisor who owns the booking' }),
      channel: z.enum(SALES_CHANNELS, { message: `must be one of ${SALES_CHANNELS.join(', ')}` }).default('direct'),
      currency: CurrencyCode,
      departureDate: IsoDate.refine((d) => !isIsoDate(d) || d >= today, { message: `must not be in the past (today is ${today})` }),
      returnDate: IsoDate,
      components: z.array(ComponentSchema).min(1, 'must list at least one component').max(MAX_COMPONENTS, `at most ${MAX_COMPONENTS} components`),
      paymentTerms: PaymentTermsSchema.optional(),
      holdHours: whole(1, 336).optional().meta({ description: 'Hours the components are held waiting for the deposit (default 72)' }),
      contactEmail: z.email('must be an e-mail address').max(200).optional(),
      group: GroupSchema.optional().meta({ description: 'A group booking: members, rooming list (hotel rooms), who pays' }),
    })
    .superRefine((v, ctx) => {
      checkGroup(v, ctx);
      const dep = isDate(v.departureDate) ? v.departureDate : null;
      const ret = isDate(v.returnDate) ? v.returnDate : null;
      if (dep && ret) {
        if (ret < dep) ctx.addIssue({ code: 'custom', path: ['returnDate'], message: `must be on or after departureDate (${dep})` });
        else if (daysBetween(dep, ret) > MAX_TRIP_DAYS) ctx.addIssue({ code: 'custom', path: ['returnDate'], message: `must be at most ${MAX_TRIP_DAYS} days after departureDate` });
      }
      if (v.paymentTerms?.depositAmount && typeof v.currency === 'string' && v.paymentTerms.depositAmount.currency !== v.currency) {
        ctx.addIssue({ code: 'custom', path: ['paymentTerms', 'depositAmount', 'currency'], message: `must be the booking currency (${v.currency})` });
      }
      if (!Array.isArray(v.components)) return;
      const seen = new Map<string, number>();
      v.components.forEach((c, i) => {
        if (!c || typeof c !== 'object') return;
        if (typeof c.id === 'string') {
          if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['components', i, 'id'], message: `is already used by component ${seen.get(c.id)}` });
          else seen.set(c.id, i);
        }
        if (c.kind === 'FLIGHT') {
          checkPassengers(c.passengers, dep ?? today, ctx, ['components', i, 'passengers']);
          return;
        }
        if (c.units === undefined && !(c.kind === 'HOTEL' && v.group !== undefined)) {
          ctx.addIssue({ code: 'custom', path: ['components', i, 'units'], message: c.kind === 'HOTEL' ? 'is required (a group booking may leave it out: its rooming list gives the rooms)' : 'is required' });
        }
        if (Array.isArray(c.units)) {
          c.units.forEach((u, j) => {
            if (u && isInt(u.adults) && Array.isArray(u.childAges) && u.adults + u.childAges.length === 0) ctx.addIssue({ code: 'custom', path: ['components', i, 'units', j], message: 'must have at least one traveller' });
          });
        }
        if (c.kind === 'HOTEL' && c.ratePlan === undefined) ctx.addIssue({ code: 'custom', path: ['components', i, 'ratePlan'], message: 'is required for a hotel (the rate plan the availability search returned)' });
        if (c.kind === 'HOTEL' && isInt(c.nights) && c.nights < 1) ctx.addIssue({ code: 'custom', path: ['components', i, 'nights'], message: 'a hotel stay is at least 1 night' });
        if (!isDate(c.startDate) || !dep || !ret || ret < dep) return;
        if (c.startDate < dep || c.startDate > ret) {
          ctx.addIssue({ code: 'custom', path: ['components', i, 'startDate'], message: `must be within the trip (${dep} to ${ret})` });
        } else if ((c.kind === 'HOTEL' || c.kind === 'INSURANCE') && isInt(c.nights) && addDays(c.startDate, c.nights) > ret) {
          ctx.addIssue({ code: 'custom', path: ['components', i, 'nights'], message: `must end by returnDate (${ret}): ${c.nights} nights from ${c.startDate} end on ${addDays(c.startDate, c.nights)}` });
        }
      });
    }, ALWAYS);
}
/** The trip-level checks of a booking body, shared by `POST /bookings` and `POST /bookings/quote`; one schema per day. */
export const createBookingRequestSchema = builtOncePerDay(buildBookingRequestSchema);
export type CreateBookingRequestBody = z.infer<ReturnType<typeof createBookingRequestSchema>>;

function checkPassengers(passengers: unknown, departure: string, ctx: z.RefinementCtx, path: Array<string | number>): void {
  if (!Array.isArray(passengers)) return;
  const byId = new Map<string, string>();
  passengers.forEach((p: { id?: unknown; type?: unknown }, k) => {
    if (!p || typeof p.id !== 'string') return;
    if (byId.has(p.id)) ctx.addIssue({ code: 'custom', path: [...path, k, 'id'], message: 'is already used by another passenger' });
    else byId.set(p.id, typeof p.type === 'string' ? p.type : '');
  });
  passengers.forEach((p: { bornOn?: unknown; type?: unknown; infantOf?: unknown; passport?: { expiresOn?: unknown } }, k) => {
    if (!p) return;
    if (isDate(p.bornOn) && p.bornOn >= departure) ctx.addIssue({ code: 'custom', path: [...path, k, 'bornOn'], message: `must be before the departure (${departure})` });
    if (p.passport && isDate(p.passport.expiresOn) && p.passport.expiresOn < departure) ctx.addIssue({ code: 'custom', path: [...path, k, 'passport', 'expiresOn'], message: `the passport expires before the departure (${departure})` });
    if (p.type === 'INF') {
      if (typeof p.infantOf !== 'string') ctx.addIssue({ code: 'custom', path: [...path, k, 'infantOf'], message: 'an infant must name the adult (passenger id) it travels with' });
      else if (byId.get(p.infantOf) !== 'ADT') ctx.addIssue({ code: 'custom', path: [...path, k, 'infantOf'], message: `must be the id of an adult passenger (got ${p.infantOf})` });
    } else if (p.infantOf !== undefined) {
      ctx.addIssue({ code: 'custom', path: [...path, k, 'infantOf'], message: 'only an infant (INF) travels with an adult' });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Messages on one booking

/** `Idempotency-Key` header: becomes the paymentId / complaintId, and part of ledger keys. */
export const IdempotencyKeyHeader = z
  .string({ message: 'is required: send a unique key per payment, and the same key when retrying it' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 characters: letters, digits and . _ : - (starting with a letter or digit)');

export const PAYMENT_METHODS = ['card', 'bank-transfer', 'cash'] as const;
export const PaymentRequestSchema = z.strictObject({
  amount: PositiveMoney,
  method: z.enum(PAYMENT_METHODS, { message: `must be one of ${PAYMENT_METHODS.join(', ')}` }),
  /** Group bookings paid per member: the member paying (settles only their lines). */
  memberId: MemberId.optional(),
});
export type PaymentRequestBody = z.infer<typeof PaymentRequestSchema>;

/** Group bookings: the members to cancel (the rest travel on); absent: the whole booking. */
const MemberIds = z
  .array(MemberId)
  .min(1, 'must name at least one member (leave memberIds out to cancel the whole booking)')
  .max(MAX_GROUP_MEMBERS, `at most ${MAX_GROUP_MEMBERS} members`)
  .superRefine((ids, ctx) => {
    ids.forEach((id, k) => {
      if (ids.indexOf(id) !== k) ctx.addIssue({ code: 'custom', path: [k], message: `"${id}" is already named at memberIds/${ids.indexOf(id)}` });
    });
  });

export const CancellationPreviewSchema = z.strictObject({ reason: text(500).optional(), memberIds: MemberIds.optional() });
export const CancellationRequestSchema = z.strictObject({
  quoteId: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters').optional(),
  reason: text(500),
  memberIds: MemberIds.optional(),
});

/** `POST /bookings/:reference/members/:memberId/name`: the member's new name. */
export const NameChangeSchema = z.strictObject({ firstName: PersonName, lastName: PersonName });

/** The body of an amendment preview: a departure date not in the past; one schema per day. */
export const amendmentPreviewSchema = builtOncePerDay((today: string) =>
  z.strictObject({
    departureDate: IsoDate.refine((d) => !isIsoDate(d) || d >= today, { message: `must not be in the past (today is ${today})` }),
  }),
);
export const AmendmentAcceptSchema = z.strictObject({ quoteId: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters') });

export const ComplaintRequestSchema = z.strictObject({
  category: z.enum(COMPLAINT_CATEGORIES, { message: `must be one of ${COMPLAINT_CATEGORIES.join(', ')}` }),
  severity: z.enum(COMPLAINT_SEVERITIES, { message: `must be one of ${COMPLAINT_SEVERITIES.join(', ')}` }),
  notes: text(4000),
});
export const ComplaintIdParam = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be a complaint id this booking returned');
export const ComplaintAssignSchema = z.strictObject({ assignee: ExternalId, note: text(4000).optional() });
export const ComplaintResolveSchema = z.strictObject({
  resolution: text(4000),
  goodwill: z.strictObject({ kind: z.enum(['REFUND', 'CREDIT'], { message: 'must be REFUND or CREDIT' }), amount: PositiveMoney }).optional(),
});

// ---------------------------------------------------------------------------------------------
// Lists

const Limit = z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50);

export const BookingListQuery = z
  .strictObject({
    status: z.enum(LIFECYCLE_STATUSES, { message: `must be one of ${LIFECYCLE_STATUSES.join(', ')}` }).optional(),
    customerId: ExternalId.optional(),
    advisorId: ExternalId.optional(),
    travelFrom: IsoDate.optional(),
    travelTo: IsoDate.optional(),
    limit: Limit,
    cursor: z.string().min(1).max(512).regex(/^[A-Za-z0-9_=.:-]+$/, 'must be a nextCursor this list returned').optional(),
  })
  .superRefine((v, ctx) => {
    if (isDate(v.travelFrom) && isDate(v.travelTo) && v.travelTo < v.travelFrom) ctx.addIssue({ code: 'custom', path: ['travelTo'], message: `must be on or after travelFrom (${v.travelFrom})` });
  }, ALWAYS);
export type BookingListQuery = z.infer<typeof BookingListQuery>;

// ---------------------------------------------------------------------------------------------
// The booking view (responses): what the lifecycle workflow answers and the projection keeps.
// Documented in the OpenAPI document; the booking API test parses its answers with it. Strict at
// the booking's own level; supplier-shaped parts (the component request, policies, travel
// documents, passengers) are described loosely.

const Loose = z.looseObject({});

/** A component once priced (`PricedComponent`): what the quote answers, and the start of every booked component. */
const PricedComponentView = z.strictObject({
  id: z.string(),
  kind: z.enum(KINDS),
  description: z.string(),
  supplierCode: z.string().meta({ description: 'Catalog supplier code, or the flight supplier name' }),
  productType: z.string().meta({ description: 'Ledger product type (hotels, flights, transfers, insurance, tours)' }),
  serviceStart: CalendarDay,
  serviceEnd: CalendarDay,
  pax: z.number().int(),
  sell: MoneyView.meta({ description: 'What the customer pays for it, in the booking currency' }),
  cost: MoneyView.meta({ description: 'What the supplier charges, in the supplier’s currency' }),
  settlement: MoneyView.nullable().meta({ description: 'Flights: what is settled with the airline (sold as agent)' }),
  cancellationPolicy: Loose.meta({ description: 'Penalty windows by days before travel' }),
  amendmentPolicy: Loose,
  inventory: z.strictObject({ productId: z.string(), category: z.string(), from: CalendarDay, nights: z.number().int(), quantity: z.number().int() }).nullable(),
  flight: z
    .strictObject({ supplier: z.string(), offerId: z.string(), passengers: z.array(Loose), instantPaymentRequired: z.boolean(), ticketingDeadline: EpochMs.nullable() })
    .nullable(),
  request: Loose.meta({ description: 'The component as it was requested' }),
});

const ComponentView = PricedComponentView.extend({
  status: z.enum(COMPONENT_STATUSES),
  supplierRef: z.string().nullable(),
  locator: z.string().nullable(),
  documents: z.array(Loose).meta({ description: 'Tickets and EMDs' }),
  penalty: MoneyView.nullable(),
});

/** One line of the payment plan (`Installment`). */
const InstallmentView = z.strictObject({
  id: z.string(),
  kind: z.enum(['DEPOSIT', 'INSTALLMENT', 'BALANCE']),
  dueDate: CalendarDay,
  dueAt: EpochMs.meta({ description: 'The end of the due day in the operator’s time zone' }),
  amount: MoneyView,
  paid: DecimalText.meta({ description: 'How much of it has been paid (same currency)' }),
  reminded: z.boolean(),
  memberId: z.string().optional().meta({ description: 'Groups paying per member: whose line it is' }),
});

const PaymentRecordView = z.strictObject({
  paymentId: z.string(),
  amount: MoneyView,
  method: z.string(),
  receivedAt: EpochMs,
  excessRefunded: z.string().meta({ description: 'What was paid above the amount due, refunded' }),
  ledgerEntryId: z.string().nullable(),
  memberId: z.string().optional(),
});

export const ComplaintView = z
  .strictObject({
    id: z.string(),
    category: z.enum(COMPLAINT_CATEGORIES),
    severity: z.enum(COMPLAINT_SEVERITIES),
    notes: z.array(z.string()),
    status: z.enum(['OPEN', 'ASSIGNED', 'RESOLVED']),
    assignee: z.string().nullable(),
    loggedAt: EpochMs,
    resolvedAt: EpochMs.nullable(),
    resolution: z.string().nullable(),
    goodwill: z.strictObject({ kind: z.enum(['REFUND', 'CREDIT']), amount: MoneyView, ledgerEntryId: z.string().nullable() }).nullable(),
  })
  .meta({ id: 'Complaint' });

export const BookingView = z
  .strictObject({
    reference: z.string(),
    status: z.enum(LIFECYCLE_STATUSES),
    customerId: z.string(),
    advisorId: z.string().nullable(),
    channel: z.enum(SALES_CHANNELS),
    currency: z.string(),
    departureDate: CalendarDay,
    returnDate: CalendarDay,
    openedAt: EpochMs,
    holdExpiresAt: EpochMs.nullable(),
    components: z.array(ComponentView),
    total: MoneyView,
    paid: MoneyView,
    balanceDue: MoneyView,
    schedule: z.array(InstallmentView),
    terms: z.strictObject({
      depositPercent: z.string().nullable(),
      depositAmount: MoneyView.nullable(),
      installments: z.number().int(),
      finalDueDaysBefore: z.number().int(),
      reminderDaysBefore: z.number().int(),
      graceDays: z.number().int(),
    }),
    payments: z.array(PaymentRecordView),
    refunds: z.array(
      z.strictObject({
        refundId: z.string(),
        amount: MoneyView,
        reason: z.enum(['CANCELLATION', 'OVERPAYMENT', 'GOODWILL', 'FAILED_BOOKING', 'AMENDMENT', 'MEMBER_CANCELLATION']),
        at: EpochMs,
        providerRef: z.string().nullable(),
        ledgerEntryId: z.string().nullable(),
      }),
    ),
    complaints: z.array(ComplaintView),
    group: z
      .strictObject({
        name: z.string(),
        payer: z.enum(GROUP_PAYERS),
        nameChangeUntil: CalendarDay,
        members: z.array(Loose.meta({ description: 'Member, room, status, share, penalty and name history' })),
      })
      .nullable(),
    timeline: z.array(z.strictObject({ at: EpochMs, kind: z.string(), message: z.string() })),
    nextDeadline: z.strictObject({ at: EpochMs, what: z.string() }).nullable(),
    failure: z.string().nullable(),
    needsManualReview: z.boolean(),
    version: z.number().int(),
  })
  .meta({ id: 'BookingView' });

/** `POST /bookings` (201, and 200 for a repeated key): the workflow id and the held booking. */
export const HeldBookingResponse = BookingView.extend({ workflowId: z.string() }).meta({ id: 'HeldBooking' });

/** `GET /bookings/:reference` for a lifecycle booking: its view, live from the workflow or from the projection, and its ledger entries. */
export const BookingDetailResponse = BookingView.extend({
  workflowId: z.string(),
  source: z.enum(['workflow', 'projection']).meta({ description: 'workflow: answered by the running workflow; projection: its last stored snapshot (the workflow did not answer)' }),
  ledger: z.array(Loose).meta({ description: 'The booking’s ledger entries with their lines' }),
}).meta({ id: 'BookingDetail' });

/** `POST /bookings/:reference/payments`: the payment as recorded, whether it was a repeat, and the booking's status and balance after it. */
export const PaymentOutcomeResponse = z
  .strictObject({
    payment: PaymentRecordView,
    duplicate: z.boolean().meta({ description: 'This payment id was recorded before: nothing was posted again' }),
    status: z.enum(LIFECYCLE_STATUSES),
    balanceDue: MoneyView,
  })
  .meta({ id: 'PaymentOutcome' });

/** `POST /bookings/quote` (the BookingQuoteWorkflow's `BookingQuote`): every component priced, the total and the payment plan the booking would get. Nothing is held. */
export const BookingQuoteResponse = z
  .strictObject({
    components: z.array(PricedComponentView),
    total: MoneyView.meta({ description: 'Sum of the components’ sell prices, in the booking currency' }),
    schedule: z.array(InstallmentView).meta({ description: 'Deposit, installments and balance as they would fall if booked today' }),
  })
  .meta({ id: 'BookingQuote' });

/** A member's line in a partial group cancellation (`MemberCancellationLine`). */
const MemberCancellationLineView = z.strictObject({
  memberId: z.string(),
  name: z.string(),
  share: MoneyView.meta({ description: 'Their share of the live components' }),
  penalty: MoneyView.meta({ description: 'The supplier penalties on that share' }),
  paid: MoneyView.nullable().meta({ description: 'Groups paying per member: what they paid (null otherwise)' }),
  refund: MoneyView.nullable().meta({ description: 'Groups paying per member: what of it comes back, never negative (null otherwise)' }),
});

/** `CancellationQuote`: what cancelling now costs; valid until `expiresAt` (and the day it was made). */
export const CancellationQuoteResponse = z
  .strictObject({
    quoteId: z.string().meta({ description: 'Send it back to POST /bookings/{reference}/cancellation to cancel at these figures' }),
    quotedAt: EpochMs,
    expiresAt: EpochMs,
    penalties: z.array(
      z.strictObject({
        componentId: z.string(),
        description: z.string(),
        penalty: MoneyView.meta({ description: 'In the booking currency' }),
        basis: z.string().meta({ description: 'Why: the supplier policy window, or the airline’s quote' }),
      }),
    ),
    totalPenalty: MoneyView,
    paid: MoneyView,
    refund: MoneyView.meta({ description: 'paid − penalties (a partial group cancellation: what goes back), never negative' }),
    members: z.array(MemberCancellationLineView).optional().meta({ description: 'Partial group cancellation: each cancelled member with their share, penalty and refund' }),
    newTotal: MoneyView.optional().meta({ description: 'Partial group cancellation: what the booking is worth afterwards' }),
  })
  .meta({ id: 'CancellationQuote' });

/** `CancellationOutcome`: the figures applied, the booking's status after it and the refund made. */
export const CancellationOutcomeResponse = z
  .strictObject({
    quote: CancellationQuoteResponse,
    status: z.enum(LIFECYCLE_STATUSES).meta({ description: 'CANCELLED, or the group booking’s status when only some members were cancelled' }),
    refundId: z.string().nullable().meta({ description: 'null when nothing was refunded' }),
  })
  .meta({ id: 'CancellationOutcome' });

/** `AmendmentQuote`: every component re-priced for the new dates, with the suppliers' amendment fees. */
export const AmendmentQuoteResponse = z
  .strictObject({
    quoteId: z.string().meta({ description: 'Send it back to POST /bookings/{reference}/amendments to apply these figures' }),
    quotedAt: EpochMs,
    expiresAt: EpochMs,
    departureDate: CalendarDay.meta({ description: 'The new first service day' }),
    returnDate: CalendarDay.meta({ description: 'The new last service day (every component moves by the same number of days)' }),
    lines: z.array(z.strictObject({ componentId: z.string(), description: z.string(), oldSell: MoneyView, newSell: MoneyView, fee: MoneyView.meta({ description: 'The supplier’s amendment fee' }) })),
    oldTotal: MoneyView,
    newTotal: MoneyView.meta({ description: 'Including fees' }),
    difference: MoneyView.meta({ description: 'newTotal − oldTotal (negative: cheaper)' }),
    fees: MoneyView,
  })
  .meta({ id: 'AmendmentQuote' });

/** `GroupMemberState`: one member of a group booking, as `POST /bookings/{reference}/members/{memberId}/name` answers it. */
export const GroupMemberResponse = z
  .strictObject({
    id: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    room: z.string().meta({ description: 'Rooming list label: members with the same label share a room' }),
    age: z.number().int().optional().meta({ description: 'Children only: age on the departure date' }),
    email: z.string().optional(),
    status: z.enum(['ACTIVE', 'CANCELLED']),
    shares: z.record(z.string(), MoneyView).meta({ description: 'The member’s share of each live component, by component id' }),
    share: MoneyView.meta({ description: 'Sum of `shares`' }),
    penalty: MoneyView.nullable().meta({ description: 'Charged when the member was cancelled' }),
    nameHistory: z.array(z.strictObject({ firstName: z.string(), lastName: z.string(), changedAt: EpochMs })).meta({ description: 'Earlier names, newest last' }),
  })
  .meta({ id: 'GroupMember' });

/** `POST /bookings` 202: started, the components not held yet (no worker, a slow supplier): follow the Location. */
export const BookingStillHoldingResponse = z
  .strictObject({
    reference: z.string(),
    workflowId: z.string(),
    held: z.literal(false).meta({ description: 'Not held yet: GET /bookings/{reference} until its status leaves HELD pending (or FAILED says why)' }),
  })
  .meta({ id: 'BookingStillHolding' });

/** `BookingSummary` (activities/booking-projection.prisma.ts): one booking of the list, from the projection. */
export const BookingSummaryView = z
  .strictObject({
    reference: z.string(),
    status: z.enum(LIFECYCLE_STATUSES),
    customerId: z.string(),
    advisorId: z.string().nullable(),
    travelDate: CalendarDay.meta({ description: 'The departure date' }),
    returnDate: CalendarDay.nullable(),
    total: MoneyView,
    paid: MoneyView,
    balanceDue: MoneyView,
    needsManualReview: z.boolean(),
    updatedAt: EpochMs.meta({ description: 'The last projection write' }),
  })
  .meta({ id: 'BookingSummary' });

/** `GET /bookings`: a page of bookings, by travel date (newest first). */
export const BookingPageResponse = PageView(BookingSummaryView);
