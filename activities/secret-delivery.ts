import { findSecretDelivery, prepareSecretDelivery } from '../db/secret-deliveries';
import type { ActivityDeps } from './deps';

/** The sealed secret is bound to its delivery row. */
export const secretDeliveryContext = (deliveryId: string) => `secret-delivery:${deliveryId}`;

export interface MailClientSecretInput {
  deliveryId: string;
  ttlMs: number;
}

export function secretDeliveryActivities({
  pool,
  mail,
  secrets,
  clock,
  config,
}: Pick<ActivityDeps, 'pool' | 'mail' | 'secrets' | 'clock' | 'config'>) {
  return {
    /**
     * Mails the customer's contacts a one-time link to a rotated secret (the link, never the secret). Like
     * the kit: a retry before the mail went out replaces the token; after it, a retry does nothing.
     */
    async mailClientSecret({ deliveryId, ttlMs }: MailClientSecretInput): Promise<{ expiresAt: string }> {
      const idempotencyKey = `secret-delivery:${deliveryId}`;
      const delivery = await findSecretDelivery(pool, deliveryId, idempotencyKey);
      if (!delivery) throw new Error(`no secret delivery ${deliveryId}`);
      if (delivery.sent && delivery.expires_at) return { expiresAt: delivery.expires_at.toISOString() };
      const token = secrets.newToken();
      const expiresAt = new Date(clock().getTime() + ttlMs);
      await prepareSecretDelivery(pool, { id: deliveryId, tokenHash: secrets.hashToken(token), expiresAt });
      await mail.sendOnce({
        idempotencyKey,
        to: delivery.recipients.join(', '),
        subject: `A new client secret for ${delivery.client_id}`,
        text: [
          `A new secret was issued for your API client ${delivery.client_id}. Reveal it here:`,
          '',
          `${config.publicUrl}/kit/${token}`,
          '',
          `The link works exactly once and expires at ${expiresAt.toISOString()}: store the secret when you reveal it.`,
          'If you did not ask for this, tell your account manager.',
        ].join('\n'),
      });
      return { expiresAt: expiresAt.toISOString() };
    },
  };
}
