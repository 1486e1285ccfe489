import { ActivityFailure, ApplicationFailure, continueAsNew, defineQuery, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ChannelSyncActivities } from '../../activities/channel-sync.activities';
import { addDays } from '../../domain/catalog/dates';
import { TASK_QUEUES } from '../task-queues';

export const CHANNEL_RECONCILIATION_TASK_QUEUE = TASK_QUEUES.channels;

export interface ChannelReconciliationInput {
  /** Nights checked: today .. today + horizonDays − 1 (UTC calendar of workflow time). Default 90, at most 730. */
  horizonDays?: number;
  /** Channel properties per page of targets (default 50, 1..500); the workflow continues as new between pages. */
  pageSize?: number;
  /** Set by continue-as-new only: where the run is. */
  resume?: ReconciliationResume;
}

/** Counts over the whole run (every page). */
export interface ReconciliationTotals {
  /** (property, connection) pairs listed so far. */
  targets: number;
  done: number;
  checked: number;
  drifted: number;
  lost: number;
  repaired: number;
  /** Pairs whose check failed (reported with their error in the run's report). */
  errors: number;
}

/** What continue-as-new carries between pages: the run row, its nights, the cursor and the counts. */
export interface ReconciliationResume {
  runId: string;
  from: string;
  to: string;
  /** The last hotel code of the previous page. */
  after: string;
  seq: number;
  totals: ReconciliationTotals;
}

/**
 * Counts only: the per-connection detail (drifted and lost nights as capped ranges, errors) is in
 * channel_reconciliation_runs.report, row `runId`.
 */
export interface ChannelReconciliationResult extends ReconciliationTotals {
  runId: string;
  from: string;
  to: string;
}

export interface ReconciliationProgress extends ReconciliationTotals {
  runId: string | null;
  current: string | null;
}
export const reconciliationProgressQuery = defineQuery<ReconciliationProgress>('reconciliationProgress');

const DEFAULT_PAGE_SIZE = 50;

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
    nonRetryableErrorTypes: ['ChannelUnauthorized', 'ChannelRejected', 'ChannelConnectionInvalid', 'ChannelPropertyUnknown', 'ChannelPushInvalid', 'ReconciliationRunUnknown'],
  },
});

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'InvalidReconciliationRequest');
}

/**
 * The periodic full reconciliation (schedule `channel-reconciliation`): for every channel
 * property × connection, one activity (`reconcileConnection`) reads the channel's counts for the
 * horizon, compares them with Itinera's, marks the drifted nights — and the nights changed since
 * the connection's last acknowledged version (lost notifications) — dirty on the property's
 * InventorySyncWorkflow (so the repair goes through the paced lane), and appends what it found to
 * the channel_reconciliation_runs row. Only counts and the current page of targets pass through
 * this workflow, so its payloads stay small whatever the drift; targets are listed a page of
 * properties at a time, continuing as new between pages with the counts carried.
 */
export async function ChannelReconciliationWorkflow(input: ChannelReconciliationInput = {}): Promise<ChannelReconciliationResult> {
  const horizonDays = input.horizonDays ?? 90;
  if (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > 730) throw invalid(`horizonDays must be a whole number from 1 to 730 (got ${String(input.horizonDays)})`);
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) throw invalid(`pageSize must be a whole number from 1 to 500 (got ${String(input.pageSize)})`);

  const resume = input.resume;
  let from: string;
  let to: string;
  if (resume) {
    ({ from, to } = resume);
  } else {
    from = new Date(Date.now()).toISOString().slice(0, 10);
    to = addDays(from, horizonDays - 1);
  }
  const totals: ReconciliationTotals = resume ? { ...resume.totals } : { targets: 0, done: 0, checked: 0, drifted: 0, lost: 0, repaired: 0, errors: 0 };
  let runId: string | null = resume?.runId ?? null;
  let current: string | null = null;
  setHandler(reconciliationProgressQuery, () => ({ ...totals, runId, current }));

  // The first run's id names the report row, so a retried start finds the same row.
  runId ??= await db.startReconciliationRun({ id: workflowInfo().firstExecutionRunId, startedAt: Date.now(), from, to });
  const tag = workflowInfo().firstExecutionRunId.slice(0, 8);
  let seq = resume?.seq ?? 0;

  const page = await db.listReconciliationTargetsPage({ after: resume?.after ?? null, limit: pageSize });
  const pairs = page.targets.flatMap((t) => t.connections.map((connection) => ({ hotelCode: t.hotelCode, connection })));
  totals.targets += pairs.length;
  for (const { hotelCode, connection } of pairs) {
    current = `${hotelCode}/${connection}`;
    setCurrentDetails(`Reconciling ${current} (${totals.done + 1}/${totals.targets}${page.next ? '+' : ''}), ${from}..${to}`);
    try {
      const r = await check.reconcileConnection({ runId, connection, hotelCode, from, to, echoToken: `${tag}:recon:${++seq}` });
      totals.checked += r.checked;
      totals.drifted += r.drifted;
      totals.lost += r.lost;
      totals.repaired += r.repaired;
      if (r.error !== null) totals.errors++;
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : err;
      const message = cause instanceof Error ? cause.message : String(cause);
      await db.recordReconciliationError({ runId, hotelCode, connection, error: message.slice(0, 1000) });
      totals.errors++;
    }
    totals.done++;
  }
  current = null;

  if (page.next !== null) {
    // Between pages: a fresh history per page, whatever the number of properties.
    return continueAsNew<typeof ChannelReconciliationWorkflow>({ horizonDays, pageSize, resume: { runId, from, to, after: page.next, seq, totals } });
  }

  await db.finishReconciliationRun({ id: runId, endedAt: Date.now(), totals: { targets: totals.targets, drifted: totals.drifted, lost: totals.lost, errors: totals.errors } });
  setCurrentDetails(`Reconciliation ${from}..${to} done: ${totals.checked} room-nights checked, ${totals.repaired} repaired over ${totals.targets} connections (${totals.errors} failed)`);
  return { runId, from, to, ...totals };
}
