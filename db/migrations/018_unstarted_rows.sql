-- Housekeeping looks for onboarding and offboarding rows no workflow has written (version 0) a while after
-- their insert (activities/housekeeping.ts): found by these small indexes, which hold only such rows, rather
-- than by reading both tables each pass.
CREATE INDEX onboardings_unstarted ON onboardings (created_at) WHERE version = 0;
CREATE INDEX offboardings_unstarted ON offboardings (created_at) WHERE version = 0;
