import { z } from 'zod';
import type { Instant } from '../time/instant';
import { addCalendarDays, instantAtLocal, localDateTime } from './local-time';

/**
 * The operations schedule (issue 9): which confirmed bookings need people and vehicles on the
 * ground, when, and who is assigned. Pure: the store reads bookings, products and assignments and
 * hands them here; everything is plain JSON with instants as epoch ms.
 */

export const OPS_RESOURCE_KINDS = ['GUIDE', 'VEHICLE'] as const;
export type OpsResourceKind = (typeof OPS_RESOURCE_KINDS)[number];

/** What a ground service is: the catalog's ground-service kinds, plus tour departures (which need a guide). */
export const GROUND_SERVICE_KINDS = ['TRANSFER', 'EXCURSION', 'GUIDE', 'VEHICLE', 'TOUR'] as const;
export type GroundKind = (typeof GROUND_SERVICE_KINDS)[number];

/** Booking statuses whose confirmed components are delivered on the ground (COMPLETED: past sheets). */
export const SERVICE_BOOKING_STATUSES = ['CONFIRMED', 'PAID', 'TRAVELLING', 'COMPLETED'] as const;

/**
 * When a service runs when the booking says only its date (the lifecycle view has no pickup
 * times): a local start, and hours on the last service day. A catalog product's `durationHours`
 * replaces the hours. Tours run from 08:00 on the first day to 18:00 on the last.
 */
export const DEFAULT_WINDOWS: Record<GroundKind, { start: string; hours: number }> = {
  TRANSFER: { start: '09:00', hours: 2 },
  EXCURSION: { start: '09:00', hours: 4 },
  GUIDE: { start: '09:00', hours: 8 },
  VEHICLE: { start: '09:00', hours: 8 },
  TOUR: { start: '08:00', hours: 10 },
};

/** What the store knows of a catalog product (looked up by supplier and product code). */
export interface ProductInfo {
  destination: string;
  /** Catalog product type: TOUR, HOTEL, GROUND_SERVICE, INSURANCE. */
  type: string;
  /** GROUND_SERVICE products: TRANSFER, EXCURSION, GUIDE, VEHICLE. */
  groundKind: string | null;
  durationHours: number | null;
}

export type ProductLookup = (supplierCode: string, productCode: string) => ProductInfo | undefined;

/** A booking row as the schedule reads it. */
export interface BookingForOps {
  reference: string;
  status: string;
  customerId: string;
  /** The customer's name from the customer record, when there is one. */
  customerName: string | null;
  /** The lifecycle workflow's view (bookings.snapshot). */
  snapshot: unknown;
  /** Components whose supplier service order was cancelled (supplier_service_orders). */
  cancelledOrders?: ReadonlySet<string>;
}

export interface GroundService {
  bookingRef: string;
  componentId: string;
  kind: GroundKind;
  bookingStatus: string;
  /** The product's destination; null when the product is not in the catalog (cannot be assigned). */
  destination: string | null;
  /** Local calendar date the service starts. */
  serviceDate: string;
  serviceEnd: string;
  startsAt: Instant;
  endsAt: Instant;
  /** Always 'default' today: the view carries dates only, so windows come from `DEFAULT_WINDOWS`. */
  timeSource: 'default';
  pax: number;
  description: string;
  supplierCode: string;
  productCode: string | null;
  customerId: string;
  /** The customer's name, else the group organiser or the first passenger. */
  leadName: string | null;
  /** Where to pick the party up, when the booking says: the hotel they stay at that day. */
  pickup: string | null;
}

const Component = z.looseObject({
  id: z.string(),
  kind: z.string(),
  description: z.string().default(''),
  status: z.string(),
  supplierCode: z.string().default(''),
  serviceStart: z.string(),
  serviceEnd: z.string(),
  pax: z.number().int().nonnegative().default(1),
  request: z.looseObject({ productCode: z.string().optional() }).nullish(),
  flight: z.looseObject({ passengers: z.array(z.looseObject({ givenName: z.string().optional(), familyName: z.string().optional() })).default([]) }).nullish(),
});

const View = z.looseObject({
  components: z.array(z.unknown()).default([]),
  group: z.looseObject({ name: z.string().optional(), members: z.array(z.looseObject({ firstName: z.string(), lastName: z.string(), status: z.string().optional() })).default([]) }).nullish(),
});

type ViewComponent = z.infer<typeof Component>;

const ISO = /^\d{4}-\d{2}-\d{2}$/;

function leadNameOf(booking: BookingForOps, view: z.infer<typeof View>, components: ViewComponent[]): string | null {
  if (booking.customerName) return booking.customerName;
  const member = view.group?.members.find((m) => m.status !== 'CANCELLED');
  if (member) return `${member.firstName} ${member.lastName}`;
  for (const c of components) {
    const p = c.flight?.passengers[0];
    if (p && (p.givenName || p.familyName)) return [p.givenName, p.familyName].filter(Boolean).join(' ');
  }
  return null;
}

/** The ground kind of a component, or null when it is not delivered on the ground (flights, hotels, insurance). */
function groundKindOf(c: ViewComponent, product: ProductInfo | undefined): GroundKind | null {
  if (c.kind === 'TOUR') return 'TOUR';
  if (c.kind !== 'TRANSFER') return null;
  const k = product?.groundKind;
  return k === 'EXCURSION' || k === 'GUIDE' || k === 'VEHICLE' ? k : 'TRANSFER';
}

/** A service's window: local start on the first day to start + hours on the last day (tours: 08:00 to 18:00). */
export function serviceWindow(kind: GroundKind, serviceStart: string, serviceEnd: string, durationHours: number | null, timeZone: string): { startsAt: Instant; endsAt: Instant } {
  const def = DEFAULT_WINDOWS[kind];
  const startsAt = instantAtLocal(serviceStart, def.start, timeZone);
  const hours = kind === 'TOUR' ? def.hours : (durationHours ?? def.hours);
  const lastDayStart = serviceEnd > serviceStart ? instantAtLocal(serviceEnd, def.start, timeZone) : startsAt;
  return { startsAt, endsAt: lastDayStart + Math.round(hours * 3_600_000) };
}

/**
 * The ground services of one booking: its confirmed TRANSFER (and other ground-service) and TOUR
 * components, with their windows in the operator's zone. A booking that is not confirmed (held,
 * cancelled, failed...) has none; neither has a cancelled or failed component, nor one whose
 * supplier order was cancelled.
 */
export function groundServicesOf(booking: BookingForOps, products: ProductLookup, timeZone: string): GroundService[] {
  if (!(SERVICE_BOOKING_STATUSES as readonly string[]).includes(booking.status)) return [];
  const view = View.safeParse(booking.snapshot ?? {});
  if (!view.success) return [];
  const components = view.data.components.flatMap((c) => {
    const parsed = Component.safeParse(c);
    return parsed.success ? [parsed.data] : [];
  });
  const leadName = leadNameOf(booking, view.data, components);
  const out: GroundService[] = [];
  for (const c of components) {
    if (c.status !== 'CONFIRMED' || booking.cancelledOrders?.has(c.id)) continue;
    if (!ISO.test(c.serviceStart) || !ISO.test(c.serviceEnd) || c.serviceEnd < c.serviceStart) continue;
    const productCode = c.request?.productCode ?? null;
    const product = productCode ? products(c.supplierCode, productCode) : undefined;
    const kind = groundKindOf(c, product);
    if (!kind) continue;
    const { startsAt, endsAt } = serviceWindow(kind, c.serviceStart, c.serviceEnd, product?.durationHours ?? null, timeZone);
    const hotel = components.find((h) => h.kind === 'HOTEL' && h.status === 'CONFIRMED' && h.serviceStart <= c.serviceStart && c.serviceStart <= addCalendarDays(h.serviceEnd, 1));
    out.push({
      bookingRef: booking.reference,
      componentId: c.id,
      kind,
      bookingStatus: booking.status,
      destination: product?.destination ?? null,
      serviceDate: c.serviceStart,
      serviceEnd: c.serviceEnd,
      startsAt,
      endsAt,
      timeSource: 'default',
      pax: c.pax,
      description: c.description,
      supplierCode: c.supplierCode,
      productCode,
      customerId: booking.customerId,
      leadName,
      pickup: hotel ? hotel.description : null,
    });
  }
  return out;
}

/** The product codes a booking's components name (for one catalog look-up per page of bookings). */
export function productKeysOf(snapshot: unknown): Array<{ supplierCode: string; productCode: string }> {
  const view = View.safeParse(snapshot ?? {});
  if (!view.success) return [];
  return view.data.components.flatMap((c) => {
    const parsed = Component.safeParse(c);
    const code = parsed.success ? parsed.data.request?.productCode : undefined;
    return parsed.success && code ? [{ supplierCode: parsed.data.supplierCode, productCode: code }] : [];
  });
}

/** True when two half-open windows [start, end) share time: touching windows (one ends as the next starts) do not. */
export function windowsOverlap(a: { startsAt: Instant; endsAt: Instant }, b: { startsAt: Instant; endsAt: Instant }): boolean {
  return a.startsAt < b.endsAt && b.startsAt < a.endsAt;
}

export interface Slot {
  id: string;
  resourceId: string;
  startsAt: Instant;
  endsAt: Instant;
}

export interface Overlap<T extends Slot> {
  resourceId: string;
  /** The one starting first (ties: the smaller id). */
  first: T;
  second: T;
  overlapStartsAt: Instant;
  overlapEndsAt: Instant;
}

const bySlot = (a: Slot, b: Slot) => a.startsAt - b.startsAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Every pair of slots of the same resource whose windows overlap (a double-booked guide or
 * vehicle), by resource, then start. A sweep over the slots in start order: each slot is compared
 * only with those of its resource still running when it starts. Empty windows never conflict.
 */
export function findOverlaps<T extends Slot>(slots: readonly T[]): Overlap<T>[] {
  const out: Overlap<T>[] = [];
  const byResource = new Map<string, T[]>();
  for (const s of slots) {
    if (s.endsAt <= s.startsAt) continue;
    const list = byResource.get(s.resourceId) ?? [];
    list.push(s);
    byResource.set(s.resourceId, list);
  }
  for (const resourceId of [...byResource.keys()].sort()) {
    const sorted = [...byResource.get(resourceId)!].sort(bySlot);
    let running: T[] = [];
    for (const s of sorted) {
      running = running.filter((r) => r.endsAt > s.startsAt);
      for (const r of running) out.push({ resourceId, first: r, second: s, overlapStartsAt: s.startsAt, overlapEndsAt: Math.min(r.endsAt, s.endsAt) });
      running.push(s);
    }
  }
  return out;
}

/**
 * Where an assignment stands now that its service may have moved (an amendment changed the
 * booking's dates): unchanged while the service keeps its date; otherwise moved by as much as the
 * service's start moved, keeping the times the dispatcher chose relative to it.
 */
export function currentWindow(
  assignment: { serviceDate: string; startsAt: Instant; endsAt: Instant },
  service: { kind: GroundKind; serviceDate: string; startsAt: Instant },
  timeZone: string,
): { startsAt: Instant; endsAt: Instant; moved: boolean } {
  if (assignment.serviceDate === service.serviceDate) return { startsAt: assignment.startsAt, endsAt: assignment.endsAt, moved: false };
  const before = instantAtLocal(assignment.serviceDate, localDateTime(service.startsAt, timeZone).time, timeZone);
  const delta = service.startsAt - before;
  return { startsAt: assignment.startsAt + delta, endsAt: assignment.endsAt + delta, moved: true };
}

export interface SheetResource {
  id: string;
  kind: OpsResourceKind;
  name: string;
  phone: string | null;
  capacity: number | null;
}

export interface SheetAssignment {
  id: string;
  bookingRef: string;
  componentId: string;
  startsAt: Instant;
  endsAt: Instant;
  notes: string | null;
  resource: SheetResource;
}

export interface DispatchLine {
  time: string;
  endTime: string;
  startsAt: Instant;
  endsAt: Instant;
  bookingRef: string;
  componentId: string;
  kind: GroundKind;
  description: string;
  pax: number;
  leadName: string | null;
  pickup: string | null;
  guides: SheetResource[];
  vehicles: SheetResource[];
  /** Nobody assigned at all. */
  unassigned: boolean;
  notes: string[];
}

export interface DispatchSheet {
  date: string;
  timeZone: string;
  destinations: Array<{ destination: string; services: DispatchLine[]; unassignedCount: number }>;
}

/**
 * The daily dispatch sheet: per destination (alphabetical), the day's services in time order with
 * who is assigned (or flagged unassigned), pax, pickup, booking and lead traveller, and the
 * dispatchers' notes. Services without a catalog destination are listed under "UNKNOWN".
 */
export function buildDispatchSheet(date: string, services: readonly GroundService[], assignments: readonly SheetAssignment[], timeZone: string): DispatchSheet {
  const key = (ref: string, id: string) => `${ref}\u0000${id}`;
  const byService = new Map<string, SheetAssignment[]>();
  for (const a of assignments) {
    const k = key(a.bookingRef, a.componentId);
    byService.set(k, [...(byService.get(k) ?? []), a]);
  }
  const groups = new Map<string, DispatchLine[]>();
  const ordered = [...services].sort((a, b) => a.startsAt - b.startsAt || (a.bookingRef < b.bookingRef ? -1 : a.bookingRef > b.bookingRef ? 1 : 0) || (a.componentId < b.componentId ? -1 : 1));
  for (const s of ordered) {
    const assigned = [...(byService.get(key(s.bookingRef, s.componentId)) ?? [])].sort((a, b) => a.startsAt - b.startsAt || (a.resource.name < b.resource.name ? -1 : 1));
    const startsAt = assigned.length ? Math.min(...assigned.map((a) => a.startsAt)) : s.startsAt;
    const endsAt = assigned.length ? Math.max(...assigned.map((a) => a.endsAt)) : s.endsAt;
    const line: DispatchLine = {
      time: localDateTime(startsAt, timeZone).time,
      endTime: localDateTime(endsAt, timeZone).time,
      startsAt,
      endsAt,
      bookingRef: s.bookingRef,
      componentId: s.componentId,
      kind: s.kind,
      description: s.description,
      pax: s.pax,
      leadName: s.leadName,
      pickup: s.pickup,
      guides: assigned.filter((a) => a.resource.kind === 'GUIDE').map((a) => a.resource),
      vehicles: assigned.filter((a) => a.resource.kind === 'VEHICLE').map((a) => a.resource),
      unassigned: assigned.length === 0,
      notes: assigned.flatMap((a) => (a.notes ? [a.notes] : [])),
    };
    const dest = s.destination ?? 'UNKNOWN';
    groups.set(dest, [...(groups.get(dest) ?? []), line]);
  }
  return {
    date,
    timeZone,
    destinations: [...groups.keys()].sort().map((destination) => {
      const lines = groups.get(destination)!;
      return { destination, services: lines, unassignedCount: lines.filter((l) => l.unassigned).length };
    }),
  };
}

/** The sheet as CSV rows (header first): one row per service. */
export function dispatchSheetRows(sheet: DispatchSheet): string[][] {
  const rows: string[][] = [['date', 'destination', 'start', 'end', 'kind', 'booking_ref', 'component', 'description', 'pax', 'lead_traveller', 'pickup', 'guides', 'vehicles', 'status', 'notes']];
  const names = (rs: SheetResource[]) => rs.map((r) => (r.phone ? `${r.name} (${r.phone})` : r.name)).join('; ');
  for (const d of sheet.destinations) {
    for (const l of d.services) {
      rows.push([sheet.date, d.destination, l.time, l.endTime, l.kind, l.bookingRef, l.componentId, l.description, String(l.pax), l.leadName ?? '', l.pickup ?? '', names(l.guides), names(l.vehicles), l.unassigned ? 'UNASSIGNED' : 'ASSIGNED', l.notes.join(' | ')]);
    }
  }
  return rows;
}
