package dev.baton.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.GuardBlocked;
import dev.baton.contracts.MixedVersionWindowClosed;
import dev.baton.contracts.MixedVersionWindowOpened;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeUpgradeStarted;
import dev.baton.contracts.NodeUpgraded;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.SshTarget;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepStarted;
import dev.baton.contracts.StepSucceeded;
import dev.baton.fixtures.NodeCommands;
import dev.baton.fixtures.UpgradeRequests;
import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.quarkus.KafkaSandboxResource;
import dev.baton.sandbox.quarkus.PostgresSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compliance report of a rollout whose whole event sequence (as the planner, executor and health service
 * publish it) went through the sandbox's real Kafka into the real PostgreSQL store.
 */
@QuarkusTest
@WithTestResource(KafkaSandboxResource.class)
@WithTestResource(PostgresSandboxResource.class)
class RolloutReportIT {
    private static final Instant MIXED_FROM = Instant.parse("2026-11-22T10:00:00Z");
    private static final Instant MIXED_UNTIL = Instant.parse("2026-11-22T10:01:30Z");

    private static KafkaProducer<String, byte[]> producer;
    private static String rollout;
    private static String cluster;
    private static int published;
    private static Instant publishedFrom;
    private static Instant publishedUntil;

    @BeforeAll
    static void publishARollout() throws Exception {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SandboxKafka.shared().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
        rollout = "r-" + UUID.randomUUID();
        cluster = "dolphin-" + UUID.randomUUID();
        String v0 = "5.20.0";
        String v1 = "5.21.0";
        SshTarget ssh = new SshTarget("127.77.1.2", 2222, "baton");
        List<BatonEvent> events = new ArrayList<>();
        events.add(UpgradeRequests.upgrade(cluster, v1).maxUnavailable(1).requestedBy("alice").build());
        events.add(new RolloutAccepted(rollout, cluster, "req-1", v1, "alice"));
        events.add(new RolloutPlanned(rollout, cluster, v1, "membership-address-desc", 1, false, List.of(
                new RolloutPlanned.PlannedNode("n2", "10.10.1.10", v0, "upgrade", List.of("stop", "install", "start")),
                new RolloutPlanned.PlannedNode("n1", "10.10.1.9", v0, "upgrade", List.of("stop", "install", "start")))));
        // n2: install fails because services would not stop; the planner reboots the node, then install succeeds
        events.add(new NodeUpgradeStarted(rollout, cluster, "n2", v0, v1));
        events.add(command("c1", "n2", "stop", NodeCommand.Kind.RUN, 1, ssh));
        events.add(new StepStarted("c1", rollout, cluster, "n2", "stop", null, null, null, null));
        events.add(new StepSucceeded("c1", rollout, cluster, "n2", "stop", 0, "stopped", null, null));
        events.add(command("c2", "n2", "install", NodeCommand.Kind.RUN, 1, ssh));
        events.add(new StepStarted("c2", rollout, cluster, "n2", "install", null, null, null, null));
        events.add(new StepFailed("c2", rollout, cluster, "n2", "install", 1, "dis_services: busy", "EXIT_STATUS",
                "services would not stop"));
        events.add(command("c3", "n2", "install", NodeCommand.Kind.REBOOT, 2, ssh));
        events.add(new StepStarted("c3", rollout, cluster, "n2", "install", null, null, null, null));
        events.add(new StepSucceeded("c3", rollout, cluster, "n2", "install", 0, "installed", null, null));
        events.add(new MixedVersionWindowOpened(rollout, cluster, MIXED_FROM, List.of(v0, v1)));
        events.add(new NodeActive(cluster, "n2", v1, "boot-2", MIXED_FROM, "probe"));
        events.add(new NodeUpgraded(rollout, cluster, "n2", v1));
        // n1: a guard holds it back once, then it goes through
        events.add(new GuardBlocked(rollout, cluster, "n1", "old-version-rejoin", "n3 is inactive on the old version"));
        events.add(new NodeUpgradeStarted(rollout, cluster, "n1", v0, v1));
        events.add(command("c4", "n1", "install", NodeCommand.Kind.RUN, 1, ssh));
        events.add(new StepStarted("c4", rollout, cluster, "n1", "install", null, null, null, null));
        events.add(new StepSucceeded("c4", rollout, cluster, "n1", "install", 0, "installed", null, null));
        events.add(new NodeUpgraded(rollout, cluster, "n1", v1));
        events.add(new MixedVersionWindowClosed(rollout, cluster, MIXED_UNTIL, List.of(v1)));
        events.add(new RolloutCompleted(rollout, cluster, null, "DONE", "all nodes on 5.21.0"));

        String cause = null;
        publishedFrom = Instant.now().minusMillis(1);
        for (BatonEvent event : events) {
            EventEnvelope envelope = EventEnvelope.of(event, "/it", "alice", cause);
            producer.send(new ProducerRecord<>(event.topic(), null, event.clusterId(), EventCodec.toJson(event),
                    EventCodec.toHeaders(envelope))).get();
            cause = envelope.id();
            if (event.rolloutId() != null) {
                published++;
            }
        }
        publishedUntil = Instant.now().plusMillis(1);
    }

    private static NodeCommand command(String id, String node, String step, NodeCommand.Kind kind, int attempt, SshTarget ssh) {
        return NodeCommands.run(cluster, node, step, "step " + step).commandId(id).rolloutId(rollout).kind(kind)
                .target(ssh).timeout(Duration.ofMinutes(5)).disruptive().attempt(attempt).build();
    }

    @AfterAll
    static void disconnect() {
        producer.close(Duration.ofSeconds(5));
    }

    private static void awaitStored() {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().queryParam("rolloutId", rollout)
                .get("/api/v1/audit/events/count").then().extract().jsonPath().getLong("count") == published);
    }

    @Test
    void theReportShowsEachNodesVersionsAndTheMixedVersionWindow() {
        awaitStored();
        JsonPath report = given().when().get("/api/v1/audit/rollouts/{id}/report", rollout)
                .then().statusCode(200).contentType(containsString("application/json")).extract().jsonPath();

        assertThat(report.getString("clusterId")).isEqualTo(cluster);
        assertThat(report.getString("request.requestedBy")).isEqualTo("alice");
        assertThat(report.getString("request.targetVersion")).isEqualTo("5.21.0");
        assertThat(report.getList("plan.nodes.nodeName")).containsExactly("n2", "n1");
        assertThat(report.getString("plan.orderingPolicy")).isEqualTo("membership-address-desc");

        assertThat(report.getList("nodes.nodeName")).containsExactly("n2", "n1");
        for (String node : List.of("n1", "n2")) {
            String path = "nodes.find { it.nodeName == '" + node + "' }";
            assertThat(report.getString(path + ".versionBefore")).as(node).isEqualTo("5.20.0");
            assertThat(report.getString(path + ".versionAfter")).as(node).isEqualTo("5.21.0");
            assertThat(report.getString(path + ".status")).as(node).isEqualTo("UPGRADED");
            Instant started = Instant.parse(report.getString(path + ".startedAt"));
            Instant upgraded = Instant.parse(report.getString(path + ".upgradedAt"));
            assertThat(upgraded).as(node).isAfterOrEqualTo(started);
        }

        assertThat(report.getList("mixedVersionWindows")).hasSize(1);
        assertThat(report.getString("mixedVersionWindows[0].openedAt")).isEqualTo(MIXED_FROM.toString());
        assertThat(report.getString("mixedVersionWindows[0].closedAt")).isEqualTo(MIXED_UNTIL.toString());
        assertThat(report.getString("mixedVersionWindows[0].duration")).isEqualTo("PT1M30S");
        assertThat(report.getString("mixedVersionDuration")).isEqualTo("PT1M30S");

        assertThat(report.getList("failures")).hasSize(1);
        assertThat(report.getString("failures[0].nodeName")).isEqualTo("n2");
        assertThat(report.getString("failures[0].step")).isEqualTo("install");
        assertThat(report.getString("failures[0].errorCode")).isEqualTo("EXIT_STATUS");
        assertThat(report.getString("failures[0].remedy")).isEqualTo("reboot 'install' (attempt 2)");

        assertThat(report.getString("guardsBlocked[0].code")).isEqualTo("old-version-rejoin");
        assertThat(report.getString("guardsBlocked[0].nodeName")).isEqualTo("n1");
        assertThat(report.getString("outcome.status")).isEqualTo("COMPLETED");
        assertThat(report.getLong("eventCount")).isEqualTo(published);
    }

    @Test
    void theSameReportAsCsvAndNdjson() throws Exception {
        awaitStored();
        String csv = given().queryParam("format", "csv").when().get("/api/v1/audit/rollouts/{id}/report", rollout)
                .then().statusCode(200).contentType(containsString("text/csv")).extract().asString();
        List<String> lines = csv.lines().toList();
        assertThat(lines.get(0)).isEqualTo(String.join(",", ReportExport.COLUMNS));
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .startsWith("node," + rollout + "," + cluster + ",n2,").contains(",5.20.0,5.21.0,"));
        assertThat(lines).anySatisfy(line -> assertThat(line)
                .startsWith("mixed-version-window," + rollout + "," + cluster + ",," + MIXED_FROM + "," + MIXED_UNTIL + ",PT1M30S,"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("outcome,").contains("COMPLETED:DONE"));

        String ndjson = given().header("Accept", "application/x-ndjson").when().get("/api/v1/audit/rollouts/{id}/report", rollout)
                .then().statusCode(200).contentType(containsString("application/x-ndjson")).extract().asString();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : ndjson.lines().toList()) {
            rows.add(BatonJson.mapper().readTree(line));
        }
        assertThat(rows).hasSize(lines.size() - 1);
        assertThat(rows).anySatisfy(row -> {
            assertThat(row.path("record").asText()).isEqualTo("node");
            assertThat(row.path("nodeName").asText()).isEqualTo("n1");
            assertThat(row.path("versionBefore").asText()).isEqualTo("5.20.0");
            assertThat(row.path("versionAfter").asText()).isEqualTo("5.21.0");
        });
        assertThat(rows).anySatisfy(row -> {
            assertThat(row.path("record").asText()).isEqualTo("mixed-version-window");
            assertThat(row.path("duration").asText()).isEqualTo("PT1M30S");
        });
    }

    @Test
    void theTimelineListsTheRolloutsEventsInOrder() {
        awaitStored();
        JsonPath timeline = given().when().get("/api/v1/audit/rollouts/{id}", rollout).then().statusCode(200)
                .extract().jsonPath();
        assertThat(timeline.getString("clusterId")).isEqualTo(cluster);
        List<String> types = timeline.getList("events.type");
        assertThat(types).hasSize(published);
        assertThat(types.get(0)).isEqualTo("RolloutAccepted");
        assertThat(types.get(types.size() - 1)).isEqualTo("RolloutCompleted");
        assertThat(timeline.getList("events.at", String.class)).extracting(Instant::parse).isSorted();
    }

    @Test
    void pagesFollowTheCursorWithoutGapsOrRepeats() {
        awaitStored();
        List<Long> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = given().queryParam("rolloutId", rollout).queryParam("limit", 5);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            var response = request.when().get("/api/v1/audit/events").then().statusCode(200).extract();
            seen.addAll(response.jsonPath().getList("seq", Long.class));
            cursor = response.header(AuditResource.NEXT_CURSOR);
            pages++;
        } while (cursor != null && pages < 20);
        assertThat(seen).hasSize(published).doesNotHaveDuplicates().isSorted();
        given().queryParam("actor", "alice").queryParam("nodeName", "n2").queryParam("rolloutId", rollout)
                .queryParam("type", "dev.baton.StepFailed.v1").when().get("/api/v1/audit/events")
                .then().statusCode(200).body("size()", equalTo(1)).body("[0].data.errorCode", equalTo("EXIT_STATUS"));
    }

    @Test
    void aTimeRangeSelectsByKafkaTimestamp() {
        awaitStored();
        // the cluster's events in the window: the rollout's plus UpgradeRequested and NodeActive (other topics)
        await().atMost(Duration.ofSeconds(60)).until(() -> given().queryParam("clusterId", cluster)
                .queryParam("from", publishedFrom.toString()).queryParam("to", publishedUntil.toString())
                .get("/api/v1/audit/events/count").then().extract().jsonPath().getLong("count") == published + 2);
        given().queryParam("clusterId", cluster).queryParam("to", publishedFrom.toString())
                .when().get("/api/v1/audit/events/count").then().statusCode(200).body("count", equalTo(0));
        given().queryParam("from", publishedFrom.toString()).queryParam("to", publishedUntil.toString())
                .queryParam("rolloutId", rollout).queryParam("limit", 1000).when().get("/api/v1/audit/events")
                .then().statusCode(200).body("size()", equalTo(published));
        given().queryParam("from", publishedUntil.toString()).queryParam("to", publishedFrom.toString())
                .when().get("/api/v1/audit/events").then().statusCode(400).body("field", equalTo("to"));
    }

    @Test
    void anUnknownRolloutOrFormatIsA4xxNamingTheField() {
        given().when().get("/api/v1/audit/rollouts/{id}/report", "no-such-rollout").then().statusCode(404)
                .body("field", equalTo("rolloutId"));
        given().queryParam("format", "pdf").when().get("/api/v1/audit/rollouts/{id}/report", "any").then()
                .statusCode(400).body("field", equalTo("format"));
    }
}
