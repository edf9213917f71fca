package dev.baton.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.contracts.BatonJson;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Signed checkpoints (table {@code audit_checkpoint}): every {@code baton.audit.checkpoint.interval} the heads
 * (position and hash) of the chains that moved are signed with Ed25519, each checkpoint also naming the hash of
 * the one before it. A superuser who rewrites a chain and recomputes its hashes still cannot forge the
 * signature, and one who cuts off the end of a chain leaves a signed head that no longer exists. Retention writes
 * {@code retention} checkpoints, whose heads are the anchors of what it dropped. No topics.
 */
@ApplicationScoped
public class Checkpoints {
    private static final Logger LOG = Logger.getLogger(Checkpoints.class);
    private static final long CHECKPOINT_LOCK = 0x62_61_74_6f_6e_43_50L; // "batonCP"
    /** Heads are re-read this many records back, so that a record committed late is still checkpointed. */
    private static final long LOOK_BACK = 10_000;

    private final DataSource dataSource;
    private final AuditLog auditLog;
    private final CheckpointSigner signer;
    private final CheckpointConfig config;
    private ScheduledExecutorService timer;

    public Checkpoints(DataSource dataSource, AuditLog auditLog, CheckpointSigner signer, CheckpointConfig config) {
        this.dataSource = dataSource;
        this.auditLog = auditLog;
        this.signer = signer;
        this.config = config;
    }

    /** A checkpoint as stored: the signed body (canonical JSON) and its signature. */
    public record StoredCheckpoint(long id, String kind, Instant createdAt, String body, byte[] signature,
                                   String publicKey, String keyId) {
        public JsonNode json() {
            try {
                return BatonJson.mapper().readTree(body);
            } catch (JsonProcessingException e) {
                return BatonJson.mapper().createObjectNode();
            }
        }
    }

    /** One signed head: the chain reached {@code chainSeq} with {@code hash} at Kafka coordinates {@code event}. */
    public record SignedHead(String chain, long chainSeq, String hash, String event) {
    }

    void start(@Observes StartupEvent event) {
        if (config.interval().isNegative() || config.interval().isZero()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "audit-checkpoints"));
        long every = config.interval().toMillis();
        timer.scheduleWithFixedDelay(this::writeQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void writeQuietly() {
        try {
            write();
        } catch (RuntimeException e) {
            LOG.warnf("could not write a checkpoint, trying again in %s: %s", config.interval(), e.getMessage());
        }
    }

    /** Signs the heads of the chains that moved since the last checkpoint; null if none did. */
    public StoredCheckpoint write() {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                lock(connection);
                StoredCheckpoint last = last(connection);
                long from = last == null ? 0 : Math.max(0, last.json().path("upToSeq").asLong() - LOOK_BACK);
                long upTo = auditLog.lastSeq();
                Map<String, AuditLog.Head> heads = auditLog.headsAfter(from);
                if (heads.isEmpty() || last != null && upTo <= last.json().path("upToSeq").asLong()) {
                    connection.rollback();
                    return null;
                }
                List<SignedHead> signed = new ArrayList<>();
                heads.forEach((chain, head) -> signed.add(
                        new SignedHead(chain, head.chainSeq(), ChainedRecord.hex(head.hash()), head.event())));
                StoredCheckpoint written = insert(connection, signer, "heads", signed, upTo, null, last);
                connection.commit();
                return written;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new AuditStoreException("could not write a checkpoint: " + e.getMessage(), e);
        }
    }

    /** Every checkpoint, oldest first. */
    public List<StoredCheckpoint> all() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT id, kind, created_at, body, signature, public_key, key_id FROM audit_checkpoint ORDER BY id");
             ResultSet rows = query.executeQuery()) {
            List<StoredCheckpoint> checkpoints = new ArrayList<>();
            while (rows.next()) {
                checkpoints.add(checkpoint(rows));
            }
            return checkpoints;
        } catch (SQLException e) {
            throw new AuditStoreException("could not read the checkpoints: " + e.getMessage(), e);
        }
    }

    /** Serialises checkpoint writers (instances of this service and retention) so that each names its predecessor. */
    static void lock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, CHECKPOINT_LOCK);
            lock.executeQuery().close();
        }
    }

    static StoredCheckpoint last(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT id, kind, created_at, body, signature, public_key, key_id FROM audit_checkpoint ORDER BY id DESC LIMIT 1");
             ResultSet rows = query.executeQuery()) {
            return rows.next() ? checkpoint(rows) : null;
        }
    }

    /** Builds, signs and inserts a checkpoint on the caller's connection and transaction (which holds {@link #lock}). */
    static StoredCheckpoint insert(Connection connection, CheckpointSigner signer, String kind, List<SignedHead> heads,
                                   long upToSeq, String partition, StoredCheckpoint previous) throws SQLException {
        long id;
        Instant now;
        try (PreparedStatement next = connection.prepareStatement("SELECT nextval('audit_checkpoint_seq'), clock_timestamp()");
             ResultSet rows = next.executeQuery()) {
            rows.next();
            id = rows.getLong(1);
            now = rows.getObject(2, OffsetDateTime.class).toInstant().truncatedTo(ChronoUnit.MICROS);
        }
        ObjectNode body = BatonJson.mapper().createObjectNode();
        body.put("id", id);
        body.put("kind", kind);
        body.put("createdAt", now.toString());
        body.put("previous", previous == null ? null : sha256(previous.body()));
        body.put("upToSeq", upToSeq);
        body.put("partition", partition);
        body.put("keyId", signer.keyId());
        ArrayNode array = body.putArray("heads");
        for (SignedHead head : heads) {
            array.addObject().put("chain", head.chain()).put("chainSeq", head.chainSeq()).put("hash", head.hash())
                    .put("event", head.event());
        }
        String text = CanonicalJson.of(body.toString());
        byte[] signature = signer.sign(text);
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO audit_checkpoint (id, kind, created_at, body, signature, public_key, key_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setLong(1, id);
            insert.setString(2, kind);
            AuditLog.setTime(insert, 3, now);
            insert.setString(4, text);
            insert.setBytes(5, signature);
            insert.setString(6, signer.publicKeyBase64());
            insert.setString(7, signer.keyId());
            insert.executeUpdate();
        }
        return new StoredCheckpoint(id, kind, now, text, signature, signer.publicKeyBase64(), signer.keyId());
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static StoredCheckpoint checkpoint(ResultSet rows) throws SQLException {
        return new StoredCheckpoint(rows.getLong("id"), rows.getString("kind"),
                rows.getObject("created_at", OffsetDateTime.class).toInstant(), rows.getString("body"),
                rows.getBytes("signature"), rows.getString("public_key"), rows.getString("key_id"));
    }
}
