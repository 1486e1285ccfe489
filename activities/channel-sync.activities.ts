import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { addDays, eachDate } from '../domain/catalog/dates';
import { ChannelManagerError, isRetryableChannelError, type AvailabilityStatus, type ChannelErrorKind, type IsoDate, type RateAmount, type RoomCount } from '../domain/channels/model';
import { minorUnits } from '../domain/money/currency';
import { Dec } from '../domain/money/money';
import type { Database } from '../infra/database';
import type { Logger } from '../infra/logger';
import { TASK_QUEUES } from '../workflows/task-queues';
import { ChannelDirectory, type ItineraNight, type RoomNight } from './channel-directory.prisma';
import { ChannelConnectionError } from './channel-ports';
import type { ChannelManagerPort } from './ports/channel-manager';

export type { RoomNight } from './channel-directory.prisma';

/**
 * Failure types of the channel sync activities (`ApplicationFailure.type`). Workflows branch on
 * these strings, never on `instanceof`. The retryable ones are retried by the activity policy
 * without limit (visible as retrying in the Temporal UI); the others end the push.
 */
export const ChannelFailureType = {
  ChannelUnavailable: 'ChannelUnavailable',
  ChannelTimeout: 'ChannelTimeout',
  /** 429: retried after the channel's Retry-After (`nextRetryDelay`). */
  ChannelRateLimited: 'ChannelRateLimited',
  ChannelMalformedResponse: 'ChannelMalformedResponse',
  /** Credentials refused: not retryable, fix the connection. */
  ChannelUnauthorized: 'ChannelUnauthorized',
  /** The channel answered with OTA Errors (`details[0].problems`): not retryable. */
  ChannelRejected: 'ChannelRejected',
  /** Unknown / inactive / misconfigured connection: not retryable. */
  ChannelConnectionInvalid: 'ChannelConnectionInvalid',
  /** The hotel code is not an active channel property: not retryable. */
  ChannelPropertyUnknown: 'ChannelPropertyUnknown',
  /** The adapter refused our own push as invalid before sending it (a bug or bad data): not retryable. */
  ChannelPushInvalid: 'ChannelPushInvalid',
} as const;
export type ChannelFailureType = (typeof ChannelFailureType)[keyof typeof ChannelFailureType];

const FAILURE_BY_KIND: Record<ChannelErrorKind, ChannelFailureType> = {
  unavailable: ChannelFailureType.ChannelUnavailable,
  timeout: ChannelFailureType.ChannelTimeout,
  'rate-limited': ChannelFailureType.ChannelRateLimited,
  'malformed-response': ChannelFailureType.ChannelMalformedResponse,
  unauthorized: ChannelFailureType.ChannelUnauthorized,
  rejected: ChannelFailureType.ChannelRejected,
};

/** Failure types no retry can fix (the workflows' retry policies list them too). */
export const NON_RETRYABLE_CHANNEL_FAILURES: string[] = [
  ChannelFailureType.ChannelUnauthorized,
  ChannelFailureType.ChannelRejected,
  ChannelFailureType.ChannelConnectionInvalid,
  ChannelFailureType.ChannelPropertyUnknown,
  ChannelFailureType.ChannelPushInvalid,
];

/** A port or configuration error as a typed failure; anything else is rethrown as is (retryable). */
export function channelFailure(connection: string, err: unknown): unknown {
  if (err instanceof ChannelManagerError) {
    return ApplicationFailure.create({
      type: FAILURE_BY_KIND[err.kind],
      message: `${connection}: ${err.message}`,
      nonRetryable: !isRetryableChannelError(err.kind),
      details: [{ kind: err.kind, status: err.details.status ?? null, problems: err.details.problems ?? [] }],
      ...(err.kind === 'rate-limited' && err.details.retryAfterMs ? { nextRetryDelay: err.details.retryAfterMs } : {}),
    });
  }
  if (err instanceof ChannelConnectionError) {
    return ApplicationFailure.create({ type: ChannelFailureType.ChannelConnectionInvalid, message: err.message, nonRetryable: true });
  }
  if (err instanceof Error && err.name === 'ChannelPushInvalid') {
    return ApplicationFailure.create({ type: ChannelFailureType.ChannelPushInvalid, message: `${connection}: ${err.message}`, nonRetryable: true });
  }
  return err;
}

// ---------------------------------------------------------------- pure helpers

/**
 * Consecutive nights of one room type with the same count → one RoomCount (inclusive start/end).
 * Input in any order; output sorted by room type then start.
 */
export function compressRoomCounts(nights: { roomType: string; date: IsoDate; count: number }[]): RoomCount[] {
  return compress(nights, (n) => String(n.count)).map(({ first, start, end }) => ({ roomType: first.roomType, start, end, count: first.count }));
}

function compress<T extends RoomNight>(nights: T[], key: (n: T) => string): { first: T; start: IsoDate; end: IsoDate }[] {
  const sorted = [...nights].sort((a, b) => (a.roomType === b.roomType ? (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) : a.roomType < b.roomType ? -1 : 1));
  const out: { first: T; start: IsoDate; end: IsoDate }[] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last && last.first.roomType === n.roomType && key(last.first) === key(n) && addDays(last.end, 1) === n.date) last.end = n.date;
    else if (last && last.first.roomType === n.roomType && last.end === n.date) continue; // duplicate night
    else out.push({ first: n, start: n.date, end: n.date });
  }
  return out;
}

const OPEN: Omit<AvailabilityStatus['restrictions'], 'stopSell'> = { closedToArrival: false, closedToDeparture: false, minStay: null, maxStay: null };

// ---------------------------------------------------------------- activity inputs and results

export interface PropertySyncSetup {
  hotelCode: string;
  /** False when the hotel code is not an active channel property (the workflow then ends). */
  active: boolean;
  roomTypes: string[];
  connections: { code: string; requestsPerSecond: number }[];
}

export interface LanePushInput {
  connection: string;
  hotelCode: string;
  nights: RoomNight[];
  /** Unique per request (`<runId>:<connection>:<seq>`), echoed in the ack. */
  echoToken: string;
}

export interface CountPushResult {
  /** Requests sent to the channel (0 or 1). */
  requests: number;
  nights: number;
  ranges: number;
  maxVersion: number;
  /** Nights whose stop-sell differs from what the channel last acknowledged: push availability for them. */
  stopSellChanged: RoomNight[];
  /** Nights whose ack was not recorded because a newer version was already acknowledged: push again. */
  superseded: RoomNight[];
}

export interface StopSellPushResult {
  requests: number;
  statuses: number;
}

export interface RatePushInput {
  connection: string;
  hotelCode: string;
  echoToken: string;
  /** At most this many (room type, rate plan, night) per request; default 500. */
  maxNights?: number;
}

export interface RatePushResult {
  requests: number;
  /** (room type, rate plan, night) pushed. */
  nights: number;
  /** More differing nights remain: push again. */
  more: boolean;
}

export interface DriftedNight extends RoomNight {
  /** The channel's count; null when the channel has none for the night. */
  channel: number | null;
  itinera: number;
}

export interface LostNight extends RoomNight {
  /** Itinera's inventory version now, newer than the version last acknowledged. */
  version: number;
  pushedVersion: number;
}

export interface ReconciliationTarget {
  hotelCode: string;
  connections: string[];
}

export interface ReconciliationTargetsPage {
  targets: ReconciliationTarget[];
  /** Pass as `after` for the next page; null when this was the last page. */
  next: string | null;
}

export interface ReconcileConnectionInput {
  /** The channel_reconciliation_runs row the connection's report is recorded into. */
  runId: string;
  connection: string;
  hotelCode: string;
  /** Inclusive nights. */
  from: IsoDate;
  to: IsoDate;
  echoToken: string;
}

/** What one (property, connection) showed: counts only (the detail is in the run's report row). */
export interface ConnectionReconciliationCounts {
  /** Room-nights compared. */
  checked: number;
  /** Nights whose channel count differs from Itinera's. */
  drifted: number;
  /** Nights changed since the version the connection last acknowledged (a lost or pending notification). */
  lost: number;
  /** Distinct nights marked for repair on the property's sync lane. */
  repaired: number;
  /** The check failed (channel down, refused): nothing repaired for this connection this run. */
  error: string | null;
}

/** Ranges listed per kind in a connection's report entry; further ranges are only counted (`more`). */
export const REPORT_MAX_RANGES = 200;
/** Nights per repairNights signal (one lane push is at most 500 nights too). */
export const REPAIR_NIGHTS_PER_SIGNAL = 500;

/** Nights of one kind in a report entry: consecutive nights with the same values as one line. */
export interface ReportedNights {
  /** e.g. "2026-12-01..2026-12-07 DBL channel 8 → itinera 7"; at most REPORT_MAX_RANGES. */
  ranges: string[];
  /** Ranges not listed. */
  more: number;
}

/** One (property, connection) in channel_reconciliation_runs.report.connections. */
export interface ReconciliationReportEntry extends ConnectionReconciliationCounts {
  hotelCode: string;
  connection: string;
  driftedNights: ReportedNights;
  lostNights: ReportedNights;
}

/** Consecutive nights of a room type grouped while `key` stays the same; sorted by room type, then date. */
function groupRuns<T extends RoomNight>(nights: T[], key: (n: T) => string): { roomType: string; start: IsoDate; end: IsoDate; items: T[] }[] {
  const sorted = [...nights].sort((a, b) => (a.roomType === b.roomType ? (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) : a.roomType < b.roomType ? -1 : 1));
  const out: { roomType: string; start: IsoDate; end: IsoDate; items: T[] }[] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last && last.roomType === n.roomType && key(last.items[0]!) === key(n) && addDays(last.end, 1) === n.date) {
      last.end = n.date;
      last.items.push(n);
    } else out.push({ roomType: n.roomType, start: n.date, end: n.date, items: [n] });
  }
  return out;
}

const span = (start: IsoDate, end: IsoDate): string => (start === end ? start : `${start}..${end}`);

function capped(lines: string[], max: number): ReportedNights {
  return { ranges: lines.slice(0, max), more: Math.max(0, lines.length - max) };
}

/** Drifted nights as report lines ("2026-12-01..2026-12-07 DBL channel 8 → itinera 7"), first `max` listed. */
export function summariseDrift(nights: DriftedNight[], max = REPORT_MAX_RANGES): ReportedNights {
  const runs = groupRuns(nights, (n) => `${n.channel}|${n.itinera}`);
  return capped(
    runs.map((r) => `${span(r.start, r.end)} ${r.roomType} channel ${r.items[0]!.channel ?? 'none'} → itinera ${r.items[0]!.itinera}`),
    max,
  );
}

/** Nights changed since the last acknowledged version as report lines ("2026-12-01..2026-12-03 TWN version 2..4, acked 1"). */
export function summariseLost(nights: LostNight[], max = REPORT_MAX_RANGES): ReportedNights {
  const runs = groupRuns(nights, (n) => String(n.pushedVersion));
  return capped(
    runs.map((r) => {
      const versions = r.items.map((n) => n.version);
      const lo = Math.min(...versions);
      const hi = Math.max(...versions);
      return `${span(r.start, r.end)} ${r.roomType} version ${lo === hi ? lo : `${lo}..${hi}`}, acked ${r.items[0]!.pushedVersion}`;
    }),
    max,
  );
}

/** Compares Itinera's nights with the channel's read-back and the connection's acknowledged versions. */
export function compareWithChannel(
  itinera: ItineraNight[],
  channelCounts: { roomType: string; date: IsoDate; count: number }[],
  ackedVersions: Map<string, number>,
): { drifted: DriftedNight[]; lost: LostNight[] } {
  const theirs = new Map(channelCounts.map((c) => [`${c.roomType}|${c.date}`, c.count]));
  const drifted: DriftedNight[] = [];
  const lost: LostNight[] = [];
  for (const n of itinera) {
    const k = `${n.roomType}|${n.date}`;
    const channelCount = theirs.get(k);
    // A night the channel does not know and Itinera cannot sell is not a drift.
    if (channelCount === undefined ? n.count !== 0 : channelCount !== n.count) drifted.push({ roomType: n.roomType, date: n.date, channel: channelCount ?? null, itinera: n.count });
    const pushedVersion = ackedVersions.get(k) ?? 0;
    if (n.version > pushedVersion) lost.push({ roomType: n.roomType, date: n.date, version: n.version, pushedVersion });
  }
  return { drifted, lost };
}

/** Marks nights dirty on a property's sync lane (signal-with-start `repairNights`). */
export type RepairSignaller = (repair: { hotelCode: string; connection: string; nights: RoomNight[] }) => Promise<void>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ChannelSyncDeps {
  db: Pick<Database, 'query'>;
  ports: (connectionCode: string) => Promise<ChannelManagerPort>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  clock?: () => number;
  /** Default: signal-with-start through the activity's own Temporal client. */
  signalRepair?: RepairSignaller;
}

function beat(details?: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // not running as an activity (direct calls in tests)
  }
}

/**
 * The outbound channel sync activities (task queue `channel-sync`): each push reads Itinera's
 * CURRENT state at push time, sends one request, and records the acknowledgement — so a push
 * retried after a newer change sends the newer state, and an older version never overwrites a
 * newer acknowledgement (channel_sync_states.pushed_version).
 */
export function createChannelSyncActivities(deps: ChannelSyncDeps) {
  const directory = new ChannelDirectory(deps.db);
  const clock = deps.clock ?? Date.now;
  const { db, logger } = deps;

  async function port(connection: string): Promise<ChannelManagerPort> {
    try {
      return await deps.ports(connection);
    } catch (err) {
      throw channelFailure(connection, err);
    }
  }

  async function propertyOrFail(hotelCode: string) {
    const property = await directory.property(hotelCode);
    if (!property) throw ApplicationFailure.create({ type: ChannelFailureType.ChannelPropertyUnknown, message: `${hotelCode} is not an active channel property`, nonRetryable: true });
    return property;
  }

  async function recordError(connection: string, hotelCode: string, nights: RoomNight[], message: string): Promise<void> {
    if (nights.length === 0) return;
    await db.query(
      `UPDATE channel_sync_states s SET last_error = $3
         FROM unnest($4::text[], $5::date[]) AS n(room_type, stay_date)
        WHERE s.connection_code = $1 AND s.hotel_code = $2 AND s.room_type = n.room_type AND s.stay_date = n.stay_date`,
      [connection, hotelCode, message.slice(0, 2000), nights.map((n) => n.roomType), nights.map((n) => n.date)],
    );
  }

  async function send<T>(connection: string, hotelCode: string, nights: RoomNight[], call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const failure = channelFailure(connection, err);
      if (failure instanceof ApplicationFailure && failure.nonRetryable) {
        await recordError(connection, hotelCode, nights, failure.message).catch((e: unknown) => logger.error({ err: e, connection, hotelCode }, 'could not record the channel error'));
        logger.warn({ connection, hotelCode, type: failure.type, message: failure.message }, 'channel push refused');
      }
      throw failure;
    }
  }

  const signalRepair: RepairSignaller =
    deps.signalRepair ??
    (async (repair) => {
      // Names and ids fixed by inventory-sync.workflow.ts (by name, to keep the workflow bundle out of activities).
      await Context.current().client.workflow.signalWithStart('InventorySyncWorkflow', {
        workflowId: `channel-sync-${repair.hotelCode}`,
        taskQueue: TASK_QUEUES.channels,
        args: [repair.hotelCode],
        signal: 'repairNights',
        signalArgs: [{ connection: repair.connection, nights: repair.nights }],
      });
    });

  const countsOf = (e: ReconciliationReportEntry): ConnectionReconciliationCounts => ({ checked: e.checked, drifted: e.drifted, lost: e.lost, repaired: e.repaired, error: e.error });

  async function recordedEntry(runId: string, hotelCode: string, connection: string): Promise<ReconciliationReportEntry | null> {
    const rows = await db.query<{ entry: ReconciliationReportEntry }>(
      `SELECT e AS entry FROM channel_reconciliation_runs r, jsonb_array_elements(COALESCE(r.report->'connections', '[]'::jsonb)) e
        WHERE r.id = $1::uuid AND e->>'hotelCode' = $2 AND e->>'connection' = $3`,
      [runId, hotelCode, connection],
    );
    return rows[0]?.entry ?? null;
  }

  /** Appends the entry and adds its counts to the run, once per (property, connection); returns what is recorded. */
  async function recordEntry(runId: string, entry: ReconciliationReportEntry): Promise<ReconciliationReportEntry> {
    const written = await db.query<{ id: string }>(
      `UPDATE channel_reconciliation_runs
          SET checked = checked + $2, repaired = repaired + $3,
              report = jsonb_set(report, '{connections}', COALESCE(report->'connections', '[]'::jsonb) || jsonb_build_array($4::jsonb))
        WHERE id = $1::uuid
          AND NOT COALESCE(report->'connections', '[]'::jsonb) @> jsonb_build_array(jsonb_build_object('hotelCode', $5::text, 'connection', $6::text))
        RETURNING id::text AS id`,
      [runId, entry.checked, entry.repaired, JSON.stringify(entry), entry.hotelCode, entry.connection],
    );
    if (written.length > 0) return entry;
    const existing = await recordedEntry(runId, entry.hotelCode, entry.connection);
    if (existing) return existing;
    throw ApplicationFailure.create({ type: 'ReconciliationRunUnknown', message: `No reconciliation run ${runId}`, nonRetryable: true });
  }

  function spanOf(nights: RoomNight[]): { from: IsoDate; to: IsoDate } {
    const dates = nights.map((n) => n.date).sort();
    return { from: dates[0]!, to: dates[dates.length - 1]! };
  }

  return {
    /** The property's room types and the active connections carrying it (re-read by the sync workflow on start and periodically). */
    async loadPropertySyncSetup(input: { hotelCode: string }): Promise<PropertySyncSetup> {
      const property = await directory.property(input.hotelCode);
      if (!property) return { hotelCode: input.hotelCode, active: false, roomTypes: [], connections: [] };
      const connections = await directory.connectionsFor(input.hotelCode);
      return { hotelCode: input.hotelCode, active: true, roomTypes: property.roomTypes, connections: connections.map((c) => ({ code: c.code, requestsPerSecond: Math.max(1, c.requestsPerSecond) })) };
    },

    /**
     * OTA_HotelInvCountNotifRQ for the nights: current counts, consecutive equal nights as one
     * range. On ack, records count and version per night unless a newer version is already there.
     */
    async pushRoomCounts(input: LanePushInput): Promise<CountPushResult> {
      const empty: CountPushResult = { requests: 0, nights: 0, ranges: 0, maxVersion: 0, stopSellChanged: [], superseded: [] };
      if (input.nights.length === 0) return empty;
      const property = await propertyOrFail(input.hotelCode);
      const known = new Set(property.roomTypes);
      const nights = input.nights.filter((n) => known.has(n.roomType));
      if (nights.length === 0) return empty;
      const channel = await port(input.connection);
      const current = await directory.itineraCounts(property.productId, nights);
      const span = spanOf(nights);
      const states = new Map((await directory.syncStates(input.connection, input.hotelCode, span.from, span.to)).map((s) => [`${s.roomType}|${s.date}`, s]));
      const counts = compressRoomCounts(current.nights);
      beat({ nights: current.nights.length });
      await send(input.connection, input.hotelCode, nights, () => channel.pushCounts({ hotelCode: input.hotelCode, counts }, input.echoToken));
      const ackedAt = new Date(clock());
      const written = await db.query<{ room_type: string; stay_date: string }>(
        `INSERT INTO channel_sync_states AS s (connection_code, hotel_code, room_type, stay_date, pushed_count, pushed_stop_sell, pushed_version, acked_at, last_error)
         SELECT $1, $2, n.room_type, n.stay_date, n.count, false, n.version, $3, NULL
           FROM unnest($4::text[], $5::date[], $6::int[], $7::bigint[]) AS n(room_type, stay_date, count, version)
         ON CONFLICT (connection_code, hotel_code, room_type, stay_date) DO UPDATE
            SET pushed_count = EXCLUDED.pushed_count, pushed_version = EXCLUDED.pushed_version, acked_at = EXCLUDED.acked_at, last_error = NULL
          WHERE s.pushed_version <= EXCLUDED.pushed_version
         RETURNING room_type, to_char(stay_date, 'YYYY-MM-DD') AS stay_date`,
        [
          input.connection,
          input.hotelCode,
          ackedAt,
          current.nights.map((n) => n.roomType),
          current.nights.map((n) => n.date),
          current.nights.map((n) => n.count),
          current.nights.map((n) => String(n.version)),
        ],
      );
      const recorded = new Set(written.map((w) => `${w.room_type}|${w.stay_date}`));
      const key = (n: RoomNight) => `${n.roomType}|${n.date}`;
      return {
        requests: 1,
        nights: current.nights.length,
        ranges: counts.length,
        maxVersion: current.maxVersion,
        // A channel starts open: a night never acknowledged is taken as not stop-sold there.
        stopSellChanged: current.nights.filter((n) => (states.get(key(n))?.pushedStopSell ?? false) !== n.stopSell).map(({ roomType, date }) => ({ roomType, date })),
        superseded: current.nights.filter((n) => !recorded.has(key(n))).map(({ roomType, date }) => ({ roomType, date })),
      };
    },

    /** OTA_HotelAvailNotifRQ with the CURRENT stop-sell of the nights; records pushed_stop_sell on ack. */
    async pushStopSells(input: LanePushInput): Promise<StopSellPushResult> {
      if (input.nights.length === 0) return { requests: 0, statuses: 0 };
      const property = await propertyOrFail(input.hotelCode);
      const known = new Set(property.roomTypes);
      const nights = input.nights.filter((n) => known.has(n.roomType));
      if (nights.length === 0) return { requests: 0, statuses: 0 };
      const channel = await port(input.connection);
      const current = await directory.itineraCounts(property.productId, nights);
      const statuses: AvailabilityStatus[] = compress(current.nights, (n: ItineraNight) => String(n.stopSell)).map(({ first, start, end }) => ({
        roomType: first.roomType,
        ratePlan: null,
        start,
        end,
        restrictions: { stopSell: first.stopSell, ...OPEN },
      }));
      await send(input.connection, input.hotelCode, nights, () => channel.pushAvailability({ hotelCode: input.hotelCode, statuses }, input.echoToken));
      await db.query(
        `UPDATE channel_sync_states s SET pushed_stop_sell = n.stop_sell, acked_at = $3, last_error = NULL
           FROM unnest($4::text[], $5::date[], $6::boolean[]) AS n(room_type, stay_date, stop_sell)
          WHERE s.connection_code = $1 AND s.hotel_code = $2 AND s.room_type = n.room_type AND s.stay_date = n.stay_date`,
        [input.connection, input.hotelCode, new Date(clock()), current.nights.map((n) => n.roomType), current.nights.map((n) => n.date), current.nights.map((n) => n.stopSell)],
      );
      return { requests: 1, statuses: statuses.length };
    },

    /**
     * OTA_HotelRateAmountNotifRQ for the (room type, rate plan, night)s whose channel_rates differ
     * from what this connection acknowledged (missing ack, other operation, amount or currency),
     * every occupancy of such a night, consecutive equal nights as one range; records the acks.
     */
    async pushRateDiff(input: RatePushInput): Promise<RatePushResult> {
      const limit = input.maxNights ?? 500;
      const rows = await db.query<{ room_type: string; rate_plan: string; stay_date: string; guests: number; amount: string; currency: string; operation_id: string }>(
        `WITH dirty AS (
           SELECT DISTINCT r.room_type, r.rate_plan, r.stay_date
             FROM channel_rates r
             LEFT JOIN channel_rate_acks a ON a.connection_code = $1 AND a.hotel_code = r.hotel_code AND a.room_type = r.room_type
                  AND a.rate_plan = r.rate_plan AND a.stay_date = r.stay_date AND a.guests = r.guests
            WHERE r.hotel_code = $2 AND (a.connection_code IS NULL OR a.operation_id <> r.operation_id OR a.amount <> r.amount OR a.currency <> r.currency)
            ORDER BY r.room_type, r.rate_plan, r.stay_date
            LIMIT $3)
         SELECT r.room_type, r.rate_plan, to_char(r.stay_date, 'YYYY-MM-DD') AS stay_date, r.guests, r.amount::text AS amount, r.currency, r.operation_id::text AS operation_id
           FROM channel_rates r JOIN dirty d ON d.room_type = r.room_type AND d.rate_plan = r.rate_plan AND d.stay_date = r.stay_date
          WHERE r.hotel_code = $2
          ORDER BY r.room_type, r.rate_plan, r.stay_date, r.guests`,
        [input.connection, input.hotelCode, limit + 1],
      );
      const byNight = new Map<string, { roomType: string; ratePlan: string; date: string; currency: string; amounts: { guests: number; amount: string }[] }>();
      for (const r of rows) {
        const k = `${r.room_type}|${r.rate_plan}|${r.stay_date}`;
        let night = byNight.get(k);
        if (!night) byNight.set(k, (night = { roomType: r.room_type, ratePlan: r.rate_plan, date: r.stay_date, currency: r.currency, amounts: [] }));
        night.amounts.push({ guests: Number(r.guests), amount: new Dec(r.amount).toFixed(minorUnits(r.currency)) });
      }
      const nights = [...byNight.values()].slice(0, limit);
      const more = byNight.size > limit;
      if (nights.length === 0) return { requests: 0, nights: 0, more: false };
      const channel = await port(input.connection);
      const rates: RateAmount[] = [];
      for (const n of nights) {
        const last = rates[rates.length - 1];
        if (last && last.roomType === n.roomType && last.ratePlan === n.ratePlan && last.currency === n.currency && addDays(last.end, 1) === n.date && JSON.stringify(last.amounts) === JSON.stringify(n.amounts)) last.end = n.date;
        else rates.push({ roomType: n.roomType, ratePlan: n.ratePlan, start: n.date, end: n.date, currency: n.currency, amounts: n.amounts });
      }
      const pushed = new Set(nights.map((n) => `${n.roomType}|${n.ratePlan}|${n.date}`));
      const ackRows = rows.filter((r) => pushed.has(`${r.room_type}|${r.rate_plan}|${r.stay_date}`));
      await send(input.connection, input.hotelCode, [], () => channel.pushRates({ hotelCode: input.hotelCode, rates }, input.echoToken));
      await db.query(
        `INSERT INTO channel_rate_acks AS a (connection_code, hotel_code, room_type, rate_plan, stay_date, guests, amount, currency, operation_id, acked_at)
         SELECT $1, $2, n.room_type, n.rate_plan, n.stay_date, n.guests, n.amount, n.currency, n.operation_id, $3
           FROM unnest($4::text[], $5::text[], $6::date[], $7::int[], $8::numeric[], $9::text[], $10::uuid[]) AS n(room_type, rate_plan, stay_date, guests, amount, currency, operation_id)
         ON CONFLICT (connection_code, hotel_code, room_type, rate_plan, stay_date, guests) DO UPDATE
            SET amount = EXCLUDED.amount, currency = EXCLUDED.currency, operation_id = EXCLUDED.operation_id, acked_at = EXCLUDED.acked_at`,
        [
          input.connection,
          input.hotelCode,
          new Date(clock()),
          ackRows.map((r) => r.room_type),
          ackRows.map((r) => r.rate_plan),
          ackRows.map((r) => r.stay_date),
          ackRows.map((r) => Number(r.guests)),
          ackRows.map((r) => r.amount),
          ackRows.map((r) => r.currency),
          ackRows.map((r) => r.operation_id),
        ],
      );
      return { requests: 1, nights: nights.length, more };
    },

    /**
     * One page of reconciliation targets: active channel properties after `after` (by hotel
     * code), at most `limit` of them, each with the active connections carrying it (properties no
     * connection carries are skipped but still advance the cursor).
     */
    async listReconciliationTargetsPage(input: { after: string | null; limit: number }): Promise<ReconciliationTargetsPage> {
      const limit = Math.max(1, Math.min(500, Math.floor(input.limit)));
      const properties = await directory.propertiesPage(input.after, limit + 1);
      const page = properties.slice(0, limit);
      const targets: ReconciliationTarget[] = [];
      for (const p of page) {
        const connections = await directory.connectionsFor(p.hotelCode);
        if (connections.length > 0) targets.push({ hotelCode: p.hotelCode, connections: connections.map((c) => c.code) });
      }
      return { targets, next: properties.length > limit ? page[page.length - 1]!.hotelCode : null };
    },

    /**
     * Reconciles one (property, connection) end to end, so that only counts travel through the
     * workflow: reads the channel's counts (OTA_HotelInvCountRQ) for inclusive nights
     * `from`..`to`, compares them with Itinera's (drifted nights) and with the version the
     * connection last acknowledged (lost notifications), marks the union dirty on the property's
     * InventorySyncWorkflow (`repairNights`, in chunks, so the repair goes through the paced lane),
     * then appends the connection's entry (ranges, capped) to the run's report and adds to its
     * checked/repaired in one UPDATE. A retry after the entry was recorded returns the recorded
     * counts without reading the channel again.
     */
    async reconcileConnection(input: ReconcileConnectionInput): Promise<ConnectionReconciliationCounts> {
      const recorded = await recordedEntry(input.runId, input.hotelCode, input.connection);
      if (recorded) return countsOf(recorded);
      const property = await propertyOrFail(input.hotelCode);
      const dates = eachDate(input.from, addDays(input.to, 1));
      const nights = property.roomTypes.flatMap((roomType) => dates.map((date) => ({ roomType, date })));
      const channel = await port(input.connection);
      beat('reading the channel');
      let snapshot;
      try {
        snapshot = await channel.readCounts(input.hotelCode, input.from, input.to, input.echoToken);
      } catch (err) {
        throw channelFailure(input.connection, err);
      }
      beat('comparing');
      const current = await directory.itineraCounts(property.productId, nights);
      const acked = new Map((await directory.syncStates(input.connection, input.hotelCode, input.from, input.to)).map((s) => [`${s.roomType}|${s.date}`, s.pushedVersion]));
      const { drifted, lost } = compareWithChannel(current.nights, snapshot.counts, acked);
      const seen = new Set<string>();
      const repair: RoomNight[] = [];
      for (const n of [...drifted, ...lost]) {
        const k = `${n.roomType}|${n.date}`;
        if (!seen.has(k)) {
          seen.add(k);
          repair.push({ roomType: n.roomType, date: n.date });
        }
      }
      repair.sort((x, y) => (x.roomType === y.roomType ? (x.date < y.date ? -1 : 1) : x.roomType < y.roomType ? -1 : 1));
      // Signal before recording: a retry after a failed record signals again (harmless, the lane
      // coalesces), whereas a recorded entry without its signal would report a repair never asked.
      for (let i = 0; i < repair.length; i += REPAIR_NIGHTS_PER_SIGNAL) {
        beat({ repairing: i });
        await signalRepair({ hotelCode: input.hotelCode, connection: input.connection, nights: repair.slice(i, i + REPAIR_NIGHTS_PER_SIGNAL) });
      }
      const entry: ReconciliationReportEntry = {
        hotelCode: input.hotelCode,
        connection: input.connection,
        checked: current.nights.length,
        drifted: drifted.length,
        lost: lost.length,
        repaired: repair.length,
        error: null,
        driftedNights: summariseDrift(drifted),
        lostNights: summariseLost(lost),
      };
      return countsOf(await recordEntry(input.runId, entry));
    },

    /** Records a (property, connection) whose check failed: its entry carries the error, nothing repaired. */
    async recordReconciliationError(input: { runId: string; hotelCode: string; connection: string; error: string }): Promise<void> {
      const none: ReportedNights = { ranges: [], more: 0 };
      await recordEntry(input.runId, {
        hotelCode: input.hotelCode,
        connection: input.connection,
        checked: 0,
        drifted: 0,
        lost: 0,
        repaired: 0,
        error: input.error.slice(0, 1000),
        driftedNights: none,
        lostNights: none,
      });
    },

    /**
     * Creates the run row (idempotent: `id`, when a UUID such as the workflow's first run id, is
     * the row's id, and a retry finds it). Returns the row id.
     */
    async startReconciliationRun(input: { id?: string; startedAt: number; from: IsoDate; to: IsoDate }): Promise<string> {
      const report = JSON.stringify({ from: input.from, to: input.to, connections: [] });
      const [row] = await db.query<{ id: string }>(
        `INSERT INTO channel_reconciliation_runs (id, started_at, report) VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3::jsonb)
         ON CONFLICT (id) DO UPDATE SET started_at = channel_reconciliation_runs.started_at
         RETURNING id::text AS id`,
        [input.id && UUID.test(input.id) ? input.id : null, new Date(input.startedAt), report],
      );
      return row!.id;
    },

    /** Ends the run: checked/repaired were added by each connection; the totals go into the report. */
    async finishReconciliationRun(input: { id: string; endedAt: number; totals: { targets: number; drifted: number; lost: number; errors: number } }): Promise<void> {
      await db.query(`UPDATE channel_reconciliation_runs SET ended_at = $2, report = report || $3::jsonb WHERE id = $1::uuid`, [
        input.id,
        new Date(input.endedAt),
        JSON.stringify({ targets: input.totals.targets, drifted: input.totals.drifted, lost: input.totals.lost, errors: input.totals.errors }),
      ]);
    },
  };
}

export type ChannelSyncActivities = ReturnType<typeof createChannelSyncActivities>;
