import type { Queryable } from './queryable';

/** mail_log: one row per logical mail, keyed by its idempotency key; sent_at marks it sent. */

export async function isMailSent(db: Queryable, idempotencyKey: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM mail_log WHERE idempotency_key = $1 AND sent_at IS NOT NULL', [idempotencyKey]);
  return rows.length > 0;
}
