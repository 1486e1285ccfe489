import type { Client } from '@temporalio/client';
import type { DevServer } from '../../../infra/dev-server';
import { ensureSchedules } from '../../../infra/schedules';
import { connectClient, startTestDevServer } from '../../../test/support/api-harness';
import { TASK_QUEUES } from '../../task-queues';
import { MONTH_END_REVALUATION_SCHEDULE_ID, monthEndRevaluationSchedule } from '../../../workers/schedules/revaluation.schedule';

/** The time-skipping server has no Schedules: this runs against a real (in-memory) dev server. */
describe('month-end revaluation schedule (Temporal dev server)', () => {
  let server: DevServer;
  let client: Client;

  beforeAll(async () => {
    server = await startTestDevServer();
    client = await connectClient(server.address);
  });
  afterAll(async () => {
    await client?.connection.close();
    await server?.stop();
  });

  it('is created once, then brought up to date, and fires at 00:30 on the 1st of each month in the operator zone', async () => {
    expect(await ensureSchedules(client, [monthEndRevaluationSchedule('Europe/Berlin')])).toEqual({ created: [MONTH_END_REVALUATION_SCHEDULE_ID], updated: [] });
    expect(await ensureSchedules(client, [monthEndRevaluationSchedule('Europe/London')])).toEqual({ created: [], updated: [MONTH_END_REVALUATION_SCHEDULE_ID] });

    // Listing goes through visibility, which catches up shortly after the create.
    let ids: string[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      ids = [];
      for await (const s of client.schedule.list()) ids.push(s.scheduleId);
      if (ids.includes(MONTH_END_REVALUATION_SCHEDULE_ID)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(ids.filter((id) => id === MONTH_END_REVALUATION_SCHEDULE_ID)).toHaveLength(1);

    const described = await client.schedule.getHandle(MONTH_END_REVALUATION_SCHEDULE_ID).describe();
    expect(described.spec.timezone).toBe('Europe/London');
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'MonthEndRevaluationWorkflow', taskQueue: TASK_QUEUES.finance, workflowId: MONTH_END_REVALUATION_SCHEDULE_ID, args: [{ timeZone: 'Europe/London' }] });
    expect(described.policies).toMatchObject({ overlap: 'BUFFER_ONE', catchupWindow: 3 * 24 * 3600 * 1000 });

    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const next = described.info.nextActionTimes.map((d) => local.format(d)); // "01/12/2026, 00:30"
    expect(next.length).toBeGreaterThanOrEqual(3);
    for (const t of next) expect(t).toMatch(/^01\/\d{2}\/\d{4}, 00:30$/);
    // Consecutive months, across the year end (the run after 31 December is on 1 January).
    const months = described.info.nextActionTimes.map((d) => Number(local.format(d).slice(3, 5)));
    months.slice(1).forEach((m, i) => expect(m).toBe((months[i]! % 12) + 1));
    expect(next).toContain(`01/01/${new Date().getUTCFullYear() + (new Date().getUTCMonth() === 0 ? 0 : 1)}, 00:30`);
  });
});
