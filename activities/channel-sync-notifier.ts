import type { Database } from '../infra/database';
import type { Logger } from '../infra/logger';
import type { TemporalClientProvider } from '../infra/temporal';
import { TASK_QUEUES } from '../workflows/task-queues';
import { ChannelDirectory } from './channel-directory.prisma';
import type { InventoryChange, InventoryChangeSink } from './ports/inventory-changes';

/** How long a product → hotel code look-up is reused (a new channel property is picked up after this). */
const PROPERTY_CACHE_MS = 30_000;

/**
 * Tells the property's InventorySyncWorkflow (`channel-sync-<hotelCode>`, task queue
 * `channel-sync`) that inventory changed, by signal-with-start `inventoryChanged` — so the
 * workflow exists whenever there is something to push. A product that is not an active channel
 * property is a no-op. Never throws: a failure is logged, and the periodic reconciliation repairs
 * what a lost notification missed.
 */
export class TemporalInventoryChangeSink implements InventoryChangeSink {
  private readonly directory: ChannelDirectory;
  private readonly hotelCodes = new Map<string, { hotelCode: string | null; until: number }>();

  constructor(
    private readonly temporal: Pick<TemporalClientProvider, 'get'>,
    db: Pick<Database, 'query'>,
    private readonly logger: Pick<Logger, 'warn' | 'error' | 'debug'>,
    private readonly now: () => number = Date.now,
  ) {
    this.directory = new ChannelDirectory(db);
  }

  async inventoryChanged(change: InventoryChange): Promise<void> {
    try {
      const hotelCode = await this.hotelCodeOf(change.productId);
      if (hotelCode === null) return;
      const client = await this.temporal.get();
      // Names and ids fixed by workflows/channels/inventory-sync.workflow.ts (wire names are frozen).
      await client.workflow.signalWithStart('InventorySyncWorkflow', {
        workflowId: `channel-sync-${hotelCode}`,
        taskQueue: TASK_QUEUES.channels,
        args: [hotelCode],
        signal: 'inventoryChanged',
        signalArgs: [{ category: change.category, from: change.from, to: change.to, source: change.source }],
      });
    } catch (err) {
      this.logger.error({ err, change }, 'channel sync not notified of an inventory change (the reconciliation will repair it)');
    }
  }

  private async hotelCodeOf(productId: string): Promise<string | null> {
    const hit = this.hotelCodes.get(productId);
    if (hit && hit.until > this.now()) return hit.hotelCode;
    const hotelCode = await this.directory.hotelCodeOfProduct(productId);
    this.hotelCodes.set(productId, { hotelCode, until: this.now() + PROPERTY_CACHE_MS });
    return hotelCode;
  }
}
