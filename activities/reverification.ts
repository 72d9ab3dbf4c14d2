import { findLatestCollectorLink } from '../db/collector-links';
import { insertAuditEvents } from '../db/audit';
import {
  listConnectedPortalClients,
  markPortalClientRetrying,
  recordPortalClientCheck,
  recordPortalClientReconnection,
  type ConnectedPortalClient,
} from '../db/onboardings';
import { withTransaction } from '../db/transaction';
import { insertOnboardingFailureNotice } from '../db/failure-notices';
import { enqueueWebhook } from '../notify/webhook-outbox';
import type { ActivityDeps } from './deps';
import type { PortalCheckResult } from './connectivity';
import type { PortalClientView, ReconnectClientInput } from '../domain';
import { CONNECTIVITY_CHANGED } from './progress';

export interface RecordReverificationInput {
  /** A connected portal client of a completed onboarding, by reference: the credentials stay in their row. */
  client: ConnectedPortalClient;
  result: PortalCheckResult;
  checkedAt: string;
  runId: string;
}

export const CONNECTIVITY_LOST = 'client.connectivity_lost';
export const CONNECTIVITY_RESTORED = 'client.connectivity_restored';
export const RECONNECT_FAILED = 'client.reconnect_failed';

export interface RecordReconnectionInput {
  onboardingId: string;
  reconnectWorkflowId: string;
  client: Pick<PortalClientView, 'partnerProvidedId' | 'connectivity' | 'attempts' | 'lastCheckedAt' | 'lastError'>;
  /** Portal logins the reconnect tried, added to the client's count. */
  checks: number;
  occurredAt: string;
}

export interface RecordClientRetryInput {
  onboardingId: string;
  reconnectWorkflowId: string;
  partnerProvidedId: string;
  requestedBy: string;
  firstAttempt: number;
}

export function reverificationActivities({
  pool,
  mail,
  log,
  config,
  clock,
}: Pick<ActivityDeps, 'pool' | 'mail' | 'log' | 'config' | 'clock'>) {
  /**
   * What a reconnect needs that the finished onboarding's view does not hold: the portal client's name
   * and portal (its links), its contact (the last collector mail's recipient), and the next attempt number.
   */
  async function reconnectInput(portalClient: ConnectedPortalClient): Promise<ReconnectClientInput | undefined> {
    if (!config.policy) return undefined;
    const last = await findLatestCollectorLink(pool, portalClient.onboardingId, portalClient.partnerProvidedId);
    if (!last?.recipient) {
      log.warn(
        { onboardingId: portalClient.onboardingId, client: portalClient.partnerProvidedId },
        'no contact to send a fresh collector link to',
      );
      return undefined;
    }
    return {
      onboardingId: portalClient.onboardingId,
      client: {
        partnerProvidedId: portalClient.partnerProvidedId,
        name: last.client_name,
        contactEmail: last.recipient,
        portalUrl: last.portal_url,
      },
      firstAttempt: last.attempt + 1,
      policy: config.policy,
    };
  }

  return {
    /** Every client shown CONNECTED in a completed onboarding, with the link whose credentials connected it. */
    async listConnectedClients(): Promise<{ clients: ConnectedPortalClient[] }> {
      return { clients: await listConnectedPortalClients(pool) };
    },

    /**
     * Writes one re-check into the finished onboarding's view (its workflow no longer writes it).
     * Wrong credentials mean the client lost its connection: it is shown FAILED, and the customer
     * is told by mail and webhook, each keyed by the run so that a retry tells nobody twice.
     */
    async recordReverification({
      client,
      result,
      checkedAt,
      runId,
    }: RecordReverificationInput): Promise<{ lost: boolean; reconnect?: ReconnectClientInput }> {
      const lost = result.outcome === 'WRONG_CREDENTIALS';
      const onboarding = await withTransaction(pool, async (tx) => {
        const contacts = await recordPortalClientCheck(tx, {
          onboardingId: client.onboardingId,
          portalClientId: client.partnerProvidedId,
          checkedAt,
          lastError: result.errorClass,
          lost,
        });
        if (lost && contacts) {
          await enqueueWebhook(tx, {
            id: `${client.onboardingId}.reverify.${client.partnerProvidedId}.${runId}`,
            onboardingId: client.onboardingId,
            url: contacts.webhook_url,
            type: CONNECTIVITY_LOST,
            occurredAt: checkedAt,
            data: { client: client.partnerProvidedId, connectivity: 'FAILED', lastError: result.errorClass },
          });
          // TecCom: the tenant's failure notification emails hear of it too (notify/failure-notifier.ts).
          await insertOnboardingFailureNotice(tx, client.onboardingId, {
            key: `reverify:${client.onboardingId}:${client.partnerProvidedId}:${runId}`,
            kind: 'CONNECTIVITY_LOST',
            subject: `Connectivity lost: ${client.partnerProvidedId}`,
            body: [
              `The portal of ${client.partnerProvidedId} (customer ${contacts.partner_provided_id}) no longer accepts its stored credentials.`,
              `Checked at ${new Date(checkedAt).toISOString()}; the client has been asked to submit new ones.`,
            ].join('\n'),
          });
        }
        return contacts;
      });
      // Computed after the write, from rows a retry sees unchanged, so every retry answers the same.
      const reconnect = lost && onboarding ? await reconnectInput(client) : undefined;
      if (lost && onboarding) {
        await mail.sendOnce({
          idempotencyKey: `${client.onboardingId}:REVERIFY:${client.partnerProvidedId}:${runId}`,
          to: onboarding.notify_email,
          subject: `Portal credentials of ${client.partnerProvidedId} stopped working`,
          text: [
            `gangway re-checked the portal login of your client ${client.partnerProvidedId} for ${onboarding.partner_provided_id},`,
            'and the portal no longer accepts its credentials. The client needs to submit new ones.',
            ...(reconnect ? [`A fresh collector link has been sent to ${reconnect.client.contactEmail}.`] : []),
          ].join('\n'),
        });
      }
      return reconnect ? { lost, reconnect } : { lost };
    },

    /**
     * A staff retry of a finished onboarding's client begins: the client shows PENDING, and the retry
     * is in the audit trail (keyed by the reconnect, so a retried write adds nothing).
     */
    async recordClientRetry(input: RecordClientRetryInput): Promise<void> {
      await withTransaction(pool, async (tx) => {
        await markPortalClientRetrying(tx, {
          onboardingId: input.onboardingId,
          portalClientId: input.partnerProvidedId,
        });
        await insertAuditEvents(tx, input.onboardingId, [
          {
            event_key: `action:${input.reconnectWorkflowId}`,
            occurred_at: clock().toISOString(),
            actor: input.requestedBy,
            action: 'CLIENT_RETRIED',
            subscription: null,
            reason: `client ${input.partnerProvidedId} retried`,
            detail: { client: input.partnerProvidedId, firstAttempt: input.firstAttempt },
          },
        ]);
      });
    },

    /**
     * Writes a reconnect's outcome into the onboarding's view: back to CONNECTED, or FAILED. The
     * client's entry keeps the reconnect's workflow id, which makes a retried write change nothing
     * and queue no second webhook.
     */
    async recordReconnection({
      onboardingId,
      reconnectWorkflowId,
      client,
      checks,
      occurredAt,
    }: RecordReconnectionInput): Promise<{ recorded: boolean }> {
      return withTransaction(pool, async (tx) => {
        const recorded = await recordPortalClientReconnection(tx, {
          onboardingId,
          reconnectWorkflowId,
          portalClientId: client.partnerProvidedId,
          connectivity: client.connectivity,
          attempts: client.attempts,
          lastCheckedAt: client.lastCheckedAt,
          lastError: client.lastError,
          checks,
        });
        if (recorded) {
          await enqueueWebhook(tx, {
            id: `${onboardingId}.reconnect.${reconnectWorkflowId}`,
            onboardingId,
            url: recorded.webhook_url,
            type: client.connectivity === 'CONNECTED' ? CONNECTIVITY_RESTORED : RECONNECT_FAILED,
            occurredAt,
            data: {
              client: client.partnerProvidedId,
              connectivity: client.connectivity,
              attempts: client.attempts,
              lastError: client.lastError,
            },
          });
          // The same change in the shape every connectivity change has (activities/progress.ts).
          await enqueueWebhook(tx, {
            id: `${onboardingId}.client.${reconnectWorkflowId}`,
            onboardingId,
            url: recorded.webhook_url,
            type: CONNECTIVITY_CHANGED,
            occurredAt,
            data: {
              partnerProvidedId: client.partnerProvidedId,
              connectivity: client.connectivity,
              attempts: client.attempts,
              lastError: client.lastError,
            },
          });
        }
        return { recorded: recorded !== undefined };
      });
    },
  };
}
