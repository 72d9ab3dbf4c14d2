import { withTransaction } from '../db/transaction';
import type { SubscriptionCode } from '../domain';
import type { ActivityDeps } from './deps';

/** The sealed set-password token is bound to its kit row. */
export const setPasswordContext = (onboardingId: string) => `set-password:${onboardingId}`;

export interface DeliverKitInput { onboardingId: string; notifyEmail: string; username: string; subscriptions: SubscriptionCode[]; ttlMs: number }

export function kitActivities({ pool, mail, secrets, clock, config }: Pick<ActivityDeps, 'pool' | 'mail' | 'secrets' | 'clock' | 'config'>) {
  return {
    /**
     * Mails a one-time link to the kit; the secret itself never travels by mail. As with collector
     * links, a retry before the mail went out replaces the token; after it, a retry does nothing.
     */
    async deliverKit({ onboardingId, notifyEmail, username, subscriptions, ttlMs }: DeliverKitInput): Promise<{ expiresAt: string }> {
      const idempotencyKey = `${onboardingId}:DELIVER_KIT`;
      const { rows: kits } = await pool.query<{ expires_at: Date | null; sent: boolean }>(
        `SELECT k.expires_at, (m.sent_at IS NOT NULL) AS sent FROM kits k
         LEFT JOIN mail_log m ON m.idempotency_key = $2 WHERE k.onboarding_id = $1`,
        [onboardingId, idempotencyKey],
      );
      if (!kits[0]) throw new Error(`no kit for onboarding ${onboardingId}: client credentials were not issued`);
      if (kits[0].sent && kits[0].expires_at) return { expiresAt: kits[0].expires_at.toISOString() };

      const token = secrets.newToken();
      const expiresAt = new Date(clock().getTime() + ttlMs);
      const contents = { username, developerPortalUrl: config.developerPortalUrl, subscriptions };
      // The customer, never staff, chooses the integration user's password: through a one-time link
      // that travels sealed inside the kit, so it is never in a mail body either.
      const passwordToken = secrets.newToken();
      await withTransaction(pool, async (client) => {
        const { rows: users } = await client.query<{ id: string }>('SELECT id FROM integration_users WHERE orchestration_id = $1', [onboardingId]);
        if (!users[0]) throw new Error(`no integration user for onboarding ${onboardingId}`);
        await client.query(
          `INSERT INTO integration_password_links (onboarding_id, integration_user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (onboarding_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at`,
          [onboardingId, users[0].id, secrets.hashToken(passwordToken), new Date(expiresAt.getTime() + ttlMs)],
        );
        await client.query('UPDATE kits SET token_hash = $2, contents = $3, expires_at = $4, set_password_token_sealed = $5 WHERE onboarding_id = $1', [
          onboardingId,
          secrets.hashToken(token),
          contents,
          expiresAt,
          secrets.seal(passwordToken, setPasswordContext(onboardingId)),
        ]);
      });
      await mail.sendOnce({
        idempotencyKey,
        to: notifyEmail,
        subject: 'Your API integration kit is ready',
        text: [
          'Your integration is set up. Open your kit (client id, client secret, username, the link to set your password) here:',
          '',
          `${config.publicUrl}/v1/kits/${token}`,
          '',
          `The link works exactly once and expires at ${expiresAt.toISOString()}: store the secret when you open it.`,
          `Subscriptions: ${subscriptions.join(', ')}`,
          `Developer portal: ${config.developerPortalUrl}`,
        ].join('\n'),
      });
      return { expiresAt: expiresAt.toISOString() };
    },
  };
}
