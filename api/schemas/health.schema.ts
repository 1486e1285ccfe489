import { z } from 'zod';

/**
 * Answers of the health routes (api/routes/health.routes.ts), for the OpenAPI document; the
 * bookings API test parses the real answers with them.
 */

/** `GET /healthz`: the process is up. */
export const LivenessResponse = z.strictObject({ status: z.literal('ok') }).meta({ id: 'Liveness' });

const Check = {
  status: z.literal('up'),
  latencyMs: z.number().int().min(0),
};

/** `GET /readyz` 200: the database and Temporal answered (503 is a problem naming what is down, with the same checks). */
export const ReadinessCheckResponse = z
  .strictObject({
    status: z.literal('ready'),
    checks: z.strictObject({
      database: z.strictObject({ ...Check, kind: z.enum(['postgresql', 'pglite']).meta({ description: 'pglite: the embedded database of development and tests' }) }),
      temporal: z.strictObject({ ...Check, namespace: z.string() }),
    }),
  })
  .meta({ id: 'Readiness' });
