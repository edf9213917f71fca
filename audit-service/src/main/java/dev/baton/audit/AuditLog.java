package dev.baton.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.sql.DataSource;

/**
 * The audit store: an append-only PostgreSQL table ({@code audit_event}) holding every message of every
 * {@code baton.*} topic exactly once, keyed by (topic, partition, offset), and the queries over it.
 */
@ApplicationScoped
public class AuditLog {

    private static final String INSERT = """
            INSERT INTO audit_event (kafka_topic, kafka_partition, kafka_offset, kafka_timestamp, kafka_key,
                ce_id, ce_type, ce_source, ce_subject, ce_time, rolloutid, clusterid, nodeid, actor, causationid,
                headers, data, data_raw)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), CAST(? AS jsonb), ?)
            ON CONFLICT (kafka_topic, kafka_partition, kafka_offset) DO NOTHING
            """;

    private static final String COLUMNS = """
            SELECT kafka_topic, kafka_partition, kafka_offset, kafka_timestamp, kafka_key, ce_id, ce_type, ce_source,
                ce_subject, ce_time, rolloutid, clusterid, nodeid, actor, causationid, headers, data, data_raw,
                received_at
            FROM audit_event""";

    private final DataSource dataSource;

    public AuditLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores a message unless a message with the same (topic, partition, offset) is already stored.
     * Joins the caller's transaction, or runs in its own; whatever else must be written with the
     * message (e.g. a hash-chain link) belongs in this same transaction.
     *
     * @return true if the message was new, false if it was already stored
     */
    @Transactional
    public boolean append(AuditedMessage message) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            int i = 0;
            insert.setString(++i, message.topic());
            insert.setInt(++i, message.partition());
            insert.setLong(++i, message.offset());
            setTime(insert, ++i, message.timestamp());
            insert.setString(++i, message.key());
            insert.setString(++i, message.ceId());
            insert.setString(++i, message.ceType());
            insert.setString(++i, message.ceSource());
            insert.setString(++i, message.ceSubject());
            setTime(insert, ++i, message.ceTime());
            insert.setString(++i, message.rolloutId());
            insert.setString(++i, message.clusterId());
            insert.setString(++i, message.nodeId());
            insert.setString(++i, message.actor());
            insert.setString(++i, message.causationId());
            insert.setString(++i, message.headersJson());
            insert.setString(++i, message.payload() instanceof Payload.Json json ? json.text() : null);
            insert.setBytes(++i, message.payload() instanceof Payload.Raw raw ? raw.bytes() : null);
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new AuditStoreException("could not store " + message.coordinates() + ": " + e.getMessage(), e);
        }
    }

    /** Stored messages matching the filter, oldest first (Kafka timestamp, then topic, partition, offset). */
    public List<AuditedEvent> find(AuditFilter filter, int limit) {
        List<String> values = new ArrayList<>();
        String sql = COLUMNS + where(filter, values)
                + " ORDER BY kafka_timestamp, kafka_topic, kafka_partition, kafka_offset LIMIT ?";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(sql)) {
            int i = bind(query, values);
            query.setInt(i + 1, limit);
            List<AuditedEvent> events = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    events.add(event(rows));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new AuditStoreException("could not query the audit store: " + e.getMessage(), e);
        }
    }

    /** How many stored messages match the filter (an empty filter counts all). */
    public long count(AuditFilter filter) {
        List<String> values = new ArrayList<>();
        String sql = "SELECT count(*) FROM audit_event" + where(filter, values);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(sql)) {
            bind(query, values);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new AuditStoreException("could not count in the audit store: " + e.getMessage(), e);
        }
    }

    private static String where(AuditFilter filter, List<String> values) {
        List<String> conditions = new ArrayList<>();
        condition(conditions, values, "rolloutid", filter.rolloutId());
        condition(conditions, values, "clusterid", filter.clusterId());
        condition(conditions, values, "ce_type", filter.type());
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    private static void condition(List<String> conditions, List<String> values, String column, String value) {
        if (value != null) {
            conditions.add(column + " = ?");
            values.add(value);
        }
    }

    private static int bind(PreparedStatement statement, List<String> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            statement.setString(i + 1, values.get(i));
        }
        return values.size();
    }

    private static void setTime(PreparedStatement statement, int index, Instant time) throws SQLException {
        statement.setObject(index, time == null ? null : time.atOffset(ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
    }

    private static Instant time(ResultSet rows, String column) throws SQLException {
        OffsetDateTime time = rows.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }

    private static AuditedEvent event(ResultSet rows) throws SQLException {
        byte[] raw = rows.getBytes("data_raw");
        return new AuditedEvent(
                rows.getString("kafka_topic"),
                rows.getInt("kafka_partition"),
                rows.getLong("kafka_offset"),
                time(rows, "kafka_timestamp"),
                rows.getString("ce_type"),
                rows.getString("ce_id"),
                rows.getString("ce_source"),
                rows.getString("ce_subject"),
                time(rows, "ce_time"),
                rows.getString("kafka_key"),
                rows.getString("clusterid"),
                rows.getString("rolloutid"),
                rows.getString("nodeid"),
                rows.getString("actor"),
                rows.getString("causationid"),
                time(rows, "received_at"),
                rows.getString("headers"),
                rows.getString("data"),
                raw == null ? null : Base64.getEncoder().encodeToString(raw));
    }
}
