import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { bookingWorkflowId, referenceFromBytes } from '../../../domain/booking/draft';
import { CURRENT_LIFECYCLE_REVISION, type BookingRequest, type ComponentRequest, type LifecycleView } from '../../../domain/booking/model';
import { addDays } from '../../../domain/catalog/dates';
import { Dec } from '../../../domain/money/money';
import { DAY_MS, HOUR_MS } from '../../../domain/time/instant';
import { tripComponents } from '../../../test/support/trip-catalog';
import { BookingWorkflow } from '../booking.workflow';
import { awaitHeldUpdate, recordPaymentUpdate } from '../messages';
import type { LifecycleRig } from './lifecycle.rig';

export type Handle = WorkflowHandle<typeof BookingWorkflow>;

/** What the lifecycle scenario tests do to a booking on the rig: open, pay, move time, read the ledger. */
export function lifecycleTools(rig: () => LifecycleRig) {
  /** Moves the test server's clock to `at` (epoch ms), running every timer on the way. */
  const skipTo = async (at: number): Promise<void> => {
    const now = await rig().env.currentTimeMs();
    if (at > now) await rig().env.sleep(at - now);
  };
  /**
   * Waits for `work` while moving the test server's clock a step at a time: retries with backoff
   * (a supplier down for minutes) run in skipped time however long each attempt takes in real time.
   */
  const skipUntilSettled = async <T>(work: Promise<T>, stepMs = 60_000): Promise<T> => {
    let settled = false;
    const tracked = work.finally(() => {
      settled = true;
    });
    tracked.catch(() => undefined);
    while (!settled) await rig().env.sleep(stepMs);
    return tracked;
  };
  return {
    skipTo,
    skipUntilSettled,
    async request(daysAhead: number, nights: number, extra: Partial<BookingRequest> = {}, components?: ComponentRequest[]): Promise<BookingRequest> {
      const today = await rig().today();
      const departureDate = addDays(today, daysAhead);
      return {
        reference: referenceFromBytes(randomBytes(8)),
        customerId: 'CUST-1',
        advisorId: 'ADV-7',
        channel: 'direct',
        currency: 'GBP',
        departureDate,
        returnDate: addDays(departureDate, nights),
        components: components ?? tripComponents(rig(), departureDate, nights),
        contactEmail: 'ada@example.com',
        timeZone: 'UTC',
        revision: CURRENT_LIFECYCLE_REVISION,
        ...extra,
      };
    },
    async open(req: BookingRequest): Promise<{ handle: Handle; view: LifecycleView }> {
      const handle = await rig().client.workflow.start(BookingWorkflow, { workflowId: bookingWorkflowId(req.reference), taskQueue: rig().taskQueue, args: [req] });
      const view = await handle.executeUpdate(awaitHeldUpdate);
      if (view.status !== 'HELD') throw new Error(`booking ${req.reference} was not held: ${view.failure}`);
      return { handle, view };
    },
    pay: (handle: Handle, amount: string, paymentId: string = randomUUID(), currency = 'GBP', memberId?: string) =>
      handle.executeUpdate(recordPaymentUpdate, { args: [{ paymentId, amount: { amount, currency }, method: 'card', ...(memberId ? { memberId } : {}) }] }),
    /**
     * `npm run histories:record -- <release>` runs the scenario tests with RECORD_HISTORIES=<release>:
     * each scenario's history is saved to __histories__/<name>.<release>.json, and the replay test
     * runs today's workflow code against every saved history (so in-flight bookings survive changes).
     */
    async record(name: string, handle: Handle): Promise<void> {
      const release = process.env.RECORD_HISTORIES;
      if (!release) return;
      const file = path.resolve(__dirname, '..', '__histories__', `${name}.${release}.json`);
      writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(await handle.fetchHistory())), null, 1)}\n`);
    },
    /** Past the return date and the 30-day complaint window: the workflow has closed. */
    async result(handle: Handle, req: BookingRequest): Promise<LifecycleView> {
      await skipTo(Date.parse(`${req.returnDate}T23:59:59.999Z`) + 30 * DAY_MS + HOUR_MS);
      return (await handle.result()) as LifecycleView;
    },
    /** Net (debits − credits) per account of one booking's postings. */
    async ledgerNet(reference: string): Promise<Record<string, string>> {
      const rows = await rig().db.query<{ code: string; side: string; amount: string }>(
        `SELECT a.code, p.side::text AS side, p.amount::text AS amount
           FROM postings p JOIN journal_entries e ON e.id = p.entry_id JOIN ledger_accounts a ON a.id = p.account_id
          WHERE e.booking_ref = $1`,
        [reference],
      );
      const net: Record<string, Dec> = {};
      for (const r of rows) net[r.code] = (net[r.code] ?? new Dec(0)).plus(r.side === 'DEBIT' ? r.amount : new Dec(r.amount).neg());
      return Object.fromEntries(Object.entries(net).map(([k, v]) => [k, v.toFixed(2)]));
    },
    async entryCount(idempotencyKeyLike: string): Promise<number> {
      const [row] = await rig().db.query<{ n: number }>(`SELECT count(*)::int AS n FROM journal_entries WHERE idempotency_key LIKE $1`, [idempotencyKeyLike]);
      return row!.n;
    },
    async holdStatus(key: string): Promise<string | undefined> {
      return (await rig().inventory.getHold(key))?.status;
    },
    /** The ApplicationFailure type an update was refused with (undefined when it was accepted). */
    async failureType(p: Promise<unknown>): Promise<string | undefined> {
      try {
        await p;
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return err.cause.type ?? undefined;
        throw err;
      }
      return undefined;
    },
  };
}
