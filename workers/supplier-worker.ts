import type { WorkerOptions } from '@temporalio/worker';
import { createFlightActivities } from '../activities/flight.activities';
import type { FlightSupplier } from '../activities/ports/flight-supplier';
import type { Logger } from '../infra/logger';
import type { TemporalTarget } from '../infra/temporal';
import { TASK_QUEUES } from '../workflows/task-queues';
import { superviseQueueWorker, type SupervisedWorker } from './booking-worker';

export interface SupplierWorkerPorts {
  /** Flight suppliers by the name activity inputs use (`duffel`, `ndc`). */
  flightSuppliers: Record<string, FlightSupplier>;
}

/**
 * The worker for supplier I/O on `supplier-io`: the flight activities (search, price, order, pay,
 * change, cancel) and the short workflows around them (`FlightOrderWorkflow`). Supplier calls
 * get their own queue so a slow aggregator never starves booking or finance work.
 */
export function superviseSupplierWorker(
  target: TemporalTarget,
  ports: SupplierWorkerPorts,
  logger: Logger,
  shutdownGraceTime: WorkerOptions['shutdownGraceTime'] = '30s',
): SupervisedWorker {
  return superviseQueueWorker(TASK_QUEUES.supplierIo, target, logger, createFlightActivities({ suppliers: ports.flightSuppliers }), shutdownGraceTime);
}
