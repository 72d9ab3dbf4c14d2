-- Who a collector link was last mailed to: a link can be mailed again (a resend, a reminder, a changed
-- contact address), and a later reconnect sends the next link to the latest address, not the first.
ALTER TABLE collector_links ADD COLUMN recipient text;
