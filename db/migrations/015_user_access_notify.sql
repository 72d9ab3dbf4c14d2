-- Each API process remembers which users are active (api/active-users.ts) instead of asking PostgreSQL on
-- every request (#18). Disabling a user, however it is done (the API, the CLI straight in PostgreSQL, a
-- hand-written UPDATE), tells every listening process at its commit, so their tokens still stop at once.
CREATE FUNCTION gangway_notify_user_access() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gangway_user_access', OLD.id::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER users_access_changed
  AFTER UPDATE OF disabled_at OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION gangway_notify_user_access();
