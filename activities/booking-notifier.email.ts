import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { NoticeInput } from './booking-lifecycle.types';
import { BookingNoticeRejected, type BookingNotifier } from './ports/booking-notifier';

export interface PickupDirectoryOptions {
  /** The directory an MTA (Postfix/Exim pickup, a relay sidecar) or a test reads the messages from. */
  directory: string;
  /** The From header ("Itinera <bookings@itinera.example>"). */
  from: string;
  /** Where "ops" notices go (staff alerts). */
  opsAddress: string;
  /** Domain of the Message-ID (default: the From address's domain). */
  messageIdDomain?: string;
  /** Date header clock (tests). */
  now?: () => Date;
}

const HEADER_UNSAFE = /[\r\n]/;
const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

/** RFC 2047 encoded-word for a header value that is not plain ASCII. */
function headerText(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** Base64 body in lines of 76 characters (RFC 2045). */
function base64Body(text: string): string {
  return (
    Buffer.from(text, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g)
      ?.join('\r\n') ?? ''
  );
}

/**
 * A BookingNotifier for e-mail without an SMTP client in the process: each notice becomes one
 * RFC 5322 message (`.eml`) written to a pickup directory, which the mail relay sends. The file
 * name and the Message-ID derive from the idempotency key, so a repeated send (a crash between
 * sending and recording) rewrites the same file and the same Message-ID: the relay and mail
 * clients drop the duplicate. Files appear atomically (written under a temporary name, renamed).
 */
export class PickupDirectoryEmailNotifier implements BookingNotifier {
  readonly channel = 'email';

  constructor(private readonly opts: PickupDirectoryOptions) {
    if (!ADDRESS.test(opts.opsAddress)) throw new Error(`opsAddress "${opts.opsAddress}" is not an e-mail address`);
    if (HEADER_UNSAFE.test(opts.from)) throw new Error('from must be one header line');
  }

  /** The message exactly as written to the pickup directory (CRLF line ends); BookingNoticeRejected for a bad address or subject. */
  render(n: NoticeInput): { fileName: string; message: string } {
    const to = n.recipient === 'ops' ? this.opts.opsAddress : n.recipient;
    if (!ADDRESS.test(to)) throw new BookingNoticeRejected(`recipient "${n.recipient}" is not an e-mail address (or "ops")`);
    if (HEADER_UNSAFE.test(n.subject)) throw new BookingNoticeRejected('subject must be one line');
    const id = createHash('sha256').update(n.idempotencyKey).digest('hex').slice(0, 32);
    const domain = this.opts.messageIdDomain ?? /@([^>\s]+)/.exec(this.opts.from)?.[1] ?? 'itinera.invalid';
    const headers = [
      `From: ${this.opts.from}`,
      `To: ${to}`,
      `Subject: ${headerText(n.subject)}`,
      `Date: ${(this.opts.now?.() ?? new Date()).toUTCString()}`,
      `Message-ID: <${id}@${domain}>`,
      `X-Itinera-Booking: ${n.reference}`,
      `X-Itinera-Notice: ${n.kind}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
    ];
    return { fileName: `${id}.eml`, message: `${headers.join('\r\n')}\r\n\r\n${base64Body(n.body)}\r\n` };
  }

  async send(n: NoticeInput): Promise<void> {
    const { fileName, message } = this.render(n);
    await mkdir(this.opts.directory, { recursive: true });
    const target = path.join(this.opts.directory, fileName);
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, message, 'utf8');
    await rename(temporary, target);
  }
}
