package dev.baton.planner.state;

import dev.baton.messaging.EventPublisher;
import dev.baton.messaging.EventReader;
import dev.baton.messaging.IncomingRecord;
import dev.baton.planner.rollout.RolloutView;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The rollouts of every cluster, whichever planner instance drives it, read from {@code baton-planner.state.v1}:
 * so any instance answers REST reads. The instance that owns a cluster answers from its engine (fresher).
 */
@ApplicationScoped
public class RolloutViews {
    public static final String CHANNEL = "planner-state-view";

    private final Map<String, StateRecord> latest = new ConcurrentHashMap<>();

    private final EventPublisher publisher;

    public RolloutViews(EventPublisher publisher) {
        this.publisher = publisher;
    }

    /**
     * The latest state of a cluster. A tombstone forgets the cluster; a record that is not a planner state goes to
     * {@code baton.deadletter.v1} (this channel is the state topic's one reader that dead-letters) and the view
     * carries on.
     */
    @Incoming(CHANNEL)
    @Blocking(ordered = true)
    public void onState(ConsumerRecord<String, byte[]> record) {
        try {
            StateRecord.read(record.key(), record.value()).ifPresentOrElse(
                    state -> latest.merge(record.key(), state,
                            (old, now) -> now.snapshot().epoch() >= old.snapshot().epoch() ? now : old),
                    () -> latest.remove(record.key()));
        } catch (RuntimeException e) {
            publisher.deadLetter(IncomingRecord.of(record), e instanceof IllegalArgumentException
                    ? e.getMessage() : EventReader.handlerFailed(e));
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
