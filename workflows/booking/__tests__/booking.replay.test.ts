import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOW_PRELOAD_MODULES, WORKFLOWS_PATH } from '../../../workers/booking-worker';

const HISTORIES = path.resolve(__dirname, '..', '__histories__');

/**
 * Bookings run for months: today's workflow code must replay every history recorded by earlier
 * releases (`npm run histories:record -- <release>`). A nondeterministic change fails here; put it
 * behind `patched()` or a new lifecycle revision and record it in workflows/PATCHES.md.
 */
describe('BookingWorkflow replays the histories of earlier releases', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
  // One bundle of today's workflow code for every history (bundling is the slow part).
  let bundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, preloadModules: WORKFLOW_PRELOAD_MODULES, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
  }, 120_000);

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')));
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, file);
  });
});
