import type { Pool } from 'pg';
import { claimMail, isMailSent, markMailSent, releaseMailClaim, releaseStaleMailClaim } from '../db/mail-log';
import type { Mailer, OutgoingMail } from './mailer';

export type SendOnceResult = { sent: true } | { sent: false; reason: 'already sent' };

export interface SendOnceOptions {
  /** How long a claim protects a send in progress; longer than any send can take. */
  claimLeaseMs?: number;
  /** How long to wait for another attempt's send before failing (retryably) instead. */
  maxWaitMs?: number;
}

/**
 * nodemailer's own timeouts (10 s to connect, 10 s for the greeting, 30 s of socket silence) end a
 * send well within this; a claim older than it belongs to an attempt that died mid-send.
 */
const CLAIM_LEASE_MS = 2 * 60_000;
/** Below the notify activities' 1 minute start-to-close timeout, so a waiting attempt never outlives its own. */
const MAX_WAIT_MS = 30_000;

/**
 * Sends a mail at most once per idempotency key, as far as the database can tell, using mail_log,
 * and holds no connection while the SMTP server answers: the key is claimed by one statement (its row
 * inserted unsent), the mail sent, and the row then marked sent. A failed send gives the claim up, so
 * a retry sends. An attempt that finds the key claimed by another (an activity retried while its
 * timed-out predecessor is still sending) waits for that send to end and then sees it sent; a claim
 * older than the lease was left by an attempt that died, and is taken over.
 *
 * What remains is an at-least-once window: if the process dies after the SMTP server accepted the
 * message but before sent_at is recorded, a later attempt sends it again. No protocol closes that
 * gap across two systems; the Message-ID derived from the key is identical on the resend, so a
 * receiving mail system or client that dedupes by Message-ID shows it once.
 */
export async function sendOnce(pool: Pool, mailer: Mailer, mail: OutgoingMail, options: SendOnceOptions = {}): Promise<SendOnceResult> {
  const { claimLeaseMs = CLAIM_LEASE_MS, maxWaitMs = MAX_WAIT_MS } = options;
  const key = mail.idempotencyKey;
  const giveUpAt = Date.now() + maxWaitMs;
  for (let pause = 25; ; pause = Math.min(pause * 2, 1_000)) {
    // Milliseconds, as a JS Date holds them, so that releaseMailClaim finds exactly this claim again.
    const claimedAt = new Date();
    if (await claimMail(pool, { idempotencyKey: key, recipient: mail.to, subject: mail.subject, claimedAt })) {
      try {
        await mailer.send(mail);
      } catch (err) {
        // Should the release fail too, the claim expires after the lease and a retry sends then.
        await releaseMailClaim(pool, key, claimedAt).catch(() => undefined);
        throw err;
      }
      await markMailSent(pool, key);
      return { sent: true };
    }
    if (await isMailSent(pool, key)) return { sent: false, reason: 'already sent' };
    if (await releaseStaleMailClaim(pool, key, new Date(Date.now() - claimLeaseMs))) continue;
    if (Date.now() > giveUpAt) throw new Error(`mail ${key} is being sent by another attempt; try again later`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
