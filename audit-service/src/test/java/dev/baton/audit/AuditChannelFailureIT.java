package dev.baton.audit;

import static dev.baton.sandbox.quarkus.HealthEndpoint.MESSAGING_LIVENESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.Topics;
import dev.baton.messaging.readiness.FailedChannelsCheck;
import dev.baton.sandbox.quarkus.HealthEndpoint;
import dev.baton.sandbox.quarkus.StoppableKafkaSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A channel that fails for good: with PostgreSQL away, a record waits in the recorder longer than SmallRye's
 * {@code throttled.unprocessed-record-max-age.ms} (60 s in production, 2 s here), so the connector declares the
 * {@code events} channel stuck and stops its consumer. Live is then DOWN naming it, and ready is DOWN too
 * ({@code channels-not-failed}), and stays DOWN after PostgreSQL is back: only a restart brings the channel back.
 */
@QuarkusTest
@TestProfile(AuditChannelFailureIT.QuicklyStuck.class)
@WithTestResource(StoppableKafkaSandboxResource.class)
@WithTestResource(RelayedPostgresResource.class)
class AuditChannelFailureIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /** The connector's stuck-record limit shortened from 60 s to 2 s. */
    public static class QuicklyStuck implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.incoming.events.throttled.unprocessed-record-max-age.ms", "2000");
        }
    }

    @TestHTTPResource("/q/health")
    URI health;

    @Test
    void aChannelStuckForGoodIsDownInLiveAndInReadyEvenAfterPostgresIsBack() throws Exception {
        HealthEndpoint endpoint = new HealthEndpoint(health);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(endpoint.ready().up()).isTrue());

        RelayedPostgresResource.relay().cut();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, StoppableKafkaSandboxResource.kafka().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.ROLLOUTS, "c1", "{}".getBytes(StandardCharsets.UTF_8))).get();
        }

        await().atMost(PATIENCE).untilAsserted(() -> {
            HealthEndpoint.Report live = endpoint.live();
            assertThat(live.httpStatus()).as(live.body()).isEqualTo(503);
            assertThat(live.check(MESSAGING_LIVENESS).data().get(EventRecorder.CHANNEL))
                    .startsWith("[KO]").contains("has waited for");
        });

        RelayedPostgresResource.relay().restore();
        await().atMost(PATIENCE).untilAsserted(() -> {
            HealthEndpoint.Report ready = endpoint.ready();
            assertThat(ready.check(AuditStoreCheck.NAME).up()).as("PostgreSQL is back: " + ready.body()).isTrue();
            assertThat(ready.httpStatus()).as(ready.body()).isEqualTo(503);
            assertThat(ready.check(FailedChannelsCheck.NAME).data().get(EventRecorder.CHANNEL)).contains("has waited for");
        });
        assertThat(endpoint.live().httpStatus()).as("still needs a restart").isEqualTo(503);
    }
}
