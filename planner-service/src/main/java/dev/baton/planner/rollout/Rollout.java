package dev.baton.planner.rollout;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.procedure.Procedure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Mutable state of one rollout; only {@link RolloutEngine} changes it, under its caller's lock. */
final class Rollout {
    final String id;
    final UpgradeRequested request;
    final ClusterRegistered cluster;
    final Procedure procedure;
    final String actor;
    final Instant requestedAt;
    final Instant preflightDeadline;
    final List<NodeProgress> nodes = new ArrayList<>();
    RolloutState state = RolloutState.REQUESTED;
    int maxUnavailable = 1;
    boolean offline;
    String waitingFor;
    String blockedBy;
    RolloutView.Rejected rejection;
    int doneSinceResume;
    Instant nextStartNotBefore;
    Instant mixedSince;
    boolean mixedAlerted;
    /** (arch/os/version) artifact key → node that builds it; keys whose build succeeded. */
    final Map<String, String> artifactBuilders = new HashMap<>();
    final Set<String> artifactsReady = new HashSet<>();
    /** The plan as published (explained), null until planned. */
    RolloutPlanned plan;

    Rollout(String id, UpgradeRequested request, ClusterRegistered cluster, Procedure procedure, Instant requestedAt,
            Instant preflightDeadline) {
        this.id = id;
        this.request = request;
        this.cluster = cluster;
        this.procedure = procedure;
        this.actor = request.requestedBy() == null ? "unknown" : request.requestedBy();
        this.requestedAt = requestedAt;
        this.preflightDeadline = preflightDeadline;
    }

    String clusterId() {
        return cluster.clusterId();
    }

    String target() {
        return request.targetVersion();
    }

    Optional<NodeProgress> nodeByCommand(String commandId) {
        return nodes.stream().filter(n -> commandId != null && commandId.equals(n.currentCommandId)).findFirst();
    }

    Optional<NodeProgress> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    boolean isDriving() {
        return state == RolloutState.RUNNING || state == RolloutState.PAUSED;
    }

    ClusterSnapshot.RolloutSnapshot snapshot() {
        return new ClusterSnapshot.RolloutSnapshot(id, request, cluster, procedure.name(), requestedAt, preflightDeadline,
                state, maxUnavailable, offline, waitingFor, blockedBy, rejection, doneSinceResume, nextStartNotBefore,
                mixedSince, mixedAlerted, Map.copyOf(artifactBuilders), Set.copyOf(artifactsReady),
                nodes.stream().map(NodeProgress::copy).toList(), plan);
    }

    static Rollout restore(ClusterSnapshot.RolloutSnapshot s, Procedure procedure) {
        Rollout r = new Rollout(s.id(), s.request(), s.cluster(), procedure, s.requestedAt(), s.preflightDeadline());
        r.state = s.state();
        r.maxUnavailable = s.maxUnavailable();
        r.offline = s.offline();
        r.waitingFor = s.waitingFor();
        r.blockedBy = s.blockedBy();
        r.rejection = s.rejection();
        r.doneSinceResume = s.doneSinceResume();
        r.nextStartNotBefore = s.nextStartNotBefore();
        r.mixedSince = s.mixedSince();
        r.mixedAlerted = s.mixedAlerted();
        if (s.artifactBuilders() != null) {
            r.artifactBuilders.putAll(s.artifactBuilders());
        }
        if (s.artifactsReady() != null) {
            r.artifactsReady.addAll(s.artifactsReady());
        }
        s.nodes().forEach(n -> r.nodes.add(n.copy()));
        r.plan = s.plan();
        return r;
    }

    RolloutView view() {
        return new RolloutView(id, request.requestId(), clusterId(), target(), state, request.dryRun(), maxUnavailable,
                offline, waitingFor, blockedBy, actor, requestedAt, rejection,
                nodes.stream().map(NodeProgress::view).toList(), plan);
    }
}
