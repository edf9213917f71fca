package dev.baton.contracts;

/** Membership shows a node upgraded out of the procedure's order. */
public record OutOfOrderDetected(
        String rolloutId,
        String clusterId,
        String nodeName,
        String code,
        String message) implements RolloutEvent {
}
