package dev.baton.contracts;

/** The rollout is paused (by an operator, a canary or stop-after). */
public record RolloutPaused(
        String rolloutId,
        String clusterId,
        String nodeName,
        String code,
        String message) implements RolloutEvent {
}
