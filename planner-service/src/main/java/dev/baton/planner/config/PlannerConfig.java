package dev.baton.planner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Typed configuration of the planner ({@code baton.planner.*}). */
@ConfigMapping(prefix = "baton.planner")
public interface PlannerConfig {

    /** How long a request waits for health to report every node active before it is rejected. */
    @WithDefault("PT30S")
    Duration preflightTimeout();

    /** How often timers (delays, step and health timeouts) are evaluated. */
    @WithDefault("PT1S")
    Duration tick();

    /**
     * Whether clusters are split between planner instances by Kafka partition, with state kept in
     * {@code baton-planner.state.v1} (true in production; false only for the in-memory test profile).
     */
    @WithDefault("true")
    boolean partitioned();

    /**
     * This instance's stable identity in the planner consumer group (static membership): a restarted instance with
     * the same id takes its partitions back at once. Unique per instance (a pod name in Kubernetes).
     */
    String instanceId();

    /** A folder of user procedure YAML files, loaded beside the shipped ones. */
    Optional<Path> proceduresDir();
}
