import type { Pool, PoolClient } from 'pg';

/** The body every receiver gets, stored as it will be sent. */
export interface WebhookPayload {
  id: string;
  type: string;
  onboardingId: string;
  occurredAt: string;
  data: unknown;
}

export interface WebhookEvent {
  /** Stable per event (derive it from workflow id and step) so that a replayed projection enqueues nothing new. */
  id: string;
  onboardingId: string;
  url: string;
  type: string;
  data: unknown;
  occurredAt: Date | string;
}

/**
 * Queues a delivery for the dispatcher. Meant to run inside the transaction that records the status
 * change, so the webhook exists if and only if the change does. Returns whether a row was added.
 */
export async function enqueueWebhook(client: Pool | PoolClient, event: WebhookEvent): Promise<boolean> {
  const payload: WebhookPayload = {
    id: event.id,
    type: event.type,
    onboardingId: event.onboardingId,
    occurredAt: new Date(event.occurredAt).toISOString(),
    data: event.data,
  };
  const result = await client.query(
    `INSERT INTO webhook_deliveries (id, onboarding_id, url, payload) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO NOTHING`,
    [event.id, event.onboardingId, event.url, JSON.stringify(payload)],
  );
  return result.rowCount === 1;
}
