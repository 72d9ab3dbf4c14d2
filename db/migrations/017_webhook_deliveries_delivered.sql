-- Housekeeping prunes webhooks delivered longer ago than WEBHOOK_DELIVERED_RETENTION (db/retention.ts): found by
-- this index rather than by reading the whole table each pass.
CREATE INDEX webhook_deliveries_delivered ON webhook_deliveries (delivered_at) WHERE delivered_at IS NOT NULL;
