package dev.baton.executor;

import java.util.concurrent.CompletableFuture;

import dev.baton.contracts.StepResult;

/**
 * Where an executor reports on its commands: {@code baton.results.v1} in the service ({@link KafkaStepReports}),
 * a collector in the benchmark. Each call returns once the report is on its way (Kafka: acknowledged).
 */
public interface StepReports {

    /** Publishes one result, caused by the command's CloudEvents id and on behalf of its actor. */
    void publish(StepResult result, String actor, String causationId);

    /**
     * Sends a report without waiting for it (StepStarted, StepOutput: nothing waits for them, so the step need not
     * either); the returned stage completes when it is on its way. Reports of one command keep their order (one
     * cluster, one partition, one producer). Default: {@link #publish} at once.
     */
    default CompletableFuture<Void> send(StepResult result, String actor, String causationId) {
        publish(result, actor, causationId);
        return CompletableFuture.completedFuture(null);
    }
}
