/** Task queues, shared by workers (which poll them) and clients (which start work on them). */
export const TASK_QUEUES = {
  /** Booking workflows and the database activities they run. */
  bookingOrchestration: 'booking-orchestration',
} as const;
