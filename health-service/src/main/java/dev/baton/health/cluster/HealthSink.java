package dev.baton.health.cluster;

import dev.baton.contracts.HealthEvent;

/**
 * Where {@link ClusterHealth} sends the events it decides (in production: {@code baton.health.v1}).
 * Throwing means "not published": the state that led to the event is then not committed, so the
 * next probe decides it again.
 */
@FunctionalInterface
public interface HealthSink {
    void publish(HealthEvent event);
}
