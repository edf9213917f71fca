package dev.baton.executor;

import dev.baton.sandbox.quarkus.KafkaOutageScenario;
import dev.baton.sandbox.quarkus.StoppableKafkaSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The executor's {@code /q/health} against a real Kafka broker of its own, which the test stops: ready is UP while
 * the broker answers and DOWN once it is gone (the cluster check and the {@code commands} channel), live stays UP.
 */
@QuarkusTest
@WithTestResource(StoppableKafkaSandboxResource.class)
class ExecutorHealthIT {

    @TestHTTPResource("/q/health")
    URI health;

    @Test
    void readyAndLiveAreUpWithKafkaAndOnlyReadyGoesDownWhenKafkaStops() {
        KafkaOutageScenario.of(health, List.of("commands")).run();
    }
}
