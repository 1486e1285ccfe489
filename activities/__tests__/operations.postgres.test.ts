import { transferComponent } from '../../domain/operations/__tests__/ground-fixtures';
import type { Database } from '../../infra/database';
import { openIsolatedTestPostgres } from '../../test/support/databases';
import { type OperationsError, PrismaOperationsStore } from '../operations.prisma';
import { insertBooking, seedGroundCatalog } from './operations.seed';

// A database of its own (the seed's supplier codes are fixed). On PostgreSQL the transactions run
// truly side by side on a pool of connections: the row lock on the resource is what decides.
describe('operations schedule store on PostgreSQL', () => {
  let db: Database;
  let store: PrismaOperationsStore;

  beforeAll(async () => {
    db = await openIsolatedTestPostgres();
    store = new PrismaOperationsStore(db.prisma, 'Europe/Rome');
    await seedGroundCatalog(db.prisma);
    for (const n of [1, 2, 3, 4]) {
      await insertBooking(db.prisma, { reference: `ITN-RACE000${n}`, departureDate: '2027-05-10', returnDate: '2027-05-12', components: [transferComponent({ id: 'transfer', date: '2027-05-10' })] });
    }
  });
  afterAll(() => db?.close());

  it('lets exactly one of eight concurrent assignments of one guide to overlapping services through', async () => {
    const guide = await store.createResource({ kind: 'GUIDE', name: 'Chiara', destination: 'IT-ROME' });
    const attempts = [1, 2, 3, 4, 1, 2, 3, 4].map((n) => store.assign({ resourceId: guide.id, bookingRef: `ITN-RACE000${n}`, componentId: 'transfer' }));
    const results = await Promise.allSettled(attempts);
    const won = results.filter((r) => r.status === 'fulfilled');
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as OperationsError).kind] : []));
    expect(won).toHaveLength(1);
    expect(reasons).toHaveLength(7);
    expect(reasons.every((k) => k === 'resource-conflict' || k === 'already-assigned')).toBe(true);
    expect(await db.prisma.opsAssignment.count({ where: { resourceId: guide.id } })).toBe(1);
    expect((await store.conflicts('2027-05-10', '2027-05-10')).conflicts).toEqual([]);
  });
});
