package dev.baton.planner;

import dev.baton.sandbox.quarkus.KafkaOutageScenario;
import dev.baton.sandbox.quarkus.StoppableKafkaSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The planner's {@code /q/health} against a real Kafka broker of its own, which the test stops: ready is UP while
 * the broker answers and DOWN once it is gone (the cluster check and each of the planner's incoming channels), live
 * stays UP.
 */
@QuarkusTest
@TestProfile(PlannerKafkaIT.RealKafka.class)
@WithTestResource(StoppableKafkaSandboxResource.class)
class PlannerHealthIT {
    private static final List<String> INCOMING = List.of("clusters", "health", "planner-in", "planner-state-view");

    @TestHTTPResource("/q/health")
    URI health;

    @Test
    void readyAndLiveAreUpWithKafkaAndOnlyReadyGoesDownWhenKafkaStops() {
        KafkaOutageScenario.of(health, INCOMING).run();
    }
}
