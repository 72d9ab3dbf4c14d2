-- ShipServ: an INVOICING subscription is held as a BUYER or a SUPPLIER, which goes into the token's scope.
ALTER TABLE subscriptions ADD COLUMN role text CHECK (role IN ('BUYER', 'SUPPLIER'));

-- Ongoing WMS: sending the credentials by mail is optional at the start. A kit not mailed is held for staff,
-- who hand it over through a reveal-once link they ask for (POST /v1/onboardings/{id}/kit-link).
ALTER TABLE kits ADD COLUMN held_for_staff_at timestamptz;

-- Webhook subscriptions (PortalDuct): a receiver registered on its own, for the events of every onboarding
-- or of one tenant's (tenant holds a partnerProvidedId or a tenantId, matched against each onboarding's).
-- The signing secret is sealed under webhookSubscriptionSecretContext(id), like an onboarding's.
CREATE TABLE webhook_subscriptions (
  id          uuid PRIMARY KEY,
  url         text NOT NULL,
  events      text[] NOT NULL,
  tenant      text,
  secret_enc  text NOT NULL,
  created_by  uuid REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz
);
CREATE INDEX webhook_subscriptions_live ON webhook_subscriptions (created_at DESC) WHERE deleted_at IS NULL;
-- One live subscription per receiver and tenant: registering it twice would deliver every event twice.
CREATE UNIQUE INDEX webhook_subscriptions_live_url ON webhook_subscriptions (url, coalesce(tenant, ''))
  WHERE deleted_at IS NULL;

-- A subscription's deliveries sit in the same outbox: one per (subscription, event). The test event on
-- registration belongs to no onboarding. attempts_base is where the attempt budget starts again after a
-- redelivery, so attempts itself only ever grows (the dispatcher's stale-lease guard relies on it).
ALTER TABLE webhook_deliveries
  ALTER COLUMN onboarding_id DROP NOT NULL,
  ADD COLUMN subscription_id uuid REFERENCES webhook_subscriptions (id),
  ADD COLUMN event_id text,
  ADD COLUMN event_type text,
  ADD COLUMN attempts_base integer NOT NULL DEFAULT 0,
  ADD COLUMN redelivered_at timestamptz;
CREATE UNIQUE INDEX webhook_deliveries_subscription_event ON webhook_deliveries (subscription_id, event_id)
  WHERE subscription_id IS NOT NULL;
CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (subscription_id, created_at DESC)
  WHERE subscription_id IS NOT NULL;

-- TecCom: failure notification emails are sent to the addresses a tenant's client keeps for it
-- (api_client_tenants.notification_emails) when something fails for that tenant: a lost connectivity, a
-- refused token burst, a webhook given up. Written with the failure (by the worker or the API), mailed by the
-- worker's notifier; key names the failure, so one failure is one notice however often it is written.
CREATE TABLE failure_notices (
  key        text PRIMARY KEY,
  tenant_id  uuid NOT NULL,
  kind       text NOT NULL,
  subject    text NOT NULL,
  body       text NOT NULL,
  recipients text[],
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at    timestamptz
);
CREATE INDEX failure_notices_unsent ON failure_notices (created_at) WHERE sent_at IS NULL;
