package dev.baton.executor;

import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;

/**
 * The highest fencing epoch this executor has seen per cluster on {@code baton.commands.v1}. A command with a
 * lower epoch comes from a planner instance that has since lost the cluster and is dropped unrun. In memory:
 * a restarted executor learns the epochs again from the next command of each cluster.
 */
@Singleton
public class EpochFence {
    private final Map<String, Long> highest = new HashMap<>();

    /** Whether a command of {@code clusterId} with {@code epoch} may run; remembers the epoch if it is the highest. */
    public synchronized boolean admit(String clusterId, long epoch) {
        if (clusterId == null) {
            return true;
        }
        Long seen = highest.get(clusterId);
        if (seen != null && epoch < seen) {
            return false;
        }
        highest.put(clusterId, epoch);
        return true;
    }

    /** The highest epoch seen for the cluster, or null. */
    public synchronized Long highest(String clusterId) {
        return highest.get(clusterId);
    }
}
