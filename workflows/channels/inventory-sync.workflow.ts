import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { ChannelSyncActivities, RoomNight } from '../../activities/channel-sync.activities';
import { addDays, daysBetween } from '../../domain/catalog/dates';
import { isIsoDate } from '../../domain/time/instant';
import { TASK_QUEUES } from '../task-queues';

/** Channel pushes, reconciliation and their activities. */
export const CHANNEL_SYNC_TASK_QUEUE = TASK_QUEUES.channels;

/** One workflow per channel property. */
export const inventorySyncWorkflowId = (hotelCode: string): string => `channel-sync-${hotelCode}`;

// ---------------------------------------------------------------- messages (wire names frozen)

export interface InventoryChangedSignal {
  /** Room type, or null for every room type of the property. */
  category: string | null;
  /** Inclusive nights. */
  from: string;
  to: string;
  source: string;
}
export interface RatesChangedSignal {
  /** The rate operation that changed channel_rates (for the log). */
  operationId?: string;
}
export interface RepairNightsSignal {
  connection: string;
  nights: RoomNight[];
}

/** Itinera's inventory of the property changed for these nights: push the new counts to every lane. */
export const inventoryChangedSignal = defineSignal<[InventoryChangedSignal]>('inventoryChanged');
/** channel_rates of the property changed: every lane pushes its rate diff (see pushRateDiff). */
export const ratesChangedSignal = defineSignal<[RatesChangedSignal]>('ratesChanged');
/** channel_connections changed: re-read which connections carry the property. */
export const connectionsChangedSignal = defineSignal<[]>('connectionsChanged');
/** Reconciliation: these nights drifted on this connection; push them again. */
export const repairNightsSignal = defineSignal<[RepairNightsSignal]>('repairNights');

export interface LaneStatus {
  connection: string;
  requestsPerSecond: number;
  /** Room-nights waiting for a count push. */
  pendingNights: number;
  pendingStopSells: number;
  ratesPending: boolean;
  inFlight: boolean;
  lastAckAt: number | null;
  lastError: { at: number; type: string; message: string } | null;
  /** Requests acknowledged by this lane (this run). */
  pushes: number;
}
export interface InventorySyncStatus {
  hotelCode: string;
  lanes: LaneStatus[];
  pushesThisRun: number;
}
/** Per lane status of the property's sync. */
export const syncStatusQuery = defineQuery<InventorySyncStatus>('syncStatus');

// ---------------------------------------------------------------- state

/** Sets as JSON: room type → night → true. */
type NightSet = Record<string, Record<string, true>>;

interface LaneState {
  connection: string;
  requestsPerSecond: number;
  dirty: NightSet;
  stopSellDirty: NightSet;
  ratesDirty: boolean;
  inFlight: boolean;
  lastAckAt: number | null;
  lastError: LaneStatus['lastError'];
  pushes: number;
  /** Workflow times at which recent requests completed (the pacing window). */
  sentAt: number[];
  removed: boolean;
}

/** What continue-as-new carries: the work not yet pushed. */
export interface InventorySyncCarry {
  lanes: Record<string, { dirty: NightSet; stopSellDirty: NightSet; ratesDirty: boolean }>;
  pending: InventoryChangedSignal[];
  pendingRates: boolean;
  /** Repairs received before the lanes were set up. */
  pendingRepairs?: RepairNightsSignal[];
}

/** Room-nights per request (a count or availability message). */
const MAX_NIGHTS_PER_PUSH = 500;
/** A change wider than this is cut (two years of nights). */
const MAX_CHANGE_NIGHTS = 731;
const CONTINUE_AS_NEW_AFTER_PUSHES = 500;
const REFRESH_INTERVAL = '10 minutes';
/** An idle property's workflow ends after this; the next change starts it again (signal-with-start). */
const IDLE_TIMEOUT_MS = 3_600_000;

const acts = proxyActivities<ChannelSyncActivities>({
  startToCloseTimeout: '1 minute',
  // Unlimited attempts for unavailable / timeout / rate-limited / malformed: the lane waits
  // (coalescing changes meanwhile) and shows as retrying in the UI; refusals end the push.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ['ChannelUnauthorized', 'ChannelRejected', 'ChannelConnectionInvalid', 'ChannelPropertyUnknown', 'ChannelPushInvalid'],
  },
});

function addNight(set: NightSet, roomType: string, date: string): void {
  (set[roomType] ??= {})[date] = true;
}
function countNights(set: NightSet): number {
  let n = 0;
  for (const dates of Object.values(set)) n += Object.keys(dates).length;
  return n;
}
/** Removes and returns up to `max` nights, earliest first. */
function takeNights(set: NightSet, max: number): RoomNight[] {
  const out: RoomNight[] = [];
  for (const roomType of Object.keys(set).sort()) {
    const dates = set[roomType]!;
    for (const date of Object.keys(dates).sort()) {
      if (out.length >= max) return out;
      out.push({ roomType, date });
      delete dates[date];
    }
    if (Object.keys(dates).length === 0) delete set[roomType];
  }
  return out;
}
function mergeSet(into: NightSet, from: NightSet): void {
  for (const [roomType, dates] of Object.entries(from)) for (const date of Object.keys(dates)) addNight(into, roomType, date);
}

/**
 * Pushes a channel property's availability to every connection carrying it: one lane per
 * connection, each with its own dirty (room type, night) sets, pushing at most
 * `requestsPerSecond` requests per second (paced with workflow timers: changes coalesce while a
 * lane waits, nothing is dropped). A push reads the CURRENT counts when it runs, pushes for one lane
 * are serialised, and an ack is recorded only if its version is not older than the one recorded,
 * so an older count never overwrites a newer one. Lanes are independent coroutines: a channel
 * that is down keeps only its own lane retrying.
 *
 * Started (and restarted) by signal-with-start `inventoryChanged` / `ratesChanged` /
 * `repairNights` on `channel-sync-<hotelCode>`; ends after an idle hour; continues as new after
 * ~500 pushes or when the SDK suggests it, carrying the pending work.
 */
export async function InventorySyncWorkflow(hotelCode: string, carried?: InventorySyncCarry): Promise<{ ended: 'idle' | 'property-inactive' }> {
  const lanes: Record<string, LaneState> = {};
  const loops: Promise<void>[] = [];
  let roomTypes: string[] | null = null;
  let pending: InventoryChangedSignal[] = carried?.pending ? [...carried.pending] : [];
  let pendingRates = carried?.pendingRates ?? false;
  let pendingRepairs: RepairNightsSignal[] = carried?.pendingRepairs ? [...carried.pendingRepairs] : [];
  let refreshRequested = false;
  let stopping = false;
  let pushesThisRun = 0;
  let seq = 0;
  let lastActivityAt = Date.now();
  const runTag = workflowInfo().runId.slice(0, 8);

  const hasWork = (l: LaneState) => countNights(l.dirty) > 0 || countNights(l.stopSellDirty) > 0 || l.ratesDirty;
  const liveLanes = () => Object.values(lanes).filter((l) => !l.removed);

  function applyChange(change: InventoryChangedSignal, targets: LaneState[]): void {
    const types = change.category === null ? (roomTypes ?? []) : [change.category];
    const nights = Math.min(daysBetween(change.from, change.to) + 1, MAX_CHANGE_NIGHTS);
    for (const lane of targets) for (const t of types) for (let i = 0; i < nights; i++) addNight(lane.dirty, t, addDays(change.from, i));
    lastActivityAt = Date.now();
  }

  setHandler(inventoryChangedSignal, (change) => {
    if (!isIsoDate(change.from) || !isIsoDate(change.to) || change.from > change.to || (change.category !== null && typeof change.category !== 'string')) {
      log.warn('inventoryChanged ignored: from/to must be dates YYYY-MM-DD with from <= to', { hotelCode, change });
      return;
    }
    if (roomTypes === null) pending.push(change);
    else applyChange(change, liveLanes());
  });
  setHandler(ratesChangedSignal, () => {
    if (roomTypes === null) pendingRates = true;
    for (const lane of liveLanes()) lane.ratesDirty = true;
    lastActivityAt = Date.now();
  });
  setHandler(connectionsChangedSignal, () => {
    refreshRequested = true;
  });
  function applyRepair({ connection, nights }: RepairNightsSignal): void {
    // A repair for a connection not carrying the property (any more) is dropped: the next reconciliation decides again.
    const lane = lanes[connection];
    if (!lane || lane.removed || !Array.isArray(nights)) return;
    for (const n of nights) if (typeof n.date === 'string' && isIsoDate(n.date) && typeof n.roomType === 'string') addNight(lane.dirty, n.roomType, n.date);
    lastActivityAt = Date.now();
  }
  setHandler(repairNightsSignal, (repair) => {
    if (roomTypes === null) pendingRepairs.push(repair);
    else if (!lanes[repair.connection]) {
      // Perhaps a connection added since the last refresh: look again, then apply.
      pendingRepairs.push(repair);
      refreshRequested = true;
    } else applyRepair(repair);
  });
  setHandler(syncStatusQuery, () => ({
    hotelCode,
    pushesThisRun,
    lanes: Object.values(lanes)
      .filter((l) => !l.removed)
      .map((l) => ({
        connection: l.connection,
        requestsPerSecond: l.requestsPerSecond,
        pendingNights: countNights(l.dirty),
        pendingStopSells: countNights(l.stopSellDirty),
        ratesPending: l.ratesDirty,
        inFlight: l.inFlight,
        lastAckAt: l.lastAckAt,
        lastError: l.lastError,
        pushes: l.pushes,
      })),
  }));

  /** Waits until the lane may send one more request within its per-second limit. */
  async function acquireSlot(lane: LaneState): Promise<void> {
    for (;;) {
      const now = Date.now();
      lane.sentAt = lane.sentAt.filter((t) => t > now - 1000);
      if (lane.sentAt.length < lane.requestsPerSecond) return;
      await sleep(lane.sentAt[0]! + 1000 - now);
    }
  }

  /** One paced request; a refusal is recorded on the lane and the lane moves on. */
  async function paced<T extends { requests: number }>(lane: LaneState, call: (echoToken: string) => Promise<T>): Promise<T | null> {
    await acquireSlot(lane);
    lane.inFlight = true;
    try {
      const result = await call(`${runTag}:${lane.connection}:${++seq}`);
      // Completion time: the request was sent before it, so spacing from here is conservative.
      for (let i = 0; i < result.requests; i++) lane.sentAt.push(Date.now());
      if (result.requests > 0) {
        lane.pushes += result.requests;
        pushesThisRun += result.requests;
        lane.lastAckAt = Date.now();
      }
      return result;
    } catch (err) {
      lane.sentAt.push(Date.now());
      const cause = err instanceof ActivityFailure ? err.cause : err;
      const type = cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : 'Error';
      const message = cause instanceof Error ? cause.message : String(cause);
      lane.lastError = { at: Date.now(), type, message };
      log.warn('channel push failed; lane moves on', { hotelCode, connection: lane.connection, type, message });
      return null;
    } finally {
      lane.inFlight = false;
      lastActivityAt = Date.now();
    }
  }

  async function runLane(lane: LaneState): Promise<void> {
    for (;;) {
      await condition(() => lane.removed || stopping || hasWork(lane));
      if (lane.removed || stopping) return;
      if (countNights(lane.dirty) > 0) {
        const nights = takeNights(lane.dirty, MAX_NIGHTS_PER_PUSH);
        const r = await paced(lane, (echoToken) => acts.pushRoomCounts({ connection: lane.connection, hotelCode, nights, echoToken }));
        for (const n of r?.stopSellChanged ?? []) addNight(lane.stopSellDirty, n.roomType, n.date);
        for (const n of r?.superseded ?? []) addNight(lane.dirty, n.roomType, n.date);
      }
      if (countNights(lane.stopSellDirty) > 0 && !lane.removed && !stopping) {
        const nights = takeNights(lane.stopSellDirty, MAX_NIGHTS_PER_PUSH);
        await paced(lane, (echoToken) => acts.pushStopSells({ connection: lane.connection, hotelCode, nights, echoToken }));
      }
      if (lane.ratesDirty && !lane.removed && !stopping) {
        lane.ratesDirty = false;
        const r = await paced(lane, (echoToken) => acts.pushRateDiff({ connection: lane.connection, hotelCode, echoToken }));
        if (r?.more) lane.ratesDirty = true;
      }
      setCurrentDetails(`${hotelCode}: ${liveLanes().map((l) => `${l.connection} ${countNights(l.dirty)} pending, ${l.pushes} pushed${l.lastError ? `, last error ${l.lastError.type}` : ''}`).join('; ')}`);
    }
  }

  async function refresh(): Promise<boolean> {
    const setup = await acts.loadPropertySyncSetup({ hotelCode });
    roomTypes = setup.roomTypes;
    const wanted = new Map(setup.connections.map((c) => [c.code, c.requestsPerSecond]));
    for (const lane of Object.values(lanes)) {
      if (!wanted.has(lane.connection)) lane.removed = true;
    }
    for (const [code, rps] of wanted) {
      const existing = lanes[code];
      if (existing && !existing.removed) {
        existing.requestsPerSecond = rps;
        continue;
      }
      const fromCarry = carried?.lanes[code];
      const lane: LaneState = {
        connection: code,
        requestsPerSecond: rps,
        dirty: {},
        stopSellDirty: {},
        ratesDirty: false,
        inFlight: false,
        lastAckAt: null,
        lastError: null,
        pushes: 0,
        sentAt: [],
        removed: false,
      };
      if (fromCarry) {
        mergeSet(lane.dirty, fromCarry.dirty);
        mergeSet(lane.stopSellDirty, fromCarry.stopSellDirty);
        lane.ratesDirty = fromCarry.ratesDirty;
      }
      lanes[code] = lane;
      loops.push(runLane(lane));
    }
    const live = liveLanes();
    for (const change of pending) applyChange(change, live);
    pending = [];
    if (pendingRates) for (const lane of live) lane.ratesDirty = true;
    pendingRates = false;
    for (const repair of pendingRepairs) applyRepair(repair);
    pendingRepairs = [];
    carried = undefined;
    return setup.active;
  }

  const shouldContinueAsNew = () => pushesThisRun >= CONTINUE_AS_NEW_AFTER_PUSHES || workflowInfo().continueAsNewSuggested;
  const busy = () => liveLanes().some((l) => l.inFlight || hasWork(l));

  let ended: 'idle' | 'property-inactive' | null = null;
  if (!(await refresh())) ended = 'property-inactive';
  while (ended === null) {
    const woke = await condition(() => refreshRequested || shouldContinueAsNew(), REFRESH_INTERVAL);
    if (shouldContinueAsNew()) break;
    refreshRequested = false;
    if (!(await refresh())) {
      ended = 'property-inactive';
      break;
    }
    // Idle for an hour with nothing pending: end; the next change starts the workflow again.
    if (!woke && !busy() && Date.now() - lastActivityAt >= IDLE_TIMEOUT_MS) ended = 'idle';
  }

  stopping = true;
  await Promise.all(loops);
  await condition(allHandlersFinished);
  if (ended !== null && !busy() && pending.length === 0 && pendingRepairs.length === 0) return { ended };

  // Continue as new (or a change arrived while ending): carry the pending work.
  const carry: InventorySyncCarry = { lanes: {}, pending, pendingRates, pendingRepairs };
  for (const lane of liveLanes()) carry.lanes[lane.connection] = { dirty: lane.dirty, stopSellDirty: lane.stopSellDirty, ratesDirty: lane.ratesDirty };
  return continueAsNew<typeof InventorySyncWorkflow>(hotelCode, carry);
}
