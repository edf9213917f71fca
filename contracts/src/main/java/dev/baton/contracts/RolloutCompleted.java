package dev.baton.contracts;

/** Every node of the plan is done. */
public record RolloutCompleted(
        String rolloutId,
        String clusterId,
        String nodeName,
        String code,
        String message) implements RolloutEvent {
}
