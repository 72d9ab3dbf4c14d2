-- Housekeeping prunes the audit trail, the security events and the mail log by age once an operator sets
-- their retention (AUDIT_RETENTION, SECURITY_EVENT_RETENTION, MAIL_LOG_RETENTION; db/retention.ts). Each
-- table's rows arrive in the order of the column pruned by, so a BRIN index finds the old ones for a pass
-- without a full scan, and costs each insert next to nothing (a B-tree would cost every step a write).
CREATE INDEX audit_events_occurred_at_brin ON audit_events USING brin (occurred_at);
CREATE INDEX security_events_occurred_at_brin ON security_events USING brin (occurred_at);
CREATE INDEX mail_log_created_at_brin ON mail_log USING brin (created_at);
