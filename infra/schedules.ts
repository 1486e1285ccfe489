import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Logger } from './logger';

/**
 * A Temporal Schedule Itinera keeps in place: created at worker start when missing, brought up to
 * date (spec, action, policies) when it exists, never duplicated. Pausing a schedule in the UI is
 * respected: an update keeps the current paused/note state.
 */
export type ScheduleDescriptor = ScheduleOptions & { scheduleId: string };

export interface EnsureReport {
  created: string[];
  updated: string[];
}

export async function ensureSchedules(client: Client, descriptors: ScheduleDescriptor[], logger?: Logger): Promise<EnsureReport> {
  const report: EnsureReport = { created: [], updated: [] };
  for (const d of descriptors) {
    try {
      await client.schedule.create(d);
      report.created.push(d.scheduleId);
      logger?.info({ scheduleId: d.scheduleId }, 'schedule created');
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(d.scheduleId).update((previous) => ({
        ...previous,
        spec: d.spec,
        action: d.action,
        policies: { ...previous.policies, ...d.policies },
      }));
      report.updated.push(d.scheduleId);
      logger?.info({ scheduleId: d.scheduleId }, 'schedule already present: spec and action brought up to date');
    }
  }
  return report;
}
