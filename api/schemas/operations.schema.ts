import { z } from 'zod';
import { CalendarDay, EpochMs, Instant as AnswerInstant, PageView } from './answer.schema';
import { GROUND_SERVICE_KINDS, OPS_RESOURCE_KINDS } from '../../domain/operations/schedule';
import { IsoDate } from '../../domain/schemas/common.schema';

/**
 * Operations schedule requests (issue 9): guides and vehicles, ground services, assignments,
 * conflicts and the dispatch sheet. Query and path problems are 400 naming the parameter; body
 * problems 422 with a JSON Pointer. Bodies are strict: an unknown field (`version`, `id`) is
 * refused rather than ignored (no mass assignment).
 */

const ALWAYS = { when: () => true };
const Text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const Limit = (max: number, dflt: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`).default(dflt);
const Cursor = z.string().min(1).max(512).regex(/^[A-Za-z0-9_-]+$/, 'must be a nextCursor this endpoint returned');
const QueryBool = z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true');
const Uuid = (what: string) => z.uuid(`must be ${what} (a UUID)`);

/** Destination codes as the catalog writes them ("IT-ROME"); lower case is accepted and upper-cased. */
export const DestinationCode = z
  .string()
  .trim()
  .transform((d) => d.toUpperCase())
  .pipe(z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,63}$/, 'must be a destination code such as "IT-ROME" (letters, digits, hyphens; at most 64)'))
  .meta({ examples: ['IT-ROME'] });

export const ResourceKind = z.enum(OPS_RESOURCE_KINDS, { message: `must be one of ${OPS_RESOURCE_KINDS.join(', ')}` });
const Language = z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language code such as "en" or "pt-BR"');
const Phone = z.string().trim().regex(/^\+?[0-9 ()-]{4,31}$/, 'must be a phone number (digits, spaces, ( ) - and a leading +; at most 32)');
const Capacity = z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500');

export const BookingRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/, 'must be a booking reference such as ITN-7K3M9QXZ');
export const ComponentId = z
  .string()
  .min(1, { message: 'must not be empty', abort: true })
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'may contain only letters, digits and . _ : - (starting with a letter or digit)');

/** An instant with its offset (`2027-02-26T09:00:00+01:00` or `...Z`), as epoch ms. */
const Instant = z.iso.datetime({ offset: true, message: 'must be a date-time with an offset, such as 2027-02-26T09:00:00Z' }).transform((v) => Date.parse(v));

export const CreateResourceRequest = z
  .strictObject({
    kind: ResourceKind,
    name: Text(200),
    destination: DestinationCode,
    capacity: Capacity.nullable().optional().meta({ description: 'Vehicles: seats (required); guides: the largest group they take' }),
    languages: z.array(Language).max(20, 'must list at most 20 languages').optional(),
    phone: Phone.nullable().optional(),
    active: z.boolean({ message: 'must be true or false' }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'VEHICLE' && (v.capacity === undefined || v.capacity === null)) ctx.addIssue({ code: 'custom', path: ['capacity'], message: 'is required for a vehicle (its seats)' });
  }, ALWAYS);
export type CreateResourceRequest = z.infer<typeof CreateResourceRequest>;

export const UpdateResourceRequest = z
  .strictObject({
    name: Text(200).optional(),
    destination: DestinationCode.optional(),
    capacity: Capacity.nullable().optional(),
    languages: z.array(Language).max(20, 'must list at most 20 languages').optional(),
    phone: Phone.nullable().optional(),
    active: z.boolean({ message: 'must be true or false' }).optional(),
  })
  .meta({ description: 'At least one field' });
export type UpdateResourceRequest = z.infer<typeof UpdateResourceRequest>;

export const ResourcePath = z.strictObject({ id: Uuid('a resource id') });
export const AssignmentPath = z.strictObject({ id: Uuid('an assignment id') });

export const ResourceListQuery = z.strictObject({
  kind: ResourceKind.optional(),
  destination: DestinationCode.optional(),
  active: QueryBool.optional(),
  cursor: Cursor.optional(),
  limit: Limit(200, 50),
});

export const ServiceListQuery = z.strictObject({
  date: IsoDate.meta({ description: 'Local service day (operator time zone)' }),
  destination: DestinationCode.optional(),
  unassigned: QueryBool.optional().meta({ description: 'true: only services nobody is assigned to' }),
  cursor: Cursor.optional(),
  limit: Limit(500, 100),
});

export const CreateAssignmentRequest = z
  .strictObject({
    resourceId: Uuid('a resource id'),
    bookingRef: BookingRef,
    componentId: ComponentId,
    startsAt: Instant.optional().meta({ description: "Defaults to the service's start (pickup time, or the default window of its kind)" }),
    endsAt: Instant.optional(),
    notes: Text(1000).nullable().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.startsAt !== undefined && v.endsAt !== undefined && v.endsAt <= v.startsAt) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  }, ALWAYS);
export type CreateAssignmentRequest = z.infer<typeof CreateAssignmentRequest>;

export const AssignmentListQuery = z.strictObject({
  date: IsoDate.optional(),
  resourceId: Uuid('a resource id').optional(),
  bookingRef: BookingRef.optional(),
  cursor: Cursor.optional(),
  limit: Limit(200, 50),
});

export const ConflictQuery = z
  .strictObject({ from: IsoDate, to: IsoDate })
  .superRefine((v, ctx) => {
    if (typeof v.from !== 'string' || typeof v.to !== 'string') return;
    if (v.to < v.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    else if (Date.parse(v.to) - Date.parse(v.from) > 92 * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be at most 92 days after from' });
  }, ALWAYS);

export const DispatchSheetQuery = z.strictObject({
  date: IsoDate,
  destination: DestinationCode.optional(),
  format: z.enum(['json', 'csv'], { message: 'must be json or csv' }).default('json'),
});

// ---------------------------------------------------------------------------------------------
// Responses (documented in the OpenAPI document; the operations API test parses every answer with them)

/** Instants in answers are ISO text (`Instant` above is the request side's, parsed to epoch ms). */
const At = AnswerInstant;
const GroundKind = z.enum(GROUND_SERVICE_KINDS);

export const OpsResourceResponse = z
  .strictObject({
    id: z.uuid(),
    kind: z.enum(OPS_RESOURCE_KINDS),
    name: z.string(),
    destination: z.string(),
    capacity: z.number().int().nullable().meta({ description: 'Seats (vehicles)' }),
    languages: z.array(z.string()),
    phone: z.string().nullable(),
    active: z.boolean(),
    version: z.number().int().meta({ description: 'The ETag is "<version>"' }),
    createdAt: At,
    updatedAt: At,
  })
  .meta({ id: 'OpsResource' });

export const AssignmentResponse = z
  .strictObject({
    id: z.uuid(),
    resourceId: z.uuid(),
    resourceKind: z.enum(OPS_RESOURCE_KINDS),
    resourceName: z.string(),
    bookingRef: z.string(),
    componentId: z.string(),
    destination: z.string(),
    serviceDate: CalendarDay,
    startsAt: At,
    endsAt: At,
    pax: z.number().int(),
    notes: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: At,
  })
  .meta({ id: 'OpsAssignment' });

export const GroundServiceResponse = z
  .strictObject({
    bookingRef: z.string(),
    componentId: z.string(),
    kind: GroundKind,
    bookingStatus: z.string(),
    destination: z.string().nullable().meta({ description: 'Null when the product is not in the catalog (it cannot be assigned)' }),
    serviceDate: CalendarDay,
    serviceEnd: CalendarDay,
    startsAt: At,
    endsAt: At,
    timeSource: z.literal('default').meta({ description: 'Bookings carry dates only: windows are the defaults per kind' }),
    pax: z.number().int(),
    description: z.string(),
    supplierCode: z.string(),
    productCode: z.string().nullable(),
    customerId: z.string(),
    leadName: z.string().nullable(),
    pickup: z.string().nullable(),
    assignments: z.array(z.strictObject({ id: z.uuid(), resourceId: z.uuid(), resourceKind: z.enum(OPS_RESOURCE_KINDS), resourceName: z.string(), startsAt: At, endsAt: At })),
  })
  .meta({ id: 'OpsGroundService' });

/** `GET /operations/services`: the day, the operator's time zone and a page of its services. */
export const GroundServicePageResponse = PageView(GroundServiceResponse).extend({
  date: CalendarDay,
  timeZone: z.string().meta({ description: 'IANA zone of the operator' }),
});

export const ConflictReportResponse = z
  .strictObject({
    from: CalendarDay,
    to: CalendarDay,
    conflicts: z.array(
      z.strictObject({
        resource: z.strictObject({ id: z.uuid(), kind: z.enum(OPS_RESOURCE_KINDS), name: z.string() }),
        overlapStartsAt: At,
        overlapEndsAt: At,
        assignments: z.array(z.strictObject({ id: z.uuid(), bookingRef: z.string(), componentId: z.string(), startsAt: At, endsAt: At, moved: z.boolean() })),
      }),
    ),
    orphaned: z.array(z.strictObject({ id: z.uuid(), resourceId: z.uuid(), bookingRef: z.string(), componentId: z.string(), serviceDate: CalendarDay })),
    overCapacity: z.array(z.strictObject({ id: z.uuid(), resourceId: z.uuid(), bookingRef: z.string(), componentId: z.string(), pax: z.number().int(), capacity: z.number().int() })),
  })
  .meta({ id: 'OpsConflictReport' });

const SheetResource = z.strictObject({ id: z.uuid(), kind: z.enum(OPS_RESOURCE_KINDS), name: z.string(), phone: z.string().nullable(), capacity: z.number().int().nullable() });

export const DispatchSheetResponse = z
  .strictObject({
    date: CalendarDay,
    timeZone: z.string().meta({ description: 'IANA zone of the operator: times are local to it' }),
    destinations: z.array(
      z.strictObject({
        destination: z.string(),
        unassignedCount: z.number().int(),
        services: z.array(
          z.strictObject({
            time: z.string().meta({ description: 'Local start, HH:MM' }),
            endTime: z.string(),
            startsAt: EpochMs,
            endsAt: EpochMs,
            bookingRef: z.string(),
            componentId: z.string(),
            kind: GroundKind,
            description: z.string(),
            pax: z.number().int(),
            leadName: z.string().nullable(),
            pickup: z.string().nullable(),
            guides: z.array(SheetResource),
            vehicles: z.array(SheetResource),
            unassigned: z.boolean(),
            notes: z.array(z.string()),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'DispatchSheet' });
