import type { ScheduleDescriptor } from '../../infra/schedules';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { DailyFxImportWorkflow, FX_PUBLICATION_TIME_ZONE } from '../../workflows/finance/fx-import.workflow';

export const DAILY_FX_IMPORT_SCHEDULE_ID = 'finance-daily-fx-import';

/**
 * The daily FX import: weekdays at 16:30 Berlin time, half an hour after the ECB's ~16:00 CET
 * publication (the workflow keeps retrying a late feed for hours). SKIP: a run still retrying a
 * late feed is never doubled by the next one. A run missed while the server was down is taken
 * if it comes back within 6 hours, while the day's publication is still the one served.
 */
export function dailyFxImportSchedule(feeds: string[]): ScheduleDescriptor {
  return {
    scheduleId: DAILY_FX_IMPORT_SCHEDULE_ID,
    spec: {
      calendars: [{ dayOfWeek: { start: 'MONDAY', end: 'FRIDAY' }, hour: 16, minute: 30, second: 0, comment: 'weekdays 16:30 Berlin, after the ECB publication' }],
      timezone: FX_PUBLICATION_TIME_ZONE,
    },
    action: {
      type: 'startWorkflow',
      workflowType: DailyFxImportWorkflow,
      workflowId: DAILY_FX_IMPORT_SCHEDULE_ID,
      taskQueue: TASK_QUEUES.finance,
      args: [{ feeds }],
    },
    policies: { overlap: 'SKIP', catchupWindow: '6 hours' },
  };
}
