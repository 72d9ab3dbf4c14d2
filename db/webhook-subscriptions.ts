import type { Queryable } from './queryable';

/** Webhook subscriptions (PortalDuct): receivers registered on their own, beside an onboarding's notify.webhookUrl. */

export interface WebhookSubscriptionRow {
  id: string;
  url: string;
  events: string[];
  tenant: string | null;
  created_by: string | null;
  created_at: Date;
  deleted_at: Date | null;
}

const COLUMNS = 'id, url, events, tenant, created_by, created_at, deleted_at';

export async function insertWebhookSubscription(
  db: Queryable,
  row: { id: string; url: string; events: string[]; tenant: string | null; secretSealed: string; createdBy: string },
): Promise<WebhookSubscriptionRow> {
  const { rows } = await db.query<WebhookSubscriptionRow>(
    `INSERT INTO webhook_subscriptions (id, url, events, tenant, secret_enc, created_by) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING ${COLUMNS}`,
    [row.id, row.url, row.events, row.tenant, row.secretSealed, row.createdBy],
  );
  return rows[0];
}

export async function findWebhookSubscription(db: Queryable, id: string): Promise<WebhookSubscriptionRow | undefined> {
  const { rows } = await db.query<WebhookSubscriptionRow>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE id = $1`,
    [id],
  );
  return rows[0];
}

/** A live subscription for the same receiver and tenant: registering it again would only double every event. */
export async function findLiveDuplicate(
  db: Queryable,
  url: string,
  tenant: string | null,
): Promise<WebhookSubscriptionRow | undefined> {
  const { rows } = await db.query<WebhookSubscriptionRow>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions
      WHERE url = $1 AND tenant IS NOT DISTINCT FROM $2 AND deleted_at IS NULL LIMIT 1`,
    [url, tenant],
  );
  return rows[0];
}

export async function listLiveWebhookSubscriptions(db: Queryable, limit: number): Promise<WebhookSubscriptionRow[]> {
  const { rows } = await db.query<WebhookSubscriptionRow>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE deleted_at IS NULL ORDER BY created_at DESC, id LIMIT $1`,
    [limit],
  );
  return rows;
}

/**
 * Marks the subscription deleted and gives up its pending deliveries, in one transaction (the caller's):
 * nothing more is sent to a receiver that was removed. Deleting it again changes nothing.
 */
export async function deleteWebhookSubscription(db: Queryable, id: string): Promise<void> {
  const { rowCount } = await db.query(
    'UPDATE webhook_subscriptions SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL',
    [id],
  );
  if (!rowCount) return;
  await db.query(
    `UPDATE webhook_deliveries SET failed_at = now(), last_error = 'subscription deleted'
      WHERE subscription_id = $1 AND delivered_at IS NULL AND failed_at IS NULL`,
    [id],
  );
}
