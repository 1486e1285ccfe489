import type { Database } from '../infra/database';
import type { Logger } from '../infra/logger';
import type { TemporalClientProvider } from '../infra/temporal';
import { TASK_QUEUES } from '../workflows/task-queues';
import { ChannelDirectory } from './channel-directory.prisma';
import type { InventoryChange, InventoryChangeSink } from './ports/inventory-changes';

/** How long a product → hotel code look-up is reused (a new channel property is picked up after this). */
const PROPERTY_CACHE_MS = 30_000;

interface SignalQueue {
  changes: InventoryChange[];
  waiters: Array<() => void>;
  sending: boolean;
}

type ChangeSignal = Pick<InventoryChange, 'category' | 'from' | 'to' | 'source'>;

/** One span per room type (null = the whole product) covering every change given, first source named. */
export function mergeSpans(changes: InventoryChange[]): ChangeSignal[] {
  const spans = new Map<string | null, ChangeSignal & { others: number }>();
  for (const c of changes) {
    const span = spans.get(c.category);
    if (!span) spans.set(c.category, { category: c.category, from: c.from, to: c.to, source: c.source, others: 0 });
    else {
      if (c.from < span.from) span.from = c.from;
      if (c.to > span.to) span.to = c.to;
      span.others++;
    }
  }
  return [...spans.values()].map(({ others, ...s }) => (others ? { ...s, source: `${s.source} (+${others} more)` } : s));
}

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
  private readonly queues = new Map<string, SignalQueue>();

  constructor(
    private readonly temporal: Pick<TemporalClientProvider, 'get'>,
    db: Pick<Database, 'query'>,
    private readonly logger: Pick<Logger, 'warn' | 'error' | 'debug'>,
    private readonly now: () => number = Date.now,
  ) {
    this.directory = new ChannelDirectory(db);
  }

  /**
   * Resolves once a signal carrying this change was sent (or failed and was logged). Changes of one
   * property that arrive while its previous signal is in flight are merged into the next one (one
   * span per room type), so a burst of sales costs the property a few signals, not one each.
   */
  async inventoryChanged(change: InventoryChange): Promise<void> {
    let hotelCode: string | null;
    try {
      hotelCode = await this.hotelCodeOf(change.productId);
    } catch (err) {
      this.logger.error({ err, change }, 'channel sync not notified of an inventory change (the reconciliation will repair it)');
      return;
    }
    if (hotelCode === null) return;
    let queue = this.queues.get(hotelCode);
    if (!queue) {
      queue = { changes: [], waiters: [], sending: false };
      this.queues.set(hotelCode, queue);
    }
    const q = queue;
    await new Promise<void>((resolve) => {
      q.changes.push(change);
      q.waiters.push(resolve);
      if (!q.sending) void this.drain(hotelCode, q);
    });
  }

  private async drain(hotelCode: string, queue: SignalQueue): Promise<void> {
    queue.sending = true;
    while (queue.changes.length) {
      const changes = queue.changes.splice(0);
      const waiters = queue.waiters.splice(0);
      for (const change of mergeSpans(changes)) {
        try {
          const client = await this.temporal.get();
          // Names and ids fixed by workflows/channels/inventory-sync.workflow.ts (wire names are frozen).
          await client.workflow.signalWithStart('InventorySyncWorkflow', {
            workflowId: `channel-sync-${hotelCode}`,
            taskQueue: TASK_QUEUES.channels,
            args: [hotelCode],
            signal: 'inventoryChanged',
            signalArgs: [change],
          });
        } catch (err) {
          this.logger.error({ err, change }, 'channel sync not notified of an inventory change (the reconciliation will repair it)');
        }
      }
      for (const done of waiters) done();
    }
    queue.sending = false;
    this.queues.delete(hotelCode);
  }

  private async hotelCodeOf(productId: string): Promise<string | null> {
    const hit = this.hotelCodes.get(productId);
    if (hit && hit.until > this.now()) return hit.hotelCode;
    const hotelCode = await this.directory.hotelCodeOfProduct(productId);
    this.hotelCodes.set(productId, { hotelCode, until: this.now() + PROPERTY_CACHE_MS });
    return hotelCode;
  }
}
