package dev.baton.planner.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.baton.contracts.BatonJson;
import dev.baton.planner.rollout.ClusterSnapshot;
import dev.baton.planner.rollout.RolloutView;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One value of the planner's state topic ({@code baton-planner.state.v1}, key = clusterId): the cluster's state
 * after a decision and the events that decision publishes (the outbox). Written, and acknowledged by Kafka, before
 * those events are published.
 */
public record StateRecord(ClusterSnapshot snapshot, List<OutboxEntry> outbox, Instant writtenAt) {
    public StateRecord {
        outbox = outbox == null ? List.of() : List.copyOf(outbox);
    }

    private static final ObjectReader READER = BatonJson.mapper().readerFor(StateRecord.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * Reads one record of the state topic: its state, or empty for a tombstone (the cluster's state was deleted).
     *
     * @throws IllegalArgumentException saying why, when the record is not a state this planner wrote: no key, not a
     *                                  state record, or the state of another cluster than its key
     */
    public static Optional<StateRecord> read(String key, byte[] value) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("a planner state record without key (the key is the clusterId)");
        }
        if (value == null) {
            return Optional.empty();
        }
        StateRecord state;
        try {
            state = READER.readValue(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a planner state record: " + e.getMessage(), e);
        }
        if (state == null || state.snapshot() == null || state.snapshot().clusterId() == null) {
            throw new IllegalArgumentException("a planner state record without the cluster's snapshot");
        }
        if (!key.equals(state.snapshot().clusterId())) {
            throw new IllegalArgumentException("the state of cluster '" + state.snapshot().clusterId()
                    + "' under the key of another cluster");
        }
        return Optional.of(state);
    }

    /** What the REST API shows of the rollouts in this record. */
    public List<RolloutView> views() {
        return snapshot.views();
    }
}
