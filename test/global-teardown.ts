import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__itineraTestPostgres?.stop();
  if (globalThis.__itineraTestDir) rmSync(globalThis.__itineraTestDir, { recursive: true, force: true });
}
