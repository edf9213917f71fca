package dev.baton.contracts;

/** The planner accepted an {@link UpgradeRequested} and opened a rollout. */
public record RolloutAccepted(
        String rolloutId,
        String clusterId,
        String requestId,
        String targetVersion,
        String requestedBy) implements RolloutEvent {
}
