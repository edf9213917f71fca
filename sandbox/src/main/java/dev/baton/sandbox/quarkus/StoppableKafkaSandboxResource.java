package dev.baton.sandbox.quarkus;

import java.util.Map;

import dev.baton.sandbox.SandboxKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource pointing a service at a Kafka broker of its own, so that the test may stop it while the
 * service runs (e.g. to see readiness go DOWN) without taking the JVM's shared broker away from the other tests. The
 * broker is always the embedded one ({@link SandboxKafka#startEmbedded(int)}: a real KRaft broker, every
 * {@code baton.*} topic created with {@value #PARTITIONS} partition), even where the shared one is external or a
 * container, because only a broker the sandbox runs in this JVM can be stopped from the test. The test reaches it
 * through {@link #kafka()}; {@code kafka().close()} stops it. It is stopped at the latest when the test application
 * stops.
 */
public class StoppableKafkaSandboxResource implements QuarkusTestResourceLifecycleManager {
    /** Partitions per topic: the fewest that every service accepts, for the quickest start. */
    public static final int PARTITIONS = 1;

    private static volatile SandboxKafka current;

    private SandboxKafka kafka;

    /** The broker the most recently started resource runs (perhaps already stopped by the test). */
    public static SandboxKafka kafka() {
        SandboxKafka running = current;
        if (running == null) {
            throw new IllegalStateException(
                    "no stoppable broker is running: add @WithTestResource(StoppableKafkaSandboxResource.class) to the test");
        }
        return running;
    }

    @Override
    public Map<String, String> start() {
        kafka = SandboxKafka.startEmbedded(PARTITIONS);
        current = kafka;
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers());
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
            if (current == kafka) {
                current = null;
            }
            kafka = null;
        }
    }
}
