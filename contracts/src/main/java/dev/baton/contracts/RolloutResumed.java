package dev.baton.contracts;

/** An operator resumed the rollout. */
public record RolloutResumed(
        String rolloutId,
        String clusterId,
        String nodeName,
        String code,
        String message) implements RolloutEvent {
}
