package dev.baton.health;

import dev.baton.contracts.EventCodec;
import dev.baton.contracts.MalformedEventException;
import dev.baton.contracts.StepSucceeded;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Follows {@code baton.results.v1} (channel {@code results}, from the latest offset, every instance on its own): when a
 * step succeeds on a node this instance probes, the node is probed now rather than at its next interval. Only a
 * hint, so an unreadable record is skipped here (the planner, the results' real reader, dead-letters it).
 */
@ApplicationScoped
public class StepResultListener {
    private final HealthMonitor monitor;

    public StepResultListener(HealthMonitor monitor) {
        this.monitor = monitor;
    }

    @Incoming("results")
    public void on(ConsumerRecord<String, byte[]> record) {
        try {
            if (EventCodec.decode(record.headers(), record.value()).event() instanceof StepSucceeded succeeded
                    && succeeded.nodeName() != null) {
                monitor.expedite(succeeded.clusterId(), succeeded.nodeName());
            }
        } catch (MalformedEventException | RuntimeException unreadable) {
            // not ours to dead-letter: the planner does
        }
    }
}
