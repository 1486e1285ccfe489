import { isIsoDate } from '../../domain/time/instant';

/**
 * One sandbox OTA channel's own view of the properties it sells: room counts, stay restrictions and
 * rates per hotel, room type, (rate plan, guests) and night, as built from the pushes it received
 * (and from the bookings it took itself). Nights are "YYYY-MM-DD".
 */

export interface SandboxRestrictions {
  stopSell: boolean;
  closedToArrival: boolean;
  closedToDeparture: boolean;
  minStay: number | null;
  maxStay: number | null;
}

export const OPEN: SandboxRestrictions = Object.freeze({ stopSell: false, closedToArrival: false, closedToDeparture: false, minStay: null, maxStay: null });

export interface SandboxRate {
  amount: string;
  currency: string;
}

export interface CancelledBack {
  hotelCode: string;
  reservationId: string;
  reason: string | null;
  echoToken: string | null;
  at: number;
}

export interface SandboxStay {
  roomType: string;
  ratePlan: string;
  arrival: string;
  /** Exclusive. */
  departure: string;
  quantity: number;
}

/** A booking the channel took itself (generated with sendReservation/prepareReservation). */
export interface ChannelSale {
  reservationId: string;
  hotelCode: string;
  status: string;
  stays: SandboxStay[];
  /** False when the channel's own view had no room (count 0 or stop-sell) for some night: an oversell caused by the channel's delay. */
  sellable: boolean;
  at: number;
}

const DAY = 86_400_000;
/** Longest range one message may touch (about three years), so one push cannot exhaust memory. */
export const MAX_NIGHTS = 1100;

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** Every night start..end INCLUSIVE. Callers have checked the dates. */
export function nightsInclusive(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Nights of a stay: arrival..departure EXCLUSIVE. */
export const stayNights = (arrival: string, departure: string): string[] => (departure > arrival ? nightsInclusive(arrival, addDays(departure, -1)) : []);

export const validDate = (d: string | null): d is string => d !== null && isIsoDate(d);

const key = (...parts: (string | number)[]) => parts.join('|');

export class ChannelState {
  readonly counts = new Map<string, number>();
  readonly restrictionsByKey = new Map<string, SandboxRestrictions>();
  readonly rates = new Map<string, SandboxRate>();
  readonly cancelledBack: CancelledBack[] = [];
  readonly sales = new Map<string, ChannelSale>();

  constructor(readonly code: string) {}

  count(hotel: string, roomType: string, date: string): number | undefined {
    return this.counts.get(key(hotel, roomType, date));
  }
  setCount(hotel: string, roomType: string, date: string, count: number): void {
    this.counts.set(key(hotel, roomType, date), count);
  }

  /** The rate plan's own restrictions when pushed, else the room type's (rate plan null), else undefined. */
  restrictions(hotel: string, roomType: string, date: string, ratePlan: string | null = null): SandboxRestrictions | undefined {
    return (ratePlan !== null ? this.restrictionsByKey.get(key(hotel, roomType, ratePlan, date)) : undefined) ?? this.restrictionsByKey.get(key(hotel, roomType, '', date));
  }
  mergeRestrictions(hotel: string, roomType: string, ratePlan: string | null, date: string, change: Partial<SandboxRestrictions>): void {
    const k = key(hotel, roomType, ratePlan ?? '', date);
    this.restrictionsByKey.set(k, { ...(this.restrictionsByKey.get(k) ?? OPEN), ...change });
  }

  rate(hotel: string, roomType: string, ratePlan: string, date: string, guests: number): SandboxRate | undefined {
    return this.rates.get(key(hotel, roomType, ratePlan, date, guests));
  }
  setRate(hotel: string, roomType: string, ratePlan: string, date: string, guests: number, rate: SandboxRate): void {
    this.rates.set(key(hotel, roomType, ratePlan, date, guests), rate);
  }

  /** Room types with a count for the hotel (sorted). */
  roomTypesWithCounts(hotel: string): string[] {
    const types = new Set<string>();
    for (const k of this.counts.keys()) {
      const [h, room] = k.split('|');
      if (h === hotel && room !== undefined) types.add(room);
    }
    return [...types].sort();
  }

  /** Everything the channel holds for one hotel, as plain JSON (control API, debugging). */
  snapshot(hotel: string) {
    const rows = <T>(map: Map<string, T>) =>
      [...map.entries()]
        .map(([k, v]) => ({ parts: k.split('|'), v }))
        .filter((r) => r.parts[0] === hotel)
        .sort((a, b) => (a.parts.join('|') < b.parts.join('|') ? -1 : 1));
    return {
      channel: this.code,
      hotelCode: hotel,
      counts: rows(this.counts).map(({ parts: [, roomType, date], v }) => ({ roomType, date, count: v })),
      restrictions: rows(this.restrictionsByKey).map(({ parts: [, roomType, ratePlan, date], v }) => ({ roomType, ratePlan: ratePlan || null, date, ...v })),
      rates: rows(this.rates).map(({ parts: [, roomType, ratePlan, date, guests], v }) => ({ roomType, ratePlan, date, guests: Number(guests), ...v })),
      cancelledBack: this.cancelledBack.filter((c) => c.hotelCode === hotel),
      sales: [...this.sales.values()].filter((s) => s.hotelCode === hotel),
    };
  }

  /**
   * The channel sells (or changes, or cancels) a reservation on its own: its counts move like a
   * real OTA's would until the PMS pushes the truth. Returns whether every night was sellable.
   */
  recordSale(sale: Omit<ChannelSale, 'sellable'>, action: 'new' | 'modified' | 'cancelled' | 'other'): ChannelSale {
    const previous = this.sales.get(sale.reservationId);
    if (previous && previous.status !== 'cancelled') this.moveCounts(previous.hotelCode, previous.stays, +1);
    let sellable = true;
    if (action === 'cancelled') {
      const cancelled: ChannelSale = { ...(previous ?? sale), status: 'cancelled', sellable: true, at: sale.at };
      this.sales.set(sale.reservationId, cancelled);
      return cancelled;
    }
    for (const stay of sale.stays) {
      for (const night of stayNights(stay.arrival, stay.departure)) {
        const left = this.count(sale.hotelCode, stay.roomType, night);
        const closed = this.restrictions(sale.hotelCode, stay.roomType, night, stay.ratePlan)?.stopSell ?? false;
        if (closed || (left !== undefined && left < stay.quantity)) sellable = false;
      }
    }
    this.moveCounts(sale.hotelCode, sale.stays, -1);
    const recorded: ChannelSale = { ...sale, sellable };
    this.sales.set(sale.reservationId, recorded);
    return recorded;
  }

  /** Gives a cancelled-back reservation's rooms back to the channel's own count. */
  releaseSale(reservationId: string): void {
    const sale = this.sales.get(reservationId);
    if (!sale || sale.status === 'cancelled') return;
    this.moveCounts(sale.hotelCode, sale.stays, +1);
    this.sales.set(reservationId, { ...sale, status: 'cancelled' });
  }

  private moveCounts(hotel: string, stays: SandboxStay[], sign: 1 | -1): void {
    for (const stay of stays) {
      for (const night of stayNights(stay.arrival, stay.departure)) {
        const left = this.count(hotel, stay.roomType, night);
        if (left === undefined) continue; // nothing pushed yet: the channel has no count to move
        this.setCount(hotel, stay.roomType, night, Math.max(0, left + sign * stay.quantity));
      }
    }
  }
}
