-- Ongoing WMS: changes of an API user's invoice-data access. Each change is a row, and the row is its audit:
-- who asked, from what, to what, who approved and when it applied. Narrowing applies at once (APPLIED with no
-- approval); widening waits in PENDING for an approver's decision (workflows/access-change.ts), one at a time.
CREATE TABLE access_changes (
  id                  text PRIMARY KEY,
  integration_user_id uuid NOT NULL REFERENCES integration_users (id),
  seq                 integer NOT NULL,
  tenant_id           uuid NOT NULL REFERENCES tenants (tenant_id),
  status              text NOT NULL CHECK (status IN ('PENDING', 'APPLIED', 'REJECTED', 'EXPIRED')),
  approver_email      text,
  view                jsonb NOT NULL,
  version             integer NOT NULL DEFAULT 1,
  requested_at        timestamptz NOT NULL,
  UNIQUE (integration_user_id, seq)
);
-- A second pending widening of the same user is refused (409).
CREATE UNIQUE INDEX access_changes_one_pending ON access_changes (integration_user_id) WHERE status = 'PENDING';
CREATE INDEX access_changes_approver ON access_changes (lower(approver_email), requested_at) WHERE status = 'PENDING';

-- Ongoing WMS "API for automation": an automation user is created on its own, under no goods owner (tenant), with
-- an API client of its own, and works across the tenants it is granted, or across every tenant.
ALTER TABLE integration_users ALTER COLUMN tenant_id DROP NOT NULL;
ALTER TABLE integration_users ADD CONSTRAINT integration_users_tenant_scope CHECK (scope = 'AUTOMATION' OR tenant_id IS NOT NULL);
ALTER TABLE integration_users ADD COLUMN all_tenants boolean NOT NULL DEFAULT false;
ALTER TABLE api_clients ADD COLUMN automation_user_id uuid UNIQUE REFERENCES integration_users (id);
CREATE TABLE automation_grants (
  integration_user_id uuid NOT NULL REFERENCES integration_users (id),
  tenant_id           uuid NOT NULL REFERENCES tenants (tenant_id),
  granted_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration_user_id, tenant_id)
);
