-- Abuse limits that every API process shares: one row per counted key (login:account:<email>, ip:<addr>, …).
-- hits counts within the window; blocked_until is the growing delay after repeated login failures.
CREATE TABLE rate_limits (
  key            text PRIMARY KEY,
  hits           integer NOT NULL,
  window_ends_at timestamptz NOT NULL,
  blocked_until  timestamptz
);
CREATE INDEX rate_limits_window_ends_at ON rate_limits (window_ends_at);

-- The security event log: failed logins, invalid clients, refusals, and every API client mutation with its
-- actor and reason. Append-only; subject is what the event is about (an email, a client id).
CREATE TABLE security_events (
  id          bigserial PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  event       text NOT NULL,
  actor       text,
  subject     text,
  reason      text,
  ip          text,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX security_events_subject ON security_events (subject, occurred_at);

-- Disabled people cannot log in or refresh.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;

-- Refresh tokens come in families (one login): reusing a spent token revokes the family, logout revokes it,
-- and a family ends SESSION_MAX_LIFETIME after its login however often it is refreshed.
ALTER TABLE refresh_tokens
  ADD COLUMN family_id         uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN family_started_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN revoked_at        timestamptz;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- A client secret rotated by staff reaches the customer through a one-time link, never the staff answer.
CREATE TABLE secret_deliveries (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id     text NOT NULL REFERENCES api_clients (client_id),
  secret_sealed text,
  recipients    text[] NOT NULL,
  token_hash    text UNIQUE,
  expires_at    timestamptz,
  opened_at     timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- A client can be disabled without revoking it (no tokens while disabled).
ALTER TABLE api_clients ADD COLUMN disabled_at timestamptz;
