package dev.baton.health;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How often and how patiently nodes are probed ({@code baton.health.*}). */
@ConfigMapping(prefix = "baton.health")
public interface HealthConfig {

    /** Time between two probes of a node, plus up to 20% random jitter ({@code BATON_HEALTH_INTERVAL}). */
    @WithDefault("PT0.5S")
    Duration interval();

    /** How long one probe command may take before the node counts as unreachable ({@code BATON_HEALTH_PROBE_TIMEOUT}). */
    @WithDefault("PT2S")
    Duration probeTimeout();

    /** Probes running at once, over all nodes ({@code BATON_HEALTH_PROBE_THREADS}). */
    @WithDefault("8")
    int probeThreads();

    /** Consecutive failed probes before an active node is announced inactive ({@code BATON_HEALTH_FAILURES_BEFORE_INACTIVE}). */
    @WithDefault("2")
    int failuresBeforeInactive();
}
