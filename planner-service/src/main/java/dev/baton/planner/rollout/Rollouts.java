package dev.baton.planner.rollout;

import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The rollouts {@link RolloutEngine} holds, the requests it refused before a rollout could exist, and the request ids
 * it has decided (so a redelivered request is recognised); per cluster as a {@link ClusterSnapshot} to persist and
 * to take over. Not thread-safe: the engine's caller serialises calls.
 */
final class Rollouts {
    /** How many finished rollouts per cluster a snapshot keeps (the audit store keeps them all). */
    static final int CLOSED_KEPT = 10;

    private final Map<String, Rollout> rollouts = new LinkedHashMap<>();
    /** Requests refused before a rollout could exist (unknown cluster, bad version, ...), for the REST view. */
    private final Map<String, RolloutView> refused = new LinkedHashMap<>();
    private final Map<String, String> rolloutByRequest = new HashMap<>();

    /** Records the request as decided; false when it was decided already (a redelivery). */
    boolean decide(String clusterId, String requestId, String rolloutId) {
        return rolloutByRequest.putIfAbsent(clusterId + "/" + requestId, rolloutId) == null;
    }

    /** Whether the request was decided already. */
    boolean decided(String clusterId, String requestId) {
        return rolloutByRequest.containsKey(clusterId + "/" + requestId);
    }

    void add(Rollout rollout) {
        rollouts.put(rollout.id, rollout);
    }

    void refuse(RolloutView view) {
        refused.put(view.rolloutId(), view);
    }

    Optional<Rollout> get(String rolloutId) {
        return Optional.ofNullable(rollouts.get(rolloutId));
    }

    /** Every rollout held, as a copy (deciding on one may not change the list being walked). */
    List<Rollout> all() {
        return List.copyOf(rollouts.values());
    }

    Optional<Rollout> open(String clusterId) {
        return rollouts.values().stream().filter(r -> r.clusterId().equals(clusterId) && r.state.isOpen()).findFirst();
    }

    /** Every open rollout of the cluster: one, but for a rollback's dry run beside the halted rollout it is of. */
    List<Rollout> allOpen(String clusterId) {
        return rollouts.values().stream().filter(r -> r.clusterId().equals(clusterId) && r.state.isOpen()).toList();
    }

    Optional<RolloutView> view(String rolloutId) {
        return get(rolloutId).map(Rollout::view).or(() -> Optional.ofNullable(refused.get(rolloutId)));
    }

    /** Rollouts and refusals, optionally of one cluster and/or for one request id, oldest first. */
    List<RolloutView> views(String clusterId, String requestId) {
        return Stream.concat(rollouts.values().stream().map(Rollout::view), refused.values().stream())
                .filter(r -> clusterId == null || clusterId.equals(r.clusterId()))
                .filter(r -> requestId == null || requestId.equals(r.requestId()))
                .sorted(Comparator.comparing(RolloutView::requestedAt))
                .toList();
    }

    /** One cluster's state as a value to persist: open rollouts and the last {@link #CLOSED_KEPT} closed ones. */
    ClusterSnapshot snapshot(String clusterId, long epoch) {
        List<Rollout> mine = rollouts.values().stream().filter(r -> r.clusterId().equals(clusterId)).toList();
        List<Rollout> closed = mine.stream().filter(r -> !r.state.isOpen() && r.state != RolloutState.REQUESTED).toList();
        List<ClusterSnapshot.RolloutSnapshot> kept = mine.stream()
                .filter(r -> r.state.isOpen() || closed.indexOf(r) >= closed.size() - CLOSED_KEPT)
                .map(Rollout::snapshot).toList();
        List<RolloutView> refusedViews = refused.values().stream().filter(v -> clusterId.equals(v.clusterId())).toList();
        Map<String, String> requests = new HashMap<>();
        rolloutByRequest.forEach((key, id) -> {
            if (key.startsWith(clusterId + "/")) {
                requests.put(key, id);
            }
        });
        return new ClusterSnapshot(clusterId, epoch, kept,
                refusedViews.subList(Math.max(0, refusedViews.size() - CLOSED_KEPT), refusedViews.size()), requests);
    }

    /** Takes over a cluster's state; replaces whatever was held for it. */
    void restore(ClusterSnapshot snapshot, ProcedureCatalog procedures) {
        forget(snapshot.clusterId());
        for (ClusterSnapshot.RolloutSnapshot r : snapshot.rollouts()) {
            Procedure procedure = procedures.get(r.procedure()).orElseThrow(() -> new IllegalStateException(
                    "rollout " + r.id() + " uses procedure " + r.procedure() + ", which this planner does not know"));
            rollouts.put(r.id(), Rollout.restore(r, procedure));
        }
        snapshot.refused().forEach(v -> refused.put(v.rolloutId(), v));
        rolloutByRequest.putAll(snapshot.requests());
    }

    void forget(String clusterId) {
        rollouts.values().removeIf(r -> r.clusterId().equals(clusterId));
        refused.values().removeIf(v -> clusterId.equals(v.clusterId()));
        rolloutByRequest.keySet().removeIf(key -> key.startsWith(clusterId + "/"));
    }

    Set<String> clusterIds() {
        Set<String> ids = new TreeSet<>();
        rollouts.values().forEach(r -> ids.add(r.clusterId()));
        return ids;
    }
}
