import { findCollectorLinkId, renewCollectorLinkToken, upsertCollectorLink } from '../db/collector-links';
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

export interface ReissueCollectorLinkInput {
  workflowId: string;
  onboardingId: string;
  /** The client as it stands now (an amendment may have changed its contact, name or portal). */
  client: PortalClientRequest;
  attempt: number;
  /** Why it is mailed again, unique per occasion: `resend:<update id>`, `amend:<update id>`, `reminder:<n>`. */
  occasion: string;
}

export interface NotifyClientStuckInput {
  onboardingId: string;
  to: string;
  client: PortalClientRequest;
  attempt: number;
  waitingSince: string;
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
        recipient: client.contactEmail,
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

    /**
     * Mails a waiting link again with a fresh token (the earlier token stops working at once) to the
     * client's current contact, for a resend, an amended contact or a reminder. The link keeps its
     * expiry: the workflow waits for it that long. A retry before the mail went out replaces the token
     * again; after it, nothing happens. A link already used or expired is left alone.
     */
    async reissueCollectorLink({
      onboardingId,
      client,
      attempt,
      occasion,
    }: ReissueCollectorLinkInput): Promise<{ reissued: boolean }> {
      const idempotencyKey = `${onboardingId}:COLLECT_CLIENT_CREDENTIALS:${client.partnerProvidedId}:${attempt}:${occasion}`;
      if (await isMailSent(pool, idempotencyKey)) return { reissued: true };
      const token = secrets.newToken();
      const link = await renewCollectorLinkToken(pool, {
        onboardingId,
        portalClientId: client.partnerProvidedId,
        attempt,
        tokenHash: secrets.hashToken(token),
        portalClientName: client.name,
        portalUrl: client.portalUrl,
        recipient: client.contactEmail,
      });
      if (!link) return { reissued: false };
      const reminder = occasion.startsWith('reminder:');
      await mail.sendOnce({
        idempotencyKey,
        to: client.contactEmail,
        subject: `${reminder ? 'Reminder: ' : ''}portal credentials for ${client.name}`,
        text: [
          reminder
            ? 'We are still waiting for the credentials gangway should use to log into your portal'
            : 'Please enter the credentials gangway should use to log into your portal',
          `(${client.portalUrl}) here:`,
          '',
          `${config.publicUrl}/collect/${token}`,
          '',
          `This link replaces any earlier one, works once and expires at ${link.expires_at.toISOString()}.`,
        ].join('\n'),
      });
      return { reissued: true };
    },

    /** Tells who started the onboarding that a client has not submitted its credentials for a while. */
    async notifyClientStuck({
      onboardingId,
      to,
      client,
      attempt,
      waitingSince,
    }: NotifyClientStuckInput): Promise<void> {
      await mail.sendOnce({
        idempotencyKey: `${onboardingId}:COLLECT_CLIENT_CREDENTIALS:${client.partnerProvidedId}:${attempt}:stuck`,
        to,
        subject: `Client ${client.name} has not sent its portal credentials`,
        text: [
          `${client.name} (${client.partnerProvidedId}) was asked for its portal credentials at ${waitingSince}`,
          `and has not sent them yet. The collector link went to ${client.contactEmail}.`,
          '',
          `Resend it, or correct the contact: ${config.publicUrl}/v1/onboardings/${onboardingId}`,
        ].join('\n'),
      });
    },
  };
}
