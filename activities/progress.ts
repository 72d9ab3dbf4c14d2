import { insertAuditEvents } from '../db/audit';
import { enqueueWebhook } from '../notify/webhook-outbox';
import type { OnboardingView, StatusTransition } from '../workflows/types';
import type { ActivityDeps } from './deps';

export interface RecordProgressInput {
  view: OnboardingView;
  transitions: StatusTransition[];
  notify: { email: string; webhookUrl?: string };
}

export const STATUS_CHANGED = 'onboarding.status_changed';

export function progressActivities({ pool }: Pick<ActivityDeps, 'pool'>) {
  return {
    /**
     * Upserts the read model; a stale or replayed write (lower version) changes nothing. Each status
     * transition is queued as a webhook in the same transaction, keyed by its sequence number, so
     * a retried write never queues it twice and a lost write never loses it.
     */
    async recordProgress({ view, transitions, notify }: RecordProgressInput): Promise<void> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO onboardings (id, workflow_id, partner_provided_id, status, view, version, notify_email, webhook_url, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, view = EXCLUDED.view, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
           WHERE onboardings.version < EXCLUDED.version`,
          [view.id, view.workflowId, view.tenant.partnerProvidedId, view.status, view, view.version, notify.email, notify.webhookUrl ?? null, view.createdAt, view.updatedAt],
        );
        // Status changes open and close the audit trail's story (who started it, how it ended).
        await insertAuditEvents(
          client,
          view.id,
          transitions.map((t) => ({
            event_key: `status:${t.seq}`,
            occurred_at: t.occurredAt,
            actor: t.seq === 1 ? view.startedBy : 'gangway',
            action: t.seq === 1 ? 'ONBOARDING_STARTED' : `ONBOARDING_${t.status}`,
            subscription: null,
            reason: t.reason,
            detail: {},
          })),
        );
        if (notify.webhookUrl) {
          for (const t of transitions) {
            await enqueueWebhook(client, {
              id: `${view.id}.${t.seq}`,
              onboardingId: view.id,
              url: notify.webhookUrl,
              type: STATUS_CHANGED,
              occurredAt: t.occurredAt,
              data: { status: t.status, reason: t.reason, workflowId: view.workflowId },
            });
          }
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}
