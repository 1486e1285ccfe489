import type { Logger } from './logger';
import { startSandboxProcess, type SandboxProcess } from './sandbox-process';

/** Root URL: Duffel-style JSON under `/air`, NDC XML under `/ndc`. */
export type SandboxGdsProcess = SandboxProcess;

/**
 * Runs the sandbox GDS (`scripts/sandbox-gds.ts`) as its own process, as a real supplier would
 * be, and resolves once it prints its URL. `stop()` sends SIGTERM and waits for it to exit.
 */
export function startSandboxGdsProcess(port: number, logger: Logger): Promise<SandboxGdsProcess> {
  return startSandboxProcess('sandbox-gds.ts', ['--port', String(port)], { name: 'sandbox GDS', component: 'sandbox-gds' }, logger);
}
