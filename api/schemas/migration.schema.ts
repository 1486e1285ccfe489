import { z } from 'zod';
import { IsoDate } from '../../domain/schemas/common.schema';
import { LEGACY_FILES } from '../../domain/customers/model';
import { CalendarDay, EpochMs } from './answer.schema';

/** POST /migrations: start a legacy CRM migration (or a dry run) of an export on the worker's host. */
export const StartMigrationRequest = z.strictObject({
  sourceDir: z
    .string()
    .min(1, 'must not be empty')
    .max(500)
    .refine((p) => p === '' || p.startsWith('/'), 'must be an absolute path on the worker host (the CLI resolves a relative one)')
    .meta({ description: 'Directory of the legacy export on the worker host', examples: ['/srv/exports/crm-2026-11'] }),
  dryRun: z.boolean().default(false).meta({ description: 'Check everything and report; write no customer data' }),
  system: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'must be 1–32 letters, digits, _ or -')
    .default('legacy')
    .meta({ description: 'Name of the legacy system: part of every legacy id kept' }),
  today: IsoDate.optional().meta({ description: 'As-of date for passport expiry and the 7-year archive rule (default: today in the operator time zone)' }),
  dayFirst: z.boolean().default(true).meta({ description: 'Slashed dates read DD/MM/YYYY (true) or MM/DD/YYYY (false)' }),
  chunkSize: z.number().int().min(10).max(100_000).default(5_000).meta({ description: 'Records per checkpointed step' }),
  dedup: z
    .strictObject({
      nameThreshold: z.number().min(0.5).max(1).default(0.92),
      sharedContactNameThreshold: z.number().min(0.5).max(1).default(0.8),
      maxBlockSize: z.number().int().min(2).max(10_000).default(50),
    })
    .default({ nameThreshold: 0.92, sharedContactNameThreshold: 0.8, maxBlockSize: 50 })
    .meta({ description: 'Duplicate detection thresholds (Jaro-Winkler name similarity) and the largest block compared pairwise' }),
  runId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/, 'must be 1–48 letters, digits, _ or -')
    .optional()
    .meta({ description: 'Name the run (default: generated); starting a run id already running joins it' }),
});
export type StartMigrationRequest = z.infer<typeof StartMigrationRequest>;

export const MigrationPath = z.strictObject({ runId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/, 'is not a migration run id') });

export const MigrationIssuesQuery = z.strictObject({
  file: z.enum(LEGACY_FILES).optional(),
  code: z.string().max(40).optional(),
  severity: z.enum(['ERROR', 'WARNING']).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  /** Keyset cursor: the id of the last issue of the previous page. */
  after: z.coerce.number().int().min(0).optional(),
});

// ---------------------------------------------------------------------------------------------
// Answers (OpenAPI response schemas; migrations.api.test.ts parses the real answers with them).
// Each mirrors api/routes/migrations.routes.ts. The report is the migration's own summary
// (`MigrationReport`, counts per file and step): described, not spelled out here.

const MigrationReportView = z.looseObject({}).meta({ description: 'The migration report: customers read, loaded, merged and archived, history loaded per file, issues by code' });
const RunStatus = z.enum(['RUNNING', 'COMPLETED', 'FAILED']);

/** `POST /migrations` 202: the run started (or joined), and where to follow it. */
export const MigrationStartedResponse = z
  .strictObject({
    runId: z.string(),
    workflowId: z.string(),
    dryRun: z.boolean(),
    options: z.strictObject({
      sourceDir: z.string(),
      system: z.string(),
      dryRun: z.boolean(),
      today: CalendarDay,
      dayFirst: z.boolean(),
      dedup: z.strictObject({ nameThreshold: z.number(), sharedContactNameThreshold: z.number(), maxBlockSize: z.number().int() }),
      chunkSize: z.number().int(),
      timeZone: z.string(),
    }),
    links: z.strictObject({ progress: z.string(), issues: z.string(), temporalUi: z.string().meta({ description: 'The run in the Temporal UI' }) }),
  })
  .meta({ id: 'MigrationStarted' });

/** `GET /migrations/{runId}`: the progress while running (from the workflow), the stored report once finished. */
export const MigrationRunResponse = z
  .strictObject({
    runId: z.string(),
    status: RunStatus,
    dryRun: z.boolean(),
    progress: z
      .strictObject({
        runId: z.string(),
        dryRun: z.boolean(),
        status: RunStatus,
        current: z.string().meta({ description: 'The step running now (or the last one)' }),
        steps: z.array(z.strictObject({ name: z.string(), unit: z.enum(['bytes', 'customers', 'steps']), done: z.number(), total: z.number(), state: z.enum(['PENDING', 'RUNNING', 'DONE', 'SKIPPED']) })),
        issues: z.record(z.string(), z.number().int()).meta({ description: 'Issues so far, by "SEVERITY:code"' }),
        startedAt: EpochMs,
        report: MigrationReportView.nullable(),
        error: z.string().nullable(),
      })
      .nullable()
      .meta({ description: 'null once the workflow is gone: the stored report stands alone' }),
    report: MigrationReportView.nullable().meta({ description: 'null until the run completes' }),
    error: z.string().nullable().meta({ description: 'Why the run failed' }),
  })
  .meta({ id: 'MigrationRun' });

/** `GET /migrations/{runId}/issues`: a page of row-level issues, in file order. */
export const MigrationIssuesResponse = z
  .strictObject({
    issues: z.array(
      z.strictObject({
        id: z.number().int(),
        file: z.enum(LEGACY_FILES),
        row: z.number().int(),
        field: z.string().nullable().meta({ description: 'The column, when the problem is in one' }),
        code: z.string().meta({ description: 'malformed-row, bad-encoding, bad-date, impossible-birth-date, unknown-customer, card-number...' }),
        severity: z.enum(['ERROR', 'WARNING']).meta({ description: 'ERROR: the record was not loaded; WARNING: loaded, the problem noted' }),
        message: z.string(),
      }),
    ),
    next: z.number().int().nullable().meta({ description: 'Pass as `after` for the next page; null on the last page' }),
  })
  .meta({ id: 'MigrationIssues' });

/** `GET /migrations/{runId}/merges`: which legacy customers became one customer, and why. */
export const MigrationMergesResponse = z
  .strictObject({
    merges: z.array(
      z.strictObject({
        customerId: z.string(),
        survivorLegacyId: z.string().meta({ description: 'The legacy customer whose profile leads' }),
        mergedLegacyIds: z.array(z.string()),
        reasons: z.array(z.strictObject({ a: z.string(), b: z.string(), rule: z.enum(['email', 'phone', 'name-and-birth-date']), score: z.number().meta({ description: 'Name similarity, 0..1' }) })),
      }),
    ),
  })
  .meta({ id: 'MigrationMerges' });
