import type { Booking, PrismaClient } from '../generated/prisma/client';
import { Prisma } from '../generated/prisma/client';
import type { BookingStatus } from '../domain/booking/draft';
import { Money } from '../domain/money/money';
import { BookingStoreError, type BookingStore, type NewBookingRecord, type StoredBooking } from './ports/booking-store';

function toStored(row: Booking): StoredBooking {
  return {
    reference: row.reference,
    workflowId: row.workflowId,
    customerId: row.customerId,
    advisorId: row.advisorId,
    productCode: row.productCode,
    travelDate: row.travelDate.toISOString().slice(0, 10),
    // NUMERIC(18,4) -> the currency's own number of decimals; exact, never via a JS number.
    price: Money.of(row.amount.toFixed(), row.currency).toJSON(),
    status: row.status,
    expiresAt: row.expiresAt.getTime(),
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
  };
}

/** {@link BookingStore} over Prisma (PostgreSQL or PGlite). */
export class PrismaBookingStore implements BookingStore {
  constructor(private readonly prisma: PrismaClient) {}

  async saveDraft(record: NewBookingRecord): Promise<StoredBooking> {
    try {
      const row = await this.prisma.booking.create({
        data: {
          reference: record.reference,
          workflowId: record.workflowId,
          customerId: record.customerId,
          advisorId: record.advisorId,
          productCode: record.productCode,
          travelDate: new Date(`${record.travelDate}T00:00:00.000Z`),
          amount: record.price.amount,
          currency: record.price.currency,
          expiresAt: new Date(record.expiresAt),
        },
      });
      return toStored(row);
    } catch (err) {
      // A retried activity whose first attempt did commit: the unique reference answers it.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        const existing = await this.findByReference(record.reference);
        if (existing && existing.workflowId === record.workflowId) return existing;
        throw new BookingStoreError('state-conflict', `Booking ${record.reference} already exists for another workflow`);
      }
      throw err;
    }
  }

  async transition(reference: string, from: BookingStatus, to: BookingStatus): Promise<StoredBooking> {
    const { count } = await this.prisma.booking.updateMany({ where: { reference, status: from }, data: { status: to } });
    const row = await this.prisma.booking.findUnique({ where: { reference } });
    if (!row) throw new BookingStoreError('not-found', `Booking ${reference} does not exist`);
    if (count === 0 && row.status !== to) {
      throw new BookingStoreError('state-conflict', `Booking ${reference} is ${row.status}, not ${from}`);
    }
    return toStored(row);
  }

  async findByReference(reference: string): Promise<StoredBooking | null> {
    const row = await this.prisma.booking.findUnique({ where: { reference } });
    return row ? toStored(row) : null;
  }
}
