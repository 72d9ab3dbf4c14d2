import { insertAuditEvents, type NewAuditEvent } from '../db/audit';
import type { AuditEvent } from '../domain';
import type { ActivityDeps } from './deps';

export interface RecordAuditEventsInput {
  onboardingId: string;
  events: AuditEvent[];
}

/** An approval event's row, keyed by the workflow's own sequence number: a retried write never duplicates it. */
export const approvalAuditRow = (e: AuditEvent): NewAuditEvent => ({
  event_key: `approval:${e.seq}`,
  occurred_at: e.occurredAt,
  actor: e.actor,
  action: e.action,
  subscription: e.subscription,
  reason: e.reason,
  detail: e.detail ?? {},
});

export function auditActivities({ pool }: Pick<ActivityDeps, 'pool'>) {
  return {
    /** Onboardings from before audit-with-projection write their approval events here. */
    async recordAuditEvents({ onboardingId, events }: RecordAuditEventsInput): Promise<void> {
      await insertAuditEvents(pool, onboardingId, events.map(approvalAuditRow));
    },
  };
}
