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
 * Turns messages into observations for the engine. Reads {@code baton.clusters.v1} and {@code baton.health.v1}
 * whole (every instance keeps the full picture), and {@code baton.requests.v1} and {@code baton.results.v1} as the
 * planner consumer group (only the partitions this instance owns). A message that is not a valid event goes to
 * {@code baton.deadletter.v1} and the listener carries on.
 */
@ApplicationScoped
public class PlannerListener {
    public static final String CLUSTERS = "clusters";
    public static final String INPUT = "planner-in";
    public static final String HEALTH = "health";

    private final EventReader reader;
    private final RolloutCoordinator coordinator;
    private final CatchUp catchUp;

    public PlannerListener(EventReader reader, RolloutCoordinator coordinator, CatchUp catchUp) {
        this.reader = reader;
        this.coordinator = coordinator;
        this.catchUp = catchUp;
    }

    @Incoming(CLUSTERS)
    @Blocking(ordered = true)
    public void onCluster(ConsumerRecord<String, byte[]> record) {
        reader.read(record, ClusterRegistered.class)
                .ifPresent(c -> coordinator.apply(c.clusterId(), e -> e.onClusterRegistered(c)));
        catchUp.applied(record);
    }

    /** Requests (fleet management, CLI, REST) and step results, for the clusters this instance owns. */
    @Incoming(INPUT)
    @Blocking(ordered = true)
    public void onInput(ConsumerRecord<String, byte[]> record) {
        catchUp.await();
        if (!coordinator.owns(record.partition())) {
            return; // revoked while in flight: the new owner reads it from the committed offset
        }
        reader.read(record).ifPresent(decoded -> {
            Cause cause = cause(decoded);
            String clusterId = decoded.event().clusterId();
            if (decoded.event() instanceof UpgradeRequested request) {
                coordinator.apply(clusterId, e -> e.onUpgradeRequested(request, cause));
            } else if (decoded.event() instanceof RolloutControl control) {
                coordinator.apply(clusterId, e -> e.onControl(control, cause));
            } else if (decoded.event() instanceof StepResult result) {
                coordinator.apply(clusterId, e -> e.onStepResult(result, cause));
            }
        });
    }

    @Incoming(HEALTH)
    @Blocking(ordered = true)
    public void onHealth(ConsumerRecord<String, byte[]> record) {
        reader.read(record).ifPresent(decoded -> {
            if (decoded.event() instanceof HealthEvent event) {
                if (coordinator.isReady()) {
                    coordinator.apply(event.clusterId(), e -> e.onHealth(event, cause(decoded)));
                } else {
                    coordinator.read(e -> e.recordHealth(event)); // history: picture only, no decision on it
                }
            }
        });
        catchUp.applied(record);
    }

    private static Cause cause(EventCodec.Decoded decoded) {
        return new Cause(decoded.envelope().id(), decoded.envelope().actor());
    }
}
