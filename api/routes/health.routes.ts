import { Router } from 'express';
import type { ApiDeps } from '../app';

/** `/healthz`: the process is alive. `/readyz`: it can serve, i.e. the database and Temporal answer. */
export function healthRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const check = async (fn: () => Promise<void>) => {
      const started = Date.now();
      try {
        await fn();
        return { status: 'up' as const, latencyMs: Date.now() - started };
      } catch (err) {
        return { status: 'down' as const, latencyMs: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
      }
    };
    const [database, temporal] = await Promise.all([check(() => deps.db.ping()), check(() => deps.temporal.ping())]);
    const ready = database.status === 'up' && temporal.status === 'up';
    res
      .status(ready ? 200 : 503)
      .type(ready ? 'application/json' : 'application/problem+json')
      .json(
        ready
          ? { status: 'ready', checks: { database: { ...database, kind: deps.db.kind }, temporal: { ...temporal, namespace: deps.temporal.namespace } } }
          : {
              type: '/problems/not-ready',
              title: 'Not ready',
              status: 503,
              detail: [database.status === 'down' ? 'database unreachable' : null, temporal.status === 'down' ? 'Temporal unreachable' : null]
                .filter(Boolean)
                .join('; '),
              checks: { database: { ...database, kind: deps.db.kind }, temporal: { ...temporal, namespace: deps.temporal.namespace } },
            },
      );
  });

  return router;
}
