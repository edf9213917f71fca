package dev.baton.sandbox.quarkus;

import java.util.Map;

import dev.baton.sandbox.SandboxKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource pointing a service at the JVM's shared sandbox Kafka ({@link SandboxKafka#shared()}, every
 * {@code baton.*} topic created) by setting {@code kafka.bootstrap.servers}. The broker outlives the test.
 */
public class KafkaSandboxResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", SandboxKafka.shared().bootstrapServers());
    }

    @Override
    public void stop() {
        // the shared broker is stopped when the JVM exits
    }
}
