package dev.baton.planner.rollout;

import dev.baton.contracts.ClusterRegistered;
import java.time.Instant;

/** Mutable progress of one node within one rollout; owned by {@link Rollout}. */
public final class NodeProgress {
    final ClusterRegistered.Node node;
    final String orderingAddress;
    final String fromVersion;
    NodeState state;
    String note;
    int stepIndex = -1;
    String currentCommandId;
    Instant stepSentAt;
    Instant startedAt;
    Instant awaitingSince;
    Instant finishedAt;

    NodeProgress(ClusterRegistered.Node node, String orderingAddress, String fromVersion, NodeState state, String note) {
        this.node = node;
        this.orderingAddress = orderingAddress;
        this.fromVersion = fromVersion;
        this.state = state;
        this.note = note;
    }

    public String name() {
        return node.name();
    }

    public NodeState state() {
        return state;
    }

    /** A read-only snapshot for the REST view. */
    public RolloutView.NodeView view(String currentStep) {
        return new RolloutView.NodeView(node.name(), orderingAddress, fromVersion, state, currentStep, note,
                startedAt, finishedAt);
    }
}
