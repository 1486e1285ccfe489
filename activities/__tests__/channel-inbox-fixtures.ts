import { PrismaInventory } from '../inventory.prisma';
import type { InboundReservation, ReservationAction } from '../../domain/channels/model';
import type { Database } from '../../infra/database';

/**
 * Test fixtures of the channel inbox: a hotel product distributed as a channel property (room
 * type DBL, rate plan BAR) with `rooms` units a night, a channel manager and its connections.
 */
export async function channelHotel(
  db: Database,
  opts: { suffix: string; rooms: number; from: string; to: string; secret?: string | null; wsse?: { username: string; password: string } | null; otas?: string[] },
) {
  const s = opts.suffix;
  const supplier = await db.prisma.supplier.create({
    data: { code: `S-${s}`, name: `Hotel ${s}`, type: 'HOTEL', depositPercent: '0', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30, preferredPaymentMethod: 'BANK_TRANSFER', invoiceCurrency: 'EUR', paymentCurrency: 'EUR' },
  });
  const product = await db.prisma.product.create({
    data: {
      supplierId: supplier.id,
      code: `P-${s}`,
      type: 'HOTEL',
      name: `Hotel ${s}`,
      destination: 'IT-ROME',
      country: 'IT',
      currency: 'EUR',
      minPax: 1,
      maxPax: 4,
      categories: { create: [{ code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 2 }, { code: 'SGL', name: 'Single', maxOccupancy: 1, standardOccupancy: 1 }] },
      rates: { create: [{ category: 'DBL', ratePlan: 'BAR', validFrom: new Date(`${opts.from}T00:00:00Z`), validTo: new Date(`${opts.to}T00:00:00Z`), weekdayMask: 127, basis: 'PER_ROOM_PER_NIGHT', amount: '120.00' }] },
    },
  });
  const inventory = new PrismaInventory(db.prisma);
  await inventory.createContract({
    code: `C-${s}`,
    supplierCode: supplier.code,
    productCode: product.code,
    category: 'DBL',
    validFrom: opts.from,
    validTo: opts.to,
    quantity: opts.rooms,
    contractedPrice: '90.00',
    currency: 'EUR',
    basis: 'PER_ROOM_PER_NIGHT',
    release: { kind: 'NONE' },
    minGroupSize: 1,
    maxGroupSize: 4,
  });
  const managerCode = `CM-${s}`;
  const hotelCode = `H-${s}`;
  await db.prisma.channelManager.create({
    data: { code: managerCode, name: `Manager ${s}`, webhookSecret: opts.secret === undefined ? null : opts.secret, wsseUsername: opts.wsse?.username ?? null, wssePassword: opts.wsse?.password ?? null },
  });
  await db.prisma.channelProperty.create({ data: { hotelCode, productId: product.id } });
  for (const ota of opts.otas ?? []) {
    await db.prisma.channelConnection.create({ data: { code: `${managerCode}-${ota}`, channelManagerCode: managerCode, name: ota, otaCode: ota, endpoint: 'http://127.0.0.1:1/ota' } });
  }
  return { productId: product.id, hotelCode, managerCode, inventory };
}

const T0 = Date.parse('2027-05-01T10:00:00Z');

/** One reservation as the parser maps it: `nights` of DBL from `arrival`, version = T0 + version seconds. */
export function reservation(
  hotelCode: string,
  reservationId: string,
  version: number,
  action: ReservationAction,
  opts: { arrival?: string; departure?: string; quantity?: number; ota?: string; roomType?: string; ratePlan?: string; amount?: string } = {},
): InboundReservation {
  const arrival = opts.arrival ?? '2027-06-02';
  const departure = opts.departure ?? '2027-06-03';
  const total = { amount: opts.amount ?? '120.00', currency: 'EUR' };
  const at = T0 + version * 1000;
  return {
    reservationId,
    version: at,
    action,
    statusWord: action === 'new' ? 'Commit' : action === 'modified' ? 'Modify' : 'Cancel',
    originatingChannel: opts.ota ?? 'BOOKING',
    hotelCode,
    roomStays: [{ roomType: opts.roomType ?? 'DBL', ratePlan: opts.ratePlan ?? 'BAR', arrival, departure, quantity: opts.quantity ?? 1, adults: 2, children: 0, total }],
    guest: { givenName: 'Ada', surname: 'Lovelace', email: 'ada@example.com', phone: null },
    total,
    createdAt: T0,
    lastModifiedAt: at,
  };
}
