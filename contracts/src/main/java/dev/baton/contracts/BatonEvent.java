package dev.baton.contracts;

/**
 * Every message Baton publishes on a {@code baton.*} topic. One sealed family per topic;
 * records only, so the wire format is the record's components (pinned by golden files).
 */
public sealed interface BatonEvent
        permits ClusterEvent, RequestEvent, CommandEvent, StepResult, HealthEvent, RolloutEvent, DeadLetter {

    /** The Kafka key of every Baton message. */
    String clusterId();

    /** The rollout this event belongs to, if any. */
    default String rolloutId() {
        return null;
    }

    /** The node this event concerns, if any. */
    default String nodeName() {
        return null;
    }

    /** The topic this event travels on. */
    default String topic() {
        return EventTypes.topicOf(getClass());
    }

    /** The CloudEvents {@code type}, e.g. {@code dev.baton.NodeActive.v1}. */
    default String eventType() {
        return EventTypes.typeOf(getClass());
    }
}
