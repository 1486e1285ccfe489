/** The channel workflows bundled together for the workflow tests (the reconciliation signals the sync workflow). */
export { InventorySyncWorkflow } from '../inventory-sync.workflow';
export { ChannelReconciliationWorkflow } from '../channel-reconciliation.workflow';
