import type { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { Worker as TemporalWorker } from '@temporalio/worker';
import { createFlightActivities } from '../activities/flight.activities';
import type { FlightSupplier } from '../activities/ports/flight-supplier';
import type { Logger } from '../infra/logger';
import type { TemporalTarget } from '../infra/temporal';
import { TASK_QUEUES } from '../workflows/task-queues';
import { superviseWorker, WORKFLOWS_PATH, type SupervisedWorker } from './booking-worker';

export interface SupplierWorkerPorts {
  /** Flight suppliers by the name activity inputs use (`duffel`, `ndc`). */
  flightSuppliers: Record<string, FlightSupplier>;
}

export interface SupplierWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  ports: SupplierWorkerPorts;
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

/**
 * A worker for supplier I/O on `supplier-io`: the flight activities (search, price, order, pay,
 * change, cancel) and the short workflows around them (`FlightOrderWorkflow`). Supplier calls
 * get their own queue so a slow aggregator never starves booking or finance work.
 */
export function createSupplierWorker(opts: SupplierWorkerOptions): Promise<Worker> {
  return TemporalWorker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: TASK_QUEUES.supplierIo,
    workflowsPath: WORKFLOWS_PATH,
    activities: createFlightActivities({ suppliers: opts.ports.flightSuppliers }),
    shutdownGraceTime: opts.shutdownGraceTime ?? '30s',
  });
}

export function superviseSupplierWorker(
  target: TemporalTarget,
  ports: SupplierWorkerPorts,
  logger: Logger,
  shutdownGraceTime: WorkerOptions['shutdownGraceTime'] = '30s',
): SupervisedWorker {
  return superviseWorker(TASK_QUEUES.supplierIo, target, logger, (connection) =>
    createSupplierWorker({ connection, namespace: target.namespace, ports, shutdownGraceTime }),
  );
}
