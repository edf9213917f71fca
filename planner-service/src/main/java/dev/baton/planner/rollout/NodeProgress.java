package dev.baton.planner.rollout;

import dev.baton.contracts.ClusterRegistered;
import java.time.Instant;

/** Mutable progress of one node within one rollout; owned by {@link Rollout}, changed only by {@link RolloutEngine}. */
public final class NodeProgress {
    /** What the node's command in flight is for. */
    public enum Pending { STEP, REBOOT, REMEDY_REBOOT, DEFERRED_STOP, DEFERRED_START }

    final ClusterRegistered.Node node;
    final String orderingAddress;
    final String fromVersion;
    NodeState state;
    String note;
    int stepIndex = -1;
    int attempt = 1;
    String currentCommandId;
    Pending pending;
    String currentStep;
    Instant stepSentAt;
    java.time.Duration stepTimeout;
    Instant retryAt;
    boolean waitingForArtifact;
    boolean rebootRequired;
    boolean rebooted;
    boolean remedied;
    boolean released;
    boolean deferredStopped;
    Instant startedAt;
    Instant awaitingSince;
    Instant finishedAt;
    Instant failedAt;

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

    ClusterSnapshot.NodeSnapshot snapshot() {
        return new ClusterSnapshot.NodeSnapshot(node, orderingAddress, fromVersion, state, note, stepIndex, attempt,
                currentCommandId, pending, currentStep, stepSentAt, stepTimeout, retryAt, waitingForArtifact,
                rebootRequired, rebooted, remedied, released, deferredStopped, startedAt, awaitingSince, finishedAt,
                failedAt);
    }

    static NodeProgress restore(ClusterSnapshot.NodeSnapshot s) {
        NodeProgress n = new NodeProgress(s.node(), s.orderingAddress(), s.fromVersion(), s.state(), s.note());
        n.stepIndex = s.stepIndex();
        n.attempt = s.attempt();
        n.currentCommandId = s.currentCommandId();
        n.pending = s.pending();
        n.currentStep = s.currentStep();
        n.stepSentAt = s.stepSentAt();
        n.stepTimeout = s.stepTimeout();
        n.retryAt = s.retryAt();
        n.waitingForArtifact = s.waitingForArtifact();
        n.rebootRequired = s.rebootRequired();
        n.rebooted = s.rebooted();
        n.remedied = s.remedied();
        n.released = s.released();
        n.deferredStopped = s.deferredStopped();
        n.startedAt = s.startedAt();
        n.awaitingSince = s.awaitingSince();
        n.finishedAt = s.finishedAt();
        n.failedAt = s.failedAt();
        return n;
    }

    /** A read-only snapshot for the REST view. */
    public RolloutView.NodeView view() {
        return new RolloutView.NodeView(node.name(), orderingAddress, fromVersion, state,
                currentCommandId == null ? null : currentStep, note, startedAt, finishedAt);
    }
}
