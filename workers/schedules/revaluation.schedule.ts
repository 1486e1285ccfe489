import type { ScheduleDescriptor } from '../../infra/schedules';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { MonthEndRevaluationWorkflow } from '../../workflows/finance/revaluation.workflow';

export const MONTH_END_REVALUATION_SCHEDULE_ID = 'finance-month-end-revaluation';

/**
 * The month-end FX revaluation: 00:30 on the 1st of every month in the operator's zone, on the
 * finance task queue; the workflow works out which month has just ended. BUFFER_ONE: a run still
 * going when the next is due is followed by one more, never two at once. A run missed while the
 * server was down is taken within 3 days (a long weekend); later, finance starts it by hand
 * (`POST /finance/revaluations`).
 */
export function monthEndRevaluationSchedule(timeZone: string): ScheduleDescriptor {
  return {
    scheduleId: MONTH_END_REVALUATION_SCHEDULE_ID,
    spec: { calendars: [{ dayOfMonth: 1, hour: 0, minute: 30, second: 0, comment: 'monthly, 00:30 on the 1st, operator time' }], timezone: timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: MonthEndRevaluationWorkflow,
      workflowId: MONTH_END_REVALUATION_SCHEDULE_ID,
      taskQueue: TASK_QUEUES.finance,
      args: [{ timeZone }],
    },
    policies: { overlap: 'BUFFER_ONE', catchupWindow: '3 days' },
  };
}
