import { findLatestCollectorLink } from '../db/collector-links';
import { enqueueWebhook } from '../notify/webhook-outbox';
import type { ActivityDeps } from './deps';
import type { PortalCheckResult } from './connectivity';
import type { PortalClientView, ReconnectClientInput } from '../domain';

/** A connected client of a completed onboarding, by reference: the credentials stay in their row. */
export interface ConnectedClient { onboardingId: string; partnerProvidedId: string; collectorLinkId: string; portalUrl: string }
export interface RecordReverificationInput { client: ConnectedClient; result: PortalCheckResult; checkedAt: string; runId: string }

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

export function reverificationActivities({ pool, mail, log, config }: Pick<ActivityDeps, 'pool' | 'mail' | 'log' | 'config'>) {
  /**
   * What a reconnect needs that the finished onboarding's view does not hold: the client's name and
   * portal (its links), its contact (the last collector mail's recipient), and the next attempt number.
   */
  async function reconnectInput(client: ConnectedClient): Promise<ReconnectClientInput | undefined> {
    if (!config.policy) return undefined;
    const last = await findLatestCollectorLink(pool, client.onboardingId, client.partnerProvidedId);
    if (!last?.recipient) {
      log.warn({ onboardingId: client.onboardingId, client: client.partnerProvidedId }, 'no contact to send a fresh collector link to');
      return undefined;
    }
    return {
      onboardingId: client.onboardingId,
      client: { partnerProvidedId: client.partnerProvidedId, name: last.client_name, contactEmail: last.recipient, portalUrl: last.portal_url },
      firstAttempt: last.attempt + 1,
      policy: config.policy,
    };
  }

  return {
    /** Every client shown CONNECTED in a completed onboarding, with the link whose credentials connected it. */
    async listConnectedClients(): Promise<{ clients: ConnectedClient[] }> {
      const { rows } = await pool.query<ConnectedClient>(
        `SELECT o.id AS "onboardingId", c->>'partnerProvidedId' AS "partnerProvidedId", l.id AS "collectorLinkId", l.portal_url AS "portalUrl"
           FROM onboardings o
           CROSS JOIN jsonb_array_elements(o.view->'clients') c
           JOIN LATERAL (SELECT id, portal_url FROM collector_links
                          WHERE onboarding_id = o.id AND client_id = c->>'partnerProvidedId' AND credentials_sealed IS NOT NULL
                          ORDER BY attempt DESC LIMIT 1) l ON true
          WHERE o.status = 'COMPLETED' AND c->>'connectivity' = 'CONNECTED'
          ORDER BY o.id, 2`,
      );
      return { clients: rows };
    },

    /**
     * Writes one re-check into the finished onboarding's view (its workflow no longer writes it).
     * Wrong credentials mean the client lost its connection: it is shown FAILED, and the customer
     * is told by mail and webhook, each keyed by the run so that a retry tells nobody twice.
     */
    async recordReverification({ client, result, checkedAt, runId }: RecordReverificationInput): Promise<{ lost: boolean; reconnect?: ReconnectClientInput }> {
      const lost = result.outcome === 'WRONG_CREDENTIALS';
      const db = await pool.connect();
      try {
        await db.query('BEGIN');
        const { rows } = await db.query<{ notify_email: string; webhook_url: string | null; partner_provided_id: string }>(
          `UPDATE onboardings o SET
             view = jsonb_set(jsonb_set(o.view, '{clients}', (
                      SELECT jsonb_agg(CASE WHEN c->>'partnerProvidedId' = $2
                        THEN c || jsonb_build_object('lastCheckedAt', $3::text, 'lastError', $4::text,
                                                     'connectivity', CASE WHEN $5 THEN 'FAILED' ELSE c->>'connectivity' END)
                        ELSE c END ORDER BY ord)
                      FROM jsonb_array_elements(o.view->'clients') WITH ORDINALITY AS x(c, ord))),
                    '{version}', to_jsonb(o.version + 1)),
             version = o.version + 1, updated_at = now()
           WHERE o.id = $1
           RETURNING notify_email, webhook_url, partner_provided_id`,
          [client.onboardingId, client.partnerProvidedId, checkedAt, result.errorClass, lost],
        );
        const onboarding = rows[0];
        if (lost && onboarding?.webhook_url) {
          await enqueueWebhook(db, {
            id: `${client.onboardingId}.reverify.${client.partnerProvidedId}.${runId}`,
            onboardingId: client.onboardingId,
            url: onboarding.webhook_url,
            type: CONNECTIVITY_LOST,
            occurredAt: checkedAt,
            data: { client: client.partnerProvidedId, connectivity: 'FAILED', lastError: result.errorClass },
          });
        }
        await db.query('COMMIT');
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
      } catch (err) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        db.release();
      }
    },

    /**
     * Writes a reconnect's outcome into the onboarding's view: back to CONNECTED, or FAILED. The
     * client's entry keeps the reconnect's workflow id, which makes a retried write change nothing
     * and queue no second webhook.
     */
    async recordReconnection({ onboardingId, reconnectWorkflowId, client, checks, occurredAt }: RecordReconnectionInput): Promise<{ recorded: boolean }> {
      const db = await pool.connect();
      try {
        await db.query('BEGIN');
        const { rows } = await db.query<{ webhook_url: string | null }>(
          `UPDATE onboardings o SET
             view = jsonb_set(jsonb_set(o.view, '{clients}', (
                      SELECT jsonb_agg(CASE WHEN c->>'partnerProvidedId' = $2
                        THEN c || jsonb_build_object('connectivity', $3::text, 'attempts', $4::int, 'lastCheckedAt', $5::text,
                                                     'lastError', $6::text, 'awaitingCredentials', false,
                                                     'checks', COALESCE((c->>'checks')::int, 0) + $7::int, 'reconnectWorkflowId', $8::text)
                        ELSE c END ORDER BY ord)
                      FROM jsonb_array_elements(o.view->'clients') WITH ORDINALITY AS x(c, ord))),
                    '{version}', to_jsonb(o.version + 1)),
             version = o.version + 1, updated_at = now()
           WHERE o.id = $1
             AND NOT (o.view->'clients' @> jsonb_build_array(jsonb_build_object('partnerProvidedId', $2::text, 'reconnectWorkflowId', $8::text)))
           RETURNING webhook_url`,
          [onboardingId, client.partnerProvidedId, client.connectivity, client.attempts, client.lastCheckedAt, client.lastError, checks, reconnectWorkflowId],
        );
        const url = rows[0]?.webhook_url;
        if (url) {
          await enqueueWebhook(db, {
            id: `${onboardingId}.reconnect.${reconnectWorkflowId}`,
            onboardingId,
            url,
            type: client.connectivity === 'CONNECTED' ? CONNECTIVITY_RESTORED : RECONNECT_FAILED,
            occurredAt,
            data: { client: client.partnerProvidedId, connectivity: client.connectivity, attempts: client.attempts, lastError: client.lastError },
          });
        }
        await db.query('COMMIT');
        return { recorded: rows.length > 0 };
      } catch (err) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        db.release();
      }
    },
  };
}
