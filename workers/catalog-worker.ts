import type { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { Worker as TemporalWorker } from '@temporalio/worker';
import { createInventoryActivities } from '../activities/inventory.activities';
import { PrismaInventory } from '../activities/inventory.prisma';
import type { SupplierNotifier } from '../activities/ports/supplier-notifier';
import type { PrismaClient } from '../generated/prisma/client';
import type { Database } from '../infra/database';
import type { Logger } from '../infra/logger';
import type { TemporalTarget } from '../infra/temporal';
import { TASK_QUEUES } from '../workflows/task-queues';
import { superviseWorker, WORKFLOWS_PATH, type SupervisedWorker } from './booking-worker';

export interface CatalogWorkerPorts {
  prisma: PrismaClient;
  /** Direct driver access for the inventory's single-statement holds and sales. */
  driver?: Pick<Database, 'query'>;
  /** Tells suppliers which units went back to them. */
  notifier: SupplierNotifier;
  /** IANA zone whose calendar gives the release run's "today". */
  operatorTimeZone: string;
}

/** The catalog activities: hold expiry, allotment release and supplier notification. */
export function catalogActivities(ports: CatalogWorkerPorts) {
  const inventory = new PrismaInventory(ports.prisma, ports.driver ? (sql, params) => ports.driver!.query(sql, params) : undefined);
  return createInventoryActivities({ inventory, notifier: ports.notifier, operatorTimeZone: ports.operatorTimeZone });
}

export interface CatalogWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  ports: CatalogWorkerPorts;
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

/** A worker for the catalog workflows (the daily allotment release) on `catalog-operations`. */
export function createCatalogWorker(opts: CatalogWorkerOptions): Promise<Worker> {
  return TemporalWorker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: TASK_QUEUES.catalog,
    workflowsPath: WORKFLOWS_PATH,
    activities: catalogActivities(opts.ports),
    shutdownGraceTime: opts.shutdownGraceTime ?? '30s',
  });
}

export function superviseCatalogWorker(
  target: TemporalTarget,
  ports: CatalogWorkerPorts,
  logger: Logger,
  shutdownGraceTime: WorkerOptions['shutdownGraceTime'] = '30s',
): SupervisedWorker {
  return superviseWorker(TASK_QUEUES.catalog, target, logger, (connection) =>
    createCatalogWorker({ connection, namespace: target.namespace, ports, shutdownGraceTime }),
  );
}
