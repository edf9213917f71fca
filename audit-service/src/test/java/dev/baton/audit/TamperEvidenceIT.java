package dev.baton.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Tamper evidence against the sandbox's real PostgreSQL: the service's role cannot change anything, a superuser is
 * refused by the triggers, and what a superuser changes anyway (triggers switched off) is named by /verify.
 */
@QuarkusTest
@WithTestResource(KafkaSandboxResource.class)
@WithTestResource(PostgresSandboxResource.class)
class TamperEvidenceIT {

    @Inject
    AuditLog auditLog;

    @Inject
    Checkpoints checkpoints;

    @Inject
    DataSource dataSource;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    /** A chain of {@code n} records of a cluster of its own; returns their coordinates in chain order. */
    private List<String> chainOf(String cluster, int n) {
        List<String> refs = new ArrayList<>();
        long base = Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L);
        for (int i = 0; i < n; i++) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(EventCodec.H_CLUSTERID, cluster.getBytes(StandardCharsets.UTF_8));
            headers.add(EventCodec.H_TYPE, "dev.baton.NodeUpgraded.v1".getBytes(StandardCharsets.UTF_8));
            AuditedMessage message = AuditedMessage.of(new ConsumerRecord<>("audit-it.tamper", 0, base + i,
                    1_700_000_000_000L + i, TimestampType.CREATE_TIME, -1, -1, cluster,
                    ("{\"nodeName\":\"n" + i + "\",\"runningVersion\":\"5.21.0\",\"n\":1.50}").getBytes(StandardCharsets.UTF_8),
                    headers, Optional.empty()));
            assertThat(auditLog.append(message)).isTrue();
            refs.add(ChainedRecord.reference(message));
        }
        return refs;
    }

    private static String cluster() {
        return "tamper-" + UUID.randomUUID();
    }

    private static JsonPath verify(String cluster) {
        return given().queryParam("clusterId", cluster).when().get("/api/v1/audit/verify")
                .then().statusCode(200).extract().jsonPath();
    }

    /** Runs SQL as the PostgreSQL superuser with triggers switched off, as an attacker with full access would. */
    private void asSuperuserBypassingTriggers(String sql, Object... args) throws SQLException {
        SandboxPostgres postgres = SandboxPostgres.shared();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, postgres.username(), postgres.password())) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET session_replication_role = replica");
            }
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    statement.setObject(i + 1, args[i]);
                }
                assertThat(statement.executeUpdate()).as(sql).isPositive();
            }
        }
    }

    @Test
    void anUntouchedChainVerifies() {
        String cluster = cluster();
        chainOf(cluster, 5);
        JsonPath report = verify(cluster);
        assertThat(report.getBoolean("ok")).isTrue();
        assertThat(report.getLong("records")).isEqualTo(5);
        assertThat(report.getInt("problemCount")).isZero();
        assertThat(report.getString("firstBroken")).isNull();
    }

    @Test
    void editingARecordIsReportedNamingIt() throws SQLException {
        String cluster = cluster();
        List<String> refs = chainOf(cluster, 5);

        asSuperuserBypassingTriggers("UPDATE audit_event SET data = '{\"nodeName\":\"n2\",\"runningVersion\":\"9.9.9\",\"n\":1.50}' "
                + "WHERE chain = ? AND chain_seq = 3", cluster);

        JsonPath report = verify(cluster);
        assertThat(report.getBoolean("ok")).isFalse();
        assertThat(report.getString("firstBroken.kind")).isEqualTo("CONTENT_CHANGED");
        assertThat(report.getString("firstBroken.event")).isEqualTo(refs.get(2));
        assertThat(report.getLong("firstBroken.chainSeq")).isEqualTo(3);
        assertThat(report.getInt("problemCount")).as("only the edited record is affected").isEqualTo(1);
    }

    @Test
    void editingAnAttributeOrTheTimeIsReportedToo() throws SQLException {
        String cluster = cluster();
        List<String> refs = chainOf(cluster, 3);

        asSuperuserBypassingTriggers("UPDATE audit_event SET received_at = received_at - interval '1 microsecond' "
                + "WHERE chain = ? AND chain_seq = 2", cluster);

        assertThat(verify(cluster).getString("firstBroken.event")).isEqualTo(refs.get(1));
    }

    @Test
    void deletingARecordIsReportedNamingIt() throws SQLException {
        String cluster = cluster();
        List<String> refs = chainOf(cluster, 5);

        asSuperuserBypassingTriggers("DELETE FROM audit_event WHERE chain = ? AND chain_seq = 3", cluster);

        JsonPath report = verify(cluster);
        assertThat(report.getBoolean("ok")).isFalse();
        assertThat(report.getString("firstBroken.kind")).isEqualTo("MISSING");
        assertThat(report.getString("firstBroken.event")).as("the deleted record's coordinates").isEqualTo(refs.get(2));
        assertThat(report.getLong("firstBroken.chainSeq")).isEqualTo(3);
    }

    @Test
    void movingARecordToAnotherPlaceInItsChainIsReportedNamingIt() throws SQLException {
        String cluster = cluster();
        List<String> refs = chainOf(cluster, 5);

        asSuperuserBypassingTriggers("UPDATE audit_event SET chain_seq = 6 WHERE chain = ? AND chain_seq = 2", cluster);

        JsonPath report = verify(cluster);
        assertThat(report.getBoolean("ok")).isFalse();
        assertThat(report.getString("firstBroken.event")).isEqualTo(refs.get(1));
        List<Map<String, Object>> problems = report.getList("problems");
        assertThat(problems).extracting(p -> p.get("kind") + " " + p.get("event"))
                .contains("MISSING " + refs.get(1), "CONTENT_CHANGED " + refs.get(1));
    }

    @Test
    void swappingTwoRecordsIsReported() throws SQLException {
        String cluster = cluster();
        List<String> refs = chainOf(cluster, 4);

        asSuperuserBypassingTriggers("UPDATE audit_event SET chain_seq = 5 - chain_seq WHERE chain = ? AND chain_seq IN (2, 3)", cluster);

        JsonPath report = verify(cluster);
        assertThat(report.getBoolean("ok")).isFalse();
        assertThat(report.getString("firstBroken.event")).isIn(refs.get(1), refs.get(2));
        assertThat(report.getList("problems", Map.class)).extracting(p -> p.get("event")).contains(refs.get(1), refs.get(2));
    }

    @Test
    void cuttingOffTheEndOfAChainIsCaughtByTheSignedCheckpoint() throws SQLException {
        String cluster = cluster();
        List<String> refs = chainOf(cluster, 3);
        given().when().post("/api/v1/audit/checkpoints").then().statusCode(201);

        asSuperuserBypassingTriggers("DELETE FROM audit_event WHERE chain = ? AND chain_seq = 3", cluster);

        JsonPath report = verify(cluster);
        assertThat(report.getBoolean("ok")).isFalse();
        assertThat(report.getString("firstBroken.kind")).isEqualTo("MISSING");
        assertThat(report.getString("firstBroken.event")).isEqualTo(refs.get(2));
    }

    @Test
    void rewritingARecordWithARecomputedHashIsCaughtByTheSignedCheckpoint() throws SQLException {
        String cluster = cluster();
        List<String> refs = chainOf(cluster, 3);
        assertThat(checkpoints.write()).isNotNull();

        // the attacker knows the algorithm: change the last record and store a matching hash
        ChainedRecord original = readRecord(cluster, 3);
        AuditedMessage m = original.message();
        AuditedMessage forged = new AuditedMessage(m.topic(), m.partition(), m.offset(), m.timestamp(), m.key(), m.ceId(),
                m.ceType(), m.ceSource(), m.ceSubject(), m.ceTime(), m.rolloutId(), m.clusterId(), m.nodeId(), "mallory",
                m.causationId(), m.headersJson(), m.payload());
        ChainedRecord rewritten = new ChainedRecord(original.seq(), original.chain(), original.chainSeq(),
                original.prevHash(), original.prevEvent(), forged, original.receivedAt());
        asSuperuserBypassingTriggers("UPDATE audit_event SET actor = 'mallory', hash = ? WHERE chain = ? AND chain_seq = 3",
                rewritten.hash(), cluster);

        JsonPath report = verify(cluster);
        assertThat(report.getBoolean("ok")).isFalse();
        assertThat(report.getString("firstBroken.kind")).isEqualTo("CHECKPOINT_MISMATCH");
        assertThat(report.getString("firstBroken.event")).isEqualTo(refs.get(2));
    }

    private ChainedRecord readRecord(String cluster, long chainSeq) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(AuditLog.COLUMNS + " WHERE chain = ? AND chain_seq = ?")) {
            query.setString(1, cluster);
            query.setLong(2, chainSeq);
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return AuditLog.chained(rows);
            }
        }
    }

    @Test
    void theServiceRoleCanNeitherUpdateNorDeleteNorTruncate() throws SQLException {
        String cluster = cluster();
        chainOf(cluster, 1);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            try (ResultSet role = statement.executeQuery("SELECT current_user")) {
                role.next();
                assertThat(role.getString(1)).isEqualTo("baton_audit_writer");
            }
            for (String change : List.of("UPDATE audit_event SET actor = 'x' WHERE chain = '" + cluster + "'",
                    "DELETE FROM audit_event WHERE chain = '" + cluster + "'", "TRUNCATE audit_event",
                    "DELETE FROM audit_checkpoint", "UPDATE audit_checkpoint SET kind = 'x'")) {
                assertThatThrownBy(() -> statement.executeUpdate(change)).as(change)
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("42501");
                            assertThat(e.getMessage()).contains("permission denied");
                        });
            }
        }
        assertThat(auditLog.count(AuditFilter.of(null, cluster, null))).isEqualTo(1);
    }

    @Test
    void aLoginRoleThatIsOnlyAWriterCannotChangeAnythingEvenAfterResetRole() throws SQLException {
        String cluster = cluster();
        chainOf(cluster, 1);
        SandboxPostgres postgres = SandboxPostgres.shared();
        String login = "audit_it_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection admin = DriverManager.getConnection(jdbcUrl, postgres.username(), postgres.password());
             Statement statement = admin.createStatement()) {
            statement.execute("CREATE ROLE " + login + " LOGIN PASSWORD 'it-only' IN ROLE baton_audit_writer");
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl, login, "it-only");
             Statement statement = connection.createStatement()) {
            statement.execute("RESET ROLE");
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM audit_event WHERE chain = '" + cluster + "'")) {
                rows.next();
                assertThat(rows.getLong(1)).as("it may SELECT").isEqualTo(1);
            }
            for (String change : List.of("UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event",
                    "TRUNCATE audit_event")) {
                assertThatThrownBy(() -> statement.executeUpdate(change)).as(change)
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            }
        }
    }

    @Test
    void evenASuperuserIsRefusedByTheTriggers() throws SQLException {
        String cluster = cluster();
        chainOf(cluster, 2);
        checkpoints.write(); // so that there is a checkpoint row to refuse deleting
        SandboxPostgres postgres = SandboxPostgres.shared();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, postgres.username(), postgres.password());
             Statement statement = connection.createStatement()) {
            for (String change : List.of("UPDATE audit_event SET actor = 'x' WHERE chain = '" + cluster + "'",
                    "DELETE FROM audit_event WHERE chain = '" + cluster + "'", "TRUNCATE audit_event",
                    "TRUNCATE audit_event_default", "DELETE FROM audit_checkpoint")) {
                assertThatThrownBy(() -> statement.executeUpdate(change)).as(change)
                        .hasMessageContaining("the audit store is append-only");
            }
        }
        assertThat(auditLog.count(AuditFilter.of(null, cluster, null))).isEqualTo(2);
        assertThat(verify(cluster).getBoolean("ok")).isTrue();
    }
}
