package dev.baton.planner.rollout;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.procedure.Procedure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Mutable state of one rollout; only {@link RolloutEngine} changes it, under its lock. */
final class Rollout {
    final String id;
    final UpgradeRequested request;
    final ClusterRegistered cluster;
    final Procedure procedure;
    final String actor;
    final Instant requestedAt;
    final Instant preflightDeadline;
    final int maxUnavailable;
    final List<NodeProgress> nodes = new ArrayList<>();
    RolloutState state = RolloutState.REQUESTED;
    String waitingFor;
    int doneSinceResume;
    Instant nextStartNotBefore;

    Rollout(String id, UpgradeRequested request, ClusterRegistered cluster, Procedure procedure, Instant requestedAt,
            Instant preflightDeadline) {
        this.id = id;
        this.request = request;
        this.cluster = cluster;
        this.procedure = procedure;
        this.actor = request.requestedBy() == null ? "unknown" : request.requestedBy();
        this.requestedAt = requestedAt;
        this.preflightDeadline = preflightDeadline;
        this.maxUnavailable = request.maxUnavailable() == null ? 1 : request.maxUnavailable();
    }

    String clusterId() {
        return cluster.clusterId();
    }

    String target() {
        return request.targetVersion();
    }

    long outOfService() {
        return nodes.stream().filter(n -> n.state.isOutOfService()).count();
    }

    Optional<NodeProgress> nodeByCommand(String commandId) {
        return nodes.stream().filter(n -> commandId.equals(n.currentCommandId)).findFirst();
    }

    Optional<NodeProgress> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    RolloutView view() {
        List<RolloutView.NodeView> views = new ArrayList<>();
        for (NodeProgress node : nodes) {
            String step = node.stepIndex >= 0 && node.stepIndex < procedure.steps().size()
                    && node.state == NodeState.UPGRADING ? procedure.steps().get(node.stepIndex).name() : null;
            views.add(node.view(step));
        }
        return new RolloutView(id, request.requestId(), clusterId(), target(), state, waitingFor, actor, requestedAt, views);
    }
}
