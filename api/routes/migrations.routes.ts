import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { MigrationOptions } from '../../activities/migration/migration.types';
import { calendarDateIn } from '../../domain/time/instant';
import type { PrismaClient } from '../../generated/prisma/client';
import type { TemporalClientProvider } from '../../infra/temporal';
import { migrationProgressQuery, migrationWorkflowId, type CustomerMigrationWorkflow, type MigrationProgress } from '../../workflows/migration/customer-migration.workflow';
import { TASK_QUEUES } from '../../workflows/task-queues';
import { NotFoundProblem, parseOrProblem } from '../problem';
import { MigrationIssuesQuery, MigrationPath, StartMigrationRequest } from '../schemas/migration.schema';

export interface MigrationRouteDeps {
  prisma: PrismaClient;
  temporal: TemporalClientProvider;
  operatorTimeZone: string;
  /** Temporal UI base, for links to the run (default http://localhost:8233). */
  temporalUiUrl?: string;
  now?: () => number;
}

/** Legacy CRM migrations: start one (or a dry run), follow its progress, read its report, issues and merges. */
export function migrationRoutes(deps: MigrationRouteDeps): Router {
  const router = Router();
  const now = deps.now ?? Date.now;
  const ui = deps.temporalUiUrl ?? 'http://localhost:8233';

  /** Starts a run and answers at once (202) with where to follow it; the same runId while it runs joins it. */
  router.post('/migrations', async (req, res) => {
    const body = parseOrProblem(StartMigrationRequest, req.body);
    const runId = body.runId ?? `${calendarDateIn(now(), deps.operatorTimeZone)}-${randomUUID().slice(0, 8)}`;
    const options: MigrationOptions = {
      sourceDir: body.sourceDir,
      system: body.system,
      dryRun: body.dryRun,
      today: body.today ?? calendarDateIn(now(), deps.operatorTimeZone),
      dayFirst: body.dayFirst,
      dedup: body.dedup,
      chunkSize: body.chunkSize,
      timeZone: deps.operatorTimeZone,
    };
    const client = await deps.temporal.get();
    const workflowId = migrationWorkflowId(runId);
    await client.workflow.start<typeof CustomerMigrationWorkflow>('CustomerMigrationWorkflow', {
      taskQueue: TASK_QUEUES.crm,
      workflowId,
      args: [{ runId, options }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `${options.dryRun ? 'Dry run of the' : 'The'} migration of ${options.system} customers from ${options.sourceDir}`,
    });
    res
      .status(202)
      .location(`/migrations/${runId}`)
      .json({ runId, workflowId, dryRun: options.dryRun, options, links: { progress: `/migrations/${runId}`, issues: `/migrations/${runId}/issues`, temporalUi: `${ui}/namespaces/default/workflows/${workflowId}` } });
  });

  /** Progress while running (from the workflow's query), the stored report once finished. */
  router.get('/migrations/:runId', async (req, res) => {
    const { runId } = parseOrProblem(MigrationPath, { runId: req.params.runId }, 'path:', 400);
    const client = await deps.temporal.get();
    let progress: MigrationProgress | null = null;
    try {
      progress = await client.workflow.getHandle(migrationWorkflowId(runId)).query(migrationProgressQuery);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const run = await deps.prisma.migrationRun.findUnique({ where: { id: runId } });
    if (!progress && !run) throw new NotFoundProblem(`No migration run ${runId}`);
    res.json({
      runId,
      status: progress?.status ?? run?.status,
      dryRun: progress?.dryRun ?? run?.dryRun,
      progress,
      report: progress?.report ?? (run?.status === 'COMPLETED' ? run.report : null),
      error: progress?.error ?? (run?.status === 'FAILED' ? (run.report as { error?: string } | null)?.error ?? null : null),
    });
  });

  /** The run's row-level issues, filtered by file, code or severity, a page at a time (in file order). */
  router.get('/migrations/:runId/issues', async (req, res) => {
    const { runId } = parseOrProblem(MigrationPath, { runId: req.params.runId }, 'path:', 400);
    const q = parseOrProblem(MigrationIssuesQuery, { ...(req.query as Record<string, unknown>) }, 'query:', 400);
    if (!(await deps.prisma.migrationRun.findUnique({ where: { id: runId }, select: { id: true } }))) throw new NotFoundProblem(`No migration run ${runId}`);
    const rows = await deps.prisma.migrationRowIssue.findMany({
      where: { runId, ...(q.file ? { file: q.file } : {}), ...(q.code ? { code: q.code } : {}), ...(q.severity ? { severity: q.severity } : {}), ...(q.after !== undefined ? { id: { gt: BigInt(q.after) } } : {}) },
      orderBy: { id: 'asc' },
      take: q.limit,
    });
    const issues = rows.map((r) => ({ id: Number(r.id), file: r.file, row: r.row, field: r.field, code: r.code, severity: r.severity, message: r.message }));
    res.json({ issues, next: rows.length === q.limit ? (issues[issues.length - 1]?.id ?? null) : null });
  });

  /** The merge audit: which legacy customers became one customer, and why. */
  router.get('/migrations/:runId/merges', async (req, res) => {
    const { runId } = parseOrProblem(MigrationPath, { runId: req.params.runId }, 'path:', 400);
    const merges = await deps.prisma.migrationMerge.findMany({ where: { runId }, orderBy: { survivorLegacyId: 'asc' } });
    res.json({ merges: merges.map((m) => ({ customerId: m.customerId, survivorLegacyId: m.survivorLegacyId, mergedLegacyIds: m.mergedLegacyIds, reasons: m.reasons })) });
  });

  return router;
}
