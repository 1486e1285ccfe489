import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './config';
import type { Logger } from './logger';

export interface SandboxProcess {
  /** The root URL the sandbox printed ("... listening on <url>"). */
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs a sandbox script (`scripts/<script>`) as its own process, as the real supplier would be,
 * and resolves once it prints "listening on <url>". Its stderr goes to the log as warnings under
 * `component`; `env` adds variables (secrets go there, not on the command line `ps` shows).
 * `stop()` sends SIGTERM and waits for it to exit.
 */
export function startSandboxProcess(
  script: string,
  args: string[],
  what: { name: string; component: string; env?: Record<string, string> },
  logger: Logger,
): Promise<SandboxProcess> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(PROJECT_ROOT, 'scripts', script), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...what.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<SandboxProcess>((resolve, reject) => {
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
    child.stderr.on('data', (chunk: Buffer) => logger.warn({ component: what.component }, chunk.toString('utf8').trim()));
    child.once('exit', (code) => reject(new Error(`the ${what.name} exited with ${code} before listening:\n${output}`)));
  });
}
