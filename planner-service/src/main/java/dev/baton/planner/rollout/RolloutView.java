package dev.baton.planner.rollout;

import java.time.Instant;
import java.util.List;

/** What the planner's REST API shows of a rollout: state, plan, each node's state, and what it waits for. */
public record RolloutView(
        String rolloutId,
        String requestId,
        String clusterId,
        String targetVersion,
        RolloutState state,
        String waitingFor,
        String requestedBy,
        Instant requestedAt,
        List<NodeView> nodes) {

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
