package dev.baton.planner.state;

import dev.baton.planner.rollout.ClusterSnapshot;
import dev.baton.planner.rollout.RolloutView;
import java.time.Instant;
import java.util.List;

/**
 * One value of the planner's state topic ({@code baton-planner.state.v1}, key = clusterId): the cluster's state
 * after a decision and the events that decision publishes (the outbox). Written, and acknowledged by Kafka, before
 * those events are published.
 */
public record StateRecord(ClusterSnapshot snapshot, List<OutboxEntry> outbox, Instant writtenAt) {
    public StateRecord {
        outbox = outbox == null ? List.of() : List.copyOf(outbox);
    }

    /** What the REST API shows of the rollouts in this record. */
    public List<RolloutView> views() {
        return snapshot.views();
    }
}
