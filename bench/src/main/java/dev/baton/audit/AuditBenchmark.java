package dev.baton.audit;

import dev.baton.contracts.EventCodec;
import dev.baton.contracts.EventTypes;
import dev.baton.sandbox.SandboxPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Benchmark (a main class, not a test): ingest rate into the audit store, then query latency by rollout and by time
 * range, at N stored events (default 1 000 000), on an embedded PostgreSQL (or {@code BATON_POSTGRES_URL}).
 * Arguments: {@code [events] [clusters]} ({@code ./baton bench audit 1000000 50}). It lives in the bench module but in
 * the audit service's package, for the store's package-private verifier. Writes go through
 * {@link AuditLog#appendBatch} in batches of 500 (one Kafka poll) as the writer role, exactly as the service does; no
 * Kafka is involved, so this measures the store.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "The audit store alone: ingest rate, query latency and chain verification at N events.")
public final class AuditBenchmark implements Callable<Integer> {
    private static final int BATCH = 500;
    private static final int EVENTS_PER_ROLLOUT = 400;
    private static final int QUERIES = 200;
    private static final List<String> TYPES = List.of(EventTypes.NODE_COMMAND, EventTypes.STEP_STARTED,
            EventTypes.STEP_OUTPUT, EventTypes.STEP_SUCCEEDED, EventTypes.NODE_ACTIVE, EventTypes.NODE_UPGRADED);

    @Parameters(index = "0", arity = "0..1", defaultValue = "1_000_000", paramLabel = "EVENTS",
            description = "events to store (default ${DEFAULT-VALUE})")
    String events = "1_000_000";

    @Parameters(index = "1", arity = "0..1", defaultValue = "50", paramLabel = "CLUSTERS",
            description = "clusters they belong to (default ${DEFAULT-VALUE})")
    int clusters = 50;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AuditBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        measure(Integer.parseInt(events.replace("_", "")), clusters);
        return 0;
    }

    private static void measure(int events, int clusters) throws Exception {
        try (SandboxPostgres postgres = SandboxPostgres.start()) {
            String url = postgres.newDatabase("audit_bench");
            Flyway.configure().dataSource(url, postgres.username(), postgres.password())
                    .locations("classpath:db/migration")
                    .placeholders(Map.of("writer_role", "baton_audit_writer", "app_user", postgres.username()))
                    .load().migrate();
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(url);
            dataSource.setUser(postgres.username());
            dataSource.setPassword(postgres.password());
            dataSource.setReWriteBatchedInserts(true);
            dataSource.setOptions("-c role=baton_audit_writer");
            // like the service's connection pool: one connection kept open (the benchmark writes from one thread)
            AuditLog log = new AuditLog(pooled(dataSource.getConnection()));

            System.out.printf("audit benchmark: %,d events, %d clusters, batches of %d, on %s%n", events, clusters, BATCH, postgres);
            Instant firstTimestamp = Instant.parse("2026-01-01T00:00:00Z");
            long spacingMillis = Duration.ofDays(30).toMillis() / events;
            long start = System.nanoTime();
            List<AuditedMessage> batch = new ArrayList<>(BATCH);
            long[] offsets = new long[clusters];
            for (int i = 0; i < events; i++) {
                int cluster = i % clusters;
                long offset = offsets[cluster]++;
                batch.add(message(cluster, offset, firstTimestamp.toEpochMilli() + i * spacingMillis));
                if (batch.size() == BATCH || i == events - 1) {
                    log.appendBatch(batch);
                    batch.clear();
                }
                if ((i + 1) % 100_000 == 0) {
                    System.out.printf("  %,d stored, %,.0f events/s so far%n", i + 1, (i + 1) / seconds(start));
                }
            }
            double ingestSeconds = seconds(start);
            System.out.printf("ingest: %,d events in %.1f s = %,.0f events/s%n", events, ingestSeconds, events / ingestSeconds);
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("RESET ROLE");
                statement.execute("ANALYZE audit_event");
                if (System.getenv("BENCH_EXPLAIN") != null) {
                    explain(statement, "EXPLAIN ANALYZE SELECT e.kafka_topic FROM unnest("
                            + "array(SELECT 'baton.results.v1' FROM generate_series(1,500)), "
                            + "array(SELECT 7 FROM generate_series(1,500)), array(SELECT g::bigint FROM generate_series(1,500) g)) "
                            + "AS b(topic, part, off) JOIN audit_event e ON e.kafka_topic = b.topic AND e.kafka_partition = b.part "
                            + "AND e.kafka_offset = b.off");
                }
            }

            Random random = new Random(42);
            long rollouts = Math.max(1, (long) events / clusters / EVENTS_PER_ROLLOUT);
            double[] byRollout = new double[QUERIES];
            long rows = 0;
            for (int q = 0; q < QUERIES; q++) {
                String rollout = rolloutId(random.nextInt(clusters), random.nextLong(rollouts) * EVENTS_PER_ROLLOUT);
                long t0 = System.nanoTime();
                rows += log.find(new EventsQuery(AuditFilter.of(rollout, null, null), 1000, null)).size();
                byRollout[q] = (System.nanoTime() - t0) / 1e6;
            }
            report("query by rollout", byRollout, rows);
            double[] byTime = new double[QUERIES];
            rows = 0;
            for (int q = 0; q < QUERIES; q++) {
                Instant from = firstTimestamp.plusMillis((long) (random.nextDouble() * Duration.ofDays(29).toMillis()));
                long t0 = System.nanoTime();
                rows += log.find(new EventsQuery(AuditFilter.of(null, null, null, null, null, from, from.plusSeconds(3600)),
                        1000, null)).size();
                byTime[q] = (System.nanoTime() - t0) / 1e6;
            }
            report("query by 1 h time range", byTime, rows);

            long t0 = System.nanoTime();
            ChainVerifier verifier = ChainVerifier.withoutCheckpoints();
            log.forEachInChainOrder(null, verifier::accept);
            ChainVerifier.VerifyReport verified = verifier.finish(0, 0, List.of());
            System.out.printf("verify (all chains): %,d records, ok=%s, %.1f s%n", verified.records(), verified.ok(), seconds(t0));
        }
    }

    private static AuditedMessage message(int cluster, long offset, long timestamp) {
        String clusterId = "bench-cluster-" + cluster;
        String rolloutId = rolloutId(cluster, offset);
        String type = TYPES.get((int) (offset % TYPES.size()));
        String node = "n" + (offset / 40 % 8 + 1);
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventCodec.H_ID, ("id-" + cluster + "-" + offset).getBytes(StandardCharsets.UTF_8));
        headers.add(EventCodec.H_TYPE, type.getBytes(StandardCharsets.UTF_8));
        headers.add(EventCodec.H_SOURCE, "/baton/executor".getBytes(StandardCharsets.UTF_8));
        headers.add(EventCodec.H_CLUSTERID, clusterId.getBytes(StandardCharsets.UTF_8));
        headers.add(EventCodec.H_ROLLOUTID, rolloutId.getBytes(StandardCharsets.UTF_8));
        headers.add(EventCodec.H_NODEID, node.getBytes(StandardCharsets.UTF_8));
        headers.add(EventCodec.H_ACTOR, "alice".getBytes(StandardCharsets.UTF_8));
        String data = "{\"commandId\":\"cmd-" + offset + "\",\"rolloutId\":\"" + rolloutId + "\",\"clusterId\":\"" + clusterId
                + "\",\"nodeName\":\"" + node + "\",\"step\":\"install\",\"exitCode\":0,\"output\":\"line " + offset
                + " of the installer output\"}";
        return AuditedMessage.of(new ConsumerRecord<>("baton.results.v1", cluster, offset, timestamp,
                TimestampType.CREATE_TIME, -1, -1, clusterId, data.getBytes(StandardCharsets.UTF_8), headers, Optional.empty()));
    }

    /** A DataSource that always hands out the same open connection; close() on it does nothing. */
    private static javax.sql.DataSource pooled(Connection connection) {
        Connection kept = (Connection) java.lang.reflect.Proxy.newProxyInstance(AuditBenchmark.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, arguments) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(connection, arguments);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(AuditBenchmark.class.getClassLoader(),
                new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, arguments) -> {
                    if (method.getName().equals("getConnection")) {
                        return kept;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static void explain(Statement statement, String sql) throws java.sql.SQLException {
        try (var rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                System.out.println("  " + rows.getString(1));
            }
        }
    }

    private static String rolloutId(int cluster, long offset) {
        return "bench-r-" + cluster + "-" + offset / EVENTS_PER_ROLLOUT;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void report(String what, double[] millis, long rows) {
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        System.out.printf("%s: %d queries, %,d rows, p50 %.2f ms, p99 %.2f ms%n", what, sorted.length, rows,
                sorted[(int) Math.floor(0.50 * (sorted.length - 1))], sorted[(int) Math.floor(0.99 * (sorted.length - 1))]);
    }
}
