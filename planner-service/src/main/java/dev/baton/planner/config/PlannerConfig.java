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

    /**
     * The least time a command has to reach an executor and start (the step's timeout if that is longer): its
     * {@code startBy}. An executor refuses it afterwards, so a command the planner has given up on never runs late.
     */
    @WithDefault("PT2M")
    Duration commandStartWindow();

    /**
     * Slack after a command's latest possible end ({@code startBy} + timeout) before its result counts as missing and
     * the rollout halts; covers result delivery and clock skew between the planner's and the executors' hosts.
     */
    @WithDefault("PT1M")
    Duration resultGrace();

    /**
     * A folder of user procedure YAML files, loaded beside the shipped ones: the planner's older key, still read
     * (after {@code BATON_PROCEDURES_DIR}, the folder every service reads; {@link ProceduresConfig}).
     */
    Optional<Path> proceduresDir();
}
