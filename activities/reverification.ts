import { enqueueWebhook } from '../notify/webhook-outbox';
import type { ActivityDeps } from './deps';
import type { PortalCheckResult } from './connectivity';

/** A connected client of a completed onboarding, by reference: the credentials stay in their row. */
export interface ConnectedClient { onboardingId: string; partnerProvidedId: string; collectorLinkId: string; portalUrl: string }
export interface RecordReverificationInput { client: ConnectedClient; result: PortalCheckResult; checkedAt: string; runId: string }

export const CONNECTIVITY_LOST = 'client.connectivity_lost';

export function reverificationActivities({ pool, mail }: Pick<ActivityDeps, 'pool' | 'mail'>) {
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
    async recordReverification({ client, result, checkedAt, runId }: RecordReverificationInput): Promise<{ lost: boolean }> {
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
        if (lost && onboarding) {
          await mail.sendOnce({
            idempotencyKey: `${client.onboardingId}:REVERIFY:${client.partnerProvidedId}:${runId}`,
            to: onboarding.notify_email,
            subject: `Portal credentials of ${client.partnerProvidedId} stopped working`,
            text: [
              `gangway re-checked the portal login of your client ${client.partnerProvidedId} for ${onboarding.partner_provided_id},`,
              'and the portal no longer accepts its credentials. The client needs to submit new ones.',
            ].join('\n'),
          });
        }
        return { lost };
      } catch (err) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        db.release();
      }
    },
  };
}
