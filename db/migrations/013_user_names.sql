-- TecCom: a client administrator found by email is shown with first and last name. People registered before
-- this migration have none until someone gives them; the names are optional at creation for that reason.
ALTER TABLE users
  ADD COLUMN first_name text CHECK (first_name IS NULL OR length(first_name) BETWEEN 1 AND 100),
  ADD COLUMN last_name  text CHECK (last_name IS NULL OR length(last_name) BETWEEN 1 AND 100);
