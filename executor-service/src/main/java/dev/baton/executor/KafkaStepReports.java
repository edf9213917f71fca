package dev.baton.executor;

import dev.baton.contracts.EventEnvelope;
import java.util.concurrent.CompletableFuture;

import dev.baton.contracts.StepResult;
import dev.baton.messaging.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;

/** {@link StepReports} on {@code baton.results.v1} through the shared {@link EventPublisher}. */
@ApplicationScoped
public class KafkaStepReports implements StepReports {
    private final EventPublisher publisher;

    public KafkaStepReports(EventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void publish(StepResult result, String actor, String causationId) {
        publisher.publish(result, actor, causationId);
    }

    @Override
    public CompletableFuture<Void> send(StepResult result, String actor, String causationId) {
        return publisher.publishAsync(result, EventEnvelope.of(result, publisher.source(), actor, causationId));
    }
}
