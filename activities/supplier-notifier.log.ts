import type { Logger } from '../infra/logger';
import type { ReleaseNotification, SupplierNotifier } from './ports/supplier-notifier';

/**
 * A SupplierNotifier that writes one structured log line per notification: the default until a
 * supplier has an e-mail or extranet integration (operations read the lines and tell the supplier).
 */
export class LogSupplierNotifier implements SupplierNotifier {
  constructor(private readonly logger: Logger) {}

  notifyRelease(n: ReleaseNotification): Promise<void> {
    const units = n.lines.reduce((sum, l) => sum + l.quantity, 0);
    this.logger.info(
      { event: 'allotment-release', supplierCode: n.supplierCode, contractCode: n.contractCode, productCode: n.productCode, category: n.category, lines: n.lines, idempotencyKey: n.idempotencyKey },
      `allotment released to supplier ${n.supplierCode}: ${units} units of ${n.productCode}/${n.category} (contract ${n.contractCode})`,
    );
    return Promise.resolve();
  }
}
