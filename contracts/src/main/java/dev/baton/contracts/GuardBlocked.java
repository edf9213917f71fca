package dev.baton.contracts;

/** A named guard holds the rollout back; {@code code} names the guard. */
public record GuardBlocked(
        String rolloutId,
        String clusterId,
        String nodeName,
        String code,
        String message) implements RolloutEvent {
}
