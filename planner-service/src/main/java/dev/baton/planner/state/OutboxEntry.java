package dev.baton.planner.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.EventTypes;
import java.time.Instant;

/**
 * A decision recorded in the planner's state before it is published, with the CloudEvents id it will carry: after
 * a crash between the two, the next owner publishes exactly the entries that are not on their topic yet.
 */
public record OutboxEntry(String id, String type, Instant time, String actor, String causationId, JsonNode event) {

    static OutboxEntry of(BatonEvent event, EventEnvelope envelope) {
        return new OutboxEntry(envelope.id(), envelope.type(), envelope.time(), envelope.actor(), envelope.causationId(),
                BatonJson.mapper().valueToTree(event));
    }

    BatonEvent decode() {
        Class<? extends BatonEvent> type = EventTypes.classOf(this.type)
                .orElseThrow(() -> new IllegalStateException("unknown event type in the planner's outbox: " + this.type));
        try {
            return BatonJson.mapper().treeToValue(event, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot read " + this.type + " from the planner's outbox", e);
        }
    }

    EventEnvelope envelope(BatonEvent decoded, String source) {
        String subject = decoded.nodeName() == null ? decoded.clusterId() : decoded.clusterId() + "/" + decoded.nodeName();
        return new EventEnvelope(id, type, source, subject, time, decoded.clusterId(), decoded.rolloutId(),
                decoded.nodeName(), actor, causationId);
    }
}
