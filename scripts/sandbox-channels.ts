import { DEFAULT_SANDBOX_CHANNELS, SandboxChannelHub } from '../sandbox/channel-manager/hub';

/**
 * Runs the SANDBOX channel manager (OTA channels for issue 6) as its own process:
 *   npx tsx scripts/sandbox-channels.ts [--port N] [--host H] [--channels BOOKING,EXPEDIA,...]
 *        [--webhook-url URL --secret whsec_... --manager-code CODE] [--seed N]
 * Prints "Sandbox channel manager listening on http://127.0.0.1:PORT" and serves until interrupted.
 * Channel endpoints: POST <url>/channels/<code>/ota; control API in sandbox/channel-manager/hub.ts.
 * Environment fallbacks: SANDBOX_CHANNELS_PORT, SANDBOX_CHANNELS, SANDBOX_CHANNELS_WEBHOOK_URL,
 * SANDBOX_CHANNELS_SECRET, SANDBOX_CHANNELS_MANAGER_CODE.
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const portText = arg('port') ?? process.env.SANDBOX_CHANNELS_PORT ?? '4020';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port wants 0..65535 (got ${portText})`);
  const channelsText = arg('channels') ?? process.env.SANDBOX_CHANNELS;
  const channels = channelsText ? channelsText.split(',').map((c) => c.trim()).filter(Boolean) : DEFAULT_SANDBOX_CHANNELS;
  const url = arg('webhook-url') ?? process.env.SANDBOX_CHANNELS_WEBHOOK_URL;
  const secret = arg('secret') ?? process.env.SANDBOX_CHANNELS_SECRET;
  const managerCode = arg('manager-code') ?? process.env.SANDBOX_CHANNELS_MANAGER_CODE ?? 'SANDBOX';
  if ((url === undefined) !== (secret === undefined)) throw new RangeError('--webhook-url and --secret go together');
  const seedText = arg('seed');
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new RangeError(`--seed wants a whole number (got ${seedText})`);
  const hub = new SandboxChannelHub({ channels, ...(url && secret ? { webhook: { url, secret, managerCode } } : {}), ...(seed !== undefined ? { seed } : {}) });
  const base = await hub.listen(port, arg('host') ?? process.env.SANDBOX_CHANNELS_HOST ?? '127.0.0.1');
  console.log(`Sandbox channel manager listening on ${base} (sandbox channels: ${channels.join(', ')}; endpoint ${base}/channels/<code>/ota)`);
  const stop = () => {
    void hub.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
