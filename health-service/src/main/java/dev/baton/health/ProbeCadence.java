package dev.baton.health;

import dev.baton.health.cluster.ClusterHealth;
import dev.baton.health.node.NodeHealth;
import dev.baton.procedure.HealthProbe;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * How often the loops of a cluster run: the procedure's interval and jitter, else the service's; the idle interval for
 * a settled node. Reads the clusters {@link HealthMonitor} probes now (a cluster it no longer probes gets the service's).
 */
final class ProbeCadence implements ProbeLoop.Cadence {
    private final HealthConfig config;
    private final Function<String, ClusterHealth> clusters;

    ProbeCadence(HealthConfig config, Function<String, ClusterHealth> clusters) {
        this.config = config;
        this.clusters = clusters;
    }

    /** The interval of a cluster's loops: the procedure's, else the service's; the idle interval for an idle loop. */
    @Override
    public Duration interval(String clusterId, boolean idle) {
        ClusterHealth cluster = clusters.apply(clusterId);
        HealthProbe healthProbe = cluster == null ? null : cluster.probe();
        Duration interval = healthProbe != null && healthProbe.interval() != null ? healthProbe.interval() : config.interval();
        if (idle && config.idleInterval().isPresent() && config.idleInterval().get().compareTo(interval) > 0) {
            interval = config.idleInterval().get();
        }
        return interval;
    }

    /** The interval plus random jitter (the procedure's, else the service's). */
    @Override
    public long jittered(String clusterId, Duration interval) {
        ClusterHealth cluster = clusters.apply(clusterId);
        HealthProbe healthProbe = cluster == null ? null : cluster.probe();
        Duration jitter = healthProbe != null && healthProbe.jitter() != null ? healthProbe.jitter()
                : config.jitter().orElse(interval.dividedBy(5));
        return interval.toMillis() + ThreadLocalRandom.current().nextLong(Math.max(1, jitter.toMillis() + 1));
    }

    @Override
    public boolean settled(String clusterId, String nodeName) {
        ClusterHealth cluster = clusters.apply(clusterId);
        return cluster != null && cluster.node(nodeName).map(NodeHealth::settled).orElse(false);
    }
}
