import type { IsoDate } from '../../domain/channels/model';

/**
 * Told after every committed change to sellable inventory — a hold, sale, cancellation, expiry,
 * release, allotment change or stop-sale, from the API, a booking workflow or a channel — so the
 * connected channels get the new availability. Called after the database commit; a failure to
 * notify is logged, never undoes the change: the periodic channel reconciliation repairs what a
 * lost notification missed.
 */
export interface InventoryChangeSink {
  inventoryChanged(change: InventoryChange): Promise<void>;
}

export interface InventoryChange {
  productId: string;
  /** Room type (category) changed, or null for every category of the product (a product-wide stop-sale). */
  category: string | null;
  /** First and last night affected, inclusive. */
  from: IsoDate;
  to: IsoDate;
  /** Who changed it: "api", "booking", "release", "channel:<connection>"... (for the sync log). */
  source: string;
}

/** For stores and tests that have no channels connected. */
export const NO_INVENTORY_SINK: InventoryChangeSink = { inventoryChanged: async () => {} };
