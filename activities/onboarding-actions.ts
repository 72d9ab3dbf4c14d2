import { insertAuditEvents } from '../db/audit';
import { replaceUnrevealedSecret } from '../db/api-clients';
import { renewPasswordLink } from '../db/integration-users';
import { lockUnrevealedKit, replaceKitSecret } from '../db/kits';
import { isMailSent } from '../db/mail-log';
import { findOnboardingContacts } from '../db/onboardings';
import { withTransaction } from '../db/transaction';
import { kitSecretContext } from './api-clients';
import type { ActivityDeps } from './deps';
import { setPasswordContext } from './kit';

/**
 * Staff actions on a finished onboarding, run by small workflows (workflows/onboarding-actions.ts):
 * its own workflow is gone, so these write the rows and the audit trail themselves, keyed by the
 * acting workflow's id so that a retry changes nothing twice.
 */

export interface ReissueKitInput {
  onboardingId: string;
  /** Unique per request (the acting workflow's id): keys the mail. */
  occasion: string;
  ttlMs: number;
}

export interface RecordActionAuditInput {
  onboardingId: string;
  /** Unique per action: keys the audit row. */
  key: string;
  actor: string;
  action: string;
  reason: string;
  detail: Record<string, unknown>;
}

export function onboardingActionActivities({
  pool,
  mail,
  secrets,
  clock,
  config,
}: Pick<ActivityDeps, 'pool' | 'mail' | 'secrets' | 'clock' | 'config'>) {
  return {
    /**
     * Issues the kit again while nobody has seen its secret: a new secret replaces the unseen one (so
     * whoever held the earlier link holds nothing), sealed into the kit with a new link token and a new
     * set-password token, and the link is mailed to the current notification address. The earlier
     * link answers 410. Once the kit was opened there is nothing to resend (rotate the secret instead).
     */
    async reissueKit({ onboardingId, occasion, ttlMs }: ReissueKitInput): Promise<{ reissued: boolean }> {
      const idempotencyKey = `${onboardingId}:DELIVER_KIT:${occasion}`;
      if (await isMailSent(pool, idempotencyKey)) return { reissued: true };
      const contacts = await findOnboardingContacts(pool, onboardingId);
      if (!contacts) return { reissued: false };
      const token = secrets.newToken();
      const passwordToken = secrets.newToken();
      const expiresAt = new Date(clock().getTime() + ttlMs);
      const kit = await withTransaction(pool, async (tx) => {
        const unrevealed = await lockUnrevealedKit(tx, onboardingId);
        if (!unrevealed) return undefined;
        const secret = secrets.newToken();
        await replaceUnrevealedSecret(tx, unrevealed.client_id, secrets.hashToken(secret));
        await replaceKitSecret(tx, {
          onboardingId,
          clientSecretSealed: secrets.seal(secret, kitSecretContext(onboardingId)),
          tokenHash: secrets.hashToken(token),
          expiresAt,
          setPasswordTokenSealed: secrets.seal(passwordToken, setPasswordContext(onboardingId)),
        });
        await renewPasswordLink(tx, {
          onboardingId,
          tokenHash: secrets.hashToken(passwordToken),
          expiresAt: new Date(expiresAt.getTime() + ttlMs),
        });
        return unrevealed;
      });
      if (!kit) return { reissued: false };
      await mail.sendOnce({
        idempotencyKey,
        to: contacts.notify_email,
        subject: 'Your API integration kit (sent again)',
        text: [
          'Here is your integration kit again. Open it (client id, client secret, username, the link to set your password) and press Reveal:',
          '',
          `${config.publicUrl}/kit/${token}`,
          '',
          `Any earlier kit link no longer works. This one works exactly once and expires at ${expiresAt.toISOString()}.`,
          `Subscriptions: ${kit.contents.subscriptions.join(', ')}`,
        ].join('\n'),
      });
      return { reissued: true };
    },

    /**
     * Mails a fresh set-password link once the kit was opened and the password is not set yet: the
     * kit's own link (shown once, when it was opened) stops working.
     */
    async reissuePasswordLink({ onboardingId, occasion, ttlMs }: ReissueKitInput): Promise<{ reissued: boolean }> {
      const idempotencyKey = `${onboardingId}:SET_PASSWORD:${occasion}`;
      if (await isMailSent(pool, idempotencyKey)) return { reissued: true };
      const contacts = await findOnboardingContacts(pool, onboardingId);
      if (!contacts) return { reissued: false };
      const token = secrets.newToken();
      const expiresAt = new Date(clock().getTime() + ttlMs);
      if (!(await renewPasswordLink(pool, { onboardingId, tokenHash: secrets.hashToken(token), expiresAt })))
        return { reissued: false };
      await mail.sendOnce({
        idempotencyKey,
        to: contacts.notify_email,
        subject: 'Set the password of your integration user',
        text: [
          'Choose the password of your integration user here:',
          '',
          `${config.publicUrl}/set-password/${token}`,
          '',
          `Any earlier set-password link no longer works. This one works once and expires at ${expiresAt.toISOString()}.`,
        ].join('\n'),
      });
      return { reissued: true };
    },

    /** One staff action in a finished onboarding's audit trail. */
    async recordActionAudit(input: RecordActionAuditInput): Promise<void> {
      await insertAuditEvents(pool, input.onboardingId, [
        {
          event_key: `action:${input.key}`,
          occurred_at: clock().toISOString(),
          actor: input.actor,
          action: input.action,
          subscription: null,
          reason: input.reason,
          detail: input.detail,
        },
      ]);
    },
  };
}
