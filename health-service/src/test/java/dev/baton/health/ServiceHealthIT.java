package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.sandbox.quarkus.FleetSandboxResource;
import dev.baton.sandbox.quarkus.KafkaOutageScenario;
import dev.baton.sandbox.quarkus.StoppableKafkaSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
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
    private static final List<String> INCOMING = List.of("clusters", "results");

    @TestHTTPResource("/q/health")
    URI health;

    @Test
    void readyAndLiveAreUpWithKafkaAndOnlyReadyGoesDownWhenKafkaStops() {
        KafkaOutageScenario.of(health, INCOMING)
                .whileUpReady(ready -> assertThat(ready.check("cluster-partitions").up()).isTrue())
                .whileUpLive(live -> assertThat(live.check("probe-loop").up()).isTrue())
                .run();
    }
}
