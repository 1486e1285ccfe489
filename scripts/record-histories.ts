/**
 * `npm run histories:record -- <release>`: runs each booking scenario on the time-skipping test
 * server (fake activities) and writes its event history to
 * `workflows/booking/__histories__/<scenario>.<release>.json`. Commit the files of each release:
 * the replay test runs the current workflow code against all of them, so a change that would
 * break bookings already in flight fails CI until it is put behind `patched()`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { BookingActivities } from '../activities/booking.activities';
import type { StoredBooking } from '../activities/ports/booking-store';
import { PROJECT_ROOT } from '../infra/config';
import { registerSearchAttributes } from '../infra/search-attributes';
import { temporalTestServerPath } from '../infra/tools';
import { WORKFLOWS_PATH } from '../workers/booking-worker';
import { BookingWorkflow } from '../workflows/booking/booking.workflow';
import { awaitRecordedUpdate } from '../workflows/booking/messages';

const release = process.argv[2];
if (!release || !/^\d{4}-\d{2}-\d{2}$/.test(release)) {
  process.stderr.write('usage: npm run histories:record -- <release date, YYYY-MM-DD>\n');
  process.exit(2);
}

const activities: BookingActivities = {
  async recordBookingDraft(record) {
    return { ...record, status: 'DRAFT', createdAt: 0, updatedAt: 0 } satisfies StoredBooking;
  },
  async expireBookingDraft() {
    return { status: 'EXPIRED' } as StoredBooking;
  },
};

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  try {
    await registerSearchAttributes(env.connection, 'default');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'histories', workflowsPath: WORKFLOWS_PATH, activities });
    const scenarios: Array<{ name: string; run: () => Promise<string> }> = [
      {
        name: 'draft-lapses',
        async run() {
          const handle = await env.client.workflow.start(BookingWorkflow, {
            workflowId: 'booking-ITN-HIST0001',
            taskQueue: 'histories',
            args: [{ reference: 'ITN-HIST0001', customerId: 'C-1', productCode: 'P-1', travelDate: '2099-01-01', price: { amount: '100.00', currency: 'EUR' } }],
          });
          await handle.executeUpdate(awaitRecordedUpdate);
          await handle.result();
          return historyToJSON(await handle.fetchHistory());
        },
      },
    ];
    await worker.runUntil(async () => {
      for (const scenario of scenarios) {
        const file = path.join(PROJECT_ROOT, 'workflows', 'booking', '__histories__', `${scenario.name}.${release}.json`);
        writeFileSync(file, `${await scenario.run()}\n`);
        process.stdout.write(`wrote ${path.relative(PROJECT_ROOT, file)}\n`);
      }
    });
  } finally {
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
