import { createHash } from 'node:crypto';
import { addDays } from '../domain/catalog/dates';
import type { InboundReservation, OtaProblem, ReservationNotification, ReservationRoomStay } from '../domain/channels/model';
import { isCurrencyCode } from '../domain/money/currency';
import { Dec, Money } from '../domain/money/money';
import { isoDateOf, utcDate } from '../domain/time/instant';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import { PrismaCustomerLinks, type GuestMatcher } from './customer-links';
import { InventoryError, type InventoryErrorKind, type PrismaInventory } from './inventory.prisma';
import type { InventoryChange } from './ports/inventory-changes';

type Tx = Prisma.TransactionClient;
type NotificationRow = Prisma.ChannelNotificationGetPayload<object>;
type ReservationRow = Prisma.ChannelReservationGetPayload<object>;

const TX_OPTIONS = { maxWait: 15_000, timeout: 30_000 };

/** What became of one notification once processed (channel_notifications.outcome). */
export type NotificationOutcome = 'APPLIED' | 'STALE' | 'REJECTED' | 'FAILED';
/** channel_reservations.status. */
export type ChannelReservationStatus = 'CONFIRMED' | 'CANCELLED' | 'REJECTED';

/** How a channel manager authenticates its webhooks (channel_managers). */
export interface ChannelManagerAuth {
  code: string;
  active: boolean;
  webhookSecret: string | null;
  wsse: { username: string; password: string } | null;
}

/** A stored notification to hand to its reservation workflow. */
export interface NotificationRef {
  notificationId: string;
  managerCode: string;
  reservationId: string;
}

/** The answer line for one HotelReservation (OTA_HotelResNotifRS HotelReservationIDs). */
export interface StoredResult {
  reservationId: string;
  itineraReference: string;
}

export type StoreOutcome =
  /** Stored (or already stored): acknowledge with Success, hand `pending` to the workflows. */
  | { kind: 'stored'; results: StoredResult[]; pending: NotificationRef[]; duplicates: number }
  /** The webhook id was seen with another body: a replay, refused; nothing stored. */
  | { kind: 'replay' };

/** A channel reservation Itinera refused (no room left) that must be cancelled back to its channel. */
export interface CancelBackRequest {
  notificationId: string;
  /** channel_connections.code of the originating OTA. */
  connectionCode: string;
  hotelCode: string;
  reservationId: string;
  reason: string;
  /** Stable per notification: a retried cancel sends the same token. */
  echoToken: string;
}

export interface ApplyResult {
  notificationId: string;
  outcome: NotificationOutcome;
  detail: string;
  /** Set when the reservation was refused and still has to be cancelled back. */
  cancelBack: CancelBackRequest | null;
  /** Nights whose sellable inventory this apply changed (for the InventoryChangeSink); empty on replays. */
  changes: InventoryChange[];
  /**
   * The CRM customer the guest of a booked (or modified) reservation was matched to, by email then
   * phone, and the advisor the booking goes to; null when nobody matched. Absent on every other
   * outcome and on replays of an applied notification.
   */
  customer?: GuestCustomer | null;
}

/** A channel guest recognised as a CRM customer. */
export interface GuestCustomer {
  customerId: string;
  advisorId: string | null;
  matchedBy: 'email' | 'phone' | 'passport';
}

export interface ChannelReservationView {
  managerCode: string;
  reservationId: string;
  itineraReference: string;
  hotelCode: string;
  originatingChannel: string;
  status: ChannelReservationStatus;
  appliedVersion: number;
  holdReferences: string[];
  total: { amount: string; currency: string };
  guestName: string;
  arrival: string;
  departure: string;
  detail: string | null;
  /** The CRM customer the guest was recognised as, and their advisor (null when not recognised). */
  customerId: string | null;
  advisorId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ChannelNotificationView {
  id: string;
  version: number;
  action: string;
  statusWord: string;
  messageId: string | null;
  echoToken: string | null;
  receivedAt: number;
  processedAt: number | null;
  outcome: NotificationOutcome | null;
  outcomeDetail: string | null;
}

export type ChannelInboxErrorKind = 'notification-not-found' | 'property-not-found';

export class ChannelInboxError extends Error {
  constructor(
    readonly kind: ChannelInboxErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ChannelInboxError';
  }
}

/** Refusals that mean "the rooms are not there": the reservation is REJECTED (and cancelled back when new). */
const NO_ROOM: readonly InventoryErrorKind[] = ['sold-out', 'no-allotment', 'stop-sale'];

export const sha256Hex = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');

/** Itinera's stable reference for a channel reservation (answered in HotelReservationID ResID_Type 10). */
export const itineraReferenceOf = (managerCode: string, reservationId: string) =>
  `ITN-CH-${sha256Hex(`${managerCode}\u0000${reservationId}`).slice(0, 12).toUpperCase()}`;

/**
 * Prefix of the inventory hold references of one channel reservation:
 * `chres:<manager>:<reservation>:` then `<version>:<i>`. A reservation id too long for the
 * 128-character reference column is replaced by a digest.
 */
export function holdPrefix(managerCode: string, reservationId: string): string {
  const prefix = `chres:${managerCode}:${reservationId}:`;
  return prefix.length <= 90 ? prefix : `chres:${managerCode}:#${sha256Hex(reservationId).slice(0, 24)}:`;
}

const holdReference = (managerCode: string, reservationId: string, version: number, index: number) => `${holdPrefix(managerCode, reservationId)}${version}:${index}`;

/** The version in a hold reference of this reservation, or null when it is not one of ours. */
function versionOfReference(prefix: string, reference: string): number | null {
  if (!reference.startsWith(prefix)) return null;
  const m = /^(\d+):(\d+)$/.exec(reference.slice(prefix.length));
  return m ? Number(m[1]) : null;
}

const nightsOf = (stay: { arrival: string; departure: string }) => Math.round((Date.parse(stay.departure) - Date.parse(stay.arrival)) / 86_400_000);

/** A channel's word, cut to the inventory's 32-character channel column. */
const inventoryChannel = (ota: string) => ota.slice(0, 32);

/**
 * The inbox of channel-manager reservation notifications and the state of each channel
 * reservation (channel_webhook_messages, channel_notifications, channel_reservations).
 *
 * `store` writes a notification durably before it is acknowledged (one transaction: the webhook
 * id and one row per reservation version; a version already stored is a duplicate). `apply`
 * processes one notification afterwards: each notification carries the full reservation state,
 * and the newest version applied wins — an older one is STALE and changes nothing. Rooms are
 * taken through PrismaInventory (whose sales are atomic per request, so the last room goes to
 * exactly one buyer) under hold references `chres:<manager>:<reservation>:<version>:<i>`.
 *
 * Steps of `apply`, each idempotent so a retried activity converges:
 * 1. take the rooms of the new state (an unchanged room stay keeps its sale; sales replay by reference);
 * 2. in one transaction, with the reservation row locked, re-check the version and record the
 *    state and the outcome;
 * 3. give back every sale of this reservation that the recorded state no longer lists (old rooms
 *    of a modification, a cancellation, a stale attempt).
 * Applies of one reservation are serialised by its workflow; the version re-check and step 3 keep
 * the state right even if two ran at once.
 */
/** How long a channel property's room types and rate plans are trusted once read. */
const CODE_CACHE_MS = 5_000;

export class PrismaChannelInbox {
  private readonly codeCache = new Map<string, { codes: { roomTypes: Set<string>; ratePlans: Set<string> }; until: number }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly inventory: PrismaInventory,
    /** Recognises guests as CRM customers (advisor routing of inbound channel bookings). */
    private readonly guests: GuestMatcher = new PrismaCustomerLinks(prisma),
  ) {}

  // --- authentication and validation (before anything is stored) -----------------------------

  async manager(code: string): Promise<ChannelManagerAuth | null> {
    if (code.length > 48) return null;
    const row = await this.prisma.channelManager.findUnique({ where: { code } });
    if (!row) return null;
    return {
      code: row.code,
      active: row.active,
      webhookSecret: row.webhookSecret,
      wsse: row.wsseUsername && row.wssePassword ? { username: row.wsseUsername, password: row.wssePassword } : null,
    };
  }

  /** Whether a webhook id was seen: with the same body (a redelivery) or another (a replay). */
  async messageSeen(managerCode: string, messageId: string, bodySha256: string): Promise<'new' | 'redelivery' | 'replay'> {
    const row = await this.prisma.channelWebhookMessage.findUnique({ where: { channelManagerCode_messageId: { channelManagerCode: managerCode, messageId } } });
    if (!row) return 'new';
    return row.bodySha256 === bodySha256 ? 'redelivery' : 'replay';
  }

  /**
   * Every code of the notification Itinera does not know, as OTA problems: hotel (392), room type
   * (402: a category of the hotel's product), rate plan (249: a rate plan of that room type).
   */
  async validateCodes(notification: ReservationNotification): Promise<OtaProblem[]> {
    const problems: OtaProblem[] = [];
    for (const r of notification.reservations) {
      const hotel = await this.hotelCodes(r.hotelCode);
      if (!hotel) {
        problems.push({ type: '3', code: '392', message: `Reservation ${r.reservationId}: invalid hotel code ${r.hotelCode}` });
        continue;
      }
      r.roomStays.forEach((s, i) => {
        if (!hotel.roomTypes.has(s.roomType)) {
          problems.push({ type: '3', code: '402', message: `Reservation ${r.reservationId}, room stay ${i + 1}: invalid room type ${s.roomType} for hotel ${r.hotelCode}` });
        } else if (!hotel.ratePlans.has(`${s.roomType}\u0000${s.ratePlan}`)) {
          problems.push({ type: '3', code: '249', message: `Reservation ${r.reservationId}, room stay ${i + 1}: invalid rate code ${s.ratePlan} for room type ${s.roomType} of hotel ${r.hotelCode}` });
        }
      });
    }
    return problems;
  }

  /**
   * A channel property's room types and rate plans, kept for a few seconds once found (the
   * webhook answers in a hurry and codes change rarely); an unknown hotel is asked again each time.
   */
  private async hotelCodes(hotelCode: string): Promise<{ roomTypes: Set<string>; ratePlans: Set<string> } | null> {
    const cached = this.codeCache.get(hotelCode);
    if (cached && cached.until > Date.now()) return cached.codes;
    const property = await this.prisma.channelProperty.findFirst({ where: { hotelCode, active: true } });
    if (!property) return null;
    const [categories, rates] = await Promise.all([
      this.prisma.productCategory.findMany({ where: { productId: property.productId }, select: { code: true } }),
      this.prisma.productRate.findMany({ where: { productId: property.productId }, select: { category: true, ratePlan: true }, distinct: ['category', 'ratePlan'] }),
    ]);
    const codes = { roomTypes: new Set(categories.map((c) => c.code)), ratePlans: new Set(rates.map((r) => `${r.category}\u0000${r.ratePlan}`)) };
    this.codeCache.set(hotelCode, { codes, until: Date.now() + CODE_CACHE_MS });
    return codes;
  }

  // --- store ----------------------------------------------------------------------------------

  /**
   * Stores a validated notification in ONE transaction: the webhook id with the body digest (when
   * given) and one channel_notifications row per reservation version. A version already stored is
   * a duplicate (left as it is); the same webhook id with another body is a `replay` and nothing is
   * written. `pending` lists every notification of the message not processed yet (new or not), for
   * hand-over to the workflows.
   */
  async store(input: { managerCode: string; messageId: string | null; bodySha256: string; raw: string; notification: ReservationNotification; now: Date }): Promise<StoreOutcome> {
    const { managerCode, notification } = input;
    return this.prisma.$transaction(async (tx) => {
      if (input.messageId) {
        const inserted = await tx.$executeRawUnsafe(
          `INSERT INTO channel_webhook_messages (channel_manager_code, message_id, body_sha256, received_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (channel_manager_code, message_id) DO NOTHING`,
          managerCode,
          input.messageId,
          input.bodySha256,
          input.now,
        );
        if (inserted === 0) {
          const seen = await tx.channelWebhookMessage.findUniqueOrThrow({ where: { channelManagerCode_messageId: { channelManagerCode: managerCode, messageId: input.messageId } } });
          if (seen.bodySha256 !== input.bodySha256) return { kind: 'replay' as const };
        }
      }
      let duplicates = 0;
      const pending: NotificationRef[] = [];
      for (const r of notification.reservations) {
        const inserted = await tx.$queryRawUnsafe<Array<{ id: string }>>(
          `INSERT INTO channel_notifications (id, channel_manager_code, reservation_id, version, res_status, status_word, originating_channel, hotel_code, echo_token, message_id, payload, raw, received_at)
           VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)
           ON CONFLICT (channel_manager_code, reservation_id, version) DO NOTHING
           RETURNING id::text AS id`,
          managerCode,
          r.reservationId,
          BigInt(r.version),
          r.action,
          r.statusWord.slice(0, 32),
          r.originatingChannel,
          r.hotelCode,
          notification.echoToken?.slice(0, 128) ?? null,
          input.messageId,
          JSON.stringify(r),
          input.raw,
          input.now,
        );
        if (inserted.length) {
          pending.push({ notificationId: inserted[0]!.id, managerCode, reservationId: r.reservationId });
          continue;
        }
        duplicates++;
        const existing = await tx.channelNotification.findUniqueOrThrow({
          where: { channelManagerCode_reservationId_version: { channelManagerCode: managerCode, reservationId: r.reservationId, version: BigInt(r.version) } },
        });
        if (!existing.processedAt) pending.push({ notificationId: existing.id, managerCode, reservationId: r.reservationId });
      }
      const results = notification.reservations.map((r) => ({ reservationId: r.reservationId, itineraReference: itineraReferenceOf(managerCode, r.reservationId) }));
      return { kind: 'stored' as const, results, pending, duplicates };
    }, TX_OPTIONS);
  }

  /** Notifications received before `before` and still not processed (hand-over lost): oldest first. */
  async pendingNotifications(before: Date, limit = 500): Promise<NotificationRef[]> {
    const rows = await this.prisma.channelNotification.findMany({
      where: { processedAt: null, receivedAt: { lt: before } },
      orderBy: { receivedAt: 'asc' },
      take: limit,
      select: { id: true, channelManagerCode: true, reservationId: true },
    });
    return rows.map((r) => ({ notificationId: r.id, managerCode: r.channelManagerCode, reservationId: r.reservationId }));
  }

  // --- apply ----------------------------------------------------------------------------------

  /** Processes one stored notification (see the class comment). Applying it again returns the recorded outcome. */
  async apply(notificationId: string, now: Date): Promise<ApplyResult> {
    const n = await this.prisma.channelNotification.findUnique({ where: { id: notificationId } });
    if (!n) throw new ChannelInboxError('notification-not-found', `No channel notification ${notificationId}`);
    const managerCode = n.channelManagerCode;
    const prefix = holdPrefix(managerCode, n.reservationId);
    if (n.processedAt) {
      await this.releaseUnlisted(managerCode, n.reservationId, now);
      return { notificationId, outcome: n.outcome as NotificationOutcome, detail: n.outcomeDetail ?? '', cancelBack: await this.pendingCancelBack(n), changes: [] };
    }
    const res = n.payload as unknown as InboundReservation;
    const version = Number(n.version);
    const property = await this.prisma.channelProperty.findUnique({ where: { hotelCode: n.hotelCode } });
    if (!property) return this.finish(n, 'FAILED', `Hotel ${n.hotelCode} is no longer a channel property`, now);
    const productId = property.productId;
    const current = await this.prisma.channelReservation.findUnique({ where: { channelManagerCode_reservationId: { channelManagerCode: managerCode, reservationId: n.reservationId } } });
    if (current && version <= Number(current.appliedVersion)) {
      return this.finish(n, 'STALE', `Version ${version} is not newer than the applied version ${current.appliedVersion} (${current.status}); nothing changed`, now);
    }

    if (current?.status === 'REJECTED' && res.action !== 'cancelled') {
      return this.finish(n, 'REJECTED', `Reservation was refused (no room) and cancelled back to its channel; version ${version} is not booked`, now);
    }
    const standing = current?.status === 'CONFIRMED' ? await this.standingStays(current.holdReferences) : [];
    if (res.action === 'cancelled') {
      const status = current?.status === 'REJECTED' ? 'REJECTED' : 'CANCELLED';
      return this.record(n, res, { status, refs: [], outcome: 'APPLIED', detail: `Cancelled (${res.statusWord}); ${standing.length} room stay(s) released` }, standing, [], productId, now);
    }

    // Take the rooms of the new state first; an unchanged room stay keeps the sale it has.
    const refs: string[] = [];
    const taken: ReservationRoomStay[] = [];
    const unmatched = [...standing];
    try {
      for (const [i, stay] of res.roomStays.entries()) {
        const same = unmatched.findIndex((s) => s.category === stay.roomType && s.from === stay.arrival && s.toExclusive === stay.departure && s.quantity === stay.quantity);
        if (same >= 0) {
          refs.push(unmatched.splice(same, 1)[0]!.reference);
          continue;
        }
        const reference = holdReference(managerCode, n.reservationId, version, i);
        await this.inventory.acquire(
          { reference, productId, category: stay.roomType, from: stay.arrival, nights: nightsOf(stay), quantity: stay.quantity, channel: inventoryChannel(res.originatingChannel), now },
          'sale',
        );
        refs.push(reference);
        taken.push(stay);
      }
    } catch (err) {
      if (!(err instanceof InventoryError)) throw err;
      // Give back what this attempt took: the booking as it stood (if any) is left untouched.
      for (const reference of refs.filter((r) => versionOfReference(prefix, r) === version)) await this.inventory.cancelHold(reference, now);
      const why = `${err.kind}: ${err.message}`;
      if (!NO_ROOM.includes(err.kind)) return this.finish(n, 'FAILED', `The rooms could not be taken (${why}); nothing changed`, now);
      if (current?.status === 'CONFIRMED') {
        return this.finish(n, 'REJECTED', `Modification version ${version} refused, the rooms are not available (${why}); the booking of version ${current.appliedVersion} stands`, now);
      }
      return this.record(n, res, { status: 'REJECTED', refs: [], outcome: 'REJECTED', detail: `No room for the reservation (${why})` }, [], [], productId, now);
    }
    const summary = res.roomStays.map((s) => `${s.quantity} x ${s.roomType} ${s.arrival}..${s.departure}`).join(', ');
    const customer = await this.matchGuest(res);
    const routed = customer ? `; customer ${customer.customerId} (by ${customer.matchedBy}), advisor ${customer.advisorId ?? 'none'}` : '';
    const result = await this.record(
      n,
      res,
      { status: 'CONFIRMED', refs, outcome: 'APPLIED', detail: `${current?.status === 'CONFIRMED' ? 'Modified' : 'Booked'} (${res.statusWord}): ${summary}${routed}`, customer },
      unmatched,
      taken,
      productId,
      now,
    );
    if (result.outcome !== 'APPLIED') return result;
    // A returning customer: booking again makes an archived customer active.
    if (customer) await this.guests.reactivateCustomer(customer.customerId);
    return { ...result, customer };
  }

  /** The CRM customer the guest is (email, then phone), or null. */
  private async matchGuest(res: InboundReservation): Promise<GuestCustomer | null> {
    const route = await this.guests.matchGuest({ email: res.guest.email, phone: res.guest.phone });
    return route ? { customerId: route.customerId, advisorId: route.advisorId, matchedBy: route.matchedBy } : null;
  }

  /**
   * Step 2 and 3: records the new state and the outcome in one transaction with the reservation
   * row locked (re-checking the version), then gives back the sales the state no longer lists.
   */
  private async record(
    n: NotificationRow,
    res: InboundReservation,
    next: { status: ChannelReservationStatus; refs: string[]; outcome: NotificationOutcome; detail: string; customer?: GuestCustomer | null },
    released: Array<{ category: string; from: string; toExclusive: string }>,
    taken: ReservationRoomStay[],
    productId: string,
    now: Date,
  ): Promise<ApplyResult> {
    const version = Number(n.version);
    const stale = await this.prisma.$transaction(async (tx) => {
      const [locked] = await tx.$queryRawUnsafe<Array<{ applied_version: bigint }>>(
        `SELECT applied_version FROM channel_reservations WHERE channel_manager_code = $1 AND reservation_id = $2 FOR UPDATE`,
        n.channelManagerCode,
        n.reservationId,
      );
      if (locked && Number(locked.applied_version) >= version) {
        await this.markProcessed(tx, n.id, 'STALE', `Version ${version} lost to version ${locked.applied_version} applied meanwhile; nothing changed`, now);
        return true;
      }
      const stays = res.roomStays;
      const arrival = stays.length ? stays.map((s) => s.arrival).sort()[0]! : isoDateOf(res.createdAt);
      const departure = stays.length ? stays.map((s) => s.departure).sort().at(-1)! : arrival;
      const data = {
        hotelCode: res.hotelCode,
        originatingChannel: res.originatingChannel,
        status: next.status,
        appliedVersion: BigInt(version),
        holdReferences: next.refs,
        total: new Dec(res.total.amount).toFixed(),
        currency: res.total.currency,
        guestName: `${res.guest.givenName} ${res.guest.surname}`.trim().slice(0, 200),
        arrival: utcDate(arrival),
        departure: utcDate(departure),
        detail: next.detail,
        // A later version without a match keeps the customer an earlier one was matched to.
        ...(next.customer ? { customerId: next.customer.customerId, advisorId: next.customer.advisorId } : {}),
        updatedAt: now,
      };
      if (locked) {
        await tx.channelReservation.update({ where: { channelManagerCode_reservationId: { channelManagerCode: n.channelManagerCode, reservationId: n.reservationId } }, data });
      } else {
        await tx.channelReservation.create({ data: { ...data, channelManagerCode: n.channelManagerCode, reservationId: n.reservationId, createdAt: now } });
      }
      await this.markProcessed(tx, n.id, next.outcome, next.detail, now);
      return false;
    }, TX_OPTIONS);
    await this.releaseUnlisted(n.channelManagerCode, n.reservationId, now);
    const updated = await this.prisma.channelNotification.findUniqueOrThrow({ where: { id: n.id } });
    if (stale) return { notificationId: n.id, outcome: 'STALE', detail: updated.outcomeDetail ?? '', cancelBack: null, changes: [] };
    const source = `channel:${res.originatingChannel}`;
    const changes: InventoryChange[] = [...released, ...taken.map((s) => ({ category: s.roomType, from: s.arrival, toExclusive: s.departure }))].map((s) => ({
      productId,
      category: s.category,
      from: s.from,
      to: addDays(s.toExclusive, -1),
      source,
    }));
    return { notificationId: n.id, outcome: next.outcome, detail: next.detail, cancelBack: await this.pendingCancelBack(updated), changes };
  }

  /**
   * The nights a reservation's notifications name, as changes to push again: after a notification
   * that changed nothing in Itinera (stale, refused) or a cancel-back, the channel that sent it may
   * still show its own optimistic count for those nights, so the truth is pushed once more.
   */
  async resyncChanges(notificationId: string): Promise<InventoryChange[]> {
    const n = await this.prisma.channelNotification.findUnique({ where: { id: notificationId } });
    if (!n) return [];
    const property = await this.prisma.channelProperty.findUnique({ where: { hotelCode: n.hotelCode } });
    if (!property) return [];
    // Every version's nights: a refused date change moved the channel's own counts on the old nights too.
    const versions = await this.prisma.channelNotification.findMany({ where: { channelManagerCode: n.channelManagerCode, reservationId: n.reservationId }, orderBy: { version: 'asc' }, select: { payload: true } });
    const source = `channel-resync:${(n.payload as unknown as InboundReservation).originatingChannel}`;
    return versions.flatMap((v) =>
      ((v.payload as unknown as InboundReservation).roomStays ?? []).map((s) => ({ productId: property.productId, category: s.roomType, from: s.arrival, to: addDays(s.departure, -1), source })),
    );
  }

  private async finish(n: NotificationRow, outcome: NotificationOutcome, detail: string, now: Date): Promise<ApplyResult> {
    const marked = await this.prisma.channelNotification.updateMany({ where: { id: n.id, processedAt: null }, data: { processedAt: now, outcome, outcomeDetail: detail } });
    if (marked.count === 0) {
      const row = await this.prisma.channelNotification.findUniqueOrThrow({ where: { id: n.id } });
      return { notificationId: n.id, outcome: row.outcome as NotificationOutcome, detail: row.outcomeDetail ?? '', cancelBack: await this.pendingCancelBack(row), changes: [] };
    }
    return { notificationId: n.id, outcome, detail, cancelBack: null, changes: [] };
  }

  private async markProcessed(tx: Tx, id: string, outcome: NotificationOutcome, detail: string, now: Date): Promise<void> {
    await tx.channelNotification.update({ where: { id }, data: { processedAt: now, outcome, outcomeDetail: detail } });
  }

  /** The stays of the sales a reservation holds now. */
  private async standingStays(refs: string[]): Promise<Array<{ reference: string; category: string; from: string; toExclusive: string; quantity: number }>> {
    if (!refs.length) return [];
    const rows = await this.prisma.inventoryHold.findMany({ where: { reference: { in: refs }, status: { in: ['HELD', 'SOLD'] } } });
    return rows.map((r) => ({ reference: r.reference, category: r.category, from: isoDateOf(r.stayFrom), toExclusive: isoDateOf(r.stayTo), quantity: r.quantity }));
  }

  /**
   * Step 3: cancels every live sale of this reservation that its recorded state does not list and
   * whose version is not newer than the applied one (a newer version's sales belong to an apply
   * still running). Idempotent.
   */
  private async releaseUnlisted(managerCode: string, reservationId: string, now: Date): Promise<void> {
    const prefix = holdPrefix(managerCode, reservationId);
    const state = await this.prisma.channelReservation.findUnique({ where: { channelManagerCode_reservationId: { channelManagerCode: managerCode, reservationId } } });
    const applied = state ? Number(state.appliedVersion) : -1;
    const keep = new Set(state?.holdReferences ?? []);
    const live = await this.prisma.$queryRawUnsafe<Array<{ reference: string }>>(
      `SELECT reference FROM inventory_holds WHERE starts_with(reference, $1) AND status IN ('HELD', 'SOLD') ORDER BY reference`,
      prefix,
    );
    for (const { reference } of live) {
      const v = versionOfReference(prefix, reference);
      if (v !== null && v <= applied && !keep.has(reference)) await this.inventory.cancelHold(reference, now);
    }
  }

  /** The cancel-back a REJECTED new reservation still needs, or null (done, not needed, or no connection to send it through). */
  private async pendingCancelBack(n: NotificationRow): Promise<CancelBackRequest | null> {
    if (n.outcome !== 'REJECTED' || (n.outcomeDetail ?? '').includes('cancel-back:')) return null;
    const state = await this.prisma.channelReservation.findUnique({ where: { channelManagerCode_reservationId: { channelManagerCode: n.channelManagerCode, reservationId: n.reservationId } } });
    if (!state || state.status !== 'REJECTED' || Number(state.appliedVersion) !== Number(n.version)) return null;
    const connection = await this.prisma.channelConnection.findFirst({ where: { channelManagerCode: n.channelManagerCode, otaCode: n.originatingChannel, active: true }, orderBy: { code: 'asc' } });
    if (!connection) {
      await this.recordCancelBack(n.id, `cancel-back: not sent, no active connection of ${n.channelManagerCode} for ${n.originatingChannel}`);
      return null;
    }
    return {
      notificationId: n.id,
      connectionCode: connection.code,
      hotelCode: n.hotelCode,
      reservationId: n.reservationId,
      reason: 'No room available in Itinera: the last room was sold elsewhere first',
      echoToken: `cancel-${n.id}`,
    };
  }

  /** Appends what came of the cancel-back (`cancel-back: ...`) to the notification's outcome detail. */
  async recordCancelBack(notificationId: string, text: string): Promise<void> {
    const line = text.startsWith('cancel-back:') ? text : `cancel-back: ${text}`;
    await this.prisma.$executeRawUnsafe(
      `UPDATE channel_notifications SET outcome_detail = coalesce(outcome_detail || ' | ', '') || $2 WHERE id = $1::uuid AND coalesce(outcome_detail, '') NOT LIKE '%cancel-back:%'`,
      notificationId,
      line,
    );
  }

  // --- reads ----------------------------------------------------------------------------------

  async getReservation(managerCode: string, reservationId: string): Promise<{ reservation: ChannelReservationView | null; notifications: ChannelNotificationView[] } | null> {
    const [row, notifications] = await Promise.all([
      this.prisma.channelReservation.findUnique({ where: { channelManagerCode_reservationId: { channelManagerCode: managerCode, reservationId } } }),
      this.prisma.channelNotification.findMany({ where: { channelManagerCode: managerCode, reservationId }, orderBy: [{ version: 'asc' }, { receivedAt: 'asc' }] }),
    ]);
    if (!row && !notifications.length) return null;
    return { reservation: row ? toReservationView(row) : null, notifications: notifications.map(toNotificationView) };
  }

  /** Reservations by arrival; `advisorIds` keeps those routed to these advisors (the limit applies after it). */
  async listReservations(filter: { hotelCode?: string; status?: ChannelReservationStatus; limit: number; advisorIds?: string[] }): Promise<ChannelReservationView[]> {
    const rows = await this.prisma.channelReservation.findMany({
      where: { hotelCode: filter.hotelCode, status: filter.status, ...(filter.advisorIds ? { advisorId: { in: filter.advisorIds } } : {}) },
      orderBy: [{ arrival: 'asc' }, { channelManagerCode: 'asc' }, { reservationId: 'asc' }],
      take: Math.max(1, Math.min(500, filter.limit)),
    });
    return rows.map(toReservationView);
  }
}

function toReservationView(r: ReservationRow): ChannelReservationView {
  return {
    managerCode: r.channelManagerCode,
    reservationId: r.reservationId,
    itineraReference: itineraReferenceOf(r.channelManagerCode, r.reservationId),
    hotelCode: r.hotelCode,
    originatingChannel: r.originatingChannel,
    status: r.status as ChannelReservationStatus,
    appliedVersion: Number(r.appliedVersion),
    holdReferences: r.holdReferences,
    // To the currency's minor units, like every other amount the API answers ("240.50").
    total: isCurrencyCode(r.currency) ? Money.of(new Dec(r.total.toString()), r.currency).toJSON() : { amount: r.total.toFixed(), currency: r.currency },
    guestName: r.guestName,
    customerId: r.customerId,
    advisorId: r.advisorId,
    arrival: isoDateOf(r.arrival),
    departure: isoDateOf(r.departure),
    detail: r.detail,
    createdAt: r.createdAt.getTime(),
    updatedAt: r.updatedAt.getTime(),
  };
}

function toNotificationView(n: NotificationRow): ChannelNotificationView {
  return {
    id: n.id,
    version: Number(n.version),
    action: n.resStatus,
    statusWord: n.statusWord,
    messageId: n.messageId,
    echoToken: n.echoToken,
    receivedAt: n.receivedAt.getTime(),
    processedAt: n.processedAt ? n.processedAt.getTime() : null,
    outcome: n.outcome as NotificationOutcome | null,
    outcomeDetail: n.outcomeDetail,
  };
}
