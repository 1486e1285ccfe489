import type { ScheduleDescriptor } from '../../infra/schedules';
import { CHANNEL_RECONCILIATION_TASK_QUEUE, ChannelReconciliationWorkflow } from '../../workflows/channels/channel-reconciliation.workflow';

export const CHANNEL_RECONCILIATION_SCHEDULE_ID = 'channel-reconciliation';

/**
 * The full channel reconciliation every 6 hours (00:40, 06:40, 12:40, 18:40 UTC, clear of the
 * 00:15 allotment release), on the channel-sync queue, checking 90 days ahead. SKIP: a run still
 * going when the next is due makes the next one pointless. Missed runs within 6 hours are taken
 * when the server comes back.
 */
export function channelReconciliationSchedule(horizonDays = 90): ScheduleDescriptor {
  return {
    scheduleId: CHANNEL_RECONCILIATION_SCHEDULE_ID,
    spec: { intervals: [{ every: '6 hours', offset: '40 minutes' }] },
    action: {
      type: 'startWorkflow',
      workflowType: ChannelReconciliationWorkflow,
      workflowId: CHANNEL_RECONCILIATION_SCHEDULE_ID,
      taskQueue: CHANNEL_RECONCILIATION_TASK_QUEUE,
      args: [{ horizonDays }],
    },
    policies: { overlap: 'SKIP', catchupWindow: '6 hours' },
  };
}
