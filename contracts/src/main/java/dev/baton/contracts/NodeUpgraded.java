package dev.baton.contracts;

/** A node is active on the target version: it is done and its budget returns. */
public record NodeUpgraded(
        String rolloutId,
        String clusterId,
        String nodeName,
        String runningVersion) implements RolloutEvent {
}
