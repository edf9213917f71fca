package dev.baton.planner.rollout;

/**
 * Per-node progress in a rollout: {@code PENDING → UPGRADING → AWAITING_ACTIVE → DONE}, with
 * {@code REMEDIATING} (the remedy reboot), {@code DEFERRED} (stopped by the out-of-order remedy, started
 * last), {@code SKIPPED} (already on target, or excluded) and {@code FAILED}.
 */
public enum NodeState {
    PENDING, UPGRADING, AWAITING_ACTIVE, REMEDIATING, DEFERRED, DONE, SKIPPED, FAILED;

    /** Whether Baton has taken the node out of service (it then counts against the unavailability budget). */
    public boolean isOutOfService() {
        return this == UPGRADING || this == AWAITING_ACTIVE || this == REMEDIATING || this == FAILED;
    }
}
