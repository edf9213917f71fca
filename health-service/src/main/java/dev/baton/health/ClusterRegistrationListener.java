package dev.baton.health;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.messaging.EventReader;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Reads the inventory from {@code baton.clusters.v1} (channel {@code clusters}: the partitions the consumer group
 * gives this instance, each re-read from the beginning when assigned, see {@link ClusterPartitions}) and hands the
 * latest registration of each cluster to the {@link HealthMonitor}. A malformed record, or one the monitor fails on, is
 * dead-lettered to {@code baton.deadletter.v1} and the listener carries on; a tombstone (null value) forgets the
 * cluster.
 */
@ApplicationScoped
public class ClusterRegistrationListener {
    private final EventReader reader;
    private final HealthMonitor monitor;

    public ClusterRegistrationListener(EventReader reader, HealthMonitor monitor) {
        this.reader = reader;
        this.monitor = monitor;
    }

    @Incoming("clusters")
    @Blocking
    public void on(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null && record.key() != null) {
            monitor.forget(record.key()); // a tombstone on the compacted topic: counted by the monitor, not dead-lettered
            return;
        }
        reader.read(record, ClusterRegistered.class).ifPresent(registration -> {
            try {
                monitor.track(registration, record.partition());
            } catch (RuntimeException failure) {
                reader.refuse(record, failure);
            }
        });
    }
}
