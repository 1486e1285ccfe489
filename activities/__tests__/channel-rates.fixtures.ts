import type { PrismaClient } from '../../generated/prisma/client';

/** A HOTEL product with room types DBL (max 3 guests, plans BAR and NRF) and SGL (max 1, plan BAR). */
export async function hotelProduct(prisma: PrismaClient, code: string, type: 'HOTEL' | 'TOUR' = 'HOTEL') {
  const supplier = await prisma.supplier.create({
    data: { code: `S-${code}`, name: `Supplier ${code}`, type: 'HOTEL', depositPercent: '0', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30, preferredPaymentMethod: 'BANK_TRANSFER', invoiceCurrency: 'EUR', paymentCurrency: 'EUR' },
  });
  const rate = (category: string, ratePlan: string) => ({
    category,
    ratePlan,
    validFrom: new Date('2027-01-01T00:00:00Z'),
    validTo: new Date('2027-12-31T00:00:00Z'),
    weekdayMask: 127,
    basis: 'PER_ROOM_PER_NIGHT',
    amount: '100.0000',
  });
  return prisma.product.create({
    data: {
      supplierId: supplier.id,
      code,
      type,
      name: `Hotel ${code}`,
      destination: 'IT-ROME',
      country: 'IT',
      currency: 'EUR',
      minPax: 1,
      maxPax: 3,
      categories: {
        create: [
          { code: 'DBL', name: 'Double', maxOccupancy: 3, standardOccupancy: 2 },
          { code: 'SGL', name: 'Single', maxOccupancy: 1, standardOccupancy: 1 },
        ],
      },
      rates: { create: [rate('DBL', 'BAR'), rate('DBL', 'NRF'), rate('SGL', 'BAR')] },
    },
  });
}

/** Writes what a sync lane writes when a connection acknowledged rates: one ack per channel_rates row matched. */
export async function ackRates(
  prisma: PrismaClient,
  connectionCode: string,
  where: { hotelCode: string; from?: string; to?: string; guests?: number },
  override: { amount?: string; currency?: string; operationId?: string } = {},
  ackedAt = new Date(),
): Promise<number> {
  const rows = await prisma.channelRate.findMany({
    where: {
      hotelCode: where.hotelCode,
      ...(where.guests ? { guests: where.guests } : {}),
      stayDate: { ...(where.from ? { gte: new Date(`${where.from}T00:00:00Z`) } : {}), ...(where.to ? { lte: new Date(`${where.to}T00:00:00Z`) } : {}) },
    },
  });
  for (const r of rows) {
    const key = { connectionCode, hotelCode: r.hotelCode, roomType: r.roomType, ratePlan: r.ratePlan, stayDate: r.stayDate, guests: r.guests };
    const data = { amount: override.amount ?? r.amount, currency: override.currency ?? r.currency, operationId: override.operationId ?? r.operationId, ackedAt };
    await prisma.channelRateAck.upsert({ where: { connectionCode_hotelCode_roomType_ratePlan_stayDate_guests: key }, create: { ...key, ...data }, update: data });
  }
  return rows.length;
}
