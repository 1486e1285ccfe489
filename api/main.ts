/** `npm run api`: the production API process (set TEMPORAL_ADDRESS and DATABASE_URL). */
import { ConfigError, loadConfig } from '../infra/config';
import { createLogger } from '../infra/logger';
import { startServices, stopOnSignals } from '../infra/services';

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    // PGlite allows one process; the API and the worker as separate processes need PostgreSQL.
    throw new ConfigError([
      'DATABASE_URL: is required when the API runs on its own (the embedded PGlite database belongs to one process: use `npm start` for the all-in-one embedded setup)',
    ]);
  }
  const logger = createLogger(config.LOG_LEVEL, 'itinera-api');
  const services = await startServices(config, logger, { worker: false, api: true });
  stopOnSignals(logger, services.stop);
  logger.info({ url: services.apiUrl, database: services.db.kind }, 'API listening');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
