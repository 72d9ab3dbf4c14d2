-- The worker's two outboxes, webhook deliveries and failure notices, are woken when work becomes due
-- (notify/work-due.ts) instead of being asked every second: a delivery due now (a new one, a redelivery),
-- a new notice. Notifications of one transaction with the same payload reach a listener once. A delivery
-- claimed or retried later has a next_attempt_at in the future and notifies nobody; the dispatcher wakes
-- for it at that time.
CREATE FUNCTION gangway_notify_work_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gangway_work_due', TG_ARGV[0]);
  RETURN NULL;
END;
$$;

CREATE TRIGGER webhook_deliveries_due_now
  AFTER INSERT OR UPDATE OF next_attempt_at ON webhook_deliveries
  FOR EACH ROW
  WHEN (NEW.next_attempt_at <= now() AND NEW.delivered_at IS NULL AND NEW.failed_at IS NULL)
  EXECUTE FUNCTION gangway_notify_work_due('webhooks');

CREATE TRIGGER failure_notices_new
  AFTER INSERT ON failure_notices
  FOR EACH STATEMENT EXECUTE FUNCTION gangway_notify_work_due('failure-notices');
