import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import type { EntryDraft } from '../../domain/ledger/entry';
import { createLedgerActivities } from '../ledger.activities';
import { LedgerError, type Ledger } from '../ports/ledger';

const draft: EntryDraft = {
  idempotencyKey: 'booking-ITN-1:deposit:pay-1',
  description: 'Deposit',
  accountingDate: '2027-01-15',
  lines: [
    { account: 'asset:clearing:card', side: 'DEBIT', amount: { amount: '100.00', currency: 'GBP' } },
    { account: 'liability:customer-deposits', side: 'CREDIT', amount: { amount: '100.00', currency: 'GBP' } },
  ],
};

function ledgerThatThrows(err: unknown): Ledger {
  const fail = async () => {
    throw err;
  };
  return { post: fail, reverse: fail, trialBalance: fail, balance: fail, translatedTrialBalance: fail, statement: fail, definePeriod: fail, closePeriod: fail, listPeriods: fail, getPeriod: fail };
}

describe('ledger activities classify failures', () => {
  const env = new MockActivityEnvironment();

  it.each([
    ['invalid-entry', 'LedgerEntryInvalid'],
    ['unknown-account', 'LedgerAccountRejected'],
    ['account-rejects-posting', 'LedgerAccountRejected'],
    ['closed-period', 'LedgerPeriodClosed'],
    ['idempotency-conflict', 'LedgerIdempotencyConflict'],
    ['already-reversed', 'LedgerReversalRefused'],
    ['entry-not-found', 'LedgerReversalRefused'],
    ['rate-missing', 'LedgerRateMissing'],
  ] as const)('ledger refusal %s -> non-retryable %s', async (kind, type) => {
    const error = new LedgerError(kind, `refused: ${kind}`, [{ path: '(entry)', message: 'does not balance in GBP' }]);
    const { postLedgerEntry } = createLedgerActivities({ ledger: ledgerThatThrows(error) });
    const failure = await env.run(postLedgerEntry, draft).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type, nonRetryable: true, message: error.message });
  });

  it('leaves infrastructure errors retryable', async () => {
    const outage = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const { postLedgerEntry } = createLedgerActivities({ ledger: ledgerThatThrows(outage) });
    await expect(env.run(postLedgerEntry, draft)).rejects.toBe(outage);
  });

  it('returns the posted entry', async () => {
    const posted = { id: 'e1', idempotencyKey: draft.idempotencyKey, description: 'Deposit', accountingDate: '2027-01-15', postedAt: 1, reversesId: null, lines: draft.lines };
    const ledger: Ledger = { ...ledgerThatThrows(new Error('unused')), post: async () => posted };
    await expect(env.run(createLedgerActivities({ ledger }).postLedgerEntry, draft)).resolves.toEqual(posted);
  });
});
