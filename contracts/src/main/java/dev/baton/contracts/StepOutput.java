package dev.baton.contracts;

/** A chunk of a running step's output. Published on {@link Topics#RESULTS}. */
public record StepOutput(
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
