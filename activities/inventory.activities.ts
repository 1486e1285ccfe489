import { ApplicationFailure } from '@temporalio/common';
import { calendarDateIn } from '../domain/time/instant';
import { InventoryError, type InventoryErrorKind, type PrismaInventory } from './inventory.prisma';
import type { SupplierNotifier } from './ports/supplier-notifier';

/**
 * Failure types of the inventory activities (`ApplicationFailure.type`), all non-retryable: the
 * request or the inventory must change before the call can succeed.
 */
export const InventoryFailureType = {
  /** Bad input (a run date that is not a date, a malformed hold request); `details[0]` lists every problem. */
  InventoryRequestInvalid: 'InventoryRequestInvalid',
  /** Not enough units free, no allotment on a night, or a stop sale: `details[1]` names the dates. */
  InventoryUnavailable: 'InventoryUnavailable',
  /** The idempotency reference was used before for other content: a bug in the caller's key. */
  InventoryReferenceConflict: 'InventoryReferenceConflict',
  /** The hold is gone (expired, cancelled, unknown): hold again. */
  InventoryHoldLapsed: 'InventoryHoldLapsed',
  /** A contract or stop sale refused (invalid, overlapping, in use, not found). */
  AllotmentContractRefused: 'AllotmentContractRefused',
} as const;
export type InventoryFailureType = (typeof InventoryFailureType)[keyof typeof InventoryFailureType];

const FAILURE_BY_KIND: Record<InventoryErrorKind, InventoryFailureType> = {
  'invalid-request': InventoryFailureType.InventoryRequestInvalid,
  'invalid-contract': InventoryFailureType.AllotmentContractRefused,
  'contract-conflict': InventoryFailureType.AllotmentContractRefused,
  'contract-overlap': InventoryFailureType.AllotmentContractRefused,
  'contract-not-found': InventoryFailureType.AllotmentContractRefused,
  'contract-in-use': InventoryFailureType.AllotmentContractRefused,
  'quantity-below-used': InventoryFailureType.AllotmentContractRefused,
  'product-not-found': InventoryFailureType.AllotmentContractRefused,
  'stop-sale-not-found': InventoryFailureType.AllotmentContractRefused,
  'sold-out': InventoryFailureType.InventoryUnavailable,
  'no-allotment': InventoryFailureType.InventoryUnavailable,
  'stop-sale': InventoryFailureType.InventoryUnavailable,
  'group-size': InventoryFailureType.InventoryUnavailable,
  'reference-conflict': InventoryFailureType.InventoryReferenceConflict,
  'hold-not-found': InventoryFailureType.InventoryHoldLapsed,
  'hold-expired': InventoryFailureType.InventoryHoldLapsed,
  'hold-cancelled': InventoryFailureType.InventoryHoldLapsed,
};

/** An inventory refusal becomes a non-retryable failure; anything else (database down) stays retryable. */
export function inventoryFailure(err: InventoryError): ApplicationFailure {
  return ApplicationFailure.create({ type: FAILURE_BY_KIND[err.kind], message: err.message, nonRetryable: true, details: [err.problems, err.dates, err.kind] });
}

async function classified<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InventoryError) throw inventoryFailure(err);
    throw err;
  }
}

export interface InventoryActivityPorts {
  inventory: PrismaInventory;
  notifier: SupplierNotifier;
  /** IANA zone whose calendar gives the run date when none is passed. */
  operatorTimeZone: string;
}

/**
 * Inventory activities of the daily allotment release (task queue `catalog-operations`). Each is
 * idempotent: expiring and releasing only touch rows not yet expired / released, and notifications
 * are marked sent once the notifier returns (a repeat carries the same idempotency key).
 */
export function createInventoryActivities(ports: InventoryActivityPorts) {
  const { inventory, notifier } = ports;
  return {
    /** Returns the unsold units of every date whose release date has come by `runDate` (default: operator today). */
    async releaseAllotments(input: { runDate?: string }): Promise<{ runDate: string; released: number; contracts: number }> {
      const runDate = input.runDate ?? calendarDateIn(Date.now(), ports.operatorTimeZone);
      const contracts = await classified(() => inventory.releaseDue(runDate, new Date()));
      const released = contracts.reduce((sum, c) => sum + c.lines.reduce((s, l) => s + l.quantity, 0), 0);
      return { runDate, released, contracts: contracts.length };
    },

    /**
     * Tells suppliers about every release not yet notified; the number of notifications sent. A
     * notifier failure does not stop the others; the first one is rethrown (retryable) afterwards,
     * so the activity retries only what is still pending.
     */
    async notifySupplierReleases(): Promise<number> {
      let sent = 0;
      let firstFailure: unknown = null;
      for (const pending of await inventory.pendingNotifications()) {
        const { contractId, ...notification } = pending;
        try {
          await notifier.notifyRelease(notification);
        } catch (err) {
          firstFailure ??= err;
          continue;
        }
        await inventory.markNotified(contractId, notification.lines);
        sent++;
      }
      if (firstFailure !== null) throw firstFailure;
      return sent;
    },

    /** Expires holds past their expiry at `now` (epoch ms) and returns their units; how many. */
    async expireInventoryHolds(input: { now: number }): Promise<number> {
      return classified(() => inventory.expireHolds(new Date(input.now)));
    },
  };
}

export type InventoryActivities = ReturnType<typeof createInventoryActivities>;
