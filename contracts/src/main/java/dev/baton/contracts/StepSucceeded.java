package dev.baton.contracts;

/** A step finished with success; {@code output} holds its tail. Published on {@link Topics#RESULTS}. */
public record StepSucceeded(
        String commandId,
        String rolloutId,
        String clusterId,
        String nodeName,
        String step,
        Integer exitCode,
        String output,
        String errorCode,
        String message) implements StepResult {
}
