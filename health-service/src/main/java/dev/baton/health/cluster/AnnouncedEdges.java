package dev.baton.health.cluster;

import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeInactive;
import dev.baton.health.node.Announcement;
import dev.baton.health.node.NodeHealth;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What was last announced on {@code baton.health.v1} for each node and cluster, by any health instance: the last
 * {@code NodeActive}/{@code NodeInactive} of each node (and the boot of its last {@code NodeActive}) and the last
 * {@code MembershipObserved} of each cluster. An instance that takes a cluster over continues from here, so it does
 * not announce again what its predecessor already announced. Thread-safe; pure (the reading is elsewhere).
 */
public final class AnnouncedEdges {
    private static final AnnouncedEdges NONE = new AnnouncedEdges();

    private final Map<String, Map<String, HealthEvent>> lastEdge = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> lastActiveBoot = new ConcurrentHashMap<>();
    private final Map<String, MembershipObserved> lastMembership = new ConcurrentHashMap<>();

    /** Nothing announced (every node starts unknown). */
    public static AnnouncedEdges none() {
        return NONE;
    }

    /** Takes one event of {@code baton.health.v1} into account; events must come in topic order. */
    public void record(HealthEvent event) {
        if (this == NONE) {
            throw new IllegalStateException("none() is read-only");
        }
        if (event instanceof MembershipObserved membership) {
            lastMembership.put(membership.clusterId(), membership);
            return;
        }
        if (event.nodeName() == null) {
            return;
        }
        lastEdge.computeIfAbsent(event.clusterId(), id -> new ConcurrentHashMap<>()).put(event.nodeName(), event);
        if (event instanceof NodeActive active && active.bootId() != null) {
            lastActiveBoot.computeIfAbsent(event.clusterId(), id -> new ConcurrentHashMap<>())
                    .put(active.nodeName(), active.bootId());
        }
    }

    /** Adds (replacing per cluster) everything {@code other} knows. */
    public void addAll(AnnouncedEdges other) {
        other.lastEdge.forEach((cluster, nodes) -> lastEdge.put(cluster, new ConcurrentHashMap<>(nodes)));
        other.lastActiveBoot.forEach((cluster, boots) -> lastActiveBoot.put(cluster, new ConcurrentHashMap<>(boots)));
        lastMembership.putAll(other.lastMembership);
    }

    /** Forgets a cluster (e.g. its partition went to another instance, which reads the topic itself). */
    public void forget(String clusterId) {
        lastEdge.remove(clusterId);
        lastActiveBoot.remove(clusterId);
        lastMembership.remove(clusterId);
    }

    /** The state to continue from for a node, if any edge was announced for it. */
    public Optional<NodeHealth> node(String clusterId, String nodeName) {
        HealthEvent edge = lastEdge.getOrDefault(clusterId, Map.of()).get(nodeName);
        String activeBoot = lastActiveBoot.getOrDefault(clusterId, Map.of()).get(nodeName);
        if (edge instanceof NodeActive active) {
            return Optional.of(NodeHealth.announced(clusterId, nodeName, Announcement.ACTIVE, active.runningVersion(),
                    active.since(), active.reason(), active.bootId(), activeBoot));
        }
        if (edge instanceof NodeInactive inactive) {
            return Optional.of(NodeHealth.announced(clusterId, nodeName, Announcement.INACTIVE, inactive.runningVersion(),
                    inactive.since(), inactive.reason(), inactive.bootId(), activeBoot));
        }
        return Optional.empty();
    }

    /** The last membership snapshot announced for a cluster, if any. */
    public Optional<MembershipObserved> membership(String clusterId) {
        return Optional.ofNullable(lastMembership.get(clusterId));
    }
}
