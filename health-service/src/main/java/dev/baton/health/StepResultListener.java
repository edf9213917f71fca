package dev.baton.health;

import dev.baton.contracts.StepSucceeded;
import dev.baton.messaging.EventReader;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Follows {@code baton.results.v1} (channel {@code results}, from the latest offset, every instance on its own): when a
 * step succeeds on a node this instance probes, the node is probed now rather than at its next interval. Only a
 * hint; still, like every consumer, it dead-letters a record it cannot read to {@code baton.deadletter.v1} (so a
 * malformed result has two dead letters: the planner's and this one's) and carries on.
 */
@ApplicationScoped
public class StepResultListener {
    private final EventReader reader;
    private final HealthMonitor monitor;

    public StepResultListener(EventReader reader, HealthMonitor monitor) {
        this.reader = reader;
        this.monitor = monitor;
    }

    @Incoming("results")
    public void on(ConsumerRecord<String, byte[]> record) {
        reader.read(record, StepSucceeded.class).ifPresent(succeeded -> {
            try {
                monitor.expedite(succeeded.clusterId(), succeeded.nodeName());
            } catch (RuntimeException failure) {
                reader.refuse(record, failure);
            }
        });
    }
}
