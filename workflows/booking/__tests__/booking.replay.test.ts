import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../../workers/booking-worker';

const HISTORIES = path.resolve(__dirname, '..', '__histories__');

/**
 * Bookings run for months: today's workflow code must replay every history recorded by earlier
 * releases (`npm run histories:record -- <release>`). A nondeterministic change fails here; put it
 * behind `patched()` and record it in workflows/PATCHES.md.
 */
describe('BookingWorkflow replays the histories of earlier releases', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')));
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, file);
  });
});
