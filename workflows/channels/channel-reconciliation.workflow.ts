import { ActivityFailure, ApplicationFailure, defineQuery, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ChannelSyncActivities, DriftedNight, LostNight } from '../../activities/channel-sync.activities';
import { addDays } from '../../domain/catalog/dates';
import { TASK_QUEUES } from '../task-queues';

export const CHANNEL_RECONCILIATION_TASK_QUEUE = TASK_QUEUES.channels;

export interface ChannelReconciliationInput {
  /** Nights checked: today .. today + horizonDays − 1 (UTC calendar of workflow time). Default 90, at most 730. */
  horizonDays?: number;
}

/** What one (property, connection) showed. */
export interface ConnectionReconciliation {
  hotelCode: string;
  connection: string;
  checked: number;
  drifted: DriftedNight[];
  lostNotifications: LostNight[];
  /** Nights marked for repair on the property's sync lane. */
  repaired: number;
  /** The check failed (channel down, refused): nothing repaired for this connection this run. */
  error: string | null;
}

export interface ChannelReconciliationResult {
  runId: string;
  from: string;
  to: string;
  checked: number;
  repaired: number;
  connections: ConnectionReconciliation[];
}

export interface ReconciliationProgress {
  targets: number;
  done: number;
  checked: number;
  repaired: number;
  current: string | null;
}
export const reconciliationProgressQuery = defineQuery<ReconciliationProgress>('reconciliationProgress');

const db = proxyActivities<ChannelSyncActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
// A channel that stays down must not hold the whole run: a few attempts, then report it and go on.
const check = proxyActivities<ChannelSyncActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 4,
    nonRetryableErrorTypes: ['ChannelUnauthorized', 'ChannelRejected', 'ChannelConnectionInvalid', 'ChannelPropertyUnknown', 'ChannelPushInvalid'],
  },
});

/**
 * The periodic full reconciliation (schedule `channel-reconciliation`): for every channel
 * property × connection, reads the channel's counts for the horizon, compares them with
 * Itinera's, and marks the drifted nights — and the nights changed since the connection's last
 * acknowledged version (lost notifications) — dirty on the property's InventorySyncWorkflow, so
 * the repair goes through the paced lane. Writes a channel_reconciliation_runs row with what was
 * checked and repaired, per connection.
 */
export async function ChannelReconciliationWorkflow(input: ChannelReconciliationInput = {}): Promise<ChannelReconciliationResult> {
  const horizonDays = input.horizonDays ?? 90;
  if (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > 730) {
    throw ApplicationFailure.nonRetryable(`horizonDays must be a whole number from 1 to 730 (got ${String(input.horizonDays)})`, 'InvalidReconciliationRequest');
  }
  const startedAt = Date.now();
  const from = new Date(startedAt).toISOString().slice(0, 10);
  const to = addDays(from, horizonDays - 1);
  const progress: ReconciliationProgress = { targets: 0, done: 0, checked: 0, repaired: 0, current: null };
  setHandler(reconciliationProgressQuery, () => progress);

  const runId = await db.startReconciliationRun({ startedAt });
  const targets = (await db.listReconciliationTargets()).flatMap((t) => t.connections.map((connection) => ({ hotelCode: t.hotelCode, connection })));
  progress.targets = targets.length;
  const connections: ConnectionReconciliation[] = [];
  let seq = 0;
  for (const { hotelCode, connection } of targets) {
    progress.current = `${hotelCode}/${connection}`;
    setCurrentDetails(`Reconciling ${progress.current} (${progress.done + 1}/${targets.length}), ${from}..${to}`);
    try {
      const drift = await check.checkChannelDrift({ connection, hotelCode, from, to, echoToken: `${workflowInfo().runId.slice(0, 8)}:recon:${++seq}` });
      const seen = new Set<string>();
      const nights = [...drift.drifted, ...drift.lostNotifications]
        .filter((n) => !seen.has(`${n.roomType}|${n.date}`) && seen.add(`${n.roomType}|${n.date}`))
        .map((n) => ({ roomType: n.roomType, date: n.date }));
      if (nights.length > 0) await db.requestChannelRepair({ hotelCode, connection, nights });
      connections.push({ hotelCode, connection, checked: drift.checked, drifted: drift.drifted, lostNotifications: drift.lostNotifications, repaired: nights.length, error: null });
      progress.checked += drift.checked;
      progress.repaired += nights.length;
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : err;
      connections.push({ hotelCode, connection, checked: 0, drifted: [], lostNotifications: [], repaired: 0, error: cause instanceof Error ? cause.message : String(cause) });
    }
    progress.done++;
  }
  progress.current = null;
  const report: Record<string, unknown> = { from, to, connections };
  await db.finishReconciliationRun({ id: runId, endedAt: Date.now(), checked: progress.checked, repaired: progress.repaired, report });
  setCurrentDetails(`Reconciliation ${from}..${to} done: ${progress.checked} room-nights checked, ${progress.repaired} repaired over ${targets.length} connections`);
  return { runId, from, to, checked: progress.checked, repaired: progress.repaired, connections };
}
