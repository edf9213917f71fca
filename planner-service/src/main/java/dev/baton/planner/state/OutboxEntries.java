package dev.baton.planner.state;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.EventEnvelope;
import java.util.List;
import java.util.Map;

/** Builds outbox entries from decisions and the envelopes they will be published with. */
public final class OutboxEntries {
    private OutboxEntries() {
    }

    public static List<OutboxEntry> of(List<Map.Entry<BatonEvent, EventEnvelope>> decisions) {
        return decisions.stream().map(d -> OutboxEntry.of(d.getKey(), d.getValue())).toList();
    }
}
