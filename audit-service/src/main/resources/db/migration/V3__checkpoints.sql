-- Signed checkpoints of the chain heads, and the anchors retention leaves behind. Append-only like audit_event.
CREATE TABLE audit_checkpoint (
    id           bigint      PRIMARY KEY,
    -- 'heads' (periodic) or 'retention' (written just before dropping a partition)
    kind         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    -- the signed document, exactly as signed (canonical JSON, UTF-8)
    body         text        NOT NULL,
    -- Ed25519 signature of body, and the signer's public key (X.509, base64) and its id (SHA-256 prefix, hex)
    signature    bytea       NOT NULL,
    public_key   text        NOT NULL,
    key_id       text        NOT NULL
);
CREATE SEQUENCE audit_checkpoint_seq AS bigint;

-- For each chain, the last record of a dropped partition: the predecessor of the first kept record.
CREATE TABLE audit_anchor (
    chain          text   NOT NULL,
    chain_seq      bigint NOT NULL,
    hash           bytea  NOT NULL,
    event          text   NOT NULL,
    checkpoint_id  bigint NOT NULL REFERENCES audit_checkpoint (id),
    PRIMARY KEY (chain, chain_seq)
);

REVOKE ALL ON audit_checkpoint, audit_anchor FROM PUBLIC;
REVOKE ALL ON audit_checkpoint_seq FROM PUBLIC;
GRANT SELECT, INSERT ON audit_checkpoint TO ${writer_role};
GRANT SELECT ON audit_anchor TO ${writer_role};
GRANT USAGE ON SEQUENCE audit_checkpoint_seq TO ${writer_role};

CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit_anchor
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_anchor
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
