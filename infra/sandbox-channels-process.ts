import type { Logger } from './logger';
import { startSandboxProcess, type SandboxProcess } from './sandbox-process';

/** Root URL: channel endpoints at `${url}/channels/<code>/ota`, control API below it. */
export type SandboxChannelsProcess = SandboxProcess;

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
  const args = ['--port', String(options.port)];
  if (options.channels) args.push('--channels', options.channels.join(','));
  if (options.webhook) args.push('--webhook-url', options.webhook.url, '--manager-code', options.webhook.managerCode);
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  const env = options.webhook ? { SANDBOX_CHANNELS_SECRET: options.webhook.secret } : undefined;
  return startSandboxProcess('sandbox-channels.ts', args, { name: 'sandbox channel manager', component: 'sandbox-channels', env }, logger);
}
