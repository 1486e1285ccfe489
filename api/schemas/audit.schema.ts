import { z } from 'zod';

/** GET /audit: filters of the audit trail; query problems are 400 naming the parameter. */
const Instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, e.g. "2026-11-29T08:00:00Z"' });
const Text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const AuditQuery = z
  .strictObject({
    from: Instant.optional().meta({ description: 'Events at or after this instant' }),
    to: Instant.optional().meta({ description: 'Events before this instant' }),
    actor: Text(64).optional().meta({ description: 'User id or API key id' }),
    action: Text(200).optional().meta({ description: 'e.g. "PUT /finance/settings" or "auth.login"' }),
    resourceType: Text(64).optional(),
    resourceId: Text(200).optional(),
    category: z.enum(['master-data', 'financial', 'access', 'action'], { message: 'must be master-data, financial, access or action' }).optional(),
    outcome: z.enum(['success', 'denied', 'failed'], { message: 'must be success, denied or failed' }).optional(),
    limit: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').default(100),
    cursor: z.string().min(1).max(512).regex(/^[A-Za-z0-9_-]+$/, 'must be a nextCursor this endpoint returned').optional(),
    format: z.enum(['json', 'csv'], { message: 'must be json or csv' }).default('json'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { path: ['to'], message: 'must not be before from' });
export type AuditQuery = z.infer<typeof AuditQuery>;
