import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { ChannelManagerError, isRetryableChannelError } from '../domain/channels/model';
import type { Logger } from '../infra/logger';
import { TASK_QUEUES } from '../workflows/task-queues';
import { ChannelInboxError, type ApplyResult, type CancelBackRequest, type NotificationRef, type PrismaChannelInbox } from './channel-inbox.prisma';
import type { ChannelManagerPort } from './ports/channel-manager';
import type { InventoryChange, InventoryChangeSink } from './ports/inventory-changes';

/**
 * Failure types of the channel reservation activities (`ApplicationFailure.type`). Workflows
 * branch on these strings, never on `instanceof`.
 */
export const ChannelReservationFailureType = {
  /** The notification row does not exist (a hand-deleted row or a bad signal): not retryable, skipped. */
  ChannelNotificationNotFound: 'ChannelNotificationNotFound',
  /** The channel could not be reached to cancel back: retryable with backoff. */
  ChannelCancelBackUnavailable: 'ChannelCancelBackUnavailable',
  /** Temporal refused every hand-over of the sweep: retryable. */
  ChannelHandOverUnavailable: 'ChannelHandOverUnavailable',
} as const;

/** Workflow id of a channel reservation: every notification of it goes to this one workflow. */
export const channelReservationWorkflowId = (managerCode: string, reservationId: string) => `channel-res-${managerCode}-${reservationId}`;

/** Wire names of the reservation workflow (kept here so the API and activities need not import workflow code). */
export const CHANNEL_RESERVATION_WORKFLOW_TYPE = 'ChannelReservationWorkflow';
export const NOTIFICATION_RECEIVED_SIGNAL = 'notificationReceived';

export interface ChannelReservationActivityDeps {
  inbox: PrismaChannelInbox;
  inventorySink: InventoryChangeSink;
  /** The port of a channel connection (activities/channel-ports.ts channelPortFactory). */
  ports: (connectionCode: string) => Promise<ChannelManagerPort>;
  logger: Logger;
  /** Epoch ms; tests pass a fixed clock. */
  now?: () => number;
}

/**
 * Hands stored notifications to their reservation workflows: signalWithStart on
 * `channel-res-<manager>-<reservation>` (a completed workflow id starts a new run). Returns the
 * ones that could not be handed over (they stay pending for the sweep). Never throws.
 */
export async function handOverNotifications(client: Client, refs: NotificationRef[], logger: Logger): Promise<NotificationRef[]> {
  const failed: NotificationRef[] = [];
  await Promise.all(
    refs.map(async (ref) => {
      try {
        await client.workflow.signalWithStart(CHANNEL_RESERVATION_WORKFLOW_TYPE, {
          workflowId: channelReservationWorkflowId(ref.managerCode, ref.reservationId),
          taskQueue: TASK_QUEUES.channels,
          args: [{ managerCode: ref.managerCode, reservationId: ref.reservationId }],
          signal: NOTIFICATION_RECEIVED_SIGNAL,
          signalArgs: [{ notificationId: ref.notificationId }],
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        });
      } catch (err) {
        failed.push(ref);
        logger.warn({ err, notificationId: ref.notificationId, managerCode: ref.managerCode, reservationId: ref.reservationId }, 'channel notification not handed over; the sweep will resubmit it');
      }
    }),
  );
  return failed;
}

/** The activities of ChannelReservationWorkflow (task queue TASK_QUEUES.channels). */
export function createChannelReservationActivities(deps: ChannelReservationActivityDeps) {
  const now = () => new Date(deps.now ? deps.now() : Date.now());
  /** Tells the sink about each change; a failed notice is logged (the reconciliation repairs it). */
  const tell = async (changes: InventoryChange[]) => {
    for (const change of changes) {
      try {
        await deps.inventorySink.inventoryChanged(change);
      } catch (err) {
        deps.logger.warn({ err, change }, 'inventory change not notified; the channel reconciliation will repair it');
      }
    }
  };
  return {
    /**
     * Applies one stored notification (PrismaChannelInbox.apply) and tells the inventory sink
     * about the nights it changed (a failed notice is logged: the reconciliation repairs it).
     */
    async applyChannelNotification(input: { notificationId: string }): Promise<ApplyResult> {
      let result: ApplyResult;
      try {
        result = await deps.inbox.apply(input.notificationId, now());
      } catch (err) {
        if (err instanceof ChannelInboxError) throw ApplicationFailure.nonRetryable(err.message, ChannelReservationFailureType.ChannelNotificationNotFound);
        throw err;
      }
      deps.logger.info({ notificationId: result.notificationId, outcome: result.outcome, detail: result.detail, customerId: result.customer?.customerId, advisorId: result.customer?.advisorId }, 'channel notification applied');
      // Nothing changed here (stale or refused): push the truth again over the channel's own optimistic count.
      const changes = result.changes.length || result.outcome === 'APPLIED' ? result.changes : await deps.inbox.resyncChanges(result.notificationId);
      await tell(changes);
      return result;
    },

    /**
     * Cancels a refused reservation back to its channel (OTA_HotelResNotifRQ Cancel through the
     * connection's port) and records the result on the notification. Unreachable channel:
     * retried; a refusal: recorded, not retried.
     */
    async cancelChannelReservationBack(req: CancelBackRequest): Promise<{ ok: boolean; detail: string }> {
      try {
        const port = await deps.ports(req.connectionCode);
        await port.cancelReservation(req.hotelCode, req.reservationId, req.reason, req.echoToken);
      } catch (err) {
        if (err instanceof ChannelManagerError && isRetryableChannelError(err.kind)) {
          throw ApplicationFailure.create({ message: `Cancel back of ${req.reservationId} via ${req.connectionCode}: ${err.message}`, type: ChannelReservationFailureType.ChannelCancelBackUnavailable, nonRetryable: false });
        }
        const detail = `cancel-back: refused by ${req.connectionCode}: ${err instanceof Error ? err.message : String(err)}`;
        deps.logger.error({ err, ...req }, 'cancel back refused; operations must cancel it by hand');
        await deps.inbox.recordCancelBack(req.notificationId, detail);
        return { ok: false, detail };
      }
      const detail = `cancel-back: cancelled back via ${req.connectionCode}`;
      await deps.inbox.recordCancelBack(req.notificationId, detail);
      // A channel that takes a cancellation back may put the rooms back on its own count: push the truth again.
      await tell(await deps.inbox.resyncChanges(req.notificationId));
      return { ok: true, detail };
    },
  };
}
export type ChannelReservationActivities = ReturnType<typeof createChannelReservationActivities>;

/** The sweep activity (task queue TASK_QUEUES.channels): re-signals notifications whose hand-over was lost. */
export function createChannelInboxSweepActivities(deps: { inbox: PrismaChannelInbox; temporal: { get(): Promise<Client> }; logger: Logger; now?: () => number }) {
  return {
    /** Hands over again every notification still pending after `olderThanMs`; returns how many were resubmitted. */
    async resubmitPendingNotifications(input: { olderThanMs: number }): Promise<{ resubmitted: number; failed: number }> {
      const at = (deps.now ? deps.now() : Date.now()) - input.olderThanMs;
      const pending = await deps.inbox.pendingNotifications(new Date(at));
      if (!pending.length) return { resubmitted: 0, failed: 0 };
      const failed = await handOverNotifications(await deps.temporal.get(), pending, deps.logger);
      if (failed.length === pending.length) throw ApplicationFailure.retryable(`None of ${pending.length} pending channel notifications could be handed over`, ChannelReservationFailureType.ChannelHandOverUnavailable);
      return { resubmitted: pending.length - failed.length, failed: failed.length };
    },
  };
}
export type ChannelInboxSweepActivities = ReturnType<typeof createChannelInboxSweepActivities>;
