import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './config';
import type { Logger } from './logger';

export interface SandboxChannelsProcess {
  /** Root URL: channel endpoints at `${url}/channels/<code>/ota`, control API below it. */
  url: string;
  stop(): Promise<void>;
}

export interface SandboxChannelsProcessOptions {
  /** 0: any free port. */
  port: number;
  /** Default BOOKING, EXPEDIA, AIRBNB, AGODA, HOTELBEDS. */
  channels?: string[];
  /** Where generated OTA bookings are POSTed (Itinera's /channel-managers/:code/notifications). */
  webhook?: { url: string; secret: string; managerCode: string };
  seed?: number;
}

/**
 * Runs the sandbox channel manager (`scripts/sandbox-channels.ts`) as its own process, as a real
 * channel manager would be, and resolves once it prints its URL. `stop()` sends SIGTERM and waits.
 */
export function startSandboxChannelsProcess(options: SandboxChannelsProcessOptions, logger: Logger): Promise<SandboxChannelsProcess> {
  const args = [require.resolve('tsx/cli'), path.join(PROJECT_ROOT, 'scripts', 'sandbox-channels.ts'), '--port', String(options.port)];
  if (options.channels) args.push('--channels', options.channels.join(','));
  if (options.webhook) args.push('--webhook-url', options.webhook.url, '--secret', options.webhook.secret, '--manager-code', options.webhook.managerCode);
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<SandboxChannelsProcess>((resolve, reject) => {
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
    child.stderr.on('data', (chunk: Buffer) => logger.warn({ component: 'sandbox-channels' }, chunk.toString('utf8').trim()));
    child.once('exit', (code) => reject(new Error(`the sandbox channel manager exited with ${code} before listening:\n${output}`)));
  });
}
