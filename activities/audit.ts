import { insertAuditEvents } from '../db/audit';
import type { AuditEvent } from '../workflows/types';
import type { ActivityDeps } from './deps';

export interface RecordAuditEventsInput { onboardingId: string; events: AuditEvent[] }

export function auditActivities({ pool }: Pick<ActivityDeps, 'pool'>) {
  return {
    /** Keyed by the workflow's own sequence number, so a retried batch never writes an event twice. */
    async recordAuditEvents({ onboardingId, events }: RecordAuditEventsInput): Promise<void> {
      await insertAuditEvents(
        pool,
        onboardingId,
        events.map((e) => ({
          event_key: `approval:${e.seq}`,
          occurred_at: e.occurredAt,
          actor: e.actor,
          action: e.action,
          subscription: e.subscription,
          reason: e.reason,
          detail: e.detail ?? {},
        })),
      );
    },
  };
}
