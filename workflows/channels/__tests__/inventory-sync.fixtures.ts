import { Context } from '@temporalio/activity';
import { PrismaInventory } from '../../../activities/inventory.prisma';
import type { ChannelManagerPort } from '../../../activities/ports/channel-manager';
import { addDays } from '../../../domain/catalog/dates';
import { type ChannelManagerError, type AvailabilityPush, type ChannelInventorySnapshot, type CountPush, type IsoDate, type PushAck, type RatePush } from '../../../domain/channels/model';
import type { Database } from '../../../infra/database';

/** The time of a call: the activity attempt's scheduled time (server clock, time-skipped) inside an activity, else Date.now. */
export function callTime(): number {
  try {
    return Context.current().info.currentAttemptScheduledTimestampMs;
  } catch {
    return Date.now();
  }
}

export interface RecordedCall {
  method: 'pushCounts' | 'pushAvailability' | 'pushRates' | 'readCounts';
  at: number;
  echoToken: string;
  payload: unknown;
}

/**
 * A ChannelManagerPort that records every call and keeps the channel's state from what it is
 * pushed (counts, stop-sells, rates), like a channel would. `fault` makes every call fail.
 */
export class RecordingChannel implements ChannelManagerPort {
  readonly calls: RecordedCall[] = [];
  readonly counts = new Map<string, number>();
  readonly stopSells = new Map<string, boolean>();
  readonly rates = new Map<string, string>();
  fault: ChannelManagerError | null = null;
  private active = 0;
  maxConcurrent = 0;

  constructor(readonly connection: string) {}

  private async record<T>(method: RecordedCall['method'], echoToken: string, payload: unknown, apply: () => T): Promise<T> {
    this.active++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.active);
    try {
      await new Promise((r) => setImmediate(r));
      this.calls.push({ method, at: callTime(), echoToken, payload });
      if (this.fault) throw this.fault;
      return apply();
    } finally {
      this.active--;
    }
  }

  pushCounts(push: CountPush, echoToken: string): Promise<PushAck> {
    return this.record('pushCounts', echoToken, push, () => {
      for (const c of push.counts) for (let d = c.start; d <= c.end; d = addDays(d, 1)) this.counts.set(`${c.roomType}|${d}`, c.count);
      return { echoToken, warnings: [] };
    });
  }
  pushAvailability(push: AvailabilityPush, echoToken: string): Promise<PushAck> {
    return this.record('pushAvailability', echoToken, push, () => {
      for (const s of push.statuses) for (let d = s.start; d <= s.end; d = addDays(d, 1)) this.stopSells.set(`${s.roomType}|${d}`, s.restrictions.stopSell);
      return { echoToken, warnings: [] };
    });
  }
  pushRates(push: RatePush, echoToken: string): Promise<PushAck> {
    return this.record('pushRates', echoToken, push, () => {
      for (const r of push.rates) for (let d = r.start; d <= r.end; d = addDays(d, 1)) for (const a of r.amounts) this.rates.set(`${r.roomType}|${r.ratePlan}|${d}|${a.guests}`, `${a.amount} ${r.currency}`);
      return { echoToken, warnings: [] };
    });
  }
  readCounts(hotelCode: string, start: IsoDate, end: IsoDate, echoToken: string): Promise<ChannelInventorySnapshot> {
    return this.record('readCounts', echoToken, { hotelCode, start, end }, () => ({
      hotelCode,
      counts: [...this.counts.entries()]
        .map(([k, count]) => ({ roomType: k.split('|')[0]!, date: k.split('|')[1]!, count }))
        .filter((c) => c.date >= start && c.date <= end),
    }));
  }
  cancelReservation(): Promise<PushAck> {
    return Promise.reject(new Error('not used'));
  }
  callsOf(method: RecordedCall['method']): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }
}

export const silentLogger = { info() {}, warn() {}, error() {}, debug() {} };

/**
 * A hotel product with room types DBL and TWN, an allotment of `quantity` on each for nights
 * `from`..`from + nights − 1`, distributed as channel property `hotelCode`; a channel manager SBX.
 */
export async function seedChannelHotel(db: Database, opts: { hotelCode: string; from: IsoDate; nights: number; quantity: number }): Promise<{ productId: string; inventory: PrismaInventory }> {
  const code = opts.hotelCode;
  const supplier = await db.prisma.supplier.create({
    data: { code: `S-${code}`, name: `Hotel ${code}`, type: 'HOTEL', depositPercent: '0', balanceDueDaysBeforeTravel: 30, netDaysAfterInvoice: 30, preferredPaymentMethod: 'BANK_TRANSFER', invoiceCurrency: 'EUR', paymentCurrency: 'EUR' },
  });
  const product = await db.prisma.product.create({
    data: {
      supplierId: supplier.id,
      code: `P-${code}`,
      type: 'HOTEL',
      name: `Hotel ${code}`,
      destination: 'IT-ROME',
      country: 'IT',
      currency: 'EUR',
      minPax: 1,
      maxPax: 4,
      categories: {
        create: [
          { code: 'DBL', name: 'Double', maxOccupancy: 2, standardOccupancy: 2 },
          { code: 'TWN', name: 'Twin', maxOccupancy: 2, standardOccupancy: 2 },
        ],
      },
    },
  });
  const inventory = new PrismaInventory(db.prisma);
  for (const category of ['DBL', 'TWN']) {
    await inventory.createContract({
      code: `C-${code}-${category}`,
      supplierCode: supplier.code,
      productCode: product.code,
      category,
      validFrom: opts.from,
      validTo: addDays(opts.from, opts.nights - 1),
      quantity: opts.quantity,
      contractedPrice: '95.00',
      currency: 'EUR',
      basis: 'PER_ROOM_PER_NIGHT',
      release: { kind: 'NONE' },
      minGroupSize: 1,
      maxGroupSize: 4,
    });
  }
  await db.query(`INSERT INTO channel_properties (hotel_code, product_id) VALUES ($1, $2::uuid)`, [code, product.id]);
  await db.query(`INSERT INTO channel_managers (code, name) VALUES ('SBX', 'Sandbox hub') ON CONFLICT DO NOTHING`, []);
  return { productId: product.id, inventory };
}

export async function addConnection(db: Database, code: string, opts: { requestsPerSecond?: number; properties?: string[]; active?: boolean; authKind?: string; username?: string | null; password?: string | null } = {}): Promise<void> {
  await db.query(
    `INSERT INTO channel_connections (code, channel_manager_code, name, ota_code, endpoint, auth_kind, username, password, requests_per_second, properties, active)
     VALUES ($1, 'SBX', $1, 'BOOKING', $2, $3, $4, $5, $6, $7::text[], $8)`,
    [code, `http://127.0.0.1:9/channels/${code}/ota`, opts.authKind ?? 'none', opts.username ?? null, opts.password ?? null, opts.requestsPerSecond ?? 5, opts.properties ?? ['*'], opts.active ?? true],
  );
}

/** Sells `units` of a room-night straight in the inventory table, bumping its version (as the store does). */
export async function sellUnits(db: Database, productId: string, category: string, date: IsoDate, units: number): Promise<void> {
  await db.query(`UPDATE inventory SET sold = sold + $4, version = version + 1 WHERE product_id = $1::uuid AND category = $2 AND stay_date = $3::date`, [productId, category, date, units]);
}
