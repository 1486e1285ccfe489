import type { WorkerOptions } from '@temporalio/worker';
import { PrismaCustomerStore } from '../activities/customers.prisma';
import { createMigrationActivities } from '../activities/migration/migration.activities';
import type { PrismaClient } from '../generated/prisma/client';
import type { SqlDriver } from '../infra/database';
import type { Logger } from '../infra/logger';
import type { TemporalTarget } from '../infra/temporal';
import { TASK_QUEUES } from '../workflows/task-queues';
import { superviseQueueWorker, type SupervisedWorker } from './booking-worker';

export interface CrmWorkerPorts {
  prisma: PrismaClient;
  /** The driver, for the migration's chunk statements (the `Database` itself). */
  sql: SqlDriver;
  /** Customers merged and written per load step (default 2,000). */
  customersPerLoad?: number;
}

/** The CRM activities: the legacy customer migration's steps. */
export function crmActivities(ports: CrmWorkerPorts) {
  return createMigrationActivities({
    prisma: ports.prisma,
    sql: ports.sql,
    store: new PrismaCustomerStore(ports.prisma, { sql: ports.sql }),
    customersPerLoad: ports.customersPerLoad,
  });
}

/** The worker for customer workflows (the legacy CRM migration) on `crm-operations`. */
export function superviseCrmWorker(target: TemporalTarget, ports: CrmWorkerPorts, logger: Logger, shutdownGraceTime: WorkerOptions['shutdownGraceTime'] = '30s'): SupervisedWorker {
  return superviseQueueWorker(TASK_QUEUES.crm, target, logger, crmActivities(ports), shutdownGraceTime);
}
