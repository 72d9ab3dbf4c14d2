import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Returned once to the customer at start; `whsec_` + base64 key is the Standard Webhooks format. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs exactly the bytes that will be sent: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. The
 * timestamp lets receivers reject replays (the reference verifier allows five minutes of skew).
 */
export function signWebhook(input: { secret: string; id: string; timestamp: Date; body: string }): WebhookHeaders {
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(Math.floor(input.timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(input.secret).sign(input.id, input.timestamp, input.body),
  };
}

/** onboardings.webhook_secret_enc is sealed under this context: sealed by the API, opened by the dispatcher. */
export const webhookSecretContext = (onboardingId: string) => `webhook:${onboardingId}`;

/** webhook_subscriptions.secret_enc is sealed under this context: sealed by the API, opened by the dispatcher. */
export const webhookSubscriptionSecretContext = (subscriptionId: string) => `webhook-subscription:${subscriptionId}`;
