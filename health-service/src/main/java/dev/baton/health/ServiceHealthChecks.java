package dev.baton.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.TreeSet;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The health service's own SmallRye Health checks ({@code /q/health/ready}, {@code /q/health/live}), beside the Kafka
 * channel checks SmallRye adds by itself. Ready: the consumer group on {@code baton.clusters.v1} has given this
 * instance its share. Live: the probe pool runs, and while there are clusters to probe a probe finished recently.
 */
@ApplicationScoped
public class ServiceHealthChecks {
    /** How long without any finished probe, while clusters are probed, before the service counts as stuck. */
    static final Duration STUCK_AFTER = Duration.ofSeconds(60);

    private final HealthMonitor monitor;
    private final Clock clock;

    public ServiceHealthChecks(HealthMonitor monitor, Clock clock) {
        this.monitor = monitor;
        this.clock = clock;
    }

    @Produces
    @Readiness
    HealthCheck clusterPartitions() {
        return () -> HealthCheckResponse.named("cluster-partitions")
                .status(monitor.assigned())
                .withData("partitions", new TreeSet<>(monitor.ownedPartitions()).toString())
                .withData("clusters", monitor.probedClusters())
                .build();
    }

    @Produces
    @Liveness
    HealthCheck probeLoop() {
        return () -> {
            Instant last = monitor.lastProbeFinished();
            boolean stuck = monitor.probedClusters() > 0 && last != null
                    && Duration.between(last, clock.instant()).compareTo(STUCK_AFTER) > 0;
            return HealthCheckResponse.named("probe-loop")
                    .status(monitor.probing() && !stuck)
                    .withData("lastProbeFinished", last == null ? "never" : last.toString())
                    .build();
        };
    }
}
