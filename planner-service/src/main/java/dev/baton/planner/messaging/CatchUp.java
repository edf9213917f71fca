package dev.baton.planner.messaging;

import dev.baton.contracts.Topics;
import dev.baton.planner.config.PlannerConfig;
import dev.baton.planner.state.PlannerStateStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Holds the planner back until it has read the inventory ({@code baton.clusters.v1}) and the health picture
 * ({@code baton.health.v1}) up to where they ended when it started. Replaying history, the picture passes through
 * old states (a node "active" that has since gone down); deciding on those could take a second node down.
 */
@ApplicationScoped
public class CatchUp {
    private static final Logger LOG = Logger.getLogger(CatchUp.class);

    private final RolloutCoordinator coordinator;
    private final PlannerStateStore store;
    private final PlannerConfig config;
    private final Map<TopicPartition, Long> targets = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> read = new ConcurrentHashMap<>();
    private volatile boolean targetsKnown;

    public CatchUp(RolloutCoordinator coordinator, PlannerStateStore store, PlannerConfig config) {
        this.coordinator = coordinator;
        this.store = store;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        if (!config.partitioned()) {
            coordinator.markReady();
            return;
        }
        targets.putAll(store.endOffsets(List.of(Topics.CLUSTERS, Topics.HEALTH)));
        targetsKnown = true;
        check();
    }

    /** A record of the inventory or the health picture has been applied. */
    void applied(ConsumerRecord<?, ?> record) {
        read.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
        check();
    }

    private void check() {
        if (coordinator.isReady() || !targetsKnown) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> target : targets.entrySet()) {
            if (read.getOrDefault(target.getKey(), 0L) < target.getValue()) {
                return;
            }
        }
        coordinator.markReady();
        LOG.infof("inventory and health picture read up to their ends at start (%d partitions): deciding", targets.size());
    }

    /** Waits until caught up; requests and results are not decided on a stale picture. */
    void await() {
        while (!coordinator.isReady()) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while catching up", e);
            }
        }
    }
}
