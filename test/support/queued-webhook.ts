import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Secrets } from '../../lib/secrets';
import { enqueueWebhook } from '../../notify/webhook-outbox';
import { newWebhookSecret } from '../../notify/webhook-signing';

/** Where the dispatcher's tests seal an onboarding's webhook secret (the worker's context, in its tests' shape). */
export const webhookSecretContext = (onboardingId: string) => `webhook:${onboardingId}`;

/** An onboardings row with a sealed webhook secret, and one `onboarding.approved` webhook queued for it. */
export async function queueWebhook(pool: Pool, secrets: Secrets, url: string) {
  const onboardingId = randomUUID();
  const secret = newWebhookSecret();
  await pool.query(
    `INSERT INTO onboardings (id, workflow_id, partner_provided_id, status, view, webhook_url, webhook_secret_enc)
     VALUES ($1, $2, $3, 'STARTED', '{}', $4, $5)`,
    [
      onboardingId,
      `onboarding:${onboardingId}`,
      `partner-${onboardingId}`,
      url,
      secrets.seal(secret, webhookSecretContext(onboardingId)),
    ],
  );
  const id = `${onboardingId}:approved`;
  const occurredAt = new Date('2025-01-02T03:04:05.000Z');
  await enqueueWebhook(pool, {
    id,
    onboardingId,
    url,
    type: 'onboarding.approved',
    data: { status: 'APPROVED' },
    occurredAt,
  });
  return { id, onboardingId, secret, occurredAt };
}
