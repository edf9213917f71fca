package dev.baton.planner.rollout;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.UpgradeRequested;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the planner knows about one cluster's rollouts, as a value: what it writes to its state topic after
 * each decision and reads back when it takes a cluster over after a crash or a rebalance.
 *
 * @param epoch the fencing epoch of the planner instance that wrote it
 * @param requests request ids already decided (so a redelivered request is recognised) and their rollout ids
 */
public record ClusterSnapshot(
        String clusterId,
        long epoch,
        List<RolloutSnapshot> rollouts,
        List<RolloutView> refused,
        Map<String, String> requests) {

    public ClusterSnapshot {
        rollouts = rollouts == null ? List.of() : List.copyOf(rollouts);
        refused = refused == null ? List.of() : List.copyOf(refused);
        requests = requests == null ? Map.of() : Map.copyOf(requests);
    }

    /** The rollouts as the REST API shows them (refused requests included). */
    public List<RolloutView> views() {
        java.util.List<RolloutView> views = new java.util.ArrayList<>(refused);
        for (RolloutSnapshot r : rollouts) {
            views.add(new RolloutView(r.id(), r.request().requestId(), clusterId, r.request().targetVersion(), r.state(),
                    r.request().dryRun(), r.maxUnavailable(), r.offline(), r.waitingFor(), r.blockedBy(),
                    r.request().requestedBy() == null ? "unknown" : r.request().requestedBy(), r.requestedAt(),
                    r.rejection(), r.nodes().stream().map(NodeProgress::view).toList(), r.plan()));
        }
        return views;
    }

    /** The same state under another epoch. */
    public ClusterSnapshot withEpoch(long newEpoch) {
        return new ClusterSnapshot(clusterId, newEpoch, rollouts, refused, requests);
    }

    /** One rollout, every field the engine needs to carry on; its nodes as {@link NodeProgress} serialises itself. */
    public record RolloutSnapshot(
            String id,
            UpgradeRequested request,
            ClusterRegistered cluster,
            String procedure,
            Instant requestedAt,
            Instant preflightDeadline,
            RolloutState state,
            int maxUnavailable,
            boolean offline,
            String waitingFor,
            String blockedBy,
            RolloutView.Rejected rejection,
            int doneSinceResume,
            Instant nextStartNotBefore,
            Instant mixedSince,
            boolean mixedAlerted,
            Map<String, String> artifactBuilders,
            Set<String> artifactsReady,
            List<NodeProgress> nodes,
            RolloutPlanned plan) {
    }
}
