package dev.baton.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.SshTarget;
import dev.baton.contracts.StepSucceeded;
import dev.baton.contracts.Topics;
import dev.baton.fixtures.NodeCommands;
import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.quarkus.KafkaSandboxResource;
import dev.baton.sandbox.quarkus.PostgresSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The audit service against the sandbox's real Kafka and PostgreSQL. */
@QuarkusTest
@WithTestResource(KafkaSandboxResource.class)
@WithTestResource(PostgresSandboxResource.class)
class AuditServiceIT {
    private static final Duration STORED_WITHIN = Duration.ofSeconds(60);

    private static KafkaProducer<String, byte[]> producer;

    @Inject
    AuditLog auditLog;

    @Inject
    DataSource dataSource;

    @BeforeAll
    static void connect() {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SandboxKafka.shared().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void disconnect() {
        producer.close(Duration.ofSeconds(5));
    }

    private record Sent(EventEnvelope envelope, RecordMetadata metadata) {
    }

    private static Sent publish(BatonEvent event, String causationId) throws Exception {
        EventEnvelope envelope = EventEnvelope.of(event, "/test", "it", causationId);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(event.topic(), null, event.clusterId(),
                EventCodec.toJson(event), EventCodec.toHeaders(envelope));
        return new Sent(envelope, producer.send(record).get());
    }

    private static long count(String query) {
        return given().when().get("/api/v1/audit/events/count" + query)
                .then().statusCode(200).extract().jsonPath().getLong("count");
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    @Test
    void eventsOfSeveralTopicsAreStoredWithTheirAttributesInOrder() throws Exception {
        String rollout = unique("r");
        String cluster = unique("c");
        List<Sent> sent = new ArrayList<>();
        sent.add(publish(new RolloutAccepted(rollout, cluster, "req-1", "5.1", "alice"), null));
        sent.add(publish(NodeCommands.run(cluster, "n1", "stop", "dis_services stop").commandId("cmd-1")
                .rolloutId(rollout).target(new SshTarget("127.77.1.1", 2222, "baton")).timeout(Duration.ofMinutes(1))
                .disruptive().epoch(7).build(),
                sent.get(0).envelope().id()));
        sent.add(publish(new StepSucceeded("cmd-1", rollout, cluster, "n1", "stop", 0, "ok", null, null),
                sent.get(1).envelope().id()));
        sent.add(publish(new RolloutCompleted(rollout, cluster, null, "DONE", "all nodes upgraded"),
                sent.get(2).envelope().id()));

        await().atMost(STORED_WITHIN).until(() -> count("?rolloutId=" + rollout) == sent.size());

        JsonPath events = given().queryParam("rolloutId", rollout).when().get("/api/v1/audit/events")
                .then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> items = events.getList("$");
        assertThat(items).hasSize(sent.size());
        assertThat(items).extracting(item -> item.get("topic"))
                .containsExactlyInAnyOrder(Topics.ROLLOUTS, Topics.COMMANDS, Topics.RESULTS, Topics.ROLLOUTS);
        assertThat(items).extracting(item -> ((Number) item.get("seq")).longValue()).isSorted();

        for (Sent s : sent) {
            Map<String, Object> item = items.stream().filter(i -> s.envelope().id().equals(i.get("id"))).findFirst()
                    .orElseThrow(() -> new AssertionError("not stored: " + s.envelope()));
            assertThat(item.get("topic")).isEqualTo(s.metadata().topic());
            assertThat(item.get("partition")).isEqualTo(s.metadata().partition());
            assertThat(((Number) item.get("offset")).longValue()).isEqualTo(s.metadata().offset());
            assertThat(Instant.parse((String) item.get("timestamp"))).isEqualTo(Instant.ofEpochMilli(s.metadata().timestamp()));
            assertThat(item.get("type")).isEqualTo(s.envelope().type());
            assertThat(item.get("source")).isEqualTo("/test");
            assertThat(item.get("subject")).isEqualTo(s.envelope().subject());
            assertThat(item.get("clusterId")).isEqualTo(cluster);
            assertThat(item.get("key")).isEqualTo(cluster);
            assertThat(item.get("rolloutId")).isEqualTo(rollout);
            assertThat(item.get("nodeName")).isEqualTo(s.envelope().nodeId());
            assertThat(item.get("actor")).isEqualTo("it");
            assertThat(item.get("causationId")).isEqualTo(s.envelope().causationId());
            assertThat(item.get("dataBase64")).isNull();
        }
        Map<String, Object> command = items.stream().filter(i -> Topics.COMMANDS.equals(i.get("topic"))).findFirst().orElseThrow();
        assertThat(command.get("type")).isEqualTo("dev.baton.NodeCommand.v1");
        assertThat(command.get("nodeName")).isEqualTo("n1");
        assertThat(command.get("causationId")).isEqualTo(sent.get(0).envelope().id());
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) command.get("data");
        assertThat(data).containsEntry("commandId", "cmd-1").containsEntry("command", "dis_services stop")
                .containsEntry("kind", "run").containsEntry("epoch", 7);

        given().queryParam("clusterId", cluster).queryParam("type", "dev.baton.RolloutAccepted.v1")
                .when().get("/api/v1/audit/events")
                .then().statusCode(200).body("size()", equalTo(1)).body("[0].data.requestedBy", equalTo("alice"));
        given().queryParam("rolloutId", rollout).queryParam("limit", 2).when().get("/api/v1/audit/events")
                .then().statusCode(200).body("size()", equalTo(2)).body("[0].id", equalTo(items.get(0).get("id")));
        assertThat(count("?clusterId=" + cluster + "&type=dev.baton.StepSucceeded.v1")).isEqualTo(1);
    }

    @Test
    void aRedeliveredRecordIsStoredOnce() throws Exception {
        String rollout = unique("r");
        Sent sent = publish(new RolloutAccepted(rollout, unique("c"), "req-2", "5.2", "bob"), null);
        await().atMost(STORED_WITHIN).until(() -> count("?rolloutId=" + rollout) == 1);

        // the same coordinates again, as after a crash between storing and committing the offset
        AuditedMessage again = AuditedMessage.of(new ConsumerRecord<>(sent.metadata().topic(), sent.metadata().partition(),
                sent.metadata().offset(), sent.metadata().timestamp(), TimestampType.CREATE_TIME, -1, -1,
                "ignored", "{\"different\":true}".getBytes(StandardCharsets.UTF_8),
                EventCodec.toHeaders(sent.envelope()), Optional.empty()));
        assertThat(auditLog.append(again)).isFalse();
        assertThat(count("?rolloutId=" + rollout)).isEqualTo(1);
        given().queryParam("rolloutId", rollout).when().get("/api/v1/audit/events")
                .then().statusCode(200).body("[0].data.requestedBy", equalTo("bob"));
    }

    @Test
    void appendingTheSameCoordinatesTwiceStoresOneRow() {
        String rollout = unique("r");
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventCodec.H_ROLLOUTID, rollout.getBytes(StandardCharsets.UTF_8));
        AuditedMessage message = AuditedMessage.of(new ConsumerRecord<>("audit-it.synthetic", 0,
                Math.abs(UUID.randomUUID().getMostSignificantBits()), 1L, TimestampType.CREATE_TIME, -1, -1,
                "c", "{\"a\":1}".getBytes(StandardCharsets.UTF_8), headers, Optional.empty()));

        assertThat(auditLog.append(message)).isTrue();
        assertThat(auditLog.append(message)).isFalse();
        assertThat(auditLog.append(message.withRawPayload())).isFalse();
        assertThat(count("?rolloutId=" + rollout)).isEqualTo(1);
    }

    @Test
    void aRecordThatIsNoBatonEventIsStoredToo() throws Exception {
        String key = unique("garbage");
        byte[] garbage = {(byte) 0xde, (byte) 0xad, 0x00, (byte) 0xbe, (byte) 0xef, '{'};
        long before = count("");

        RecordMetadata metadata = producer.send(new ProducerRecord<>(Topics.COMMANDS, key, garbage)).get();

        await().atMost(STORED_WITHIN).until(() -> count("?clusterId=" + key) == 1);
        assertThat(count("")).isEqualTo(before + 1);
        given().queryParam("clusterId", key).when().get("/api/v1/audit/events").then().statusCode(200)
                .body("size()", equalTo(1))
                .body("[0].offset", equalTo((int) metadata.offset()))
                .body("[0].type", equalTo(null))
                .body("[0].data", equalTo(null))
                .body("[0].dataBase64", equalTo(Base64.getEncoder().encodeToString(garbage)));
        assertThat(count("?type=dev.baton.DeadLetter.v1&clusterId=" + key)).as("not dead-lettered").isZero();
    }

    @Test
    void jsonThatIsNoBatonEventIsStoredAsJson() throws Exception {
        String key = unique("stranger");
        producer.send(new ProducerRecord<>(Topics.HEALTH, key, "{\"hello\":[1,2]}".getBytes(StandardCharsets.UTF_8))).get();

        await().atMost(STORED_WITHIN).until(() -> count("?clusterId=" + key) == 1);
        given().queryParam("clusterId", key).when().get("/api/v1/audit/events").then().statusCode(200)
                .body("[0].data.hello[1]", equalTo(2))
                .body("[0].dataBase64", equalTo(null))
                .body("[0].headers.size()", equalTo(0));
    }

    @Test
    void aRowPostgresRefusesIsRecognisedAsSuch() {
        AuditedMessage refused = new AuditedMessage("audit-it.synthetic", 1, Math.abs(UUID.randomUUID().getLeastSignificantBits()),
                null, null, null, null, null, null, null, null, null, null, null, null, "[]",
                new Payload.Json("{\"a\":\"\\u0000\"}"));

        assertThatThrownBy(() -> auditLog.append(refused))
                .satisfies(e -> assertThat(StoreFailure.of(e)).isEqualTo(StoreFailure.REFUSED_ROW));
        assertThat(auditLog.append(refused.withRawPayload())).isTrue();
    }

    @Test
    void payloadClassificationAgreesWithPostgres() throws SQLException {
        List<String> samples = List.of("{\"a\":1}", "[1e1000]", "[1e1001]", "[1e-1000]", "[1e-1001]",
                "[1e131071]", "[1e131072]", "[9.5e131071]", "[1e-16383]", "[1e-16384]", "[100e-16385]", "[0.1e-16382]",
                "[0e200000]", "[0e-20000]", "[-1e131071]",
                "{\"a\":\"\\u0000\"}", "[\"\\ud83d\"]", "[\"\\ud83d\\ude00\"]", "[\"\\u0001\"]", "\"x\"",
                "{\"a\":1} x", "[1.5e+1000]", "[-0]", "[123456789012345678901234567890.5]");
        try (Connection connection = dataSource.getConnection();
             PreparedStatement cast = connection.prepareStatement("SELECT CAST(? AS jsonb)")) {
            for (String sample : samples) {
                boolean postgresAccepts;
                try {
                    cast.setString(1, sample);
                    cast.executeQuery().close();
                    postgresAccepts = true;
                } catch (SQLException refused) {
                    postgresAccepts = false;
                }
                Payload payload = Payload.of(sample.getBytes(StandardCharsets.UTF_8));
                assertThat(payload instanceof Payload.Json).as(sample).isEqualTo(postgresAccepts);
            }
        }
    }

    @Test
    void aQueryWithoutFilterIsRefusedNamingTheField() {
        given().when().get("/api/v1/audit/events").then().statusCode(400)
                .body("field", equalTo("rolloutId"))
                .body("error", containsString("rolloutId, clusterId or type"));
        given().queryParam("rolloutId", "r").queryParam("limit", "10001").when().get("/api/v1/audit/events")
                .then().statusCode(400).body("field", equalTo("limit"));
        given().queryParam("rolloutId", "r").queryParam("limit", "many").when().get("/api/v1/audit/events")
                .then().statusCode(400).body("field", equalTo("limit"));
    }
}
