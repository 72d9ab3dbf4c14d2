-- Envelope encryption: sealed columns are encrypted under a data key, and a data key is stored only
-- wrapped (AES-256-GCM) under the master key named by master_key_id. Rotating the master key
-- re-wraps these rows (`gangway keys rewrap`); the sealed columns themselves never change.
CREATE TABLE data_keys (
  id            text PRIMARY KEY,
  master_key_id text NOT NULL,
  wrapped       text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  rewrapped_at  timestamptz
);
