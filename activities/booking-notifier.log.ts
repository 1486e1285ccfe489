import type { Logger } from '../infra/logger';
import type { NoticeInput } from './booking-lifecycle.types';
import type { BookingNotifier } from './ports/booking-notifier';

/**
 * A BookingNotifier that writes one structured log line per notice: the default until e-mail is
 * configured (operations read the lines). The body is logged too: notices carry no card data.
 */
export class LogBookingNotifier implements BookingNotifier {
  readonly channel = 'log';

  constructor(private readonly logger: Logger) {}

  send(n: NoticeInput): Promise<void> {
    this.logger.info(
      { event: 'booking-notice', reference: n.reference, kind: n.kind, recipient: n.recipient, subject: n.subject, body: n.body, idempotencyKey: n.idempotencyKey },
      `booking notice ${n.kind} for ${n.reference} to ${n.recipient}: ${n.subject}`,
    );
    return Promise.resolve();
  }
}
