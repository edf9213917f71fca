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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Turns messages into observations for the engine. Reads {@code baton.clusters.v1} and {@code baton.health.v1}
 * whole (every instance keeps the full picture), and {@code baton.requests.v1} and {@code baton.results.v1} as the
 * planner consumer group (only the partitions this instance owns). A message that is not a valid event, or that the
 * engine fails on, goes to {@code baton.deadletter.v1} and the listener carries on (invariant 9). Each channel is
 * consumed in batches (a poll at a time), so the planner commits its decisions for many clusters with a few Kafka
 * round trips.
 */
@ApplicationScoped
public class PlannerListener {
    public static final String CLUSTERS = "clusters";
    public static final String INPUT = "planner-in";
    public static final String HEALTH = "health";

    private static final Logger LOG = Logger.getLogger(PlannerListener.class);

    private final AtomicLong tombstones = new AtomicLong();
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
    public void onClusters(ConsumerRecords<String, byte[]> records) {
        List<RolloutCoordinator.Observation> observations = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            if (record.value() == null) {
                // a tombstone: fleet management retired the cluster (compaction forgets it); nothing to decide, and
                // not malformed on a compacted topic: counted, not dead-lettered
                LOG.infof("tombstone for cluster %s on %s (%d so far): nothing to decide", record.key(), record.topic(),
                        tombstones.incrementAndGet());
                continue;
            }
            reader.read(record, ClusterRegistered.class).ifPresent(c -> observations.add(
                    new RolloutCoordinator.Observation(c.clusterId(), e -> e.onClusterRegistered(c), refusal(record))));
        }
        coordinator.applyAll(observations);
        records.forEach(catchUp::applied);
    }

    /**
     * Requests (fleet management, CLI, REST) and step results, for the clusters this instance owns: one poll's
     * records are decided in order and committed as one group ({@link RolloutCoordinator#applyAll}).
     */
    @Incoming(INPUT)
    @Blocking(ordered = true)
    public void onInput(ConsumerRecords<String, byte[]> records) {
        catchUp.await();
        List<RolloutCoordinator.Observation> observations = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            if (!coordinator.owns(record.partition())) {
                continue; // revoked while in flight: the new owner reads it from the committed offset
            }
            reader.read(record).ifPresent(decoded -> {
                Cause cause = cause(decoded);
                String clusterId = decoded.event().clusterId();
                if (decoded.event() instanceof UpgradeRequested request) {
                    observations.add(new RolloutCoordinator.Observation(clusterId, e -> e.onUpgradeRequested(request, cause),
                            refusal(record)));
                } else if (decoded.event() instanceof RolloutControl control) {
                    observations.add(new RolloutCoordinator.Observation(clusterId, e -> e.onControl(control, cause),
                            refusal(record)));
                } else if (decoded.event() instanceof StepResult result) {
                    observations.add(new RolloutCoordinator.Observation(clusterId, e -> e.onStepResult(result, cause),
                            refusal(record)));
                }
            });
        }
        coordinator.applyAll(observations);
    }

    @Incoming(HEALTH)
    @Blocking(ordered = true)
    public void onHealth(ConsumerRecords<String, byte[]> records) {
        List<RolloutCoordinator.Observation> observations = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            reader.read(record).ifPresent(decoded -> {
                if (decoded.event() instanceof HealthEvent event) {
                    if (coordinator.isReady()) {
                        observations.add(new RolloutCoordinator.Observation(event.clusterId(),
                                e -> e.onHealth(event, cause(decoded)), refusal(record)));
                    } else {
                        try {
                            coordinator.replayHealth(event); // history: picture only, no decision on it
                        } catch (RuntimeException failure) {
                            reader.refuse(record, failure);
                        }
                    }
                }
            });
        }
        coordinator.applyAll(observations);
        records.forEach(catchUp::applied);
    }

    /** What happens to the record when the engine fails on it: dead-lettered, and the listener carries on. */
    private Consumer<RuntimeException> refusal(ConsumerRecord<String, byte[]> record) {
        return failure -> reader.refuse(record, failure);
    }

    private static Cause cause(EventCodec.Decoded decoded) {
        return new Cause(decoded.envelope().id(), decoded.envelope().actor());
    }
}
