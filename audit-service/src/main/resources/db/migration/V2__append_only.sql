-- The service connects (or SET ROLEs, see application.properties) as ${writer_role}: it may only INSERT and SELECT.
-- Migrations and retention run as the owner (quarkus.flyway.username). UPDATE, DELETE and TRUNCATE are revoked
-- and, for anyone who still holds them (the owner, a superuser), refused by triggers.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${writer_role}') THEN
        CREATE ROLE ${writer_role} NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- created concurrently by another database's migration on the same server
END
$$;

REVOKE ALL ON audit_event FROM PUBLIC;
REVOKE ALL ON audit_event_seq FROM PUBLIC;
GRANT SELECT, INSERT ON audit_event TO ${writer_role};
GRANT USAGE ON SEQUENCE audit_event_seq TO ${writer_role};

-- let the configured application user take the writer role (no-op if it is a superuser or already a member)
DO $$
BEGIN
    IF '${app_user}' <> '' AND '${app_user}' <> current_user
            AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${app_user}') THEN
        EXECUTE format('GRANT %I TO %I', '${writer_role}', '${app_user}');
    ELSIF '${app_user}' = current_user THEN
        EXECUTE format('GRANT %I TO %I', '${writer_role}', current_user);
    END IF;
END
$$;

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit store is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- statement triggers are not inherited: guard the partitions that exist already (new ones get it on creation)
DO $$
DECLARE
    part regclass;
BEGIN
    FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_event'::regclass LOOP
        EXECUTE format('CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON %s '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()', part);
    END LOOP;
END
$$;
