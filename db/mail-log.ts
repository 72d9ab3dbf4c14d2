import type { Queryable } from './queryable';

/**
 * mail_log: one row per logical mail, keyed by its idempotency key. A row with sent_at is a mail
 * sent; a row without is a send in progress, held by claim_id until claimed_until (notify/mail-log.ts).
 * Lease times are counted on the database's clock, so processes on other hosts agree on them.
 */

export async function isMailSent(db: Queryable, idempotencyKey: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM mail_log WHERE idempotency_key = $1 AND sent_at IS NOT NULL', [
    idempotencyKey,
  ]);
  return rows.length > 0;
}

/**
 * Claims the key for one send, in one statement: a new key gets its row, unsent; an unsent row whose
 * claim ran out is taken over. False while the key is sent or another claim holds it.
 */
export async function claimMail(
  db: Queryable,
  claim: { idempotencyKey: string; recipient: string; subject: string; claimId: string; leaseMs: number },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO mail_log (idempotency_key, recipient, subject, claim_id, claimed_until)
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5::double precision / 1000))
     ON CONFLICT (idempotency_key) DO UPDATE
       SET recipient = EXCLUDED.recipient, subject = EXCLUDED.subject, claim_id = EXCLUDED.claim_id, claimed_until = EXCLUDED.claimed_until
       WHERE mail_log.sent_at IS NULL AND (mail_log.claimed_until IS NULL OR mail_log.claimed_until < now())`,
    [claim.idempotencyKey, claim.recipient, claim.subject, claim.claimId, claim.leaseMs],
  );
  return rowCount === 1;
}

/** Extends this claim's lease; false when it is no longer this claim's (it ran out and was taken over). */
export async function renewMailClaim(
  db: Queryable,
  idempotencyKey: string,
  claimId: string,
  leaseMs: number,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE mail_log SET claimed_until = now() + make_interval(secs => $3::double precision / 1000)
     WHERE idempotency_key = $1 AND claim_id = $2 AND sent_at IS NULL`,
    [idempotencyKey, claimId, leaseMs],
  );
  return rowCount === 1;
}

export async function markMailSent(db: Queryable, idempotencyKey: string): Promise<void> {
  await db.query('UPDATE mail_log SET sent_at = now() WHERE idempotency_key = $1 AND sent_at IS NULL', [
    idempotencyKey,
  ]);
}

/** Gives up this claim (its send failed): the row goes, unless another attempt has taken the key over. */
export async function releaseMailClaim(db: Queryable, idempotencyKey: string, claimId: string): Promise<void> {
  await db.query('DELETE FROM mail_log WHERE idempotency_key = $1 AND claim_id = $2 AND sent_at IS NULL', [
    idempotencyKey,
    claimId,
  ]);
}
