/** The one `workflowsPath` for workers: every workflow type Itinera registers. */
export { BookingWorkflow } from './booking/booking.workflow';
