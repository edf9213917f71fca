package dev.baton.contracts;

import java.time.Instant;

/** Edge: the node became active (stable for the window) on {@code runningVersion}. Published on {@link Topics#HEALTH}. */
public record NodeActive(
        String clusterId,
        String nodeName,
        String runningVersion,
        String bootId,
        Instant since,
        String reason) implements HealthEvent {
}
