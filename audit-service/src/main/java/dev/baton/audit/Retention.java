package dev.baton.audit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Monthly partitions of {@code audit_event} and their retention. Runs as the owner role (the Flyway credentials),
 * because the service's own role may only INSERT and SELECT. At start and every {@code baton.audit.retention.interval}:
 * <ol>
 *   <li>create the partitions of this month and the next {@code months-ahead} months;</li>
 *   <li>for each partition entirely older than {@code months} months, oldest first, in one transaction: write a
 *       signed {@code retention} checkpoint whose heads are, for every chain in it, its last record there (the
 *       predecessor of the chain's first kept record), copy them to {@code audit_anchor}, then drop the partition.</li>
 * </ol>
 * Records are partitioned by when they were recorded, which is also each chain's order, so a drop removes the
 * beginning of chains and the anchors let verification start from the first kept record. No topics.
 */
@ApplicationScoped
public class Retention {
    private static final Logger LOG = Logger.getLogger(Retention.class);

    private final RetentionConfig config;
    private final CheckpointSigner signer;
    private final String url;
    private final String user;
    private final String password;
    private ScheduledExecutorService timer;

    public Retention(RetentionConfig config, CheckpointSigner signer,
                     @ConfigProperty(name = "quarkus.datasource.jdbc.url") String datasourceUrl,
                     @ConfigProperty(name = "quarkus.flyway.jdbc-url") Optional<String> ownerUrl,
                     @ConfigProperty(name = "quarkus.flyway.username") Optional<String> ownerUser,
                     @ConfigProperty(name = "quarkus.flyway.password") Optional<String> ownerPassword,
                     @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
                     @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.config = config;
        this.signer = signer;
        this.url = ownerUrl.orElse(datasourceUrl);
        this.user = ownerUser.or(() -> user).orElse(null);
        this.password = ownerPassword.or(() -> password).orElse(null);
    }

    /** A partition that retention dropped. */
    public record Dropped(String partition, int anchors, long checkpointId) {
    }

    void start(@Observes StartupEvent event) {
        runQuietly();
        if (config.interval().isNegative() || config.interval().isZero()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "audit-retention"));
        long every = config.interval().toMillis();
        timer.scheduleWithFixedDelay(this::runQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void runQuietly() {
        try {
            YearMonth now = YearMonth.now(ZoneOffset.UTC);
            ensurePartitions(now, now.plusMonths(config.monthsAhead()));
            if (config.dropEnabled()) {
                dropOlderThan(OffsetDateTime.now(ZoneOffset.UTC).minusMonths(config.months()).toInstant());
            }
        } catch (RuntimeException e) {
            LOG.warnf("partition maintenance failed, trying again in %s: %s", config.interval(), e.getMessage());
        }
    }

    /** Creates the monthly partitions from {@code first} to {@code last} that do not exist yet. */
    public void ensurePartitions(YearMonth first, YearMonth last) {
        try (Connection connection = owner();
             PreparedStatement ensure = connection.prepareStatement("SELECT audit_ensure_partition(?)")) {
            for (YearMonth month = first; !month.isAfter(last); month = month.plusMonths(1)) {
                ensure.setObject(1, month.atDay(1));
                ensure.executeQuery().close();
            }
        } catch (SQLException e) {
            throw new AuditStoreException("could not create partitions " + first + ".." + last + ": " + e.getMessage(), e);
        }
    }

    /** Drops, oldest first, every monthly partition whose whole month lies before {@code cutoff}. */
    public List<Dropped> dropOlderThan(Instant cutoff) {
        List<Dropped> dropped = new ArrayList<>();
        try (Connection connection = owner()) {
            for (String partition : partitionsBefore(connection, cutoff)) {
                dropped.add(drop(connection, partition));
            }
        } catch (SQLException e) {
            throw new AuditStoreException("could not drop old partitions: " + e.getMessage(), e);
        }
        return dropped;
    }

    private static List<String> partitionsBefore(Connection connection, Instant cutoff) throws SQLException {
        List<String> partitions = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("""
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'audit_event'::regclass AND c.relname ~ '^audit_event_y[0-9]{4}m[0-9]{2}$'
                ORDER BY c.relname""");
             ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                String name = rows.getString(1);
                YearMonth month = YearMonth.of(Integer.parseInt(name.substring(13, 17)), Integer.parseInt(name.substring(18, 20)));
                LocalDate end = month.plusMonths(1).atDay(1);
                if (!end.atStartOfDay(ZoneOffset.UTC).toInstant().isAfter(cutoff)) {
                    partitions.add(name);
                }
            }
        }
        return partitions;
    }

    private Dropped drop(Connection connection, String partition) throws SQLException {
        connection.setAutoCommit(false);
        try {
            Checkpoints.lock(connection);
            try (Statement statement = connection.createStatement()) {
                // no writer may extend a chain while its anchors are taken; locking the whole table first (writers
                // lock it before any partition) means a writer and retention never wait for each other in a cycle
                statement.execute("LOCK TABLE audit_event IN ACCESS EXCLUSIVE MODE");
            }
            List<Checkpoints.SignedHead> anchors = new ArrayList<>();
            long upTo = 0;
            try (PreparedStatement query = connection.prepareStatement("SELECT DISTINCT ON (chain) chain, chain_seq, hash, "
                    + "kafka_topic || '/' || kafka_partition || '/' || kafka_offset, max(seq) OVER () FROM " + partition
                    + " ORDER BY chain, chain_seq DESC");
                 ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    anchors.add(new Checkpoints.SignedHead(rows.getString(1), rows.getLong(2),
                            ChainedRecord.hex(rows.getBytes(3)), rows.getString(4)));
                    upTo = rows.getLong(5);
                }
            }
            Checkpoints.StoredCheckpoint checkpoint = Checkpoints.insert(connection, signer, "retention", anchors, upTo,
                    partition, Checkpoints.last(connection));
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO audit_anchor (chain, chain_seq, hash, event, checkpoint_id) VALUES (?, ?, decode(?, 'hex'), ?, ?)")) {
                for (Checkpoints.SignedHead anchor : anchors) {
                    insert.setString(1, anchor.chain());
                    insert.setLong(2, anchor.chainSeq());
                    insert.setString(3, anchor.hash());
                    insert.setString(4, anchor.event());
                    insert.setLong(5, checkpoint.id());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE " + partition);
            }
            connection.commit();
            LOG.infof("retention dropped partition %s; checkpoint %d anchors its %d chain(s)", partition,
                    checkpoint.id(), anchors.size());
            return new Dropped(partition, anchors.size(), checkpoint.id());
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private Connection owner() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }
}
