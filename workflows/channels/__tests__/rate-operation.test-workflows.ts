import { condition, defineQuery, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

export { RateOperationWorkflow } from '../rate-operation.workflow';

/** Activities of the stand-in lane (test code writes the acks into the database). */
export interface LaneTestActivities {
  ackRatesFor(input: { hotelCode: string; connection: string }): Promise<number>;
}

const { ackRatesFor } = proxyActivities<LaneTestActivities>({ startToCloseTimeout: '30 seconds' });

export const ratesChangedSignal = defineSignal<[{ operationId?: string }]>('ratesChanged');
export const signalsQuery = defineQuery<number>('signals');

/**
 * Stand-in for InventorySyncWorkflow (same name, arguments and signal): on each `ratesChanged` signal, the first lane
 * acknowledges at once and every other listed lane one simulated minute later.
 */
export async function InventorySyncWorkflow(hotelCode: string, lanes: string[] = ['BOOKING']): Promise<void> {
  let signals = 0;
  let handled = 0;
  setHandler(ratesChangedSignal, () => void signals++);
  setHandler(signalsQuery, () => signals);
  for (;;) {
    await condition(() => signals > handled);
    handled = signals;
    for (const [i, connection] of lanes.entries()) {
      if (i > 0) await sleep('1 minute');
      await ackRatesFor({ hotelCode, connection });
    }
  }
}
