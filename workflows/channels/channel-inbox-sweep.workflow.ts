import { proxyActivities } from '@temporalio/workflow';
import type { ChannelInboxSweepActivities } from '../../activities/channel-reservation.activities';

const { resubmitPendingNotifications } = proxyActivities<ChannelInboxSweepActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export interface ChannelInboxSweepInput {
  /** Notifications stored longer ago than this and still unprocessed are handed over again (default 60 000). */
  olderThanMs?: number;
}

/**
 * The safety net of the webhook hand-over (schedule every minute, task queue `channel-sync`): a
 * notification stored and acknowledged whose signalWithStart was lost (Temporal down, API crash
 * after the answer) is handed to its reservation workflow again. Re-signalling an applied one is
 * harmless: the workflow deduplicates and apply is idempotent.
 */
export async function ChannelInboxSweepWorkflow(input: ChannelInboxSweepInput = {}): Promise<{ resubmitted: number; failed: number }> {
  return resubmitPendingNotifications({ olderThanMs: input.olderThanMs ?? 60_000 });
}
