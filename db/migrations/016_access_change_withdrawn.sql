-- A widening still waiting for its approver when its tenant is offboarded is withdrawn (workflows/offboarding.ts),
-- so that nobody can approve access for a tenant that is gone.
ALTER TABLE access_changes DROP CONSTRAINT access_changes_status_check;
ALTER TABLE access_changes ADD CONSTRAINT access_changes_status_check
  CHECK (status IN ('PENDING', 'APPLIED', 'REJECTED', 'EXPIRED', 'WITHDRAWN'));
-- The offboarding finds a tenant's pending widenings.
CREATE INDEX access_changes_tenant_pending ON access_changes (tenant_id) WHERE status = 'PENDING';
