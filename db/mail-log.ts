import type { Queryable } from './queryable';

/**
 * mail_log: one row per logical mail, keyed by its idempotency key. A row with sent_at is a mail
 * sent; a row without is a send in progress, claimed at created_at (notify/mail-log.ts).
 */

export async function isMailSent(db: Queryable, idempotencyKey: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM mail_log WHERE idempotency_key = $1 AND sent_at IS NOT NULL', [idempotencyKey]);
  return rows.length > 0;
}

/** Claims the key for one send by inserting its row, unsent; false when the key has a row already. */
export async function claimMail(db: Queryable, claim: { idempotencyKey: string; recipient: string; subject: string; claimedAt: Date }): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO mail_log (idempotency_key, recipient, subject, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [claim.idempotencyKey, claim.recipient, claim.subject, claim.claimedAt],
  );
  return rowCount === 1;
}

export async function markMailSent(db: Queryable, idempotencyKey: string): Promise<void> {
  await db.query('UPDATE mail_log SET sent_at = now() WHERE idempotency_key = $1 AND sent_at IS NULL', [idempotencyKey]);
}

/** Gives up this claim (its send failed): the row goes, unless another attempt has claimed the key since. */
export async function releaseMailClaim(db: Queryable, idempotencyKey: string, claimedAt: Date): Promise<void> {
  await db.query('DELETE FROM mail_log WHERE idempotency_key = $1 AND sent_at IS NULL AND created_at = $2', [idempotencyKey, claimedAt]);
}

/** Removes a claim made before staleBefore and never completed (its holder died mid-send); true if there was one. */
export async function releaseStaleMailClaim(db: Queryable, idempotencyKey: string, staleBefore: Date): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM mail_log WHERE idempotency_key = $1 AND sent_at IS NULL AND created_at < $2', [idempotencyKey, staleBefore]);
  return (rowCount ?? 0) > 0;
}
