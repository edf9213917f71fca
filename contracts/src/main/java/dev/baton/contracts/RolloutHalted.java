package dev.baton.contracts;

/** The rollout halted: nothing more is touched until an operator acts. */
public record RolloutHalted(
        String rolloutId,
        String clusterId,
        String nodeName,
        String code,
        String message) implements RolloutEvent {
}
