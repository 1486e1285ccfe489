import { addCalendarDays, localDayWindow } from '../domain/operations/local-time';
import {
  buildDispatchSheet,
  currentWindow,
  findOverlaps,
  groundServicesOf,
  productKeysOf,
  SERVICE_BOOKING_STATUSES,
  windowsOverlap,
  type BookingForOps,
  type DispatchSheet,
  type GroundService,
  type OpsResourceKind,
  type ProductInfo,
  type SheetAssignment,
} from '../domain/operations/schedule';
import { isoDateOf, utcDate, type Instant } from '../domain/time/instant';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import type { BookingStatus } from '../generated/prisma/enums';
import { decodeCursor, encodeCursor, pageOfRows } from './keyset-cursor';

/**
 * The operations schedule's store: guides and vehicles, the ground services read from confirmed
 * bookings, and assignments with race-free conflict checks (a row lock on the resource).
 */

export type OperationsErrorKind =
  | 'unknown-resource'
  | 'unknown-assignment'
  | 'unknown-service'
  | 'not-a-confirmed-service'
  | 'resource-inactive'
  | 'wrong-destination'
  | 'over-capacity'
  | 'already-assigned'
  | 'resource-conflict'
  | 'version-conflict'
  | 'invalid-cursor'
  | 'invalid-window';

export class OperationsError extends Error {
  constructor(
    readonly kind: OperationsErrorKind,
    message: string,
    /** The request field at fault (body or query), when one is. */
    readonly field?: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'OperationsError';
  }
}

export interface OpsResource {
  id: string;
  kind: OpsResourceKind;
  name: string;
  destination: string;
  capacity: number | null;
  languages: string[];
  phone: string | null;
  active: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface NewResource {
  kind: OpsResourceKind;
  name: string;
  destination: string;
  capacity?: number | null;
  languages?: string[];
  phone?: string | null;
  active?: boolean;
}

export type ResourcePatch = Partial<Omit<NewResource, 'kind'>>;

export interface ResourceFilter {
  kind?: OpsResourceKind;
  destination?: string;
  active?: boolean;
  limit: number;
  cursor?: string;
}

export interface Assignment {
  id: string;
  resourceId: string;
  resourceKind: OpsResourceKind;
  resourceName: string;
  bookingRef: string;
  componentId: string;
  destination: string;
  serviceDate: string;
  startsAt: string;
  endsAt: string;
  pax: number;
  notes: string | null;
  createdBy: string | null;
  createdAt: string;
}

export interface NewAssignment {
  resourceId: string;
  bookingRef: string;
  componentId: string;
  /** Overrides of the service's window (epoch ms). */
  startsAt?: Instant;
  endsAt?: Instant;
  notes?: string | null;
  createdBy?: string | null;
}

export interface AssignmentFilter {
  date?: string;
  resourceId?: string;
  bookingRef?: string;
  limit: number;
  cursor?: string;
}

export interface ServiceFilter {
  date: string;
  destination?: string;
  unassigned?: boolean;
  /** Page size (default 100); `cursor` the `nextCursor` of the previous page. */
  limit?: number;
  cursor?: string;
}

export interface ServiceWithAssignments extends Omit<GroundService, 'startsAt' | 'endsAt'> {
  startsAt: string;
  endsAt: string;
  assignments: Array<{ id: string; resourceId: string; resourceKind: OpsResourceKind; resourceName: string; startsAt: string; endsAt: string }>;
}

export interface ConflictReport {
  from: string;
  to: string;
  conflicts: Array<{
    resource: { id: string; kind: OpsResourceKind; name: string };
    overlapStartsAt: string;
    overlapEndsAt: string;
    assignments: Array<{ id: string; bookingRef: string; componentId: string; startsAt: string; endsAt: string; moved: boolean }>;
  }>;
  /** Assignments whose service is no longer a confirmed ground service (booking or component cancelled). */
  orphaned: Array<{ id: string; resourceId: string; bookingRef: string; componentId: string; serviceDate: string }>;
  /** Assignments of a vehicle now carrying more passengers than it seats (the party grew). */
  overCapacity: Array<{ id: string; resourceId: string; bookingRef: string; componentId: string; pax: number; capacity: number }>;
}

const iso = (d: Date | number) => new Date(d).toISOString();

type ResourceRow = Prisma.OpsResourceGetPayload<object>;
type AssignmentRow = Prisma.OpsAssignmentGetPayload<{ include: { resource: true } }>;

function resourceOf(r: ResourceRow): OpsResource {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    destination: r.destination,
    capacity: r.capacity,
    languages: r.languages,
    phone: r.phone,
    active: r.active,
    version: r.version,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

function assignmentOf(a: AssignmentRow): Assignment {
  return {
    id: a.id,
    resourceId: a.resourceId,
    resourceKind: a.resource.kind,
    resourceName: a.resource.name,
    bookingRef: a.bookingRef,
    componentId: a.componentId,
    destination: a.destination,
    serviceDate: isoDateOf(a.serviceDate),
    startsAt: iso(a.startsAt),
    endsAt: iso(a.endsAt),
    pax: a.pax,
    notes: a.notes,
    createdBy: a.createdBy,
    createdAt: iso(a.createdAt),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES = SERVICE_BOOKING_STATUSES as unknown as BookingStatus[];

export class PrismaOperationsStore {
  constructor(
    private readonly prisma: PrismaClient,
    /** The operator's IANA zone: service days and default times are read in it. */
    private readonly timeZone: string,
  ) {}

  // --- resources -------------------------------------------------------------------------------

  async createResource(input: NewResource): Promise<OpsResource> {
    const row = await this.prisma.opsResource.create({
      data: {
        kind: input.kind,
        name: input.name,
        destination: input.destination,
        capacity: input.capacity ?? null,
        languages: input.languages ?? [],
        phone: input.phone ?? null,
        active: input.active ?? true,
      },
    });
    return resourceOf(row);
  }

  async getResource(id: string): Promise<OpsResource | null> {
    if (!UUID.test(id)) return null;
    const row = await this.prisma.opsResource.findUnique({ where: { id } });
    return row ? resourceOf(row) : null;
  }

  /** Sorted by name then id; `nextCursor` continues after the last item. */
  async listResources(f: ResourceFilter): Promise<{ items: OpsResource[]; nextCursor: string | null }> {
    let after: Prisma.OpsResourceWhereInput = {};
    if (f.cursor) {
      const key = decodeCursor(f.cursor, 2);
      if (!key || !UUID.test(key[1]!)) throw new OperationsError('invalid-cursor', 'cursor is not one this list handed out', 'cursor');
      after = { OR: [{ name: { gt: key[0]! } }, { name: key[0]!, id: { gt: key[1]! } }] };
    }
    const rows = await this.prisma.opsResource.findMany({
      where: {
        AND: [after, { ...(f.kind && { kind: f.kind }), ...(f.destination && { destination: f.destination }), ...(f.active !== undefined && { active: f.active }) }],
      },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      take: f.limit + 1,
    });
    const page = rows.slice(0, f.limit);
    const last = page.at(-1);
    return { items: page.map(resourceOf), nextCursor: rows.length > f.limit && last ? encodeCursor([last.name, last.id]) : null };
  }

  /**
   * Changes the given fields and bumps the version. With `expectedVersion` (from If-Match or the
   * body) a concurrent change is refused instead of overwritten.
   */
  async updateResource(id: string, patch: ResourcePatch, expectedVersion?: number): Promise<{ before: OpsResource; after: OpsResource } | null> {
    if (!UUID.test(id)) return null;
    return this.prisma.$transaction(async (tx) => {
      const before = await tx.opsResource.findUnique({ where: { id } });
      if (!before) return null;
      if (expectedVersion !== undefined && before.version !== expectedVersion) {
        throw new OperationsError('version-conflict', `Resource ${id} is at version ${before.version}, not ${expectedVersion}`, 'version', { currentVersion: before.version });
      }
      const capacity = patch.capacity === undefined ? before.capacity : patch.capacity;
      if (before.kind === 'VEHICLE' && capacity === null) throw new OperationsError('invalid-window', 'a vehicle must have a capacity', 'capacity');
      const { count } = await tx.opsResource.updateMany({
        where: { id, version: before.version },
        data: {
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.destination !== undefined && { destination: patch.destination }),
          ...(patch.capacity !== undefined && { capacity: patch.capacity }),
          ...(patch.languages !== undefined && { languages: patch.languages }),
          ...(patch.phone !== undefined && { phone: patch.phone }),
          ...(patch.active !== undefined && { active: patch.active }),
          version: { increment: 1 },
        },
      });
      if (count !== 1) throw new OperationsError('version-conflict', `Resource ${id} was changed meanwhile`, 'version');
      const after = await tx.opsResource.findUniqueOrThrow({ where: { id } });
      return { before: resourceOf(before), after: resourceOf(after) };
    });
  }

  // --- ground services -------------------------------------------------------------------------

  /** Confirmed bookings travelling some time between two local dates (inclusive), as the schedule reads them. */
  private async bookingsBetween(from: string, to: string, refs?: readonly string[]): Promise<BookingForOps[]> {
    const rows = await this.prisma.booking.findMany({
      where: {
        status: { in: STATUSES },
        ...(refs ? { reference: { in: [...refs] } } : {}),
        travelDate: { lte: utcDate(addCalendarDays(to, 1)) },
        OR: [{ returnDate: { gte: utcDate(addCalendarDays(from, -1)) } }, { returnDate: null, travelDate: { gte: utcDate(addCalendarDays(from, -1)) } }],
      },
      select: { reference: true, status: true, customerId: true, snapshot: true },
      orderBy: { reference: 'asc' },
    });
    return this.withNamesAndOrders(rows);
  }

  private async withNamesAndOrders(rows: Array<{ reference: string; status: string; customerId: string; snapshot: unknown }>): Promise<BookingForOps[]> {
    if (rows.length === 0) return [];
    const [customers, orders] = await Promise.all([
      this.prisma.customer.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.customerId))] } }, select: { id: true, firstName: true, lastName: true } }),
      this.prisma.supplierServiceOrder.findMany({ where: { bookingRef: { in: rows.map((r) => r.reference) }, status: 'CANCELLED' }, select: { bookingRef: true, componentId: true } }),
    ]);
    const names = new Map(customers.map((c) => [c.id, [c.firstName, c.lastName].filter(Boolean).join(' ')]));
    const cancelled = new Map<string, Set<string>>();
    for (const o of orders) cancelled.set(o.bookingRef, (cancelled.get(o.bookingRef) ?? new Set()).add(o.componentId));
    return rows.map((r) => ({ ...r, customerName: names.get(r.customerId) ?? null, cancelledOrders: cancelled.get(r.reference) ?? new Set() }));
  }

  /** The catalog facts of every product the bookings name, in one query. */
  private async productsOf(bookings: readonly BookingForOps[]): Promise<(supplierCode: string, productCode: string) => ProductInfo | undefined> {
    const keys = bookings.flatMap((b) => productKeysOf(b.snapshot));
    const map = new Map<string, ProductInfo>();
    if (keys.length > 0) {
      const rows = await this.prisma.product.findMany({
        where: { code: { in: [...new Set(keys.map((k) => k.productCode))] }, supplier: { code: { in: [...new Set(keys.map((k) => k.supplierCode))] } } },
        select: { code: true, type: true, destination: true, details: true, supplier: { select: { code: true } } },
      });
      for (const p of rows) {
        const d = (p.details ?? {}) as Record<string, unknown>;
        map.set(`${p.supplier.code}\u0000${p.code}`, {
          destination: p.destination,
          type: p.type,
          groundKind: typeof d.kind === 'string' ? d.kind : null,
          durationHours: typeof d.durationHours === 'number' ? d.durationHours : null,
        });
      }
    }
    return (s, c) => map.get(`${s}\u0000${c}`);
  }

  private async servicesOf(bookings: BookingForOps[]): Promise<GroundService[]> {
    const products = await this.productsOf(bookings);
    return bookings.flatMap((b) => groundServicesOf(b, products, this.timeZone));
  }

  /** Ground services running on a local date (any part of their window), in time order. */
  private async servicesOn(date: string, destination?: string): Promise<GroundService[]> {
    const day = localDayWindow(date, this.timeZone);
    const services = await this.servicesOf(await this.bookingsBetween(date, date));
    return services
      .filter((s) => windowsOverlap(s, day) && (destination === undefined || s.destination === destination))
      .sort((a, b) => a.startsAt - b.startsAt || (a.bookingRef < b.bookingRef ? -1 : a.bookingRef > b.bookingRef ? 1 : a.componentId < b.componentId ? -1 : 1));
  }

  /** One booking's component as a ground service: null when there is no such booking or component. */
  async findService(bookingRef: string, componentId: string): Promise<{ service: GroundService | null; exists: boolean }> {
    const row = await this.prisma.booking.findUnique({ where: { reference: bookingRef }, select: { reference: true, status: true, customerId: true, snapshot: true } });
    if (!row) return { service: null, exists: false };
    const components = (row.snapshot as { components?: Array<{ id?: unknown }> } | null)?.components ?? [];
    const exists = Array.isArray(components) && components.some((c) => c?.id === componentId);
    const [booking] = await this.withNamesAndOrders([row]);
    const service = (await this.servicesOf([booking!])).find((s) => s.componentId === componentId) ?? null;
    return { service, exists };
  }

  /**
   * A page of the day's services in time order (start, booking reference, component id: the key
   * of {@link servicesOn}'s order); `nextCursor` continues after the last one. The day's services
   * come from the booking snapshots, so the page is cut from them here rather than in SQL.
   */
  async listServices(f: ServiceFilter): Promise<{ date: string; timeZone: string; items: ServiceWithAssignments[]; nextCursor: string | null }> {
    let services = await this.servicesOn(f.date, f.destination);
    if (f.cursor) {
      const key = decodeCursor(f.cursor, 3);
      const at = key ? Date.parse(key[0]!) : NaN;
      if (!key || Number.isNaN(at)) throw new OperationsError('invalid-cursor', 'cursor is not one this list handed out', 'cursor');
      const [, ref, component] = key as [string, string, string];
      services = services.filter((s) => s.startsAt > at || (s.startsAt === at && (s.bookingRef > ref || (s.bookingRef === ref && s.componentId > component))));
    }
    const assignments = await this.assignmentsFor(services);
    const matching = services
      .map((s) => {
        const mine = assignments.filter((a) => a.bookingRef === s.bookingRef && a.componentId === s.componentId);
        return {
          ...s,
          startsAt: iso(s.startsAt),
          endsAt: iso(s.endsAt),
          assignments: mine.map((a) => ({ id: a.id, resourceId: a.resourceId, resourceKind: a.resource.kind, resourceName: a.resource.name, startsAt: iso(a.startsAt), endsAt: iso(a.endsAt) })),
        };
      })
      .filter((s) => !f.unassigned || s.assignments.length === 0);
    return { date: f.date, timeZone: this.timeZone, ...pageOfRows(matching, f.limit ?? 100, (s) => [s.startsAt, s.bookingRef, s.componentId], (s) => s) };
  }

  private async assignmentsFor(services: readonly GroundService[]): Promise<AssignmentRow[]> {
    if (services.length === 0) return [];
    return this.prisma.opsAssignment.findMany({
      where: { OR: services.map((s) => ({ bookingRef: s.bookingRef, componentId: s.componentId })) },
      include: { resource: true },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    });
  }

  // --- assignments -----------------------------------------------------------------------------

  /**
   * Assigns a resource to a confirmed ground service. Race-free: the resource's row is locked
   * (SELECT ... FOR UPDATE) before its overlapping assignments are looked for, so two concurrent
   * assignments of one guide to overlapping services are decided one after the other.
   */
  async assign(input: NewAssignment): Promise<Assignment> {
    if (!UUID.test(input.resourceId)) throw new OperationsError('unknown-resource', `Resource ${input.resourceId} does not exist`, 'resourceId');
    const { service, exists } = await this.findService(input.bookingRef, input.componentId);
    if (!service) {
      if (!exists) throw new OperationsError('unknown-service', `Booking ${input.bookingRef} has no component ${input.componentId}`, 'componentId');
      throw new OperationsError('not-a-confirmed-service', `${input.bookingRef}/${input.componentId} is not a confirmed ground service (the booking or component is not confirmed, or it is not a transfer, excursion or tour)`, 'componentId');
    }
    const startsAt = input.startsAt ?? service.startsAt;
    const endsAt = input.endsAt ?? service.endsAt;
    if (endsAt <= startsAt) throw new OperationsError('invalid-window', 'endsAt must be after startsAt', input.endsAt !== undefined ? 'endsAt' : 'startsAt');
    try {
      return await this.prisma.$transaction(async (tx) => {
        const [resource] = await tx.$queryRaw<Array<{ id: string; kind: OpsResourceKind; name: string; destination: string; capacity: number | null; active: boolean }>>`
          SELECT id::text AS id, kind::text AS kind, name, destination, capacity, active FROM ops_resources WHERE id = ${input.resourceId}::uuid FOR UPDATE`;
        if (!resource) throw new OperationsError('unknown-resource', `Resource ${input.resourceId} does not exist`, 'resourceId');
        if (!resource.active) throw new OperationsError('resource-inactive', `${resource.name} is not active`, 'resourceId');
        if (service.destination !== resource.destination) {
          throw new OperationsError('wrong-destination', `${resource.name} works in ${resource.destination}; the service is in ${service.destination ?? 'an unknown destination'}`, 'resourceId');
        }
        if (resource.capacity !== null && resource.capacity < service.pax) {
          throw new OperationsError('over-capacity', `${resource.name} takes ${resource.capacity}; the service has ${service.pax} passengers`, 'resourceId');
        }
        const existing = await tx.opsAssignment.findUnique({ where: { resourceId_bookingRef_componentId: { resourceId: resource.id, bookingRef: service.bookingRef, componentId: service.componentId } } });
        if (existing) {
          throw new OperationsError('already-assigned', `${resource.name} is already assigned to ${service.bookingRef}/${service.componentId} (assignment ${existing.id})`, 'resourceId', { assignmentId: existing.id });
        }
        const clash = await tx.opsAssignment.findFirst({
          where: { resourceId: resource.id, startsAt: { lt: new Date(endsAt) }, endsAt: { gt: new Date(startsAt) } },
          orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
        });
        if (clash) {
          throw new OperationsError(
            'resource-conflict',
            `${resource.name} is already assigned to booking ${clash.bookingRef} (${clash.componentId}) from ${iso(clash.startsAt)} to ${iso(clash.endsAt)}`,
            'resourceId',
            { conflictingAssignment: { id: clash.id, bookingRef: clash.bookingRef, componentId: clash.componentId, startsAt: iso(clash.startsAt), endsAt: iso(clash.endsAt) } },
          );
        }
        const row = await tx.opsAssignment.create({
          data: {
            resourceId: resource.id,
            bookingRef: service.bookingRef,
            componentId: service.componentId,
            destination: resource.destination,
            serviceDate: utcDate(service.serviceDate),
            startsAt: new Date(startsAt),
            endsAt: new Date(endsAt),
            pax: service.pax,
            notes: input.notes ?? null,
            createdBy: input.createdBy ?? null,
          },
          include: { resource: true },
        });
        return assignmentOf(row);
      });
    } catch (err) {
      // Two requests for the very same resource and service: the unique key decides.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw new OperationsError('already-assigned', `The resource is already assigned to ${service.bookingRef}/${service.componentId}`, 'resourceId');
      }
      throw err;
    }
  }

  async getAssignment(id: string): Promise<Assignment | null> {
    if (!UUID.test(id)) return null;
    const row = await this.prisma.opsAssignment.findUnique({ where: { id }, include: { resource: true } });
    return row ? assignmentOf(row) : null;
  }

  /** Sorted by start then id. `date`: assignments running on that local day. */
  async listAssignments(f: AssignmentFilter): Promise<{ items: Assignment[]; nextCursor: string | null }> {
    let after: Prisma.OpsAssignmentWhereInput = {};
    if (f.cursor) {
      const key = decodeCursor(f.cursor, 2);
      const at = key ? Date.parse(key[0]!) : NaN;
      if (!key || Number.isNaN(at) || !UUID.test(key[1]!)) throw new OperationsError('invalid-cursor', 'cursor is not one this list handed out', 'cursor');
      after = { OR: [{ startsAt: { gt: new Date(at) } }, { startsAt: new Date(at), id: { gt: key[1]! } }] };
    }
    const day = f.date ? localDayWindow(f.date, this.timeZone) : null;
    if (f.resourceId !== undefined && !UUID.test(f.resourceId)) return { items: [], nextCursor: null };
    const rows = await this.prisma.opsAssignment.findMany({
      where: {
        AND: [
          after,
          {
            ...(day && { startsAt: { lt: new Date(day.endsAt) }, endsAt: { gt: new Date(day.startsAt) } }),
            ...(f.resourceId && { resourceId: f.resourceId }),
            ...(f.bookingRef && { bookingRef: f.bookingRef }),
          },
        ],
      },
      include: { resource: true },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
      take: f.limit + 1,
    });
    const page = rows.slice(0, f.limit);
    const last = page.at(-1);
    return { items: page.map(assignmentOf), nextCursor: rows.length > f.limit && last ? encodeCursor([iso(last.startsAt), last.id]) : null };
  }

  /** Removes an assignment; returns what was removed (null: there was none). */
  async deleteAssignment(id: string): Promise<Assignment | null> {
    if (!UUID.test(id)) return null;
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.opsAssignment.findUnique({ where: { id }, include: { resource: true } });
      if (!row) return null;
      await tx.opsAssignment.delete({ where: { id } });
      return assignmentOf(row);
    });
  }

  // --- conflicts and the dispatch sheet --------------------------------------------------------

  /**
   * Double bookings between two local dates (inclusive), as things stand now: each assignment is
   * placed where its service is today (a booking whose dates were amended carries its assignments
   * along), then overlapping windows of one resource are paired. Also lists assignments whose
   * service is gone and vehicles now over capacity.
   */
  async conflicts(from: string, to: string): Promise<ConflictReport> {
    const range = { startsAt: localDayWindow(from, this.timeZone).startsAt, endsAt: localDayWindow(to, this.timeZone).endsAt };
    const servicesInRange = await this.servicesOf(await this.bookingsBetween(from, to));
    const stored = await this.prisma.opsAssignment.findMany({
      where: {
        OR: [
          { startsAt: { lt: new Date(range.endsAt) }, endsAt: { gt: new Date(range.startsAt) } },
          ...(servicesInRange.length ? [{ bookingRef: { in: [...new Set(servicesInRange.map((s) => s.bookingRef))] } }] : []),
        ],
      },
      include: { resource: true },
    });
    // The current services of every booking an assignment names (some may have left the range).
    const refs = [...new Set(stored.map((a) => a.bookingRef))];
    const rows = refs.length
      ? await this.prisma.booking.findMany({ where: { reference: { in: refs } }, select: { reference: true, status: true, customerId: true, snapshot: true } })
      : [];
    const current = await this.servicesOf(await this.withNamesAndOrders(rows));
    const serviceOf = new Map(current.map((s) => [`${s.bookingRef}\u0000${s.componentId}`, s]));

    const orphaned: ConflictReport['orphaned'] = [];
    const overCapacity: ConflictReport['overCapacity'] = [];
    const slots: Array<{ id: string; resourceId: string; startsAt: number; endsAt: number; row: AssignmentRow; moved: boolean }> = [];
    for (const a of stored) {
      const s = serviceOf.get(`${a.bookingRef}\u0000${a.componentId}`);
      if (!s) {
        if (windowsOverlap({ startsAt: a.startsAt.getTime(), endsAt: a.endsAt.getTime() }, range)) {
          orphaned.push({ id: a.id, resourceId: a.resourceId, bookingRef: a.bookingRef, componentId: a.componentId, serviceDate: isoDateOf(a.serviceDate) });
        }
        continue;
      }
      const w = currentWindow({ serviceDate: isoDateOf(a.serviceDate), startsAt: a.startsAt.getTime(), endsAt: a.endsAt.getTime() }, s, this.timeZone);
      slots.push({ id: a.id, resourceId: a.resourceId, startsAt: w.startsAt, endsAt: w.endsAt, row: a, moved: w.moved });
      if (a.resource.kind === 'VEHICLE' && a.resource.capacity !== null && s.pax > a.resource.capacity && windowsOverlap(w, range)) {
        overCapacity.push({ id: a.id, resourceId: a.resourceId, bookingRef: a.bookingRef, componentId: a.componentId, pax: s.pax, capacity: a.resource.capacity });
      }
    }
    const conflicts = findOverlaps(slots)
      .filter((o) => windowsOverlap({ startsAt: o.overlapStartsAt, endsAt: o.overlapEndsAt }, range))
      .map((o) => ({
        resource: { id: o.resourceId, kind: o.first.row.resource.kind, name: o.first.row.resource.name },
        overlapStartsAt: iso(o.overlapStartsAt),
        overlapEndsAt: iso(o.overlapEndsAt),
        assignments: [o.first, o.second].map((x) => ({ id: x.id, bookingRef: x.row.bookingRef, componentId: x.row.componentId, startsAt: iso(x.startsAt), endsAt: iso(x.endsAt), moved: x.moved })),
      }));
    return { from, to, conflicts, orphaned, overCapacity };
  }

  async dispatchSheet(date: string, destination?: string): Promise<DispatchSheet> {
    const services = await this.servicesOn(date, destination);
    const rows = await this.assignmentsFor(services);
    const assignments: SheetAssignment[] = rows.map((a) => ({
      id: a.id,
      bookingRef: a.bookingRef,
      componentId: a.componentId,
      startsAt: a.startsAt.getTime(),
      endsAt: a.endsAt.getTime(),
      notes: a.notes,
      resource: { id: a.resource.id, kind: a.resource.kind, name: a.resource.name, phone: a.resource.phone, capacity: a.resource.capacity },
    }));
    return buildDispatchSheet(date, services, assignments, this.timeZone);
  }
}
