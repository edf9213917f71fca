package dev.baton.health;

import dev.baton.health.cluster.ClusterHealth;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which partitions of {@code baton.clusters.v1} this instance owns, which cluster is on which partition, the parked
 * states of clusters whose partitions were just revoked (kept in case the same partitions come straight back) and
 * whether the consumer group has assigned anything yet. Holds no lock of its own: {@link HealthMonitor} changes it only
 * in its synchronized methods; {@link #ownedPartitions()}, {@link #owns} and {@link #assigned()} may be read from any
 * thread.
 */
final class ClusterOwnership {
    /** Partition of baton.clusters.v1 of each tracked or unprobed cluster. */
    private final Map<String, Integer> partitionOf = new ConcurrentHashMap<>();
    /** States of clusters whose partitions were just revoked, kept in case the same partitions come straight back. */
    private final Map<String, ClusterHealth> parked = new ConcurrentHashMap<>();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private volatile boolean assigned;

    /**
     * First half of an assignment: keeps the parked states of clusters whose partitions came back and drops the others.
     * Returns the assigned partitions (sorted) that were not just owned here, whose announced edges must be read.
     */
    List<Integer> reclaim(Collection<Integer> partitions) {
        Set<Integer> parkedPartitions = new HashSet<>();
        parked.entrySet().removeIf(entry -> {
            Integer partition = partitionOf.get(entry.getKey());
            boolean back = partition != null && partitions.contains(partition);
            if (back) {
                parkedPartitions.add(partition);
            } else {
                partitionOf.remove(entry.getKey());
            }
            return !back;
        });
        return partitions.stream().filter(p -> !parkedPartitions.contains(p)).sorted().toList();
    }

    /** Second half of an assignment: these partitions are owned here now. */
    void own(Collection<Integer> partitions) {
        owned.addAll(partitions);
        assigned = true;
    }

    /** No longer owns these partitions; returns the clusters on them (the caller stops probing them). */
    List<String> release(Collection<Integer> partitions) {
        owned.removeAll(partitions);
        return partitionOf.entrySet().stream()
                .filter(e -> partitions.contains(e.getValue())).map(Map.Entry::getKey).toList();
    }

    /** Whether this partition is owned here. */
    boolean owns(int partition) {
        return owned.contains(partition);
    }

    /** The cluster is on this partition. */
    void place(String clusterId, int partition) {
        partitionOf.put(clusterId, partition);
    }

    /** Keeps a released cluster's state in case its partition comes straight back. */
    void park(String clusterId, ClusterHealth state) {
        parked.put(clusterId, state);
    }

    /** Takes a parked state back (null if none). */
    ClusterHealth unpark(String clusterId) {
        return parked.remove(clusterId);
    }

    /** Forgets a cluster (a tombstone): its parked state and its partition. */
    void forget(String clusterId) {
        parked.remove(clusterId);
        partitionOf.remove(clusterId);
    }

    /** Partitions of {@code baton.clusters.v1} this instance owns. */
    Set<Integer> ownedPartitions() {
        return Set.copyOf(owned);
    }

    /** Whether the consumer group has given this instance its share at least once. */
    boolean assigned() {
        return assigned;
    }
}
