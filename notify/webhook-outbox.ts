import type { Queryable } from '../db/queryable';
import { insertSubscriptionDeliveries, insertWebhookDelivery } from '../db/webhook-deliveries';

/** The body every receiver gets, stored as it will be sent. */
export interface WebhookPayload {
  id: string;
  type: string;
  /** null for an event about no onboarding (a subscription's webhook.test). */
  onboardingId: string | null;
  occurredAt: string;
  data: unknown;
}

export interface WebhookEvent {
  /** Stable per event (derive it from workflow id and step) so that a replayed projection enqueues nothing new. */
  id: string;
  onboardingId: string;
  /** The onboarding's own receiver (notify.webhookUrl), when it has one. */
  url?: string | null;
  type: string;
  data: unknown;
  occurredAt: Date | string;
}

/** The body of an event, as stored and as sent to every receiver. */
export function webhookPayload(event: Omit<WebhookEvent, 'url'>): WebhookPayload {
  return {
    id: event.id,
    type: event.type,
    onboardingId: event.onboardingId,
    occurredAt: new Date(event.occurredAt).toISOString(),
    data: event.data,
  };
}

/**
 * Queues a delivery for the dispatcher: to the onboarding's own receiver when it has one, and to every
 * webhook subscription that wants this type of event for this onboarding's tenant, whatever the type.
 * Meant to run inside the transaction that records the change, so the webhooks exist if and only if the
 * change does; call it whether or not the onboarding has a webhookUrl. Returns whether a row was added.
 */
export async function enqueueWebhook(db: Queryable, event: WebhookEvent): Promise<boolean> {
  const payload = webhookPayload(event);
  const own = event.url
    ? await insertWebhookDelivery(db, {
        id: event.id,
        onboardingId: event.onboardingId,
        url: event.url,
        payload,
        eventType: event.type,
      })
    : false;
  const fanned = await insertSubscriptionDeliveries(db, {
    eventId: event.id,
    onboardingId: event.onboardingId,
    type: event.type,
    payload,
  });
  return own || fanned > 0;
}
