import { findKitDelivery, prepareKit } from '../db/kits';
import type { Connectivity, SubscriptionCode } from '../domain';
import { enqueueWebhook } from '../notify/webhook-outbox';
import type { ActivityDeps } from './deps';

export const TENANT_EXPANDED = 'tenant.expanded';

export interface AnnounceExpansionInput {
  onboardingId: string;
  tenantId: string;
  partnerProvidedId: string;
  notify: { email: string; webhookUrl?: string };
  /** The subscriptions this expansion assigned. */
  subscriptions: SubscriptionCode[];
  /** The clients it collected and verified, as they ended. */
  clients: { partnerProvidedId: string; connectivity: Connectivity }[];
}

/** The sealed set-password token is bound to its kit row. */
export const setPasswordContext = (onboardingId: string) => `set-password:${onboardingId}`;

export interface DeliverKitInput {
  onboardingId: string;
  notifyEmail: string;
  username: string;
  subscriptions: SubscriptionCode[];
  ttlMs: number;
  /** false (notify.sendCredentials false): prepare the kit and hold it for staff instead of mailing it. */
  sendMail?: boolean;
}

export function kitActivities({
  pool,
  mail,
  secrets,
  clock,
  config,
}: Pick<ActivityDeps, 'pool' | 'mail' | 'secrets' | 'clock' | 'config'>) {
  return {
    /**
     * Mails a one-time link to the kit; the secret itself never travels by mail. As with collector
     * links, a retry before the mail went out replaces the token; after it, a retry does nothing.
     */
    async deliverKit({
      onboardingId,
      notifyEmail,
      username,
      subscriptions,
      ttlMs,
      sendMail = true,
    }: DeliverKitInput): Promise<{ expiresAt: string; heldForStaff?: true }> {
      const idempotencyKey = `${onboardingId}:DELIVER_KIT`;
      const kit = await findKitDelivery(pool, onboardingId, idempotencyKey);
      if (!kit) throw new Error(`no kit for onboarding ${onboardingId}: client credentials were not issued`);
      if (kit.sent && kit.expires_at) return { expiresAt: kit.expires_at.toISOString() };
      // A held kit's link is minted by staff later; a retry must not replace one they minted meanwhile.
      if (!sendMail && kit.held && kit.expires_at)
        return { expiresAt: kit.expires_at.toISOString(), heldForStaff: true };

      const token = secrets.newToken();
      const expiresAt = new Date(clock().getTime() + ttlMs);
      const contents = { username, developerPortalUrl: config.developerPortalUrl, subscriptions };
      // The customer, never staff, chooses the integration user's password: through a one-time link
      // that travels sealed inside the kit, so it is never in a mail body either.
      const passwordToken = secrets.newToken();
      const prepared = await prepareKit(pool, {
        onboardingId,
        tokenHash: secrets.hashToken(token),
        contents,
        expiresAt,
        setPasswordTokenSealed: secrets.seal(passwordToken, setPasswordContext(onboardingId)),
        heldForStaff: !sendMail,
        passwordLink: { tokenHash: secrets.hashToken(passwordToken), expiresAt: new Date(expiresAt.getTime() + ttlMs) },
      });
      if (!prepared) throw new Error(`no integration user for onboarding ${onboardingId}`);
      // Nobody knows this token: the kit waits for staff to mint the link they hand over.
      if (!sendMail) return { expiresAt: expiresAt.toISOString(), heldForStaff: true };
      await mail.sendOnce({
        idempotencyKey,
        to: notifyEmail,
        subject: 'Your API integration kit is ready',
        text: [
          'Your integration is set up. Open your kit (client id, client secret, username, the link to set your password) here, and press Reveal:',
          '',
          `${config.publicUrl}/kit/${token}`,
          '',
          `The link works exactly once and expires at ${expiresAt.toISOString()}: store the secret when you open it.`,
          `Subscriptions: ${subscriptions.join(', ')}`,
          `Developer portal: ${config.developerPortalUrl}`,
        ].join('\n'),
      });
      return { expiresAt: expiresAt.toISOString() };
    },

    /**
     * The kit step of an expansion: the live customer keeps its client id, secret and user, so no kit
     * is made; it is told by mail and webhook what was added. Both are keyed by the onboarding, so a
     * retry tells nobody twice.
     */
    async announceExpansion(input: AnnounceExpansionInput): Promise<void> {
      const { onboardingId, tenantId, partnerProvidedId, notify, subscriptions, clients } = input;
      if (notify.webhookUrl) {
        await enqueueWebhook(pool, {
          id: `${onboardingId}.expanded`,
          onboardingId,
          url: notify.webhookUrl,
          type: TENANT_EXPANDED,
          occurredAt: clock(),
          data: { tenantId, partnerProvidedId, subscriptions, clients },
        });
      }
      const clientLines = clients.map((c) => `  ${c.partnerProvidedId}: ${c.connectivity}`);
      await mail.sendOnce({
        idempotencyKey: `${onboardingId}:DELIVER_KIT`,
        to: notify.email,
        subject: `What was added to your API integration (${partnerProvidedId})`,
        text: [
          'Your API integration has been extended. Your client id, client secret and integration user stay as they are;',
          'no new secret was issued.',
          '',
          `Subscriptions added: ${subscriptions.length > 0 ? subscriptions.join(', ') : 'none'}`,
          ...(clientLines.length > 0 ? ['Clients added:', ...clientLines] : ['Clients added: none']),
          `Developer portal: ${config.developerPortalUrl}`,
        ].join('\n'),
      });
    },
  };
}
