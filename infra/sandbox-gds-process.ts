import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './config';
import type { Logger } from './logger';

export interface SandboxGdsProcess {
  /** Root URL: Duffel-style JSON under `/air`, NDC XML under `/ndc`. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs the sandbox GDS (`scripts/sandbox-gds.ts`) as its own process, as a real supplier would
 * be, and resolves once it prints its URL. `stop()` sends SIGTERM and waits for it to exit.
 */
export function startSandboxGdsProcess(port: number, logger: Logger): Promise<SandboxGdsProcess> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(PROJECT_ROOT, 'scripts', 'sandbox-gds.ts'), '--port', String(port)], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<SandboxGdsProcess>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (!url) return;
      child.stdout.off('data', onData);
      resolve({
        url,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => logger.warn({ component: 'sandbox-gds' }, chunk.toString('utf8').trim()));
    child.once('exit', (code) => reject(new Error(`the sandbox GDS exited with ${code} before listening:\n${output}`)));
  });
}
