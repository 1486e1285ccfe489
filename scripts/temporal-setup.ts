/**
 * `npm run temporal:setup`: prepares a Temporal cluster for Itinera (idempotent): creates the
 * namespace if missing and registers the custom search attributes. The dev server started by
 * `npm start` needs none of this; a self-hosted cluster does once. (Temporal Cloud namespaces and
 * their search attributes are managed in the Cloud UI or with tcld.)
 */
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ConfigError, loadConfig } from '../infra/config';
import { registerSearchAttributes } from '../infra/search-attributes';
import { clientConnectionOptions, temporalTarget } from '../infra/temporal';

async function main() {
  const config = loadConfig();
  const target = temporalTarget(config);
  const connection = await Connection.connect(clientConnectionOptions(target));
  try {
    try {
      await connection.workflowService.describeNamespace({ namespace: target.namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== 5 /* NOT_FOUND */) throw err;
      await connection.workflowService.registerNamespace({
        namespace: target.namespace,
        workflowExecutionRetentionPeriod: msToTs("30 days"),
      });
      process.stdout.write(`created namespace ${target.namespace}\n`);
    }
    // A new namespace reaches the server's namespace cache after a few seconds: NOT_FOUND until then.
    let added: string[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        added = await registerSearchAttributes(connection, target.namespace);
        break;
      } catch (err) {
        if ((err as { code?: number }).code !== 5 || attempt >= 30) throw err;
        if (attempt === 1) process.stdout.write('waiting for the namespace to become visible…\n');
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    process.stdout.write(
      added.length ? `registered search attributes on ${target.namespace}: ${added.join(', ')}\n` : `search attributes already registered on ${target.namespace}\n`,
    );
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
