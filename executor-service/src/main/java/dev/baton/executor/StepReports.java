package dev.baton.executor;

import dev.baton.contracts.StepResult;

/**
 * Where an executor reports on its commands: {@code baton.results.v1} in the service ({@link KafkaStepReports}),
 * a collector in the benchmark. Each call returns once the report is on its way (Kafka: acknowledged).
 */
public interface StepReports {

    /** Publishes one result, caused by the command's CloudEvents id and on behalf of its actor. */
    void publish(StepResult result, String actor, String causationId);
}
