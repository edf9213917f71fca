package dev.baton.executor;

import static dev.baton.sandbox.quarkus.HealthEndpoint.MESSAGING_LIVENESS;
import static dev.baton.sandbox.quarkus.HealthEndpoint.MESSAGING_READINESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.messaging.readiness.FailedChannelsCheck;
import dev.baton.messaging.readiness.KafkaClusterCheck;
import dev.baton.sandbox.quarkus.HealthEndpoint;
import dev.baton.sandbox.quarkus.StoppableKafkaSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The executor's {@code /q/health} against a real Kafka broker of its own, which the test stops: ready is UP while
 * the broker answers and DOWN once it is gone (the cluster check and the {@code commands} channel), live stays UP.
 */
@QuarkusTest
@WithTestResource(StoppableKafkaSandboxResource.class)
class ExecutorHealthIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

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
            assertThat(ready.check(MESSAGING_READINESS).data()).containsEntry("commands", "[OK]");
        });
        HealthEndpoint.Report live = endpoint.live();
        assertThat(live.up()).as(live.body()).isTrue();
        assertThat(live.check(MESSAGING_LIVENESS).data()).containsEntry("commands", "[OK]");

        String bootstrap = StoppableKafkaSandboxResource.kafka().bootstrapServers();
        StoppableKafkaSandboxResource.kafka().close();

        await().atMost(PATIENCE).untilAsserted(() -> {
            HealthEndpoint.Report ready = endpoint.ready();
            assertThat(ready.httpStatus()).as(ready.body()).isEqualTo(503);
            assertThat(ready.check(KafkaClusterCheck.NAME).up()).as(ready.body()).isFalse();
            assertThat(ready.check(KafkaClusterCheck.NAME).data().get("reason")).contains(bootstrap);
            assertThat(ready.check(MESSAGING_READINESS).data().get("commands")).startsWith("[KO]");
        });
        live = endpoint.live();
        assertThat(live.up()).as("Kafka being away is waited for, not restarted away: " + live.body()).isTrue();
    }
}
