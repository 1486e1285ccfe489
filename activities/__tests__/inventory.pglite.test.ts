import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { openTestPglite } from '../../test/support/databases';
import { createInventoryActivities } from '../inventory.activities';
import { InventoryError, type PrismaInventory } from '../inventory.prisma';
import type { ReleaseNotification } from '../ports/supplier-notifier';
import { inventoryContract } from './inventory.contract';

describe('PrismaInventory on embedded PGlite', () => {
  inventoryContract(openTestPglite);
});

describe('inventory activities', () => {
  const env = new MockActivityEnvironment();
  const notification = (contractCode: string): ReleaseNotification & { contractId: string } => ({
    contractId: `id-${contractCode}`,
    supplierCode: 'SUP',
    contractCode,
    productCode: 'PRD',
    category: 'DBL',
    lines: [{ stayDate: '2027-06-21', quantity: 3 }],
    idempotencyKey: `allotment-release:${contractCode}:0`,
  });

  it('classifies a refusal as a non-retryable failure and leaves infrastructure errors retryable', async () => {
    const failing = (err: unknown) =>
      createInventoryActivities({
        inventory: { releaseDue: () => Promise.reject(err) } as unknown as PrismaInventory,
        notifier: { notifyRelease: () => Promise.resolve() },
        operatorTimeZone: 'Europe/Rome',
      });
    const refusal = new InventoryError('invalid-request', 'runDate must be a calendar date', [{ path: 'runDate', message: 'must be a calendar date' }]);
    const failure = await env.run(failing(refusal).releaseAllotments, { runDate: 'tomorrow' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'InventoryRequestInvalid', nonRetryable: true, message: refusal.message });
    const outage = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    await expect(env.run(failing(outage).releaseAllotments, { runDate: '2027-06-01' })).rejects.toBe(outage);
  });

  it('notifies every pending release, marks only those sent, and rethrows a notifier failure after the others', async () => {
    const marked: string[] = [];
    const sent: string[] = [];
    const activities = createInventoryActivities({
      inventory: {
        pendingNotifications: () => Promise.resolve([notification('A'), notification('B'), notification('C')]),
        markNotified: (contractId: string) => Promise.resolve(void marked.push(contractId)),
      } as unknown as PrismaInventory,
      notifier: {
        notifyRelease: (n) => (n.contractCode === 'B' ? Promise.reject(new Error('supplier extranet down')) : Promise.resolve(void sent.push(n.contractCode))),
      },
      operatorTimeZone: 'Europe/Rome',
    });
    await expect(env.run(activities.notifySupplierReleases)).rejects.toThrow('supplier extranet down');
    expect(sent).toEqual(['A', 'C']);
    expect(marked).toEqual(['id-A', 'id-C']);
  });
});
