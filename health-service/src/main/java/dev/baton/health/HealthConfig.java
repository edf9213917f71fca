package dev.baton.health;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** How often and how patiently nodes are probed ({@code baton.health.*}). */
@ConfigMapping(prefix = "baton.health")
public interface HealthConfig {

    /** Time between two probes of a node, plus up to 20% random jitter ({@code BATON_HEALTH_INTERVAL}). */
    @WithDefault("PT0.5S")
    Duration interval();

    /**
     * Time between two probes of a node that is settled (announced active, last probe good, on the announced version)
     * and has had no step reported on it lately, and between two routine membership reads of a cluster (a step
     * reported on one of its nodes, or a node found down, reads the membership at once) ({@code BATON_HEALTH_IDLE_INTERVAL}). Unset:
     * {@link #interval()} for every node. A longer idle interval
     * lets one instance watch thousands of nodes; a node a rollout is working on (a step reported on it, or not
     * active) is always probed every {@link #interval()}, so rollouts are not slowed. An unexpected failure of an idle
     * node is seen within the idle interval.
     */
    Optional<Duration> idleInterval();

    /** How long one probe command may take before the node counts as unreachable ({@code BATON_HEALTH_PROBE_TIMEOUT}). */
    @WithDefault("PT2S")
    Duration probeTimeout();

    /**
     * The most random time added to each interval ({@code BATON_HEALTH_JITTER}); default a fifth of the interval.
     * A procedure's {@code health.jitter} wins.
     */
    Optional<Duration> jitter();

    /** Probes running at once, over all nodes ({@code BATON_HEALTH_PROBE_THREADS}). */
    @WithDefault("8")
    int probeThreads();

    /** Consecutive failed probes before an active node is announced inactive ({@code BATON_HEALTH_FAILURES_BEFORE_INACTIVE}). */
    @WithDefault("2")
    int failuresBeforeInactive();

    /**
     * A word (letters, digits, {@code . _ : -}) naming this instance in the nodes' own command logs: every probe then
     * starts with {@code true <tag>;}, which does nothing on the node ({@code BATON_HEALTH_PROBE_TAG}). Unset: no prefix.
     */
    Optional<String> probeTag();

    /**
     * A folder of procedure files ({@code *.yaml}) used besides the shipped ones; a file may replace a shipped procedure
     * of the same name ({@code BATON_HEALTH_PROCEDURES}). A broken file stops the service with its file, line and reason.
     * Health's older key, still read after {@code BATON_PROCEDURES_DIR}, the folder every service reads
     * ({@link ProceduresConfig}).
     */
    Optional<Path> procedures();

    /**
     * How long reading what was already announced on {@code baton.health.v1} may take when this instance is given
     * clusters ({@code BATON_HEALTH_HANDOVER_READ_TIMEOUT}).
     */
    @WithDefault("PT30S")
    Duration handoverReadTimeout();
}
