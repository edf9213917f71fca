package dev.baton.planner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.baton.contracts.EventCodec;
import dev.baton.contracts.Topics;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.messaging.EventPublisher;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RolloutResourceTest {

    @Inject
    @Any
    InMemoryConnector connector;

    private InMemorySink<byte[]> out;

    @BeforeEach
    void clear() {
        out = connector.sink(EventPublisher.CHANNEL);
        out.clear();
    }

    @Test
    void aRestRequestIsPublishedOnTheRequestsTopicLikeFleetManagementWould() throws Exception {
        given().contentType("application/json")
                .body("{\"clusterId\":\"dolphin-lab\",\"targetVersion\":\"5.21.0\",\"requestedBy\":\"alice\","
                        + "\"delayBetweenNodes\":\"PT30S\",\"someFutureField\":1}")
                .when().post("/api/v1/rollouts")
                .then().statusCode(202).body("clusterId", equalTo("dolphin-lab"));

        assertThat(out.received()).hasSize(1);
        Message<byte[]> message = out.received().get(0);
        OutgoingKafkaRecordMetadata<?> metadata = message.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
        assertThat(metadata.getTopic()).isEqualTo(Topics.REQUESTS);
        assertThat(metadata.getKey()).isEqualTo("dolphin-lab");
        assertThat(EventCodec.header(metadata.getHeaders(), EventCodec.H_ACTOR)).isEqualTo("alice");
        UpgradeRequested request = (UpgradeRequested) EventCodec.decode(metadata.getHeaders(), message.getPayload()).event();
        assertThat(request.targetVersion()).isEqualTo("5.21.0");
        assertThat(request.requestId()).isNotBlank();
        assertThat(request.delayBetweenNodes()).isEqualTo(java.time.Duration.ofSeconds(30));
    }

    @Test
    void aRequestWithoutTargetVersionIsRefusedNamingTheField() {
        given().contentType("application/json").body("{\"clusterId\":\"dolphin-lab\"}")
                .when().post("/api/v1/rollouts")
                .then().statusCode(400).body("field", equalTo("targetVersion"));

        assertThat(out.received()).isEmpty();
    }

    @Test
    void aFieldOfTheWrongTypeIsRefusedNamingTheField() {
        given().contentType("application/json")
                .body("{\"clusterId\":\"dolphin-lab\",\"targetVersion\":\"5.21.0\",\"maxUnavailable\":\"two\"}")
                .when().post("/api/v1/rollouts")
                .then().statusCode(400).body("field", equalTo("maxUnavailable"));
        given().contentType("application/json").body("{\"clusterId\": ")
                .when().post("/api/v1/rollouts")
                .then().statusCode(400).body("field", equalTo("body"));

        assertThat(out.received()).isEmpty();
    }

    @Test
    void anUnknownRolloutIs404() {
        given().when().get("/api/v1/rollouts/nope").then().statusCode(404).body("field", equalTo("id"));
    }

    @Test
    void aValidClusterIsPublishedOnTheClustersTopicAndABadOneIsRefusedNamingTheField() throws Exception {
        String node = "{\"name\":\"n1\",\"sshHost\":\"10.0.0.1\",\"sshPort\":22,\"sshUser\":\"root\"}";
        String web = "{\"clusterId\":\"web\",\"product\":\"matrix-server\",\"procedure\":\"matrix-server\",\"nodes\":[";
        given().contentType("application/json")
                .body(web + node + "]}")
                .when().post("/api/v1/clusters")
                .then().statusCode(202).body("clusterId", equalTo("web"));
        OutgoingKafkaRecordMetadata<?> metadata = out.received().get(0).getMetadata(OutgoingKafkaRecordMetadata.class)
                .orElseThrow();
        assertThat(metadata.getTopic()).isEqualTo(Topics.CLUSTERS);
        assertThat(metadata.getKey()).isEqualTo("web");

        given().contentType("application/json")
                .body(web + node.replace("22", "70000") + "]}")
                .when().post("/api/v1/clusters")
                .then().statusCode(400).body("field", equalTo("nodes[0].sshPort"));
        given().contentType("application/json")
                .body(web.replace("\"procedure\":\"matrix-server\"", "\"procedure\":\"no-such\"") + node + "]}")
                .when().post("/api/v1/clusters")
                .then().statusCode(422).body("field", equalTo("procedure"));
        given().contentType("application/json")
                .body(web + node.replace("22", "\"x\"") + "]}")
                .when().post("/api/v1/clusters")
                .then().statusCode(400).body("field", equalTo("nodes[0].sshPort"));
        assertThat(out.received()).hasSize(1);
    }

    @Test
    void controllingAnUnknownRolloutIs404NamingIt() {
        given().when().post("/api/v1/rollouts/nope/pause").then().statusCode(404).body("field", equalTo("id"));
        given().when().post("/api/v1/rollouts/nope/nodes/n1/release").then().statusCode(404).body("field", equalTo("id"));
        assertThat(out.received()).isEmpty();
    }

    @Test
    void theOpenApiDocumentDescribesTheEndpoints() {
        given().when().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/v1/rollouts/{id}/nodes/{node}/release'", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/api/v1/clusters'", org.hamcrest.Matchers.notNullValue());
    }
}
