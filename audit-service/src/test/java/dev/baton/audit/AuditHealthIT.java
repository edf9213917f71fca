package dev.baton.audit;

import static dev.baton.sandbox.quarkus.HealthEndpoint.MESSAGING_LIVENESS;
import static dev.baton.sandbox.quarkus.HealthEndpoint.MESSAGING_READINESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.messaging.readiness.FailedChannelsCheck;
import dev.baton.messaging.readiness.KafkaClusterCheck;
import dev.baton.messaging.readiness.ReadinessConfig;
import dev.baton.sandbox.quarkus.HealthEndpoint;
import dev.baton.sandbox.quarkus.StoppableKafkaSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The audit service's {@code /q/health} against a real Kafka broker of its own and the sandbox PostgreSQL behind a
 * relay: ready follows PostgreSQL (refused, hanging, back) and Kafka (stopped), each time naming the check that is
 * DOWN, while live stays UP: the recorder waits for its store and its broker, it does not need a restart.
 */
@QuarkusTest
@WithTestResource(StoppableKafkaSandboxResource.class)
@WithTestResource(RelayedPostgresResource.class)
class AuditHealthIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TestHTTPResource("/q/health")
    URI health;

    @Inject
    ReadinessConfig readiness;

    private HealthEndpoint endpoint;

    @Test
    void readyFollowsPostgresAndKafkaWhileLiveStaysUp() {
        endpoint = new HealthEndpoint(health);
        TcpRelay postgres = RelayedPostgresResource.relay();

        awaitReady(ready -> {
            assertThat(ready.up()).as(ready.body()).isTrue();
            assertThat(ready.check(AuditStoreCheck.NAME).data().get("database")).startsWith("baton_relayed");
            assertThat(ready.check(FailedChannelsCheck.NAME).up()).isTrue();
            assertThat(ready.check(KafkaClusterCheck.NAME).up()).isTrue();
            assertThat(ready.check(MESSAGING_READINESS).data()).containsEntry(EventRecorder.CHANNEL, "[OK]");
        });
        assertLiveUp();

        // PostgreSQL goes away: connections refused, open ones reset
        postgres.cut();
        awaitReady(ready -> {
            assertThat(ready.httpStatus()).as(ready.body()).isEqualTo(503);
            assertThat(ready.check(AuditStoreCheck.NAME).data().get("reason")).startsWith("PostgreSQL did not answer");
            assertThat(ready.check(KafkaClusterCheck.NAME).up()).as("only the store is DOWN: " + ready.body()).isTrue();
        });
        assertLiveUp();

        postgres.restore();
        awaitReady(ready -> assertThat(ready.up()).as(ready.body()).isTrue());

        // PostgreSQL hangs: it accepts connections and never answers; each probe still answers in about the timeout
        postgres.freeze();
        awaitReady(ready -> {
            assertThat(ready.check(AuditStoreCheck.NAME).up()).as(ready.body()).isFalse();
            assertThat(ready.httpStatus()).isEqualTo(503);
        });
        for (int probe = 0; probe < 3; probe++) {
            long start = System.nanoTime();
            HealthEndpoint.Report ready = endpoint.ready();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(ready.check(AuditStoreCheck.NAME).up()).as(ready.body()).isFalse();
            assertThat(took).as("a probe against a hanging PostgreSQL").isLessThan(readiness.timeout().plusSeconds(1));
        }
        assertLiveUp();

        postgres.restore();
        awaitReady(ready -> assertThat(ready.up()).as(ready.body()).isTrue());

        // Kafka goes away
        String bootstrap = StoppableKafkaSandboxResource.kafka().bootstrapServers();
        StoppableKafkaSandboxResource.kafka().close();
        awaitReady(ready -> {
            assertThat(ready.httpStatus()).as(ready.body()).isEqualTo(503);
            assertThat(ready.check(KafkaClusterCheck.NAME).data().get("reason")).contains(bootstrap);
            assertThat(ready.check(MESSAGING_READINESS).data().get(EventRecorder.CHANNEL)).startsWith("[KO]");
            assertThat(ready.check(AuditStoreCheck.NAME).up()).as("only Kafka is DOWN: " + ready.body()).isTrue();
        });
        assertLiveUp();
    }

    private void awaitReady(Consumer<HealthEndpoint.Report> expectation) {
        await().atMost(PATIENCE).untilAsserted(() -> expectation.accept(endpoint.ready()));
    }

    private void assertLiveUp() {
        HealthEndpoint.Report live = endpoint.live();
        assertThat(live.up()).as("live: " + live.body()).isTrue();
        assertThat(live.check(MESSAGING_LIVENESS).data()).containsEntry(EventRecorder.CHANNEL, "[OK]");
    }
}
