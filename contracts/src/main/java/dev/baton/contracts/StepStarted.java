package dev.baton.contracts;

/** An executor began a {@link NodeCommand}. Published on {@link Topics#RESULTS}. */
public record StepStarted(
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
