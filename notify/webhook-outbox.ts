import type { Queryable } from '../db/queryable';
import { insertWebhookDelivery } from '../db/webhook-deliveries';

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
export async function enqueueWebhook(db: Queryable, event: WebhookEvent): Promise<boolean> {
  const payload: WebhookPayload = {
    id: event.id,
    type: event.type,
    onboardingId: event.onboardingId,
    occurredAt: new Date(event.occurredAt).toISOString(),
    data: event.data,
  };
  return insertWebhookDelivery(db, { id: event.id, onboardingId: event.onboardingId, url: event.url, payload });
}
