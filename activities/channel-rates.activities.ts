import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ConnectionAckDetail, PrismaChannelRates, RateAckProgress, RateOperationStatus } from './channel-rates.prisma';
import { ChannelRatesError } from './channel-rates.prisma';
import type { RatesChangedSignal } from '../workflows/channels/inventory-sync.workflow';
import { TASK_QUEUES } from '../workflows/task-queues';

/** Failure types of the rate-operation activities (workflows branch on these strings). */
export const ChannelRateFailure = {
  /** The operation row does not exist: a bug or a hand-deleted row; retrying will not help. */
  OperationNotFound: 'ChannelRateOperationNotFound',
} as const;

/**
 * Workflow type, id and signal of the per-property inventory sync (workflows/channels/
 * inventory-sync.workflow.ts), by name to keep the workflow bundle out of activities.
 */
export const INVENTORY_SYNC_WORKFLOW_TYPE = 'InventorySyncWorkflow';
export const inventorySyncWorkflowId = (hotelCode: string) => `channel-sync-${hotelCode}`;
export const RATES_CHANGED_SIGNAL = 'ratesChanged';

/** Tells the property's inventory sync that channel_rates changed (starting it when it is not running). */
export type RatesChangedNotifier = (hotelCode: string, operationId: string) => Promise<void>;

/**
 * The default notifier: signal-with-start of `channel-sync-<hotelCode>` from inside the activity,
 * with the worker's own client. Idempotent: the lane pushes only rows whose ack is missing or differs.
 */
export const signalRatesChangedWithStart: RatesChangedNotifier = async (hotelCode, operationId) => {
  const signalArgs: [RatesChangedSignal] = [{ operationId }];
  await Context.current().client.workflow.signalWithStart(INVENTORY_SYNC_WORKFLOW_TYPE, {
    workflowId: inventorySyncWorkflowId(hotelCode),
    taskQueue: TASK_QUEUES.channels,
    args: [hotelCode],
    signal: RATES_CHANGED_SIGNAL,
    signalArgs,
  });
};

export interface ChannelRateActivityDeps {
  rates: PrismaChannelRates;
  /** Default: signalRatesChangedWithStart. */
  notifyRatesChanged?: RatesChangedNotifier;
  /** Clock for completedAt (epoch ms). */
  now?: () => number;
}

function wrap(err: unknown): never {
  if (err instanceof ChannelRatesError && err.kind === 'not-found') throw ApplicationFailure.nonRetryable(err.message, ChannelRateFailure.OperationNotFound);
  throw err; // database outages and the like: retryable
}

/** Activities of RateOperationWorkflow (task queue TASK_QUEUES.channels). */
export function createChannelRateActivities(deps: ChannelRateActivityDeps) {
  const notify = deps.notifyRatesChanged ?? signalRatesChangedWithStart;
  const now = deps.now ?? Date.now;
  return {
    /** Where the operation stands (hotel, status) and how far each connection acknowledged it. */
    async checkRateOperationAcks(operationId: string): Promise<RateAckProgress> {
      try {
        return await deps.rates.ackProgress(operationId);
      } catch (err) {
        return wrap(err);
      }
    },
    /** Asks the property's sync lanes to push the changed rates. */
    async requestRatePush(input: { hotelCode: string; operationId: string }): Promise<void> {
      await notify(input.hotelCode, input.operationId);
    },
    /** Stores status and per-connection detail; a finished operation is left as it is (returns false). */
    async recordRateOperationProgress(input: { operationId: string; status: RateOperationStatus; detail: Record<string, ConnectionAckDetail> }): Promise<boolean> {
      return deps.rates.recordProgress(input.operationId, input.status, input.detail, now());
    },
  };
}

export type ChannelRateActivities = ReturnType<typeof createChannelRateActivities>;
