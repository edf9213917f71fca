package dev.baton.contracts;

/** The planner started upgrading a node: from here it counts against the unavailability budget. */
public record NodeUpgradeStarted(
        String rolloutId,
        String clusterId,
        String nodeName,
        String fromVersion,
        String targetVersion) implements RolloutEvent {
}
