package dev.baton.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.DeadLetter;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.Topics;
import dev.baton.fixtures.ClusterRegistrations;
import dev.baton.fixtures.UpgradeRequests;
import dev.baton.sandbox.quarkus.KafkaSandboxResource;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.FleetManagement;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** The planner against a real Kafka broker: bad input is dead-lettered and the planner carries on. */
@QuarkusTest
@TestProfile(PlannerKafkaIT.RealKafka.class)
@WithTestResource(KafkaSandboxResource.class)
class PlannerKafkaIT {

    /** Puts every channel back on the Kafka connector (the plain test profile uses the in-memory one). */
    public static class RealKafka implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>();
            for (String channel : List.of("clusters", "health", "planner-in", "planner-state-view")) {
                overrides.put("mp.messaging.incoming." + channel + ".connector", "smallrye-kafka");
            }
            overrides.put("mp.messaging.outgoing.baton-out.connector", "smallrye-kafka");
            overrides.put("mp.messaging.outgoing.planner-state.connector", "smallrye-kafka");
            overrides.put("baton.planner.partitioned", "true");
            return overrides;
        }
    }

    @Test
    void aMalformedRequestIsDeadLetteredWithItsReasonAndTheNextRequestIsStillAnswered() {
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        try (EventLog log = new EventLog(bootstrap); FleetManagement fleet = new FleetManagement(bootstrap, "it")) {
            Properties props = new Properties();
            props.put("bootstrap.servers", bootstrap);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                    new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.REQUESTS, "broken-cluster",
                        "{not json".getBytes(StandardCharsets.UTF_8))).get();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            fleet.publish(ClusterRegistrations.cluster("it-cluster", "dolphin-expressware")
                    .node("n1", "127.77.9.1", n -> n.clusterAddress("127.77.9.1").platform("x86_64", "rhel-9")).build());
            fleet.publish(UpgradeRequests.upgrade("no-such-cluster", "5.21.0").requestId("req-it").requestedBy("it")
                    .build());

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(log.events(DeadLetter.class)).anySatisfy(letter -> {
                    assertThat(letter.sourceTopic()).isEqualTo(Topics.REQUESTS);
                    assertThat(letter.reason()).contains("ce_type");
                    assertThat(new String(letter.payload(), StandardCharsets.UTF_8)).isEqualTo("{not json");
                    assertThat(letter.service()).isEqualTo("/baton/planner-service");
                });
                assertThat(log.events(RolloutRejected.class)).anySatisfy(rejected -> {
                    assertThat(rejected.requestId()).isEqualTo("req-it");
                    assertThat(rejected.code()).isEqualTo("UNKNOWN_CLUSTER");
                    assertThat(rejected.message()).contains("no-such-cluster");
                });
            });
        }
    }
}
