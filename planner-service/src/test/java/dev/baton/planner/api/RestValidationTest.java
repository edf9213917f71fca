package dev.baton.planner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.RolloutControl;
import dev.baton.contracts.StepSucceeded;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.fixtures.ClusterRegistrations;
import dev.baton.fixtures.UpgradeRequests;
import dev.baton.messaging.EventPublisher;
import dev.baton.planner.messaging.RolloutCoordinator;
import dev.baton.planner.rollout.Cause;
import dev.baton.planner.rollout.Emission;
import dev.baton.planner.rollout.RolloutState;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Synchronous REST validation (issue 13, part 3): a request that is wrong in itself is answered at once with a 400
 * (422 for an unknown procedure) naming the field and saying what is accepted, in Baton's words, and nothing is
 * published; what the published JSON Schema accepts is still accepted. Every case also states whether the schema
 * accepts it, and the test checks that too, so the planner README's list of where REST and the schemas differ stays
 * true.
 */
@QuarkusTest
class RestValidationTest {
    /** Words that give away Java or Jackson internals; none may appear in an error body. */
    private static final Pattern INTERNALS = Pattern.compile("java\\.|jakarta\\.|dev\\.baton|com\\.fasterxml|Jackson"
            + "|Cannot deserialize|Cannot construct|Cannot coerce|_OBJECT|_ARRAY|VALUE_|token|\\[Source|Exception"
            + "|Integer|Long|Boolean|String\\b|Duration|LocalTime|ZoneId|\\$|`");

    private static final String ROLLOUT = "{\"requestId\":\"r-1\",\"clusterId\":\"dolphin-lab\",\"targetVersion\":\"5.21.0\"}";
    private static final String NODE = "{\"name\":\"n0\",\"sshHost\":\"10.0.0.1\",\"sshPort\":22,\"sshUser\":\"root\","
            + "\"clusterAddress\":\"10.1.0.1\"}";
    private static final String CLUSTER = "{\"clusterId\":\"web\",\"product\":\"matrix-server\",\"procedure\":\"matrix-server\","
            + "\"nodes\":[" + NODE + "," + NODE.replace("n0", "n1").replace(".1\"", ".2\"") + "]}";
    private static final String LONG_ID = "x".repeat(JsonBody.MAX_NAME_LENGTH + 1);

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    RolloutCoordinator coordinator;

    private InMemorySink<byte[]> out;

    @BeforeEach
    void clear() {
        out = connector.sink(EventPublisher.CHANNEL);
        out.clear();
    }

    /** A request that is refused at once: the field named, a phrase of what is accepted, whether the schema accepts it. */
    record Refused(String body, int status, String field, String says, boolean schemaAccepts) {
    }

    static Stream<Arguments> refusedRollouts() {
        return Stream.of(
                refused("targetVersion x.y", rollout("/targetVersion", "\"x.y\""), "targetVersion", "like 5.21.0", true),
                refused("targetVersion empty", rollout("/targetVersion", "\"\""), "targetVersion", "like 5.21.0", false),
                refused("targetVersion 1..2", rollout("/targetVersion", "\"1..2\""), "targetVersion", "like 5.21.0", true),
                refused("targetVersion a number", rollout("/targetVersion", "5.21"), "targetVersion", "must be a string", false),
                refused("targetVersion a number too big to compare", rollout("/targetVersion", "\"99999999999999999999.1\""),
                        "targetVersion", "numbers separated by dots", true),
                refused("targetVersion missing", rollout("/targetVersion", null), "targetVersion", "is required", false),
                refused("clusterId missing", rollout("/clusterId", null), "clusterId", "like matrix-prod", false),
                refused("clusterId blank", rollout("/clusterId", "\"  \""), "clusterId", "must not be empty", true),
                refused("clusterId an object", rollout("/clusterId", "{}"), "clusterId", "got an object", false),
                refused("clusterId too long", rollout("/clusterId", json(LONG_ID)), "clusterId", "at most 253", false),
                refused("requestId empty", rollout("/requestId", "\"\""), "requestId", "leave it out", false),
                refused("requestId too long", rollout("/requestId", json(LONG_ID)), "requestId", "at most 253", false),
                refused("requestedBy too long", rollout("/requestedBy", json(LONG_ID)), "requestedBy", "at most 253", false),
                refused("maxUnavailable 0", rollout("/maxUnavailable", "0"), "maxUnavailable", "at least 1", false),
                refused("maxUnavailable -1", rollout("/maxUnavailable", "-1"), "maxUnavailable", "at least 1", false),
                refused("maxUnavailable \"two\"", rollout("/maxUnavailable", "\"two\""), "maxUnavailable",
                        "maxUnavailable must be a whole number", false),
                refused("maxUnavailable \"2\"", rollout("/maxUnavailable", "\"2\""), "maxUnavailable", "must be a whole number", false),
                refused("maxUnavailable 1.5", rollout("/maxUnavailable", "1.5"), "maxUnavailable", "must be a whole number", false),
                refused("maxUnavailable true", rollout("/maxUnavailable", "true"), "maxUnavailable", "must be a whole number", false),
                refused("maxUnavailablePercent 0", rollout("/maxUnavailablePercent", "0"), "maxUnavailablePercent", "1 and 100", false),
                refused("maxUnavailablePercent 101", rollout("/maxUnavailablePercent", "101"), "maxUnavailablePercent", "1 and 100", false),
                refused("canary -1", rollout("/canary", "-1"), "canary", "must not be negative", false),
                refused("stopAfter -3", rollout("/stopAfter", "-3"), "stopAfter", "must not be negative", false),
                refused("stopAfter [1]", rollout("/stopAfter", "[1]"), "stopAfter", "got a list", false),
                refused("delayBetweenNodes 30s", rollout("/delayBetweenNodes", "\"30s\""), "delayBetweenNodes", "like PT30S", false),
                refused("delayBetweenNodes 30", rollout("/delayBetweenNodes", "30"), "delayBetweenNodes", "like PT30S", false),
                refused("delayBetweenNodes negative", rollout("/delayBetweenNodes", "\"-PT5S\""), "delayBetweenNodes",
                        "must not be negative", false),
                refused("delayBetweenNodes beyond any clock", rollout("/delayBetweenNodes", "\"P99999999999999999999D\""),
                        "delayBetweenNodes", "like PT30S", true),
                refused("force \"yes\"", rollout("/force", "\"yes\""), "force", "true or false", false),
                refused("dryRun 1", rollout("/dryRun", "1"), "dryRun", "true or false", false),
                refused("exclude a string", rollout("/exclude", "\"srv2\""), "exclude", "must be a list", false),
                refused("exclude an empty name", rollout("/exclude", "[\"srv2\",\"\"]"), "exclude[1]", "must not be empty", false),
                refused("exclude a number", rollout("/exclude", "[2]"), "exclude[0]", "must be a string", false),
                refused("maintenanceWindow a string", rollout("/maintenanceWindow", "\"22:00-04:00\""), "maintenanceWindow",
                        "must be an object", false),
                refused("maintenanceWindow start 25:00", rollout("/maintenanceWindow", "{\"start\":\"25:00\",\"end\":\"04:00\"}"),
                        "maintenanceWindow.start", "like 22:00", false),
                refused("maintenanceWindow without end", rollout("/maintenanceWindow", "{\"start\":\"22:00\"}"),
                        "maintenanceWindow.end", "is required", false),
                refused("maintenanceWindow end a number", rollout("/maintenanceWindow", "{\"start\":\"22:00\",\"end\":4}"),
                        "maintenanceWindow.end", "must be a string", false),
                refused("maintenanceWindow zone Mars", rollout("/maintenanceWindow",
                        "{\"start\":\"22:00\",\"end\":\"04:00\",\"zone\":\"Mars/Olympus\"}"), "maintenanceWindow.zone",
                        "like UTC or Europe/Berlin", true),
                refused("maintenanceWindow day FUN", rollout("/maintenanceWindow",
                        "{\"start\":\"22:00\",\"end\":\"04:00\",\"days\":[\"SAT\",\"FUN\"]}"), "maintenanceWindow.days[1]",
                        "MON, TUE", false),
                refused("maintenanceWindow days a string", rollout("/maintenanceWindow",
                        "{\"start\":\"22:00\",\"end\":\"04:00\",\"days\":\"SAT\"}"), "maintenanceWindow.days", "must be a list", false),
                refused("empty body", "", "body", "as a JSON object", false),
                refused("JSON null", "null", "body", "must be a JSON object", false),
                refused("a JSON list", "[" + ROLLOUT + "]", "body", "got a list", false),
                refused("cut short", "{\"clusterId\": ", "body", "not one valid JSON value", false),
                refused("two objects", ROLLOUT + " {}", "body", "a second value", false),
                refused("not JSON", "clusterId=dolphin-lab", "body", "not one valid JSON value", false),
                refused("nested 5000 deep", "{\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}", "body", "nested too deeply",
                        false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedRollouts")
    void aRolloutRequestThatIsWrongInItselfIsRefusedAtOnceNamingTheField(String name, Refused c) {
        assertRefused("/api/v1/rollouts", c);
        assertSchemaVerdict("UpgradeRequested", c.body(), c.schemaAccepts());
    }

    static Stream<Arguments> refusedClusters() {
        return Stream.of(
                refused("clusterId missing", cluster("/clusterId", null), "clusterId", "like matrix-prod", false),
                refused("clusterId too long", cluster("/clusterId", json(LONG_ID)), "clusterId", "at most 253", false),
                refused("product missing", cluster("/product", null), "product", "like matrix-server", false),
                refused("procedure missing", cluster("/procedure", null), "procedure", "matrix-server", false),
                Arguments.of("procedure unknown", new Refused(cluster("/procedure", "\"no-such\""), 422, "procedure",
                        "known: dolphin-expressware, matrix-server", true)),
                refused("nodes missing", cluster("/nodes", null), "nodes", "is required", false),
                refused("nodes empty", cluster("/nodes", "[]"), "nodes", "must not be empty", false),
                refused("nodes an object", cluster("/nodes", NODE), "nodes", "must be a list", false),
                refused("a node a string", cluster("/nodes/1", "\"n1\""), "nodes[1]", "must be an object", false),
                refused("a node without name", cluster("/nodes/1/name", null), "nodes[1].name", "is required", false),
                refused("duplicate node names", cluster("/nodes/1/name", "\"n0\""), "nodes[1].name", "also the name of nodes[0]", true),
                refused("empty host", cluster("/nodes/1/sshHost", "\"\""), "nodes[1].sshHost", "must not be empty", false),
                refused("host too long", cluster("/nodes/1/sshHost", json(LONG_ID)), "nodes[1].sshHost", "at most 253", false),
                refused("empty user", cluster("/nodes/1/sshUser", "\" \""), "nodes[1].sshUser", "must not be empty", false),
                refused("user missing", cluster("/nodes/1/sshUser", null), "nodes[1].sshUser", "is required", false),
                refused("port 0", cluster("/nodes/1/sshPort", "0"), "nodes[1].sshPort", "from 1 to 65535", false),
                refused("port 70000", cluster("/nodes/1/sshPort", "70000"), "nodes[1].sshPort", "from 1 to 65535", false),
                refused("port \"22\"", cluster("/nodes/1/sshPort", "\"22\""), "nodes[1].sshPort", "must be a whole number", false),
                refused("port missing", cluster("/nodes/1/sshPort", null), "nodes[1].sshPort", "is required", false),
                refused("addresses a string", cluster("/nodes/1/addresses", "\"10.0.0.2\""), "nodes[1].addresses", "must be a list", false),
                refused("a label a number", cluster("/nodes/1/labels", "{\"rack\":2}"), "nodes[1].labels.rack", "must be a string", false),
                refused("body a list", "[" + CLUSTER + "]", "body", "got a list", false),
                refused("a hook without its command", cluster("/hooks", "{\"beforeDisruption\":{\"timeout\":\"PT1M\"}}"),
                        "hooks.beforeDisruption.command", "is required", false),
                refused("a hook failure meaning unknown", cluster("/hooks",
                        "{\"afterActive\":{\"command\":\"lb undrain\",\"onFailure\":\"ignore\"}}"),
                        "hooks.afterActive.onFailure", "must be halt or continue", false),
                refused("a hook time-out not a duration", cluster("/hooks",
                        "{\"afterActive\":{\"command\":\"lb undrain\",\"timeout\":\"5 minutes\"}}"),
                        "hooks.afterActive.timeout", "ISO 8601", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedClusters")
    void aClusterRegistrationThatIsWrongIsRefusedNamingTheFieldPath(String name, Refused c) {
        assertRefused("/api/v1/clusters", c);
        assertSchemaVerdict("ClusterRegistered", c.body(), c.schemaAccepts());
    }

    /** A request that is published: whether the schema accepts it too (false only for the documented leniencies). */
    record Accepted(String body, boolean schemaAccepts) {
    }

    static Stream<Arguments> acceptedRollouts() {
        Stream<Arguments> examples = schemaExamples("UpgradeRequested").map(e -> Arguments.of(
                "schema example " + e.path("requestId").asText(), new Accepted(e.toString(), true)));
        return Stream.concat(examples, Stream.of(
                Arguments.of("every field", new Accepted("{\"requestId\":\"r-2\",\"clusterId\":\"dolphin-lab\","
                        + "\"targetVersion\":\"5.21.0\","
                        + "\"maxUnavailable\":2,\"canary\":1,\"stopAfter\":3,\"delayBetweenNodes\":\"P1DT2H\",\"force\":true,"
                        + "\"allowOffline\":true,\"exclude\":[\"dx2\"],\"dryRun\":true,\"requestedBy\":\"alice@ops\","
                        + "\"maxUnavailablePercent\":100,\"maintenanceWindow\":{\"days\":[\"SAT\",\"SUN\"],\"start\":\"22:00\","
                        + "\"end\":\"04:00\",\"zone\":\"Europe/Berlin\"},\"someFutureField\":{\"x\":1}}", true)),
                Arguments.of("3.0 is a whole number", new Accepted(rollout("/maxUnavailable", "3.0"), true)),
                Arguments.of("a budget beyond any cluster", new Accepted(rollout("/maxUnavailable", "1e12"), true)),
                Arguments.of("id of 253 characters", new Accepted(rollout("/clusterId", json(LONG_ID.substring(1))), true)),
                // the documented leniencies: REST assigns a requestId, 0 means "none", null means absent
                Arguments.of("no requestId", new Accepted(rollout("/requestId", null), false)),
                Arguments.of("canary 0", new Accepted(rollout("/canary", "0"), false)),
                Arguments.of("stopAfter 0", new Accepted(rollout("/stopAfter", "0"), false)),
                Arguments.of("null for absent", new Accepted(rollout("/maxUnavailable", "null"), false)),
                // read as the engine reads them: java.time and day names in any case
                Arguments.of("a time with seconds", new Accepted(rollout("/maintenanceWindow",
                        "{\"start\":\"22:00:30\",\"end\":\"04:00\"}"), false)),
                Arguments.of("lower-case days", new Accepted(rollout("/maintenanceWindow",
                        "{\"start\":\"22:00\",\"end\":\"04:00\",\"days\":[\"sat\"]}"), false)),
                Arguments.of("a lower-case duration", new Accepted(rollout("/delayBetweenNodes", "\"pt30s\""), false))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedRollouts")
    void whatTheSchemaAcceptsIsPublished(String name, Accepted c) throws Exception {
        given().contentType("application/json").body(c.body()).when().post("/api/v1/rollouts").then().statusCode(202);

        assertThat(out.received()).hasSize(1);
        // what REST accepts, the planner's own consumer must accept too (else it would dead-letter the request)
        assertThat(published(0, UpgradeRequested.class).clusterId()).isNotBlank();
        assertSchemaVerdict("UpgradeRequested", c.body(), c.schemaAccepts());
    }

    @Test
    void aWholeNumberIsPublishedAsTheNumberAndOneBeyondIntAsTheLargestInt() throws Exception {
        given().contentType("application/json").body(rollout("/maxUnavailable", "3.0")).when().post("/api/v1/rollouts")
                .then().statusCode(202);
        given().contentType("application/json").body(rollout("/stopAfter", "1e12")).when().post("/api/v1/rollouts")
                .then().statusCode(202);

        assertThat(published(0, UpgradeRequested.class).maxUnavailable()).isEqualTo(3);
        assertThat(published(1, UpgradeRequested.class).stopAfter()).isEqualTo(Integer.MAX_VALUE);
    }

    static Stream<Arguments> acceptedClusters() {
        Stream<Arguments> examples = schemaExamples("ClusterRegistered").map(e -> Arguments.of("schema example "
                + e.path("clusterId").asText(), new Accepted(e.toString(), true)));
        return Stream.concat(examples, Stream.of(
                Arguments.of("the base case", new Accepted(CLUSTER, true)),
                // the documented leniency: an inventory imported from Ansible often has no cluster address
                Arguments.of("no clusterAddress", new Accepted(cluster("/nodes/1/clusterAddress", null), true))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedClusters")
    void aClusterTheSchemaAcceptsIsPublished(String name, Accepted c) throws Exception {
        given().contentType("application/json").body(c.body()).when().post("/api/v1/clusters").then().statusCode(202);

        assertThat(out.received()).hasSize(1);
        // what REST accepts, the consumers must accept too (else they would dead-letter the registration)
        assertThat(published(0, ClusterRegistered.class).nodes()).isNotEmpty();
        assertSchemaVerdict("ClusterRegistered", c.body(), c.schemaAccepts());
    }

    @Test
    void onceTheClusterIsKnownAnExcludedNodeItDoesNotHaveIsRefusedAtOnce() {
        ClusterRegistered known = ClusterRegistrations.cluster("known-web", "matrix-server")
                .node("n0", "10.0.0.1", n -> n.clusterAddress("10.1.0.1")).build();
        coordinator.apply(known.clusterId(), engine -> engine.onClusterRegistered(known));

        ExtractableResponse<Response> refused = given().contentType("application/json")
                .body(edit(rollout("/clusterId", "\"known-web\""), "/exclude", "[\"n0\",\"n9\"]"))
                .when().post("/api/v1/rollouts").then().statusCode(400).extract();
        assertThat(refused.path("field").toString()).isEqualTo("exclude[1]");
        assertThat(refused.path("error").toString()).contains("'n9'").contains("its nodes: n0");
        assertThat(out.received()).isEmpty();

        // an unknown cluster's node names are for the engine to judge, when (and if) the cluster is registered
        given().contentType("application/json").body(edit(rollout("/clusterId", "\"not-yet-known\""), "/exclude", "[\"n9\"]"))
                .when().post("/api/v1/rollouts").then().statusCode(202);
    }

    @Test
    void anUnknownControlActionIsRefusedNamingTheActionAndListingTheAcceptedOnes() {
        for (String path : List.of("/api/v1/rollouts/ro-1/restart", "/api/v1/rollouts/ro-1/PAUSE")) {
            ExtractableResponse<Response> refused = given().when().post(path).then().statusCode(400).extract();
            assertThat(refused.path("field").toString()).isEqualTo("action");
            assertThat(refused.path("error").toString()).contains("pause, resume, abort and rollback").contains("release");
        }
        ExtractableResponse<Response> node = given().when().post("/api/v1/rollouts/ro-1/nodes/n1/reboot").then()
                .statusCode(400).extract();
        assertThat(node.path("field").toString()).isEqualTo("action");
        assertThat(node.path("error").toString()).contains("release, retry and skip");
        ExtractableResponse<Response> fromStart = given().queryParam("fromStart", "yes").when()
                .post("/api/v1/rollouts/ro-1/nodes/n1/retry").then().statusCode(400).extract();
        assertThat(fromStart.path("field").toString()).isEqualTo("fromStart");
        // the known actions still answer for themselves (404: no such rollout)
        given().when().post("/api/v1/rollouts/ro-1/pause").then().statusCode(404);
        given().when().post("/api/v1/rollouts/ro-1/nodes/n1/retry").then().statusCode(404);
        given().when().post("/api/v1/rollouts/ro-1/nodes/n1/skip").then().statusCode(404);
        given().queryParam("requestedBy", LONG_ID).when().post("/api/v1/rollouts/ro-1/abort").then().statusCode(400);
        assertThat(out.received()).isEmpty();
        // and the catch-all is no endpoint of the published API
        given().when().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/v1/rollouts/{id}/{action}'", org.hamcrest.Matchers.nullValue())
                .body("paths.'/api/v1/rollouts/{id}/pause'", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void aRollbackIsPublishedForAFinishedRolloutOnlyAnsweringWithTheNewRequestId() throws Exception {
        ClusterRegistered lab = ClusterRegistrations.cluster("rollback-lab", "dolphin-expressware")
                .node("d1", "10.0.0.1", n -> n.clusterAddress("10.1.0.1")).build();
        String[] ids = new String[2];
        coordinator.apply(lab.clusterId(), engine -> {
            // the engine alone, as executors and health would answer it: d1 upgraded 5.20.0 -> 5.21.0, completed
            Cause cause = new Cause("evt-1", "alice");
            engine.onClusterRegistered(lab);
            engine.onHealth(new NodeActive(lab.clusterId(), "d1", "5.20.0", "b1", Instant.now(), "stable"), cause);
            List<Emission> pending = new ArrayList<>(engine.onUpgradeRequested(
                    UpgradeRequests.upgrade(lab.clusterId(), "5.21.0").requestId("rb-1").build(), cause));
            while (!pending.isEmpty()) {
                if (pending.remove(0).event() instanceof NodeCommand c) {
                    pending.addAll(engine.onStepResult(new StepSucceeded(c.commandId(), c.rolloutId(), c.clusterId(),
                            c.nodeName(), c.step(), 0, "ok", null, null), cause));
                }
            }
            engine.onHealth(new NodeActive(lab.clusterId(), "d1", "5.21.0", "b2", Instant.now(), "stable"), cause);
            ids[0] = engine.rollouts(lab.clusterId(), "rb-1").get(0).rolloutId();
            // and one still waiting for its preflight (health has not reported its node)
            ClusterRegistered waiting = ClusterRegistrations.cluster("waiting-lab", "dolphin-expressware")
                    .node("d1", "10.0.0.2", n -> n.clusterAddress("10.1.0.2")).build();
            engine.onClusterRegistered(waiting);
            engine.onUpgradeRequested(UpgradeRequests.upgrade(waiting.clusterId(), "5.21.0").build(), cause);
            ids[1] = engine.rollouts(waiting.clusterId(), "req-1").get(0).rolloutId();
            return List.of();
        });
        assertThat(coordinator.read(engine -> engine.rollout(ids[0])).orElseThrow().state())
                .isEqualTo(RolloutState.COMPLETED);
        out.clear();

        ExtractableResponse<Response> accepted = given().queryParam("dryRun", "true").queryParam("requestedBy", "carol")
                .when().post("/api/v1/rollouts/" + ids[0] + "/rollback").then().statusCode(202).extract();

        String requestId = accepted.path("requestId");
        assertThat(requestId).startsWith("rollback-of-" + ids[0] + "-dry-run-");
        assertThat(out.received()).singleElement().satisfies(message -> {
            OutgoingKafkaRecordMetadata<?> metadata = message.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
            assertThat(metadata.getKey()).isEqualTo("rollback-lab");
            assertThat(EventCodec.decode(metadata.getHeaders(), message.getPayload()).event())
                    .isEqualTo(RolloutControl.rollback(ids[0], "rollback-lab", "carol", true, requestId));
        });
        out.clear();

        ExtractableResponse<Response> running = given().when().post("/api/v1/rollouts/" + ids[1] + "/rollback").then()
                .statusCode(409).extract();
        assertThat(running.path("error").toString()).contains("is REQUESTED: only a finished rollout");
        given().when().post("/api/v1/rollouts/nope/rollback").then().statusCode(404).body("field",
                org.hamcrest.Matchers.equalTo("id"));
        given().queryParam("dryRun", "yes").when().post("/api/v1/rollouts/" + ids[0] + "/rollback").then()
                .statusCode(400).body("field", org.hamcrest.Matchers.equalTo("dryRun"));
        assertThat(out.received()).isEmpty();
    }

    // ---- helpers -----------------------------------------------------------------------------

    private void assertRefused(String path, Refused c) {
        ExtractableResponse<Response> response = given().contentType("application/json").body(c.body())
                .when().post(path).then().extract();
        String error = response.path("error");
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(c.status());
        assertThat((String) response.path("field")).as(error).isEqualTo(c.field());
        assertThat(error).contains(c.says());
        assertThat(error).as("no Java or Jackson internals").doesNotContainPattern(INTERNALS);
        assertThat(out.received()).as("nothing published").isEmpty();
    }

    private static Arguments refused(String name, String body, String field, String says, boolean schemaAccepts) {
        return Arguments.of(name, new Refused(body, 400, field, says, schemaAccepts));
    }

    /** The request with the value at {@code pointer} replaced by {@code json} (null: the field removed). */
    private static String rollout(String pointer, String json) {
        return edit(ROLLOUT, pointer, json);
    }

    private static String cluster(String pointer, String json) {
        return edit(CLUSTER, pointer, json);
    }

    private static String edit(String body, String pointer, String json) {
        try {
            JsonNode root = BatonJson.mapper().readTree(body);
            JsonPointer at = JsonPointer.compile(pointer);
            JsonNode parent = root.at(at.head());
            JsonNode value = json == null ? null : BatonJson.mapper().readTree(json);
            if (parent instanceof ObjectNode object) {
                if (value == null) {
                    object.remove(at.last().getMatchingProperty());
                } else {
                    object.set(at.last().getMatchingProperty(), value);
                }
            } else if (parent instanceof ArrayNode array) {
                array.set(at.last().getMatchingIndex(), value);
            }
            return root.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String json(String text) {
        return "\"" + text + "\"";
    }

    private <T> T published(int index, Class<T> type) throws Exception {
        Message<byte[]> message = out.received().get(index);
        OutgoingKafkaRecordMetadata<?> metadata = message.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
        return type.cast(EventCodec.decode(metadata.getHeaders(), message.getPayload()).event());
    }

    private static JsonSchema schema(String type) {
        try (InputStream in = UpgradeRequested.class.getResourceAsStream("/schemas/" + type + ".v1.schema.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The examples the published schema gives: REST must accept each of them. */
    private static Stream<JsonNode> schemaExamples(String type) {
        try (InputStream in = UpgradeRequested.class.getResourceAsStream("/schemas/" + type + ".v1.schema.json")) {
            List<JsonNode> examples = new ArrayList<>();
            BatonJson.mapper().readTree(in).path("examples").forEach(examples::add);
            assertThat(examples).as(type + " schema examples").isNotEmpty();
            return examples.stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the published schema accepts the body (a body that is not one JSON value it cannot accept). */
    private static void assertSchemaVerdict(String type, String body, boolean accepts) {
        JsonNode document;
        try {
            document = BatonJson.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
        } catch (IOException notOneJsonValue) {
            assertThat(accepts).as("a body that is not one JSON value cannot be schema-valid").isFalse();
            return;
        }
        assertThat(schema(type).validate(document == null ? BatonJson.mapper().nullNode() : document).isEmpty())
                .as("the " + type + " schema " + (accepts ? "accepts" : "refuses") + " " + abbreviated(body))
                .isEqualTo(accepts);
    }

    private static String abbreviated(String body) {
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }
}
