import { randomBytes } from 'node:crypto';
import { referenceFromBytes, bookingWorkflowId } from '../../domain/booking/draft';
import { Dec } from '../../domain/money/money';
import type { Database } from '../../infra/database';
import { PrismaBookingStore } from '../booking-store.prisma';
import { BookingStoreError, type NewBookingRecord } from '../ports/booking-store';

function newRecord(overrides: Partial<NewBookingRecord> = {}): NewBookingRecord {
  const reference = referenceFromBytes(randomBytes(8));
  return {
    reference,
    workflowId: bookingWorkflowId(reference),
    customerId: 'C-1001',
    advisorId: 'ADV-7',
    productCode: 'TOUR-PERU-12D',
    travelDate: '2027-05-14',
    price: { amount: '4599.00', currency: 'EUR' },
    expiresAt: Date.parse('2026-12-28T10:00:00.000Z'),
    ...overrides,
  };
}

/** The same behaviour asked of every database Itinera runs on (PGlite and PostgreSQL). */
export function bookingStoreContract(open: () => Promise<Database>): void {
  let db: Database;
  let store: PrismaBookingStore;

  beforeAll(async () => {
    db = await open();
    store = new PrismaBookingStore(db.prisma);
  });
  afterAll(() => db?.close());

  it('answers a ping', async () => {
    await expect(db.ping()).resolves.toBeUndefined();
  });

  it('stores a draft and reads it back exactly', async () => {
    const record = newRecord();
    const saved = await store.saveDraft(record);
    expect(saved).toMatchObject({ ...record, status: 'DRAFT' });
    expect(await store.findByReference(record.reference)).toEqual(saved);
  });

  it.each([
    ['JPY', '1500'],
    ['EUR', '0.10'],
    ['KWD', '12.345'],
    ['GBP', '99999999999999.99'],
  ])('keeps %s %s exact (NUMERIC, never a float)', async (currency, amount) => {
    const record = newRecord({ price: { amount, currency } });
    await store.saveDraft(record);
    expect((await store.findByReference(record.reference))?.price).toEqual({ amount, currency });
    const [row] = await db.prisma.$queryRawUnsafe<Array<{ amount: string }>>(
      'SELECT amount::text AS amount FROM bookings WHERE reference = $1',
      record.reference,
    );
    expect(row?.amount).toBe(new Dec(amount).toFixed(4)); // NUMERIC(18,4) as the database prints it
  });

  it('is idempotent: saving the same draft twice stores one row', async () => {
    const record = newRecord();
    const first = await store.saveDraft(record);
    const second = await store.saveDraft(record);
    expect(second).toEqual(first);
    expect(await db.prisma.booking.count({ where: { reference: record.reference } })).toBe(1);
  });

  it('refuses a second workflow claiming the same reference', async () => {
    const record = newRecord();
    await store.saveDraft(record);
    await expect(store.saveDraft({ ...record, workflowId: 'booking-someone-else' })).rejects.toThrow(BookingStoreError);
  });

  it('moves a draft to expired once, and repeats harmlessly', async () => {
    const record = newRecord();
    await store.saveDraft(record);
    expect((await store.transition(record.reference, 'DRAFT', 'EXPIRED')).status).toBe('EXPIRED');
    expect((await store.transition(record.reference, 'DRAFT', 'EXPIRED')).status).toBe('EXPIRED');
    await expect(store.transition(record.reference, 'DRAFT', 'CANCELLED')).rejects.toMatchObject({ kind: 'state-conflict' });
    await expect(store.transition('ITN-NOPE0000', 'DRAFT', 'EXPIRED')).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('is guarded by the database itself: negative amounts and bad currency codes are refused', async () => {
    const record = newRecord();
    await expect(
      db.prisma.$executeRawUnsafe(
        `INSERT INTO bookings (id, reference, workflow_id, customer_id, product_code, travel_date, amount, currency, expires_at, updated_at)
         VALUES (gen_random_uuid(), $1, $2, 'C', 'P', DATE '2027-01-01', -1, 'EUR', now(), now())`,
        record.reference,
        record.workflowId,
      ),
    ).rejects.toThrow(/bookings_amount_non_negative/);
    await expect(
      db.prisma.$executeRawUnsafe(
        `INSERT INTO bookings (id, reference, workflow_id, customer_id, product_code, travel_date, amount, currency, expires_at, updated_at)
         VALUES (gen_random_uuid(), $1, $2, 'C', 'P', DATE '2027-01-01', 1, 'eur', now(), now())`,
        record.reference,
        record.workflowId,
      ),
    ).rejects.toThrow(/bookings_currency_iso4217/);
    expect(await store.findByReference(record.reference)).toBeNull();
  });
}
