/** The one `workflowsPath` for workers: every workflow type Itinera registers. */
export { BookingWorkflow } from './booking/booking.workflow';
export { BookingQuoteWorkflow } from './booking/quote.workflow';
export { MonthEndRevaluationWorkflow } from './finance/revaluation.workflow';
export { DailyRevenueRecognitionWorkflow } from './finance/revenue-recognition.workflow';
export { DailyFxImportWorkflow } from './finance/fx-import.workflow';
export { AllotmentReleaseWorkflow } from './catalog/allotment-release.workflow';
export { FlightOrderWorkflow } from './flights/flight-order.workflow';
export { FlightSearchWorkflow } from './flights/flight-search.workflow';
export { InventorySyncWorkflow } from './channels/inventory-sync.workflow';
export { ChannelReconciliationWorkflow } from './channels/channel-reconciliation.workflow';
export { ChannelReservationWorkflow } from './channels/channel-reservation.workflow';
export { ChannelInboxSweepWorkflow } from './channels/channel-inbox-sweep.workflow';
export { RateOperationWorkflow } from './channels/rate-operation.workflow';
export { CustomerMigrationWorkflow } from './migration/customer-migration.workflow';
