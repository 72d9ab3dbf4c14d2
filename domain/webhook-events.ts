/**
 * The event types a webhook subscription may ask for. Any event written to the outbox fans out to the
 * subscriptions that name its type (or "*"), so a new type needs only its name here to be subscribable.
 */
export const WEBHOOK_EVENT_TYPES = [
  'onboarding.status_changed',
  'client.connectivity_changed',
  'client.connectivity_lost',
  'client.connectivity_restored',
  'client.reconnect_failed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Every event type, present and future. */
export const ALL_WEBHOOK_EVENTS = '*';

/** Sent to a subscription once, on registration, so its receiver can check the signature before real events come. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';
