package dev.baton.contracts;

/**
 * A step failed; {@code errorCode} says how (e.g. {@code HOST_KEY_MISMATCH}, {@code EXIT_STATUS}, {@code TIMEOUT}).
 * Published on {@link Topics#RESULTS}.
 */
public record StepFailed(
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
