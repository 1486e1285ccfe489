import type { ComponentState, LifecycleStatus } from '../../domain/booking/model';
import { lifecycleView } from '../../domain/operations/__tests__/ground-fixtures';
import { utcDate } from '../../domain/time/instant';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';

/** Test data for the operations schedule: a ground operator with products in two destinations, and confirmed bookings. */

export async function seedGroundCatalog(prisma: PrismaClient): Promise<void> {
  const supplierBase = { active: true, depositPercent: '0', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30, preferredPaymentMethod: 'BANK_TRANSFER', invoiceCurrency: 'EUR', paymentCurrency: 'EUR' };
  const ground = await prisma.supplier.create({ data: { ...supplierBase, code: 'T-GRD001', name: 'Roma Ground', type: 'GROUND_OPERATOR' } });
  const hotels = await prisma.supplier.create({ data: { ...supplierBase, code: 'T-HTL001', name: 'Roma Hotels', type: 'HOTEL' } });
  const product = (supplierId: string, code: string, type: string, destination: string, details: Prisma.InputJsonValue) => ({
    supplierId,
    code,
    type,
    name: `${type} ${code}`,
    destination,
    country: destination.slice(0, 2),
    currency: 'EUR',
    minPax: 1,
    maxPax: 8,
    details,
  });
  await prisma.product.createMany({
    data: [
      product(ground.id, 'G0001', 'GROUND_SERVICE', 'IT-ROME', { kind: 'TRANSFER' }),
      product(ground.id, 'G0002', 'GROUND_SERVICE', 'IT-ROME', { kind: 'EXCURSION', durationHours: 3 }),
      product(ground.id, 'G0009', 'GROUND_SERVICE', 'FR-PARIS', { kind: 'TRANSFER', durationHours: 1.5 }),
      product(hotels.id, 'H00001', 'HOTEL', 'IT-ROME', {}),
    ],
  });
}

export async function insertBooking(
  prisma: PrismaClient,
  b: { reference: string; status?: LifecycleStatus; customerId?: string; departureDate: string; returnDate: string; components: ComponentState[] },
): Promise<void> {
  const view = lifecycleView(b);
  await prisma.booking.create({
    data: {
      reference: b.reference,
      workflowId: `booking-${b.reference}`,
      customerId: view.customerId,
      advisorId: view.advisorId,
      productCode: b.components.map((c) => c.kind).join('+'),
      travelDate: utcDate(b.departureDate),
      returnDate: utcDate(b.returnDate),
      channel: 'direct',
      amount: view.total.amount,
      currency: 'GBP',
      paid: view.paid.amount,
      balanceDue: view.balanceDue.amount,
      status: view.status,
      version: view.version,
      snapshot: view as unknown as Prisma.InputJsonValue,
      expiresAt: new Date('2027-01-01T00:00:00Z'),
    },
  });
}

/** Replaces a booking's snapshot (an amendment or a cancellation as the projection writes it). */
export async function rewriteBooking(prisma: PrismaClient, b: Parameters<typeof insertBooking>[1]): Promise<void> {
  const view = lifecycleView(b);
  await prisma.booking.update({
    where: { reference: b.reference },
    data: { status: view.status, travelDate: utcDate(b.departureDate), returnDate: utcDate(b.returnDate), snapshot: view as unknown as Prisma.InputJsonValue, version: { increment: 1 } },
  });
}

export async function insertCustomer(prisma: PrismaClient, id: string, firstName: string, lastName: string): Promise<void> {
  await prisma.customer.create({ data: { id, firstName, lastName, searchName: `${lastName} ${firstName}`.toLowerCase(), preferences: {}, contactPreferences: {} } });
}
