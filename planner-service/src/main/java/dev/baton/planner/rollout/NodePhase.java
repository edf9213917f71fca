package dev.baton.planner.rollout;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where one node is in its rollout, finer than the {@link NodeState} the REST view and the events show: which command
 * is in flight, what the node waits for. The one source of a node's state in the engine (no booleans beside it, no
 * note read back). Transitions, each checked by {@link #canMoveTo}:
 *
 * <pre>
 * PENDING ─▶ RUNNING_STEP ⇄ (RETRY_WAIT | WAITING_FOR_ARTIFACT) ─▶ [REBOOTING] ─▶ AWAITING_ACTIVE ─▶ DONE
 * AWAITING_ACTIVE ─▶ REMEDY_REBOOTING ─▶ AWAITING_ACTIVE_AFTER_REMEDY ─▶ DONE
 * with the cluster's hooks: ... ─▶ BEFORE_HOOK ─▶ the first disruptive step; AWAITING_ACTIVE[_AFTER_REMEDY] ─▶
 *     AFTER_HOOK ─▶ AFTER_HOOK_DONE ─▶ DONE
 * PENDING | SKIPPED_ON_TARGET ─▶ DEFERRED ─▶ DEFERRED_STOPPING ─▶ DEFERRED_STOPPED ─▶ DEFERRED_STARTING ─▶ AWAITING_ACTIVE
 * any phase with a command in flight, or awaiting active ─▶ FAILED ─▶ RELEASED (an operator gave its budget back)
 * FAILED ─▶ the phase it failed in, or its first step (an operator's retry); RELEASED ─▶ PENDING (retry, from the start)
 * PENDING | DEFERRED | FAILED | RELEASED ─▶ SKIPPED_BY_OPERATOR (an operator's skip)
 * </pre>
 */
public enum NodePhase {
    /** Planned, not started. */
    PENDING(NodeState.PENDING, false),
    /** Excluded by the request. */
    SKIPPED_EXCLUDED(NodeState.SKIPPED, false),
    /** Already runs the target (and no force). */
    SKIPPED_ON_TARGET(NodeState.SKIPPED, false),
    /** Left out by an operator ({@code baton skip}): the rollout may complete without it, listing it. */
    SKIPPED_BY_OPERATOR(NodeState.SKIPPED, false),
    /** Out of order (Matrix): waits for its stop command. */
    DEFERRED(NodeState.DEFERRED, false),
    /** Out of order: the procedure's stop command is in flight. */
    DEFERRED_STOPPING(NodeState.DEFERRED, true),
    /** Out of order: stopped, started once every other node is done. */
    DEFERRED_STOPPED(NodeState.DEFERRED, false),
    /** Out of order: the procedure's start command is in flight. */
    DEFERRED_STARTING(NodeState.UPGRADING, true),
    /** The cluster's before-disruption hook is in flight (before the node's first disruptive step). */
    BEFORE_HOOK(NodeState.UPGRADING, true),
    /** One of the procedure's steps is in flight. */
    RUNNING_STEP(NodeState.UPGRADING, true),
    /** The step failed with a retry meaning; sent again at the node's retry time. */
    RETRY_WAIT(NodeState.UPGRADING, false),
    /** The artifact step waits for the build on the group's first node. */
    WAITING_FOR_ARTIFACT(NodeState.UPGRADING, false),
    /** The reboot a require-reboot failure asked for, after the last step, is in flight. */
    REBOOTING(NodeState.UPGRADING, true),
    /** Every step done: waits for health to see it active on the target. */
    AWAITING_ACTIVE(NodeState.AWAITING_ACTIVE, false),
    /** Not active within the health timeout: the remedy reboot is in flight. */
    REMEDY_REBOOTING(NodeState.REMEDIATING, true),
    /** Rebooted by the remedy: waits for health once more; a second time-out halts. */
    AWAITING_ACTIVE_AFTER_REMEDY(NodeState.AWAITING_ACTIVE, false),
    /** Active on the target: the cluster's after-active hook is in flight; the node keeps its budget until it ends. */
    AFTER_HOOK(NodeState.UPGRADING, true),
    /** The after-active hook ended: the node is done at the next step of the engine (at once). */
    AFTER_HOOK_DONE(NodeState.UPGRADING, false),
    /** Active on the target. */
    DONE(NodeState.DONE, false),
    /** Failed: keeps its budget until health sees it active or an operator releases it (invariant 1). */
    FAILED(NodeState.FAILED, false),
    /** Failed and released by an operator: no longer counts against the budget. */
    RELEASED(NodeState.FAILED, false);

    private final NodeState state;
    private final boolean commandInFlight;

    NodePhase(NodeState state, boolean commandInFlight) {
        this.state = state;
        this.commandInFlight = commandInFlight;
    }

    /** The coarse state the REST view, the guards and the events speak of. */
    public NodeState state() {
        return state;
    }

    /** Whether the node has a command in flight (its result, or its time-out, is what moves it on). */
    public boolean commandInFlight() {
        return commandInFlight;
    }

    /** Whether the node waits for health to see it active on the target. */
    public boolean awaitingActive() {
        return this == AWAITING_ACTIVE || this == AWAITING_ACTIVE_AFTER_REMEDY;
    }

    /** Whether a node may go from this phase to {@code next}. */
    public boolean canMoveTo(NodePhase next) {
        return next == FAILED && (commandInFlight || awaitingActive()) || successors().contains(next);
    }

    private Set<NodePhase> successors() {
        return switch (this) {
            case PENDING -> EnumSet.of(RUNNING_STEP, WAITING_FOR_ARTIFACT, REBOOTING, AWAITING_ACTIVE, DEFERRED,
                    SKIPPED_BY_OPERATOR, BEFORE_HOOK);
            case BEFORE_HOOK -> EnumSet.of(RUNNING_STEP, WAITING_FOR_ARTIFACT);
            case SKIPPED_ON_TARGET -> EnumSet.of(DEFERRED);
            case DEFERRED -> EnumSet.of(DEFERRED_STOPPING, SKIPPED_BY_OPERATOR);
            case DEFERRED_STOPPING -> EnumSet.of(DEFERRED_STOPPED);
            case DEFERRED_STOPPED -> EnumSet.of(DEFERRED_STARTING);
            case DEFERRED_STARTING, REBOOTING -> EnumSet.of(AWAITING_ACTIVE);
            case RUNNING_STEP -> EnumSet.of(RUNNING_STEP, RETRY_WAIT, WAITING_FOR_ARTIFACT, REBOOTING, AWAITING_ACTIVE,
                    BEFORE_HOOK);
            case RETRY_WAIT, WAITING_FOR_ARTIFACT -> EnumSet.of(RUNNING_STEP, WAITING_FOR_ARTIFACT, BEFORE_HOOK);
            case AWAITING_ACTIVE -> EnumSet.of(DONE, REMEDY_REBOOTING, AFTER_HOOK);
            case REMEDY_REBOOTING -> EnumSet.of(AWAITING_ACTIVE_AFTER_REMEDY);
            case AWAITING_ACTIVE_AFTER_REMEDY -> EnumSet.of(DONE, AFTER_HOOK);
            case AFTER_HOOK -> EnumSet.of(AFTER_HOOK_DONE);
            case AFTER_HOOK_DONE -> EnumSet.of(DONE);
            case FAILED -> EnumSet.of(RELEASED, SKIPPED_BY_OPERATOR, RUNNING_STEP, WAITING_FOR_ARTIFACT, REBOOTING,
                    REMEDY_REBOOTING, DEFERRED_STOPPING, DEFERRED_STARTING, AWAITING_ACTIVE, BEFORE_HOOK, AFTER_HOOK);
            case RELEASED -> EnumSet.of(PENDING, SKIPPED_BY_OPERATOR);
            case SKIPPED_EXCLUDED, SKIPPED_BY_OPERATOR, DONE -> EnumSet.noneOf(NodePhase.class);
        };
    }
}
