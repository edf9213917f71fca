package dev.baton.planner.state;

import dev.baton.contracts.BatonJson;
import dev.baton.planner.rollout.RolloutView;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The rollouts of every cluster, whichever planner instance drives it, read from {@code baton-planner.state.v1}:
 * so any instance answers REST reads. The instance that owns a cluster answers from its engine (fresher).
 */
@ApplicationScoped
public class RolloutViews {
    public static final String CHANNEL = "planner-state-view";
    private static final Logger LOG = Logger.getLogger(RolloutViews.class);

    private final Map<String, StateRecord> latest = new ConcurrentHashMap<>();

    @Incoming(CHANNEL)
    @Blocking(ordered = true)
    public void onState(ConsumerRecord<String, byte[]> record) {
        try {
            StateRecord state = BatonJson.mapper().readValue(record.value(), StateRecord.class);
            latest.merge(record.key(), state, (old, now) -> now.snapshot().epoch() >= old.snapshot().epoch() ? now : old);
        } catch (IOException e) {
            LOG.warnf("unreadable planner state for %s ignored: %s", record.key(), e.getMessage());
        }
    }

    public Optional<RolloutView> rollout(String rolloutId) {
        return all().stream().filter(v -> v.rolloutId().equals(rolloutId)).findFirst();
    }

    public List<RolloutView> all() {
        List<RolloutView> views = new ArrayList<>();
        latest.values().forEach(state -> views.addAll(state.views()));
        return views;
    }
}
