-- Every message of every baton.* topic, exactly once: the Kafka coordinates are the primary key.
-- Append-only: rows are inserted with ON CONFLICT DO NOTHING and never updated or deleted.
CREATE TABLE audit_event (
    kafka_topic      text        NOT NULL,
    kafka_partition  integer     NOT NULL,
    kafka_offset     bigint      NOT NULL,
    -- order in which this store recorded the message (gaps possible); the future hash chain follows it
    seq              bigint      GENERATED ALWAYS AS IDENTITY,
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
    received_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_event_pk PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset),
    CONSTRAINT audit_event_seq_uq UNIQUE (seq),
    CONSTRAINT audit_event_one_payload CHECK (data IS NULL OR data_raw IS NULL)
);

CREATE INDEX audit_event_rolloutid_idx ON audit_event (rolloutid);
CREATE INDEX audit_event_clusterid_idx ON audit_event (clusterid);
CREATE INDEX audit_event_ce_type_idx ON audit_event (ce_type);
CREATE INDEX audit_event_kafka_timestamp_idx ON audit_event (kafka_timestamp);
