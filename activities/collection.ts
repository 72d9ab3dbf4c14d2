import { findCollectorLinkId, upsertCollectorLink } from '../db/collector-links';
import { isMailSent } from '../db/mail-log';
import type { PortalClientRequest } from '../domain';
import type { ActivityDeps } from './deps';

export interface IssueCollectorLinkInput {
  workflowId: string;
  onboardingId: string;
  /** The portal client whose credentials are asked for. */
  client: PortalClientRequest;
  attempt: number;
  ttlMs: number;
}

/** Submitted portal credentials are sealed under a context naming their link. */
export const collectorContext = (collectorLinkId: string) => `collector:${collectorLinkId}`;

export function collectionActivities({
  pool,
  mail,
  secrets,
  clock,
  config,
}: Pick<ActivityDeps, 'pool' | 'mail' | 'secrets' | 'clock' | 'config'>) {
  return {
    /**
     * One link per portal client and attempt. Only the token's hash is stored, so a retry after a crash
     * between the row and the mail cannot resend the same link: it replaces the token (the first
     * link then stops working) and sends the new one. Once the mail is sent, a retry does nothing.
     */
    async issueCollectorLink({
      workflowId,
      onboardingId,
      client,
      attempt,
      ttlMs,
    }: IssueCollectorLinkInput): Promise<{ collectorLinkId: string }> {
      const idempotencyKey = `${onboardingId}:COLLECT_CLIENT_CREDENTIALS:${client.partnerProvidedId}:${attempt}`;
      const existing = await findCollectorLinkId(pool, onboardingId, client.partnerProvidedId, attempt);
      if (existing && (await isMailSent(pool, idempotencyKey))) return { collectorLinkId: existing };

      const token = secrets.newToken();
      const expiresAt = new Date(clock().getTime() + ttlMs);
      const collectorLinkId = await upsertCollectorLink(pool, {
        onboardingId,
        workflowId,
        portalClientId: client.partnerProvidedId,
        portalClientName: client.name,
        portalUrl: client.portalUrl,
        attempt,
        tokenHash: secrets.hashToken(token),
        expiresAt,
      });
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
      return { collectorLinkId };
    },
  };
}
