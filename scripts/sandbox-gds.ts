import { startSandboxGds } from '../sandbox/gds/server';

/**
 * Runs the sandbox GDS as its own process: `npx tsx scripts/sandbox-gds.ts [--port N] [--host H]`.
 * Prints its URL (`/air/*` Duffel-style JSON, `/ndc/*` NDC XML, `/sandbox/health`) and serves
 * until interrupted. Faults per request with the `X-Sandbox-Fault` header (sandbox/gds/README.md).
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const portText = arg('port') ?? process.env.SANDBOX_GDS_PORT ?? '4010';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port wants 0..65535 (got ${portText})`);
  const gds = await startSandboxGds({ port, host: arg('host') ?? process.env.SANDBOX_GDS_HOST ?? '127.0.0.1' });
  console.log(`sandbox GDS listening on ${gds.url} (Duffel-style JSON: ${gds.url}/air, NDC XML: ${gds.url}/ndc)`);
  const stop = () => {
    void gds.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
