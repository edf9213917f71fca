package dev.baton.planner.messaging;

import dev.baton.planner.config.PlannerConfig;
import dev.baton.planner.rollout.Emission;
import dev.baton.planner.rollout.RolloutEngine;
import dev.baton.messaging.EventPublisher;
import dev.baton.procedure.ProcedureCatalog;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Carries the engine's decisions out: every observation goes through {@link #apply} under one lock,
 * and the resulting events are published (and acknowledged by Kafka) before the next observation
 * is applied, so a node's first command can never overtake the decision that allowed it.
 * Publishes to {@code baton.rollouts.v1} and {@code baton.commands.v1}.
 */
@ApplicationScoped
public class RolloutCoordinator {
    private static final Logger LOG = Logger.getLogger(RolloutCoordinator.class);

    private final RolloutEngine engine;
    private final EventPublisher publisher;
    private final PlannerConfig config;
    private ScheduledExecutorService timer;

    public RolloutCoordinator(EventPublisher publisher, PlannerConfig config) {
        this.publisher = publisher;
        this.config = config;
        ProcedureCatalog procedures = config.proceduresDir().map(ProcedureCatalog::withUserFolder)
                .orElseGet(ProcedureCatalog::shipped);
        this.engine = new RolloutEngine(procedures, Clock.systemUTC(), config.preflightTimeout(),
                () -> UUID.randomUUID().toString());
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
                apply(RolloutEngine::onTick);
            } catch (RuntimeException e) {
                LOG.error("planner timer failed", e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Applies one observation to the engine and publishes its decisions, in order. */
    public synchronized void apply(Function<RolloutEngine, List<Emission>> observation) {
        for (Emission emission : observation.apply(engine)) {
            publisher.publish(emission.event(), emission.actor(), emission.causationId());
            LOG.infof("%s %s%s", emission.event().eventType(), emission.event().clusterId(),
                    emission.event().nodeName() == null ? "" : "/" + emission.event().nodeName());
        }
    }

    /** Reads engine state under the same lock. */
    public synchronized <T> T read(Function<RolloutEngine, T> query) {
        return query.apply(engine);
    }
}
