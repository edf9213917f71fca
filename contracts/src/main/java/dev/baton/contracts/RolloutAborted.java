package dev.baton.contracts;

/** An operator aborted the rollout. */
public record RolloutAborted(
        String rolloutId,
        String clusterId,
        String nodeName,
        String code,
        String message) implements RolloutEvent {
}
