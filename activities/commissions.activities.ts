import { ApplicationFailure } from '@temporalio/common';
import { CommissionError, type CommissionErrorKind, type CommissionSale } from '../domain/commission/commission';
import type { PrismaCommissions, RecordedCommission } from './commissions.prisma';
import { ledgerFailure } from './ledger.activities';
import { LedgerError } from './ports/ledger';

/**
 * Failure types of the commission activities (`ApplicationFailure.type`); workflows branch on
 * these strings. Every one is non-retryable: the input or the configuration must change first.
 */
export const CommissionFailureType = {
  /** The sale is malformed (bad reference, product, channel, amount...); `details[0]` lists every problem. */
  CommissionSaleInvalid: 'CommissionSaleInvalid',
  /** The same booking/supplier/product was recorded with other content: a changed sale needs a reversal. */
  CommissionSaleConflict: 'CommissionSaleConflict',
  /** The sub-agent is unknown or inactive. */
  CommissionSubAgentUnknown: 'CommissionSubAgentUnknown',
  /** Finance must fix the schedules: several in force at once, or a FIXED one in another currency. */
  CommissionScheduleMisconfigured: 'CommissionScheduleMisconfigured',
} as const;
export type CommissionFailureType = (typeof CommissionFailureType)[keyof typeof CommissionFailureType];

const COMMISSION_FAILURE: Record<CommissionErrorKind, CommissionFailureType> = {
  'invalid-sale': CommissionFailureType.CommissionSaleInvalid,
  'sale-conflict': CommissionFailureType.CommissionSaleConflict,
  'unknown-sub-agent': CommissionFailureType.CommissionSubAgentUnknown,
  'ambiguous-schedules': CommissionFailureType.CommissionScheduleMisconfigured,
  'currency-mismatch': CommissionFailureType.CommissionScheduleMisconfigured,
  // Not raised by recordSale (schedule and sub-agent administration), listed for completeness.
  'invalid-schedule': CommissionFailureType.CommissionScheduleMisconfigured,
  'overlapping-schedule': CommissionFailureType.CommissionScheduleMisconfigured,
  'invalid-sub-agent': CommissionFailureType.CommissionSubAgentUnknown,
  'sub-agent-conflict': CommissionFailureType.CommissionSubAgentUnknown,
};


/** Refusals become non-retryable failures; anything else (database down, timeout) stays retryable. */
function classify(err: unknown): never {
  if (err instanceof CommissionError) {
    throw ApplicationFailure.create({ type: COMMISSION_FAILURE[err.kind], message: err.message, nonRetryable: true, details: [err.problems] });
  }
  if (err instanceof LedgerError) {
    throw ledgerFailure(err);
  }
  throw err;
}

/**
 * Commission activities (finance worker, task queue `finance-operations`). `recordCommission` is
 * idempotent by booking + supplier + product type: a retry returns the record already written and
 * its ledger entry (key `commission:<bookingRef>:<supplier>:<productType>`) is never posted twice.
 */
export function createCommissionActivities(ports: { commissions: Pick<PrismaCommissions, 'recordSale'> }) {
  return {
    async recordCommission(sale: CommissionSale): Promise<RecordedCommission> {
      try {
        return await ports.commissions.recordSale(sale);
      } catch (err) {
        return classify(err);
      }
    },
  };
}

export type CommissionActivities = ReturnType<typeof createCommissionActivities>;
