package dev.baton.planner.rollout;

/** Why a rollout paused: the {@code code} of {@code RolloutPaused} on {@code baton.rollouts.v1}. */
enum PauseReason {
    /** An operator paused it. */
    OPERATOR,
    /** The request's canary nodes are done. */
    CANARY,
    /** The request's stopAfter nodes are done since the start or the last resume. */
    STOP_AFTER
}
