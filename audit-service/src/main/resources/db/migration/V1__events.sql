-- Every message of every baton.* topic, exactly once, hash-chained per cluster.
-- Append-only: rows are only ever inserted (V2 revokes UPDATE/DELETE/TRUNCATE and refuses them by trigger).
-- Partitioned by month of received_at (the order of recording, which is also the order of each chain),
-- so retention drops whole old months without touching what is kept (see V3's anchors).
CREATE SEQUENCE audit_event_seq AS bigint;

CREATE TABLE audit_event (
    -- order in which this store recorded the message (gaps possible); part of the hashed canonical form
    seq              bigint      NOT NULL,
    -- the hash chain: the cluster id, or '~' || topic for a message without cluster (e.g. a dead letter)
    chain            text        NOT NULL,
    -- position in the chain, 1, 2, 3 ... without gaps
    chain_seq        bigint      NOT NULL,
    -- SHA-256 of the predecessor in the chain (32 zero bytes for the first record) and of this record
    prev_hash        bytea       NOT NULL,
    hash             bytea       NOT NULL,
    -- the predecessor's Kafka coordinates, 'topic/partition/offset' (null for the first record)
    prev_event       text,
    kafka_topic      text        NOT NULL,
    kafka_partition  integer     NOT NULL,
    kafka_offset     bigint      NOT NULL,
    kafka_timestamp  timestamptz,
    kafka_key        text,
    ce_id            text,
    ce_type          text,
    ce_source        text,
    ce_subject       text,
    ce_time          timestamptz,
    rolloutid        text,
    clusterid        text,
    nodeid           text,
    actor            text,
    causationid      text,
    -- every header in order: [{"key": "...", "value": "..."}], or "base64" instead of "value" for non-text values
    headers          jsonb       NOT NULL,
    -- the value as JSON when it is valid JSON that jsonb keeps faithfully, otherwise its raw bytes
    data             jsonb,
    data_raw         bytea,
    received_at      timestamptz NOT NULL,
    CONSTRAINT audit_event_one_payload CHECK (data IS NULL OR data_raw IS NULL)
) PARTITION BY RANGE (received_at);

-- A row whose month has no partition yet lands here (the maintenance job creates months ahead).
CREATE TABLE audit_event_default PARTITION OF audit_event DEFAULT;

-- exactly once: the writer checks these under a per-chain lock before inserting
CREATE INDEX audit_event_coordinates_idx ON audit_event (kafka_topic, kafka_partition, kafka_offset);
CREATE INDEX audit_event_chain_idx ON audit_event (chain, chain_seq);
CREATE INDEX audit_event_seq_idx ON audit_event (seq);
CREATE INDEX audit_event_rolloutid_idx ON audit_event (rolloutid, seq);
CREATE INDEX audit_event_clusterid_idx ON audit_event (clusterid, seq);
CREATE INDEX audit_event_nodeid_idx ON audit_event (nodeid, seq);
CREATE INDEX audit_event_ce_type_idx ON audit_event (ce_type, seq);
CREATE INDEX audit_event_actor_idx ON audit_event (actor, seq);
CREATE INDEX audit_event_kafka_timestamp_idx ON audit_event (kafka_timestamp, seq);

-- Creates the partition of the month holding `month` (if missing) and its TRUNCATE guard. Run by the owner.
CREATE FUNCTION audit_ensure_partition(month date) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    first_day date := date_trunc('month', month)::date;
    name text := 'audit_event_y' || to_char(first_day, 'YYYY') || 'm' || to_char(first_day, 'MM');
BEGIN
    IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF audit_event FOR VALUES FROM (%L) TO (%L)',
                       name, first_day::timestamptz, (first_day + interval '1 month')::timestamptz);
        IF to_regproc('audit_refuse_change') IS NOT NULL THEN
            EXECUTE format('CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON %I '
                           'FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()', name);
        END IF;
    END IF;
    RETURN name;
END
$$;

SELECT audit_ensure_partition((now() + make_interval(months => m))::date) FROM generate_series(0, 2) AS m;
