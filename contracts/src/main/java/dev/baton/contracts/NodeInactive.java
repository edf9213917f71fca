package dev.baton.contracts;

import java.time.Instant;

/**
 * Edge: the node stopped being active ({@code reason}: unreachable, service down, left membership, rebooting).
 * Published on {@link Topics#HEALTH}.
 */
public record NodeInactive(
        String clusterId,
        String nodeName,
        String runningVersion,
        String bootId,
        Instant since,
        String reason) implements HealthEvent {
}
