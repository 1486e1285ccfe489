import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { CommissionError, type CommissionSale } from '../../domain/commission/commission';
import { openTestPglite } from '../../test/support/databases';
import { createCommissionActivities } from '../commissions.activities';
import { LedgerError } from '../ports/ledger';
import { commissionsContract } from './commissions.contract';

describe('PrismaCommissions on embedded PGlite', () => {
  commissionsContract(openTestPglite);
});

describe('commission activities classify failures', () => {
  const env = new MockActivityEnvironment();
  const sale: CommissionSale = { bookingRef: 'ITN-1', supplier: 'ACME', productType: 'hotels', channel: 'direct', saleDate: '2027-03-10', saleAmount: { amount: '100.00', currency: 'GBP' } };
  const throwing = (err: unknown) =>
    createCommissionActivities({
      commissions: {
        recordSale: async () => {
          throw err;
        },
      },
    });

  it.each([
    ['sale-conflict', () => new CommissionError('sale-conflict', 'other content'), 'CommissionSaleConflict'],
    ['unknown-sub-agent', () => new CommissionError('unknown-sub-agent', 'no sub-agent'), 'CommissionSubAgentUnknown'],
    ['ambiguous-schedules', () => new CommissionError('ambiguous-schedules', 'two schedules'), 'CommissionScheduleMisconfigured'],
    ['ledger closed-period', () => new LedgerError('closed-period', 'period closed'), 'LedgerPeriodClosed'],
  ] as const)('%s -> non-retryable failure', async (_label, make, type) => {
    const error = make();
    const failure = await env.run(throwing(error).recordCommission, sale).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type, nonRetryable: true, message: error.message });
  });

  it('leaves infrastructure errors retryable', async () => {
    const outage = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    await expect(env.run(throwing(outage).recordCommission, sale)).rejects.toBe(outage);
  });
});
