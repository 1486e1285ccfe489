/**
 * `npm start`: Itinera on its embedded defaults, in one process tree.
 *
 * 1. starts the Temporal dev server (SQLite in .data/, UI on :8233), unless TEMPORAL_ADDRESS is set;
 * 2. applies database migrations (PGlite in .data/pglite, or DATABASE_URL);
 * 3. runs the booking and finance workers (ensuring the finance schedules) and the API in this
 *    process; offline embedded runs also start the treasury-rates sandbox as a rate feed;
 * 4. on the embedded default, runs the sandbox channel manager (its own process), connects its
 *    OTA channels to the demo hotels and reconciles them once;
 * 5. on Ctrl-C (or SIGTERM) drains the worker and stops everything it started.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigError, loadConfig } from '../infra/config';
import { embeddedDataDir } from '../infra/access';
import { SAMPLE_GBP_RATES, startTreasuryRatesServer, type TreasurySandbox } from '../sandbox/treasury-rates-server';
import { startDevServer, type DevServer } from '../infra/dev-server';
import { createLogger } from '../infra/logger';
import { migrateDeploy } from '../infra/migrate';
import { startServices, stopOnSignals, type RunningServices } from '../infra/services';
import { startSandboxGdsProcess, type SandboxGdsProcess } from '../infra/sandbox-gds-process';
import { startSandboxChannelsProcess, type SandboxChannelsProcess } from '../infra/sandbox-channels-process';
import { connectSandboxChannels, ensureSandboxChannelManager, SANDBOX_DEMO_CHANNELS, SANDBOX_MANAGER_CODE } from '../infra/demo-channels';
import { TASK_QUEUES } from '../workflows/task-queues';

async function main() {
  let config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'itinera');
  let devServer: DevServer | null = null;
  let services: RunningServices | null = null;
  let treasury: TreasurySandbox | null = null;
  let gds: SandboxGdsProcess | null = null;
  let channels: SandboxChannelsProcess | null = null;

  // Every step runs even when an earlier one fails: a failed worker drain must not leave the
  // dev server or a sandbox running. The first failure is reported once all steps have run.
  const stopAll = async () => {
    const failures: unknown[] = [];
    for (const step of [() => channels?.stop(), () => services?.stop(), () => devServer?.stop(), () => treasury?.close(), () => gds?.stop()]) {
      try {
        await step();
      } catch (err) {
        logger.error({ err }, 'a shutdown step failed; stopping the rest');
        failures.push(err);
      }
    }
    if (failures.length) throw failures[0];
  };
  stopOnSignals(logger, stopAll);
  // One line on the way out, whatever the path (the smoke test shows it when a shutdown goes wrong).
  process.once('exit', (code) => process.stderr.write(`itinera: process exiting with code ${code}\n`));

  try {
    if (!config.TEMPORAL_ADDRESS) {
      logger.info({ db: config.TEMPORAL_DEV_DB_FILE }, 'starting the Temporal dev server');
      devServer = await startDevServer({
        port: config.TEMPORAL_DEV_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: config.TEMPORAL_DEV_DB_FILE,
        namespace: config.TEMPORAL_NAMESPACE,
      });
    }
    if (!config.TREASURY_RATES_URL && !config.DATABASE_URL) {
      // Embedded default, offline: the treasury-API sandbox stands in for a real rates API, so
      // the daily FX import has a feed that answers. Configure TREASURY_RATES_URL for a real one.
      const apiKey = randomBytes(16).toString('hex');
      treasury = await startTreasuryRatesServer({ apiKey, everyDay: { GBP: SAMPLE_GBP_RATES } });
      config = { ...config, TREASURY_RATES_URL: treasury.url, TREASURY_API_KEY: apiKey, TREASURY_SOURCE: 'TREASURY-SANDBOX', TREASURY_BASE: 'GBP' };
      logger.info({ url: treasury.url }, 'treasury rates sandbox started (embedded default)');
    }
    if (!config.DUFFEL_BASE_URL && !config.NDC_BASE_URL) {
      // No flight supplier configured: the sandbox GDS (its own process, like a supplier's test
      // mode) answers both wire formats, so flight search and ordering work offline.
      gds = await startSandboxGdsProcess(config.SANDBOX_GDS_PORT, logger);
      config = { ...config, DUFFEL_BASE_URL: gds.url, DUFFEL_ACCESS_TOKEN: 'sandbox-token', NDC_BASE_URL: gds.url };
      logger.info({ url: gds.url }, 'sandbox GDS started (no flight supplier configured)');
    }
    logger.info({ database: config.DATABASE_URL ? 'postgresql' : `pglite:${config.ITINERA_PGLITE_DIR}` }, 'applying migrations');
    await migrateDeploy({ databaseUrl: config.DATABASE_URL, pgliteDir: config.ITINERA_PGLITE_DIR }, { quiet: true });
    services = await startServices(config, logger, { worker: true, api: true, devAddress: devServer?.address, ...(devServer ? { temporalUiUrl: devServer.uiUrl } : {}), seedChart: true, seedDemoFinance: !config.DATABASE_URL, seedLocalAccess: !config.DATABASE_URL });
    await services.worker?.ready;
    if (!config.DATABASE_URL) {
      // Embedded default: the sandbox channel manager (its own process) stands in for SiteMinder
      // and its OTAs: Itinera pushes the demo hotels' availability to it, and it posts signed
      // booking webhooks back. A first reconciliation fills its channels with today's counts.
      const secret = await ensureSandboxChannelManager(services.db);
      channels = await startSandboxChannelsProcess(
        { port: config.SANDBOX_CHANNELS_PORT, channels: SANDBOX_DEMO_CHANNELS, webhook: { url: `${services.apiUrl}/channel-managers/${SANDBOX_MANAGER_CODE}/notifications`, secret, managerCode: SANDBOX_MANAGER_CODE } },
        logger,
      );
      await connectSandboxChannels(services.db, channels.url, logger);
      const client = await services.temporal.get();
      await client.workflow.start('ChannelReconciliationWorkflow', {
        workflowId: 'channel-reconciliation-at-start',
        taskQueue: TASK_QUEUES.channels,
        args: [{ horizonDays: config.CHANNEL_RECONCILIATION_HORIZON_DAYS }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    }
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }

  const uiUrl = devServer ? devServer.uiUrl : '(your Temporal cluster\'s UI)';
  process.stdout.write(
    [
      '',
      'Itinera is running.',
      `  API          ${services.apiUrl}   (try: curl ${services.apiUrl}/readyz)`,
      `  Temporal UI  ${uiUrl}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows`,
      `  Temporal     ${devServer?.address ?? config.TEMPORAL_ADDRESS}   namespace ${config.TEMPORAL_NAMESPACE}`,
      ...(gds ? [`  Flights      sandbox GDS ${gds.url}   (Duffel-style JSON /air, NDC XML /ndc)`] : []),
      ...(channels ? [`  Channels     sandbox channel manager ${channels.url}   (OpenTravel XML; ${SANDBOX_DEMO_CHANNELS.join(', ')})`] : []),
      `  Database     ${services.db.kind === 'pglite' ? `PGlite (embedded) in ${config.ITINERA_PGLITE_DIR}` : 'PostgreSQL (DATABASE_URL)'}`,
      `  API docs     ${services.apiUrl}/docs   (OpenAPI 3.1: ${services.apiUrl}/openapi.json)`,
      `  Dashboard    ${services.apiUrl}/reports/dashboard   (open it in a browser: it asks you to sign in)`,
      ...(config.DATABASE_URL
        ? []
        : [
            `  Sign in      POST ${services.apiUrl}/auth/login as admin@itinera.local (first password in ${path.join(embeddedDataDir(config.ITINERA_PGLITE_DIR), 'initial-admin.txt')})`,
            `  Scripts      use the API key in ${path.join(embeddedDataDir(config.ITINERA_PGLITE_DIR), 'local-api-key')} (npm run scenarios, crm:migrate)`,
          ]),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (process.env.ITINERA_DEBUG ? err.stack : err.message) : String(err)}\n`);
  process.exit(1);
});
