import type { Pool } from 'pg';
import type { Mailer, OutgoingMail } from './mailer';

export type SendOnceResult = { sent: true } | { sent: false; reason: 'already sent' };

/**
 * Sends a mail at most once per idempotency key, as far as the database can tell, using mail_log.
 *
 * The row is locked for the duration of the send, so two attempts racing on one key (an activity
 * retried while its timed-out predecessor is still running) take turns and the second sees sent_at.
 *
 * What remains is an at-least-once window: if the process dies after the SMTP server accepted the
 * message but before the COMMIT that records sent_at, the retry sends it again. No protocol closes
 * that gap across two systems; the Message-ID derived from the key is identical on the resend, so a
 * receiving mail system or client that dedupes by Message-ID shows it once.
 */
export async function sendOnce(pool: Pool, mailer: Mailer, mail: OutgoingMail): Promise<SendOnceResult> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO mail_log (idempotency_key, recipient, subject) VALUES ($1, $2, $3)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [mail.idempotencyKey, mail.to, mail.subject],
    );
    const { rows } = await client.query<{ sent_at: Date | null }>(
      'SELECT sent_at FROM mail_log WHERE idempotency_key = $1 FOR UPDATE',
      [mail.idempotencyKey],
    );
    if (rows[0]?.sent_at) {
      await client.query('ROLLBACK');
      return { sent: false, reason: 'already sent' };
    }
    await mailer.send(mail);
    await client.query('UPDATE mail_log SET sent_at = now() WHERE idempotency_key = $1', [mail.idempotencyKey]);
    await client.query('COMMIT');
    return { sent: true };
  } catch (err) {
    // A connection that cannot even roll back is discarded rather than returned to the pool.
    await client.query('ROLLBACK').catch((rollbackErr: Error) => {
      broken = rollbackErr;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
