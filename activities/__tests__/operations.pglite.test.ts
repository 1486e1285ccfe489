import { hotelComponent, transferComponent } from '../../domain/operations/__tests__/ground-fixtures';
import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { OperationsError, PrismaOperationsStore, type OpsResource } from '../operations.prisma';
import { insertBooking, insertCustomer, rewriteBooking, seedGroundCatalog } from './operations.seed';
import { ConflictReportResponse } from '../../api/schemas/operations.schema';

const TZ = 'Europe/London';

describe('operations schedule store (embedded PGlite)', () => {
  let db: Database;
  let store: PrismaOperationsStore;
  let giulia: OpsResource;
  let marco: OpsResource;
  let van: OpsResource;
  let retired: OpsResource;
  let pierre: OpsResource;

  beforeAll(async () => {
    db = await openTestPglite();
    store = new PrismaOperationsStore(db.prisma, TZ);
    await seedGroundCatalog(db.prisma);
    await insertCustomer(db.prisma, 'CUST-1', 'Ada', 'Lovelace');
    await insertBooking(db.prisma, {
      reference: 'ITN-ROME0001',
      departureDate: '2027-02-26',
      returnDate: '2027-03-04',
      components: [hotelComponent({ start: '2027-02-26', end: '2027-03-03' }), transferComponent({ id: 'transfer-in', date: '2027-02-26' }), transferComponent({ id: 'excursion', date: '2027-03-01', productCode: 'G0002' })],
    });
    await insertBooking(db.prisma, { reference: 'ITN-ROME0002', customerId: 'CUST-2', departureDate: '2027-02-26', returnDate: '2027-02-28', components: [transferComponent({ id: 'transfer', date: '2027-02-26', pax: 6 })] });
    await insertBooking(db.prisma, { reference: 'ITN-ROME0003', status: 'PAID', departureDate: '2027-03-02', returnDate: '2027-03-05', components: [transferComponent({ id: 'transfer', date: '2027-03-02' })] });
    await insertBooking(db.prisma, { reference: 'ITN-HELD0001', status: 'HELD', departureDate: '2027-02-26', returnDate: '2027-02-28', components: [transferComponent({ id: 'transfer', date: '2027-02-26', status: 'HELD' })] });
    await insertBooking(db.prisma, { reference: 'ITN-PARI0001', departureDate: '2027-02-26', returnDate: '2027-02-27', components: [transferComponent({ id: 'transfer', date: '2027-02-26', productCode: 'G0009' })] });
    giulia = await store.createResource({ kind: 'GUIDE', name: 'Giulia Rossi', destination: 'IT-ROME', languages: ['en', 'it'], phone: '+39 06 5555 0101' });
    marco = await store.createResource({ kind: 'GUIDE', name: 'Marco Bianchi', destination: 'IT-ROME' });
    van = await store.createResource({ kind: 'VEHICLE', name: 'Van RM-04', destination: 'IT-ROME', capacity: 4 });
    retired = await store.createResource({ kind: 'GUIDE', name: 'Old Guide', destination: 'IT-ROME', active: false });
    pierre = await store.createResource({ kind: 'GUIDE', name: 'Pierre Martin', destination: 'FR-PARIS' });
  });
  afterAll(() => db?.close());

  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OperationsError);
    return err as OperationsError;
  };

  it('reads the ground services of confirmed bookings only, with their destination and lead name', async () => {
    const day = await store.listServices({ date: '2027-02-26' });
    expect(day.items.map((s) => [s.bookingRef, s.componentId, s.destination, s.startsAt, s.pax, s.leadName, s.pickup])).toEqual([
      ['ITN-PARI0001', 'transfer', 'FR-PARIS', '2027-02-26T09:00:00.000Z', 2, 'Ada Lovelace', null],
      ['ITN-ROME0001', 'transfer-in', 'IT-ROME', '2027-02-26T09:00:00.000Z', 2, 'Ada Lovelace', 'Hotel H00001 Standard double, 6 nights'],
      ['ITN-ROME0002', 'transfer', 'IT-ROME', '2027-02-26T09:00:00.000Z', 6, null, null],
    ]);
    const rome = await store.listServices({ date: '2027-02-26', destination: 'IT-ROME' });
    expect(rome.items.map((s) => s.bookingRef)).toEqual(['ITN-ROME0001', 'ITN-ROME0002']);
    const paris = await store.listServices({ date: '2027-02-26', destination: 'FR-PARIS' });
    expect(paris.items[0]!.endsAt).toBe('2027-02-26T10:30:00.000Z'); // the product's 1.5 hours
    expect((await store.listServices({ date: '2027-02-27' })).items).toEqual([]);
  });

  it('refuses assignments to what is not a confirmed ground service, or to an unsuitable resource', async () => {
    expect((await refusal(store.assign({ resourceId: giulia.id, bookingRef: 'ITN-NONE0000', componentId: 'transfer' }))).kind).toBe('unknown-service');
    expect((await refusal(store.assign({ resourceId: giulia.id, bookingRef: 'ITN-ROME0001', componentId: 'nope' }))).kind).toBe('unknown-service');
    expect((await refusal(store.assign({ resourceId: giulia.id, bookingRef: 'ITN-HELD0001', componentId: 'transfer' }))).kind).toBe('not-a-confirmed-service');
    expect((await refusal(store.assign({ resourceId: giulia.id, bookingRef: 'ITN-ROME0001', componentId: 'hotel' }))).kind).toBe('not-a-confirmed-service');
    expect((await refusal(store.assign({ resourceId: retired.id, bookingRef: 'ITN-ROME0001', componentId: 'transfer-in' }))).kind).toBe('resource-inactive');
    expect((await refusal(store.assign({ resourceId: pierre.id, bookingRef: 'ITN-ROME0001', componentId: 'transfer-in' }))).kind).toBe('wrong-destination');
    const full = await refusal(store.assign({ resourceId: van.id, bookingRef: 'ITN-ROME0002', componentId: 'transfer' }));
    expect([full.kind, full.message]).toEqual(['over-capacity', 'Van RM-04 takes 4; the service has 6 passengers']);
    expect((await refusal(store.assign({ resourceId: '3f0c1a52-0000-4000-8000-000000000000', bookingRef: 'ITN-ROME0001', componentId: 'transfer-in' }))).kind).toBe('unknown-resource');
    expect(await db.prisma.opsAssignment.count()).toBe(0);
  });

  it('lets exactly one of two concurrent assignments of one guide to overlapping services through', async () => {
    const results = await Promise.allSettled([
      store.assign({ resourceId: giulia.id, bookingRef: 'ITN-ROME0001', componentId: 'transfer-in', createdBy: 'ops@example.com' }),
      store.assign({ resourceId: giulia.id, bookingRef: 'ITN-ROME0002', componentId: 'transfer', createdBy: 'ops2@example.com' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect([won.length, lost.length]).toEqual([1, 1]);
    const err = lost[0]!.reason as OperationsError;
    expect(err.kind).toBe('resource-conflict');
    const winner = (won[0] as PromiseFulfilledResult<{ bookingRef: string; id: string }>).value;
    expect(err.details.conflictingAssignment).toMatchObject({ id: winner.id, bookingRef: winner.bookingRef, startsAt: '2027-02-26T09:00:00.000Z', endsAt: '2027-02-26T11:00:00.000Z' });
    expect(await db.prisma.opsAssignment.count({ where: { resourceId: giulia.id } })).toBe(1);
    // The same guide once more on the same service, and another guide on the other one.
    expect((await refusal(store.assign({ resourceId: giulia.id, bookingRef: winner.bookingRef, componentId: winner.bookingRef === 'ITN-ROME0001' ? 'transfer-in' : 'transfer' }))).kind).toBe('already-assigned');
    const other = winner.bookingRef === 'ITN-ROME0001' ? { bookingRef: 'ITN-ROME0002', componentId: 'transfer' } : { bookingRef: 'ITN-ROME0001', componentId: 'transfer-in' };
    const second = await store.assign({ resourceId: marco.id, ...other, notes: 'Meet at arrivals' });
    expect(second).toMatchObject({ resourceName: 'Marco Bianchi', serviceDate: '2027-02-26', notes: 'Meet at arrivals', destination: 'IT-ROME' });
    // Back-to-back is not a conflict: Giulia again from 11:00, right after.
    const after = await store.assign({ resourceId: giulia.id, ...other, startsAt: Date.parse('2027-02-26T11:00:00Z'), endsAt: Date.parse('2027-02-26T12:00:00Z') });
    expect(after.startsAt).toBe('2027-02-26T11:00:00.000Z');
    await store.deleteAssignment(after.id);
  });

  it('lists assignments by day, resource and booking, page by page, and deletes them', async () => {
    const p1 = await store.listAssignments({ date: '2027-02-26', limit: 1 });
    expect(p1.items).toHaveLength(1);
    const p2 = await store.listAssignments({ date: '2027-02-26', limit: 1, cursor: p1.nextCursor! });
    expect(p2.nextCursor).toBeNull();
    expect(new Set([...p1.items, ...p2.items].map((a) => a.resourceName))).toEqual(new Set(['Giulia Rossi', 'Marco Bianchi']));
    expect((await store.listAssignments({ resourceId: marco.id, limit: 50 })).items).toHaveLength(1);
    expect((await store.listAssignments({ date: '2027-02-27', limit: 50 })).items).toEqual([]);
    expect((await refusal(store.listAssignments({ limit: 5, cursor: 'bm9wZQ' }))).kind).toBe('invalid-cursor');
    const services = await store.listServices({ date: '2027-02-26', destination: 'IT-ROME', unassigned: true });
    expect(services.items).toEqual([]);
  });

  it('finds double bookings made by an amendment that moved a booking onto an assigned day, and assignments left by a cancellation', async () => {
    const onFirst = await store.assign({ resourceId: marco.id, bookingRef: 'ITN-ROME0001', componentId: 'excursion' });
    const onSecond = await store.assign({ resourceId: marco.id, bookingRef: 'ITN-ROME0003', componentId: 'transfer' });
    expect((await store.conflicts('2027-03-01', '2027-03-02')).conflicts).toEqual([]);
    // ITN-ROME0003 is amended: its transfer moves to 2027-03-01, the day of the excursion.
    await rewriteBooking(db.prisma, { reference: 'ITN-ROME0003', status: 'PAID', departureDate: '2027-03-01', returnDate: '2027-03-05', components: [transferComponent({ id: 'transfer', date: '2027-03-01' })] });
    const report = await store.conflicts('2027-03-01', '2027-03-01');
    // What GET /operations/conflicts answers, in the shape the OpenAPI document gives it.
    ConflictReportResponse.parse(report);
    expect(report.conflicts).toEqual([
      {
        resource: { id: marco.id, kind: 'GUIDE', name: 'Marco Bianchi' },
        overlapStartsAt: '2027-03-01T09:00:00.000Z',
        overlapEndsAt: '2027-03-01T11:00:00.000Z',
        // Both start at 09:00: the tie is broken by the smaller assignment id (ids are random here).
        assignments: [
          { id: onFirst.id, bookingRef: 'ITN-ROME0001', componentId: 'excursion', startsAt: '2027-03-01T09:00:00.000Z', endsAt: '2027-03-01T12:00:00.000Z', moved: false },
          { id: onSecond.id, bookingRef: 'ITN-ROME0003', componentId: 'transfer', startsAt: '2027-03-01T09:00:00.000Z', endsAt: '2027-03-01T11:00:00.000Z', moved: true },
        ].sort((a, b) => (a.id < b.id ? -1 : 1)),
      },
    ]);
    // The moved booking is cancelled: no conflict any more, but its assignment is left over.
    await rewriteBooking(db.prisma, { reference: 'ITN-ROME0003', status: 'CANCELLED', departureDate: '2027-03-01', returnDate: '2027-03-05', components: [transferComponent({ id: 'transfer', date: '2027-03-01', status: 'CANCELLED' })] });
    const after = await store.conflicts('2027-03-01', '2027-03-02');
    ConflictReportResponse.parse(after);
    expect(after.conflicts).toEqual([]);
    expect(after.orphaned).toEqual([{ id: onSecond.id, resourceId: marco.id, bookingRef: 'ITN-ROME0003', componentId: 'transfer', serviceDate: '2027-03-02' }]);
    expect(await store.deleteAssignment(onSecond.id)).toMatchObject({ id: onSecond.id });
    expect(await store.deleteAssignment(onSecond.id)).toBeNull();
  });

  it('updates a resource with a version bump, refusing a stale version', async () => {
    const changed = await store.updateResource(van.id, { capacity: 8, languages: ['it'] });
    expect(changed?.after).toMatchObject({ capacity: 8, languages: ['it'], version: 2 });
    expect(changed?.before.version).toBe(1);
    expect((await refusal(store.updateResource(van.id, { name: 'Van RM-04b' }, 1))).kind).toBe('version-conflict');
    expect((await store.updateResource(van.id, { name: 'Van RM-04b' }, 2))?.after.version).toBe(3);
    expect((await refusal(store.updateResource(van.id, { capacity: null }))).message).toBe('a vehicle must have a capacity');
    expect(await store.updateResource('8d3c9f0e-0000-4000-8000-000000000000', { name: 'x' })).toBeNull();
    const page = await store.listResources({ destination: 'IT-ROME', active: true, limit: 2 });
    expect(page.items.map((r) => r.name)).toEqual(['Giulia Rossi', 'Marco Bianchi']);
    const rest = await store.listResources({ destination: 'IT-ROME', active: true, limit: 2, cursor: page.nextCursor! });
    expect([rest.items.map((r) => r.name), rest.nextCursor]).toEqual([['Van RM-04b'], null]);
  });
});
