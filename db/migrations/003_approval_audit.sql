-- Who did what to an onboarding's approvals, and when and why: decisions, assignments, delegations,
-- reminders, escalations and expiries, plus each status change of the onboarding, so that the
-- trail of a finished onboarding reads as one story. event_key makes every write idempotent.
CREATE TABLE audit_events (
  id            bigserial PRIMARY KEY,
  onboarding_id uuid NOT NULL,
  event_key     text NOT NULL,
  occurred_at   timestamptz NOT NULL,
  actor         text NOT NULL,
  action        text NOT NULL,
  subscription  text,
  reason        text,
  detail        jsonb NOT NULL DEFAULT '{}',
  UNIQUE (onboarding_id, event_key)
);
CREATE INDEX audit_events_story ON audit_events (onboarding_id, occurred_at, id);
