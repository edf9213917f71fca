package dev.baton.health;

import static dev.baton.sandbox.quarkus.HealthEndpoint.MESSAGING_LIVENESS;
import static dev.baton.sandbox.quarkus.HealthEndpoint.MESSAGING_READINESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.messaging.readiness.FailedChannelsCheck;
import dev.baton.messaging.readiness.KafkaClusterCheck;
import dev.baton.sandbox.quarkus.FleetSandboxResource;
import dev.baton.sandbox.quarkus.HealthEndpoint;
import dev.baton.sandbox.quarkus.StoppableKafkaSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The health service's own {@code /q/health} (not the nodes' health it serves) against a real Kafka broker of its own,
 * which the test stops, and the simulated fleet's SSH keys: ready is UP while the broker answers and DOWN once it is
 * gone (the cluster check and both incoming channels), live (the channels and the probe loop) stays UP.
 */
@QuarkusTest
@WithTestResource(StoppableKafkaSandboxResource.class)
@WithTestResource(FleetSandboxResource.class)
class ServiceHealthIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final List<String> INCOMING = List.of("clusters", "results");

    @TestHTTPResource("/q/health")
    URI health;

    @Test
    void readyAndLiveAreUpWithKafkaAndOnlyReadyGoesDownWhenKafkaStops() {
        HealthEndpoint endpoint = new HealthEndpoint(health);
        await().atMost(PATIENCE).untilAsserted(() -> {
            HealthEndpoint.Report ready = endpoint.ready();
            assertThat(ready.up()).as(ready.body()).isTrue();
            assertThat(ready.check(FailedChannelsCheck.NAME).up()).isTrue();
            assertThat(ready.check(KafkaClusterCheck.NAME).data()).containsEntry("brokers", "1");
            assertThat(ready.check("cluster-partitions").up()).isTrue();
            for (String channel : INCOMING) {
                assertThat(ready.check(MESSAGING_READINESS).data()).containsEntry(channel, "[OK]");
            }
        });
        HealthEndpoint.Report live = endpoint.live();
        assertThat(live.up()).as(live.body()).isTrue();
        assertThat(live.check("probe-loop").up()).isTrue();
        for (String channel : INCOMING) {
            assertThat(live.check(MESSAGING_LIVENESS).data()).containsEntry(channel, "[OK]");
        }

        String bootstrap = StoppableKafkaSandboxResource.kafka().bootstrapServers();
        StoppableKafkaSandboxResource.kafka().close();

        await().atMost(PATIENCE).untilAsserted(() -> {
            HealthEndpoint.Report ready = endpoint.ready();
            assertThat(ready.httpStatus()).as(ready.body()).isEqualTo(503);
            assertThat(ready.check(KafkaClusterCheck.NAME).up()).as(ready.body()).isFalse();
            assertThat(ready.check(KafkaClusterCheck.NAME).data().get("reason")).contains(bootstrap);
            for (String channel : INCOMING) {
                assertThat(ready.check(MESSAGING_READINESS).data().get(channel)).as(channel).startsWith("[KO]");
            }
        });
        live = endpoint.live();
        assertThat(live.up()).as("Kafka being away is waited for, not restarted away: " + live.body()).isTrue();
    }
}
