import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { claimMail, isMailSent, markMailSent, releaseMailClaim, renewMailClaim } from '../db/mail-log';
import type { Mailer, OutgoingMail } from './mailer';

export type SendOnceResult = { sent: true } | { sent: false; reason: 'already sent' };

export interface SendOnceOptions {
  /** How long a claim holds without renewal; the sender renews it every third of this. */
  claimLeaseMs?: number;
  /** How long to wait for another attempt's send before failing (retryably) instead. */
  maxWaitMs?: number;
}

/**
 * Long enough that a busy process still renews in time; short enough that the claim of a process that
 * died has run out before Temporal retries its activity (the notify preset's 1 minute start-to-close).
 */
const CLAIM_LEASE_MS = 30_000;
/** Below that start-to-close timeout too, so a waiting attempt never outlives its own. */
const MAX_WAIT_MS = 30_000;

/**
 * Sends a mail at most once per idempotency key, as far as the database can tell, using mail_log,
 * and holds no connection while the SMTP server answers: the key is claimed by one statement, the
 * mail sent while a timer renews the claim (each renewal its own short statement), and the row then
 * marked sent. A failed send gives the claim up, so a retry sends. An attempt that finds the key
 * claimed by another (an activity retried while its timed-out predecessor is still sending) waits
 * for that send to end and then sees it sent; the claim of a process that died stops being renewed,
 * runs out, and is taken over.
 *
 * What remains is an at-least-once window: if the process dies after the SMTP server accepted the
 * message but before sent_at is recorded, a later attempt sends it again. No protocol closes that
 * gap across two systems; the Message-ID derived from the key is identical on the resend, so a
 * receiving mail system or client that dedupes by Message-ID shows it once.
 */
export async function sendOnce(
  pool: Pool,
  mailer: Mailer,
  mail: OutgoingMail,
  options: SendOnceOptions = {},
): Promise<SendOnceResult> {
  const { claimLeaseMs = CLAIM_LEASE_MS, maxWaitMs = MAX_WAIT_MS } = options;
  const key = mail.idempotencyKey;
  const claimId = randomUUID();
  const giveUpAt = Date.now() + maxWaitMs;
  for (let pause = 25; ; pause = Math.min(pause * 2, 1_000)) {
    if (
      await claimMail(pool, {
        idempotencyKey: key,
        recipient: mail.to,
        subject: mail.subject,
        claimId,
        leaseMs: claimLeaseMs,
      })
    ) {
      await sendClaimed(pool, mailer, mail, claimId, claimLeaseMs);
      return { sent: true };
    }
    if (await isMailSent(pool, key)) return { sent: false, reason: 'already sent' };
    if (Date.now() > giveUpAt) throw new Error(`mail ${key} is being sent by another attempt; try again later`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

async function sendClaimed(
  pool: Pool,
  mailer: Mailer,
  mail: OutgoingMail,
  claimId: string,
  leaseMs: number,
): Promise<void> {
  // A renewal that fails is only a missed beat: the next one, or the lease, settles it.
  const renewing = setInterval(
    () => void renewMailClaim(pool, mail.idempotencyKey, claimId, leaseMs).catch(() => undefined),
    leaseMs / 3,
  );
  try {
    await mailer.send(mail);
  } catch (err) {
    // Should the release fail too, the claim runs out and a retry sends then.
    await releaseMailClaim(pool, mail.idempotencyKey, claimId).catch(() => undefined);
    throw err;
  } finally {
    clearInterval(renewing);
  }
  await markMailSent(pool, mail.idempotencyKey);
}
