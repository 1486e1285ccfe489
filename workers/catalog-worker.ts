import type { WorkerOptions } from '@temporalio/worker';
import { createInventoryActivities } from '../activities/inventory.activities';
import { PrismaInventory } from '../activities/inventory.prisma';
import type { InventoryChangeSink } from '../activities/ports/inventory-changes';
import type { SupplierNotifier } from '../activities/ports/supplier-notifier';
import type { PrismaClient } from '../generated/prisma/client';
import type { Database } from '../infra/database';
import type { Logger } from '../infra/logger';
import type { TemporalTarget } from '../infra/temporal';
import { TASK_QUEUES } from '../workflows/task-queues';
import { superviseQueueWorker, type SupervisedWorker } from './booking-worker';

export interface CatalogWorkerPorts {
  prisma: PrismaClient;
  /** Direct driver access for the inventory's single-statement holds and sales. */
  driver?: Pick<Database, 'query'>;
  /** Tells suppliers which units went back to them. */
  notifier: SupplierNotifier;
  /** IANA zone whose calendar gives the release run's "today". */
  operatorTimeZone: string;
  /** Told when expiries and releases change what can be sold (the channel sync). */
  inventorySink?: InventoryChangeSink;
}

/** The catalog activities: hold expiry, allotment release and supplier notification. */
export function catalogActivities(ports: CatalogWorkerPorts) {
  const { driver } = ports;
  const inventory = new PrismaInventory(ports.prisma, driver ? (sql, params) => driver.query(sql, params) : undefined, ports.inventorySink);
  return createInventoryActivities({ inventory, notifier: ports.notifier, operatorTimeZone: ports.operatorTimeZone });
}

/** The worker for the catalog workflows (the daily allotment release) on `catalog-operations`. */
export function superviseCatalogWorker(
  target: TemporalTarget,
  ports: CatalogWorkerPorts,
  logger: Logger,
  shutdownGraceTime: WorkerOptions['shutdownGraceTime'] = '30s',
): SupervisedWorker {
  return superviseQueueWorker(TASK_QUEUES.catalog, target, logger, catalogActivities(ports), shutdownGraceTime);
}
