-- Offboarding: the read model of each offboarding, written by its workflow (workflows/offboarding.ts).
-- One RUNNING offboarding per tenant: a second request while one runs finds it instead of starting another.
CREATE TABLE offboardings (
  id                  uuid PRIMARY KEY,
  workflow_id         text NOT NULL,
  tenant_id           uuid NOT NULL REFERENCES tenants (tenant_id),
  partner_provided_id text NOT NULL,
  reason              text NOT NULL,
  requested_by        text NOT NULL,
  status              text NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')),
  view                jsonb NOT NULL,
  version             integer NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX offboardings_one_running ON offboardings (tenant_id) WHERE status = 'RUNNING';
CREATE INDEX offboardings_tenant ON offboardings (tenant_id, created_at DESC);

-- Set by an offboarding as soon as it runs: re-verification leaves the tenant's portal clients alone from then on.
ALTER TABLE tenants ADD COLUMN offboarded_at timestamptz;

-- The list of customers, newest first (GET /v1/tenants).
CREATE INDEX tenants_newest ON tenants (created_at DESC, tenant_id DESC);
