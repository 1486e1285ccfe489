/**
 * `npm run histories:record -- <release>`: runs the booking lifecycle scenarios (time-skipping
 * server, real activities on PGlite, sandbox GDS) and saves each scenario's event history to
 * `workflows/booking/__histories__/<scenario>.<release>.json`. Commit the files of each release:
 * the replay test runs the current workflow code against all of them, so a change that would
 * break bookings already in flight fails CI until it is put behind `patched()` or a new lifecycle
 * revision (CURRENT_LIFECYCLE_REVISION in domain/booking/model.ts).
 */
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../infra/config';

const release = process.argv[2];
if (!release || !/^\d{4}-\d{2}-\d{2}[a-z]?$/.test(release)) {
  process.stderr.write('usage: npm run histories:record -- <release: YYYY-MM-DD, with a letter for a second release that day>\n');
  process.exit(2);
}

const run = spawnSync('npm', ['test', '--', 'workflows/booking/__tests__/booking-lifecycle.workflow.test.ts', 'workflows/booking/__tests__/group-booking.workflow.test.ts'], {
  cwd: PROJECT_ROOT,
  stdio: 'inherit',
  env: { ...process.env, RECORD_HISTORIES: release },
});
process.exit(run.status ?? 1);
