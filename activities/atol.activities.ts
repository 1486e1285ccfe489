import { ApplicationFailure } from '@temporalio/common';
import { AtolError, type AtolBookingInput, type AtolErrorKind } from '../domain/atol/classification';
import type { ClassifyOutcome, PrismaAtolStore } from './atol.prisma';
import { ledgerFailure } from './ledger.activities';
import { LedgerError } from './ports/ledger';

/**
 * Failure types of the ATOL activities (`ApplicationFailure.type`); workflows branch on these.
 * All are non-retryable: the booking facts or the ATOL configuration must change first. Ledger
 * refusals of the APC entry keep the ledger's types (`FailureType`, e.g. `LedgerRateMissing`).
 */
export const AtolFailureType = {
  /** The booking facts are invalid; `details[0]` lists every problem. */
  AtolBookingInvalid: 'AtolBookingInvalid',
  /** No rule (or no APC rate) in force covers the booking: finance must add one. Never defaulted. */
  AtolNotClassifiable: 'AtolNotClassifiable',
  /** The booking was classified before with other facts. */
  AtolBookingConflict: 'AtolBookingConflict',
  /**
   * The booking names a licence that is unknown or not valid on its booking date, or it is
   * protected and no licence (or more than one, none named) is valid then: finance must register
   * or extend a licence, or the booking must name the one it is sold under.
   */
  AtolLicenceInvalid: 'AtolLicenceInvalid',
  /** The ATOL configuration itself was refused (rule, licence); not raised by classification. */
  AtolConfigurationRefused: 'AtolConfigurationRefused',
} as const;
export type AtolFailureType = (typeof AtolFailureType)[keyof typeof AtolFailureType];

/** Every ATOL refusal is final (the compiler keeps this total as kinds are added). */
const FAILURE_BY_KIND: Record<AtolErrorKind, AtolFailureType> = {
  'invalid-input': AtolFailureType.AtolBookingInvalid,
  'no-rules-in-force': AtolFailureType.AtolNotClassifiable,
  'no-rule-matched': AtolFailureType.AtolNotClassifiable,
  'ambiguous-rule-version': AtolFailureType.AtolNotClassifiable,
  'no-contribution-rate': AtolFailureType.AtolNotClassifiable,
  'inexact-contribution': AtolFailureType.AtolNotClassifiable,
  'booking-conflict': AtolFailureType.AtolBookingConflict,
  'invalid-licence': AtolFailureType.AtolLicenceInvalid,
  'no-licence-in-force': AtolFailureType.AtolLicenceInvalid,
  'licence-ambiguous': AtolFailureType.AtolLicenceInvalid,
  'rule-conflict': AtolFailureType.AtolConfigurationRefused,
  'licence-conflict': AtolFailureType.AtolConfigurationRefused,
  'licence-not-found': AtolFailureType.AtolConfigurationRefused,
  'record-not-found': AtolFailureType.AtolConfigurationRefused,
  'unknown-turnover-band': AtolFailureType.AtolConfigurationRefused,
};


/** ATOL and ledger refusals become non-retryable failures; anything else (database down, timeout) stays retryable. */
function classifyFailure(err: unknown): never {
  if (err instanceof AtolError) {
    throw ApplicationFailure.create({ type: FAILURE_BY_KIND[err.kind], message: err.message, nonRetryable: true, details: [err.problems] });
  }
  if (err instanceof LedgerError) {
    throw ledgerFailure(err);
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
