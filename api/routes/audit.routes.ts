import { stringify } from 'csv-stringify/sync';
import { Router } from 'express';
import { InvalidAuditCursor, type PrismaAuditLog } from '../../activities/audit-log.prisma';
import { parseOrProblem, ProblemError, queryOf } from '../problem';
import { AuditQuery } from '../schemas/audit.schema';

export interface AuditRouteDeps {
  audit: Pick<PrismaAuditLog, 'search' | 'flush'>;
}

const CSV_COLUMNS = ['id', 'at', 'actorKind', 'actorId', 'actorName', 'role', 'ip', 'requestId', 'method', 'path', 'action', 'resourceType', 'resourceId', 'outcome', 'status', 'category', 'detail', 'before', 'after'] as const;

/** The audit trail for finance and management (`audit:read`): filtered, newest first, paged; `?format=csv` for a spreadsheet. */
export function auditRoutes(deps: AuditRouteDeps): Router {
  const router = Router();

  router.get('/audit', async (req, res) => {
    const q = parseOrProblem(AuditQuery, queryOf(req), 'query:', 400);
    let page;
    try {
      // Records still buffered (written in batches every few ms) are included.
      await deps.audit.flush();
      page = await deps.audit.search({
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
        ...(q.actor ? { actorId: q.actor } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.resourceType ? { resourceType: q.resourceType } : {}),
        ...(q.resourceId ? { resourceId: q.resourceId } : {}),
        ...(q.category ? { category: q.category } : {}),
        ...(q.outcome ? { outcome: q.outcome } : {}),
        limit: q.limit,
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
    } catch (err) {
      if (err instanceof InvalidAuditCursor) {
        throw new ProblemError(400, 'Invalid request', err.message, '/problems/invalid-cursor', { errors: [{ pointer: 'query:/cursor', detail: 'must be a nextCursor this endpoint returned' }] });
      }
      throw err;
    }
    if (q.format === 'csv') {
      const rows = page.items.map((e) => CSV_COLUMNS.map((c) => (c === 'before' || c === 'after' ? (e[c] === null ? '' : JSON.stringify(e[c])) : (e[c] ?? ''))));
      if (page.nextCursor) res.setHeader('X-Next-Cursor', page.nextCursor);
      res.type('text/csv; charset=utf-8').attachment('audit.csv').send(stringify(rows, { header: true, columns: [...CSV_COLUMNS] }));
      return;
    }
    res.json(page);
  });

  return router;
}
