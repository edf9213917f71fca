package dev.baton.contracts;

import java.time.Instant;
import java.util.List;

/** The cluster stopped running mixed versions at {@code at}. */
public record MixedVersionWindowClosed(
        String rolloutId,
        String clusterId,
        Instant at,
        List<String> versions) implements RolloutEvent {

    public MixedVersionWindowClosed {
        versions = versions == null ? List.of() : List.copyOf(versions);
    }
}
