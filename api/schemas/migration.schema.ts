import { z } from 'zod';
import { IsoDate } from '../../domain/schemas/common.schema';
import { LEGACY_FILES } from '../../domain/customers/model';

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
