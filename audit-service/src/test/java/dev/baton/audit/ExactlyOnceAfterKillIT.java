package dev.baton.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.EventCodec;
import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.StepOutput;
import dev.baton.contracts.Topics;
import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.SandboxPostgres;
import dev.baton.sandbox.world.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) as a separate process, killed with SIGKILL while
 * it ingests a large backlog, then restarted: every message is stored exactly once and the chains verify.
 * Real Kafka and PostgreSQL from the sandbox.
 */
class ExactlyOnceAfterKillIT {
    private static final int CLUSTERS = 3;
    private static final int PER_CLUSTER = 5_000;
    private static final int TOTAL = CLUSTERS * PER_CLUSTER;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void killingTheServiceMidBatchLosesNothingAndDuplicatesNothing() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> clusters = List.of("kill-" + run + "-a", "kill-" + run + "-b", "kill-" + run + "-c");
        publishBacklog(clusters);

        SandboxPostgres postgres = SandboxPostgres.shared();
        String jdbcUrl = postgres.newDatabase("audit_kill");
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", SandboxKafka.shared().bootstrapServers());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl);
        env.put("QUARKUS_DATASOURCE_USERNAME", postgres.username());
        env.put("QUARKUS_DATASOURCE_PASSWORD", postgres.password());
        env.put("MP_MESSAGING_INCOMING_EVENTS_GROUP_ID", "audit-kill-" + run);
        env.put("MP_MESSAGING_INCOMING_EVENTS_MAX_POLL_RECORDS", "250");
        Path repoRoot = Path.of("..").toAbsolutePath().normalize();
        Path workDir = Files.createDirectories(Path.of("target", "kill-it-" + run).toAbsolutePath());

        AtomicLong atKill = new AtomicLong();
        try (ServiceProcess first = ServiceProcess.start(repoRoot, "audit-service", env, workDir, Duration.ofMinutes(3))) {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
                    .until(() -> stored(first, clusters) > 0);
            killHard(first);
            atKill.set(countRows(jdbcUrl, postgres, clusters));
        }
        assertThat(atKill.get()).as("killed while ingesting, not before or after").isBetween(1L, (long) TOTAL - 1);

        Files.move(workDir.resolve("audit-service.log"), workDir.resolve("audit-service-killed.log"));
        try (ServiceProcess second = ServiceProcess.start(repoRoot, "audit-service", env, workDir, Duration.ofMinutes(3))) {
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                    .until(() -> stored(second, clusters) >= TOTAL);

            try (Connection connection = DriverManager.getConnection(jdbcUrl, postgres.username(), postgres.password());
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("""
                         SELECT count(*), count(DISTINCT (kafka_topic, kafka_partition, kafka_offset)),
                                count(DISTINCT (chain, chain_seq)), max(chain_seq)
                         FROM audit_event WHERE clusterid IN ('%s', '%s', '%s')""".formatted(
                         clusters.get(0), clusters.get(1), clusters.get(2)))) {
                rows.next();
                assertThat(rows.getLong(1)).as("rows").isEqualTo(TOTAL);
                assertThat(rows.getLong(2)).as("distinct messages").isEqualTo(TOTAL);
                assertThat(rows.getLong(3)).as("distinct chain positions").isEqualTo(TOTAL);
                assertThat(rows.getLong(4)).as("each chain without gaps").isEqualTo(PER_CLUSTER);
            }
            for (String cluster : clusters) {
                String verify = get(second, "/api/v1/audit/verify?clusterId=" + cluster);
                assertThat(verify).as(cluster).contains("\"ok\":true").contains("\"records\":" + PER_CLUSTER);
            }
            // the whole store, including whatever else the topics held (other tests' garbage and non-Baton JSON)
            assertThat(get(second, "/api/v1/audit/verify")).contains("\"ok\":true");
        }
    }

    private static void publishBacklog(List<String> clusters) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SandboxKafka.shared().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "20"),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < PER_CLUSTER; i++) {
                for (String cluster : clusters) {
                    StepOutput output = new StepOutput("cmd-" + i, "r-" + cluster, cluster, "n1", "install", null,
                            "line " + i + " of the installer's output", null, null);
                    EventEnvelope envelope = EventEnvelope.of(output, "/it", "it", null);
                    producer.send(new ProducerRecord<>(Topics.RESULTS, null, cluster, EventCodec.toJson(output),
                            EventCodec.toHeaders(envelope)));
                }
            }
            producer.flush();
        }
    }

    /** SIGKILL: no shutdown hook, no last commit, exactly like a crash. */
    private static void killHard(ServiceProcess service) {
        ProcessHandle.current().children()
                .filter(child -> child.info().commandLine().map(line -> line.contains("audit-service")
                        && line.contains("quarkus-run.jar")).orElse(false))
                .forEach(child -> {
                    child.destroyForcibly();
                    child.onExit().join();
                });
        assertThat(service.isAlive()).isFalse();
    }

    private long stored(ServiceProcess service, List<String> clusters) throws IOException, InterruptedException {
        long total = 0;
        for (String cluster : clusters) {
            String body = get(service, "/api/v1/audit/events/count?clusterId=" + cluster);
            total += Long.parseLong(body.replaceAll("[^0-9]", ""));
        }
        return total;
    }

    private String get(ServiceProcess service, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    private static long countRows(String jdbcUrl, SandboxPostgres postgres, List<String> clusters) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, postgres.username(), postgres.password());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM audit_event WHERE clusterid IN ('"
                     + String.join("', '", clusters) + "')")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
