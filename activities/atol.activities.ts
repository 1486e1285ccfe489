import { ApplicationFailure } from '@temporalio/common';
import { AtolError, type AtolBookingInput, type AtolErrorKind } from '../domain/atol/classification';
import type { ClassifyOutcome, PrismaAtolStore } from './atol.prisma';
import { FailureType } from './failures';
import { LedgerError } from './ports/ledger';

/**
 * Failure types of the ATOL activities (`ApplicationFailure.type`); workflows branch on these.
 * All are non-retryable: the booking facts or the ATOL configuration must change first.
 */
export const AtolFailureType = {
  /** The booking facts are invalid; `details[0]` lists every problem. */
  AtolBookingInvalid: 'AtolBookingInvalid',
  /** No rule (or no APC rate) in force covers the booking: finance must add one. Never defaulted. */
  AtolNotClassifiable: 'AtolNotClassifiable',
  /** The booking was classified before with other facts. */
  AtolBookingConflict: 'AtolBookingConflict',
} as const;
export type AtolFailureType = (typeof AtolFailureType)[keyof typeof AtolFailureType];

const FAILURE_BY_KIND: Partial<Record<AtolErrorKind, AtolFailureType>> = {
  'invalid-input': AtolFailureType.AtolBookingInvalid,
  'no-rules-in-force': AtolFailureType.AtolNotClassifiable,
  'no-rule-matched': AtolFailureType.AtolNotClassifiable,
  'ambiguous-rule-version': AtolFailureType.AtolNotClassifiable,
  'no-contribution-rate': AtolFailureType.AtolNotClassifiable,
  'inexact-contribution': AtolFailureType.AtolNotClassifiable,
  'booking-conflict': AtolFailureType.AtolBookingConflict,
};

/** Ledger refusals of the APC entry, as the ledger activities classify them. */
const LEDGER_FAILURE: Record<string, FailureType> = {
  'invalid-entry': FailureType.LedgerEntryInvalid,
  'unknown-account': FailureType.LedgerAccountRejected,
  'account-rejects-posting': FailureType.LedgerAccountRejected,
  'closed-period': FailureType.LedgerPeriodClosed,
};

function classifyFailure(err: unknown): never {
  if (err instanceof AtolError) {
    const type = FAILURE_BY_KIND[err.kind];
    if (type) throw ApplicationFailure.create({ type, message: err.message, nonRetryable: true, details: [err.problems] });
  }
  if (err instanceof LedgerError && LEDGER_FAILURE[err.kind]) {
    throw ApplicationFailure.create({ type: LEDGER_FAILURE[err.kind], message: err.message, nonRetryable: true, details: [err.problems] });
  }
  throw err;
}

/** ATOL activities for the finance worker. Idempotent per booking reference. */
export function createAtolActivities(ports: { atol: PrismaAtolStore }) {
  return {
    /** Classifies the booking, posts its APC (key `atol-apc:<bookingRef>`) and records it for the returns. */
    async classifyAtolBooking(input: AtolBookingInput): Promise<ClassifyOutcome> {
      try {
        return await ports.atol.classifyAndRecord(input);
      } catch (err) {
        return classifyFailure(err);
      }
    },
  };
}

export type AtolActivities = ReturnType<typeof createAtolActivities>;
