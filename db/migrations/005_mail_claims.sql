-- A send in progress is claimed by one attempt (claim_id) until claimed_until, which the attempt keeps
-- renewing while the SMTP server answers; no connection is held across the send (notify/mail-log.ts).
-- A claim that is not renewed (its process died) runs out, and a retry takes the key over.
ALTER TABLE mail_log
  ADD COLUMN claim_id      uuid,
  ADD COLUMN claimed_until timestamptz;
