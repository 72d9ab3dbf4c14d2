import type { PortalClientRequest } from '../domain';
import type { ActivityDeps } from './deps';

export interface IssueCollectorLinkInput { workflowId: string; onboardingId: string; client: PortalClientRequest; attempt: number; ttlMs: number }

/** Submitted portal credentials are sealed under a context naming their link. */
export const collectorContext = (collectorLinkId: string) => `collector:${collectorLinkId}`;

export function collectionActivities({ pool, mail, secrets, clock, config }: Pick<ActivityDeps, 'pool' | 'mail' | 'secrets' | 'clock' | 'config'>) {
  return {
    /**
     * One link per client and attempt. Only the token's hash is stored, so a retry after a crash
     * between the row and the mail cannot resend the same link: it replaces the token (the first
     * link then stops working) and sends the new one. Once the mail is sent, a retry does nothing.
     */
    async issueCollectorLink({ workflowId, onboardingId, client, attempt, ttlMs }: IssueCollectorLinkInput): Promise<{ collectorLinkId: string }> {
      const idempotencyKey = `${onboardingId}:COLLECT_CLIENT_CREDENTIALS:${client.partnerProvidedId}:${attempt}`;
      const sent = await pool.query('SELECT 1 FROM mail_log WHERE idempotency_key = $1 AND sent_at IS NOT NULL', [idempotencyKey]);
      const existing = await pool.query<{ id: string }>(
        'SELECT id FROM collector_links WHERE onboarding_id = $1 AND client_id = $2 AND attempt = $3',
        [onboardingId, client.partnerProvidedId, attempt],
      );
      if (sent.rowCount && existing.rows[0]) return { collectorLinkId: existing.rows[0].id };

      const token = secrets.newToken();
      const expiresAt = new Date(clock().getTime() + ttlMs);
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO collector_links (onboarding_id, workflow_id, client_id, client_name, portal_url, attempt, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (onboarding_id, client_id, attempt) DO UPDATE SET token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at
         RETURNING id`,
        [onboardingId, workflowId, client.partnerProvidedId, client.name, client.portalUrl, attempt, secrets.hashToken(token), expiresAt],
      );
      const again = attempt > 1 ? 'The credentials you sent last time were not accepted by your portal. ' : '';
      await mail.sendOnce({
        idempotencyKey,
        to: client.contactEmail,
        subject: `${attempt > 1 ? 'Please try again: ' : ''}portal credentials for ${client.name}`,
        text: [
          `${again}Please enter the credentials gangway should use to log into your portal (${client.portalUrl}):`,
          '',
          `${config.publicUrl}/collect/${token}`,
          '',
          `This link works once and expires at ${expiresAt.toISOString()}.`,
        ].join('\n'),
      });
      return { collectorLinkId: rows[0].id };
    },
  };
}
