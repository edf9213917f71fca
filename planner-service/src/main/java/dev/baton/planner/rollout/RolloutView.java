package dev.baton.planner.rollout;

import dev.baton.contracts.RolloutPlanned;
import java.time.Instant;
import java.util.List;

/**
 * What the planner's REST API shows of a rollout: state, plan, each node's state, and what it waits for.
 *
 * @param maxUnavailable the unavailability budget in nodes (all planned nodes for an offline update)
 * @param offline whether this is a complete (offline) update
 * @param blockedBy the guard holding the rollout back right now, if any
 * @param rejection code and sentence when the request was rejected
 * @param plan the plan as published, explained (why each node is where it is, its rendered steps, the guards, the
 *             estimate); null before the rollout is planned or when it was rejected
 */
public record RolloutView(
        String rolloutId,
        String requestId,
        String clusterId,
        String targetVersion,
        RolloutState state,
        boolean dryRun,
        int maxUnavailable,
        boolean offline,
        String waitingFor,
        String blockedBy,
        String requestedBy,
        Instant requestedAt,
        Rejected rejection,
        List<NodeView> nodes,
        RolloutPlanned plan) {

    /** Why a request was rejected. */
    public record Rejected(String code, String message) {
    }

    /** One node of the plan, in plan order. */
    public record NodeView(
            String nodeName,
            String orderingAddress,
            String fromVersion,
            NodeState state,
            String currentStep,
            String note,
            Instant startedAt,
            Instant finishedAt) {
    }
}
