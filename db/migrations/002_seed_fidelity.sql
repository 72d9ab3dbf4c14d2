-- Every change to a tenant is a new version (Shipium's asOfDateTime reads); tenants keeps the latest.
CREATE TABLE tenant_versions (
  tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id),
  version    integer NOT NULL,
  data       jsonb NOT NULL,
  archived   boolean NOT NULL DEFAULT false,
  valid_from timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, version)
);
CREATE INDEX tenant_versions_as_of ON tenant_versions (tenant_id, valid_from DESC);

-- Tenants provisioned before versions existed get their current state as version 1.
INSERT INTO tenant_versions (tenant_id, version, data, archived, valid_from)
SELECT tenant_id, 1, data, archived_at IS NOT NULL, COALESCE(orchestrated_at, created_at) FROM tenants;

-- The integration user's one-time set-password link (the customer chooses the password, never staff).
CREATE TABLE integration_password_links (
  onboarding_id       uuid PRIMARY KEY,
  integration_user_id uuid NOT NULL REFERENCES integration_users (id),
  token_hash          text NOT NULL UNIQUE,
  expires_at          timestamptz NOT NULL,
  used_at             timestamptz
);
-- The link travels inside the kit only: sealed here until the kit is opened once.
ALTER TABLE kits ADD COLUMN set_password_token_sealed text;

-- Secret rotation: the previous secret keeps working until its grace period ends.
ALTER TABLE api_clients
  ADD COLUMN previous_secret_hash       text,
  ADD COLUMN previous_secret_expires_at timestamptz,
  ADD COLUMN secret_rotated_at          timestamptz;

-- Per tenant: enabled for requests, and who hears of failed deliveries (TecCom).
ALTER TABLE api_client_tenants
  ADD COLUMN enabled             boolean NOT NULL DEFAULT true,
  ADD COLUMN notification_emails text[] NOT NULL DEFAULT '{}';

-- A client always has at least one administrator (enforced where they are removed).
CREATE TABLE api_client_administrators (
  client_id text NOT NULL REFERENCES api_clients (client_id),
  email     text NOT NULL,
  added_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, email)
);
