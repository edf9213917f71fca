package dev.baton.audit;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The audit store: the append-only, hash-chained PostgreSQL table {@code audit_event} holding every message of
 * every {@code baton.*} topic exactly once (identified by topic, partition and offset), and the queries over it.
 *
 * <p>Writing a batch, in one transaction:
 * <ol>
 *   <li>take a transaction-scoped advisory lock per chain in the batch (in a fixed order, so writers never
 *       deadlock), so two instances never extend the same chain or store the same message at once;</li>
 *   <li>drop the messages whose coordinates are already stored (a redelivery after a crash) or repeated;</li>
 *   <li>read each chain's head (its last record, or the retention anchor if its records were dropped);</li>
 *   <li>number the new records, link each to its predecessor, hash them, insert them, commit.</li>
 * </ol>
 * The caller acknowledges the Kafka records only after this returns, so offsets are committed after the rows.
 */
@ApplicationScoped
public class AuditLog {

    private static final String INSERT = """
            INSERT INTO audit_event (seq, chain, chain_seq, prev_hash, hash, prev_event, kafka_topic, kafka_partition,
                kafka_offset, kafka_timestamp, kafka_key, ce_id, ce_type, ce_source, ce_subject, ce_time, rolloutid,
                clusterid, nodeid, actor, causationid, headers, data, data_raw, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), CAST(? AS jsonb), ?, ?)
            """;

    static final String COLUMNS = """
            SELECT seq, chain, chain_seq, prev_hash, hash, prev_event, kafka_topic, kafka_partition, kafka_offset,
                kafka_timestamp, kafka_key, ce_id, ce_type, ce_source, ce_subject, ce_time, rolloutid, clusterid, nodeid,
                actor, causationid, headers, data, data_raw, received_at
            FROM audit_event""";

    private final DataSource dataSource;

    public AuditLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The last record of a chain: where the next record links to. */
    public record Head(long chainSeq, byte[] hash, String event) {
        static final Head START = new Head(0, ChainedRecord.GENESIS, null);
    }

    /** A stored record with the hash stored beside it (which {@code /verify} compares with the recomputed one). */
    public record StoredRecord(ChainedRecord record, byte[] storedHash) {
    }

    /**
     * Stores a message unless one with the same (topic, partition, offset) is already stored.
     *
     * @return true if the message was new, false if it was already stored
     */
    public boolean append(AuditedMessage message) {
        return appendBatch(List.of(message)) == 1;
    }

    /**
     * Stores the messages not stored yet, all or none, in one transaction that has committed when this returns.
     *
     * @return how many were new
     */
    public int appendBatch(List<AuditedMessage> messages) {
        return appendBatch(messages, null);
    }

    /** As {@link #appendBatch(List)}, recorded at {@code receivedAt} instead of the database's clock (tests, benchmark). */
    int appendBatch(List<AuditedMessage> messages, Instant receivedAt) {
        if (messages.isEmpty()) {
            return 0;
        }
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                int stored = appendInTransaction(connection, messages, receivedAt);
                connection.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new AuditStoreException("could not store " + messages.size() + " message(s) from "
                    + messages.get(0).coordinates() + ": " + e.getMessage(), e);
        }
    }

    private static int appendInTransaction(Connection connection, List<AuditedMessage> messages, Instant receivedAt)
            throws SQLException {
        Map<String, AuditedMessage> unique = new LinkedHashMap<>();
        for (AuditedMessage message : messages) {
            unique.putIfAbsent(ChainedRecord.reference(message), message);
        }
        lockChains(connection, unique.values());
        Set<String> stored = storedReferences(connection, unique.values());
        List<AuditedMessage> fresh = new ArrayList<>();
        for (Map.Entry<String, AuditedMessage> entry : unique.entrySet()) {
            if (!stored.contains(entry.getKey())) {
                fresh.add(entry.getValue());
            }
        }
        if (fresh.isEmpty()) {
            return 0;
        }
        Set<String> chains = new TreeSet<>();
        for (AuditedMessage message : fresh) {
            chains.add(ChainedRecord.chainOf(message));
        }
        Map<String, Head> heads = heads(connection, chains);
        long[] seqs = new long[fresh.size()];
        Instant now = receivedAt;
        try (PreparedStatement next = connection.prepareStatement(
                "SELECT nextval('audit_event_seq'), clock_timestamp() FROM generate_series(1, ?)")) {
            next.setInt(1, fresh.size());
            try (ResultSet rows = next.executeQuery()) {
                for (int i = 0; rows.next(); i++) {
                    seqs[i] = rows.getLong(1);
                    if (now == null) {
                        now = rows.getObject(2, OffsetDateTime.class).toInstant();
                    }
                }
            }
        }
        now = now.truncatedTo(ChronoUnit.MICROS);
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (int r = 0; r < fresh.size(); r++) {
                AuditedMessage message = fresh.get(r);
                String chain = ChainedRecord.chainOf(message);
                Head previous = heads.get(chain);
                ChainedRecord record = new ChainedRecord(seqs[r], chain, previous.chainSeq() + 1, previous.hash(),
                        previous.event(), message, now);
                byte[] hash = record.hash();
                heads.put(chain, new Head(record.chainSeq(), hash, ChainedRecord.reference(message)));
                bindInsert(insert, record, hash);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        return fresh.size();
    }

    private static void bindInsert(PreparedStatement insert, ChainedRecord record, byte[] hash) throws SQLException {
        AuditedMessage message = record.message();
        int i = 0;
        insert.setLong(++i, record.seq());
        insert.setString(++i, record.chain());
        insert.setLong(++i, record.chainSeq());
        insert.setBytes(++i, record.prevHash());
        insert.setBytes(++i, hash);
        insert.setString(++i, record.prevEvent());
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
        setTime(insert, ++i, record.receivedAt());
    }

    /** One advisory lock per chain, taken in ascending key order so that concurrent writers cannot deadlock. */
    private static void lockChains(Connection connection, Iterable<AuditedMessage> messages) throws SQLException {
        Set<Long> keys = new TreeSet<>();
        for (AuditedMessage message : messages) {
            keys.add(lockKey(ChainedRecord.chainOf(message)));
        }
        // OFFSET 0 keeps the sorted subquery as it is, so the locks are taken in ascending order
        try (PreparedStatement lock = connection.prepareStatement(
                "SELECT pg_advisory_xact_lock(k) FROM (SELECT k FROM unnest(?::bigint[]) AS k ORDER BY k OFFSET 0) AS sorted")) {
            lock.setArray(1, connection.createArrayOf("bigint", keys.toArray()));
            lock.executeQuery().close();
        }
    }

    static long lockKey(String chain) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("baton-audit-chain:" + chain)
                    .getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> storedReferences(Connection connection, Iterable<AuditedMessage> messages)
            throws SQLException {
        List<String> topics = new ArrayList<>();
        List<Integer> partitions = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        for (AuditedMessage message : messages) {
            topics.add(message.topic());
            partitions.add(message.partition());
            offsets.add(message.offset());
        }
        Set<String> stored = new HashSet<>();
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT e.kafka_topic, e.kafka_partition, e.kafka_offset
                FROM unnest(?::text[], ?::int[], ?::bigint[]) AS b(topic, part, off)
                JOIN audit_event e ON e.kafka_topic = b.topic AND e.kafka_partition = b.part AND e.kafka_offset = b.off
                """)) {
            query.setArray(1, connection.createArrayOf("text", topics.toArray()));
            query.setArray(2, connection.createArrayOf("integer", partitions.toArray()));
            query.setArray(3, connection.createArrayOf("bigint", offsets.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    stored.add(rows.getString(1) + "/" + rows.getInt(2) + "/" + rows.getLong(3));
                }
            }
        }
        return stored;
    }

    /** Each chain's last record, or the anchor retention left when it dropped the chain's older records. */
    static Map<String, Head> heads(Connection connection, Set<String> chains) throws SQLException {
        Map<String, Head> heads = new HashMap<>();
        for (String chain : chains) {
            heads.put(chain, Head.START);
        }
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT c.chain, e.chain_seq, e.hash, e.event, a.chain_seq, a.hash, a.event
                FROM unnest(?::text[]) AS c(chain)
                LEFT JOIN LATERAL (SELECT chain_seq, hash, kafka_topic || '/' || kafka_partition || '/' || kafka_offset AS event
                                   FROM audit_event WHERE chain = c.chain ORDER BY chain_seq DESC LIMIT 1) AS e ON true
                LEFT JOIN LATERAL (SELECT chain_seq, hash, event FROM audit_anchor
                                   WHERE chain = c.chain ORDER BY chain_seq DESC LIMIT 1) AS a ON true""")) {
            query.setArray(1, connection.createArrayOf("text", chains.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Head head = Head.START;
                    if (rows.getObject(2) != null) {
                        head = new Head(rows.getLong(2), rows.getBytes(3), rows.getString(4));
                    }
                    if (rows.getObject(5) != null && rows.getLong(5) > head.chainSeq()) {
                        head = new Head(rows.getLong(5), rows.getBytes(6), rows.getString(7));
                    }
                    heads.put(rows.getString(1), head);
                }
            }
        }
        return heads;
    }

    /** Stored messages matching the filter, in recording order ({@code seq}), after the cursor if one is given. */
    public List<AuditedEvent> find(EventsQuery query) {
        List<Object> values = new ArrayList<>();
        StringBuilder sql = new StringBuilder(COLUMNS).append(where(query.filter(), values));
        if (query.after() != null) {
            sql.append(values.isEmpty() ? " WHERE " : " AND ").append("seq > ?");
            values.add(query.after());
        }
        sql.append(" ORDER BY seq LIMIT ?");
        values.add(query.limit());
        List<AuditedEvent> events = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            bind(statement, values);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    events.add(event(rows));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new AuditStoreException("could not query the audit store: " + e.getMessage(), e);
        }
    }

    /** Stored messages matching the filter, oldest first, at most {@code limit}. */
    public List<AuditedEvent> find(AuditFilter filter, int limit) {
        return find(new EventsQuery(filter, limit, null));
    }

    /** How many stored messages match the filter (an empty filter counts all). */
    public long count(AuditFilter filter) {
        List<Object> values = new ArrayList<>();
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

    /**
     * Streams every stored record (of one chain, or all when {@code chain} is null) in chain order: by chain,
     * then position; within a chain that is also the order of recording.
     */
    public void forEachInChainOrder(String chain, Consumer<StoredRecord> consumer) {
        String sql = COLUMNS + (chain == null ? "" : " WHERE chain = ?") + " ORDER BY chain, chain_seq, seq";
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
            try (PreparedStatement query = connection.prepareStatement(sql)) {
                query.setFetchSize(2000);
                if (chain != null) {
                    query.setString(1, chain);
                }
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        consumer.accept(new StoredRecord(chained(rows), rows.getBytes("hash")));
                    }
                }
                connection.commit();
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new AuditStoreException("could not read the audit store: " + e.getMessage(), e);
        }
    }

    /** The last record of each chain among the records recorded after {@code afterSeq}, by chain. */
    public Map<String, Head> headsAfter(long afterSeq) {
        Map<String, Head> heads = new TreeMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("""
                     SELECT DISTINCT ON (chain) chain, chain_seq, hash, kafka_topic || '/' || kafka_partition || '/' || kafka_offset
                     FROM audit_event WHERE seq > ? ORDER BY chain, chain_seq DESC""")) {
            query.setLong(1, afterSeq);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    heads.put(rows.getString(1), new Head(rows.getLong(2), rows.getBytes(3), rows.getString(4)));
                }
            }
            return heads;
        } catch (SQLException e) {
            throw new AuditStoreException("could not read the chain heads: " + e.getMessage(), e);
        }
    }

    /** The highest {@code seq} stored so far (0 when empty). */
    public long lastSeq() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT coalesce(max(seq), 0) FROM audit_event");
             ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new AuditStoreException("could not read the audit store: " + e.getMessage(), e);
        }
    }

    static String where(AuditFilter filter, List<Object> values) {
        List<String> conditions = new ArrayList<>();
        condition(conditions, values, "rolloutid = ?", filter.rolloutId());
        condition(conditions, values, "clusterid = ?", filter.clusterId());
        condition(conditions, values, "nodeid = ?", filter.nodeName());
        condition(conditions, values, "ce_type = ?", filter.type());
        condition(conditions, values, "actor = ?", filter.actor());
        condition(conditions, values, "kafka_timestamp >= ?", filter.from());
        condition(conditions, values, "kafka_timestamp < ?", filter.to());
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    private static void condition(List<String> conditions, List<Object> values, String condition, Object value) {
        if (value != null) {
            conditions.add(condition);
            values.add(value);
        }
    }

    static void bind(PreparedStatement statement, List<Object> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            Object value = values.get(i);
            if (value instanceof Instant time) {
                setTime(statement, i + 1, time);
            } else if (value instanceof Long number) {
                statement.setLong(i + 1, number);
            } else if (value instanceof Integer number) {
                statement.setInt(i + 1, number);
            } else {
                statement.setString(i + 1, (String) value);
            }
        }
    }

    static void setTime(PreparedStatement statement, int index, Instant time) throws SQLException {
        statement.setObject(index, time == null ? null : time.atOffset(ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
    }

    private static Instant time(ResultSet rows, String column) throws SQLException {
        OffsetDateTime time = rows.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }

    /** A row read back as the record that was hashed when it was written. */
    static ChainedRecord chained(ResultSet rows) throws SQLException {
        String data = rows.getString("data");
        byte[] raw = rows.getBytes("data_raw");
        Payload payload = data != null ? new Payload.Json(data) : raw != null ? new Payload.Raw(raw) : new Payload.Absent();
        AuditedMessage message = new AuditedMessage(
                rows.getString("kafka_topic"),
                rows.getInt("kafka_partition"),
                rows.getLong("kafka_offset"),
                time(rows, "kafka_timestamp"),
                rows.getString("kafka_key"),
                rows.getString("ce_id"),
                rows.getString("ce_type"),
                rows.getString("ce_source"),
                rows.getString("ce_subject"),
                time(rows, "ce_time"),
                rows.getString("rolloutid"),
                rows.getString("clusterid"),
                rows.getString("nodeid"),
                rows.getString("actor"),
                rows.getString("causationid"),
                rows.getString("headers"),
                payload);
        return new ChainedRecord(rows.getLong("seq"), rows.getString("chain"), rows.getLong("chain_seq"),
                rows.getBytes("prev_hash"), rows.getString("prev_event"), message, time(rows, "received_at"));
    }

    static AuditedEvent event(ResultSet rows) throws SQLException {
        byte[] raw = rows.getBytes("data_raw");
        return new AuditedEvent(
                rows.getLong("seq"),
                rows.getString("chain"),
                rows.getLong("chain_seq"),
                ChainedRecord.hex(rows.getBytes("hash")),
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
