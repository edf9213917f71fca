package dev.baton.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.EventCodec;
import dev.baton.sandbox.SandboxPostgres;
import dev.baton.sandbox.quarkus.KafkaSandboxResource;
import dev.baton.sandbox.quarkus.PostgresSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Retention against the sandbox's real PostgreSQL: a chain recorded over three months loses its oldest month's
 * partition, and what is kept still verifies because the signed retention checkpoint anchors it.
 */
@QuarkusTest
@WithTestResource(KafkaSandboxResource.class)
@WithTestResource(PostgresSandboxResource.class)
class RetentionIT {
    private static final YearMonth OLD = YearMonth.of(2024, 3);

    @Inject
    AuditLog auditLog;

    @Inject
    Retention retention;

    @Inject
    Checkpoints checkpoints;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    private static List<AuditedMessage> messages(String cluster, int from, int count) {
        List<AuditedMessage> messages = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(EventCodec.H_CLUSTERID, cluster.getBytes(StandardCharsets.UTF_8));
            messages.add(AuditedMessage.of(new ConsumerRecord<>("audit-it.retention", 0, i, 1_700_000_000_000L + i,
                    TimestampType.CREATE_TIME, -1, -1, cluster, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8),
                    headers, Optional.empty())));
        }
        return messages;
    }

    @Test
    void droppingTheOldestMonthKeepsWhatRemainsVerifiable() throws SQLException {
        String cluster = "retained-" + UUID.randomUUID();
        long base = Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L);
        retention.ensurePartitions(OLD, OLD.plusMonths(1));
        auditLog.appendBatch(messages(cluster, (int) base, 3), OLD.atDay(10).atStartOfDay().toInstant(java.time.ZoneOffset.UTC));
        auditLog.appendBatch(messages(cluster, (int) base + 3, 2), OLD.plusMonths(1).atDay(10).atStartOfDay()
                .toInstant(java.time.ZoneOffset.UTC));
        checkpoints.write();
        auditLog.appendBatch(messages(cluster, (int) base + 5, 2));
        assertThat(verify(cluster).getBoolean("ok")).isTrue();

        List<Retention.Dropped> dropped = retention.dropOlderThan(Instant.parse("2024-04-01T00:00:00Z"));

        assertThat(dropped).extracting(Retention.Dropped::partition).containsExactly("audit_event_y2024m03");
        assertThat(auditLog.count(AuditFilter.of(null, cluster, null))).isEqualTo(4);
        JsonPath report = verify(cluster);
        assertThat(report.getBoolean("ok")).as(report.prettify()).isTrue();
        assertThat(report.getLong("records")).isEqualTo(4);

        // new records still extend the chain after the anchor
        auditLog.appendBatch(messages(cluster, (int) base + 7, 1));
        assertThat(verify(cluster).getBoolean("ok")).isTrue();
        given().queryParam("clusterId", cluster).queryParam("limit", 10).when().get("/api/v1/audit/events").then()
                .statusCode(200).extract().jsonPath().getList("chainSeq", Long.class)
                .forEach(position -> assertThat(position).isBetween(4L, 8L));
    }

    @Test
    void deletingTheFirstKeptRecordAfterRetentionIsStillReported() throws SQLException {
        String cluster = "retained-" + UUID.randomUUID();
        long base = Math.abs(UUID.randomUUID().getLeastSignificantBits() % 1_000_000_000L);
        YearMonth old = YearMonth.of(2024, 5);
        retention.ensurePartitions(old, old);
        auditLog.appendBatch(messages(cluster, (int) base, 2), old.atDay(3).atStartOfDay().toInstant(java.time.ZoneOffset.UTC));
        List<AuditedMessage> kept = messages(cluster, (int) base + 2, 3);
        auditLog.appendBatch(kept);
        retention.dropOlderThan(Instant.parse("2024-06-01T00:00:00Z"));
        assertThat(verify(cluster).getBoolean("ok")).isTrue();

        SandboxPostgres postgres = SandboxPostgres.shared();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, postgres.username(), postgres.password());
             Statement statement = connection.createStatement()) {
            statement.execute("SET session_replication_role = replica");
            assertThat(statement.executeUpdate("DELETE FROM audit_event WHERE chain = '" + cluster + "' AND chain_seq = 3"))
                    .isEqualTo(1);
        }

        JsonPath report = verify(cluster);
        assertThat(report.getBoolean("ok")).isFalse();
        assertThat(report.getString("firstBroken.kind")).isEqualTo("MISSING");
        assertThat(report.getString("firstBroken.event")).isEqualTo(ChainedRecord.reference(kept.get(0)));
    }

    @Test
    void partitionsExistForThisMonthAndTheNext() throws SQLException {
        SandboxPostgres postgres = SandboxPostgres.shared();
        YearMonth now = YearMonth.now(java.time.ZoneOffset.UTC);
        try (Connection connection = DriverManager.getConnection(jdbcUrl, postgres.username(), postgres.password());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT relname FROM pg_class WHERE relname LIKE 'audit_event_y%'")) {
            List<String> names = new ArrayList<>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            assertThat(names).contains(partition(now), partition(now.plusMonths(1)), partition(now.plusMonths(2)));
        }
    }

    private static String partition(YearMonth month) {
        return String.format("audit_event_y%04dm%02d", month.getYear(), month.getMonthValue());
    }

    private static JsonPath verify(String cluster) {
        return given().queryParam("clusterId", cluster).when().get("/api/v1/audit/verify")
                .then().statusCode(200).extract().jsonPath();
    }
}
