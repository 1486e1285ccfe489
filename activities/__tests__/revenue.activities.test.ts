import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { travelChartOfAccounts } from '../../domain/ledger/chart';
import type { Database } from '../../infra/database';
import { openTestPglite } from '../../test/support/databases';
import { seedChartOfAccounts } from '../chart-seed.prisma';
import { createRevenueActivities } from '../revenue.activities';
import { PrismaDeferredRevenue } from '../revenue.prisma';

describe('deferred-revenue activities (embedded PGlite)', () => {
  const env = new MockActivityEnvironment();
  let db: Database;
  let activities: ReturnType<typeof createRevenueActivities>;
  const component = {
    bookingRef: 'ITN-ACT00001',
    componentId: 'tour-1',
    productType: 'tours',
    channel: 'direct',
    amount: { amount: '200.00', currency: 'USD' },
    serviceStart: '2027-05-01',
    serviceEnd: '2027-05-02',
    bookingDate: '2027-01-14',
  };

  beforeAll(async () => {
    db = await openTestPglite();
    await seedChartOfAccounts(db.prisma, travelChartOfAccounts());
    await db.prisma.financeSettings.create({ data: { id: 1, baseCurrency: 'GBP', activeCurrencies: ['GBP', 'USD'] } });
    activities = createRevenueActivities({ revenue: new PrismaDeferredRevenue(db.prisma) });
  });
  afterAll(() => db?.close());

  it('turns a missing historical rate into a non-retryable DeferredRevenueRateMissing naming the pair and date', async () => {
    const failure = await env.run(activities.deferRevenueComponent, component).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'DeferredRevenueRateMissing', nonRetryable: true, message: expect.stringContaining('Cannot carry USD deferred revenue in the base currency GBP') });
    expect((failure as ApplicationFailure).details?.[0]).toEqual([{ path: 'amount/currency', message: expect.stringContaining('No USD/GBP rate for 2027-01-14') }]);
  });

  it('cancels at the instant the caller gives, so a retried cancellation records the same one', async () => {
    await db.prisma.fxRate.create({ data: { source: 'ECB', baseCurrency: 'USD', quoteCurrency: 'GBP', rate: '0.79', rateDate: new Date('2027-01-14T00:00:00Z') } });
    await env.run(activities.deferRevenueComponent, component);
    const cancelledAt = Date.parse('2027-02-03T10:00:00Z');
    expect(await env.run(activities.cancelDeferredComponent, { bookingRef: component.bookingRef, componentId: component.componentId, cancelledAt })).toMatchObject({ status: 'CANCELLED', cancelledAt });
    expect(await env.run(activities.cancelDeferredComponent, { bookingRef: component.bookingRef, componentId: component.componentId, cancelledAt: cancelledAt + 60_000 })).toMatchObject({ cancelledAt });
  });
});
