import type { ScheduleDescriptor } from '../../infra/schedules';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { ChannelInboxSweepWorkflow } from '../../workflows/channels/channel-inbox-sweep.workflow';

export const CHANNEL_INBOX_SWEEP_SCHEDULE_ID = 'channel-inbox-sweep';

/**
 * Every 5 minutes, hands over again the channel booking notifications that were stored and
 * acknowledged but whose hand-over to their reservation workflow was lost (the API stopped
 * between the answer and the signal). Older than a minute, so a hand-over in flight is left
 * alone (every 5 minutes, not every minute, to keep the Temporal UI readable). SKIP: a sweep
 * still running makes the next one pointless.
 */
export function channelInboxSweepSchedule(olderThanMs = 60_000): ScheduleDescriptor {
  return {
    scheduleId: CHANNEL_INBOX_SWEEP_SCHEDULE_ID,
    spec: { intervals: [{ every: '5 minutes' }] },
    action: {
      type: 'startWorkflow',
      workflowType: ChannelInboxSweepWorkflow,
      workflowId: CHANNEL_INBOX_SWEEP_SCHEDULE_ID,
      taskQueue: TASK_QUEUES.channels,
      args: [{ olderThanMs }],
    },
    policies: { overlap: 'SKIP', catchupWindow: '5 minutes' },
  };
}
