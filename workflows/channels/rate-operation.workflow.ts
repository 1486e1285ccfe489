import { defineQuery, proxyActivities, setCurrentDetails, setHandler, sleep } from '@temporalio/workflow';
import type { ChannelRateActivities } from '../../activities/channel-rates.activities';
import type { ConnectionAckDetail, RateAckProgress, RateOperationStatus } from '../../activities/channel-rates.prisma';

const { checkRateOperationAcks, requestRatePush, recordRateOperationProgress } = proxyActivities<ChannelRateActivities>({
  startToCloseTimeout: '1 minute',
  // A database or Temporal outage must not lose the operation: keep retrying, at most once a minute.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['ChannelRateOperationNotFound'] },
});

/** Workflow id of the operation's coordinator. */
export const rateOperationWorkflowId = (operationId: string) => `channel-rates-${operationId}`;

export interface RateOperationOptions {
  /** How long every connection has to acknowledge before the operation is FAILED (default 24 h). */
  deadlineMs?: number;
  /** First wait between checks (default 2 s), doubled up to `maxPollMs` (default 30 s). */
  pollMs?: number;
  maxPollMs?: number;
  /** While still pending, the push is requested again this often (default 10 min), in case a signal was lost. */
  renudgeMs?: number;
}

export interface RateOperationProgress {
  operationId: string;
  hotelCode: string | null;
  status: RateOperationStatus;
  /** Per connection carrying the property. */
  connections: Record<string, ConnectionAckDetail>;
  deadline: number;
  checks: number;
}

/** Read-only view of the operation while it runs. */
export const rateOperationProgressQuery = defineQuery<RateOperationProgress>('progress');

const DAY_MS = 86_400_000;

function detailOf(progress: RateAckProgress, final: 'FAILED' | null): Record<string, ConnectionAckDetail> {
  const out: Record<string, ConnectionAckDetail> = {};
  for (const c of progress.connections) {
    out[c.connection] = {
      status: c.done ? 'ACKNOWLEDGED' : (final ?? 'PENDING'),
      acknowledged: c.acknowledged,
      total: c.total,
      ackedAt: c.lastAckAt === null ? null : new Date(c.lastAckAt).toISOString(),
      error: c.done ? null : c.lastError ?? (final ? `acknowledged ${c.acknowledged} of ${c.total} rates before the deadline` : null),
    };
  }
  return out;
}

const sameDetail = (a: Record<string, ConnectionAckDetail>, b: Record<string, ConnectionAckDetail>) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One coordinated rate change to every channel (workflow id `channel-rates-<operationId>`).
 *
 * The operation and its desired rates are already stored (PrismaChannelRates.createRateOperation).
 * This workflow asks the property's inventory sync (`channel-sync-<hotelCode>`, signal
 * `ratesChanged`) to push them, then watches the acknowledgements with durable timers (2 s,
 * doubling to 30 s) until every active connection carrying the property acknowledged this
 * operation's rows (or a newer operation's) → ACKNOWLEDGED, or the deadline passes → FAILED with
 * per-connection detail. Retrying the pushes is the sync lanes' job; this reports it. The row's
 * status and detail are updated as connections acknowledge. A connection added while the operation
 * runs must acknowledge too; one deactivated drops out. No connection at all → ACKNOWLEDGED at once.
 */
export async function RateOperationWorkflow(operationId: string, options: RateOperationOptions = {}): Promise<RateOperationProgress> {
  const startedAt = Date.now();
  const deadline = startedAt + (options.deadlineMs ?? DAY_MS);
  const maxPoll = options.maxPollMs ?? 30_000;
  const renudge = options.renudgeMs ?? 10 * 60_000;
  let interval = options.pollMs ?? 2_000;
  const state: RateOperationProgress = { operationId, hotelCode: null, status: 'PENDING', connections: {}, deadline, checks: 0 };
  setHandler(rateOperationProgressQuery, () => state);

  let progress = await checkRateOperationAcks(operationId);
  state.hotelCode = progress.hotelCode;
  if (progress.status !== 'PENDING') {
    // Already decided (a rerun of a finished operation): report it, change nothing.
    state.status = progress.status;
    state.connections = detailOf(progress, progress.status === 'FAILED' ? 'FAILED' : null);
    return state;
  }
  setCurrentDetails(`Rates of ${progress.hotelCode}: asking the channels to push`);
  await requestRatePush({ hotelCode: progress.hotelCode, operationId });
  let lastNudge = Date.now();

  for (;;) {
    state.checks++;
    const allDone = progress.connections.every((c) => c.done);
    const now = Date.now();
    const final: RateOperationStatus = allDone ? 'ACKNOWLEDGED' : now >= deadline ? 'FAILED' : 'PENDING';
    const detail = detailOf(progress, final === 'FAILED' ? 'FAILED' : null);
    if (final !== 'PENDING' || !sameDetail(detail, state.connections)) {
      state.connections = detail;
      await recordRateOperationProgress({ operationId, status: final, detail });
    }
    state.status = final;
    const done = progress.connections.filter((c) => c.done).length;
    setCurrentDetails(`Rates of ${progress.hotelCode}: ${final}, ${done} of ${progress.connections.length} channels acknowledged`);
    if (final !== 'PENDING') return state;

    await sleep(Math.max(1, Math.min(interval, deadline - now)));
    interval = Math.min(interval * 2, maxPoll);
    if (Date.now() - lastNudge >= renudge) {
      await requestRatePush({ hotelCode: progress.hotelCode, operationId });
      lastNudge = Date.now();
    }
    // An operation row that disappears fails the workflow (non-retryable ChannelRateOperationNotFound).
    progress = await checkRateOperationAcks(operationId);
  }
}
