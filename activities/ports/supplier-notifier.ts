/** Units of one date returned to the supplier. */
export interface ReleaseNotificationLine {
  stayDate: string;
  /** Units returned for that date, in total so far (a unit returned late raises it and re-notifies). */
  quantity: number;
}

/** Unsold allotment of one contract returned to the supplier by the release run. */
export interface ReleaseNotification {
  supplierCode: string;
  contractCode: string;
  productCode: string;
  category: string;
  lines: ReleaseNotificationLine[];
  /**
   * The same notification (same contract, dates and quantities) always carries the same key, so a
   * supplier system (or this adapter) can drop a repeat sent after a crash before it was recorded.
   */
  idempotencyKey: string;
}

/**
 * Tells a supplier which contracted units came back to them (allotment release). At-least-once:
 * a notification is sent again until the release run records it as sent, so implementations must
 * tolerate repeats (same `idempotencyKey`). Throw to have it retried later.
 */
export interface SupplierNotifier {
  notifyRelease(n: ReleaseNotification): Promise<void>;
}
