import type { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { Worker as TemporalWorker } from '@temporalio/worker';
import { createAtolActivities } from '../activities/atol.activities';
import { PrismaAtolStore } from '../activities/atol.prisma';
import { createCommissionActivities } from '../activities/commissions.activities';
import { PrismaCommissions } from '../activities/commissions.prisma';
import { createFxImportActivities } from '../activities/fx-import.activities';
import { PrismaFxRates } from '../activities/fx-rates.prisma';
import { createLedgerActivities } from '../activities/ledger.activities';
import { PrismaLedger } from '../activities/ledger.prisma';
import type { FxRateFeed } from '../activities/ports/fx-rate-feed';
import { createRevaluationActivities } from '../activities/revaluation.activities';
import { PrismaFxRevaluation } from '../activities/revaluation.prisma';
import { createRevenueActivities } from '../activities/revenue.activities';
import { PrismaDeferredRevenue } from '../activities/revenue.prisma';
import type { PrismaClient } from '../generated/prisma/client';
import type { Database } from '../infra/database';
import type { Logger } from '../infra/logger';
import type { TemporalTarget } from '../infra/temporal';
import { TASK_QUEUES } from '../workflows/task-queues';
import { superviseWorker, WORKFLOW_SOURCE, type SupervisedWorker } from './booking-worker';

export interface FinanceWorkerPorts {
  prisma: PrismaClient;
  /** Direct driver access for the ledger's hot path (see PrismaLedger). */
  driver?: Pick<Database, 'query'>;
  /** IANA zone whose calendar gives "today" (default booking dates for deferrals). */
  operatorTimeZone?: string;
  /** Rate feeds the daily import may name, by source (`ECB`, `TREASURY`...). */
  feeds: Record<string, FxRateFeed>;
}

/** Every finance activity on one database: ledger, FX import, revaluation, revenue, commissions, ATOL. */
export function financeActivities(ports: FinanceWorkerPorts) {
  const ledger = new PrismaLedger(ports.prisma, ports.driver);
  const fxRates = new PrismaFxRates(ports.prisma);
  return {
    ...createLedgerActivities({ ledger }),
    ...createFxImportActivities({ fxRates, feeds: ports.feeds }),
    ...createRevaluationActivities({ revaluation: new PrismaFxRevaluation(ports.prisma) }),
    ...createRevenueActivities({ revenue: new PrismaDeferredRevenue(ports.prisma, ledger, { operatorTimeZone: ports.operatorTimeZone ?? 'UTC', fxRates }) }),
    ...createCommissionActivities({ commissions: new PrismaCommissions(ports.prisma) }),
    ...createAtolActivities({ atol: new PrismaAtolStore(ports.prisma, ledger) }),
  };
}

export interface FinanceWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  ports: FinanceWorkerPorts;
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** A worker for the finance workflows (schedules start them) on `finance-operations`. */
export function createFinanceWorker(opts: FinanceWorkerOptions): Promise<Worker> {
  return TemporalWorker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: TASK_QUEUES.finance,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : WORKFLOW_SOURCE),
    activities: financeActivities(opts.ports),
    shutdownGraceTime: opts.shutdownGraceTime ?? '30s',
  });
}

export function superviseFinanceWorker(
  target: TemporalTarget,
  ports: FinanceWorkerPorts,
  logger: Logger,
  shutdownGraceTime: WorkerOptions['shutdownGraceTime'] = '30s',
): SupervisedWorker {
  return superviseWorker(TASK_QUEUES.finance, target, logger, (connection) =>
    createFinanceWorker({ connection, namespace: target.namespace, ports, shutdownGraceTime }),
  );
}
