/**
 * The booking bench's baseline (bundled only by bench/support/booking-rig.ts): a workflow that runs
 * the same sequence of activities and local activities a happy-path booking runs, each doing
 * nothing, answers an update once the "hold" steps are done (as `awaitHeld` does), then runs the
 * "payment" steps inside a second update (as `recordPayment` does) and waits, like a booking
 * waiting for travel, until it is told to finish.
 */
import { condition, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';

/** One step: a (remote) activity or a local activity. */
export type NoopStep = 'A' | 'L';

export interface NoopBookingInput {
  holdSteps: NoopStep[];
  paySteps: NoopStep[];
}

export interface NoopActivities {
  noop(step: number): Promise<void>;
}

export const noopHeldUpdate = defineUpdate<{ status: 'HELD' }>('noopHeld');
export const noopPayUpdate = defineUpdate<{ status: 'PAID' }, [string]>('noopPay');
export const noopFinishSignal = defineSignal('noopFinish');

const remote = proxyActivities<NoopActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });
const local = proxyLocalActivities<NoopActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });

async function run(steps: NoopStep[], offset: number): Promise<void> {
  for (let i = 0; i < steps.length; i++) await (steps[i] === 'L' ? local : remote).noop(offset + i);
}

export async function NoopBookingWorkflow(input: NoopBookingInput): Promise<string> {
  let held = false;
  let paid = false;
  let finish = false;
  setHandler(noopHeldUpdate, async () => {
    await condition(() => held);
    return { status: 'HELD' as const };
  });
  setHandler(noopPayUpdate, async () => {
    await condition(() => held);
    if (!paid) {
      await run(input.paySteps, input.holdSteps.length);
      paid = true;
    }
    return { status: 'PAID' as const };
  });
  setHandler(noopFinishSignal, () => void (finish = true));
  await run(input.holdSteps, 0);
  held = true;
  await condition(() => finish);
  return 'done';
}
