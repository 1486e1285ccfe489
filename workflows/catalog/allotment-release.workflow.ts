import { ApplicationFailure, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { InventoryActivities } from '../../activities/inventory.activities';
import { calendarDateIn, isIsoDate, isTimeZone } from '../../domain/time/instant';
import { TASK_QUEUES } from '../task-queues';

/** Catalog operations (allotment release) and the inventory activities they run. */
export const CATALOG_OPERATIONS_TASK_QUEUE = TASK_QUEUES.catalog;

const { expireInventoryHolds, releaseAllotments, notifySupplierReleases } = proxyActivities<InventoryActivities>({
  startToCloseTimeout: '5 minutes',
  // A database or notifier outage must not skip a day: keep retrying, at most once a minute. Each
  // step is idempotent (rows already expired / released / notified are left alone).
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface AllotmentReleaseInput {
  /** Release as of this operator calendar date (YYYY-MM-DD, not after today); absent: today in `timeZone` at workflow start. */
  date?: string;
  /** The operator's IANA zone, whose calendar decides "today". */
  timeZone: string;
}

export interface AllotmentReleaseResult {
  runDate: string;
  /** Expired holds whose units came back before the release (so they are released too). */
  holdsExpired: number;
  unitsReleased: number;
  contractsReleased: number;
  /** Supplier notifications sent by this run (including ones left over from an earlier run). */
  notificationsSent: number;
}

/**
 * The daily allotment release (schedule `catalog-daily-allotment-release`, 00:15 operator time).
 *
 * 1. Expires lapsed holds first, so their units are counted as unsold.
 * 2. Releases, for every inventory date whose release date is on or before the run date and whose
 *    stay date has not passed, the unsold units back to the supplier (a 21-day rule on arrival
 *    2027-03-22 releases in the run dated 2027-03-01, never earlier; a missed day is caught up).
 * 3. Notifies suppliers of what came back (idempotent, retried until sent).
 *
 * The run date, when not given, is the operator's calendar date at workflow start, read once from
 * workflow time (deterministic on replay). An explicit date later than that is refused: releasing
 * ahead of time would take units off sale early and cannot be undone.
 */
export async function AllotmentReleaseWorkflow(input: AllotmentReleaseInput): Promise<AllotmentReleaseResult> {
  if (!isTimeZone(input.timeZone)) throw ApplicationFailure.nonRetryable(`Unknown IANA time zone: ${input.timeZone}`, 'InvalidAllotmentReleaseRequest');
  const startedAt = Date.now();
  const today = calendarDateIn(startedAt, input.timeZone);
  if (input.date !== undefined && !isIsoDate(input.date)) {
    throw ApplicationFailure.nonRetryable(`date must be a calendar date written YYYY-MM-DD (got "${input.date}")`, 'InvalidAllotmentReleaseRequest');
  }
  if (input.date !== undefined && input.date > today) {
    throw ApplicationFailure.nonRetryable(`date ${input.date} is after today (${today} in ${input.timeZone}): allotments are never released ahead of time`, 'InvalidAllotmentReleaseRequest');
  }
  const runDate = input.date ?? today;

  setCurrentDetails(`Allotment release ${runDate}: expiring lapsed holds`);
  const holdsExpired = await expireInventoryHolds({ now: startedAt });
  setCurrentDetails(`Allotment release ${runDate}: ${holdsExpired} holds expired; releasing unsold units`);
  const released = await releaseAllotments({ runDate });
  setCurrentDetails(`Allotment release ${runDate}: ${released.released} units of ${released.contracts} contracts released; notifying suppliers`);
  const notificationsSent = await notifySupplierReleases();

  const result: AllotmentReleaseResult = { runDate, holdsExpired, unitsReleased: released.released, contractsReleased: released.contracts, notificationsSent };
  setCurrentDetails(`Allotment release ${runDate} done: ${holdsExpired} holds expired, ${result.unitsReleased} units of ${result.contractsReleased} contracts released, ${notificationsSent} notifications sent`);
  return result;
}
