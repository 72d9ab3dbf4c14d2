import type { Queryable } from './queryable';

/** The audit trail: append-only, one row per event key, read in the order things happened. */

export interface AuditRow {
  event_key: string;
  occurred_at: Date;
  actor: string;
  action: string;
  subscription: string | null;
  reason: string | null;
  detail: Record<string, unknown>;
}

export type NewAuditEvent = Omit<AuditRow, 'occurred_at'> & { occurred_at: string };

/**
 * The INSERT of an onboarding's audit rows from a JSON array of NewAuditEvent, its placeholders given (e.g.
 * '$1', '$2'); a retried write finds its rows there already and changes nothing. Shared with the read
 * model's one-statement write (writeOnboardingProgress, db/onboardings.ts).
 */
export const insertAuditRowsFrom = (onboardingId: string, eventsJson: string) =>
  `INSERT INTO audit_events (onboarding_id, event_key, occurred_at, actor, action, subscription, reason, detail)
   SELECT ${onboardingId}, e.event_key, e.occurred_at, e.actor, e.action, e.subscription, e.reason, coalesce(e.detail, '{}')
   FROM jsonb_to_recordset(${eventsJson}::jsonb) AS e(event_key text, occurred_at timestamptz, actor text, action text, subscription text, reason text, detail jsonb)
   ON CONFLICT (onboarding_id, event_key) DO NOTHING`;

/** A retried write finds its rows there already and changes nothing. */
export async function insertAuditEvents(db: Queryable, onboardingId: string, events: NewAuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(insertAuditRowsFrom('$1', '$2'), [onboardingId, JSON.stringify(events)]);
}

export async function listAuditEvents(db: Queryable, onboardingId: string): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT event_key, occurred_at, actor, action, subscription, reason, detail FROM audit_events
     WHERE onboarding_id = $1 ORDER BY occurred_at, id`,
    [onboardingId],
  );
  return rows;
}
