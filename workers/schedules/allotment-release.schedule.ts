import type { ScheduleDescriptor } from '../../infra/schedules';
import { AllotmentReleaseWorkflow, CATALOG_OPERATIONS_TASK_QUEUE } from '../../workflows/catalog/allotment-release.workflow';

export const DAILY_ALLOTMENT_RELEASE_SCHEDULE_ID = 'catalog-daily-allotment-release';

/**
 * The daily allotment release: 00:15 every day in the operator's zone, on the catalog task queue,
 * so each release date's units go back at the start of that day. BUFFER_ONE: a run still going
 * when the next is due is followed by one more, never two at once. Runs missed within a day are
 * taken when the server comes back; beyond that the next run catches up anyway (it releases every
 * date whose release date has come and whose stay date has not passed).
 */
export function dailyAllotmentReleaseSchedule(timeZone: string): ScheduleDescriptor {
  return {
    scheduleId: DAILY_ALLOTMENT_RELEASE_SCHEDULE_ID,
    spec: { calendars: [{ hour: 0, minute: 15, second: 0, comment: 'daily at 00:15 operator time' }], timezone: timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: AllotmentReleaseWorkflow,
      workflowId: DAILY_ALLOTMENT_RELEASE_SCHEDULE_ID,
      taskQueue: CATALOG_OPERATIONS_TASK_QUEUE,
      args: [{ timeZone }],
    },
    policies: { overlap: 'BUFFER_ONE', catchupWindow: '1 day' },
  };
}
