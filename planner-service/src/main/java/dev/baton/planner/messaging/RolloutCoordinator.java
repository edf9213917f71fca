package dev.baton.planner.messaging;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.HealthEvent;
import dev.baton.messaging.Acks;
import dev.baton.messaging.Backoff;
import dev.baton.messaging.EventPublisher;
import dev.baton.messaging.Redelivery;
import dev.baton.planner.config.PlannerConfig;
import dev.baton.planner.config.ProceduresConfig;
import dev.baton.planner.rollout.ClusterSnapshot;
import dev.baton.planner.rollout.CommandDeadlines;
import dev.baton.planner.rollout.Emission;
import dev.baton.planner.rollout.RolloutEngine;
import dev.baton.planner.state.OutboxEntries;
import dev.baton.planner.state.OutboxEntry;
import dev.baton.planner.state.PlannerStateStore;
import dev.baton.planner.state.StateRecord;
import dev.baton.procedure.ProcedureCatalog;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

/**
 * Carries the engine's decisions out, crash-safely. Every observation goes through {@link #applyAll} under one lock
 * (a poll's messages as one group):
 * <ol>
 *   <li>the engine decides (pure);</li>
 *   <li>the new state of each cluster concerned, with the decisions as an outbox, is written to
 *       {@code baton-planner.state.v1} and acknowledged;</li>
 *   <li>the decisions are published to {@code baton.rollouts.v1} and {@code baton.commands.v1} in the order they
 *       were made (one producer, so each partition receives them in that order) and acknowledged;</li>
 *   <li>only then is the input message acknowledged.</li>
 * </ol>
 * A crash anywhere replays safely: before 2 the input is redelivered and decided again (command ids are
 * deterministic); after 2 the next owner publishes the outbox entries not yet on their topics; inputs redelivered
 * after 3 are recognised as already decided. The planner instance that owns a cluster is the one its Kafka
 * partition is assigned to; on take-over it reads the cluster's state and raises the fencing epoch.
 */
@ApplicationScoped
public class RolloutCoordinator {
    private static final Logger LOG = Logger.getLogger(RolloutCoordinator.class);
    private static final Backoff COMMIT_RETRY = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

    private final RolloutEngine engine;
    private final EventPublisher publisher;
    private final PlannerStateStore store;
    private final PlannerConfig config;
    private final ProcedureCatalog procedures;
    private final Map<String, Long> epochs = new ConcurrentHashMap<>();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Map<String, String> written = new HashMap<>();
    /** Each cluster's state as last committed: what a refused observation's cluster goes back to. */
    private final Map<String, ClusterSnapshot> committed = new HashMap<>();
    private volatile boolean stopping;
    private volatile int partitionCount;
    private ScheduledExecutorService timer;

    public RolloutCoordinator(EventPublisher publisher, PlannerStateStore store, PlannerConfig config,
                              ProceduresConfig shared) {
        this.publisher = publisher;
        this.store = store;
        this.config = config;
        this.procedures = ProcedureCatalog.configured(shared.dir(), config.proceduresDir());
        this.engine = new RolloutEngine(procedures, Clock.systemUTC(), config.preflightTimeout(),
                clusterId -> epochs.getOrDefault(clusterId, 1L),
                new CommandDeadlines(config.commandStartWindow(), config.resultGrace()));
    }

    void start(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "planner-timer");
            thread.setDaemon(true);
            return thread;
        });
        long period = config.tick().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                if (ready.get()) {
                    apply(null, RolloutEngine::onTick);
                }
            } catch (RuntimeException e) {
                LOG.error("planner timer failed", e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Set by the catch-up tracker once the inventory and the health picture are read up to where they were at start. */
    private final java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();

    /** Whether the planner decides yet (it does not while it replays the inventory and health history). */
    public boolean isReady() {
        return ready.get();
    }

    void markReady() {
        ready.set(true);
    }

    /**
     * One observation for the engine about {@code clusterId} (null: the timer, which concerns every cluster held here).
     * {@code refused} is told when the engine fails on it (the listener dead-letters the message it came from).
     */
    public record Observation(String clusterId, Function<RolloutEngine, List<Emission>> decide,
                              Consumer<RuntimeException> refused) {
        /** An observation that comes from no message: a failure on it is only logged. */
        public Observation(String clusterId, Function<RolloutEngine, List<Emission>> decide) {
            this(clusterId, decide, failure -> LOG.errorf(failure, "the engine failed on an observation of %s",
                    clusterId == null ? "every cluster" : clusterId));
        }
    }

    /** The engine failed on one observation of a group; {@code changed} are the clusters the group may have changed. */
    private static final class ObservationFailed extends RuntimeException {
        final Observation observation;
        final RuntimeException failure;
        final Set<String> changed;

        ObservationFailed(Observation observation, RuntimeException failure, Set<String> changed) {
            super(failure);
            this.observation = observation;
            this.failure = failure;
            this.changed = changed;
        }
    }

    /**
     * Applies one observation about {@code clusterId} (null: the timer, which concerns every cluster held here),
     * persists the state of every cluster it touched, then publishes its decisions, in order.
     */
    public void apply(String clusterId, Function<RolloutEngine, List<Emission>> observation) {
        applyAll(List.of(new Observation(clusterId, observation)));
    }

    /**
     * Applies observations in order (e.g. one poll's worth of messages), then commits them as a group: one state
     * record per cluster touched (its snapshot after all of them, with every decision they made as its outbox), all
     * written at once and acknowledged; then every decision published in the order it was made, and acknowledged.
     * Two Kafka round trips per group instead of several per message: with many clusters rolling at once the planner
     * no longer queues each cluster's next step behind every other cluster's acknowledgements. A crash before the
     * state is acknowledged replays the whole group (command ids are deterministic); after it, the next owner
     * publishes the outbox entries not yet on their topics.
     */
    public synchronized void applyAll(List<Observation> observations) {
        List<Observation> remaining = new ArrayList<>(observations);
        while (true) {
            try {
                commit(decide(remaining));
                return;
            } catch (ObservationFailed failed) {
                // invariant 9: one message the engine fails on must not stop the planner, nor leave half its effect.
                // Every cluster the group changed goes back to its last committed state, the message is refused
                // (dead-lettered) and the rest of the group is decided again without it.
                restoreCommitted(failed.changed);
                remaining.remove(failed.observation);
                failed.observation.refused().accept(failed.failure);
            }
        }
    }

    /** What a group of observations decided: the clusters it touched and its decisions in the order they were made. */
    private record Decisions(Set<String> touched, Map<String, List<Map.Entry<BatonEvent, EventEnvelope>>> byCluster,
                             List<Map.Entry<BatonEvent, EventEnvelope>> ordered) {
    }

    private Decisions decide(List<Observation> observations) {
        Set<String> touched = new LinkedHashSet<>();
        Map<String, List<Map.Entry<BatonEvent, EventEnvelope>>> byCluster = new LinkedHashMap<>();
        List<Map.Entry<BatonEvent, EventEnvelope>> ordered = new ArrayList<>();
        for (Observation observation : observations) {
            List<Emission> emissions;
            try {
                emissions = observation.decide().apply(engine);
            } catch (RuntimeException e) {
                Set<String> changed = new LinkedHashSet<>(touched);
                if (observation.clusterId() == null) {
                    changed.addAll(engine.clustersWithRollouts());
                } else {
                    changed.add(observation.clusterId());
                }
                throw new ObservationFailed(observation, e, changed);
            }
            if (observation.clusterId() == null) {
                touched.addAll(engine.clustersWithRollouts());
            } else if (ownsCluster(observation.clusterId())) {
                touched.add(observation.clusterId());
            }
            for (Emission emission : emissions) {
                EventEnvelope envelope = EventEnvelope.of(emission.event(), publisher.source(), emission.actor(),
                        emission.causationId());
                Map.Entry<BatonEvent, EventEnvelope> entry = Map.entry(emission.event(), envelope);
                ordered.add(entry);
                byCluster.computeIfAbsent(emission.event().clusterId(), c -> new ArrayList<>()).add(entry);
                touched.add(emission.event().clusterId());
            }
        }
        return new Decisions(touched, byCluster, ordered);
    }

    /** Puts these clusters back to the state last committed to the state topic (none committed: no rollouts). */
    private void restoreCommitted(Set<String> clusters) {
        for (String clusterId : clusters) {
            ClusterSnapshot snapshot = committed.get(clusterId);
            if (snapshot == null) {
                engine.forget(clusterId);
            } else {
                engine.restore(snapshot);
            }
        }
    }

    /**
     * Persists the state of every cluster the group touched, then publishes its decisions in order. While Kafka does
     * not acknowledge, tries again with back-off, for as long as it takes (the input stays unacknowledged, nothing is
     * dead-lettered for it); stops trying only when the service stops ({@link Redelivery}: the input is read again).
     */
    private void commit(Decisions decisions) {
        for (int failures = 1; ; failures++) {
            try {
                Map<String, String> pending = new LinkedHashMap<>();
                Map<String, ClusterSnapshot> pendingSnapshots = new LinkedHashMap<>();
                List<CompletableFuture<Void>> writes = new ArrayList<>();
                for (String cluster : decisions.touched()) {
                    persist(cluster, decisions.byCluster().getOrDefault(cluster, List.of()), pending, pendingSnapshots)
                            .ifPresent(writes::add);
                }
                Acks.awaitAll(writes);
                written.putAll(pending);
                committed.putAll(pendingSnapshots);
                List<CompletableFuture<Void>> sends = new ArrayList<>(decisions.ordered().size());
                for (Map.Entry<BatonEvent, EventEnvelope> entry : decisions.ordered()) {
                    sends.add(publisher.publishAsync(entry.getKey(), entry.getValue()));
                }
                Acks.awaitAll(sends);
                break;
            } catch (RuntimeException e) {
                if (stopping) {
                    throw new Redelivery("stopping before the planner's decisions were committed", e);
                }
                Duration delay = COMMIT_RETRY.delay(failures);
                LOG.errorf("could not commit the planner's decisions (Kafka), trying again in %s: %s", delay,
                        e.getMessage());
                Backoff.sleep(delay, "interrupted while waiting for Kafka");
            }
        }
        for (Map.Entry<BatonEvent, EventEnvelope> entry : decisions.ordered()) {
            LOG.infof("%s %s%s", entry.getKey().eventType(), entry.getKey().clusterId(),
                    entry.getKey().nodeName() == null ? "" : "/" + entry.getKey().nodeName());
        }
    }

    /**
     * Starts writing the cluster's state unless it is unchanged and decided nothing; {@code pending} gets its JSON and
     * {@code snapshots} the snapshot, both taken as committed once the write is acknowledged.
     */
    private Optional<CompletableFuture<Void>> persist(String clusterId, List<Map.Entry<BatonEvent, EventEnvelope>> decisions,
                                                      Map<String, String> pending, Map<String, ClusterSnapshot> snapshots) {
        ClusterSnapshot snapshot = engine.snapshot(clusterId);
        if (!config.partitioned()) {
            snapshots.put(clusterId, snapshot);
            return Optional.empty(); // in-memory test profile: no state topic
        }
        String json = json(snapshot);
        if (decisions.isEmpty() && json.equals(written.get(clusterId))) {
            return Optional.empty();
        }
        List<OutboxEntry> outbox = OutboxEntries.of(decisions);
        pending.put(clusterId, json);
        snapshots.put(clusterId, snapshot);
        return Optional.of(store.writeAsync(new StateRecord(snapshot, outbox, Instant.now())));
    }

    private static String json(ClusterSnapshot snapshot) {
        try {
            return new String(BatonJson.mapper().writeValueAsBytes(snapshot), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- ownership -----------------------------------------------------------------------------

    /** Whether this instance drives clusters whose messages arrive on {@code partition}. */
    public boolean owns(int partition) {
        return !config.partitioned() || owned.contains(partition);
    }

    public boolean ownsCluster(String clusterId) {
        return !config.partitioned() || (partitionCount > 0 && owned.contains(partitionOf(clusterId)));
    }

    /** The partition Kafka's default partitioner gives a cluster's messages (all topics have the same count). */
    int partitionOf(String clusterId) {
        return Utils.toPositive(Utils.murmur2(clusterId.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }

    /**
     * Takes over the clusters of newly assigned partitions: reads their latest state, publishes what the previous
     * owner recorded but may not have published, raises the fencing epoch and records it before any new decision.
     */
    public synchronized void takeOver(Set<Integer> partitions, int count) {
        partitionCount = count;
        Map<String, StateRecord> states = store.readLatest(partitions);
        // one read of the topics for every cluster's outbox, and the raised epochs written together: a take-over of
        // hundreds of clusters costs a few Kafka round trips, not a few per cluster
        Map<String, Integer> republished = store.completeOutboxes(states.values(), partitions);
        Map<String, String> pending = new HashMap<>();
        Map<String, ClusterSnapshot> pendingSnapshots = new HashMap<>();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (Map.Entry<String, StateRecord> state : states.entrySet()) {
            String clusterId = state.getKey();
            ClusterSnapshot snapshot = state.getValue().snapshot();
            long epoch = Math.max(epochs.getOrDefault(clusterId, 0L), snapshot.epoch()) + 1;
            epochs.put(clusterId, epoch);
            try {
                engine.restore(snapshot.withEpoch(epoch));
            } catch (RuntimeException e) {
                // a state this planner cannot restore (e.g. a procedure it no longer has) must not stop the take-over
                // of every other cluster; the cluster's rollouts are not driven here until the planner can read it
                LOG.errorf("cannot take over cluster %s: %s", clusterId, e.getMessage());
                engine.forget(clusterId);
                continue;
            }
            written.remove(clusterId);
            committed.put(clusterId, snapshot.withEpoch(epoch));
            persist(clusterId, List.of(), pending, pendingSnapshots).ifPresent(writes::add);
            LOG.infof("took over cluster %s (partition %d) at epoch %d; %d rollout(s), %d decision(s) re-published",
                    clusterId, partitionOf(clusterId), epoch, snapshot.rollouts().size(),
                    republished.getOrDefault(clusterId, 0));
        }
        Acks.awaitAll(writes);
        written.putAll(pending);
        committed.putAll(pendingSnapshots);
        owned.addAll(partitions);
    }

    /** Lets go of the clusters of revoked partitions: another instance drives them now. */
    public synchronized void letGo(Set<Integer> partitions) {
        owned.removeAll(partitions);
        if (partitionCount == 0) {
            return;
        }
        for (String clusterId : engine.clustersWithRollouts()) {
            if (partitions.contains(partitionOf(clusterId))) {
                engine.forget(clusterId);
                written.remove(clusterId);
                committed.remove(clusterId);
                LOG.infof("let go of cluster %s (partition %d)", clusterId, partitionOf(clusterId));
            }
        }
    }

    /**
     * Health history read before the planner decides anything (catch-up): updates the engine's health picture only,
     * deciding nothing. Returns whether the picture changed.
     */
    public synchronized boolean replayHealth(HealthEvent event) {
        return engine.recordHealth(event);
    }

    // ---- reads -----------------------------------------------------------------------------------

    /** The procedures this planner knows (shipped and from the configured folder). */
    public ProcedureCatalog procedures() {
        return procedures;
    }

    /** Reads engine state under the same lock; a query only (changes go through the methods above). */
    public synchronized <T> T read(Function<RolloutEngine, T> query) {
        return query.apply(engine);
    }
}
