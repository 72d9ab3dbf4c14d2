-- A stored submission is signalled to its workflow after the commit; signalled_at records that the
-- signal went through. A submission stored but never marked (a crash or a Temporal outage between the
-- commit and the signal) is delivered by the reconciler (workflows/reconcile-submissions.ts).
ALTER TABLE collector_links ADD COLUMN signalled_at timestamptz;
-- Submissions before this migration were signalled by the request that stored them, or reopened.
UPDATE collector_links SET signalled_at = used_at WHERE credentials_sealed IS NOT NULL;
CREATE INDEX collector_links_unsignalled ON collector_links (used_at)
  WHERE credentials_sealed IS NOT NULL AND signalled_at IS NULL;
