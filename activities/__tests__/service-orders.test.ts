import type { Database } from '../../infra/database';
import { openIsolatedTestPostgres, openTestPglite } from '../../test/support/databases';
import { PrismaServiceOrders, ServiceOrderConflict, type ServiceOrderRequest } from '../service-orders.prisma';

/**
 * Service orders through Prisma and through the driver (the booking worker's path) answer alike:
 * the first order is created, the same reference again returns it unchanged, and the reference
 * reused for another component is refused.
 */
describe.each([
  ['PGlite', openTestPglite],
  ['PostgreSQL', openIsolatedTestPostgres],
])('PrismaServiceOrders on %s', (_name, open: () => Promise<Database>) => {
  let db: Database;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(() => db?.close());

  const request = (reference: string, overrides: Partial<ServiceOrderRequest> = {}): ServiceOrderRequest => ({
    reference,
    bookingRef: 'ITN-SO000001',
    componentId: 'transfer',
    supplierCode: 'GRD001',
    productCode: 'G0001',
    serviceStart: '2027-05-01',
    serviceEnd: '2027-05-02',
    quantity: 2,
    now: new Date(Date.UTC(2026, 10, 29, 10, 30, 15, 123)),
    ...overrides,
  });

  it.each([
    ['Prisma', false],
    ['the driver', true],
  ])('orders once through %s, replays the first order, refuses the reference for another component', async (_path, onDriver) => {
    const orders = new PrismaServiceOrders(db.prisma, onDriver ? db : undefined);
    const reference = `booking-ITN-SO000001:order:${onDriver ? 'driver' : 'prisma'}`;
    const { now, ...ordered } = request(reference);
    const first = await orders.order({ ...ordered, now });
    // Every field as asked, the instant to the millisecond.
    expect(first).toEqual({ created: true, order: { ...ordered, status: 'CONFIRMED', confirmedAt: now.getTime(), cancelledAt: null } });
    const again = await orders.order(request(reference, { now: new Date(Date.UTC(2026, 10, 30)) }));
    expect(again).toEqual({ created: false, order: first.order });
    await expect(orders.order(request(reference, { componentId: 'excursion' }))).rejects.toBeInstanceOf(ServiceOrderConflict);
    expect(await db.prisma.supplierServiceOrder.count({ where: { reference } })).toBe(1);
    // Both paths read the same row the same way.
    expect(await new PrismaServiceOrders(db.prisma).get(reference)).toEqual(first.order);

    const cancelled = await orders.cancel(reference, new Date(Date.UTC(2026, 11, 1)));
    expect(cancelled).toMatchObject({ cancelled: true, order: { status: 'CANCELLED', cancelledAt: Date.UTC(2026, 11, 1) } });
    expect(await orders.order(request(reference))).toEqual({ created: false, order: cancelled.order });
  });
});
