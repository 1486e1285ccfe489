import fc from 'fast-check';
import { addCalendarDays, instantAtLocal, localDateTime, localDayWindow } from '../local-time';
import {
  buildDispatchSheet,
  currentWindow,
  dispatchSheetRows,
  findOverlaps,
  groundServicesOf,
  windowsOverlap,
  type BookingForOps,
  type ProductInfo,
  type SheetAssignment,
  type Slot,
} from '../schedule';
import { flightComponent, hotelComponent, lifecycleView, transferComponent } from './ground-fixtures';

const TZ = 'Europe/London';
const H = 3_600_000;
const at = (s: string) => Date.parse(s);

describe('findOverlaps', () => {
  const slot = (id: string, resourceId: string, from: string, to: string): Slot => ({ id, resourceId, startsAt: at(from), endsAt: at(to) });

  it('pairs overlapping windows of one resource, not touching windows nor other resources', () => {
    const slots = [
      slot('a', 'g1', '2027-02-26T09:00Z', '2027-02-26T11:00Z'),
      slot('b', 'g1', '2027-02-26T11:00Z', '2027-02-26T12:00Z'), // touches a: fine
      slot('c', 'g1', '2027-02-26T10:30Z', '2027-02-26T13:00Z'), // overlaps a and b
      slot('d', 'g2', '2027-02-26T09:00Z', '2027-02-26T11:00Z'), // another guide
    ];
    const found = findOverlaps(slots).map((o) => [o.resourceId, o.first.id, o.second.id, new Date(o.overlapStartsAt).toISOString(), new Date(o.overlapEndsAt).toISOString()]);
    expect(found).toEqual([
      ['g1', 'a', 'c', '2027-02-26T10:30:00.000Z', '2027-02-26T11:00:00.000Z'],
      ['g1', 'c', 'b', '2027-02-26T11:00:00.000Z', '2027-02-26T12:00:00.000Z'],
    ]);
  });

  it('finds nothing for back-to-back services and ignores empty windows', () => {
    expect(findOverlaps([slot('a', 'v', '2027-01-01T08:00Z', '2027-01-01T10:00Z'), slot('b', 'v', '2027-01-01T10:00Z', '2027-01-01T12:00Z')])).toEqual([]);
    expect(findOverlaps([slot('a', 'v', '2027-01-01T08:00Z', '2027-01-01T08:00Z'), slot('b', 'v', '2027-01-01T07:00Z', '2027-01-01T12:00Z')])).toEqual([]);
  });

  it('finds exactly the pairs a brute-force comparison finds (property)', () => {
    const arbSlot = fc.record({ resourceId: fc.constantFrom('g1', 'g2', 'v1'), start: fc.integer({ min: 0, max: 48 }), length: fc.integer({ min: 0, max: 12 }) });
    fc.assert(
      fc.property(fc.array(arbSlot, { maxLength: 25 }), (raw) => {
        const slots = raw.map((r, i) => ({ id: `s${String(i).padStart(2, '0')}`, resourceId: r.resourceId, startsAt: r.start * H, endsAt: (r.start + r.length) * H }));
        const expected = new Set<string>();
        for (const a of slots)
          for (const b of slots)
            if (a.id < b.id && a.resourceId === b.resourceId && a.startsAt < b.endsAt && b.startsAt < a.endsAt && a.endsAt > a.startsAt && b.endsAt > b.startsAt) expected.add(`${a.id}|${b.id}`);
        const found = findOverlaps(slots);
        const got = found.map((o) => [o.first.id, o.second.id].sort().join('|'));
        expect(new Set(got)).toEqual(expected);
        expect(got).toHaveLength(expected.size); // each pair once
        for (const o of found) {
          expect(windowsOverlap(o.first, o.second)).toBe(true);
          expect(o.overlapEndsAt).toBeGreaterThan(o.overlapStartsAt);
          expect(o.first.startsAt).toBeLessThanOrEqual(o.second.startsAt);
        }
      }),
    );
  });
});

describe('local times', () => {
  it('reads wall-clock times in the zone, across daylight saving changes', () => {
    expect(new Date(instantAtLocal('2027-02-26', '09:00', TZ)).toISOString()).toBe('2027-02-26T09:00:00.000Z');
    expect(new Date(instantAtLocal('2027-07-01', '09:00', TZ)).toISOString()).toBe('2027-07-01T08:00:00.000Z');
    expect(new Date(instantAtLocal('2027-07-01', '09:00', 'Europe/Rome')).toISOString()).toBe('2027-07-01T07:00:00.000Z');
    // 2027-03-28 01:30 does not exist in London (clocks go 01:00 → 02:00): read with the winter offset.
    expect(new Date(instantAtLocal('2027-03-28', '01:30', TZ)).toISOString()).toBe('2027-03-28T01:30:00.000Z');
    // 2027-10-31 01:30 happens twice: the first pass (BST).
    expect(new Date(instantAtLocal('2027-10-31', '01:30', TZ)).toISOString()).toBe('2027-10-31T00:30:00.000Z');
    expect(localDayWindow('2027-03-28', TZ).endsAt - localDayWindow('2027-03-28', TZ).startsAt).toBe(23 * H);
    expect(() => instantAtLocal('2027-02-30', '09:00', TZ)).toThrow(RangeError);
  });

  it('shows back the local date and time it was given (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3650 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.constantFrom('Europe/London', 'Europe/Rome', 'America/New_York', 'Asia/Kolkata'), (d, h, m, tz) => {
        const date = addCalendarDays('2026-01-01', d);
        const time = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
        const back = localDateTime(instantAtLocal(date, time, tz), tz);
        // Times inside a spring gap come back an hour later; every other time comes back as given.
        if (back.time !== time) expect(back.date === date && Date.parse(`1970-01-01T${back.time}Z`) - Date.parse(`1970-01-01T${time}Z`)).toBe(H);
        else expect(back.date).toBe(date);
      }),
    );
  });
});

describe('groundServicesOf', () => {
  const catalog: Record<string, ProductInfo> = {
    'T-GRD001/G0001': { destination: 'IT-ROME', type: 'GROUND_SERVICE', groundKind: 'TRANSFER', durationHours: null },
    'T-GRD001/G0002': { destination: 'IT-ROME', type: 'GROUND_SERVICE', groundKind: 'EXCURSION', durationHours: 3.5 },
    'T-TOUR01/T0001': { destination: 'IT-TUSCANY', type: 'TOUR', groundKind: null, durationHours: null },
    'T-HTL001/H00001': { destination: 'IT-ROME', type: 'HOTEL', groundKind: null, durationHours: null },
  };
  const lookup = (s: string, p: string) => catalog[`${s}/${p}`];
  const booking = (over: Partial<BookingForOps> & { snapshot: unknown }): BookingForOps => ({ reference: 'ITN-AAAA0001', status: 'CONFIRMED', customerId: 'CUST-1', customerName: 'Ada Lovelace', ...over });

  const view = lifecycleView({
    reference: 'ITN-AAAA0001',
    departureDate: '2027-02-26',
    returnDate: '2027-03-05',
    components: [
      flightComponent('2027-02-26', '2027-03-05'),
      hotelComponent({ start: '2027-02-26', end: '2027-03-04' }),
      transferComponent({ id: 'transfer-in', date: '2027-02-26' }),
      transferComponent({ id: 'excursion', date: '2027-03-01', productCode: 'G0002', pax: 2 }),
      transferComponent({ id: 'transfer-out', date: '2027-03-05', status: 'CANCELLED' }),
      transferComponent({ id: 'tour', kind: 'TOUR', date: '2027-03-02', end: '2027-03-04', supplierCode: 'T-TOUR01', productCode: 'T0001', pax: 2 }),
    ],
  });

  it('lists the confirmed transfers, excursions and tours with their destination and default windows', () => {
    const services = groundServicesOf(booking({ snapshot: view }), lookup, TZ);
    expect(services.map((s) => [s.componentId, s.kind, s.destination, s.serviceDate, new Date(s.startsAt).toISOString(), new Date(s.endsAt).toISOString(), s.pickup])).toEqual([
      ['transfer-in', 'TRANSFER', 'IT-ROME', '2027-02-26', '2027-02-26T09:00:00.000Z', '2027-02-26T11:00:00.000Z', 'Hotel H00001 Standard double, 7 nights'],
      ['excursion', 'EXCURSION', 'IT-ROME', '2027-03-01', '2027-03-01T09:00:00.000Z', '2027-03-01T12:30:00.000Z', 'Hotel H00001 Standard double, 7 nights'],
      ['tour', 'TOUR', 'IT-TUSCANY', '2027-03-02', '2027-03-02T08:00:00.000Z', '2027-03-04T18:00:00.000Z', 'Hotel H00001 Standard double, 7 nights'],
    ]);
    expect(services[0]).toMatchObject({ bookingRef: 'ITN-AAAA0001', pax: 2, leadName: 'Ada Lovelace', description: 'Transfer G0001 Private van, 2027-02-26', timeSource: 'default' });
  });

  it('has none for bookings that are not confirmed, and drops components whose supplier order was cancelled', () => {
    for (const status of ['HELD', 'CANCELLED', 'FAILED', 'EXPIRED', 'DRAFT']) expect(groundServicesOf(booking({ status, snapshot: view }), lookup, TZ)).toEqual([]);
    for (const status of ['PAID', 'TRAVELLING', 'COMPLETED']) expect(groundServicesOf(booking({ status, snapshot: view }), lookup, TZ)).toHaveLength(3);
    const left = groundServicesOf(booking({ snapshot: view, cancelledOrders: new Set(['transfer-in']) }), lookup, TZ);
    expect(left.map((s) => s.componentId)).toEqual(['excursion', 'tour']);
    expect(groundServicesOf(booking({ snapshot: null }), lookup, TZ)).toEqual([]);
    expect(groundServicesOf(booking({ snapshot: { components: 'nonsense' } }), lookup, TZ)).toEqual([]);
  });

  it('names the first passenger when the customer record has no name, and a null destination for an unknown product', () => {
    const [s] = groundServicesOf(booking({ customerName: null, snapshot: view }), () => undefined, TZ);
    expect(s).toMatchObject({ leadName: 'Ada Lovelace', destination: null, kind: 'TRANSFER' });
  });
});

describe('currentWindow', () => {
  it('keeps an assignment where it is while its service keeps its date, and moves it with the service otherwise', () => {
    const a = { serviceDate: '2027-02-26', startsAt: at('2027-02-26T08:30Z'), endsAt: at('2027-02-26T11:00Z') };
    expect(currentWindow(a, { kind: 'TRANSFER', serviceDate: '2027-02-26', startsAt: at('2027-02-26T09:00Z') }, TZ)).toEqual({ startsAt: a.startsAt, endsAt: a.endsAt, moved: false });
    const moved = currentWindow(a, { kind: 'TRANSFER', serviceDate: '2027-04-02', startsAt: instantAtLocal('2027-04-02', '09:00', TZ) }, TZ);
    // Same local times on the new date (BST by then): 08:30–11:00 local.
    expect([new Date(moved.startsAt).toISOString(), new Date(moved.endsAt).toISOString(), moved.moved]).toEqual(['2027-04-02T07:30:00.000Z', '2027-04-02T10:00:00.000Z', true]);
  });
});

describe('the dispatch sheet', () => {
  it('groups the day by destination in time order, flags the unassigned, and writes CSV rows', () => {
    const base = { bookingStatus: 'CONFIRMED', serviceEnd: '2027-02-26', timeSource: 'default' as const, supplierCode: 'S', productCode: 'P', customerId: 'C', serviceDate: '2027-02-26' };
    const services = [
      { ...base, bookingRef: 'ITN-B', componentId: 'x', kind: 'TRANSFER' as const, destination: 'IT-ROME', startsAt: at('2027-02-26T14:00Z'), endsAt: at('2027-02-26T16:00Z'), pax: 3, description: 'Airport run', leadName: 'Bea Bee', pickup: null },
      { ...base, bookingRef: 'ITN-A', componentId: 't', kind: 'TRANSFER' as const, destination: 'IT-ROME', startsAt: at('2027-02-26T09:00Z'), endsAt: at('2027-02-26T11:00Z'), pax: 2, description: '=HYPERLINK("x")', leadName: 'Ada Lovelace', pickup: 'Hotel H1' },
      { ...base, bookingRef: 'ITN-C', componentId: 'e', kind: 'EXCURSION' as const, destination: 'FR-PARIS', startsAt: at('2027-02-26T10:00Z'), endsAt: at('2027-02-26T12:00Z'), pax: 1, description: 'Louvre', leadName: null, pickup: null },
    ];
    const assignments: SheetAssignment[] = [
      { id: 'a1', bookingRef: 'ITN-A', componentId: 't', startsAt: at('2027-02-26T08:45Z'), endsAt: at('2027-02-26T11:00Z'), notes: 'Sign: LOVELACE', resource: { id: 'v', kind: 'VEHICLE', name: 'Van 1', phone: '+39 06 1234', capacity: 8 } },
      { id: 'a2', bookingRef: 'ITN-A', componentId: 't', startsAt: at('2027-02-26T09:00Z'), endsAt: at('2027-02-26T11:00Z'), notes: null, resource: { id: 'g', kind: 'GUIDE', name: 'Giulia', phone: null, capacity: null } },
    ];
    const sheet = buildDispatchSheet('2027-02-26', services, assignments, TZ);
    expect(sheet.destinations.map((d) => [d.destination, d.unassignedCount, d.services.map((s) => [s.time, s.endTime, s.bookingRef, s.unassigned, s.guides.map((g) => g.name), s.vehicles.map((v) => v.name), s.notes])])).toEqual([
      ['FR-PARIS', 1, [['10:00', '12:00', 'ITN-C', true, [], [], []]]],
      ['IT-ROME', 1, [['08:45', '11:00', 'ITN-A', false, ['Giulia'], ['Van 1'], ['Sign: LOVELACE']], ['14:00', '16:00', 'ITN-B', true, [], [], []]]],
    ]);
    const rows = dispatchSheetRows(sheet);
    expect(rows[0]![0]).toBe('date');
    expect(rows[2]).toEqual(['2027-02-26', 'IT-ROME', '08:45', '11:00', 'TRANSFER', 'ITN-A', 't', '=HYPERLINK("x")', '2', 'Ada Lovelace', 'Hotel H1', 'Giulia', 'Van 1 (+39 06 1234)', 'ASSIGNED', 'Sign: LOVELACE']);
    expect(rows[3]![13]).toBe('UNASSIGNED');
  });
});
