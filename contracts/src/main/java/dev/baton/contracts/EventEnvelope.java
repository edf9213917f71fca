package dev.baton.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * The CloudEvents 1.0 attributes of a Baton message (binary mode: {@code ce_*} Kafka headers).
 *
 * @param id unique per message
 * @param source the service that published it, e.g. {@code /baton/planner}
 * @param subject {@code cluster/node} or {@code cluster}
 * @param actor who asked for what caused this event
 * @param causationId the id of the event this one reacts to
 */
public record EventEnvelope(
        String id,
        String type,
        String source,
        String subject,
        Instant time,
        String clusterId,
        String rolloutId,
        String nodeId,
        String actor,
        String causationId) {

    /** A new envelope for an event published by {@code source}. */
    public static EventEnvelope of(BatonEvent event, String source, String actor, String causationId) {
        String subject = event.nodeName() == null ? event.clusterId() : event.clusterId() + "/" + event.nodeName();
        return new EventEnvelope(UUID.randomUUID().toString(), event.eventType(), source, subject, Instant.now(),
                event.clusterId(), event.rolloutId(), event.nodeName(), actor, causationId);
    }
}
