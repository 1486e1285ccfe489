/** Task queues, shared by workers (which poll them) and clients (which start work on them). */
export const TASK_QUEUES = {
  /** Booking workflows and the database activities they run. */
  bookingOrchestration: 'booking-orchestration',
  /** Finance workflows (revaluation, revenue recognition, FX import) and their activities. */
  finance: 'finance-operations',
  /** Catalog and inventory workflows (daily allotment release) and their activities. */
  catalog: 'catalog-operations',
  /** Calls to external suppliers (flight aggregators, NDC gateways) and the short workflows around them. */
  supplierIo: 'supplier-io',
  /** Channel-manager pushes, inbound reservation processing, rate parity and reconciliation. */
  channels: 'channel-sync',
  /** Customer data: the legacy CRM migration and its activities. */
  crm: 'crm-operations',
} as const;
