import { ApplicationFailure } from '@temporalio/common';
import type { EntryDraft } from '../domain/ledger/entry';
import { FailureType } from './failures';
import { LedgerError, type Ledger, type LedgerErrorKind, type PostedEntry } from './ports/ledger';

const FAILURE_BY_KIND: Record<LedgerErrorKind, FailureType> = {
  'invalid-entry': FailureType.LedgerEntryInvalid,
  'unknown-account': FailureType.LedgerAccountRejected,
  'account-rejects-posting': FailureType.LedgerAccountRejected,
  'closed-period': FailureType.LedgerPeriodClosed,
  'idempotency-conflict': FailureType.LedgerIdempotencyConflict,
  'already-reversed': FailureType.LedgerReversalRefused,
  'entry-not-found': FailureType.LedgerReversalRefused,
  'invalid-period': FailureType.LedgerEntryInvalid,
  'period-not-found': FailureType.LedgerEntryInvalid,
  'rate-missing': FailureType.LedgerRateMissing,
};

/**
 * A ledger refusal can never succeed on retry: it becomes a non-retryable failure whose type the
 * workflow branches on. Every activity that posts to the ledger reports refusals through this.
 */
export function ledgerFailure(err: LedgerError): ApplicationFailure {
  return ApplicationFailure.create({ type: FAILURE_BY_KIND[err.kind], message: err.message, nonRetryable: true, details: [err.problems] });
}

/** Ledger refusals become typed failures; anything else (database unreachable, timeout) stays retryable. */
function classify(err: unknown): never {
  if (err instanceof LedgerError) throw ledgerFailure(err);
  throw err;
}

/** Ledger activities. Each is idempotent by the entry's key (`<workflowId>:<step>`). */
export function createLedgerActivities(ports: { ledger: Ledger }) {
  return {
    async postLedgerEntry(draft: EntryDraft): Promise<PostedEntry> {
      try {
        return await ports.ledger.post(draft);
      } catch (err) {
        return classify(err);
      }
    },

    async reverseLedgerEntry(input: { entryId: string; idempotencyKey: string; accountingDate: string; description?: string }): Promise<PostedEntry> {
      try {
        return await ports.ledger.reverse(input.entryId, input.idempotencyKey, input.accountingDate, input.description);
      } catch (err) {
        return classify(err);
      }
    },
  };
}

export type LedgerActivities = ReturnType<typeof createLedgerActivities>;
