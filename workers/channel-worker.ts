import type { WorkerOptions } from '@temporalio/worker';
import { PrismaChannelInbox } from '../activities/channel-inbox.prisma';
import { channelPortFactory } from '../activities/channel-ports';
import { PrismaChannelRates } from '../activities/channel-rates.prisma';
import { createChannelRateActivities } from '../activities/channel-rates.activities';
import { createChannelInboxSweepActivities, createChannelReservationActivities } from '../activities/channel-reservation.activities';
import { createChannelSyncActivities } from '../activities/channel-sync.activities';
import { PrismaInventory } from '../activities/inventory.prisma';
import type { InventoryChangeSink } from '../activities/ports/inventory-changes';
import type { PrismaClient } from '../generated/prisma/client';
import type { Database } from '../infra/database';
import type { Logger } from '../infra/logger';
import type { TemporalClientProvider, TemporalTarget } from '../infra/temporal';
import { TASK_QUEUES } from '../workflows/task-queues';
import { superviseQueueWorker, type SupervisedWorker } from './booking-worker';

export interface ChannelWorkerPorts {
  prisma: PrismaClient;
  driver: Pick<Database, 'query'>;
  /** Where channel reservations report the nights they touched (the sync workflows). */
  inventorySink: InventoryChangeSink;
  temporal: Pick<TemporalClientProvider, 'get'>;
  /** Per request to a channel manager (default 5000 ms). */
  channelTimeoutMs?: number;
  parityGraceMs?: number;
}

/**
 * The channel activities on `channel-sync`: pushes to channels (sync lanes, reconciliation),
 * inbound reservations and their sweep, and rate operations.
 */
export function channelActivities(ports: ChannelWorkerPorts, logger: Logger) {
  const channelPorts = channelPortFactory(ports.driver, { timeoutMs: ports.channelTimeoutMs });
  const driver = ports.driver;
  // Channel reservations tell the sink themselves (source channel:<OTA>), so this store does not.
  const inventory = new PrismaInventory(ports.prisma, (sql, params) => driver.query(sql, params));
  const inbox = new PrismaChannelInbox(ports.prisma, inventory);
  return {
    ...createChannelSyncActivities({ db: ports.driver, ports: channelPorts, logger: logger.child({ component: 'channel-sync' }) }),
    ...createChannelReservationActivities({ inbox, inventorySink: ports.inventorySink, ports: channelPorts, logger: logger.child({ component: 'channel-reservations' }) }),
    ...createChannelInboxSweepActivities({ inbox, temporal: ports.temporal, logger: logger.child({ component: 'channel-inbox-sweep' }) }),
    ...createChannelRateActivities({ rates: new PrismaChannelRates(ports.prisma, { parityGraceMs: ports.parityGraceMs }) }),
  };
}

/** The worker for the channel-manager workflows on `channel-sync`. */
export function superviseChannelWorker(
  target: TemporalTarget,
  ports: ChannelWorkerPorts,
  logger: Logger,
  shutdownGraceTime: WorkerOptions['shutdownGraceTime'] = '30s',
): SupervisedWorker {
  return superviseQueueWorker(TASK_QUEUES.channels, target, logger, channelActivities(ports, logger), shutdownGraceTime);
}
