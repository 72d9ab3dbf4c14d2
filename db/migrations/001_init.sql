-- People who use gangway: onboarding staff, approvers (account managers) and admins.
CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL,
  role          text NOT NULL CHECK (role IN ('staff', 'approver', 'admin')),
  approver_kind text CHECK (approver_kind IN ('AM', 'TECH_AM')),
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Opaque refresh tokens, stored as keyed hashes; a used token is spent (rotation).
CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);

-- The read model of each onboarding: the workflow's view, written by its recordProgress activity.
CREATE TABLE onboardings (
  id                 uuid PRIMARY KEY,
  workflow_id        text NOT NULL,
  -- Workflow ids are reused by later onboardings of the same tenant; this names our run chain.
  first_run_id       text,
  partner_provided_id text NOT NULL,
  status             text NOT NULL,
  view               jsonb NOT NULL,
  version            integer NOT NULL DEFAULT 0,
  started_by         uuid REFERENCES users (id),
  notify_email       text,
  webhook_url        text,
  webhook_secret_enc text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX onboardings_newest ON onboardings (created_at DESC, id DESC);
CREATE INDEX onboardings_status ON onboardings (status, created_at DESC);
CREATE INDEX onboardings_partner ON onboardings (partner_provided_id, created_at DESC);
CREATE INDEX onboardings_workflow ON onboardings (workflow_id);

-- Replays of POST /v1/onboardings with the same Idempotency-Key get the first answer.
CREATE TABLE idempotency_keys (
  user_id      uuid NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  status_code  integer NOT NULL,
  response     jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

-- Stores the workflow provisions. orchestration_id (the onboarding's id, stable across activity
-- retries and unique even when a workflow id is reused) makes each create idempotent.
CREATE TABLE tenants (
  tenant_id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partner_provided_id text NOT NULL,
  name                text NOT NULL,
  plan                text NOT NULL,
  data                jsonb NOT NULL,
  orchestration_id    text UNIQUE,
  orchestrated_at     timestamptz,
  archived_at         timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_live_partner_id ON tenants (partner_provided_id) WHERE archived_at IS NULL;

CREATE TABLE integration_users (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id           uuid NOT NULL REFERENCES tenants (tenant_id),
  username            text NOT NULL UNIQUE,
  email               text NOT NULL,
  integration_system  text NOT NULL,
  scope               text NOT NULL CHECK (scope IN ('TENANT', 'AUTOMATION')),
  invoice_data_access boolean NOT NULL DEFAULT false,
  password_hash       text,
  orchestration_id    text UNIQUE,
  disabled_at         timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_clients (
  client_id        text PRIMARY KEY,
  secret_hash      text NOT NULL,
  orchestration_id text UNIQUE,
  revoked_at       timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE api_client_tenants (
  client_id text NOT NULL REFERENCES api_clients (client_id),
  tenant_id uuid NOT NULL UNIQUE REFERENCES tenants (tenant_id),
  PRIMARY KEY (client_id, tenant_id)
);

CREATE TABLE subscriptions (
  tenant_id     uuid NOT NULL REFERENCES tenants (tenant_id),
  code          text NOT NULL,
  status        text NOT NULL CHECK (status IN ('ASSIGNED', 'UNASSIGNED')),
  assigned_at   timestamptz,
  unassigned_at timestamptz,
  PRIMARY KEY (tenant_id, code)
);

-- One collector link per client and attempt; the token is stored only as a keyed hash and the
-- submitted portal credentials only sealed (AES-256-GCM).
CREATE TABLE collector_links (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  onboarding_id       uuid NOT NULL,
  workflow_id         text NOT NULL,
  client_id           text NOT NULL,
  client_name         text NOT NULL,
  portal_url          text NOT NULL,
  attempt             integer NOT NULL,
  token_hash          text NOT NULL UNIQUE,
  expires_at          timestamptz NOT NULL,
  used_at             timestamptz,
  credentials_sealed  text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (onboarding_id, client_id, attempt)
);

-- The integration kit: the client secret waits here, sealed, until the customer opens the link once.
CREATE TABLE kits (
  onboarding_id        uuid PRIMARY KEY,
  client_id            text NOT NULL,
  client_secret_sealed text,
  token_hash           text UNIQUE,
  contents             jsonb,
  expires_at           timestamptz,
  opened_at            timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now()
);

-- Every mail once: the idempotency key is the workflow id and step; sent_at marks it done.
CREATE TABLE mail_log (
  idempotency_key text PRIMARY KEY,
  recipient       text NOT NULL,
  subject         text NOT NULL,
  sent_at         timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- Outbound webhooks, written in the same transaction as the status change they announce.
CREATE TABLE webhook_deliveries (
  id              text PRIMARY KEY,
  onboarding_id   uuid NOT NULL,
  url             text NOT NULL,
  payload         jsonb NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz,
  failed_at       timestamptz,
  last_status     integer,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
  WHERE delivered_at IS NULL AND failed_at IS NULL;
