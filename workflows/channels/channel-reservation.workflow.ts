import { condition, continueAsNew, defineQuery, defineSignal, log, proxyActivities, setHandler, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { ChannelReservationActivities } from '../../activities/channel-reservation.activities';

/** Signal `notificationReceived`: a notification of this reservation was stored (dedupe key: its id). */
export const notificationReceivedSignal = defineSignal<[{ notificationId: string }]>('notificationReceived');
/** Query `channelReservationProgress`: what the workflow has applied and what is queued. */
export const channelReservationProgressQuery = defineQuery<ChannelReservationProgress>('channelReservationProgress');

export interface ChannelReservationInput {
  managerCode: string;
  reservationId: string;
  /** Carried over by continue-as-new: notifications received but not applied yet, in order. */
  queued?: string[];
  /** Carried over by continue-as-new: the most recent notification ids already applied (dedupe). */
  applied?: string[];
}

export interface AppliedNotification {
  notificationId: string;
  outcome: string;
  detail: string;
}

export interface ChannelReservationProgress {
  queued: string[];
  applied: AppliedNotification[];
}

/** Quiet period after which an idle reservation workflow completes (the next signalWithStart starts a new run). */
export const QUIET_PERIOD = '10 minutes';
/** Dedupe ids kept across continue-as-new. */
const DEDUPE_KEEP = 200;

const { applyChannelNotification } = proxyActivities<ChannelReservationActivities>({
  startToCloseTimeout: '2 minutes',
  // The database being down must not lose a booking: keep retrying (each apply is idempotent).
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['ChannelNotificationNotFound'] },
});
const { cancelChannelReservationBack } = proxyActivities<ChannelReservationActivities>({
  startToCloseTimeout: '1 minute',
  // A channel down for a while: keep trying with backoff, visible in the Temporal UI.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * One channel reservation (`channel-res-<manager>-<reservation>`, task queue `channel-sync`):
 * applies its notifications one at a time, in the order received, via applyChannelNotification
 * (which decides APPLIED / STALE / REJECTED from versions, so an older notification never
 * overwrites a newer state). A reservation refused for lack of rooms is cancelled back to its
 * channel. Signals are deduplicated by notification id. After QUIET_PERIOD without signals the
 * workflow completes; the API's signalWithStart starts a new run on the same id when the next
 * notification comes. Continues as new when the history grows.
 */
export async function ChannelReservationWorkflow(input: ChannelReservationInput): Promise<ChannelReservationProgress> {
  const queue: string[] = [...(input.queued ?? [])];
  const seen = new Set<string>([...(input.applied ?? []), ...queue]);
  const applied: AppliedNotification[] = [];

  setHandler(notificationReceivedSignal, ({ notificationId }) => {
    if (typeof notificationId !== 'string' || seen.has(notificationId)) return;
    seen.add(notificationId);
    queue.push(notificationId);
  });
  setHandler(channelReservationProgressQuery, () => ({ queued: [...queue], applied: [...applied] }));

  for (;;) {
    const woke = await condition(() => queue.length > 0, QUIET_PERIOD);
    if (!woke) break;
    while (queue.length) {
      const notificationId = queue[0]!;
      setCurrentDetails(`Applying notification ${notificationId} of ${input.managerCode}/${input.reservationId}`);
      try {
        const result = await applyChannelNotification({ notificationId });
        applied.push({ notificationId, outcome: result.outcome, detail: result.detail });
        if (result.cancelBack) {
          const back = await cancelChannelReservationBack(result.cancelBack);
          applied[applied.length - 1]!.detail += ` | ${back.detail}`;
        }
      } catch (err) {
        if ((err as { cause?: { type?: string } }).cause?.type === 'ChannelNotificationNotFound') {
          log.warn('channel notification not found; skipped', { notificationId });
          applied.push({ notificationId, outcome: 'MISSING', detail: 'notification not found' });
        } else {
          throw err;
        }
      }
      queue.shift();
    }
    setCurrentDetails(`${input.managerCode}/${input.reservationId}: ${applied.length} notification(s) applied, idle`);
    if (workflowInfo().continueAsNewSuggested || applied.length >= 500) {
      await condition(() => true);
      return continueAsNew<typeof ChannelReservationWorkflow>({
        managerCode: input.managerCode,
        reservationId: input.reservationId,
        queued: [...queue],
        applied: [...seen].slice(-DEDUPE_KEEP),
      });
    }
  }
  return { queued: [], applied };
}
