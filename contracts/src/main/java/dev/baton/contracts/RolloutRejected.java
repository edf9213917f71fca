package dev.baton.contracts;

/** The planner refused an {@link UpgradeRequested}; {@code code} is stable, {@code message} says what to do. */
public record RolloutRejected(
        String rolloutId,
        String clusterId,
        String requestId,
        String code,
        String message) implements RolloutEvent {
}
