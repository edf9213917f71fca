package dev.baton.planner.rollout;

/** Rollout lifecycle: {@code REQUESTED → REJECTED | PLANNED → RUNNING ⇄ PAUSED → COMPLETED | HALTED | ABORTED}. */
public enum RolloutState {
    REQUESTED, REJECTED, PLANNED, RUNNING, PAUSED, COMPLETED, HALTED, ABORTED;

    /** Whether the rollout still holds its cluster (no other rollout may open). */
    public boolean isOpen() {
        return this == REQUESTED || this == RUNNING || this == PAUSED || this == HALTED;
    }
}
