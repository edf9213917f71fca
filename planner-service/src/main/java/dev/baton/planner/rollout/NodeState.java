package dev.baton.planner.rollout;

/**
 * Per-node progress in a rollout: {@code PENDING → UPGRADING → AWAITING_ACTIVE → DONE}, or
 * {@code SKIPPED} (already on target) and {@code FAILED}. (REMEDIATING and DEFERRED come with
 * the remedy ladder and the out-of-order remedy.)
 */
public enum NodeState {
    PENDING, UPGRADING, AWAITING_ACTIVE, DONE, SKIPPED, FAILED;

    /** Whether the node counts against the unavailability budget. */
    public boolean isOutOfService() {
        return this == UPGRADING || this == AWAITING_ACTIVE || this == FAILED;
    }
}
