import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { Logger } from '../lib/logger';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Names the logical mail (workflow id and step); the same key always yields the same Message-ID. */
  idempotencyKey: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

/**
 * A resent mail carries the Message-ID of the first, so receivers (and people) can tell it is the
 * same message. Hashed so that the key, which names a workflow, does not show in headers.
 */
export function messageIdFor(idempotencyKey: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex')}@gangway>`;
}

export function createMailer(options: { smtpUrl: string; from: string; log: Logger }): Mailer {
  const { from, log } = options;
  // Short timeouts: a hung SMTP server should fail the activity attempt and let Temporal retry,
  // not hold it for nodemailer's default of minutes.
  // Pooled: a new SMTP session per mail costs ~110 ms (connect, greeting, EHLO) against ~5 ms on an
  // open one, and every notify activity waited for it (measured with npm run bench's timeline).
  const transport = createTransport({
    url: options.smtpUrl,
    pool: true,
    maxConnections: 4,
    maxMessages: 500,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail) {
      await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: messageIdFor(mail.idempotencyKey),
      });
      // Never the body: collector and kit mails carry links that are bearer secrets.
      log.info({ to: mail.to, subject: mail.subject, idempotencyKey: mail.idempotencyKey }, 'mail sent');
    },
    async close() {
      transport.close();
    },
  };
}
