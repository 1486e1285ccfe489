import type { ScheduleDescriptor } from '../../infra/schedules';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { DailyRevenueRecognitionWorkflow } from '../../workflows/finance/revenue-recognition.workflow';

export const DAILY_REVENUE_RECOGNITION_SCHEDULE_ID = 'finance-daily-revenue-recognition';

/**
 * The daily revenue recognition run: 01:00 every day in the operator's zone, on the finance task
 * queue. BUFFER_ONE: a run still going when the next is due is followed by one more, never two at
 * once. Missed runs within a day (server down) are taken when it comes back; beyond that the next
 * run catches up anyway, because recognition is cumulative ("through" the run date).
 */
export function dailyRevenueRecognitionSchedule(timeZone: string): ScheduleDescriptor {
  return {
    scheduleId: DAILY_REVENUE_RECOGNITION_SCHEDULE_ID,
    spec: { calendars: [{ hour: 1, minute: 0, second: 0, comment: 'daily at 01:00 operator time' }], timezone: timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: DailyRevenueRecognitionWorkflow,
      workflowId: DAILY_REVENUE_RECOGNITION_SCHEDULE_ID,
      taskQueue: TASK_QUEUES.finance,
      args: [{ timeZone }],
    },
    policies: { overlap: 'BUFFER_ONE', catchupWindow: '1 day' },
  };
}
