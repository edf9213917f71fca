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
        String requestedBy) implements RequestEvent {

    public UpgradeRequested {
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
    }
}
