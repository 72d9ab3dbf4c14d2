import type { Queryable } from './queryable';

/**
 * A client secret rotated on the customer's behalf: sealed here until the customer opens the one-time link
 * mailed to their contacts (the rotation answer never carries it). Opening destroys the sealed copy.
 */

export async function insertSecretDelivery(
  db: Queryable,
  delivery: { id: string; clientId: string; secretSealed: string; recipients: string[] },
): Promise<void> {
  await db.query('INSERT INTO secret_deliveries (id, client_id, secret_sealed, recipients) VALUES ($1, $2, $3, $4)', [
    delivery.id,
    delivery.clientId,
    delivery.secretSealed,
    delivery.recipients,
  ]);
}

/** The delivery and whether its mail (mailKey in mail_log) went out. */
export async function findSecretDelivery(
  db: Queryable,
  id: string,
  mailKey: string,
): Promise<{ client_id: string; recipients: string[]; expires_at: Date | null; sent: boolean } | undefined> {
  const { rows } = await db.query<{ client_id: string; recipients: string[]; expires_at: Date | null; sent: boolean }>(
    `SELECT d.client_id, d.recipients, d.expires_at, (m.sent_at IS NOT NULL) AS sent FROM secret_deliveries d
     LEFT JOIN mail_log m ON m.idempotency_key = $2 WHERE d.id = $1`,
    [id, mailKey],
  );
  return rows[0];
}

/** Sets (or on a retry before the mail went out, replaces) the link's token. */
export async function prepareSecretDelivery(
  db: Queryable,
  delivery: { id: string; tokenHash: string; expiresAt: Date },
): Promise<void> {
  await db.query('UPDATE secret_deliveries SET token_hash = $2, expires_at = $3 WHERE id = $1', [
    delivery.id,
    delivery.tokenHash,
    delivery.expiresAt,
  ]);
}

export async function isSecretDeliveryOpen(db: Queryable, tokenHash: string): Promise<boolean> {
  const { rows } = await db.query(
    'SELECT 1 FROM secret_deliveries WHERE token_hash = $1 AND opened_at IS NULL AND expires_at > now()',
    [tokenHash],
  );
  return rows.length > 0;
}

/** Opens once, in one statement: the sealed secret is returned and destroyed, so racing requests cannot both read it. */
export async function openSecretDelivery(
  db: Queryable,
  tokenHash: string,
): Promise<{ id: string; client_id: string; sealed: string } | undefined> {
  const { rows } = await db.query<{ id: string; client_id: string; sealed: string }>(
    `WITH d AS (
       SELECT id, secret_sealed FROM secret_deliveries
       WHERE token_hash = $1 AND opened_at IS NULL AND expires_at > now() AND secret_sealed IS NOT NULL FOR UPDATE
     )
     UPDATE secret_deliveries s SET opened_at = now(), secret_sealed = NULL FROM d WHERE s.id = d.id
     RETURNING s.id, s.client_id, d.secret_sealed AS sealed`,
    [tokenHash],
  );
  return rows[0];
}
