/**
 * `npm start`: Itinera on its embedded defaults, in one process tree.
 *
 * 1. starts the Temporal dev server (SQLite in .data/, UI on :8233), unless TEMPORAL_ADDRESS is set;
 * 2. applies database migrations (PGlite in .data/pglite, or DATABASE_URL);
 * 3. runs the worker and the API in this process;
 * 4. on Ctrl-C (or SIGTERM) drains the worker and stops everything it started.
 */
import { ConfigError, loadConfig } from '../infra/config';
import { startDevServer, type DevServer } from '../infra/dev-server';
import { createLogger } from '../infra/logger';
import { migrateDeploy } from '../infra/migrate';
import { startServices, stopOnSignals, type RunningServices } from '../infra/services';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'itinera');
  let devServer: DevServer | null = null;
  let services: RunningServices | null = null;

  const stopAll = async () => {
    await services?.stop();
    await devServer?.stop();
  };
  stopOnSignals(logger, stopAll);

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
    logger.info({ database: config.DATABASE_URL ? 'postgresql' : `pglite:${config.ITINERA_PGLITE_DIR}` }, 'applying migrations');
    await migrateDeploy({ databaseUrl: config.DATABASE_URL, pgliteDir: config.ITINERA_PGLITE_DIR }, { quiet: true });
    services = await startServices(config, logger, { worker: true, api: true, devAddress: devServer?.address, seedChart: true, seedDemoFinance: !config.DATABASE_URL });
    await services.worker?.ready;
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
      `  Database     ${services.db.kind === 'pglite' ? `PGlite (embedded) in ${config.ITINERA_PGLITE_DIR}` : 'PostgreSQL (DATABASE_URL)'}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
