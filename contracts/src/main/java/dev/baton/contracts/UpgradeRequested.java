package dev.baton.contracts;

import java.time.Duration;
import java.util.List;

/**
 * A request to roll a cluster to a target version, published on {@link Topics#REQUESTS}
 * by fleet management, the CLI or the planner's REST API.
 */
public record UpgradeRequested(
        String requestId,
        String clusterId,
        String targetVersion,
        Integer maxUnavailable,
        Integer canary,
        Integer stopAfter,
        Duration delayBetweenNodes,
        boolean force,
        boolean allowOffline,
        List<String> exclude,
        boolean dryRun,
        String requestedBy,
        Integer maxUnavailablePercent,
        MaintenanceWindow maintenanceWindow,
        boolean allowUnknownCompatibility) implements RequestEvent {

    public UpgradeRequested {
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
    }

    /** A request without a percentage budget or maintenance window. */
    public UpgradeRequested(String requestId, String clusterId, String targetVersion, Integer maxUnavailable,
            Integer canary, Integer stopAfter, Duration delayBetweenNodes, boolean force, boolean allowOffline,
            List<String> exclude, boolean dryRun, String requestedBy) {
        this(requestId, clusterId, targetVersion, maxUnavailable, canary, stopAfter, delayBetweenNodes, force,
                allowOffline, exclude, dryRun, requestedBy, null, null, false);
    }

    /** A request that does not allow rolling to a target the procedure's compatibility table has no row for. */
    public UpgradeRequested(String requestId, String clusterId, String targetVersion, Integer maxUnavailable,
            Integer canary, Integer stopAfter, Duration delayBetweenNodes, boolean force, boolean allowOffline,
            List<String> exclude, boolean dryRun, String requestedBy, Integer maxUnavailablePercent,
            MaintenanceWindow maintenanceWindow) {
        this(requestId, clusterId, targetVersion, maxUnavailable, canary, stopAfter, delayBetweenNodes, force,
                allowOffline, exclude, dryRun, requestedBy, maxUnavailablePercent, maintenanceWindow, false);
    }

    /**
     * When nodes may be started: on the given days (empty = every day), between {@code start} and {@code end}
     * (local times, HH:MM; end before start spans midnight), in {@code zone}. A node already started finishes.
     */
    public record MaintenanceWindow(List<String> days, String start, String end, String zone) {
        public MaintenanceWindow {
            days = days == null ? List.of() : List.copyOf(days);
        }
    }
}
