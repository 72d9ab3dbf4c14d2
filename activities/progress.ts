import { insertAuditEvents, type NewAuditEvent } from '../db/audit';
import { upsertOnboardingView } from '../db/onboardings';
import { withTransaction } from '../db/transaction';
import { enqueueWebhook } from '../notify/webhook-outbox';
import type { AuditEvent, ClientConnectivityEvent, OnboardingView, StatusTransition } from '../domain';
import { approvalAuditRow } from './audit';
import type { ActivityDeps } from './deps';

export interface RecordProgressInput {
  view: OnboardingView;
  transitions: StatusTransition[];
  /** Approval events since the last write (absent for onboardings from before audit-with-projection). */
  auditEvents?: AuditEvent[];
  /** Clients' connectivity changes since the last write (absent for onboardings from before them). */
  clientEvents?: ClientConnectivityEvent[];
  notify: { email: string; webhookUrl?: string };
}

export const STATUS_CHANGED = 'onboarding.status_changed';
export const CONNECTIVITY_CHANGED = 'client.connectivity_changed';

export function progressActivities({ pool }: Pick<ActivityDeps, 'pool'>) {
  return {
    /**
     * Upserts the read model; a stale or replayed write (lower version) changes nothing. Each status
     * transition is queued as a webhook in the same transaction, keyed by its sequence number, so
     * a retried write never queues it twice and a lost write never loses it. The audit trail's
     * rows (status changes and approval events, in the order they happened) go in the same
     * transaction. Most writes carry neither: the upsert alone is one statement, atomic by itself.
     */
    async recordProgress({
      view,
      transitions,
      auditEvents = [],
      clientEvents = [],
      notify,
    }: RecordProgressInput): Promise<void> {
      if (transitions.length === 0 && auditEvents.length === 0 && clientEvents.length === 0)
        return upsertOnboardingView(pool, view, notify);
      await withTransaction(pool, async (tx) => {
        await upsertOnboardingView(tx, view, notify);
        const story = [
          ...transitions.map((t) => ({ at: t.storyIndex ?? 0, row: statusAuditRow(view, t) })),
          ...auditEvents.map((e) => ({ at: e.storyIndex ?? 0, row: approvalAuditRow(e) })),
        ].sort((a, b) => a.at - b.at);
        await insertAuditEvents(
          tx,
          view.id,
          story.map((s) => s.row),
        );
        // Queued with or without the onboarding's own webhookUrl: webhook subscriptions may want them too.
        for (const t of transitions) {
          await enqueueWebhook(tx, {
            id: `${view.id}.${t.seq}`,
            onboardingId: view.id,
            url: notify.webhookUrl,
            type: STATUS_CHANGED,
            occurredAt: t.occurredAt,
            data: { status: t.status, reason: t.reason, workflowId: view.workflowId },
          });
        }
        // Keyed by the workflow's own sequence of client changes, like the status changes above.
        for (const e of clientEvents) {
          await enqueueWebhook(tx, {
            id: `${view.id}.client.${e.seq}`,
            onboardingId: view.id,
            url: notify.webhookUrl,
            type: CONNECTIVITY_CHANGED,
            occurredAt: e.occurredAt,
            data: {
              partnerProvidedId: e.partnerProvidedId,
              connectivity: e.connectivity,
              attempts: e.attempts,
              lastError: e.lastError,
            },
          });
        }
      });
    },
  };
}

/** Status changes open and close the audit trail's story (who started it, how it ended). */
const statusAuditRow = (view: OnboardingView, t: StatusTransition): NewAuditEvent => ({
  event_key: `status:${t.seq}`,
  occurred_at: t.occurredAt,
  actor: t.seq === 1 ? view.startedBy : 'gangway',
  action: t.seq === 1 ? 'ONBOARDING_STARTED' : `ONBOARDING_${t.status}`,
  subscription: null,
  reason: t.reason,
  detail: {},
});
