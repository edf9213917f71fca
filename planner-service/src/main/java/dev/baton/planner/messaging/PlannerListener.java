package dev.baton.planner.messaging;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.RolloutControl;
import dev.baton.contracts.StepResult;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.messaging.EventReader;
import dev.baton.planner.rollout.Cause;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Turns messages into observations for the engine. Reads {@code baton.clusters.v1},
 * {@code baton.requests.v1}, {@code baton.results.v1} and {@code baton.health.v1}; a message that
 * is not a valid event goes to {@code baton.deadletter.v1} and the listener carries on.
 */
@ApplicationScoped
public class PlannerListener {
    public static final String CLUSTERS = "clusters";
    public static final String REQUESTS = "requests";
    public static final String RESULTS = "results";
    public static final String HEALTH = "health";

    private final EventReader reader;
    private final RolloutCoordinator coordinator;

    public PlannerListener(EventReader reader, RolloutCoordinator coordinator) {
        this.reader = reader;
        this.coordinator = coordinator;
    }

    @Incoming(CLUSTERS)
    @Blocking(ordered = true)
    public void onCluster(ConsumerRecord<String, byte[]> record) {
        reader.read(record, ClusterRegistered.class).ifPresent(c -> coordinator.apply(e -> e.onClusterRegistered(c)));
    }

    @Incoming(REQUESTS)
    @Blocking(ordered = true)
    public void onRequest(ConsumerRecord<String, byte[]> record) {
        reader.read(record).ifPresent(decoded -> {
            Cause cause = cause(decoded);
            if (decoded.event() instanceof UpgradeRequested request) {
                coordinator.apply(e -> e.onUpgradeRequested(request, cause));
            } else if (decoded.event() instanceof RolloutControl control) {
                coordinator.apply(e -> e.onControl(control, cause));
            }
        });
    }

    @Incoming(RESULTS)
    @Blocking(ordered = true)
    public void onResult(ConsumerRecord<String, byte[]> record) {
        reader.read(record).ifPresent(decoded -> {
            if (decoded.event() instanceof StepResult result) {
                coordinator.apply(e -> e.onStepResult(result, cause(decoded)));
            }
        });
    }

    @Incoming(HEALTH)
    @Blocking(ordered = true)
    public void onHealth(ConsumerRecord<String, byte[]> record) {
        reader.read(record).ifPresent(decoded -> {
            if (decoded.event() instanceof HealthEvent event) {
                coordinator.apply(e -> e.onHealth(event, cause(decoded)));
            }
        });
    }

    private static Cause cause(EventCodec.Decoded decoded) {
        return new Cause(decoded.envelope().id(), decoded.envelope().actor());
    }
}
